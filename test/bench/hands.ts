/**
 * Hands queue benchmark (`npm run bench`, see run.ts): 100 participants of one meeting raise their
 * hand at once (`update_meeting_state(is_hand_raised => true)` through the stack's REST, each as
 * their own user), then the host reads the queue in raised order (`hand_raised_at`), against the
 * same wave muting instead (no hand stamp) and the host reading the roster in joined order. The
 * difference is what the hands queue costs: the trigger stamping `hand_raised_at` and its index.
 * Alternates the two waves, putting hands down and unmuting in between (unmeasured).
 *
 * Users and the meeting are created as the `postgres` role (as a host app's backend would). Runs
 * alone with `npx tsx test/bench/hands.ts`.
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

const PARTICIPANTS = 100;
const ROUNDS = Number(process.env['BENCH_HANDS_ROUNDS'] ?? 7);

export interface HandsBenchResult {
  hands: number[];
  mutes: number[];
}

function clientFor(stack: Stack, token: string): SupabaseClient {
  return createClient(stack.url, stack.anonKey, {
    accessToken: async () => token,
    realtime: { transport: WebSocket as never },
  });
}

async function wave(clients: SupabaseClient[], meetingId: string, state: Record<string, boolean>) {
  const answers = await Promise.all(
    clients.map((client) => client.rpc('update_meeting_state', { meeting_id: meetingId, ...state })),
  );
  const failed = answers.find((answer) => answer.error);
  if (failed) throw new Error(`update_meeting_state: ${failed.error!.message}`);
}

export async function benchHands(stack: Stack): Promise<HandsBenchResult> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const [hostId, ...ids] = await createUsers(db, PARTICIPANTS + 1, 'hands');
    const { rows } = await db.query<{ id: string }>(
      `insert into public.meetings (title, host_id, status) values ('Hands bench', $1, 'live') returning id`,
      [hostId],
    );
    const meetingId = rows[0]!.id;
    await db.query(
      `insert into public.meeting_participants (meeting_id, user_id, role, joined_at)
       select $1, u, 'participant', clock_timestamp() from unnest($2::uuid[]) as u`,
      [meetingId, ids],
    );
    const token = (id: string) => signJwt({ role: 'authenticated', sub: id, aud: 'authenticated' });
    const host = clientFor(stack, await token(hostId!));
    const clients = await Promise.all(ids.map(async (id) => clientFor(stack, await token(id))));
    const read = async (order: 'hand_raised_at' | 'joined_at', expected: number) => {
      let query = host.from('meeting_participants').select('user_id').eq('meeting_id', meetingId);
      if (order === 'hand_raised_at') query = query.eq('is_hand_raised', true);
      const { data, error } = await query.order(order);
      if (error || !data || data.length < expected) throw new Error(`read ${order}: ${error?.message ?? data?.length}`);
    };
    const hands: number[] = [];
    const mutes: number[] = [];
    // One unmeasured round of each warms connections and plans.
    for (let round = 0; round <= ROUNDS; round++) {
      let started = performance.now();
      await wave(clients, meetingId, { is_hand_raised: true });
      await read('hand_raised_at', PARTICIPANTS);
      if (round > 0) hands.push(performance.now() - started);
      await wave(clients, meetingId, { is_hand_raised: false });

      started = performance.now();
      await wave(clients, meetingId, { is_muted: true });
      await read('joined_at', PARTICIPANTS);
      if (round > 0) mutes.push(performance.now() - started);
      await wave(clients, meetingId, { is_muted: false });
    }
    for (const client of [host, ...clients]) client.realtime.disconnect();
    return { hands, mutes };
  } finally {
    await db.end();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bench-hands-'));
  const stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
  try {
    const { hands, mutes } = await benchHands(stack);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `hands-100 ${median(hands).toFixed(1)} ms   baseline (mutes) ${median(mutes).toFixed(1)} ms   ratio ${(median(hands) / median(mutes)).toFixed(2)}`,
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
