/**
 * Meeting-room benchmarks (`npm run bench`, see run.ts), each against a baseline in the same run:
 *
 *   reaction-fanout-100   send_meeting_reaction (REST → realtime.send → replication → private
 *                         fan-out) until all 100 participants got it
 *                         / channel.send on a public topic until 100 bare realtime-js receivers got it
 *   roster-converge-100   100 joiners (join_meeting + presence track) until <meeting-participants>
 *                         in Chromium lists all of them
 *                         / the same wave until a bare realtime-js presence subscriber saw 100 joins
 *
 * Every participant is a user of its own with its own client and socket (within the stack's
 * per-user Realtime budgets). Reactions rotate over the senders so no one meets the rate limit.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { signJwt } from '../../supabase/local/keys.js';
import type { Stack } from '../../supabase/local/server.js';
import { meetingPresenceTopic, meetingTopic } from '../../src/connection/topics.js';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';
import { createUsers } from './roster.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'bench-password-123';
const PARTICIPANTS = 100;

type Report = (name: string, samples: number[], baselineSamples: number[], unit?: string) => void;
type Bench = Record<string, (...args: unknown[]) => Promise<void>>;

interface Participant {
  id: string;
  client: SupabaseClient;
}

function clientFor(stack: Stack, token?: string): SupabaseClient {
  return createClient(stack.url, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(token ? { accessToken: async () => token } : {}),
    // A hundred sockets join at once on a shared machine: more than realtime-js's 10 s default.
    realtime: { transport: WebSocket as never, timeout: 60_000 },
  });
}

async function participants(stack: Stack, db: pg.Client, count: number, prefix: string): Promise<Participant[]> {
  const ids = await createUsers(db, count, prefix);
  return Promise.all(
    ids.map(async (id) => ({
      id,
      client: clientFor(stack, await signJwt({ role: 'authenticated', sub: id, aud: 'authenticated' })),
    })),
  );
}

/** A live meeting hosted by `hostId` with `guests` invited, as a host app's backend would make it. */
async function meetingOf(db: pg.Client, hostId: string, guests: readonly string[]): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.meetings (title, status, host_id) values ('Bench meeting', 'live', $1) returning id`,
    [hostId],
  );
  await db.query(
    `insert into public.meeting_participants (meeting_id, user_id, role)
     select $1, unnest($2::uuid[]), 'participant' on conflict do nothing`,
    [rows[0]!.id, guests],
  );
  return rows[0]!.id;
}

function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
    }),
  );
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

async function closeAll(clients: SupabaseClient[]) {
  await Promise.all(
    clients.map(async (client) => {
      await client.removeAllChannels();
      client.realtime.disconnect();
    }),
  );
}

/** Resolves when `count` receivers have reported `tag`; the time since `start`. */
class Arrivals {
  #counts = new Map<string, number>();
  #waiters = new Map<string, { count: number; resolve: () => void }>();

  arrived(tag: string) {
    const count = (this.#counts.get(tag) ?? 0) + 1;
    this.#counts.set(tag, count);
    const waiter = this.#waiters.get(tag);
    if (waiter && count >= waiter.count) {
      this.#waiters.delete(tag);
      waiter.resolve();
    }
  }

  all(tag: string, count: number): Promise<void> {
    if ((this.#counts.get(tag) ?? 0) >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.set(tag, { count, resolve }));
  }
}

async function benchReactionFanout(stack: Stack, db: pg.Client, report: Report, iterations: number) {
  const [host] = await participants(stack, db, 1, 'Reaction host');
  const guests = await participants(stack, db, PARTICIPANTS, 'Reactor');
  const meetingId = await meetingOf(
    db,
    host!.id,
    guests.map((g) => g.id),
  );
  const reactions = new Arrivals();
  await inBatches(guests, 25, async (guest) => {
    const channel = guest.client.channel(meetingTopic(meetingId), { config: { private: true } });
    channel.on('broadcast', { event: 'live_reaction' }, (message) => {
      const reaction = (message['payload'] as { reaction?: string }).reaction;
      if (reaction) reactions.arrived(reaction);
    });
    await subscribed(channel);
  });

  // The baseline: the same number of bare receivers of a client broadcast on a public topic.
  const bare = Array.from({ length: PARTICIPANTS }, () => clientFor(stack));
  const pings = new Arrivals();
  const bareTopic = `bench-reactions-${meetingId}`;
  await inBatches(bare, 25, async (client) => {
    const channel = client.channel(bareTopic);
    channel.on('broadcast', { event: 'ping' }, (message) => pings.arrived(String(message['payload']['tag'])));
    await subscribed(channel);
  });
  const pinger = clientFor(stack);
  const pingChannel = pinger.channel(bareTopic);
  await subscribed(pingChannel);

  const sample = async (send: (tag: string) => Promise<void>, arrivals: Arrivals, tag: string) => {
    const start = performance.now();
    const all = arrivals.all(tag, PARTICIPANTS);
    await send(tag);
    await all;
    return performance.now() - start;
  };
  const reactionSamples: number[] = [];
  const bareSamples: number[] = [];
  for (let i = 0; i < iterations + 2; i++) {
    // Senders rotate over the participants: each stays far below the per-user rate limit.
    const sender = guests[i % guests.length]!;
    const reaction = await sample(
      async (tag) => {
        const { error } = await sender.client.rpc('send_meeting_reaction', { meeting_id: meetingId, reaction: tag });
        if (error) throw new Error(`send_meeting_reaction: ${error.message}`);
      },
      reactions,
      `r${i}`,
    );
    const ping = await sample(
      async (tag) => {
        const sent = await pingChannel.send({ type: 'broadcast', event: 'ping', payload: { tag } });
        if (sent !== 'ok') throw new Error(`ping: ${sent}`);
      },
      pings,
      `p${i}`,
    );
    // The first two warm the paths up.
    if (i >= 2) {
      reactionSamples.push(reaction);
      bareSamples.push(ping);
    }
  }
  report(`reaction-fanout-${PARTICIPANTS}`, reactionSamples, bareSamples);
  await closeAll([host!.client, ...guests.map((g) => g.client), ...bare, pinger]);
}

async function benchRosterConvergence(stack: Stack, db: pg.Client, report: Report) {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [path.join(ROOT, 'test/bench/roster-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'PasabayRosterBench',
    target: 'es2022',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html lang="en"><body></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const puppeteer = await import('puppeteer-core');
  const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  try {
    const [hostId] = await createUsers(db, 1, 'Converge host', PASSWORD);
    const { rows } = await db.query<{ email: string }>('select email from auth.users where id = $1', [hostId]);
    const hostEmail = rows[0]!.email;
    const runs = Number(process.env['BENCH_CONVERGE_RUNS'] ?? 3);

    /** One wave of fresh joiners into a fresh meeting; ms from its start until the page lists them all. */
    const measure = async (mode: 'element' | 'bare'): Promise<number> => {
      const joiners = await participants(stack, db, PARTICIPANTS, `Joiner ${mode}`);
      const meetingId = await meetingOf(
        db,
        hostId!,
        joiners.map((j) => j.id),
      );
      const page = await browser.newPage();
      try {
        await page.goto(`${origin}/`);
        await page.addScriptTag({ url: '/bench.js' });
        const call = (name: string, ...args: unknown[]) =>
          page.evaluate(
            (fn, fnArgs) => (globalThis as unknown as { PasabayRosterBench: Bench }).PasabayRosterBench[fn]!(...fnArgs),
            name,
            args,
          );
        await call('signIn', stack.url, stack.anonKey, hostEmail, PASSWORD);
        if (mode === 'element') await call('mountElement', meetingId, PARTICIPANTS + 1);
        else await call('subscribeBare', meetingId, PARTICIPANTS, hostId);
        const start = performance.now();
        // Polled every 100 ms by the page, the same for both modes.
        const converged = call('settled', 0, 120_000).then(() => performance.now() - start);
        await inBatches(joiners, 25, async (joiner) => {
          const { error } = await joiner.client.rpc('join_meeting', { meeting_id: meetingId });
          if (error) throw new Error(`join_meeting: ${error.message}`);
          const channel = joiner.client.channel(meetingPresenceTopic(meetingId), {
            config: { private: true, presence: { key: joiner.id } },
          });
          await subscribed(channel);
          const tracked = await channel.track({ online_at: new Date().toISOString() });
          if (tracked !== 'ok') throw new Error(`track: ${tracked}`);
        });
        const took = await converged;
        await call('unmount');
        await closeAll(joiners.map((j) => j.client));
        return took;
      } finally {
        await page.close();
      }
    };

    const element: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await measure('bare'));
      element.push(await measure('element'));
    }
    report(`roster-converge-${PARTICIPANTS}`, element, bare);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

export async function benchMeetingLive(stack: Stack, report: Report, iterations: number): Promise<void> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  try {
    await benchReactionFanout(stack, db, report, iterations);
    await benchRosterConvergence(stack, db, report);
  } finally {
    await db.end();
  }
}
