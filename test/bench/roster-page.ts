/**
 * The page side of test/bench/roster.ts, bundled into an IIFE (`PasabayRosterBench`): signs the
 * host in with the real supabase-js, then either mounts `<meeting-participants>` on a meeting or
 * opens a bare realtime-js presence subscriber on the meeting's presence topic, and tells when the
 * wave has arrived and gone quiet.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import { meetingPresenceTopic } from '../../src/connection/topics.js';

defineMeetingParticipants();

let client: SupabaseClient | undefined;
let lastEventAt = 0;
let arrived: () => boolean = () => false;
let cleanup: () => Promise<void> = async () => undefined;
/** What the page did since the last `counts()`: presence-change events, REST requests, renders. */
let presenceChanges = 0;
let requests = 0;
let renders = 0;
let renderMs = 0;

export async function signIn(url: string, anonKey: string, email: string, password: string): Promise<void> {
  client = createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: {
      fetch: (...args: Parameters<typeof fetch>) => {
        requests++;
        return fetch(...args);
      },
    },
  });
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`sign-in: ${error.message}`);
}

/** Mounts the element as a page would (12 shown, the rest behind "+N more") and waits until it shows its user. */
export async function mountElement(meetingId: string, expected: number): Promise<void> {
  const el = document.createElement('meeting-participants') as MeetingParticipants;
  el.client = client!;
  el.meetingId = meetingId;
  el.maxVisible = 12;
  // Counts the element's renders (Lit's protected `update`, wrapped on this instance only).
  const lit = el as unknown as { update(changed: unknown): void };
  const update = lit.update.bind(el);
  lit.update = (changed) => {
    renders++;
    const started = performance.now();
    update(changed);
    renderMs += performance.now() - started;
  };
  el.addEventListener('pasabay-presence-change', () => {
    presenceChanges++;
    lastEventAt = performance.now();
  });
  document.body.append(el);
  const started = Date.now();
  while (el.participants.length === 0) {
    if (Date.now() - started > 20_000) throw new Error('the element never showed its user');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  arrived = () => el.participants.length === expected;
  cleanup = async () => el.remove();
}

/** The baseline: the host's own presence subscriber doing nothing but `channel.on('presence', …)`. */
export async function subscribeBare(meetingId: string, expected: number, userId: string): Promise<void> {
  await client!.realtime.setAuth();
  let joins = 0;
  const channel = client!.channel(meetingPresenceTopic(meetingId), {
    config: { private: true, presence: { key: userId } },
  });
  channel.on('presence', { event: 'join' }, () => {
    joins++;
    lastEventAt = performance.now();
  });
  channel.on('presence', { event: 'leave' }, () => (lastEventAt = performance.now()));
  channel.on('presence', { event: 'sync' }, () => (lastEventAt = performance.now()));
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
    }),
  );
  arrived = () => joins >= expected;
  cleanup = async () => {
    await client!.removeChannel(channel);
  };
}

/** Resolves once the wave has arrived and nothing came for `quietMs`. */
export async function settled(quietMs: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  while (!arrived() || performance.now() - lastEventAt < quietMs) {
    if (performance.now() - started > timeoutMs) throw new Error('the wave did not arrive');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The counts since the last call (then starts again from zero). */
export async function counts(): Promise<{
  presenceChanges: number;
  requests: number;
  renders: number;
  renderMs: number;
}> {
  const result = { presenceChanges, requests, renders, renderMs };
  renderMs = 0;
  presenceChanges = 0;
  requests = 0;
  renders = 0;
  return result;
}

export async function unmount(): Promise<void> {
  await cleanup();
}
