/**
 * Stands in for the published script: in production this page would load `dist/pasabay-chat.bundle.js`
 * (`npm run build -- --mode bundle`) or a CDN URL of it. The dev server serves `demo/` only, so the
 * library entry is re-exported from here, after the demo's fallback for the stack URL (modules run
 * in import order, so the tag is complete when the library reads it).
 */
import './script-tag-fallback.js';
export * from '../src/index.js';
