/**
 * The `<meeting-reactions>` script bundle (`dist/bundles/meeting-reactions.js`): registers that element only and
 * configures from its own `<script data-supabase-url data-supabase-key>` tag. Shares its chunks
 * (Lit, supabase-js, the connection layer) with the other per-element bundles.
 */
import { defineMeetingReactions } from '../components/meeting-reactions/meeting-reactions.js';
import { configureFromScriptTag } from './script-tag.js';

export { MeetingReactions, defineMeetingReactions } from '../components/meeting-reactions/meeting-reactions.js';
export { configuration, configure } from '../connection/client.js';

configureFromScriptTag(import.meta.url);
defineMeetingReactions();
