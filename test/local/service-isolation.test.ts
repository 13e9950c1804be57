/**
 * Each service connects as its Supabase counterpart does, on its own pool: REST as the
 * non-superuser `authenticator` that can only become anon, authenticated or service_role; Auth
 * as supabase_auth_admin, unaffected by a saturated REST pool; Realtime's authorization with the
 * settings Supabase sets, and Broadcast from Database skipping rows without event or private flag.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealtimeChannel } from '@supabase/supabase-js';
import pg from 'pg';
import { signJwt } from '../../supabase/local/keys.js';
import { startTestStack, type TestStack, type TestUser } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

function subscribe(channel: RealtimeChannel): Promise<string> {
  return waitFor((resolve) => channel.subscribe((status) => resolve(status)), `subscribe ${channel.topic}`);
}

describe('service roles and pools', () => {
  let stack: TestStack;
  let admin: pg.Pool;
  let maria: TestUser;
  let carlos: TestUser;

  before(async () => {
    stack = await startTestStack();
    admin = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
    await admin.query(`
      create function public.slow_query() returns void language sql as $$ select pg_sleep(2.5) $$;
      grant execute on function public.slow_query() to anon;
      create policy "claims topics by request.jwt.claim.sub" on realtime.messages for select to authenticated
        using (realtime.topic() = 'claims:' || current_setting('request.jwt.claim.sub', true)
               and current_setting('request.jwt.claim.role', true) = 'authenticated');
    `);
    maria = await stack.createUser({ displayName: 'Maria' });
    carlos = await stack.createUser({ displayName: 'Carlos' });
    await maria.client.realtime.setAuth();
  });

  after(async () => {
    await admin?.end();
    await stack?.stop();
  });

  async function restAs(role: string) {
    const token = await signJwt({ role, sub: maria.user.id }, 60);
    const response = await fetch(`${stack.url}/rest/v1/profiles?select=id`, {
      headers: { apikey: stack.anonKey, authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('refuses a token whose role is postgres, supabase_admin or any role authenticator is not granted', async () => {
    for (const role of ['postgres', 'supabase_admin', 'supabase_auth_admin', 'pg_read_server_files']) {
      assert.deepEqual(await restAs(role), {
        status: 403,
        body: { code: '42501', details: null, hint: null, message: `permission denied to set role "${role}"` },
      });
    }
    assert.deepEqual(await restAs('nobody'), {
      status: 401,
      body: { code: '22023', details: null, hint: null, message: 'role "nobody" does not exist' },
    });
    assert.equal((await restAs('service_role')).status, 200);
    assert.equal((await restAs('authenticated')).status, 200);
  });

  it('signs in promptly while 24 slow REST queries hold every REST connection', async () => {
    const anon = stack.client();
    // Builders run when awaited: then() sends them now.
    const slow = Array.from({ length: 24 }, () => anon.rpc('slow_query').then((result) => result));
    // Let them reach the database and occupy the REST pool.
    await waitFor<void>((resolve) => {
      const poll = setInterval(() => {
        void admin
          .query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and query like '%slow_query%' and state = 'active' and pid <> pg_backend_pid()`,
          )
          .then(({ rows }) => {
            if (rows[0]!.n >= 20) {
              clearInterval(poll);
              resolve();
            }
          });
      }, 50);
    }, 'the slow queries to run');
    const started = Date.now();
    const { data, error } = await stack
      .client()
      .auth.signInWithPassword({ email: carlos.email, password: carlos.password });
    const elapsed = Date.now() - started;
    assert.equal(error, null);
    assert.ok(data.session);
    console.log(`# sign-in with 24 slow REST queries running: ${elapsed} ms`);
    assert.ok(elapsed < 1_500, `sign-in took ${elapsed} ms`);
    for (const result of await Promise.all(slow)) assert.equal(result.error, null);
  });

  it('runs REST as authenticator, never a superuser', async () => {
    const { rows } = await admin.query<{ usename: string; usesuper: boolean }>(
      `select distinct a.usename, u.usesuper from pg_stat_activity a join pg_user u on u.usename = a.usename
       where a.datname = current_database() and a.usename in ('authenticator', 'supabase_auth_admin')`,
    );
    assert.deepEqual(rows.map((row) => [row.usename, row.usesuper]).sort(), [
      ['authenticator', false],
      ['supabase_auth_admin', false],
    ]);
  });

  it('authorizes private channels with request.jwt.claim.sub and request.jwt.claim.role set', async () => {
    const own = maria.client.channel(`claims:${maria.user.id}`, { config: { private: true } });
    assert.equal(await subscribe(own), 'SUBSCRIBED');
    const other = maria.client.channel(`claims:${carlos.user.id}`, { config: { private: true } });
    assert.equal(await subscribe(other), 'CHANNEL_ERROR');
    await maria.client.removeChannel(other);

    // Rows without event or private flag are not delivered; the sentinel after them is.
    const received: string[] = [];
    let sentinel: () => void = () => undefined;
    own.on('broadcast', { event: '*' }, (message) => {
      received.push(String(message.event));
      if (message.event === 'sentinel') sentinel();
    });
    const arrived = waitFor<void>((resolve) => (sentinel = resolve), 'the sentinel broadcast');
    const topic = `claims:${maria.user.id}`;
    await admin.query(
      `insert into realtime.messages (topic, extension, payload, event, private) values
         ($1, 'broadcast', '{"n":1}', null, true),
         ($1, 'broadcast', '{"n":2}', 'no-private-flag', null)`,
      [topic],
    );
    await admin.query(`select realtime.send('{"n":3}'::jsonb, 'sentinel', $1, true)`, [topic]);
    await arrived;
    assert.deepEqual(received, ['sentinel']);
    await maria.client.removeAllChannels();
  });
});
