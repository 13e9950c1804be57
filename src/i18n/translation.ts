/** The shape of one language's translation (`locales/<language>/index.ts`). */
import type { ChatStrings } from './chat.js';
import type { ConversationListStrings } from './conversation-list.js';
import type { LauncherStrings } from './launcher.js';
import type { ParticipantsStrings } from './participants.js';
import type { ReactionsStrings } from './reactions.js';
import type { TypingStrings } from './typing.js';

/** One language's tables. Partial, so a key added to an English table never breaks a build. */
export interface Translation {
  chat: Partial<ChatStrings>;
  typing: Partial<TypingStrings>;
  participants: Partial<ParticipantsStrings>;
  launcher: Partial<LauncherStrings>;
  conversationList: Partial<ConversationListStrings>;
  reactions: Partial<ReactionsStrings>;
}
