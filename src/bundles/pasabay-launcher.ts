/**
 * The `<pasabay-launcher>` script bundle (`dist/bundles/pasabay-launcher.js`): registers the
 * launcher and the `<pasabay-chat>` it opens, configures from its own `<script data-supabase-url
 * data-supabase-key>` tag and, with `data-launcher`, puts the launcher on the page. Shares its
 * chunks (Lit, supabase-js, the connection layer, the chat) with the other per-element bundles.
 */
import { definePasabayLauncher } from '../components/pasabay-launcher/pasabay-launcher.js';
import { configureFromScriptTag, launcherFromScriptTag } from './script-tag.js';

export { PasabayLauncher, definePasabayLauncher } from '../components/pasabay-launcher/pasabay-launcher.js';
export { configuration, configure } from '../connection/client.js';

configureFromScriptTag(import.meta.url);
definePasabayLauncher();
launcherFromScriptTag(import.meta.url);
