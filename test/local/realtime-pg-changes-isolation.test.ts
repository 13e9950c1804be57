/**
 * Postgres Changes: a change whose RLS check is slow (a large conversation's, in practice) must not
 * hold up subscribers whose filters it can never match. Every channel of a table used to queue
 * behind every change of that table, so an unrelated two-person chat waited for a 300-member
 * conversation's checks. Proven by order, not by time: the slow row is committed first, yet the
 * unrelated subscriber gets its later row while the slow check is still running.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { signUpOnRealtime, startTestStack, type TestStack, type TestUser } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('Postgres Changes isolation between filters', () => {
  let stack: TestStack;
  let admin: pg.Client;
  let carlos: TestUser;

  before(async () => {
    stack = await startTestStack();
    admin = new pg.Client({ connectionString: stack.databaseUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    // Rows of room 'slow' take 1.5 s to check; rows of any other room are checked at once.
    await admin.query(`
      create table public.iso_items (id uuid primary key, room text not null, room_id uuid not null, n int not null);
      create function public.iso_check(room text) returns boolean language sql volatile as
        $$ select case when room = 'slow' then pg_sleep(1.5) is not null else true end $$;
      alter table public.iso_items enable row level security;
      create policy "checked per room" on public.iso_items for select to authenticated using (public.iso_check(room));
      grant select on public.iso_items to authenticated;
      alter publication supabase_realtime add table public.iso_items;
    `);
    [carlos] = await signUpOnRealtime(stack, 'Carlos');
  });

  after(async () => {
    await admin?.end();
    await stack?.stop();
  });

  /** Subscribes Carlos to inserts matching `filter`; `arrivals` records each in order of arrival. */
  async function subscribe(filter: string, label: string, arrivals: string[]): Promise<void> {
    await waitFor<void>((resolve) => {
      carlos.client
        .channel(`iso-${randomUUID()}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'iso_items', filter }, () =>
          arrivals.push(label),
        )
        .on('system', {}, (payload: { message?: string }) => {
          if (payload.message === 'Subscribed to PostgreSQL') resolve();
        })
        .subscribe();
    }, `subscribed ${label}`);
  }

  for (const [column, slowValue, quickValue] of [
    ['room', 'slow', 'quick'],
    ['room_id', randomUUID(), randomUUID()],
    ['n', '1', '2'],
  ] as const) {
    it(`delivers another ${column} filter's change while a slow check of the same table runs`, async () => {
      const arrivals: string[] = [];
      await subscribe(`${column}=eq.${slowValue}`, 'slow', arrivals);
      await subscribe(`${column}=eq.${quickValue}`, 'quick', arrivals);
      const insert = (room: string, roomId: string, n: number) =>
        admin.query(`insert into public.iso_items values ($1, $2, $3, $4)`, [randomUUID(), room, roomId, n]);
      const values = (value: string) => ({
        room: column === 'room' ? value : 'slow',
        roomId: column === 'room_id' ? value : randomUUID(),
        n: column === 'n' ? Number(value) : 1,
      });
      const slow = values(slowValue);
      const quick = { ...values(quickValue), room: column === 'room' ? quickValue : 'quick-room' };
      // Only room 'slow' is slow to check; for the uuid and integer cases the slow row is in that room too.
      await insert(slow.room, slow.roomId, slow.n);
      await insert(quick.room, quick.roomId, quick.n);
      await waitFor<void>(
        (resolve) => {
          const timer = setInterval(() => {
            if (arrivals.length === 2) {
              clearInterval(timer);
              resolve();
            }
          }, 20);
        },
        'both changes delivered',
        20_000,
      );
      assert.deepEqual(arrivals, ['quick', 'slow']);
    });
  }
});
