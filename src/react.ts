/**
 * React components for the elements (`pasabay-chat/react`), made with `@lit/react`.
 *
 * Properties pass through as properties (so `client={supabase}` hands over the object, not a
 * string), and every `pasabay-*` event an element fires is an `onX` prop whose handler gets the
 * typed event. Importing this module registers the default tags, as `pasabay-chat` does.
 *
 * ```tsx
 * import { PasabayChat } from 'pasabay-chat/react';
 * <PasabayChat conversationId={id} client={supabase} onUnreadChange={(e) => setBadge(e.detail.unreadCount)} />
 * ```
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { PasabayChat as PasabayChatElement, definePasabayChat } from './components/pasabay-chat/pasabay-chat.js';
import {
  TypingIndicator as TypingIndicatorElement,
  defineTypingIndicator,
} from './components/typing-indicator/typing-indicator.js';
import {
  MeetingParticipants as MeetingParticipantsElement,
  defineMeetingParticipants,
} from './components/meeting-participants/meeting-participants.js';
import {
  PasabayLauncher as PasabayLauncherElement,
  definePasabayLauncher,
} from './components/pasabay-launcher/pasabay-launcher.js';
import {
  PasabayConversationList as PasabayConversationListElement,
  definePasabayConversationList,
} from './components/pasabay-conversation-list/pasabay-conversation-list.js';
import {
  MeetingReactions as MeetingReactionsElement,
  defineMeetingReactions,
} from './components/meeting-reactions/meeting-reactions.js';
import type { PasabayAuthRequiredEvent } from './events/pasabay-auth-required.js';
import type { PasabayErrorEvent } from './events/pasabay-error.js';
import type { PasabayBackEvent } from './events/pasabay-back.js';
import type { PasabayMessageFailEvent } from './events/pasabay-message-fail.js';
import type { PasabayMessageReceiveEvent } from './events/pasabay-message-receive.js';
import type { PasabayMessageSendEvent } from './events/pasabay-message-send.js';
import type { PasabayParticipantJoinEvent } from './events/pasabay-participant-join.js';
import type { PasabayParticipantLeaveEvent } from './events/pasabay-participant-leave.js';
import type { PasabayPresenceChangeEvent } from './events/pasabay-presence-change.js';
import type { PasabayStatusChangeEvent } from './events/pasabay-status-change.js';
import type { PasabayTypingChangeEvent } from './events/pasabay-typing-change.js';
import type { PasabayUnreadChangeEvent } from './events/pasabay-unread-change.js';
import type { PasabayMeetingStatusEvent } from './events/pasabay-meeting-status.js';
import type { PasabayParticipantRemoveEvent } from './events/pasabay-participant-remove.js';
import type { PasabayHandLowerEvent } from './events/pasabay-hand-lower.js';
import type { PasabayConnectionQualityEvent } from './events/pasabay-connection-quality.js';
import type { PasabayConversationSelectEvent } from './events/pasabay-conversation-select.js';

// The React components render the default tags, so those must be registered (the launcher
// registers the `<pasabay-chat>` it opens).
defineTypingIndicator();
definePasabayChat();
defineMeetingParticipants();
definePasabayLauncher();
definePasabayConversationList();
defineMeetingReactions();

/** Events every element fires. */
const commonEvents = {
  onStatusChange: 'pasabay-status-change' as EventName<PasabayStatusChangeEvent>,
  onAuthRequired: 'pasabay-auth-required' as EventName<PasabayAuthRequiredEvent>,
  onError: 'pasabay-error' as EventName<PasabayErrorEvent>,
};

/** `<pasabay-chat>`; `onTypingChange` comes from the `<typing-indicator>` it embeds. */
export const PasabayChat = createComponent({
  react: React,
  tagName: 'pasabay-chat',
  elementClass: PasabayChatElement,
  displayName: 'PasabayChat',
  events: {
    ...commonEvents,
    onMessageSend: 'pasabay-message-send' as EventName<PasabayMessageSendEvent>,
    onMessageReceive: 'pasabay-message-receive' as EventName<PasabayMessageReceiveEvent>,
    onMessageFail: 'pasabay-message-fail' as EventName<PasabayMessageFailEvent>,
    onUnreadChange: 'pasabay-unread-change' as EventName<PasabayUnreadChangeEvent>,
    onTypingChange: 'pasabay-typing-change' as EventName<PasabayTypingChangeEvent>,
    onBack: 'pasabay-back' as EventName<PasabayBackEvent>,
  },
});

/** `<typing-indicator>`. */
export const TypingIndicator = createComponent({
  react: React,
  tagName: 'typing-indicator',
  elementClass: TypingIndicatorElement,
  displayName: 'TypingIndicator',
  events: {
    ...commonEvents,
    onTypingChange: 'pasabay-typing-change' as EventName<PasabayTypingChangeEvent>,
  },
});

/** `<meeting-participants>`. */
export const MeetingParticipants = createComponent({
  react: React,
  tagName: 'meeting-participants',
  elementClass: MeetingParticipantsElement,
  displayName: 'MeetingParticipants',
  events: {
    ...commonEvents,
    onPresenceChange: 'pasabay-presence-change' as EventName<PasabayPresenceChangeEvent>,
    onParticipantJoin: 'pasabay-participant-join' as EventName<PasabayParticipantJoinEvent>,
    onParticipantLeave: 'pasabay-participant-leave' as EventName<PasabayParticipantLeaveEvent>,
    onMeetingStatus: 'pasabay-meeting-status' as EventName<PasabayMeetingStatusEvent>,
    onParticipantRemove: 'pasabay-participant-remove' as EventName<PasabayParticipantRemoveEvent>,
    onHandLower: 'pasabay-hand-lower' as EventName<PasabayHandLowerEvent>,
    onConnectionQuality: 'pasabay-connection-quality' as EventName<PasabayConnectionQualityEvent>,
  },
});

/** `<pasabay-launcher>`. */
export const PasabayLauncher = createComponent({
  react: React,
  tagName: 'pasabay-launcher',
  elementClass: PasabayLauncherElement,
  displayName: 'PasabayLauncher',
  events: commonEvents,
});

/** `<pasabay-conversation-list>`. */
export const PasabayConversationList = createComponent({
  react: React,
  tagName: 'pasabay-conversation-list',
  elementClass: PasabayConversationListElement,
  displayName: 'PasabayConversationList',
  events: {
    ...commonEvents,
    onConversationSelect: 'pasabay-conversation-select' as EventName<PasabayConversationSelectEvent>,
  },
});

/** `<meeting-reactions>`. */
export const MeetingReactions = createComponent({
  react: React,
  tagName: 'meeting-reactions',
  elementClass: MeetingReactionsElement,
  displayName: 'MeetingReactions',
  events: commonEvents,
});
