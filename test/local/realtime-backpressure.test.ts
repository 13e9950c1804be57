/**
 * Backpressure between the replication stream and dispatch: one Postgres Changes subscriber whose
 * row-level security check is slow (a policy calling a function that sleeps) under a burst of
 * inserts, each its own transaction. The queue of received, undispatched transactions never
 * exceeds its bound (read from the stack's /metrics gauges), reading stopped at least once, and
 * every insert reaches the subscriber, in commit order.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { signUpOnRealtime, startTestStack, type TestStack, type TestUser } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const BOUND = 4;
const INSERTS = 60;
// Read when the stack's Realtime starts.
process.env['REALTIME_REPLICATION_QUEUE'] = String(BOUND);

function gauge(metrics: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics);
  assert.ok(match, `${name} in /metrics`);
  return Number(match[1]);
}

describe('replication backpressure', () => {
  let stack: TestStack;
  let admin: pg.Client;
  let carlos: TestUser;

  before(async () => {
    stack = await startTestStack();
    admin = new pg.Client({ connectionString: stack.databaseUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    await admin.query(`
      create function public.bp_slow() returns boolean language sql volatile as $$ select pg_sleep(0.02) is not null $$;
      create table public.bp_items (id int primary key, body text not null);
      alter table public.bp_items enable row level security;
      create policy "a slow check" on public.bp_items for select to authenticated using (public.bp_slow());
      grant select on public.bp_items to authenticated;
      alter publication supabase_realtime add table public.bp_items;
    `);
    [carlos] = await signUpOnRealtime(stack, 'Carlos');
  });

  after(async () => {
    await admin?.end();
    await stack?.stop();
  });

  it('keeps the queue within its bound under a burst to a slow subscriber, and delivers every change', async () => {
    const received: number[] = [];
    let notify = () => undefined as void;
    await waitFor<void>((resolve) => {
      carlos.client
        .channel(`bp-${randomUUID()}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bp_items' }, (change) => {
          received.push((change.new as { id: number }).id);
          notify();
        })
        .on('system', {}, (payload: { message?: string }) => {
          if (payload.message === 'Subscribed to PostgreSQL') resolve();
        })
        .subscribe();
    }, 'Subscribed to PostgreSQL');

    // One transaction per row, committed far faster than the subscriber's check can follow.
    await admin.query(`do $$ begin
      for i in 1..${INSERTS} loop insert into public.bp_items values (i, 'burst'); commit; end loop;
    end $$`);
    await waitFor<void>(
      (resolve) => {
        notify = () => void (received.length >= INSERTS && resolve());
        notify();
      },
      `all ${INSERTS} inserts delivered`,
      120_000,
    );
    assert.deepEqual(
      received,
      Array.from({ length: INSERTS }, (_, index) => index + 1),
    );

    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    assert.equal(gauge(metrics, 'pasabay_realtime_replication_queue_bound'), BOUND);
    const most = gauge(metrics, 'pasabay_realtime_replication_queue_max');
    assert.ok(most <= BOUND, `at most ${BOUND} transactions waited (${most})`);
    assert.ok(gauge(metrics, 'pasabay_realtime_replication_pauses') >= 1, 'reading stopped while dispatch caught up');
    assert.equal(gauge(metrics, 'pasabay_realtime_replication_queue'), 0);
  });
});
