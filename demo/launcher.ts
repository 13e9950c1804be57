/**
 * Stands in for the published script, as script-tag-entry.ts does: in production this page would
 * load `dist/pasabay-chat.bundle.js` (or `dist/bundles/pasabay-launcher.js`). The demo's fallback
 * for the stack URL runs first, so the tag is complete when the library reads it.
 */
import './script-tag-fallback.js';
export * from '../src/index.js';
