/**
 * Unread state as the database derives it: the rows of the RPC `my_conversations()` (each of the
 * caller's conversations with their read position and unread count). Parsed like every other
 * payload (see schemas.ts): valid rows and problems, never a throw.
 */
import * as z from 'zod/mini';

const timestamp = z.string().check(z.minLength(1));
const orNull = <T extends z.ZodMiniType>(schema: T) => z._default(z.nullable(schema), null);

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
