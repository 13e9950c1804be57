/**
 * Realtime benches for `npm run bench`, each a ratio against a baseline measured in the same run:
 *
 *   pg-changes-N   commit → frame of an unrelated two-person conversation (Postgres Changes mode)
 *                  while an N-member conversation keeps receiving messages / the same, alone
 *   pg-changes-paced-N  the same while the N-member conversation gets 10 messages a second
 *   rss-conn-N     RSS per idle joined Realtime connection, N connections (stack in a child process)
 *                  / per connection of a bare `ws` server whose clients each sent a phx_join-sized frame
 *   presence-N     one track → presence_diff received by all N members of the room
 *                  / a raw `ws` server sending one same-sized frame to N sockets
 *
 * Load and listeners speak Phoenix vsn 2.0.0 over raw sockets (cheaper than N supabase-js clients
 * on a shared machine); the stack is the real one. In pg-changes the N-member room's listeners and
 * its load run in a child process, so that parsing their N frames per message is not counted
 * against the pair's delivery.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { ANON_KEY, signJwt } from '../../supabase/local/keys.js';
import { startStack, type Stack } from '../../supabase/local/server.js';

type Report = (name: string, samples: number[], baselineSamples: number[], unit?: string) => void;

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 40);
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Server-wide limits a bench exceeds on purpose (many joins at once, sockets idle for minutes). */
const BENCH_ENV = { TENANT_MAX_JOINS_PER_SECOND: '1000000', REALTIME_IDLE_TIMEOUT_MS: '3600000' };

type Frame = [string | null, string | null, string, string, Record<string, unknown>];

/** A Phoenix vsn 2.0.0 socket joined to one channel. */
class Member {
  #listeners = new Set<(frame: Frame) => void>();
  #ref = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(String(data)) as Frame;
      for (const listener of this.#listeners) listener(frame);
    });
  }

  static async open(url: string): Promise<Member> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${ANON_KEY}&vsn=2.0.0`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Member(ws);
  }

  /** Resolves with the first frame matching, from now on. */
  next(predicate: (frame: Frame) => boolean): Promise<Frame> {
    return new Promise((resolve) => {
      const listener = (frame: Frame) => {
        if (!predicate(frame)) return;
        this.#listeners.delete(listener);
        resolve(frame);
      };
      this.#listeners.add(listener);
    });
  }

  on(listener: (frame: Frame) => void): void {
    this.#listeners.add(listener);
  }

  push(topic: string, event: string, payload: Record<string, unknown>, joinRef = '1'): string {
    const ref = String(++this.#ref);
    this.ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    return ref;
  }

  async join(topic: string, payload: Record<string, unknown>, waitFor?: (frame: Frame) => boolean): Promise<void> {
    const extra = waitFor ? this.next(waitFor) : undefined;
    const ref = String(++this.#ref);
    const reply = this.next((f) => f[1] === ref && f[3] === 'phx_reply');
    this.ws.send(JSON.stringify(['1', ref, topic, 'phx_join', payload]));
    const [, , , , answer] = await reply;
    if (answer['status'] !== 'ok') throw new Error(`join ${topic}: ${JSON.stringify(answer)}`);
    await extra;
  }

  close(): void {
    this.ws.terminate();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function connect(url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  return db;
}

async function withStack<T>(work: (stack: Stack) => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(BENCH_ENV).map((name) => [name, process.env[name]]));
  Object.assign(process.env, BENCH_ENV);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bench-realtime-'));
  try {
    const stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
    try {
      return await work(stack);
    } finally {
      await stack.stop();
    }
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Users straight in auth.users (the profile trigger runs), each with a signed access token. */
async function createUsers(admin: pg.Client, count: number): Promise<{ id: string; token: string }[]> {
  const { rows } = await admin.query<{ id: string }>(
    `insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            'bench-' || i || '-' || gen_random_uuid() || '@bench.test', jsonb_build_object('display_name', 'Bench ' || i),
            '{"provider":"email","providers":["email"]}', now(), now()
       from generate_series(1, $1) as i
     returning id`,
    [count],
  );
  return Promise.all(
    rows.map(async ({ id }) => ({
      id,
      token: await signJwt({ role: 'authenticated', sub: id, aud: 'authenticated' }, 3 * 3600),
    })),
  );
}

async function createConversation(admin: pg.Client, memberIds: string[]): Promise<string> {
  const { rows } = await admin.query<{ id: string }>(
    `insert into public.conversations (kind, title, created_by) values ('group', 'Bench', $1) returning id`,
    [memberIds[0]],
  );
  const id = rows[0]!.id;
  await admin.query(
    `insert into public.conversation_members (conversation_id, user_id, role)
     select $1, m, case when m = $2 then 'owner' else 'member' end from unnest($3::uuid[]) as m`,
    [id, memberIds[0], memberIds],
  );
  return id;
}

/** A member listening to its conversation's messages through Postgres Changes; calls back with each id. */
async function pgMember(url: string, token: string, conversationId: string, onId: (id: string) => void) {
  const member = await Member.open(url);
  member.on((frame) => {
    if (frame[3] !== 'postgres_changes') return;
    const record = (frame[4]['data'] as { record?: { id?: string } }).record;
    if (record?.id) onId(record.id);
  });
  await member.join(
    `realtime:pg-${conversationId}-${Math.random().toString(36).slice(2)}`,
    {
      access_token: token,
      config: {
        postgres_changes: [
          { event: '*', schema: 'public', table: 'messages', filter: `conversation_id=eq.${conversationId}` },
        ],
      },
    },
    (f) => f[3] === 'system' && f[4]['message'] === 'Subscribed to PostgreSQL',
  );
  return member;
}

/** Counts receipts of message ids and resolves when one has reached `count` listeners. */
function arrivals() {
  const counts = new Map<string, number>();
  const waiting = new Map<string, { count: number; done: () => void }>();
  return {
    receive(id: string) {
      const count = (counts.get(id) ?? 0) + 1;
      counts.set(id, count);
      const wait = waiting.get(id);
      if (wait && count >= wait.count) {
        waiting.delete(id);
        wait.done();
      }
    },
    reached(id: string, count: number): Promise<void> {
      if ((counts.get(id) ?? 0) >= count) return Promise.resolve();
      return new Promise((done) => waiting.set(id, { count, done }));
    },
  };
}

async function insertMessage(db: pg.Client, conversationId: string, senderId: string): Promise<string> {
  const id = crypto.randomUUID();
  await db.query(`insert into public.messages (id, conversation_id, sender_id, body) values ($1, $2, $3, 'bench')`, [
    id,
    conversationId,
    senderId,
  ]);
  return id;
}

/** (a) The unrelated pair's commit → delivery, alone and while an N-member conversation is busy. */
async function benchPostgresChanges(report: Report, sizes: number[]): Promise<void> {
  await withStack(async (stack) => {
    const admin = await connect(stack.databaseUrl);
    const pairDb = await connect(stack.databaseUrl);
    try {
      const users = await createUsers(admin, 2 + Math.max(...sizes));
      const [alice, bob] = [users[0]!, users[1]!];
      const pairId = await createConversation(admin, [alice.id, bob.id]);
      const pairArrivals = arrivals();
      const pairMembers = [
        await pgMember(stack.url, alice.token, pairId, () => undefined),
        await pgMember(stack.url, bob.token, pairId, (id) => pairArrivals.receive(id)),
      ];
      const pairSample = async () => {
        const id = crypto.randomUUID();
        const start = now();
        await pairDb.query(
          `insert into public.messages (id, conversation_id, sender_id, body) values ($1, $2, $3, 'bench')`,
          [id, pairId, alice.id],
        );
        await pairArrivals.reached(id, 1);
        return now() - start;
      };
      for (let i = 0; i < 5; i++) await pairSample(); // warm-up

      for (const size of sizes) {
        const big = users.slice(2, 2 + size);
        const bigId = await createConversation(
          admin,
          big.map((u) => u.id),
        );
        // The big room's members and its load run in a process of their own: their N sockets parse
        // every frame, which in this process would slow the pair's listener rather than the server.
        const room = await startBusyRoom(stack.url, stack.databaseUrl, bigId, big);

        const alone: number[] = [];
        for (let i = 0; i < ITERATIONS; i++) alone.push(await pairSample());

        /** The pair's deliveries while the big room is loaded (`paceMs` 0: as fast as it can take). */
        const loaded = async (paceMs: number) => {
          await room.load(paceMs);
          const samples: number[] = [];
          for (let i = 0; i < ITERATIONS; i++) {
            await sleep(Math.random() * 20);
            samples.push(await pairSample());
          }
          const delivered = await room.unload();
          if (delivered < 4) throw new Error(`the ${size}-member room delivered only ${delivered} messages`);
          return samples;
        };
        // Saturated: the large conversation always has one message on its way to all its members,
        // so it takes all the CPU it can, however little a message costs.
        report(`pg-changes-${size}`, await loaded(0), alone);
        // Paced: 10 messages a second to all its members, a busy room that leaves the machine room.
        report(`pg-changes-paced-${size}`, await loaded(100), alone);
        await room.close();
      }
      for (const member of pairMembers) member.close();
    } finally {
      await Promise.all([admin.end(), pairDb.end()]);
    }
  });
}

/** (c) One track → presence_diff at all N members, against a raw ws server sending one frame to N sockets. */
async function benchPresence(report: Report, sizes: number[]): Promise<void> {
  await withStack(async (stack) => {
    for (const size of sizes) {
      const topic = `realtime:presence-bench-${size}`;
      const members: Member[] = [];
      for (let i = 0; i < size; i++) {
        const member = await Member.open(stack.url);
        await member.join(topic, { config: { presence: { key: `member-${i}`, enabled: true } } });
        members.push(member);
      }
      const samples: number[] = [];
      let frameBytes = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        // Presence allows 5 calls per 30 s per channel: each iteration tracks from another member.
        const tracker = members[i % size]!;
        const key = `member-${i % size}`;
        const isDiff = (f: Frame) =>
          f[3] === 'presence_diff' &&
          (f[4]['joins'] as Record<string, { metas: { i?: number }[] }>)[key]?.metas[0]?.i === i;
        const received = Promise.all(members.map((m) => m.next(isDiff)));
        const start = now();
        tracker.push(topic, 'presence', { type: 'presence', event: 'track', payload: { i, online_at: Date.now() } });
        const frames = await received;
        samples.push(now() - start);
        frameBytes = JSON.stringify(frames[0]).length;
      }
      const baseline = await rawFanOutSamples(size, frameBytes);
      report(`presence-${size}`, samples, baseline);
      for (const member of members) member.close();
    }
  });
}

async function rawFanOutSamples(size: number, frameBytes: number): Promise<number[]> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const frame = JSON.stringify([null, null, 'realtime:raw', 'presence_diff', { pad: 'x'.repeat(frameBytes) }]);
  wss.on('connection', (socket) =>
    socket.on('message', () => {
      for (const client of wss.clients) client.send(frame);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < size; i++) {
    const socket = new WebSocket(url);
    await new Promise((resolve) => socket.once('open', resolve));
    sockets.push(socket);
  }
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const received = Promise.all(
      sockets.map((s) => new Promise((resolve) => s.once('message', (data) => resolve(JSON.parse(String(data)))))),
    );
    const start = now();
    sockets[i % size]!.send('go');
    await received;
    samples.push(now() - start);
  }
  for (const socket of sockets) socket.terminate();
  wss.close();
  server.close();
  return samples;
}

// ---------------------------------------------------------------------------------------------
// (b) RSS per idle joined connection, measured in a child process.

const CHILD_ENV = 'PASABAY_BENCH_REALTIME_CHILD';

interface ChildHandle {
  url: string;
  rss(): Promise<{ rss: number; heap: number }>;
  stop(): Promise<void>;
}

function startChild(kind: 'stack' | 'ws'): Promise<ChildHandle> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, ...BENCH_ENV, [CHILD_ENV]: kind },
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onRss: ((usage: { rss: number; heap: number }) => void) | undefined;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { url?: string; rss?: number; heap?: number }) => {
      if (message.url)
        resolve({
          url: message.url,
          rss: () =>
            new Promise((done) => {
              onRss = done;
              child.send('rss');
            }),
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.send('stop');
            }),
        });
      else if (message.rss !== undefined) onRss?.({ rss: message.rss, heap: message.heap ?? 0 });
    });
  });
}

async function runChild(kind: string): Promise<void> {
  let url: string;
  let stop: () => Promise<void>;
  if (kind === 'stack') {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bench-rss-'));
    const stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
    url = stack.url;
    stop = async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  } else {
    // A bare ws server: each client sends one frame the size of a phx_join and gets a short reply.
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', () => socket.send('["1","1","phoenix","phx_reply",{}]')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stop = async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close();
    };
  }
  process.on('message', (message) => {
    if (message === 'rss') {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) gc?.();
      setTimeout(() => {
        const usage = process.memoryUsage();
        process.send!({ rss: usage.rss, heap: usage.heapUsed + usage.external });
      }, 200);
    } else if (message === 'stop') {
      void stop().then(() => process.exit(0));
    }
  });
  process.send!({ url });
}

interface BusyRoom {
  /**
   * Starts the load: one message at a time, the next once all members received the last and at
   * least `paceMs` after the last one started.
   */
  load(paceMs: number): Promise<void>;
  /** Stops the load; how many messages reached every member meanwhile. */
  unload(): Promise<number>;
  close(): Promise<void>;
}

/** A child process holding a conversation's members (Postgres Changes listeners) and its load. */
function startBusyRoom(
  url: string,
  databaseUrl: string,
  conversationId: string,
  members: { id: string; token: string }[],
): Promise<BusyRoom> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [CHILD_ENV]: 'busy-room' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: ((message: { delivered?: number }) => void)[] = [];
  child.on('message', (message: { delivered?: number }) => replies.shift()?.(message));
  const ask = (command: string) =>
    new Promise<{ delivered?: number }>((resolve) => {
      replies.push(resolve);
      child.send(command);
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`busy room exited with ${code}`)));
    replies.push(() =>
      resolve({
        load: async (paceMs) => void (await ask(`load:${paceMs}`)),
        unload: async () => (await ask('unload')).delivered ?? 0,
        close: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.send('stop');
          }),
      }),
    );
    child.send({ url, databaseUrl, conversationId, members });
  });
}

async function runBusyRoom(): Promise<void> {
  const setup = await new Promise<{
    url: string;
    databaseUrl: string;
    conversationId: string;
    members: { id: string; token: string }[];
  }>((resolve) => process.once('message', resolve as (message: unknown) => void));
  const db = await connect(setup.databaseUrl);
  const roomArrivals = arrivals();
  const members: Member[] = [];
  for (const member of setup.members)
    members.push(await pgMember(setup.url, member.token, setup.conversationId, (id) => roomArrivals.receive(id)));
  let loading = false;
  let delivered = 0;
  let load: Promise<void> = Promise.resolve();
  process.on('message', (command) => {
    if (typeof command === 'string' && command.startsWith('load:')) {
      const paceMs = Number(command.slice('load:'.length));
      loading = true;
      delivered = 0;
      load = (async () => {
        while (loading) {
          const started = now();
          const sender = setup.members[delivered % setup.members.length]!.id;
          const id = await insertMessage(db, setup.conversationId, sender);
          await roomArrivals.reached(id, members.length);
          delivered += 1;
          const rest = paceMs - (now() - started);
          if (rest > 0) await sleep(rest);
        }
      })();
      // Answers once the load is under way (two messages through).
      void (async () => {
        while (delivered < 2) await sleep(5);
        process.send!({});
      })();
    } else if (command === 'unload') {
      loading = false;
      void load.then(() => process.send!({ delivered }));
    } else if (command === 'stop') {
      for (const member of members) member.close();
      void db.end().then(() => process.exit(0));
    }
  });
  process.send!({});
}

async function openIdle(kind: 'stack' | 'ws', url: string, index: number): Promise<WebSocket> {
  const token = ANON_KEY;
  const join = JSON.stringify([
    '1',
    '1',
    `realtime:idle-${index}`,
    'phx_join',
    { access_token: token, config: { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false } } },
  ]);
  const ws =
    kind === 'stack'
      ? new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${ANON_KEY}&vsn=2.0.0`)
      : new WebSocket(url.replace(/^http/, 'ws'));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise((resolve) => ws.once('message', resolve));
  ws.send(join);
  await reply;
  return ws;
}

async function benchConnectionMemory(report: Report, sizes: number[]): Promise<void> {
  const perConnection: Record<'stack' | 'ws', number[]> = { stack: [], ws: [] };
  for (const kind of ['stack', 'ws'] as const) {
    const child = await startChild(kind);
    const sockets: WebSocket[] = [];
    // A few connections first, so one-off allocations (first join, JIT) are not counted.
    for (let i = 0; i < 10; i++) sockets.push(await openIdle(kind, child.url, i));
    const base = await child.rss();
    for (const size of sizes) {
      while (sockets.length < size + 10) {
        const batch = [];
        for (let i = 0; i < 50 && sockets.length + batch.length < size + 10; i++)
          batch.push(openIdle(kind, child.url, sockets.length + batch.length));
        sockets.push(...(await Promise.all(batch)));
      }
      await sleep(500);
      const usage = await child.rss();
      perConnection[kind].push((usage.rss - base.rss) / size / 1024);
      console.log(
        `${''.padEnd(18)} (${kind} ${size}: JS heap + external ${((usage.heap - base.heap) / size / 1024).toFixed(2)} KiB per connection)`,
      );
    }
    for (const socket of sockets) socket.terminate();
    await child.stop();
  }
  sizes.forEach((size, index) =>
    report(`rss-conn-${size}`, [perConnection.stack[index]!], [perConnection.ws[index]!], 'KiB'),
  );
}

/** All three; `npm run bench` calls this from run.ts. */
export async function benchRealtime(report: Report): Promise<void> {
  const only = process.env['BENCH_REALTIME']?.split(',');
  if (!only || only.includes('pg-changes')) await benchPostgresChanges(report, [10, 100, 300]);
  if (!only || only.includes('rss')) await benchConnectionMemory(report, [100, 1000]);
  if (!only || only.includes('presence')) await benchPresence(report, [10, 100, 1000]);
}

const childKind = process.env[CHILD_ENV];
if (childKind === 'busy-room') void runBusyRoom();
else if (childKind) void runChild(childKind);
else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  // Standalone: `npx tsx test/bench/realtime.ts` (BENCH_REALTIME=pg-changes,rss,presence to pick).
  const standaloneReport: Report = (name, samples, baseline, unit = 'ms') => {
    const m = median(samples);
    const b = median(baseline);
    console.log(
      `${name.padEnd(18)} ${m.toFixed(2).padStart(9)} ${unit}   baseline ${b.toFixed(2).padStart(8)} ${unit}   ratio ${(m / b).toFixed(2)}`,
    );
  };
  benchRealtime(standaloneReport).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
