/**
 * Unread state as the database derives it: the rows of the RPC `my_conversations()` (each of the
 * caller's conversations with their read position and unread count). Parsed like every other
 * payload (see schemas.ts): valid rows and problems, never a throw.
 */
import * as z from 'zod/mini';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  acquireChannel,
  type ChannelHandlers,
  type ChannelLease,
  type ChannelStatus,
  type PostgresChangesFilter,
} from './channels.js';
import { parseList, parsePayload, type Parsed } from './schemas.js';
import { userTopic } from './topics.js';

const timestamp = z.string().check(z.minLength(1));
const orNull = <T extends z.ZodMiniType>(schema: T) => z._default(z.nullable(schema), null);

/**
 * The Postgres Changes bindings of every `user:<id>` channel: the caller's conversations as they
 * change (last activity, preview, title), INSERT and UPDATE only (RLS limits them to the user's
 * conversations). One binding list for all acquirers, so the list, the launcher and the mention
 * listener share one channel (bindings must agree to share, see `acquireChannel`).
 */
export const USER_CHANNEL_CHANGES: readonly PostgresChangesFilter[] = Object.freeze([
  { event: 'INSERT', schema: 'public', table: 'conversations' },
  { event: 'UPDATE', schema: 'public', table: 'conversations' },
]);

/** The user's own `user:<id>` channel, with `USER_CHANNEL_CHANGES`, shared with its other acquirers. */
export function acquireUserChannel(client: SupabaseClient, userId: string, handlers: ChannelHandlers): ChannelLease {
  return acquireChannel(client, userTopic(userId), handlers, { postgresChanges: [...USER_CHANNEL_CHANGES] });
}

/**
 * Whether a channel's `system` message says its Postgres Changes are now being delivered (after
 * each join): a change committed between the join and this moment was not, so read again then.
 */
export function isPostgresChangesReady(payload: unknown): boolean {
  const message = payload as { extension?: unknown; status?: unknown } | null;
  return typeof message === 'object' && message?.extension === 'postgres_changes' && message.status === 'ok';
}

/** A `public.conversations` row as a Postgres Change on `user:<id>` brings it; only what the elements read. */
export const conversationChangeSchema = z.object({
  id: z.guid(),
  title: orNull(z.string()),
  created_at: timestamp,
  last_message_at: orNull(timestamp),
  last_message_preview: orNull(z.string()),
});
export type ConversationChange = z.infer<typeof conversationChangeSchema>;

/** One row of `my_conversations()`; only what the elements and the demo inbox read. */
export const myConversationSchema = z.object({
  id: z.guid(),
  kind: z.enum(['direct', 'group', 'meeting']),
  title: orNull(z.string()),
  created_at: timestamp,
  last_message_at: orNull(timestamp),
  last_message_preview: orNull(z.string()),
  last_read_at: orNull(timestamp),
  /** Live messages from others after `last_read_at` (or joining). */
  unread_count: z.number().check(z.int(), z.nonnegative()),
});
export type MyConversation = z.infer<typeof myConversationSchema>;

/**
 * Event `mention` on `user:<id>`: a member mentioned that user in a message. Sent only by the
 * database (trigger `notify_mentions`), one per mentioned person, from what it recorded: the
 * sender, their profile name, the message and the user's unread mention count after it.
 */
export const mentionNoticeSchema = z.object({
  conversation_id: z.guid(),
  message_id: z.guid(),
  sender_id: z.guid(),
  sender_name: orNull(z.string()),
  /** The message's first 140 characters, whitespace collapsed. */
  preview: z.string(),
  created_at: timestamp,
  /** Live messages from others mentioning the user after their read position, this one included. */
  unread_mentions: z.number().check(z.int(), z.nonnegative()),
});
export type MentionNotice = z.infer<typeof mentionNoticeSchema>;

/** Event `unread` on `user:<id>`: the user's read position in a conversation moved. */
const unreadNoticeSchema = z.object({
  conversation_id: z.guid(),
  unread_count: z.number().check(z.int(), z.nonnegative()),
});

/** One row of the RPC `my_unread_mentions()`. */
export const unreadMentionsSchema = z.object({
  conversation_id: z.guid(),
  unread_mentions: z.number().check(z.int(), z.nonnegative()),
});
export type UnreadMentions = z.infer<typeof unreadMentionsSchema>;

export interface MentionHandlers {
  /** Someone mentioned the user: live, whether or not the conversation is open anywhere. */
  onMention(notice: MentionNotice): void;
  /** A conversation's unread mention count changed because the user read it (in any tab). */
  onUnreadMentions?(conversationId: string, unreadMentions: number): void;
  /** The `user:<id>` channel's status (`joined` again after each reconnect: refetch then). */
  onStatus?(status: ChannelStatus, error?: Error): void;
  /** A payload that did not parse, or a request that failed; nothing else is affected. */
  onProblem?(message: string): void;
}

/** The caller's unread mention counts, per conversation (or for the one given). */
export async function fetchUnreadMentions(
  client: SupabaseClient,
  conversationId?: string,
): Promise<Parsed<UnreadMentions[]> & { error?: string }> {
  const { data, error } = await client.rpc(
    'my_unread_mentions',
    conversationId ? { conversation_id: conversationId } : {},
  );
  if (error) return { data: [], problems: [], error: error.message };
  return parseList(unreadMentionsSchema, data, 'my_unread_mentions');
}

/**
 * Listens to `user:<userId>` (the signed-in user's own topic; the database refuses anyone else)
 * for mentions of that user, and for read positions that clear them. Shares the channel with any
 * other listener on the same client. Returns the function that stops listening.
 */
export function subscribeToMentions(client: SupabaseClient, userId: string, handlers: MentionHandlers): () => void {
  const problem = (message: string) => handlers.onProblem?.(message);
  const lease = acquireUserChannel(client, userId, {
    onStatus: (status, error) => handlers.onStatus?.(status, error),
    onBroadcast: (message) => {
      if (message.event === 'mention') {
        const parsed = parsePayload(mentionNoticeSchema, message.payload, `user:<id> mention`);
        parsed.problems.forEach((p) => problem(p.message));
        if (parsed.data) handlers.onMention(parsed.data);
      } else if (message.event === 'unread' && handlers.onUnreadMentions) {
        const parsed = parsePayload(unreadNoticeSchema, message.payload, `user:<id> unread`);
        parsed.problems.forEach((p) => problem(p.message));
        const notice = parsed.data;
        if (!notice) return;
        // Mentions are among the unread messages: none unread, none unread mentioning the user.
        if (notice.unread_count === 0) return handlers.onUnreadMentions(notice.conversation_id, 0);
        void fetchUnreadMentions(client, notice.conversation_id).then((result) => {
          if (lease.released) return;
          if (result.error) return problem(result.error);
          result.problems.forEach((p) => problem(p.message));
          const row = result.data[0];
          if (row) handlers.onUnreadMentions?.(row.conversation_id, row.unread_mentions);
        });
      }
    },
  });
  return () => void lease.release();
}
