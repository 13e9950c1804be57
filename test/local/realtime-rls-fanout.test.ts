/**
 * Postgres Changes checks RLS for all subscribers of a change at once (one query per change); each
 * subscriber must still get exactly what its own claims may see. One insert goes to subscribers
 * with different visibility (members, the same member on two channels, an outsider, a user in no
 * conversation, service_role) and only the right subset receives it, once each.
 * "Nothing received" is proven with a sentinel the same channel receives afterwards: a channel gets
 * its changes in commit order, so a change missing once the later one has arrived never comes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
  stack,
  useRealtimeStack,
} from '../support/realtime-stack.js';
import { createGroup } from '../support/stack.js';

interface Change {
  new: { id: string; body: string; conversation_id: string };
}

async function subscribeToInserts(client: SupabaseClient): Promise<Inbox<Change>> {
  const inbox = new Inbox<Change>();
  const system = new Inbox<string>();
  const channel = client
    .channel(`pg-${randomUUID()}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (change) =>
      inbox.push(change as unknown as Change),
    )
    .on('system', {}, (payload: { message?: string }) => system.push(payload.message ?? ''));
  await joined(channel);
  await system.next((message) => message === 'Subscribed to PostgreSQL', 'Subscribed to PostgreSQL');
  return inbox;
}

describe('Postgres Changes RLS for many subscribers of one change', () => {
  useRealtimeStack();

  it('delivers one change to exactly the subscribers whose claims may see the row, once each', async () => {
    const eve = await stack.createUser({ displayName: 'Eve' });
    await eve.client.realtime.setAuth();
    const eveConversationId = await createGroup(eve, 'Eve alone', []);
    const service = stack.serviceClient();

    const inboxes = {
      maria: await subscribeToInserts(maria.client),
      mariaAgain: await subscribeToInserts(maria.client),
      carlos: await subscribeToInserts(carlos.client),
      outsider: await subscribeToInserts(outsider.client),
      eve: await subscribeToInserts(eve.client),
      service: await subscribeToInserts(service),
    };

    const id = await send(carlos, conversationId, `for members only ${randomUUID()}`);
    for (const name of ['maria', 'mariaAgain', 'carlos', 'service'] as const) {
      const change = await inboxes[name].next((c) => c.new.id === id, `the change for ${name}`);
      assert.equal(change.new.conversation_id, conversationId);
    }

    // Later changes each of the others may see: once one has arrived, the earlier one never will.
    const outsiderSentinel = await send(outsider, outsiderConversationId, 'sentinel');
    const eveSentinel = await send(eve, eveConversationId, 'sentinel');
    await inboxes.outsider.next((c) => c.new.id === outsiderSentinel, "the outsider's sentinel");
    await inboxes.eve.next((c) => c.new.id === eveSentinel, "Eve's sentinel");
    await inboxes.service.next((c) => c.new.id === eveSentinel, "service_role's sentinel");

    assert.equal(inboxes.outsider.items.filter((c) => c.new.id === id).length, 0, 'the outsider must not see it');
    assert.equal(inboxes.eve.items.filter((c) => c.new.id === id).length, 0, 'Eve must not see it');
    assert.deepEqual(
      inboxes.eve.items.map((c) => c.new.id),
      [eveSentinel],
      'Eve sees her own conversation only',
    );
    for (const name of ['maria', 'mariaAgain', 'carlos', 'service'] as const) {
      assert.equal(inboxes[name].items.filter((c) => c.new.id === id).length, 1, `${name} gets it once`);
    }
  });

  it("keeps each subscriber's own verdict change after change, once the check's plan is reused", async () => {
    // The check is prepared once per connection and PostgreSQL switches to a reused plan after a
    // few runs: member, outsider, a user in no conversation, anon and service_role, many changes.
    const eve = await stack.createUser({ displayName: 'Eve again' });
    await eve.client.realtime.setAuth();
    const eveConversationId = await createGroup(eve, 'Eve alone again', []);
    const anon = stack.client();
    const inboxes = {
      maria: await subscribeToInserts(maria.client),
      outsider: await subscribeToInserts(outsider.client),
      eve: await subscribeToInserts(eve.client),
      anon: await subscribeToInserts(anon),
      service: await subscribeToInserts(stack.serviceClient()),
    };
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(await send(carlos, conversationId, `round ${i} ${randomUUID()}`));
      // The outsider's own message between: the same plan must say yes to them and no to Maria.
      ids.push(await send(outsider, outsiderConversationId, `outsider round ${i}`));
    }
    const last = ids.at(-1)!;
    const eveSentinel = await send(eve, eveConversationId, 'sentinel');
    await inboxes.maria.next((c) => c.new.id === ids.at(-2), 'the last member message for Maria');
    await inboxes.outsider.next((c) => c.new.id === last, "the outsider's last message");
    await inboxes.eve.next((c) => c.new.id === eveSentinel, "Eve's sentinel");
    await inboxes.service.next((c) => c.new.id === eveSentinel, "service_role's sentinel");

    const received = (name: keyof typeof inboxes) => inboxes[name].items.map((c) => c.new.id);
    const members = ids.filter((_, i) => i % 2 === 0);
    const outsiders = ids.filter((_, i) => i % 2 === 1);
    assert.deepEqual(
      received('maria').filter((id) => ids.includes(id)),
      members,
      'Maria: her conversation, in order',
    );
    assert.deepEqual(
      received('outsider').filter((id) => ids.includes(id)),
      outsiders,
      'the outsider: only his own',
    );
    assert.deepEqual(received('eve'), [eveSentinel], 'Eve: only her own');
    assert.deepEqual(
      received('service').filter((id) => ids.includes(id)),
      ids,
      'service_role: all of them',
    );
    assert.deepEqual(received('anon'), [], 'anon: nothing');
  });
});
