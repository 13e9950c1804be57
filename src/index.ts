/**
 * The script-tag entry: registers `<pasabay-chat>`, `<typing-indicator>` and
 * `<meeting-participants>` and exports everything `src/elements.ts` does.
 *
 * Script-tag pages can configure without writing code: the first `<script>` that loads this module
 * may carry `data-supabase-url`, `data-supabase-key` (and optionally `data-guest-name` and
 * `data-avatar-hosts`, space-separated origins), which are passed to `configure()`. Or call `configure({ supabaseUrl, supabaseKey })` from a module script.
 */
import { parseAvatarHosts } from './connection/avatars.js';
import { configure, configuration } from './connection/client.js';
import { definePasabayChat } from './components/pasabay-chat/pasabay-chat.js';
import { defineTypingIndicator } from './components/typing-indicator/typing-indicator.js';
import { defineMeetingParticipants } from './components/meeting-participants/meeting-participants.js';

export * from './elements.js';

function configureFromScriptTag() {
  if (typeof document === 'undefined' || configuration()) return;
  const script = document.querySelector<HTMLScriptElement>('script[data-supabase-url][data-supabase-key]');
  const supabaseUrl = script?.dataset.supabaseUrl?.trim();
  const supabaseKey = script?.dataset.supabaseKey?.trim();
  if (!supabaseUrl || !supabaseKey) return;
  const guestName = script?.dataset.guestName?.trim();
  const avatarHosts = parseAvatarHosts(script?.dataset.avatarHosts);
  try {
    configure({ supabaseUrl, supabaseKey, avatarHosts, ...(guestName ? { guestName } : {}) });
  } catch (error) {
    // A bad attribute must not stop the elements from registering; they show the error state.
    console.error(error);
  }
}

configureFromScriptTag();
defineTypingIndicator();
definePasabayChat();
defineMeetingParticipants();
