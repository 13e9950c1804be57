/**
 * Stands in for the published script: in production this page would load `dist/pasabay-chat.bundle.js`
 * (`npm run build -- --mode bundle`) or a CDN URL of it. The dev server serves `demo/` only, so the
 * library entry is re-exported from here.
 */
export * from '../src/index.js';
