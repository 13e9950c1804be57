/**
 * One busy room must not starve the others (`npm run bench`, see run.ts): the REST round trip of a
 * quiet two-person conversation (reads of its last 50 messages and, one in five, a new message,
 * through supabase-js) while
 * 40 members of a 143-member group each send a message every ~2.1 s (about 28 a minute, under the
 * per-user limit of 30), as a ratio to the same round trip with the stack idle.
 *
 * Users, the group and the pair are created as the `postgres` role (as a host app's backend
 * would); every request then goes through the stack as its user, with a JWT signed by the stack's
 * secret. Runs alone with `npx tsx test/bench/busy-room.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { signJwt } from '../../supabase/local/keys.js';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { createUsers } from './roster.js';

const ROOM_MEMBERS = 143;
const SENDERS = 40;
const SEND_EVERY_MS = 2_100;
const LOAD_MS = Number(process.env['BENCH_BUSY_ROOM_MS'] ?? 20_000);
const IDLE_SAMPLES = 40;
const SAMPLE_EVERY_MS = 250;

export interface BusyRoomResult {
  idle: number[];
  loaded: number[];
  roomMessages: number;
  roomErrors: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function clientFor(stack: Stack, token: string): SupabaseClient {
  return createClient(stack.url, stack.anonKey, {
    accessToken: async () => token,
    realtime: { transport: WebSocket as never },
  });
}

async function createConversation(db: pg.Client, kind: string, members: string[]): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.conversations (kind, title, created_by) values ($1, 'Bench', $2) returning id`,
    [kind, members[0]],
  );
  const id = rows[0]!.id;
  await db.query(
    `insert into public.conversation_members (conversation_id, user_id, role)
     select $1, user_id, case when ord = 1 then 'owner' else 'member' end
       from unnest($2::uuid[]) with ordinality as m(user_id, ord)`,
    [id, members],
  );
  return id;
}

/**
 * One request of the quiet pair, timed: the last 50 messages, and every fifth time a new message
 * (paced by the caller so that the pair stays far under its own send limit).
 */
async function pairRequest(client: SupabaseClient, conversationId: string, n: number): Promise<number> {
  const started = performance.now();
  if (n % 5 === 0) {
    const sent = await client.from('messages').insert({ conversation_id: conversationId, body: `pair ${n}` });
    if (sent.error) throw new Error(`pair send failed: ${sent.error.message}`);
  } else {
    const read = await client
      .from('messages')
      .select('id, body, created_at')
      .eq('conversation_id', conversationId)
      .order('created_at', { ascending: false })
      .limit(50);
    if (read.error) throw new Error(`pair read failed: ${read.error.message}`);
  }
  return performance.now() - started;
}

export async function benchBusyRoom(stack: Stack): Promise<BusyRoomResult> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const room = await createUsers(db, ROOM_MEMBERS, 'room');
    const pair = await createUsers(db, 2, 'pair');
    const roomId = await createConversation(db, 'group', room);
    const pairId = await createConversation(db, 'direct', pair);
    const token = (id: string) => signJwt({ role: 'authenticated', sub: id, aud: 'authenticated' });
    const pairClients = await Promise.all(pair.map(async (id) => clientFor(stack, await token(id))));
    const senders = await Promise.all(room.slice(0, SENDERS).map(async (id) => clientFor(stack, await token(id))));

    let n = 0;
    const sample = async () => {
      const next = performance.now() + SAMPLE_EVERY_MS;
      const ms = await pairRequest(pairClients[n % 2]!, pairId, n++);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      return ms;
    };
    for (let i = 0; i < 5; i += 1) await sample(); // warm-up: pools, plans, JWT cache
    const idle: number[] = [];
    for (let i = 0; i < IDLE_SAMPLES / 2; i += 1) idle.push(await sample());

    let roomMessages = 0;
    let roomErrors = 0;
    let running = true;
    const senderLoops = senders.map(async (client, index) => {
      // Spread the senders over the interval so the load is steady, not 40 at once.
      await new Promise((resolve) => setTimeout(resolve, (SEND_EVERY_MS * index) / SENDERS));
      while (running) {
        const next = performance.now() + SEND_EVERY_MS;
        const { error } = await client.from('messages').insert({ conversation_id: roomId, body: 'busy' });
        if (error) roomErrors += 1;
        else roomMessages += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      }
    });
    const loaded: number[] = [];
    const until = performance.now() + LOAD_MS;
    await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS)); // every sender under way
    while (performance.now() < until) loaded.push(await sample());
    running = false;
    await Promise.all(senderLoops);
    for (let i = 0; i < IDLE_SAMPLES / 2; i += 1) idle.push(await sample());
    for (const client of [...pairClients, ...senders]) await client.removeAllChannels();
    return { idle, loaded, roomMessages, roomErrors };
  } finally {
    await db.end();
  }
}

export function describeBusyRoom(result: BusyRoomResult): string {
  const idle = median(result.idle);
  const loaded = median(result.loaded);
  return (
    `busy-room: quiet pair's REST round trip p50 ${loaded.toFixed(1)} ms under load vs ${idle.toFixed(1)} ms idle ` +
    `(ratio ${(loaded / idle).toFixed(2)}; ${result.loaded.length} requests; the ${ROOM_MEMBERS}-member room stored ` +
    `${result.roomMessages} messages, ${result.roomErrors} refused)`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.env['GOTRUE_RATE_LIMIT_OTP'] ??= '100000';
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bench-busy-'));
  const stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
  try {
    console.log(describeBusyRoom(await benchBusyRoom(stack)));
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
