/**
 * db-fanout: what one chat message costs as the room grows, at 10 / 100 / 1,000 members.
 *
 *   rows     realtime.messages rows one message writes (counted before / after; target ≤ 2)
 *   wal      WAL bytes one committed message writes (pg_current_wal_lsn() before / after)
 *   insert   INSERT + COMMIT of a message as its sender (role, claims)   / the same into a bare table without triggers
 *   deliver  COMMIT → the last member's socket has the frame             / a bare `ws` server sending that frame to as many sockets
 *
 * Members listen with raw WebSockets speaking the Phoenix protocol (supabase-js clients by the
 * thousand do not fit on a shared 2-core machine), each joined to the private conversation topic
 * with its own token, as the element does. Users, the conversation and its members are written
 * directly in SQL: only the message itself goes the way the app sends it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { ANON_KEY, signJwt } from '../../supabase/local/keys.js';
import type { Stack } from '../../supabase/local/server.js';

type Report = (name: string, samples: number[], baselineSamples: number[], unit?: string) => void;

const SIZES = [10, 100, 1_000];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const now = () => performance.now();

/** One member's raw socket: Phoenix vsn 1.0.0 frames, a heartbeat, and the message ids it received. */
class MemberSocket {
  readonly #ws: WebSocket;
  #ref = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  onMessage: ((id: string, frame: string) => void) | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  static async open(url: string): Promise<MemberSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${ANON_KEY}&vsn=1.0.0`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new MemberSocket(ws);
  }

  join(topic: string, token: string): Promise<void> {
    const ref = String(++this.#ref);
    const joined = new Promise<void>((resolve, reject) => {
      const onFrame = (data: WebSocket.RawData) => {
        const frame = JSON.parse(data.toString()) as {
          ref: string | null;
          event: string;
          payload: { status?: string };
        };
        if (frame.ref !== ref || frame.event !== 'phx_reply') return;
        this.#ws.off('message', onFrame);
        if (frame.payload.status === 'ok') resolve();
        else reject(new Error(`join ${topic}: ${JSON.stringify(frame.payload)}`));
      };
      this.#ws.on('message', onFrame);
    });
    this.#ws.send(
      JSON.stringify({
        topic: `realtime:${topic}`,
        event: 'phx_join',
        ref,
        join_ref: ref,
        payload: {
          config: {
            broadcast: { self: false, ack: false },
            presence: { key: '' },
            postgres_changes: [],
            private: true,
          },
          access_token: token,
        },
      }),
    );
    this.#ws.on('message', (data) => {
      const text = data.toString();
      const frame = JSON.parse(text) as {
        event: string;
        payload: { event?: string; payload?: { record?: { id?: string } } };
      };
      const id =
        frame.event === 'broadcast' && frame.payload.event === 'message'
          ? frame.payload.payload?.record?.id
          : undefined;
      if (id) this.onMessage?.(id, text);
    });
    this.#heartbeat = setInterval(
      () =>
        this.#ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: String(++this.#ref) })),
      20_000,
    );
    return joined;
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.#ws.close();
  }
}

/** Resolves when `count` receipts of `id` arrived, with the time of the last. */
function arrivals() {
  const counts = new Map<string, number>();
  const waiting = new Map<string, { count: number; done: (at: number) => void }>();
  let frame = '';
  return {
    get frame() {
      return frame;
    },
    receive(id: string, text: string) {
      frame = text;
      const count = (counts.get(id) ?? 0) + 1;
      counts.set(id, count);
      const wait = waiting.get(id);
      if (wait && count >= wait.count) {
        waiting.delete(id);
        wait.done(now());
      }
    },
    last(id: string, count: number): Promise<number> {
      return new Promise((done) => waiting.set(id, { count, done }));
    },
  };
}

/** The same frame from a bare `ws` server to `count` sockets: send start → last socket has it (and parsed it). */
async function bareFanoutSamples(count: number, frame: string, iterations: number): Promise<number[]> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let received = 0;
  let done: (() => void) | undefined;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.on('message', (data) => {
      JSON.parse(data.toString());
      if (++received === count) done?.();
    });
    sockets.push(socket);
  }
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    received = 0;
    const all = new Promise<void>((resolve) => (done = resolve));
    const start = now();
    for (const client of wss.clients) client.send(frame);
    await all;
    samples.push(now() - start);
  }
  for (const socket of sockets) socket.close();
  wss.close();
  server.close();
  return samples;
}

async function connect(url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  return db;
}

export async function benchDbFanout(stack: Stack, report: Report, iterations: number): Promise<void> {
  const admin = await connect(stack.databaseUrl);
  const senderDb = await connect(stack.databaseUrl);
  await admin.query(`update public.rate_limits set max_per_minute = 1000000 where action = 'message'`);
  await admin.query(`create table if not exists public.bench_bare_messages (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null,
    sender_id uuid not null,
    body text not null,
    created_at timestamptz not null default now()
  )`);
  const summary: { size: number; rows: number; wal: number; insert: number; deliver: number }[] = [];

  for (const size of SIZES) {
    const runs = size >= 1_000 ? Math.min(iterations, 15) : Math.min(iterations, 30);
    const { rows: users } = await admin.query<{ id: string }>(
      `insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
                               created_at, updated_at, is_anonymous)
       select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
              'fanout-' || $1::int || '-' || n || '-' || floor(random() * 1e9)::bigint || '@bench.test',
              '{"provider": "email", "providers": ["email"]}', jsonb_build_object('display_name', 'Member ' || n),
              now(), now(), false
       from generate_series(1, $1::int) as n
       returning id`,
      [size],
    );
    const ids = users.map((user) => user.id);
    const sender = ids[0]!;
    const { rows: created } = await admin.query<{ id: string }>(
      `insert into public.conversations (kind, title, created_by) values ('group', $1, $2) returning id`,
      [`Fanout ${size}`, sender],
    );
    const conversationId = created[0]!.id;
    await admin.query(
      `insert into public.conversation_members (conversation_id, user_id, role)
       select $1, u, case when u = $2 then 'owner' else 'member' end from unnest($3::uuid[]) as u`,
      [conversationId, sender, ids],
    );
    const claims = JSON.stringify({ sub: sender, role: 'authenticated', aud: 'authenticated' });

    /** One message as PostgREST would run it; returns the INSERT + COMMIT time. */
    const sendOne = async (table: 'messages' | 'bench_bare_messages', id: string, beforeCommit?: () => void) => {
      await senderDb.query('begin');
      await senderDb.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [claims],
      );
      if (table === 'bench_bare_messages') await senderDb.query('set local role none');
      const start = now();
      await senderDb.query(
        `insert into public.${table} (id, conversation_id, sender_id, body) values ($1, $2, $3, 'bench')`,
        [id, conversationId, sender],
      );
      beforeCommit?.();
      await senderDb.query('commit');
      return now() - start;
    };

    // rows and WAL of one message, averaged over a few.
    const probes = 5;
    const count = async () => Number((await admin.query('select count(*) from realtime.messages')).rows[0].count);
    const lsn = async () =>
      (await admin.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn;
    const rowsBefore = await count();
    const walBefore = await lsn();
    for (let i = 0; i < probes; i++) await sendOne('messages', crypto.randomUUID());
    const walAfter = await lsn();
    const rowsPerMessage = ((await count()) - rowsBefore) / probes;
    const walBytes =
      Number(
        (await admin.query('select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn) as bytes', [walAfter, walBefore])).rows[0]
          .bytes,
      ) / probes;

    // INSERT time against a bare insert.
    const insertSamples: number[] = [];
    const bareSamples: number[] = [];
    for (let i = 0; i < runs; i++) {
      insertSamples.push(await sendOne('messages', crypto.randomUUID()));
      bareSamples.push(await sendOne('bench_bare_messages', crypto.randomUUID()));
    }

    // Delivery to every member over real WebSockets.
    const received = arrivals();
    const sockets: MemberSocket[] = [];
    const topic = `conversation:${conversationId}`;
    for (let i = 0; i < ids.length; i += 50) {
      const batch = await Promise.all(
        ids.slice(i, i + 50).map(async (id) => {
          const socket = await MemberSocket.open(stack.url);
          await socket.join(topic, await signJwt({ sub: id, role: 'authenticated', aud: 'authenticated' }));
          socket.onMessage = (messageId, frame) => received.receive(messageId, frame);
          return socket;
        }),
      );
      sockets.push(...batch);
    }
    const deliverSamples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const id = crypto.randomUUID();
      let committed = 0;
      const last = received.last(id, ids.length);
      await sendOne('messages', id, () => (committed = now()));
      deliverSamples.push((await last) - committed);
    }
    for (const socket of sockets) socket.close();
    const bareDeliverSamples = await bareFanoutSamples(ids.length, received.frame, runs);

    console.log(
      `db-fanout-${size}`.padEnd(18) +
        ` ${rowsPerMessage.toFixed(1).padStart(9)} realtime.messages rows / message   ${(walBytes / 1024).toFixed(1)} KiB WAL / message`,
    );
    report(`insert-${size}`, insertSamples, bareSamples);
    report(`deliver-${size}`, deliverSamples, bareDeliverSamples);
    summary.push({
      size,
      rows: rowsPerMessage,
      wal: walBytes,
      insert: median(insertSamples) / median(bareSamples),
      deliver: median(deliverSamples) / median(bareDeliverSamples),
    });
  }

  const first = summary[0]!;
  const last = summary[summary.length - 1]!;
  console.log(
    `${'db-fanout'.padEnd(18)} from ${first.size} to ${last.size} members: rows ×${(last.rows / first.rows).toFixed(2)}, ` +
      `WAL ×${(last.wal / first.wal).toFixed(2)}, insert ratio ${first.insert.toFixed(2)} → ${last.insert.toFixed(2)}, ` +
      `deliver ratio ${first.deliver.toFixed(2)} → ${last.deliver.toFixed(2)}`,
  );
  await admin.query('drop table public.bench_bare_messages');
  await Promise.all([admin.end(), senderDb.end()]);
}
