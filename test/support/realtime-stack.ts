/**
 * The Realtime conformance suites' shared setup and tools: a stack with Maria, Carlos and an
 * outsider (Maria and Carlos share a group, a direct conversation and a meeting; the outsider has a
 * group of their own), `test-room:` topics opened to conversation members, supabase-js subscribe
 * helpers, an Inbox for broadcasts, and a RawSocket that speaks Phoenix by hand. Each suite calls
 * useRealtimeStack() in its describe(); the bindings below are live once its before() has run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { RealtimeChannel } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { ANON_KEY } from '../../supabase/local/keys.js';
import { allowClientTopics } from './client-topics.js';
import {
  createGroup,
  setOpenToContact,
  signUpOnRealtime,
  startDirect,
  startTestStack,
  type TestStack,
  type TestUser,
} from './stack.js';
import { waitFor } from './wait.js';

export let stack: TestStack;
export let maria: TestUser;
export let carlos: TestUser;
export let outsider: TestUser;
export let conversationId: string;
export let directId: string;
export let outsiderConversationId: string;
export let meetingId: string;
export const testRoom = () => `test-room:${conversationId}`;

// Realtime waits 5 s before each join error; the refusals below need not.
process.env['CHANNEL_ERROR_BACKOFF_MS'] = '20';

/** Resolves with the first terminal status of a subscribe (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
export function subscribe(channel: RealtimeChannel): Promise<{ status: string; error?: Error }> {
  return waitFor((resolve) => {
    channel.subscribe((status, error) => resolve({ status, error }));
  }, `subscribe ${channel.topic}`);
}

export async function joined(channel: RealtimeChannel): Promise<RealtimeChannel> {
  const { status, error } = await subscribe(channel);
  assert.equal(status, 'SUBSCRIBED', `${channel.topic}: ${status} ${error?.message ?? ''}`);
  return channel;
}

/** Collects broadcast payloads of one event and waits for one matching a predicate. */
export class Inbox<T = Record<string, unknown>> {
  readonly items: T[] = [];
  #waiters: { predicate: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  push = (item: T) => {
    this.items.push(item);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.predicate(item)) return true;
      waiter.resolve(item);
      return false;
    });
  };

  next(predicate: (item: T) => boolean, what: string): Promise<T> {
    const existing = this.items.find(predicate);
    if (existing) return Promise.resolve(existing);
    return waitFor((resolve) => this.#waiters.push({ predicate, resolve }), what);
  }
}

/** A raw WebSocket that speaks Phoenix by hand, for what supabase-js never sends. */
export class RawSocket {
  readonly frames: (string | Buffer)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];
  #ref = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? (data as Buffer) : data.toString());
      this.#waiters.forEach((waiter) => waiter());
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static open(stack: TestStack, query = `apikey=${ANON_KEY}&vsn=2.0.0`): Promise<RawSocket> {
    const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/realtime/v1/websocket?${query}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('error', reject);
    });
  }

  ref(): string {
    this.#ref += 1;
    return String(this.#ref);
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  push(topic: string, event: string, payload: Record<string, unknown>, joinRef: string | null = null): string {
    const ref = this.ref();
    this.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    return ref;
  }

  /** The next text frame (after those already seen) matching the predicate. */
  async message(
    predicate: (frame: [string | null, string | null, string, string, Record<string, unknown>]) => boolean,
    what: string,
  ) {
    const find = () =>
      this.frames
        .filter((frame): frame is string => typeof frame === 'string')
        .map((frame) => JSON.parse(frame) as [string | null, string | null, string, string, Record<string, unknown>])
        .find(predicate);
    return waitFor<[string | null, string | null, string, string, Record<string, unknown>]>((resolve) => {
      const check = () => {
        const found = find();
        if (found) resolve(found);
      };
      this.#waiters.push(check);
      check();
    }, what);
  }

  reply(ref: string) {
    return this.message((frame) => frame[1] === ref && frame[3] === 'phx_reply', `reply to ${ref}`);
  }

  async heartbeat(): Promise<void> {
    const ref = this.push('phoenix', 'heartbeat', {});
    const reply = await this.reply(ref);
    assert.deepEqual(reply[4], { status: 'ok', response: {} });
  }

  close(): void {
    this.ws.close();
  }
}

export function useRealtimeStack(): void {
  before(async () => {
    stack = await startTestStack();
    [maria, carlos, outsider] = await signUpOnRealtime(stack, 'Maria', 'Carlos', 'Outsider');
    // Carlos is open to contact while Maria adds him; once they share a conversation he stays reachable.
    await setOpenToContact(carlos);
    conversationId = await createGroup(maria, 'Trip', [carlos]);
    directId = await startDirect(maria, carlos);
    await setOpenToContact(carlos, false);
    outsiderConversationId = await createGroup(outsider, 'Alone', []);
    const meeting = await maria.client
      .from('meetings')
      .insert({ title: 'Sync', status: 'scheduled' })
      .select('id')
      .single<{ id: string }>();
    assert.equal(meeting.error, null, meeting.error?.message);
    meetingId = meeting.data!.id;
    const invited = await maria.client.rpc('invite_to_meeting', { meeting_id: meetingId, user_ids: [carlos.user.id] });
    assert.equal(invited.error, null, invited.error?.message);
    await allowClientTopics(stack.databaseUrl, 'test-room:');
  });

  after(async () => {
    await stack?.stop();
  });
}

/** Inserts a message as `user`; returns its id. */
export async function send(user: TestUser, conversation: string, body: string): Promise<string> {
  const id = randomUUID();
  const { error } = await user.client.from('messages').insert({ id, conversation_id: conversation, body });
  assert.equal(error, null, error?.message);
  return id;
}
