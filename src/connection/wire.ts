/**
 * The constants of the wire contract with the database (supabase/migrations): what the server
 * accepts and what it sends. Defined once here; the topic names themselves are in topics.ts.
 */

/** The server's limit on a message body, in characters after trimming (`messages.body` check). */
export const MESSAGE_MAX_LENGTH = 4000;

/**
 * The longest body accepted from the network or storage. The server counts characters, the
 * browser UTF-16 units, so a body at the limit can be up to twice as long here.
 */
export const MESSAGE_MAX_UNITS = MESSAGE_MAX_LENGTH * 2;

/** Event names on the realtime topics (sent by the database only). */
export const TopicEvent = {
  /** `conversation:<id>`: a row of `public.messages` (broadcast_changes). */
  message: 'message',
  /** `conversation:<id>`: a row of `public.message_reactions` (broadcast_changes). */
  reaction: 'reaction',
  /** `conversation:<id>`: a member's read position (realtime.send). */
  read: 'read',
  /** `conversation:<id>:typing`: RPC `send_typing`. */
  typing: 'typing',
  /** `meeting:<id>`: a row of `public.meeting_participants` (broadcast_changes). */
  participant: 'participant',
  /** `meeting:<id>`: the row of `public.meetings` (broadcast_changes). */
  meeting: 'meeting',
} as const;

/** PostgreSQL's `insufficient_privilege`: RLS or a function's own check refused the caller. */
export const INSUFFICIENT_PRIVILEGE = '42501';

/** The PostgREST error code the rate-limit triggers raise (`PT429`, sent as HTTP 429). */
export const RATE_LIMITED_CODE = 'PT429';

/** The database refused a write for going over its rate limit. */
export function isRateLimited(failure: { status?: number; code?: string }): boolean {
  return failure.status === 429 || failure.code === RATE_LIMITED_CODE;
}
