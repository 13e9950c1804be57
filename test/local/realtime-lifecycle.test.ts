/**
 * The life of the stack's database connections around Realtime: the replication backend killed
 * under a running stack (the stack keeps serving and the change stream comes back on a new
 * temporary slot), and a normal stop (every backend gone and no slot left by the time stop()
 * resolves, nothing logged, so dropping the database terminates nobody).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient, type RealtimeChannel } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { createTestDatabase } from '../support/database.js';
import {
  setOpenToContact,
  signUpOnRealtime,
  startDirect,
  startTestStack,
  type TestStack,
  type TestUser,
} from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/** A superuser connection to the test database, for looking at its backends and slots. */
async function connectAdmin(url: string): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: url });
  admin.on('error', () => undefined);
  await admin.connect();
  return admin;
}

/** Polls the database until `sql` returns a row; the row is the answer. */
async function until<T extends pg.QueryResultRow>(
  admin: pg.Client,
  sql: string,
  params: unknown[],
  what: string,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await admin.query<T>(sql, params);
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await admin.query('select pg_sleep(0.02)');
  }
}

/** True when this process may signal that pid: the database runs on this machine. */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// confirmed_flush_lsn is set once the new slot has reached its consistent point: a commit during
// slot creation (slower while other sessions hold long transactions) would not be streamed.
const REPLICATION_BACKEND = `select slot_name, active_pid from pg_replication_slots
  where database = current_database() and active_pid is not null and active_pid <> $1
    and confirmed_flush_lsn is not null`;

describe('realtime replication connection', () => {
  let stack: TestStack;
  let admin: pg.Client;
  let maria: TestUser;
  let carlos: TestUser;
  let conversationId: string;

  before(async () => {
    stack = await startTestStack();
    admin = await connectAdmin(stack.databaseUrl);
    [maria, carlos] = await signUpOnRealtime(stack, 'Maria', 'Carlos');
    // Carlos is open to contact, so Maria may start a conversation with him (public.can_reach).
    await setOpenToContact(carlos);
    conversationId = await startDirect(maria, carlos);
  });

  after(async () => {
    await admin?.end();
    await stack?.stop();
  });

  async function send(body: string): Promise<string> {
    const id = randomUUID();
    const { error } = await maria.client.from('messages').insert({ id, conversation_id: conversationId, body });
    assert.equal(error, null, error?.message);
    return id;
  }

  it('survives pg_terminate_backend on the walsender: the stack keeps serving and later changes arrive', async () => {
    const changes: string[] = [];
    const broadcasts: string[] = [];
    const listeners: (() => void)[] = [];
    const heard = () => listeners.forEach((listener) => listener());
    const received = (id: string) =>
      waitFor<void>((resolve) => {
        const check = () => changes.includes(id) && broadcasts.includes(id) && resolve();
        listeners.push(check);
        check();
      }, `message ${id} through Postgres Changes and Broadcast from Database`);

    const pgSubscribed = waitFor<void>((resolve) => {
      carlos.client
        .channel(`pg-${randomUUID()}`)
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'messages', filter: `conversation_id=eq.${conversationId}` },
          (change) => {
            changes.push((change.new as { id: string }).id);
            heard();
          },
        )
        .on('system', {}, (payload: { message?: string }) => {
          if (payload.message === 'Subscribed to PostgreSQL') resolve();
        })
        .subscribe();
    }, 'Subscribed to PostgreSQL');
    const room: RealtimeChannel = carlos.client
      .channel(`conversation:${conversationId}`, { config: { private: true } })
      .on('broadcast', { event: 'message' }, (message) => {
        broadcasts.push((message['payload'] as { record: { id: string } }).record.id);
        heard();
      });
    await waitFor<void>((resolve) => room.subscribe((status) => status === 'SUBSCRIBED' && resolve()), 'the room');
    await pgSubscribed;

    const before = await send('before the walsender dies');
    await received(before);

    const walsender = await until<{ active_pid: number }>(admin, REPLICATION_BACKEND, [0], 'the walsender');
    const { rows } = await admin.query<{ terminated: boolean }>('select pg_terminate_backend($1) as terminated', [
      walsender.active_pid,
    ]);
    assert.equal(rows[0]!.terminated, true);

    // The process is alive and serving: REST reads, and the sockets stay joined.
    const read = await carlos.client.from('messages').select('id').eq('id', before);
    assert.equal(read.error, null, read.error?.message);
    assert.deepEqual(read.data, [{ id: before }]);
    assert.equal(room.state, 'joined');

    // Changes committed while no slot exists are lost (the slot is temporary, as on Supabase);
    // once the new walsender holds its slot, every later commit is streamed.
    await until(admin, REPLICATION_BACKEND, [walsender.active_pid], 'a new walsender');
    const later = await send('after the walsender came back');
    await received(later);
    assert.equal(room.state, 'joined');

    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    assert.match(metrics, /pasabay_errors_total\{service="realtime"\} [1-9]/, 'the lost stream is counted as an error');
    await carlos.client.removeAllChannels();
  });
});

describe('stack stop', () => {
  it('leaves no backend and no replication slot once stop() resolves, and logs nothing', async (t) => {
    // startStack itself, not startTestStack, whose stop() also drops the database (which would
    // terminate any backend left over, the very thing to look for).
    const database = await createTestDatabase();
    const admin = await connectAdmin(process.env['PASABAY_TEST_SERVER_URL']!);
    const logged: unknown[][] = [];
    const consoleError = console.error;
    let stack: Stack | undefined;
    try {
      stack = await startStack({ port: 0, databaseUrl: database.url, applySchema: false });
      const client = createClient(stack.url, stack.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        realtime: { transport: WebSocket as never },
      });
      const signUp = await client.auth.signUp({
        email: `stop.${randomUUID()}@example.test`,
        password: 'long enough secret',
      });
      assert.equal(signUp.error, null, signUp.error?.message);
      await client.realtime.setAuth();
      // Several pooled connections at once, as a busy stack has, and a Postgres Changes listener.
      const reads = await Promise.all(Array.from({ length: 12 }, () => client.from('messages').select('id').limit(1)));
      for (const read of reads) assert.equal(read.error, null, read.error?.message);
      await waitFor<void>((resolve) => {
        client
          .channel(`pg-${randomUUID()}`)
          .on('postgres_changes', { event: '*', schema: 'public', table: 'messages' }, () => undefined)
          .on('system', {}, (payload: { message?: string }) => {
            if (payload.message === 'Subscribed to PostgreSQL') resolve();
          })
          .subscribe();
      }, 'Subscribed to PostgreSQL');
      await client.removeAllChannels();
      client.realtime.disconnect();

      // One pooled backend is frozen (SIGSTOP), so it cannot act on its client's Terminate: stop()
      // must still be pending once every other backend is gone, and resolve only after it thaws.
      const name = decodeURIComponent(new URL(database.url).pathname.slice(1));
      const idle = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend' and state = 'idle'`,
        [name],
      );
      const frozen = idle.rows[0]?.pid;
      assert.ok(frozen, 'the pool holds idle connections');
      if (!signalable(frozen)) return t.skip('the database server runs on another machine');
      console.error = (...args: unknown[]) => logged.push(args);
      process.kill(frozen, 'SIGSTOP');
      let stopped = false;
      let stopping: Promise<void>;
      try {
        stopping = stack.stop().then(() => {
          stopped = true;
        });
        await until(
          admin,
          `select 1 from pg_stat_activity where datname = $1 having count(*) filter (where pid <> $2) = 0`,
          [name, frozen],
          'every other backend to exit',
        );
        assert.equal(stopped, false, 'stop() waits for the backend of each pooled connection');
      } finally {
        process.kill(frozen, 'SIGCONT');
      }
      await stopping;
      const backends = await admin.query(
        'select pid, backend_type, state, query from pg_stat_activity where datname = $1',
        [name],
      );
      assert.deepEqual(backends.rows, [], 'no backend of the stack outlives stop()');
      const slots = await admin.query('select slot_name from pg_replication_slots where database = $1', [name]);
      assert.deepEqual(slots.rows, [], 'no replication slot outlives stop()');
      await database.drop();
    } finally {
      console.error = consoleError;
      await stack?.stop();
      await admin.end();
      await database.drop();
    }
    assert.deepEqual(logged, [], 'a normal stop and drop log nothing');
  });
});
