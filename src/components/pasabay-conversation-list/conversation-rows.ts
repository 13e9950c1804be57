/**
 * The list's rows as plain data: parsed from `conversation_list()`, kept in activity order, changed
 * by the live events of each conversation, and matched against a search. No DOM, no network, so
 * it is tested on its own.
 */
import * as z from 'zod/mini';
import type { MessageChange, ReadReceipt, UnreadNotice } from '../../connection/schemas.js';
import { timestampMicros } from '../../connection/timestamps.js';

const timestamp = z.string().check(z.minLength(1));
const orNull = <T extends z.ZodMiniType>(schema: T) => z._default(z.nullable(schema), null);

/** One row of the RPC `conversation_list()`. */
export const conversationListRowSchema = z.object({
  id: z.guid(),
  kind: z.enum(['direct', 'group', 'meeting']),
  title: orNull(z.string().check(z.maxLength(200))),
  other_user_id: orNull(z.guid()),
  other_display_name: orNull(z.string().check(z.maxLength(200))),
  other_avatar_url: orNull(z.string().check(z.maxLength(2000))),
  activity_at: timestamp,
  last_message_at: orNull(timestamp),
  last_message_preview: orNull(z.string()),
  last_read_at: orNull(timestamp),
  unread_count: z.number().check(z.int(), z.nonnegative()),
});
export type ConversationListRow = z.infer<typeof conversationListRowSchema>;

/** A conversation as the list shows it. */
export interface ConversationEntry {
  id: string;
  kind: 'direct' | 'group' | 'meeting';
  title: string | null;
  /** The other member of a direct chat (as the database names them). */
  otherUserId: string | null;
  otherName: string | null;
  otherAvatarUrl: string | null;
  /** Newest message, or creation before the first: the order of the list. */
  activityAt: string;
  activityMicros: number;
  preview: string | null;
  /** Read position in microseconds (0: never read). */
  lastReadMicros: number;
  unread: number;
  /** Messages up to this moment are in `unread` as the database counted it. */
  countedThroughMicros: number;
  /** Ids of messages counted live since, so a repeated or deleted one counts right. */
  counted: Set<string>;
}

export function entryOf(row: ConversationListRow): ConversationEntry {
  const lastMessage = row.last_message_at ? timestampMicros(row.last_message_at) : 0;
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    otherUserId: row.other_user_id,
    otherName: row.other_display_name,
    otherAvatarUrl: row.other_avatar_url,
    activityAt: row.activity_at,
    activityMicros: timestampMicros(row.activity_at),
    preview: row.last_message_preview,
    lastReadMicros: row.last_read_at ? timestampMicros(row.last_read_at) : 0,
    unread: row.unread_count,
    countedThroughMicros: lastMessage,
    counted: new Set(),
  };
}

/**
 * A row read from the database, over what the list had. An answer can be older than a message
 * that arrived live while it travelled: then the live state stays, and only the names are taken.
 */
export function mergeEntry(known: ConversationEntry | undefined, read: ConversationEntry): ConversationEntry {
  if (!known || known.activityMicros <= read.activityMicros) return read;
  known.title = read.title;
  known.otherUserId = read.otherUserId;
  known.otherName = read.otherName;
  known.otherAvatarUrl = read.otherAvatarUrl;
  return known;
}

/** Newest activity first; ties by id, descending, as the database pages them. */
export function compareEntries(a: ConversationEntry, b: ConversationEntry): number {
  return b.activityMicros - a.activityMicros || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** What the list calls a conversation: its title, else the other member, else `fallback`. */
export function displayTitle(entry: ConversationEntry, fallback: string): string {
  return entry.title?.trim() || entry.otherName?.trim() || fallback;
}

/** Lower-cased for matching in the user's language. */
export function foldForSearch(text: string, lang?: string): string {
  try {
    return text.toLocaleLowerCase(lang || undefined);
  } catch {
    return text.toLowerCase(); // malformed language tag
  }
}

/** Whether the search `query` (already folded) is in the entry's title or the other member's name. */
export function matchesSearch(entry: ConversationEntry, query: string, lang?: string): boolean {
  if (!query) return true;
  return [entry.title, entry.otherName].some((text) => text !== null && foldForSearch(text, lang).includes(query));
}

/** One-line preview of a message body, as the database makes it. */
export function previewOf(body: string): string {
  return body.replace(/\s+/g, ' ').trim().slice(0, 140);
}

/**
 * A message change from the conversation's own topic. Returns whether the entry changed. Counts
 * a message from others after the read position once, and not when the database already had it.
 */
export function applyMessage(entry: ConversationEntry, change: MessageChange, me: string): boolean {
  if (change.operation === 'DELETE') return false;
  const row = change.record;
  const createdAt = timestampMicros(row.created_at);
  let changed = false;
  if (
    change.operation === 'INSERT' &&
    !row.deleted_at &&
    row.sender_id !== me &&
    createdAt > entry.lastReadMicros &&
    createdAt > entry.countedThroughMicros &&
    !entry.counted.has(row.id)
  ) {
    entry.counted.add(row.id);
    entry.unread++;
    changed = true;
  } else if (row.deleted_at && entry.counted.delete(row.id)) {
    entry.unread = Math.max(0, entry.unread - 1);
    changed = true;
  }
  if (change.operation === 'INSERT' && !row.deleted_at && createdAt >= entry.activityMicros) {
    entry.activityAt = row.created_at;
    entry.activityMicros = createdAt;
    entry.preview = previewOf(row.body);
    changed = true;
  }
  return changed;
}

/**
 * The user's own read position moved (event `read` on the conversation's topic): later messages
 * are counted from there. The exact count follows as the `unread` notice on `user:<id>`.
 */
export function applyRead(entry: ConversationEntry, receipt: ReadReceipt): void {
  entry.lastReadMicros = Math.max(entry.lastReadMicros, timestampMicros(receipt.last_read_at));
}

/** The database's count after the user's read position moved (`unread` on `user:<id>`). */
export function applyUnreadNotice(entry: ConversationEntry, notice: UnreadNotice): boolean {
  entry.unread = notice.unread_count;
  entry.counted.clear();
  if (notice.last_message_at) {
    const at = timestampMicros(notice.last_message_at);
    entry.countedThroughMicros = Math.max(entry.countedThroughMicros, at);
    if (at >= entry.activityMicros) {
      entry.activityAt = notice.last_message_at;
      entry.activityMicros = at;
      if (notice.last_message_preview !== null) entry.preview = notice.last_message_preview;
    }
  }
  return true;
}
