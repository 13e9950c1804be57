/**
 * Realtime topic names. The database's authorization policies on `realtime.messages` are keyed on
 * exactly these strings, so they are built here and nowhere else.
 */

/** Messages, reactions and read receipts of one conversation (Broadcast from Database). */
export function conversationTopic(conversationId: string): string {
  return `conversation:${conversationId}`;
}

/** Client-sent typing broadcasts of one conversation. */
export function typingTopic(conversationId: string): string {
  return `conversation:${conversationId}:typing`;
}

/** Presence and participant / meeting changes of one meeting. */
export function meetingTopic(meetingId: string): string {
  return `meeting:${meetingId}`;
}

/** Per-user notices: added to a conversation, unread counts. */
export function userTopic(userId: string): string {
  return `user:${userId}`;
}
