/**
 * Roster benchmark for `<meeting-participants>` (`npm run bench`, see run.ts): main-thread script
 * time in Chromium (CDP `Performance.getMetrics` ScriptDuration) while a wave of n participants
 * joins a meeting, against a bare realtime-js presence subscriber (`channel.on('presence', …)` and
 * nothing else) on the same page for the same wave, at n = 100 and 400.
 *
 * The wave takes the real path: n users (created as the `postgres` role with their profiles, and
 * invited to the meeting, as a host app's backend would) each get their own supabase-js client in
 * Node with their own JWT, call the `join_meeting` RPC (the row's trigger broadcasts it on
 * `meeting:<id>`) and track presence on `meeting:<id>:presence`. The page signs the host in with
 * supabase-js and either mounts the element (which loads and follows the roster, fetches profiles
 * and tracks its own presence) or opens the bare subscriber. Each wave uses a fresh meeting and a
 * fresh page, warmed up by an unmeasured wave of 5 (first-use costs are per page, not per join);
 * the time covers the wave's start until it has arrived and the page has been quiet for a second.
 * BENCH_ROSTER_PROFILE=element (or bare) prints that page's hottest functions (CDP Profiler, self
 * and inclusive time; BENCH_ROSTER_PROFILE_FILE=/tmp/roster-{size}.cpuprofile also saves it for
 * DevTools); BENCH_ROSTER_COUNTS=1 prints each wave's presence-change events, REST requests and
 * renders (with their time).
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { signJwt } from '../../supabase/local/keys.js';
import type { Stack } from '../../supabase/local/server.js';
import { meetingPresenceTopic } from '../../src/connection/topics.js';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'bench-password-123';

export interface RosterBenchResult {
  size: number;
  elementMs: number;
  bareMs: number;
  /** Every run's figure, in run order (the medians above are of these). */
  elementRuns: number[];
  bareRuns: number[];
}

interface Guest {
  id: string;
  token: string;
}

type Bench = Record<string, (...args: unknown[]) => Promise<void>>;

/** `count` users with their profiles, as a host app's backend (the `postgres` role) would create them. */
export async function createUsers(db: pg.Client, count: number, prefix: string, password?: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                             raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            $1 || '.' || i || '.' || extract(epoch from clock_timestamp()) || '@bench.test',
            case when $3::text is null then null else extensions.crypt($3, extensions.gen_salt('bf', 4)) end,
            now(), '{"provider":"email","providers":["email"]}',
            jsonb_build_object('display_name', $1 || ' ' || lpad(i::text, 3, '0')), now(), now()
       from generate_series(1, $2::int) as i
     returning id`,
    [prefix, count, password ?? null],
  );
  return rows.map((row) => row.id);
}

async function emailOf(db: pg.Client, id: string): Promise<string> {
  const { rows } = await db.query<{ email: string }>('select email from auth.users where id = $1', [id]);
  return rows[0]!.email;
}

/** A meeting hosted by `hostId` with `guests` invited, as the host app's backend (service role) would. */
async function createMeeting(db: pg.Client, hostId: string, guests: readonly Guest[]): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.meetings (title, status, host_id) values ('Bench meeting', 'live', $1) returning id`,
    [hostId],
  );
  const meetingId = rows[0]!.id;
  await db.query(
    `insert into public.meeting_participants (meeting_id, user_id, role)
     select $1, unnest($2::uuid[]), 'participant' on conflict do nothing`,
    [meetingId, guests.map((g) => g.id)],
  );
  return meetingId;
}

function guestClient(stack: Stack, token: string): SupabaseClient {
  return createClient(stack.url, stack.anonKey, {
    accessToken: async () => token,
    // Hundreds of sockets join at once on a shared machine: more than realtime-js's 10 s default.
    realtime: { transport: WebSocket as never, timeout: 60_000 },
  });
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** Every guest joins the meeting (RPC) and tracks presence on its presence topic. */
async function wave(stack: Stack, meetingId: string, guests: readonly Guest[]): Promise<SupabaseClient[]> {
  const clients = guests.map((g) => guestClient(stack, g.token));
  await inBatches(guests, 25, async (guest) => {
    const client = clients[guests.indexOf(guest)]!;
    const { error } = await client.rpc('join_meeting', { meeting_id: meetingId });
    if (error) throw new Error(`join_meeting: ${error.message}`);
    const channel = client.channel(meetingPresenceTopic(meetingId), {
      config: { private: true, presence: { key: guest.id } },
    });
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, err) => {
        if (status === 'SUBSCRIBED') resolve();
        else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
      }),
    );
    const tracked = await channel.track({ online_at: new Date().toISOString() });
    if (tracked !== 'ok') throw new Error(`track: ${tracked}`);
  });
  return clients;
}

async function closeAll(clients: SupabaseClient[]) {
  await Promise.all(
    clients.map(async (client) => {
      await client.removeAllChannels();
      client.realtime.disconnect();
    }),
  );
}

export async function benchRoster(
  stack: Stack,
  sizes = [100, 400],
  runs = Number(process.env['BENCH_ROSTER_RUNS'] ?? 3),
): Promise<RosterBenchResult[]> {
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

  const db = new pg.Client({ connectionString: stack.databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  const puppeteer = await import('puppeteer-core');
  const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  const results: RosterBenchResult[] = [];
  try {
    const [hostId] = await createUsers(db, 1, 'Host', PASSWORD);
    const hostEmail = await emailOf(db, hostId!);
    const guestIds = await createUsers(db, Math.max(...sizes), 'Guest');
    const warmUpGuests: Guest[] = await Promise.all(
      (await createUsers(db, 3, 'Early')).map(async (id) => ({
        id,
        token: await signJwt({ role: 'authenticated', sub: id, aud: 'authenticated' }),
      })),
    );
    const guests: Guest[] = await Promise.all(
      guestIds.map(async (id) => ({
        id,
        token: await signJwt({ role: 'authenticated', sub: id, aud: 'authenticated' }),
      })),
    );

    /** One wave into a fresh meeting with the page in `mode`; the page's script time for it. */
    async function measure(mode: 'element' | 'bare', size: number): Promise<number> {
      const wavers = guests.slice(0, size);
      const meetingId = await createMeeting(db, hostId!, wavers);
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
        const open = (id: string, count: number) =>
          mode === 'element' ? call('mountElement', id, count + 1) : call('subscribeBare', id, count, hostId);
        // First-use costs (ICU data for the announcer's list format, template preparation, the
        // first schema parses) are paid once per page, not per join: a small unmeasured wave first,
        // of three, so that its announcement names them (more would be counted, "5 people joined",
        // and leave the list format's first use to the measured wave).
        const warmUpMeeting = await createMeeting(db, hostId!, warmUpGuests);
        await open(warmUpMeeting, warmUpGuests.length);
        const warmUpClients = await wave(stack, warmUpMeeting, warmUpGuests);
        await call('settled', 3500, 60_000);
        await call('unmount');
        await closeAll(warmUpClients);
        await open(meetingId, size);
        const cdp = await page.createCDPSession();
        await cdp.send('Performance.enable');
        const scriptTime = async () => {
          const { metrics } = await cdp.send('Performance.getMetrics');
          return metrics.find((m) => m.name === 'ScriptDuration')!.value * 1000;
        };
        const profile = process.env['BENCH_ROSTER_PROFILE'] === mode;
        if (profile) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
          await cdp.send('Profiler.start');
        }
        await call('counts');
        const before = await scriptTime();
        const clients = await wave(stack, meetingId, wavers);
        await call('settled', 1000, 120_000);
        const spent = (await scriptTime()) - before;
        if (process.env['BENCH_ROSTER_COUNTS']) {
          const counted = (await page.evaluate(() =>
            (globalThis as unknown as { PasabayRosterBench: Bench }).PasabayRosterBench['counts']!(),
          )) as unknown as {
            presenceChanges: number;
            requests: number;
            renders: number;
            renderMs: number;
          };
          console.log(
            `${mode} ${size}: ${counted.presenceChanges} pasabay-presence-change, ${counted.requests} REST requests, ${counted.renders} renders (${counted.renderMs.toFixed(1)} ms)`,
          );
        }
        if (profile) {
          const { profile: p } = await cdp.send('Profiler.stop');
          const file = process.env['BENCH_ROSTER_PROFILE_FILE'];
          if (file) await writeFile(file.replace('{size}', String(size)), JSON.stringify(p));
          const self = new Map<string, number>();
          const dt = new Map<number, number>();
          p.samples!.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas![i] ?? 0)));
          for (const node of p.nodes) {
            const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
            self.set(key, (self.get(key) ?? 0) + (dt.get(node.id) ?? 0));
          }
          for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
            console.log((v / 1000).toFixed(1).padStart(8), k);
          // Inclusive time (self + callees), each function counted once per stack (recursion).
          const byId = new Map(p.nodes.map((node) => [node.id, node]));
          const keyOf = (node: (typeof p.nodes)[number]) =>
            `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
          const parent = new Map<number, number>();
          for (const node of p.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
          const total = new Map<string, number>();
          for (const node of p.nodes) {
            const time = dt.get(node.id) ?? 0;
            if (time === 0) continue;
            const seen = new Set<string>();
            for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
              const key = keyOf(byId.get(id)!);
              if (seen.has(key)) continue;
              seen.add(key);
              total.set(key, (total.get(key) ?? 0) + time);
            }
          }
          console.log('-- inclusive');
          for (const [k, v] of [...total]
            .filter(([k]) => !/^\((root|program|idle|garbage collector)\)/.test(k))
            .sort((a, b) => b[1] - a[1])
            .slice(0, 40))
            console.log((v / 1000).toFixed(1).padStart(8), k);
        }
        await call('unmount');
        await closeAll(clients);
        return spent;
      } finally {
        await page.close();
      }
    }

    for (const size of sizes) {
      const element: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < runs; i++) {
        bare.push(await measure('bare', size));
        element.push(await measure('element', size));
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      results.push({ size, elementMs: median(element), bareMs: median(bare), elementRuns: element, bareRuns: bare });
    }
  } finally {
    await browser.close();
    await db.end();
    await new Promise((resolve) => server.close(resolve));
  }
  return results;
}
