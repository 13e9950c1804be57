/**
 * The `<pasabay-chat>` script bundle (`dist/bundles/pasabay-chat.js`): registers that element only and
 * configures from its own `<script data-supabase-url data-supabase-key>` tag. Shares its chunks
 * (Lit, supabase-js, the connection layer) with the other per-element bundles.
 */
import { definePasabayChat } from '../components/pasabay-chat/pasabay-chat.js';
import { configureFromScriptTag } from './script-tag.js';

export { PasabayChat, definePasabayChat } from '../components/pasabay-chat/pasabay-chat.js';
export { configuration, configure } from '../connection/client.js';

configureFromScriptTag(import.meta.url);
definePasabayChat();
