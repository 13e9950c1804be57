/**
 * REST under transient database faults, answered as PostgREST answers them (src/PostgREST/Error.hs):
 * a statement timeout (57014) is a 500 with the SQLSTATE; a database refusing connections is a
 * 503 PGRST000 with Retry-After. Each time the next request once the fault is gone succeeds. (A database that is down altogether: test/faults/stack-replication.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startTestStack, type TestStack } from '../support/stack.js';

describe('REST transient faults', () => {
  let stack: TestStack;
  let admin: pg.Client;
  let database: string;

  before(async () => {
    stack = await startTestStack();
    admin = new pg.Client({ connectionString: stack.databaseUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    database = decodeURIComponent(new URL(stack.databaseUrl).pathname.slice(1));
    // Role settings are read at the first REST request, as PostgREST reads them at start.
    await admin.query(`
      create function public.rt_sleep(seconds double precision) returns void language sql as $$ select pg_sleep(seconds) $$;
      grant execute on function public.rt_sleep(double precision) to anon;
      alter role anon in database ${admin.escapeIdentifier(database)} set statement_timeout = '200ms';
    `);
  });

  after(async () => {
    await admin?.query(`alter role anon in database ${admin.escapeIdentifier(database)} reset statement_timeout`);
    await admin?.query(`alter database ${admin.escapeIdentifier(database)} connection limit -1`).catch(() => undefined);
    await admin?.end();
    await stack?.stop();
  });

  const get = (path: string, key = stack.anonKey) =>
    fetch(`${stack.url}/rest/v1/${path}`, { headers: { apikey: key, authorization: `Bearer ${key}` } });

  async function until<T>(work: () => Promise<T | undefined>, what: string): Promise<T> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const found = await work();
      if (found !== undefined) return found;
      await admin.query('select pg_sleep(0.05)');
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('answers a statement timeout with 500 and SQLSTATE 57014, as PostgREST', async () => {
    const result = await stack.client().rpc('rt_sleep', { seconds: 5 });
    assert.equal(result.status, 500);
    assert.equal(result.error?.code, '57014');
    assert.equal(result.error?.message, 'canceling statement due to statement timeout');
    const next = await get('profiles?select=id&limit=1');
    assert.equal(next.status, 200);
  });

  it('answers a database that refuses connections with 503 PGRST000 and Retry-After', async () => {
    await admin.query(`alter database ${admin.escapeIdentifier(database)} connection limit 0`);
    try {
      // The REST pool's connections are ended, so the next request must open one.
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and usename = 'authenticator'`,
        [database],
      );
      const answers: { status: number; code: string; retryAfter: string | null; details: string }[] = [];
      // An idle connection that has not yet heard of its termination answers 57P01 (also a 503);
      // the first request on a new connection answers PGRST000.
      const refused = await until(async () => {
        const response = await get('profiles?select=id&limit=1');
        const body = (await response.json()) as { code: string; details: string };
        answers.push({
          status: response.status,
          code: body.code,
          retryAfter: response.headers.get('retry-after'),
          details: body.details,
        });
        return body.code === 'PGRST000' ? answers.at(-1) : answers.length >= 5 ? answers.at(-1) : undefined;
      }, 'a refused connection');
      assert.ok(
        answers.every((answer) => answer.status === 503),
        JSON.stringify(answers),
      );
      assert.equal(refused.code, 'PGRST000', JSON.stringify(answers));
      assert.equal(refused.retryAfter, '1');
      assert.match(refused.details, /too many connections/);
    } finally {
      await admin.query(`alter database ${admin.escapeIdentifier(database)} connection limit -1`);
    }
    const next = await get('profiles?select=id&limit=1');
    assert.equal(next.status, 200);
  });
});
