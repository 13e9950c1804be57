/**
 * A support inbox built by a host app around <pasabay-chat>: Maria's conversations with their
 * unread counts, kept live by the database's notices on her private `user:<id>` topic (a new
 * conversation, an unread count that changed), and the selected one open beside the list.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { PasabayChat } from '../src/index.js';
import { demoUsers } from './config.js';
import { signInDemoUser } from './demo-session.js';

interface InboxEntry {
  id: string;
  title: string;
  preview: string;
  lastMessageAt: string;
  unread: number;
}

const list = document.querySelector<HTMLUListElement>('#conversations')!;
const main = document.querySelector('main')!;
const entries = new Map<string, InboxEntry>();
let selected: string | undefined;
let chat: PasabayChat | undefined;

async function load(client: SupabaseClient, userId: string): Promise<void> {
  const { data, error } = await client
    .from('conversation_members')
    .select('conversation_id, unread_count')
    .eq('user_id', userId);
  if (error) throw new Error(error.message);
  const ids = data.map((row) => row.conversation_id as string);
  if (ids.length === 0) return;
  const conversations = await client
    .from('conversations')
    .select('id, kind, title, last_message_at, last_message_preview, created_at')
    .in('id', ids);
  if (conversations.error) throw new Error(conversations.error.message);
  const members = await client
    .from('conversation_members')
    .select('conversation_id, user_id')
    .in('conversation_id', ids);
  const profiles = await client.from('profiles').select('id, display_name');
  const names = new Map((profiles.data ?? []).map((p) => [p.id as string, p.display_name as string]));
  for (const c of conversations.data) {
    const others = (members.data ?? [])
      .filter((m) => m.conversation_id === c.id && m.user_id !== userId)
      .map((m) => names.get(m.user_id as string) ?? 'Someone');
    entries.set(c.id as string, {
      id: c.id as string,
      title: (c.title as string | null) ?? (others.join(', ') || 'Conversation'),
      preview: (c.last_message_preview as string | null) ?? 'No messages yet',
      lastMessageAt: (c.last_message_at as string | null) ?? (c.created_at as string),
      unread: data.find((row) => row.conversation_id === c.id)?.unread_count ?? 0,
    });
  }
}

function render(): void {
  const sorted = [...entries.values()].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
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

/** The host app's own subscription to the user's notices (the elements manage theirs). */
function watchNotices(client: SupabaseClient, userId: string): RealtimeChannel {
  return client
    .channel(`user:${userId}`, { config: { private: true } })
    .on('broadcast', { event: 'unread' }, ({ payload }) => {
      const notice = payload as {
        conversation_id: string;
        unread_count: number;
        last_message_at: string | null;
        last_message_preview: string | null;
      };
      const entry = entries.get(notice.conversation_id);
      if (!entry) return;
      entry.unread = notice.unread_count;
      if (notice.last_message_preview) entry.preview = notice.last_message_preview;
      if (notice.last_message_at) entry.lastMessageAt = notice.last_message_at;
      render();
    })
    .on('broadcast', { event: 'conversation' }, async () => {
      await load(client, userId);
      render();
    })
    .subscribe();
}

try {
  const client = await signInDemoUser('maria');
  const userId = demoUsers.maria.id;
  await client.realtime.setAuth();
  watchNotices(client, userId);
  await load(client, userId);
  render();
  const first = [...entries.values()].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt))[0];
  if (first) open(first.id);
} catch (error) {
  const problem = document.querySelector<HTMLElement>('#problem')!;
  problem.textContent = error instanceof Error ? error.message : String(error);
  problem.hidden = false;
}
