/**
 * The script-tag entry: registers `<pasabay-chat>`, `<typing-indicator>` and
 * `<meeting-participants>` and exports everything `src/elements.ts` does.
 *
 * Script-tag pages can configure without writing code: the `<script>` that loads this module may
 * carry `data-supabase-url`, `data-supabase-key` (and optionally `data-guest-name` and
 * `data-avatar-hosts`, space-separated origins), which are passed to `configure()` (see
 * `bundles/script-tag.ts`). Or call `configure({ supabaseUrl, supabaseKey })` from a module script.
 * `src/bundles/<tag>.ts` are the per-element script bundles.
 */
import { definePasabayChat } from './components/pasabay-chat/pasabay-chat.js';
import { defineTypingIndicator } from './components/typing-indicator/typing-indicator.js';
import { defineMeetingParticipants } from './components/meeting-participants/meeting-participants.js';
import { configureFromScriptTag } from './bundles/script-tag.js';
import { definePasabayLauncher } from './components/pasabay-launcher/pasabay-launcher.js';
import { launcherFromScriptTag } from './bundles/script-tag.js';

export * from './elements.js';

configureFromScriptTag(import.meta.url);
defineTypingIndicator();
definePasabayChat();
defineMeetingParticipants();

// The support widget: `<pasabay-launcher>`, put on the page by a script tag with `data-launcher`.
definePasabayLauncher();
launcherFromScriptTag(import.meta.url);
// <pasabay-conversation-list> (issue 12).
import { definePasabayConversationList } from './components/pasabay-conversation-list/pasabay-conversation-list.js';
definePasabayConversationList();
import { defineMeetingReactions } from './components/meeting-reactions/meeting-reactions.js';
defineMeetingReactions();
