/**
 * The database under a running stack dies (SIGKILL of its postmaster) and is started again on
 * the same data folder and port. While it is down REST answers 503 (PGRST00x); once it is back,
 * Realtime resumes its persistent slot: broadcasts committed just before the kill and after the
 * restart all reach a plain supabase-js listener, exactly once, in order.
 *
 *   npx tsx --test test/faults/stack-postgres-restart.test.ts
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { applySchema, startDatabase, type Database } from '../../supabase/local/db.js';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { waitFor } from '../support/wait.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('PostgreSQL killed and restarted under a running stack', { timeout: 600_000 }, () => {
  let scratch: string;
  let dataDir: string;
  let port: number;
  let database: Database | undefined;
  let stack: Stack | undefined;
  let admin: pg.Pool;
  let client: SupabaseClient;
  const topic = `restart-room-${randomUUID()}`;
  const received: string[] = [];
  const listeners = new Set<() => void>();

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'pasabay-pg-restart-'));
    dataDir = path.join(scratch, 'postgres');
    port = await freePort();
    database = await startDatabase({ dataDir, port, ephemeral: true });
    await applySchema(database.url);
    stack = await startStack({ port: 0, databaseUrl: database.url, applySchema: false });
    admin = new pg.Pool({ connectionString: database.url, max: 2 });
    admin.on('error', () => undefined);
    client = createClient(stack.url, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    });
  });

  after(async () => {
    await client?.removeAllChannels();
    client?.realtime.disconnect();
    await admin?.end();
    await stack?.stop();
    await database?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  function until(check: () => boolean, what: string): Promise<void> {
    return waitFor<void>(
      (resolve) => {
        const listener = () => {
          if (!check()) return;
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
        listener();
      },
      what,
      120_000,
    );
  }

  /** A public Broadcast from Database, committed on its own. */
  async function send(): Promise<string> {
    const id = randomUUID();
    await admin.query(`select realtime.send(jsonb_build_object('id', $1::text), 'message', $2, false)`, [id, topic]);
    return id;
  }

  it('delivers what was committed before the kill and after the restart, exactly once, in order', async () => {
    await waitFor<void>((resolve) => {
      client
        .channel(topic)
        .on('broadcast', { event: 'message' }, (message) => {
          received.push((message['payload'] as { id: string }).id);
          listeners.forEach((listener) => listener());
        })
        .subscribe((status) => status === 'SUBSCRIBED' && resolve());
    }, 'the channel');

    const committed: string[] = [];
    for (let index = 0; index < 10; index++) committed.push(await send());
    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');

    const down = await fetch(`${stack!.url}/rest/v1/profiles?select=id`, {
      headers: { apikey: stack!.anonKey },
    });
    assert.equal(down.status, 503);
    assert.match(((await down.json()) as { code: string }).code, /^(PGRST00[01]|57P01)$/);

    await database!.stop();
    database = await startDatabase({ dataDir, port, ephemeral: true });
    for (let index = 0; index < 10; index++) {
      // The pool's connections died with the server: the first query may fail once.
      for (let attempt = 0; ; attempt++) {
        try {
          committed.push(await send());
          break;
        } catch (error) {
          if (attempt > 20) throw error;
        }
      }
    }
    await until(() => committed.every((id) => received.includes(id)), 'every committed broadcast');
    const last = await send();
    await until(() => received.includes(last), 'the last broadcast');
    assert.deepEqual(received.slice(0, -1), committed);
  });
});
