/**
 * `npm run bench`: performance as ratios against baselines measured in the same run, because these
 * machines are shared and noisy. Each line: what was measured, its median, the baseline's median,
 * and the ratio (lower is better). Nothing here asserts a threshold.
 *
 *   rest-select      supabase-js select of 50 messages through our REST   / the same SQL, role and claims on pg directly
 *   db-broadcast     INSERT committed → frame received by another member  / a NOTIFY in the same transaction → its listener
 *   client-broadcast channel.send → received by the peer                  / a raw WebSocket echo on loopback
 *   fanout-20        one INSERT → received by all 20 member clients       / → received by 1 member client
 *   render-10000     <pasabay-chat> first render of 10,000 messages       / of 100 messages (Chromium)
 *   roster-100/400   <meeting-participants> script time in a join wave    / a bare realtime-js presence subscriber, same wave (Chromium;
 *                    3 runs each, BENCH_ROSTER_RUNS)
 *   bundle           script bundles' gzip -9 sizes (all-in-one, per element, shared chunks)    / Lit + supabase-js alone
 *   busy-room-pair   a quiet pair's REST requests while 40 of 143 members send   / the same requests, stack idle
 *   insert-/deliver-N  INSERT and delivery to the last of N members, N = 10/100/1,000 (db-fanout.ts; also rows and WAL per message)
 *   pg-changes-N     a pair's delivery behind an N-member room (saturated, and -paced- at 10 messages/s) / alone;
 *                    rss-conn-N, presence-N (realtime.ts)
 *   list-*-5000      conversation_list() for a user with 5,000 conversations / with 50 (conversation-list.ts)
 *   history-page-10000, catch-up-10000 (-stale / -analyzed)  the first history page and the three catch-up
 *                    reads at 10,000 messages / at 100, statistics stale and fresh (history-reads.ts)
 *   reaction-fanout-100  send_meeting_reaction → all 100 participants    / channel.send → 100 bare receivers (meeting-live.ts)
 *   roster-converge-100  100 joiners until <meeting-participants> lists them  / until a bare presence subscriber saw them
 *   parse-rich/-hostile  message formatting: everyday bodies / linkify alone; hostile bodies / everyday (rich-text.ts)
 *   hands-100        100 hands raised at once + the host reads the queue   / 100 mutes + the roster read (hands.ts)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';
import { allowClientTopics } from '../support/client-topics.js';
import { benchRealtime } from './realtime.js';
import { benchDbFanout } from './db-fanout.js';
import { bundleSizes } from './bundle.js';
import { benchBusyRoom } from './busy-room.js';
import { benchRoster } from './roster.js';
import { benchConversationList } from './conversation-list.js';
import { benchHistoryReads } from './history-reads.js';
import { benchMeetingLive } from './meeting-live.js';
import { benchRichText } from './rich-text.js';
import { benchHands } from './hands.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 40);

interface Row {
  name: string;
  median: number;
  baseline: number;
  unit: string;
}

const rows: Row[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const now = () => performance.now();

function report(name: string, samples: number[], baselineSamples: number[], unit = 'ms') {
  const row = { name, median: median(samples), baseline: median(baselineSamples), unit };
  rows.push(row);
  console.log(
    `${name.padEnd(18)} ${row.median.toFixed(2).padStart(9)} ${unit}   baseline ${row.baseline.toFixed(2).padStart(8)} ${unit}   ratio ${(row.median / row.baseline).toFixed(2)}`,
  );
}

function client(stack: Stack, key = stack.anonKey): SupabaseClient {
  return createClient(stack.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}

async function signUp(stack: Stack, name: string) {
  const c = client(stack);
  const { data, error } = await c.auth.signUp({
    email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${Date.now()}.${Math.random().toString(36).slice(2)}@bench.test`,
    password: 'bench-password-123',
    options: { data: { display_name: name } },
  });
  if (error || !data.user || !data.session) throw new Error(`sign-up: ${error?.message}`);
  return { client: c, id: data.user.id, token: data.session.access_token };
}

function subscribe(c: SupabaseClient, topic: string, onMessage: (id: string) => void): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    const channel = c.channel(topic, { config: { private: true } });
    channel.on('broadcast', { event: 'message' }, (message) => {
      const record = (message['payload'] as { record?: { id?: string } }).record;
      if (record?.id) onMessage(record.id);
    });
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve(channel);
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
    });
  });
}

/** Receipt times of each message id across all subscribers. */
function receipts() {
  const times = new Map<string, number[]>();
  const waiting = new Map<string, { count: number; done: () => void }>();
  return {
    receive(id: string) {
      const list = times.get(id) ?? [];
      list.push(now());
      times.set(id, list);
      const wait = waiting.get(id);
      if (wait && list.length >= wait.count) {
        waiting.delete(id);
        wait.done();
      }
    },
    /** Resolves with the receipt times once `count` subscribers have the message. */
    async all(id: string, count: number): Promise<number[]> {
      if ((times.get(id)?.length ?? 0) < count) await new Promise<void>((done) => waiting.set(id, { count, done }));
      return times.get(id)!;
    },
  };
}

async function benchStack(stack: Stack): Promise<void> {
  const admin = await connect(stack.databaseUrl);
  // The bench sends far more messages than a person would: lift that per-user rate limit on this
  // throwaway database (messages are the only rate-limited action it takes).
  const lifted = await admin.query(`update public.rate_limits set max_per_minute = 1000000 where action = 'message'`);
  if (lifted.rowCount !== 1) throw new Error('public.rate_limits has no message limit to lift');
  // Clients may not broadcast on the app's topics; client-broadcast uses a topic of its own.
  await allowClientTopics(stack.databaseUrl, 'bench-room:');

  const sender = await signUp(stack, 'Sender');
  const members = [];
  for (let i = 0; i < 20; i++) members.push(await signUp(stack, `Member ${i}`));
  // Members open their profiles to contact, so the sender may add them (public.can_reach).
  for (const member of members) {
    const { error: openError } = await member.client
      .from('profiles')
      .update({ open_to_contact: true })
      .eq('id', member.id);
    if (openError) throw new Error(`open_to_contact: ${openError.message}`);
  }
  const { data: conversation, error } = await sender.client
    .rpc('create_group_conversation', { title: 'Bench', member_ids: members.map((m) => m.id) })
    .single<{ id: string }>();
  if (error || !conversation) throw new Error(`create_group_conversation: ${error?.message}`);
  const conversationId = conversation.id;

  // rest-select: 50 messages of history, sent the way the app sends them.
  for (let i = 0; i < 60; i++) {
    const { error: insertError } = await sender.client
      .from('messages')
      .insert({ conversation_id: conversationId, body: `history ${i}` });
    if (insertError) throw new Error(insertError.message);
  }
  const claims = JSON.stringify({ sub: sender.id, role: 'authenticated' });
  const restSamples: number[] = [];
  const sqlSamples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    let start = now();
    const { error: selectError } = await sender.client
      .from('messages')
      .select('id, sender_id, body, created_at')
      .eq('conversation_id', conversationId)
      .order('created_at', { ascending: false })
      .limit(50);
    if (selectError) throw new Error(selectError.message);
    restSamples.push(now() - start);
    start = now();
    await admin.query('begin');
    await admin.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
      claims,
    ]);
    await admin.query(
      `select id, sender_id, body, created_at from public.messages where conversation_id = $1 order by created_at desc limit 50`,
      [conversationId],
    );
    await admin.query('rollback');
    sqlSamples.push(now() - start);
  }
  report('rest-select', restSamples, sqlSamples);

  // db-broadcast and fanout-20: every member subscribes to the conversation topic.
  const arrivals = receipts();
  for (const member of members) {
    await member.client.realtime.setAuth(member.token);
    await subscribe(member.client, `conversation:${conversationId}`, (id) => arrivals.receive(id));
  }
  const senderDb = await connect(stack.databaseUrl);
  // Baseline in the same transaction: a NOTIFY, PostgreSQL's own commit-time delivery to a listener.
  const listener = await connect(stack.databaseUrl);
  await listener.query('listen pasabay_bench');
  const notified = new Map<string, number>();
  listener.on('notification', (message) => notified.set(message.payload ?? '', now()));
  const firstSamples: number[] = [];
  const allSamples: number[] = [];
  const notifySamples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const id = crypto.randomUUID();
    // As PostgREST would run it: the sender's role and claims; the clock starts at COMMIT.
    await senderDb.query('begin');
    await senderDb.query(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
      [claims],
    );
    await senderDb.query(`insert into public.messages (id, conversation_id, body) values ($1, $2, 'bench')`, [
      id,
      conversationId,
    ]);
    await senderDb.query(`select pg_notify('pasabay_bench', $1)`, [id]);
    const start = now();
    await senderDb.query('commit');
    const times = await arrivals.all(id, members.length);
    while (!notified.has(id)) await new Promise((resolve) => setImmediate(resolve));
    notifySamples.push(notified.get(id)! - start);
    firstSamples.push(Math.min(...times) - start);
    allSamples.push(Math.max(...times) - start);
  }
  report('db-broadcast', firstSamples, notifySamples);
  report('fanout-20', allSamples, firstSamples);

  // client-broadcast: member 0 → member 1 over a topic clients may write to, against a raw WebSocket echo.
  const roomTopic = `bench-room:${conversationId}`;
  let onPeer: (() => void) | undefined;
  const peer = members[1]!.client.channel(roomTopic, { config: { private: true } });
  peer.on('broadcast', { event: 'typing' }, () => onPeer?.());
  await new Promise<void>((resolve, reject) =>
    peer.subscribe((status, err) =>
      status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(err) : undefined,
    ),
  );
  const speaker = members[0]!.client.channel(roomTopic, { config: { private: true } });
  await new Promise<void>((resolve, reject) =>
    speaker.subscribe((status, err) =>
      status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(err) : undefined,
    ),
  );
  const broadcastSamples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const received = new Promise<void>((resolve) => (onPeer = resolve));
    const start = now();
    await speaker.send({
      type: 'broadcast',
      event: 'typing',
      payload: { user_id: members[0]!.id, display_name: 'M', typing: true },
    });
    await received;
    broadcastSamples.push(now() - start);
  }
  const echoSamples = await rawEchoSamples();
  report('client-broadcast', broadcastSamples, echoSamples);

  await Promise.all([...members, sender].map((m) => m.client.removeAllChannels()));
  for (const m of [...members, sender]) m.client.realtime.disconnect();
  await Promise.all([admin.end(), senderDb.end(), listener.end()]);
}

async function rawEchoSamples(): Promise<number[]> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await new Promise((resolve) => socket.once('open', resolve));
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = now();
    const received = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ i }));
    await received;
    samples.push(now() - start);
  }
  socket.close();
  wss.close();
  server.close();
  return samples;
}

async function benchRender(): Promise<void> {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [path.join(ROOT, 'test/bench/render-history.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'PasabayBench',
    target: 'es2022',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
  });
  const puppeteer = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 900 });
    await page.setContent('<!doctype html><html lang="en"><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const runs = Number(process.env['BENCH_RENDER_RUNS'] ?? 5);
    const large: number[] = [];
    const small: number[] = [];
    let rendered = 0;
    for (let i = 0; i < runs; i++) {
      const result = await page.evaluate(async () => {
        const bench = (
          globalThis as unknown as {
            PasabayBench: {
              runRenderHistoryBenchmark(): Promise<{
                baseline: { firstRenderMs: number };
                large: { firstRenderMs: number; renderedMessages: number };
              }>;
            };
          }
        ).PasabayBench;
        return bench.runRenderHistoryBenchmark();
      });
      large.push(result.large.firstRenderMs);
      small.push(result.baseline.firstRenderMs);
      rendered = result.large.renderedMessages;
    }
    report('render-10000', large, small);
    console.log(`${''.padEnd(18)} (${rendered} message elements in the DOM for 10,000 messages)`);
  } finally {
    await browser.close();
  }
}

/** A pg client whose connection dropping at shutdown is not an unhandled error. */
async function connect(url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  return db;
}

async function main(): Promise<void> {
  console.log(`# Pasabay bench: ${ITERATIONS} iterations per measure, medians; ratio = measure / baseline\n`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bench-'));
  const stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
  try {
    await benchStack(stack);
    await benchDbFanout(stack, report, ITERATIONS);
    const busy = await benchBusyRoom(stack);
    report('busy-room-pair', busy.loaded, busy.idle);
    for (const result of await benchRoster(stack)) {
      report(`roster-${result.size}`, result.elementRuns, result.bareRuns);
    }
    await benchConversationList(stack, report, ITERATIONS);
    await benchHistoryReads(stack, report, ITERATIONS);
    await benchMeetingLive(stack, report, ITERATIONS);
    const hands = await benchHands(stack);
    report('hands-100', hands.hands, hands.mutes);
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  await benchRender();
  await benchRichText(report, ITERATIONS);
  await benchRealtime(report);
  const sizes = await bundleSizes();
  const kib = (bytes: number) => bytes / 1024;
  report('bundle-all', [kib(sizes.allInOne)], [kib(sizes.floor)], 'KiB');
  for (const [name, bytes] of Object.entries(sizes.perElement))
    report(`bundle-${name}`, [kib(bytes)], [kib(sizes.floor)], 'KiB');
  console.log(
    `${''.padEnd(18)} (gzip -9; baseline: Lit + supabase-js createClient alone; per element: its bundle and every chunk it loads)`,
  );
  // Not counted above: what each element loads later, on first use (a language, the chat's attachments, its @ picker).
  for (const [name, lazy] of Object.entries(sizes.lazy)) {
    const list = Object.entries(lazy).map(([file, bytes]) => `${path.basename(file)} ${kib(bytes).toFixed(1)}`);
    console.log(`${`lazy-${name}`.padEnd(18)} on demand, KiB: ${list.join(', ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
