/**
 * The `<meeting-participants>` script bundle (`dist/bundles/meeting-participants.js`): registers that element only and
 * configures from its own `<script data-supabase-url data-supabase-key>` tag. Shares its chunks
 * (Lit, supabase-js, the connection layer) with the other per-element bundles.
 */
import { defineMeetingParticipants } from '../components/meeting-participants/meeting-participants.js';
import { configureFromScriptTag } from './script-tag.js';

export {
  MeetingParticipants,
  defineMeetingParticipants,
} from '../components/meeting-participants/meeting-participants.js';
export { configuration, configure } from '../connection/client.js';

configureFromScriptTag(import.meta.url);
defineMeetingParticipants();
