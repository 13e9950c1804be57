/**
 * zod schemas for everything that crosses the network. Elements never trust a payload: they parse
 * it here, and get back the valid data and the problems; a payload that fails is dropped, and the
 * caller reports it (as a `pasabay-error` event). Nothing here dispatches.
 *
 * Written with `zod/mini` (functional API, tree-shakes) rather than `zod`, whose method-chaining
 * classes pull the whole library into the bundle.
 */
import * as z from 'zod/mini';
import type { Database } from './database.types.js';
import { MESSAGE_MAX_UNITS } from './wire.js';

// PostgreSQL / GoTrue ids are UUIDs, but not all of them carry an RFC version nibble (seeded or
// imported users), so accept any 8-4-4-4-12 hex id.
const id = z.guid();
// Timestamps arrive as PostgreSQL's text form ("2025-01-01 10:00:00.123456+00") through
// broadcast_changes and as ISO strings through REST; both parse with Date, so keep them as text.
const timestamp = z.string().check(z.minLength(1));

/** The method API's `.nullable().default(null)`: a missing key and null both parse to null. */
function orNull<T extends z.ZodMiniType>(schema: T) {
  return z._default(z.nullable(schema), null);
}

export const profileSchema = z.object({
  id,
  display_name: z.string(),
  avatar_url: orNull(z.string()),
});
export type Profile = z.infer<typeof profileSchema>;

export const conversationSchema = z.object({
  id,
  kind: z.enum(['direct', 'group', 'meeting']),
  title: orNull(z.string()),
  external_ref: orNull(z.string()),
  meeting_id: orNull(id),
  created_by: orNull(id),
  created_at: timestamp,
  updated_at: z.optional(timestamp),
  last_message_at: orNull(timestamp),
  last_message_preview: orNull(z.string()),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const memberSchema = z.object({
  conversation_id: id,
  user_id: id,
  role: z.enum(['owner', 'member']),
  joined_at: z.optional(timestamp),
  last_read_at: orNull(timestamp),
  unread_count: z._default(z.number().check(z.int(), z.nonnegative()), 0),
});
export type Member = z.infer<typeof memberSchema>;

export const messageSchema = z.object({
  id,
  conversation_id: id,
  sender_id: id,
  // A soft-deleted message has its body emptied, so no minimum length here.
  body: z.string().check(z.maxLength(MESSAGE_MAX_UNITS)),
  reply_to: orNull(id),
  created_at: timestamp,
  edited_at: orNull(timestamp),
  deleted_at: orNull(timestamp),
  // Absent from rows of a schema before mentions, and from broadcasts of such rows.
  mentions: z.optional(z.array(id)),
});
/** One row of `public.messages`: the generated table type, which the schema above must parse to. */
export type Message = Database['public']['Tables']['messages']['Row'];

export const reactionSchema = z.object({
  message_id: id,
  user_id: id,
  emoji: z.string().check(z.minLength(1), z.maxLength(32)),
  created_at: z.optional(timestamp),
});
export type Reaction = z.infer<typeof reactionSchema>;

export const meetingSchema = z.object({
  id,
  title: z.string(),
  host_id: id,
  status: z.enum(['scheduled', 'live', 'ended']),
  scheduled_for: orNull(timestamp),
  started_at: orNull(timestamp),
  ended_at: orNull(timestamp),
});
export type Meeting = z.infer<typeof meetingSchema>;

export const meetingParticipantSchema = z.object({
  meeting_id: id,
  user_id: id,
  role: z.enum(['host', 'participant']),
  invited_at: z.optional(timestamp),
  joined_at: orNull(timestamp),
  left_at: orNull(timestamp),
  is_muted: z.boolean(),
  is_video_on: z.boolean(),
  is_screen_sharing: z.boolean(),
  is_hand_raised: z.boolean(),
  // Recorded since issue 7; a row from an older schema has no such column and reads as not away.
  is_away: z._default(z.boolean(), false),
  updated_at: z.optional(timestamp),
});
export type MeetingParticipant = z.infer<typeof meetingParticipantSchema>;

/**
 * Event `typing` on `conversation:<id>:typing`, sent only by the database's `send_typing` RPC:
 * `display_name` is the typist's profile name, read by the database (never supplied by a client).
 */
export const typingEventSchema = z.object({
  conversation_id: id,
  user_id: id,
  display_name: z.string().check(z.maxLength(200)),
  is_typing: z.boolean(),
});
export type TypingEvent = z.infer<typeof typingEventSchema>;

/** `realtime.send` payload of event `read` on `conversation:<id>`. */
export const readReceiptSchema = z.object({
  conversation_id: id,
  user_id: id,
  last_read_at: timestamp,
});
export type ReadReceipt = z.infer<typeof readReceiptSchema>;

/** `realtime.send` payload of event `conversation` on `user:<id>`. */
export const conversationNoticeSchema = z.object({
  conversation_id: id,
  kind: z.enum(['direct', 'group', 'meeting']),
  title: orNull(z.string()),
});
export type ConversationNotice = z.infer<typeof conversationNoticeSchema>;

/** `realtime.send` payload of event `unread` on `user:<id>`. */
export const unreadNoticeSchema = z.object({
  conversation_id: id,
  unread_count: z.number().check(z.int(), z.nonnegative()),
  last_message_at: orNull(timestamp),
  last_message_preview: orNull(z.string()),
});
export type UnreadNotice = z.infer<typeof unreadNoticeSchema>;

/**
 * The envelope `realtime.broadcast_changes` sends for one row of `public.<table>`: `record` is null
 * for DELETE, `old_record` for INSERT. `id` is added by `realtime.send`. Only the named table of
 * schema `public` passes. An UPDATE's `old_record` is left out of the result unread (no element
 * uses it; each keeps its own copy of the row): validating a second whole row per update doubled
 * the parse cost of a join wave.
 */
export function broadcastChangeSchema<Row extends z.ZodMiniType>(table: string, row: Row) {
  const envelope = { id: z.optional(z.string()), schema: z.literal('public'), table: z.literal(table) };
  return z.discriminatedUnion('operation', [
    z.object({ ...envelope, operation: z.literal('INSERT'), record: row, old_record: z.optional(z.null()) }),
    z.object({ ...envelope, operation: z.literal('UPDATE'), record: row }),
    z.object({ ...envelope, operation: z.literal('DELETE'), record: z.optional(z.null()), old_record: row }),
  ]);
}

export const messageChangeSchema = broadcastChangeSchema('messages', messageSchema);
export type MessageChange = z.infer<typeof messageChangeSchema>;
export const reactionChangeSchema = broadcastChangeSchema('message_reactions', reactionSchema);
export type ReactionChange = z.infer<typeof reactionChangeSchema>;
export const participantChangeSchema = broadcastChangeSchema('meeting_participants', meetingParticipantSchema);
export type ParticipantChange = z.infer<typeof participantChangeSchema>;
export const meetingChangeSchema = broadcastChangeSchema('meetings', meetingSchema);
export type MeetingChange = z.infer<typeof meetingChangeSchema>;

/** `true` when `A` and `B` are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/**
 * Compile-time checks that a schema parses to its table's generated row type: a column added to
 * or changed in database.types.ts (which a test compares with the live schema) fails the build
 * here until the schema follows.
 */
export type SchemasMatchTables = [
  Holds<Same<z.infer<typeof messageSchema>, Message>>,
  // Elements read three columns of a profile (and RLS may hide the rest).
  Holds<
    Same<
      z.infer<typeof profileSchema>,
      Pick<Database['public']['Tables']['profiles']['Row'], 'id' | 'display_name' | 'avatar_url'>
    >
  >,
];

/** A payload that was rejected: where it came from, why, and the payload itself. */
export interface PayloadProblem {
  /** Where the payload came from, e.g. `conversation:<id> message`. */
  source: string;
  message: string;
  /** The rejected payload. */
  cause: unknown;
}

/**
 * What a parse gives back: the valid data, and the problems it found. The caller decides how to
 * report them (elements dispatch `pasabay-error`, see `reported()` in events/pasabay-error.ts).
 */
export interface Parsed<T> {
  data: T;
  problems: PayloadProblem[];
}

const englishMessages = z.locales.en().localeError;
/**
 * `zod/mini` loads no locale, so every issue would read "Invalid input"; `zod` used to configure
 * English globally. Word our reports in English unless the app has configured zod's messages.
 */
const parseOptions: z.core.ParseContext<z.core.$ZodIssue> = {
  error: (issue) => {
    const configured = z.config();
    return configured.customError || configured.localeError ? undefined : englishMessages(issue);
  },
};

/** Validates `data`: the parsed value, or `undefined` and why. Never throws. */
export function parsePayload<Schema extends z.ZodMiniType>(
  schema: Schema,
  data: unknown,
  source: string,
): Parsed<z.infer<Schema> | undefined> {
  const result = schema.safeParse(data, parseOptions);
  if (result.success) return { data: result.data, problems: [] };
  const message = `Dropped an invalid payload from ${source}: ${z.prettifyError(result.error)}`;
  return { data: undefined, problems: [{ source, message, cause: data }] };
}

/**
 * A payload that is well-formed but does not belong where it arrived (another conversation's row
 * on this conversation's topic, an unknown event…): dropped, with the reason.
 */
export function dropped(reason: string, data: unknown, source: string): Parsed<undefined> {
  return {
    data: undefined,
    problems: [{ source, message: `Dropped a payload from ${source}: ${reason}`, cause: data }],
  };
}

/** Validates each item: the valid ones, and a problem for each of the rest. Never throws. */
export function parseList<Schema extends z.ZodMiniType>(
  schema: Schema,
  data: unknown,
  source: string,
): Parsed<z.infer<Schema>[]> {
  if (!Array.isArray(data)) return { data: [], problems: parsePayload(z.array(schema), data, source).problems };
  const items: z.infer<Schema>[] = [];
  const problems: PayloadProblem[] = [];
  for (const item of data) {
    const parsed = parsePayload(schema, item, source);
    if (parsed.data !== undefined) items.push(parsed.data);
    problems.push(...parsed.problems);
  }
  return { data: items, problems };
}
