/**
 * Realtime topic names. The database's authorization policies on `realtime.messages` are keyed on
 * exactly these strings, so they are built here and nowhere else.
 */

/** Messages, reactions and read receipts of one conversation (Broadcast from Database). */
export function conversationTopic(conversationId: string): string {
  return `conversation:${conversationId}`;
}

/** Typing of one conversation, sent only by the database (RPC `send_typing`). */
export function typingTopic(conversationId: string): string {
  return `conversation:${conversationId}:typing`;
}

/** Participant and meeting changes of one meeting (Broadcast from Database). */
export function meetingTopic(meetingId: string): string {
  return `meeting:${meetingId}`;
}

/** Presence of one meeting's participants, keyed by user id: only whether they are connected. */
export function meetingPresenceTopic(meetingId: string): string {
  return `meeting:${meetingId}:presence`;
}

/** Per-user notices: added to a conversation, unread counts. */
export function userTopic(userId: string): string {
  return `user:${userId}`;
}

/**
 * Presence of an organisation's members, keyed by user id (members only; clients track presence
 * and send nothing else). A key is a claim: only keys that are recorded members count.
 */
export function orgTopic(organizationId: string): string {
  return `org:${organizationId}`;
}
