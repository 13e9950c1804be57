/**
 * Postgres Changes filters accept only the comparison operators (eq, neq, lt, lte, gt, gte, in).
 * A pattern filter used to run for every change of the table on the one dispatch path, so one
 * subscriber's catastrophic regular expression stalled delivery to everybody.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RealtimeChannel } from '@supabase/supabase-js';
import pg from 'pg';
import {
  createGroup,
  setOpenToContact,
  signUpOnRealtime,
  startTestStack,
  type TestStack,
  type TestUser,
} from '../support/stack.js';
import { waitFor } from '../support/wait.js';

interface SystemPayload {
  status?: string;
  message?: string;
}

/** Joins a Postgres Changes channel and resolves with its first postgres_changes system message. */
async function subscribeChanges(
  user: TestUser,
  filter: string,
  onChange: (change: Record<string, unknown>) => void = () => undefined,
): Promise<{ channel: RealtimeChannel; system: SystemPayload }> {
  let reportSystem: (payload: SystemPayload) => void = () => undefined;
  const system = waitFor<SystemPayload>((resolve) => (reportSystem = resolve), `system reply for ${filter}`);
  const channel = user.client
    .channel(`pg-${randomUUID()}`)
    .on('postgres_changes', { event: '*', schema: 'public', table: 'messages', filter }, (change) =>
      onChange(change as unknown as Record<string, unknown>),
    )
    .on('system', {}, (payload: SystemPayload & { extension?: string }) => {
      if (payload.extension === 'postgres_changes') reportSystem(payload);
    });
  const status = await waitFor<string>((resolve) => channel.subscribe((s) => resolve(s)), `join with ${filter}`);
  assert.equal(status, 'SUBSCRIBED');
  return { channel, system: await system };
}

describe('Postgres Changes filter operators', () => {
  let stack: TestStack;
  let maria: TestUser;
  let carlos: TestUser;
  let attacker: TestUser;
  let conversationId: string;

  before(async () => {
    stack = await startTestStack();
    [maria, carlos, attacker] = await signUpOnRealtime(stack, 'Maria', 'Carlos', 'Attacker');
    // Carlos is open to contact, so Maria may add him (public.can_reach); the attacker stays a stranger.
    await setOpenToContact(carlos);
    conversationId = await createGroup(maria, 'Filters', [carlos]);
  });

  after(async () => {
    await stack?.stop();
  });

  it('refuses pattern operators at join with Realtime\'s "Error parsing `filter` params" reply', async () => {
    const catastrophic = String.raw`(a*)(a*)(a*)\3\2\1x`;
    for (const [filter, expected] of [
      [`body=match.${catastrophic}`, `Error parsing \`filter\` params: ["match", ${JSON.stringify(catastrophic)}]`],
      [`body=imatch.${catastrophic}`, `Error parsing \`filter\` params: ["imatch", ${JSON.stringify(catastrophic)}]`],
      ['body=like.%a%', 'Error parsing `filter` params: ["like", "%a%"]'],
      ['body=not.ilike.%a%', 'Error parsing `filter` params: ["ilike", "%a%"]'],
      ['body=is.null', 'Error parsing `filter` params: ["is", "null"]'],
      ['conversation_id=in.1,2', 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses'],
    ]) {
      const { system } = await subscribeChanges(attacker, filter!);
      assert.deepEqual({ status: system.status, message: system.message }, { status: 'error', message: expected });
    }
    await attacker.client.removeAllChannels();
  });

  it('accepts every comparison operator', async () => {
    for (const filter of [
      `conversation_id=eq.${conversationId}`,
      `conversation_id=neq.${conversationId}`,
      'created_at=lt.2100-01-01',
      'created_at=lte.2100-01-01',
      'created_at=gt.2000-01-01',
      'created_at=gte.2000-01-01',
      `conversation_id=in.(${conversationId},${randomUUID()})`,
      `conversation_id=not.eq.${randomUUID()}`,
    ]) {
      const { system } = await subscribeChanges(carlos, filter);
      assert.deepEqual(
        { status: system.status, message: system.message },
        {
          status: 'ok',
          message: 'Subscribed to PostgreSQL',
        },
      );
    }
    await carlos.client.removeAllChannels();
  });

  it('sends a DELETE on an RLS table as Realtime does: not RLS-checked, old record reduced to the primary key', async () => {
    const admin = new pg.Client({ connectionString: stack.databaseUrl });
    await admin.connect();
    try {
      await admin.query(`
        create table public.pc_notes (id uuid primary key, owner uuid not null, secret text not null);
        alter table public.pc_notes replica identity full;
        alter table public.pc_notes enable row level security;
        create policy "own notes" on public.pc_notes for select to authenticated using (owner = auth.uid());
        grant select on public.pc_notes to authenticated;
        alter publication supabase_realtime add table public.pc_notes;
      `);
      const received = new Map<string, Record<string, unknown>[]>();
      const subscribeDeletes = async (user: TestUser, filter: string) => {
        const changes: Record<string, unknown>[] = [];
        received.set(user.user.id, changes);
        let system: (payload: SystemPayload) => void = () => undefined;
        const ready = waitFor<SystemPayload>((resolve) => (system = resolve), 'Subscribed to PostgreSQL');
        const channel = user.client
          .channel(`pg-${randomUUID()}`)
          .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'pc_notes', filter }, (change) =>
            changes.push(change as unknown as Record<string, unknown>),
          )
          .on('system', {}, (payload: SystemPayload & { extension?: string }) => {
            if (payload.extension === 'postgres_changes') system(payload);
          });
        await waitFor<string>((resolve) => channel.subscribe((status) => resolve(status)), 'join');
        assert.equal((await ready).status, 'ok');
      };
      const id = randomUUID();
      await admin.query(`insert into public.pc_notes values ($1, $2, 's3cret')`, [id, maria.user.id]);
      await subscribeDeletes(maria, `id=eq.${id}`);
      await subscribeDeletes(attacker, 'secret=eq.s3cret');
      await admin.query(`delete from public.pc_notes where id = $1`, [id]);
      for (const user of [maria, attacker]) {
        const changes = received.get(user.user.id)!;
        await waitFor<void>((resolve) => {
          const poll = setInterval(() => {
            if (changes.length > 0) {
              clearInterval(poll);
              resolve();
            }
          }, 20);
        }, 'the delete');
        assert.deepEqual(changes[0]!['old'], { id }, 'only the primary key, never owner or secret');
        assert.deepEqual(changes[0]!['new'], {});
      }
    } finally {
      await admin.end();
      await maria.client.removeAllChannels();
      await attacker.client.removeAllChannels();
    }
  });

  it('delivers to other subscribers without delay while a catastrophic filter was attempted', async () => {
    await subscribeChanges(attacker, String.raw`body=match.(a*)(a*)(a*)\3\2\1x`);
    const arrivals = new Map<string, number>();
    let notify: () => void = () => undefined;
    const { system } = await subscribeChanges(carlos, `conversation_id=eq.${conversationId}`, (change) => {
      arrivals.set((change['new'] as { id: string }).id, Date.now());
      notify();
    });
    assert.equal(system.status, 'ok');

    // Back-references make PostgreSQL's regex engine search this body for about 4 s (4000 a's: hours),
    // during which the old dispatch path held every subscriber's changes.
    const id = randomUUID();
    const sentAt = Date.now();
    const { error } = await maria.client
      .from('messages')
      .insert({ id, conversation_id: conversationId, body: `${'a'.repeat(600)}x` });
    assert.equal(error, null, error?.message);
    await waitFor<void>((resolve) => {
      notify = () => arrivals.has(id) && resolve();
      notify();
    }, 'the change for the other subscriber');
    const latencyMs = arrivals.get(id)! - sentAt;
    console.log(`# delivery with a refused catastrophic filter present: ${latencyMs} ms`);
    assert.ok(latencyMs < 2_000, `delivered after ${latencyMs} ms`);
    await carlos.client.removeAllChannels();
    await attacker.client.removeAllChannels();
  });
});
