/**
 * The element classes without registering them, for framework apps and for pages that need other
 * tag names (`customElements.define('my-chat', class extends PasabayChat {})`, or the `define*`
 * helpers with a tag). `src/index.ts` is the entry that registers the default tags.
 */
export { PasabayChat, definePasabayChat } from './components/pasabay-chat/pasabay-chat.js';
export { TypingIndicator, defineTypingIndicator } from './components/typing-indicator/typing-indicator.js';
export {
  MeetingParticipants,
  defineMeetingParticipants,
} from './components/meeting-participants/meeting-participants.js';

export { configure, configuration, PasabayConfigurationError, type ConfigureOptions } from './connection/client.js';
export { MessageStore, type ChatMessage, type MessageRecord } from './components/pasabay-chat/state/message-store.js';

export { PasabayMessageSendEvent, type PasabayMessageSendDetail } from './events/pasabay-message-send.js';
export { PasabayMessageReceiveEvent, type PasabayMessageReceiveDetail } from './events/pasabay-message-receive.js';
export { PasabayMessageFailEvent, type PasabayMessageFailDetail } from './events/pasabay-message-fail.js';
export { PasabayUnreadChangeEvent, type PasabayUnreadChangeDetail } from './events/pasabay-unread-change.js';
export { PasabayTypingChangeEvent } from './events/pasabay-typing-change.js';
export { PasabayPresenceChangeEvent } from './events/pasabay-presence-change.js';
export { PasabayParticipantJoinEvent } from './events/pasabay-participant-join.js';
export { PasabayParticipantLeaveEvent } from './events/pasabay-participant-leave.js';
export { PasabayStatusChangeEvent } from './events/pasabay-status-change.js';
export { PasabayAuthRequiredEvent } from './events/pasabay-auth-required.js';
export { PasabayErrorEvent, type PasabayErrorCode, type PasabayErrorDetail } from './events/pasabay-error.js';

export { chatStrings, type ChatStrings } from './i18n/chat.js';
export { defaultStrings, type Strings } from './i18n/strings.js';
