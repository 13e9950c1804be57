/**
 * The `<pasabay-conversation-list>` script bundle (`dist/bundles/pasabay-conversation-list.js`):
 * registers that element only and configures from its own `<script data-supabase-url
 * data-supabase-key>` tag. Shares its chunks (Lit, supabase-js, the connection layer) with the
 * other per-element bundles; load `pasabay-chat.js` as well to open the chosen conversation.
 */
import { definePasabayConversationList } from '../components/pasabay-conversation-list/pasabay-conversation-list.js';
import { configureFromScriptTag } from './script-tag.js';

export {
  PasabayConversationList,
  definePasabayConversationList,
} from '../components/pasabay-conversation-list/pasabay-conversation-list.js';
export { configuration, configure } from '../connection/client.js';

configureFromScriptTag(import.meta.url);
definePasabayConversationList();
