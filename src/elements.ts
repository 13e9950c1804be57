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
export {
  MessageStore,
  type ChatMessage,
  type Delivery,
  type MessageRecord,
  type ReactionRecord,
  type ReactionSummary,
} from './components/pasabay-chat/state/message-store.js';
export type { ChatConnection, ChatView, RealtimeMode } from './components/pasabay-chat/conversation-controller.js';
export type { OwnState, Participant } from './components/meeting-participants/meeting-participants.js';
export type { ChannelStatus } from './connection/channels.js';
export type {
  ConversationKind,
  ConversationMemberRow,
  ConversationRow,
  Database,
  Json,
  MeetingParticipantRow,
  MeetingRow,
  MeetingStatus,
  MemberRole,
  MessageReactionRow,
  MessageRow,
  ParticipantRole,
  ProfileRow,
  RateLimitCounterRow,
  RateLimitRow,
} from './connection/database.types.js';

export { PasabayMessageSendEvent, type PasabayMessageSendDetail } from './events/pasabay-message-send.js';
export { PasabayMessageReceiveEvent, type PasabayMessageReceiveDetail } from './events/pasabay-message-receive.js';
export { PasabayMessageFailEvent, type PasabayMessageFailDetail } from './events/pasabay-message-fail.js';
export { PasabayUnreadChangeEvent, type PasabayUnreadChangeDetail } from './events/pasabay-unread-change.js';
export {
  PasabayTypingChangeEvent,
  type PasabayTypingChangeDetail,
  type Typist,
} from './events/pasabay-typing-change.js';
export { PasabayPresenceChangeEvent, type PasabayPresenceChangeDetail } from './events/pasabay-presence-change.js';
export { PasabayParticipantJoinEvent, type PasabayParticipantJoinDetail } from './events/pasabay-participant-join.js';
export {
  PasabayParticipantLeaveEvent,
  type PasabayParticipantLeaveDetail,
} from './events/pasabay-participant-leave.js';
export { PasabayStatusChangeEvent, type PasabayStatusChangeDetail } from './events/pasabay-status-change.js';
export { PasabayAuthRequiredEvent, type PasabayAuthRequiredDetail } from './events/pasabay-auth-required.js';
export { PasabayErrorEvent, type PasabayErrorCode, type PasabayErrorDetail } from './events/pasabay-error.js';

export { chatStrings, type ChatStrings } from './i18n/chat.js';
export { typingStrings, type TypingStrings } from './i18n/typing.js';
export { participantsStrings, type ParticipantsStrings } from './i18n/participants.js';
export { defaultStrings, type Strings } from './i18n/strings.js';

export { PasabayLauncher, definePasabayLauncher } from './components/pasabay-launcher/pasabay-launcher.js';
export { launcherStrings, type LauncherStrings } from './i18n/launcher.js';
export {
  directionOf,
  languageOf,
  languages,
  loadTranslation,
  type Language,
  type Translation,
} from './i18n/locales.js';
export { PasabayBackEvent, type PasabayBackDetail } from './events/pasabay-back.js';
export { OnlineController, type OnlineControllerOptions } from './controllers/online-controller.js';
export {
  PasabayConversationList,
  definePasabayConversationList,
} from './components/pasabay-conversation-list/pasabay-conversation-list.js';
export type { ConversationEntry } from './components/pasabay-conversation-list/conversation-rows.js';
export type { ConversationListRow } from './connection/database.types.js';
export {
  PasabayConversationSelectEvent,
  type PasabayConversationSelectDetail,
} from './events/pasabay-conversation-select.js';
export { conversationListStrings, type ConversationListStrings } from './i18n/conversation-list.js';
export { MeetingReactions, defineMeetingReactions } from './components/meeting-reactions/meeting-reactions.js';
export type { LiveReaction } from './components/meeting-reactions/reactions-controller.js';
export type { ReactionsStrings } from './i18n/reactions.js';
export {
  subscribeToMentions,
  fetchUnreadMentions,
  type MentionHandlers,
  type MentionNotice,
  type UnreadMentions,
} from './connection/notices.js';
export {
  parseRichText,
  plainText,
  type Block as RichTextBlock,
  type Inline as RichTextInline,
} from './components/pasabay-chat/view/rich-text.js';
export { PasabayMeetingStatusEvent, type PasabayMeetingStatusDetail } from './events/pasabay-meeting-status.js';
export {
  PasabayParticipantRemoveEvent,
  type PasabayParticipantRemoveDetail,
} from './events/pasabay-participant-remove.js';
export { PasabayHandLowerEvent, type PasabayHandLowerDetail } from './events/pasabay-hand-lower.js';
export {
  PasabayConnectionQualityEvent,
  type PasabayConnectionQualityDetail,
} from './events/pasabay-connection-quality.js';
