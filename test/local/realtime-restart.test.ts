/**
 * Realtime server restart: two members joined to a private conversation channel; the Realtime
 * server stops and a new one starts on the same port; the unmodified supabase-js clients
 * reconnect and rejoin by themselves and receive the next Broadcast from Database.
 * Realtime runs alone here (own HTTP server over the test database) so it can be restarted
 * without the rest of the stack; users and tokens are made directly in the database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { ANON_KEY, signJwt } from '../../supabase/local/keys.js';
import { Metrics } from '../../supabase/local/metrics.js';
import { createRealtime } from '../../supabase/local/realtime/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';

interface RealtimeServer {
  port: number;
  stop(): Promise<void>;
}

describe('realtime server restart', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let metrics: Metrics;
  let server: RealtimeServer | undefined;
  const clients: SupabaseClient[] = [];
  const conversationId = randomUUID();
  const members = [randomUUID(), randomUUID()];

  async function startRealtimeServer(port: number): Promise<RealtimeServer> {
    const realtime = await createRealtime({ pool, databaseUrl: database.url, metrics });
    const http: Server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      if (path.startsWith('/realtime/v1/')) void realtime.handleHttp(req, res, path.slice('/realtime/v1'.length));
      else res.writeHead(404).end();
    });
    http.on('upgrade', (req, socket, head) => realtime.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    return {
      port: (http.address() as AddressInfo).port,
      async stop() {
        await realtime.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      },
    };
  }

  async function tokenFor(userId: string): Promise<string> {
    return signJwt({ sub: userId, role: 'authenticated', aud: 'authenticated', email: `${userId}@example.test` }, 3600);
  }

  async function asUser<T>(userId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify({ sub: userId, role: 'authenticated' })],
      );
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 10 });
    metrics = new Metrics();
    for (const [index, id] of members.entries()) {
      await pool.query(
        `insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
         values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, $3, '{}', now(), now())`,
        [id, `${id}@example.test`, JSON.stringify({ display_name: `Member ${index + 1}` })],
      );
    }
    await pool.query(
      `insert into public.conversations (id, kind, title, created_by) values ($1, 'group', 'Restart', $2)`,
      [conversationId, members[0]],
    );
    await pool.query(
      `insert into public.conversation_members (conversation_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member')
       on conflict do nothing`,
      [conversationId, members[0], members[1]],
    );
    server = await startRealtimeServer(0);
  });

  after(async () => {
    await Promise.allSettled(clients.map((client) => client.removeAllChannels()));
    for (const client of clients) client.realtime.disconnect();
    await server?.stop();
    await pool?.end();
    await database?.drop();
  });

  it('clients reconnect and rejoin after the server restarts, then receive broadcasts', async () => {
    const port = server!.port;
    const joined: RealtimeChannel[] = [];
    const subscribedCounts = members.map(() => 0);
    const subscribed: ((count: number) => void)[] = [];
    const received: Record<string, unknown>[][] = members.map(() => []);
    const receivedListeners: (() => void)[] = [];

    for (const [index, userId] of members.entries()) {
      const token = await tokenFor(userId);
      const client = createClient(`http://127.0.0.1:${port}`, ANON_KEY, {
        accessToken: async () => token,
        realtime: { transport: WebSocket as never, heartbeatIntervalMs: 1000 },
      });
      clients.push(client);
      const channel = client
        .channel(`conversation:${conversationId}`, { config: { private: true } })
        .on('broadcast', { event: 'message' }, (message) => {
          received[index]!.push(message.payload as Record<string, unknown>);
          receivedListeners.forEach((listener) => listener());
        });
      channel.subscribe((status) => {
        if (status === 'SUBSCRIBED') {
          subscribedCounts[index]! += 1;
          subscribed.forEach((listener) => listener(index));
        }
      });
      joined.push(channel);
    }
    const allSubscribed = (times: number) =>
      waitFor<void>(
        (resolve) => {
          const check = () => subscribedCounts.every((count) => count >= times) && resolve();
          subscribed.push(check);
          check();
        },
        `both channels subscribed ${times} time(s)`,
        20_000,
      );
    await allSubscribed(1);

    await server!.stop();
    server = await startRealtimeServer(port);
    await allSubscribed(2);
    assert.ok(joined.every((channel) => channel.state === 'joined'));

    const body = `after restart ${randomUUID()}`;
    const delivered = waitFor<void>(
      (resolve) => {
        const check = () =>
          received.every((list) =>
            list.some((payload) => (payload['record'] as { body?: string } | null)?.body === body),
          ) && resolve();
        receivedListeners.push(check);
      },
      'the message broadcast on both clients',
      20_000,
    );
    await asUser(members[0]!, (client) =>
      client.query(`insert into public.messages (conversation_id, body) values ($1, $2)`, [conversationId, body]),
    );
    await delivered;
    const payload = received[1]!.find((p) => (p['record'] as { body?: string }).body === body)!;
    assert.equal(payload['operation'], 'INSERT');
    assert.equal(payload['table'], 'messages');
  });
});
