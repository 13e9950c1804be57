/**
 * A support inbox built by a host app around <pasabay-chat>: Maria's conversations with their
 * unread counts and the selected one open beside the list.
 *
 * The counts come from the database once (RPC `my_conversations`, derived from her read
 * positions) and are then kept live without polling and without any per-member writes: the inbox
 * listens on the private `conversation:<id>` topic of each conversation it lists, where every new
 * message is broadcast once for all members, and counts messages from others itself. Her private
 * `user:<id>` topic brings what is hers alone: a conversation she was added to, and her own read
 * position moving (read here or in another tab), with the count the database derives for it.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { PasabayChat } from '../src/index.js';
import { acquireChannel, type BroadcastMessage, type ChannelLease } from '../src/connection/channels.js';
import { myConversationSchema, type MyConversation } from '../src/connection/notices.js';
import {
  messageChangeSchema,
  parseList,
  parsePayload,
  readReceiptSchema,
  unreadNoticeSchema,
} from '../src/connection/schemas.js';
import { timestampMicros } from '../src/connection/timestamps.js';
import { conversationTopic, userTopic } from '../src/connection/topics.js';
import { demoUsers } from './config.js';
import { signInDemoUser } from './demo-session.js';

interface InboxEntry {
  id: string;
  title: string;
  preview: string;
  lastMessageAt: string;
  /** Read position, microseconds (0: never read). */
  lastRead: number;
  unread: number;
  /** Ids of the unread messages counted live, so a repeated or deleted one is counted right. */
  counted: Set<string>;
}

const list = document.querySelector<HTMLUListElement>('#conversations')!;
const main = document.querySelector('main')!;
const entries = new Map<string, InboxEntry>();
const leases = new Map<string, ChannelLease>();
let selected: string | undefined;
let chat: PasabayChat | undefined;

function previewOf(body: string): string {
  return body.replace(/\s+/g, ' ').slice(0, 140);
}

/** The counts as the database derives them, and the titles; (re)subscribes to every conversation listed. */
async function load(client: SupabaseClient, userId: string): Promise<void> {
  const { data, error } = await client.rpc('my_conversations');
  if (error) throw new Error(error.message);
  const parsed = parseList(myConversationSchema, data, 'rpc my_conversations');
  for (const problem of parsed.problems) console.warn('[inbox]', problem.message);
  const rows: MyConversation[] = parsed.data;
  const ids = rows.map((row) => row.id);
  const titles = await otherMemberNames(client, userId, ids);
  for (const row of rows) {
    entries.set(row.id, {
      id: row.id,
      title: row.title ?? (titles.get(row.id) || 'Conversation'),
      preview: row.last_message_preview ?? 'No messages yet',
      lastMessageAt: row.last_message_at ?? row.created_at,
      lastRead: row.last_read_at ? timestampMicros(row.last_read_at) : 0,
      unread: row.unread_count,
      counted: new Set(),
    });
    if (!leases.has(row.id)) watchConversation(client, userId, row.id);
  }
}

async function otherMemberNames(client: SupabaseClient, userId: string, ids: string[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  if (ids.length === 0) return titles;
  const members = await client
    .from('conversation_members')
    .select('conversation_id, user_id')
    .in('conversation_id', ids);
  const profiles = await client.from('profiles').select('id, display_name');
  const names = new Map((profiles.data ?? []).map((p) => [p.id as string, p.display_name as string]));
  for (const id of ids) {
    const others = (members.data ?? [])
      .filter((m) => m.conversation_id === id && m.user_id !== userId)
      .map((m) => names.get(m.user_id as string) ?? 'Someone');
    titles.set(id, others.join(', '));
  }
  return titles;
}

/** Counts a conversation's new messages from others as the database broadcasts them. */
function watchConversation(client: SupabaseClient, userId: string, conversationId: string): void {
  let joinedBefore = false;
  const lease = acquireChannel(client, conversationTopic(conversationId), {
    onBroadcast: (message) => onConversationEvent(userId, conversationId, message),
    onStatus: (status) => {
      if (status !== 'joined') return;
      // Back after a gap: what was missed is in the database's count.
      if (joinedBefore) void load(client, userId).then(render);
      joinedBefore = true;
    },
  });
  leases.set(conversationId, lease);
}

function onConversationEvent(userId: string, conversationId: string, message: BroadcastMessage): void {
  const entry = entries.get(conversationId);
  if (!entry) return;
  const source = `${conversationTopic(conversationId)} ${message.event}`;
  if (message.event === 'message') {
    const change = parsePayload(messageChangeSchema, message.payload, source).data;
    if (!change || change.operation === 'DELETE' || change.record.conversation_id !== conversationId) return;
    const row = change.record;
    const createdAt = timestampMicros(row.created_at);
    const fromOthers = row.sender_id !== userId && createdAt > entry.lastRead;
    if (fromOthers && !row.deleted_at && !entry.counted.has(row.id) && change.operation === 'INSERT') {
      entry.counted.add(row.id);
      entry.unread++;
    } else if (row.deleted_at && entry.counted.delete(row.id)) {
      entry.unread = Math.max(0, entry.unread - 1);
    }
    if (createdAt >= timestampMicros(entry.lastMessageAt)) {
      entry.lastMessageAt = row.created_at;
      entry.preview = previewOf(row.body);
    }
    render();
  } else if (message.event === 'read') {
    const receipt = parsePayload(readReceiptSchema, message.payload, source).data;
    if (!receipt || receipt.user_id !== userId || receipt.conversation_id !== conversationId) return;
    // The exact count follows as the `unread` notice on user:<id>; until then, what came before is read.
    const lastRead = receipt.last_read_at ? timestampMicros(receipt.last_read_at) : 0;
    if (lastRead > entry.lastRead) entry.lastRead = lastRead;
  }
}

function render(): void {
  const sorted = [...entries.values()].sort(
    (a, b) => timestampMicros(b.lastMessageAt) - timestampMicros(a.lastMessageAt),
  );
  list.replaceChildren(
    ...sorted.map((entry) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-current', String(entry.id === selected));
      const title = Object.assign(document.createElement('span'), { className: 'title', textContent: entry.title });
      const preview = Object.assign(document.createElement('span'), {
        className: 'preview',
        textContent: entry.preview,
      });
      button.append(title, preview);
      if (entry.unread > 0) {
        const badge = Object.assign(document.createElement('span'), {
          className: 'unread',
          textContent: String(entry.unread),
        });
        badge.setAttribute('aria-label', `${entry.unread} unread`);
        button.append(badge);
      }
      button.addEventListener('click', () => open(entry.id));
      item.append(button);
      return item;
    }),
  );
}

function open(id: string): void {
  selected = id;
  if (!chat) {
    chat = document.createElement('pasabay-chat') as PasabayChat;
    main.append(chat);
  }
  chat.conversationId = id;
  render();
}

/** The user's own notices: added to a conversation; their read position moved (with the count). */
function watchNotices(client: SupabaseClient, userId: string): void {
  acquireChannel(client, userTopic(userId), {
    onBroadcast: (message) => {
      const source = `${userTopic(userId)} ${message.event}`;
      if (message.event === 'conversation') {
        void load(client, userId).then(render);
      } else if (message.event === 'unread') {
        const notice = parsePayload(unreadNoticeSchema, message.payload, source).data;
        const entry = notice && entries.get(notice.conversation_id);
        if (!notice || !entry) return;
        entry.unread = notice.unread_count;
        entry.counted.clear();
        if (notice.last_message_preview !== null) entry.preview = notice.last_message_preview;
        if (notice.last_message_at) entry.lastMessageAt = notice.last_message_at;
        render();
      }
    },
  });
}

try {
  const client = await signInDemoUser('maria');
  const userId = demoUsers.maria.id;
  await client.realtime.setAuth();
  watchNotices(client, userId);
  await load(client, userId);
  render();
  const first = [...entries.values()].sort(
    (a, b) => timestampMicros(b.lastMessageAt) - timestampMicros(a.lastMessageAt),
  )[0];
  if (first) open(first.id);
} catch (error) {
  const problem = document.querySelector<HTMLElement>('#problem')!;
  problem.textContent = error instanceof Error ? error.message : String(error);
  problem.hidden = false;
}
