/**
 * The conversation list and the launcher badge listen on the user's own private `user:<id>`
 * channel only, with a Postgres Changes binding on `public.conversations` (migration
 * 20250604090010). The topic's policy lets only its owner join it; each change is then checked
 * against the table's RLS for the subscriber: a member gets the conversation's change, a
 * non-member never does. "Never" is proven with a sentinel the same channel receives afterwards
 * (a channel gets its changes in commit order).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  carlos,
  conversationId,
  Inbox,
  joined,
  maria,
  outsider,
  outsiderConversationId,
  send,
  subscribe,
  useRealtimeStack,
} from '../support/realtime-stack.js';

interface Change {
  eventType: string;
  new: { id: string; last_message_preview: string | null };
}

async function userChannelChanges(client: SupabaseClient, userId: string): Promise<Inbox<Change>> {
  const inbox = new Inbox<Change>();
  const system = new Inbox<string>();
  const channel = client
    .channel(`user:${userId}`, { config: { private: true } })
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'conversations' }, (change) =>
      inbox.push(change as unknown as Change),
    )
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'conversations' }, (change) =>
      inbox.push(change as unknown as Change),
    )
    .on('system', {}, (payload: { message?: string }) => system.push(payload.message ?? ''));
  await joined(channel);
  await system.next((message) => message === 'Subscribed to PostgreSQL', 'Subscribed to PostgreSQL');
  return inbox;
}

describe('Postgres Changes of public.conversations on the private user:<id> channel', () => {
  useRealtimeStack();

  it('a member gets the change of a conversation on a new message; a non-member never does', async () => {
    const mariaInbox = await userChannelChanges(maria.client, maria.user.id);
    const outsiderInbox = await userChannelChanges(outsider.client, outsider.user.id);

    await send(carlos, conversationId, 'news for the members');
    const change = await mariaInbox.next((c) => c.new.id === conversationId, "Maria's conversation change");
    assert.equal(change.eventType, 'UPDATE');
    assert.equal(change.new.last_message_preview, 'news for the members');

    await send(outsider, outsiderConversationId, 'sentinel');
    await outsiderInbox.next((c) => c.new.id === outsiderConversationId, "the outsider's own change");
    assert.deepEqual(
      outsiderInbox.items.map((c) => c.new.id),
      [outsiderConversationId],
      'the outsider sees only their own conversation',
    );
    assert.equal(mariaInbox.items.filter((c) => c.new.id === outsiderConversationId).length, 0);
  });

  it("nobody may join another user's user:<id> channel (with or without the binding)", async () => {
    const channel = outsider.client.channel(`user:${maria.user.id}`, { config: { private: true } });
    channel.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'conversations' }, () => {});
    const result = await subscribe(channel);
    assert.notEqual(result.status, 'SUBSCRIBED');
    await outsider.client.removeChannel(channel);
  });
});
