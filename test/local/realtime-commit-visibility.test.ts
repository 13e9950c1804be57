/**
 * A commit reaches the logical replication stream before other sessions can see it: PostgreSQL
 * flushes the commit record (and wakes the walsender) first, and takes the transaction out of the
 * running set afterwards. Postgres Changes checks each row under the subscriber's RLS, so a check
 * made in that gap found no row and dropped a change the subscriber was entitled to (a flaky
 * "timed out waiting for the direct sentinel" under CPU load). Here the gap is held open on
 * purpose: with `synchronous_standby_names` naming a standby that never connects, a committing
 * session waits for it after its commit is in the WAL, invisible to everyone else, until the wait
 * is cancelled. That needs a cluster setting, so this file runs its own throwaway PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { applySchema, startDatabase, type Database } from '../../supabase/local/db.js';
import { COMMIT_VISIBILITY_TAG } from '../../supabase/local/realtime/commit-visibility.js';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { waitFor } from '../support/wait.js';

/** Polls the database until `sql` returns a row; the row is the answer. */
async function until<T extends pg.QueryResultRow>(admin: pg.Client, sql: string, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await admin.query<T>(sql);
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await admin.query('select pg_sleep(0.02)');
  }
}

describe('postgres changes of a commit not yet visible to other sessions', () => {
  let scratch: string;
  let database: Database;
  let admin: pg.Client;
  let stack: Stack;
  const clients: SupabaseClient[] = [];

  async function signUp(name: string): Promise<{ client: SupabaseClient; user: User }> {
    const client = createClient(stack.url, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    });
    clients.push(client);
    const { data, error } = await client.auth.signUp({
      email: `${name}.${process.pid}@example.test`,
      password: 'correct horse battery staple',
      options: { data: { display_name: name } },
    });
    assert.equal(error, null, error?.message);
    await client.realtime.setAuth();
    return { client, user: data.user! };
  }

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'pasabay-commit-visibility-'));
    database = await startDatabase({ dataDir: path.join(scratch, 'postgres'), port: 0, ephemeral: true });
    await applySchema(database.url);
    admin = new pg.Client({ connectionString: database.url });
    admin.on('error', () => undefined);
    await admin.connect();
    // Sessions wait for the standby only with synchronous_commit on: off for everyone by default
    // (so the stack itself never waits), on for the one session that should.
    await admin.query(`alter database postgres set synchronous_commit = local`);
    await admin.query(`alter system set synchronous_standby_names = 'pasabay_absent_standby'`);
    await admin.query('select pg_reload_conf()');
    stack = await startStack({ port: 0, databaseUrl: database.url, applySchema: false });
  });

  after(async () => {
    for (const client of clients) {
      await client.removeAllChannels();
      client.realtime.disconnect();
    }
    await stack?.stop();
    await admin?.end();
    await database?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('delivers the change once the commit becomes visible, to a member whose RLS check must see the row', async () => {
    const maria = await signUp('maria');
    const carlos = await signUp('carlos');
    // Carlos is open to contact, so Maria may start a conversation with him (public.can_reach).
    const opened = await carlos.client.from('profiles').update({ open_to_contact: true }).eq('id', carlos.user.id);
    assert.equal(opened.error, null, opened.error?.message);
    const direct = await maria.client
      .rpc('start_direct_conversation', { other_user_id: carlos.user.id })
      .single<{ id: string }>();
    assert.equal(direct.error, null, direct.error?.message);
    const conversationId = direct.data!.id;

    const bodies: string[] = [];
    const listeners: (() => void)[] = [];
    await waitFor<void>((resolve) => {
      carlos.client
        .channel('pg-direct')
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'messages', filter: `conversation_id=eq.${conversationId}` },
          (change) => {
            bodies.push((change.new as { body: string }).body);
            listeners.forEach((listener) => listener());
          },
        )
        .on('system', {}, (payload: { message?: string }) => {
          if (payload.message === 'Subscribed to PostgreSQL') resolve();
        })
        .subscribe();
    }, 'Subscribed to PostgreSQL');

    // Maria's insert, committed in a session that then waits for the absent standby.
    const committer = new pg.Client({ connectionString: database.url });
    committer.on('error', () => undefined);
    committer.on('notice', () => undefined);
    await committer.connect();
    const body = 'committed, not yet visible';
    try {
      await committer.query('set synchronous_commit = on');
      await committer.query('begin');
      await committer.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify({ sub: maria.user.id, role: 'authenticated' })],
      );
      await committer.query('insert into public.messages (conversation_id, body) values ($1, $2)', [
        conversationId,
        body,
      ]);
      const committed = committer.query('commit');
      const waiting = await until<{ pid: number }>(
        admin,
        `select pid from pg_stat_activity where wait_event = 'SyncRep'`,
        'the commit to wait for the standby',
      );
      const invisible = await admin.query('select 1 from public.messages where body = $1', [body]);
      assert.equal(invisible.rowCount, 0, 'the row is in the WAL but no other session sees it yet');

      // Realtime has the change and holds it until the commit is visible; only then is it released.
      await until(
        admin,
        `select pid from pg_stat_activity where state = 'active' and query like '%${COMMIT_VISIBILITY_TAG}%'
           and pid <> pg_backend_pid()`,
        'Realtime to wait for the commit to become visible',
      );
      const delivered = waitFor<void>((resolve) => {
        const check = () => bodies.includes(body) && resolve();
        listeners.push(check);
        check();
      }, 'the change after its commit became visible');
      await admin.query('select pg_cancel_backend($1)', [waiting.pid]);
      await committed;
      await delivered;
    } finally {
      // A failed run must not leave the session waiting for the standby forever.
      await admin.query(`select pg_cancel_backend(pid) from pg_stat_activity where wait_event = 'SyncRep'`);
      await committer.end();
    }
    assert.deepEqual(bodies, [body]);
  });
});
