/**
 * Realtime conformance on the local stack with the unmodified supabase-js over real WebSockets and
 * real PostgreSQL: private channels authorized by the RLS policies of the migrations, Broadcast from
 * Database, filtered Postgres Changes with per-subscriber RLS, broadcast self/ack, presence, token
 * refresh and expiry, vsn 1.0.0, the REST broadcast API, limits, and a fuzz pass of bad frames.
 * The app's topics accept no client broadcast (only presence on `meeting:<id>:presence`), so the
 * client-to-client broadcasts travel on `test-room:<conversation id>`, a topic this file's own
 * policies open to the conversation's members, as a project would for its own topics.
 * "Nothing received" is proven with a sentinel that travels the same socket afterwards, never a sleep.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { ANON_KEY, signJwt } from '../../supabase/local/keys.js';
import { encodeUserBroadcastPush } from '../../supabase/local/realtime/serializer.js';
import { allowClientTopics } from '../support/client-topics.js';
import {
  createGroup,
  setOpenToContact,
  signUpOnRealtime,
  startDirect,
  startTestStack,
  type TestStack,
  type TestUser,
} from '../support/stack.js';
import { waitFor } from '../support/wait.js';

// Realtime waits 5 s before each join error; the refusals below need not.
process.env['CHANNEL_ERROR_BACKOFF_MS'] = '20';

/** Resolves with the first terminal status of a subscribe (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
function subscribe(channel: RealtimeChannel): Promise<{ status: string; error?: Error }> {
  return waitFor((resolve) => {
    channel.subscribe((status, error) => resolve({ status, error }));
  }, `subscribe ${channel.topic}`);
}

async function joined(channel: RealtimeChannel): Promise<RealtimeChannel> {
  const { status, error } = await subscribe(channel);
  assert.equal(status, 'SUBSCRIBED', `${channel.topic}: ${status} ${error?.message ?? ''}`);
  return channel;
}

/** Collects broadcast payloads of one event and waits for one matching a predicate. */
class Inbox<T = Record<string, unknown>> {
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
class RawSocket {
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

describe('local Realtime', () => {
  let stack: TestStack;
  let maria: TestUser;
  let carlos: TestUser;
  let outsider: TestUser;
  let conversationId: string;
  let directId: string;
  let outsiderConversationId: string;
  let meetingId: string;
  const testRoom = () => `test-room:${conversationId}`;

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

  async function send(user: TestUser, conversation: string, body: string): Promise<string> {
    const id = randomUUID();
    const { error } = await user.client.from('messages').insert({ id, conversation_id: conversation, body });
    assert.equal(error, null, error?.message);
    return id;
  }

  describe('private channels authorized by RLS', () => {
    it("refuses the outsider's join with Supabase's error, and its selects return nothing", async () => {
      const channel = outsider.client.channel(`conversation:${conversationId}`, { config: { private: true } });
      const { status, error } = await subscribe(channel);
      assert.equal(status, 'CHANNEL_ERROR');
      assert.equal(
        error?.message,
        `Unauthorized: You do not have permissions to read from this Channel topic: conversation:${conversationId}`,
      );
      await outsider.client.removeChannel(channel);

      const { data, error: selectError } = await outsider.client
        .from('messages')
        .select('*')
        .eq('conversation_id', conversationId);
      assert.equal(selectError, null);
      assert.deepEqual(data, []);
    });

    it('lets a member join and refuses the same topic as a public channel only in the private room', async () => {
      const channel = await joined(carlos.client.channel(`user:${carlos.user.id}`, { config: { private: true } }));
      await carlos.client.removeChannel(channel);
      const other = outsider.client.channel(`user:${carlos.user.id}`, { config: { private: true } });
      const { status } = await subscribe(other);
      assert.equal(status, 'CHANNEL_ERROR');
      await outsider.client.removeChannel(other);
    });
  });

  describe('database changes', () => {
    it("delivers a member's insert through Broadcast from Database and filtered Postgres Changes, and nowhere else", async () => {
      const broadcasts = new Inbox<Record<string, unknown>>();
      const changes = new Inbox<Record<string, unknown>>();
      const otherConversation = new Inbox<Record<string, unknown>>();
      const outsiderChanges = new Inbox<Record<string, unknown>>();
      const subscribed = (inbox: Inbox<string>) => (payload: { message?: string }) => inbox.push(payload.message ?? '');
      const systems = [new Inbox<string>(), new Inbox<string>(), new Inbox<string>()];

      await joined(
        carlos.client
          .channel(`conversation:${conversationId}`, { config: { private: true } })
          .on('broadcast', { event: 'message' }, (message) => broadcasts.push(message)),
      );
      const pgChannels = [
        carlos.client
          .channel(`pg-${randomUUID()}`)
          .on(
            'postgres_changes',
            { event: 'INSERT', schema: 'public', table: 'messages', filter: `conversation_id=eq.${conversationId}` },
            (change) => changes.push(change as unknown as Record<string, unknown>),
          ),
        carlos.client
          .channel(`pg-${randomUUID()}`)
          .on(
            'postgres_changes',
            { event: '*', schema: 'public', table: 'messages', filter: `conversation_id=eq.${directId}` },
            (change) => otherConversation.push(change as unknown as Record<string, unknown>),
          ),
        outsider.client.channel(`pg-${randomUUID()}`).on(
          'postgres_changes',
          {
            event: 'INSERT',
            schema: 'public',
            table: 'messages',
            filter: `conversation_id=in.(${conversationId},${outsiderConversationId})`,
          },
          (change) => outsiderChanges.push(change as unknown as Record<string, unknown>),
        ),
      ];
      for (const [index, channel] of pgChannels.entries()) {
        channel.on('system', {}, subscribed(systems[index]!));
        await joined(channel);
        await systems[index]!.next((message) => message === 'Subscribed to PostgreSQL', 'Subscribed to PostgreSQL');
      }

      const body = `hello ${randomUUID()}`;
      const id = await send(maria, conversationId, body);
      const broadcast = await broadcasts.next(
        (b) => (b['payload'] as { record: { id: string } }).record.id === id,
        'the DB broadcast',
      );
      assert.deepEqual(broadcast['meta'], { id: (broadcast['payload'] as { id: string }).id });
      const payload = broadcast['payload'] as Record<string, unknown>;
      assert.equal(payload['operation'], 'INSERT');
      assert.equal(payload['schema'], 'public');
      assert.equal(payload['table'], 'messages');
      assert.equal((payload['record'] as { body: string }).body, body);
      assert.equal((payload['record'] as { sender_id: string }).sender_id, maria.user.id);
      assert.equal(payload['old_record'], null);

      const change = await changes.next((c) => (c['new'] as { id: string }).id === id, 'the postgres change');
      assert.equal(change['eventType'], 'INSERT');
      assert.equal(change['schema'], 'public');
      assert.equal(change['table'], 'messages');
      assert.match(change['commit_timestamp'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal((change['new'] as { body: string }).body, body);
      assert.equal((change['new'] as { conversation_id: string }).conversation_id, conversationId);
      assert.deepEqual(change['old'], {});
      assert.equal(change['errors'], null);

      // Sentinels: a later row each of those subscriptions may see proves the earlier one never came.
      const directSentinel = await send(maria, directId, 'sentinel for the other filter');
      await otherConversation.next((c) => (c['new'] as { id: string }).id === directSentinel, 'the direct sentinel');
      assert.deepEqual(
        otherConversation.items.map((c) => (c['new'] as { id: string }).id),
        [directSentinel],
      );
      const outsiderSentinel = await send(outsider, outsiderConversationId, 'sentinel for the outsider');
      await outsiderChanges.next((c) => (c['new'] as { id: string }).id === outsiderSentinel, 'the outsider sentinel');
      assert.deepEqual(
        outsiderChanges.items.map((c) => (c['new'] as { id: string }).id),
        [outsiderSentinel],
        'the outsider receives no event of a conversation it is not in',
      );
      await carlos.client.removeAllChannels();
      await outsider.client.removeAllChannels();
    });

    it('reports a table outside supabase_realtime and a bad filter as system errors, channel still joined', async () => {
      const systems = new Inbox<{ status?: string; message?: string }>();
      const channel = carlos.client
        .channel(`pg-${randomUUID()}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'profiles' }, () => undefined)
        .on('system', {}, (payload) => systems.push(payload));
      await joined(channel);
      const error = await systems.next((s) => s.status === 'error', 'the system error');
      assert.match(
        error.message!,
        /^Unable to subscribe to changes with given parameters\. Please check Realtime is enabled for the given connect parameters: \[event: \*, schema: public, table: profiles/,
      );
      assert.equal(channel.state, 'joined');

      const badFilter = carlos.client
        .channel(`pg-${randomUUID()}`)
        .on(
          'postgres_changes',
          { event: '*', schema: 'public', table: 'messages', filter: 'no_such_column=eq.1' },
          () => undefined,
        )
        .on('system', {}, (payload) => systems.push({ ...payload, message: `bad: ${payload.message}` }));
      await joined(badFilter);
      const filterError = await systems.next(
        (s) => s.message?.startsWith('bad:') === true && s.status === 'error',
        'the filter error',
      );
      assert.match(filterError.message!, /invalid column for filter no_such_column/);
      await carlos.client.removeAllChannels();
    });
  });

  describe('broadcast', () => {
    it('honours self and ack between members, and a sender without self does not get its own message', async () => {
      const topic = testRoom();
      const mariaInbox = new Inbox();
      const carlosInbox = new Inbox();
      const mariaChannel = await joined(
        maria.client
          .channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } })
          .on('broadcast', { event: 'typing' }, mariaInbox.push),
      );
      const carlosChannel = await joined(
        carlos.client
          .channel(topic, { config: { private: true } })
          .on('broadcast', { event: 'typing' }, carlosInbox.push),
      );

      const result = await mariaChannel.send({
        type: 'broadcast',
        event: 'typing',
        payload: { user_id: maria.user.id, typing: true },
      });
      assert.equal(result, 'ok', 'ack: the server confirmed');
      await mariaInbox.next(
        (m) => (m['payload'] as { user_id: string }).user_id === maria.user.id,
        'self: maria gets her own',
      );
      const got = await carlosInbox.next(
        (m) => (m['payload'] as { user_id: string }).user_id === maria.user.id,
        'carlos gets it',
      );
      assert.deepEqual(got, { type: 'broadcast', event: 'typing', payload: { user_id: maria.user.id, typing: true } });

      // Without self: carlos's own message must not come back; maria's later one proves it.
      assert.equal(
        await carlosChannel.send({
          type: 'broadcast',
          event: 'typing',
          payload: { user_id: carlos.user.id, typing: true },
        }),
        'ok',
      );
      await mariaInbox.next(
        (m) => (m['payload'] as { user_id: string }).user_id === carlos.user.id,
        'maria gets carlos',
      );
      await mariaChannel.send({
        type: 'broadcast',
        event: 'typing',
        payload: { user_id: maria.user.id, typing: false },
      });
      await carlosInbox.next((m) => (m['payload'] as { typing: boolean }).typing === false, 'carlos gets the second');
      assert.equal(
        carlosInbox.items.filter((m) => (m['payload'] as { user_id: string }).user_id === carlos.user.id).length,
        0,
      );
      await maria.client.removeAllChannels();
      await carlos.client.removeAllChannels();
    });

    it("refuses members' broadcasts on the app's topics, and presence except on the meeting's presence topic", async () => {
      const socket = await RawSocket.open(stack);
      // [topic, broadcast accepted, track accepted]; the test room is the control that both work.
      const cases: [string, boolean, boolean][] = [
        [testRoom(), true, true],
        [`conversation:${conversationId}`, false, false],
        [`conversation:${conversationId}:typing`, false, false],
        [`meeting:${meetingId}`, false, false],
        [`meeting:${meetingId}:presence`, false, true],
        [`user:${maria.user.id}`, false, false],
      ];
      for (const [topic, broadcasts, tracks] of cases) {
        const full = `realtime:${topic}`;
        const joinRef = socket.push(full, 'phx_join', {
          config: {
            private: true,
            broadcast: { self: true, ack: true },
            presence: { key: maria.user.id, enabled: true },
          },
          access_token: maria.session.access_token,
        });
        assert.equal((await socket.reply(joinRef))[4]['status'], 'ok', `maria may receive on ${topic}`);
        const broadcastRef = socket.push(
          full,
          'broadcast',
          { type: 'broadcast', event: 'typing', payload: { forged: true } },
          joinRef,
        );
        const trackRef = socket.push(full, 'presence', { type: 'presence', event: 'track', payload: {} }, joinRef);
        // One topic's frames are handled in order: by the track's reply the broadcast was handled,
        // and with self and ack an accepted one has come back, acknowledged, before it.
        const track = await socket.reply(trackRef);
        assert.equal(track[4]['status'], tracks ? 'ok' : 'error', `track on ${topic}`);
        const frames = socket.frames
          .filter((frame): frame is string => typeof frame === 'string')
          .map((frame) => JSON.parse(frame) as [string | null, string | null, string, string, Record<string, unknown>]);
        assert.equal(
          frames.some((f) => f[1] === broadcastRef && f[3] === 'phx_reply'),
          broadcasts,
          `ack of the broadcast on ${topic}`,
        );
        assert.equal(
          frames.some((f) => f[2] === full && f[3] === 'broadcast'),
          broadcasts,
          `the broadcast on ${topic} back to its sender`,
        );
      }
      socket.close();
    });

    it('delivers typing from send_typing on the typing topic, with the name from the profile', async () => {
      const inbox = new Inbox();
      await joined(
        carlos.client
          .channel(`conversation:${conversationId}:typing`, { config: { private: true } })
          .on('broadcast', { event: 'typing' }, inbox.push),
      );
      const sent = await maria.client.rpc('send_typing', { conversation_id: conversationId, is_typing: true });
      assert.equal(sent.error, null, sent.error?.message);
      const typing = await inbox.next(() => true, 'the typing event');
      const payload = typing['payload'] as Record<string, unknown>;
      assert.deepEqual(
        {
          conversation_id: payload['conversation_id'],
          user_id: payload['user_id'],
          display_name: payload['display_name'],
          is_typing: payload['is_typing'],
        },
        { conversation_id: conversationId, user_id: maria.user.id, display_name: 'Maria', is_typing: true },
      );
      const outsiderSent = await outsider.client.rpc('send_typing', { conversation_id: conversationId });
      assert.equal(outsiderSent.error?.code, '42501');
      await carlos.client.removeAllChannels();
    });
  });

  describe('presence', () => {
    it('shows join, update and leave to the other participant with the right state', async () => {
      const topic = `meeting:${meetingId}:presence`;
      const events = new Inbox<{ event: string; key: string }>();
      const syncChecks = new Set<() => void>();
      const afterSync = (what: string, condition: () => boolean) =>
        waitFor<void>((resolve) => {
          const check = () => {
            if (!condition()) return;
            syncChecks.delete(check);
            resolve();
          };
          syncChecks.add(check);
          check();
        }, what);
      const watcher = carlos.client
        .channel(topic, { config: { private: true, presence: { key: carlos.user.id } } })
        .on('presence', { event: 'join' }, (p) => events.push({ event: 'join', key: p.key }))
        .on('presence', { event: 'leave' }, (p) => events.push({ event: 'leave', key: p.key }))
        .on('presence', { event: 'sync' }, () => syncChecks.forEach((check) => check()));
      try {
        await joined(watcher);
        const tracker = await joined(
          maria.client
            .channel(topic, { config: { private: true, presence: { key: maria.user.id } } })
            .on('presence', { event: 'sync' }, () => syncChecks.forEach((check) => check())),
        );
        assert.equal(await tracker.track({ display_name: 'Maria', is_muted: false }), 'ok');
        await events.next((e) => e.event === 'join' && e.key === maria.user.id, 'the join');
        const stateOf = () =>
          watcher.presenceState()[maria.user.id] as unknown as
            { display_name: string; is_muted: boolean; presence_ref: string }[] | undefined;
        await afterSync('the joined state', () => stateOf()?.length === 1);
        assert.equal(stateOf()![0]!.display_name, 'Maria');
        assert.equal(stateOf()![0]!.is_muted, false);
        assert.ok(stateOf()![0]!.presence_ref);

        assert.equal(await tracker.track({ display_name: 'Maria', is_muted: true }), 'ok');
        await afterSync('the update', () => stateOf()?.[0]?.is_muted === true);
        assert.equal(stateOf()!.length, 1, 'an update replaces the meta, it does not add one');
        await afterSync(
          'the tracker sees its own update',
          () =>
            (tracker.presenceState()[maria.user.id] as unknown as { is_muted: boolean }[] | undefined)?.[0]
              ?.is_muted === true,
        );

        assert.equal(await tracker.untrack(), 'ok');
        await events.next((e) => e.event === 'leave' && e.key === maria.user.id, 'the leave');
        await afterSync('the empty state', () => stateOf() === undefined);
      } finally {
        await maria.client.removeAllChannels();
        await carlos.client.removeAllChannels();
      }
    });

    it('shuts a channel down past the presence call limit with Supabase’s message', async () => {
      const socket = await RawSocket.open(stack);
      const topic = `realtime:presence-limit-${randomUUID()}`;
      const joinRef = socket.push(topic, 'phx_join', { config: { presence: { key: 'k', enabled: true } } });
      assert.equal((await socket.reply(joinRef))[4]['status'], 'ok');
      for (let i = 0; i < 5; i += 1) {
        const ref = socket.push(topic, 'presence', { type: 'presence', event: 'track', payload: { n: i } }, joinRef);
        assert.equal((await socket.reply(ref))[4]['status'], 'ok');
      }
      socket.push(topic, 'presence', { type: 'presence', event: 'track', payload: { n: 6 } }, joinRef);
      const system = await socket.message((f) => f[3] === 'system', 'the system error');
      assert.deepEqual(system[4], {
        extension: 'system',
        status: 'error',
        message: 'Client presence rate limit exceeded',
        channel: topic.slice(9),
      });
      await socket.message((f) => f[3] === 'phx_close', 'phx_close');
      socket.close();
    });
  });

  describe('tokens', () => {
    it('keeps a channel alive across a token refresh and closes it on an expired token', async () => {
      const inbox = new Inbox();
      const systems = new Inbox<{ status?: string; message?: string }>();
      const statuses = new Inbox<string>();
      const channel = carlos.client
        .channel(`conversation:${conversationId}`, { config: { private: true } })
        .on('broadcast', { event: 'message' }, inbox.push)
        .on('system', {}, (payload) => systems.push(payload));
      channel.subscribe((status) => statuses.push(status));
      await statuses.next((s) => s === 'SUBSCRIBED', 'subscribed');

      const refreshed = await signJwt(
        {
          sub: carlos.user.id,
          role: 'authenticated',
          aud: 'authenticated',
          email: carlos.email,
          session_id: randomUUID(),
        },
        7200,
      );
      await carlos.client.realtime.setAuth(refreshed);
      const id = await send(maria, conversationId, 'after refresh');
      await inbox.next(
        (m) => (m['payload'] as { record: { id: string } }).record.id === id,
        'a message after the refresh',
      );
      assert.equal(channel.state, 'joined');

      const expired = await signJwt({ sub: carlos.user.id, role: 'authenticated', aud: 'authenticated' }, -30);
      await carlos.client.realtime.setAuth(expired);
      const system = await systems.next((s) => s.status === 'error', 'the expiry system message');
      assert.match(system.message!, /^Token has expired \d+ seconds ago$/);
      await statuses.next((s) => s === 'CLOSED', 'the channel closed');
      await carlos.client.removeAllChannels();
      await carlos.client.realtime.setAuth();
    });

    it('refuses a join with an invalid access token with Realtime’s reason', async () => {
      const socket = await RawSocket.open(stack);
      const cases: [string, RegExp][] = [
        ['not-a-jwt', /^MalformedJWT: The token provided is not a valid JWT$/],
        [
          await signJwt({ role: 'authenticated', sub: carlos.user.id }, -5),
          /^InvalidJWTToken: Token has expired \d+ seconds ago$/,
        ],
        [
          `${(await signJwt({ role: 'anon' }, 60)).slice(0, -4)}AAAA`,
          /^JwtSignatureError: Failed to validate JWT signature$/,
        ],
      ];
      for (const [token, reason] of cases) {
        const ref = socket.push(`realtime:tokens-${randomUUID()}`, 'phx_join', { config: {}, access_token: token });
        const reply = await socket.reply(ref);
        assert.equal(reply[4]['status'], 'error');
        assert.match((reply[4]['response'] as { reason: string }).reason, reason);
      }
      socket.close();
    });
  });

  describe('vsn 1.0.0 clients', () => {
    it('join, receive Broadcast from Database as JSON and client broadcasts from vsn 2 senders', async () => {
      const legacy: SupabaseClient = createClient(stack.url, ANON_KEY, {
        accessToken: async () => carlos.session.access_token,
        realtime: { transport: WebSocket as never, vsn: '1.0.0' } as never,
      });
      try {
        await legacy.realtime.setAuth();
        const inbox = new Inbox();
        const channel = await joined(
          legacy
            .channel(`conversation:${conversationId}`, { config: { private: true } })
            .on('broadcast', { event: 'message' }, inbox.push)
            .on('broadcast', { event: 'typing' }, inbox.push),
        );
        assert.equal(channel.state, 'joined');
        const id = await send(maria, conversationId, 'to the old client');
        const message = await inbox.next(
          (m) => (m['payload'] as { record?: { id: string } }).record?.id === id,
          'the DB broadcast',
        );
        assert.equal((message['meta'] as { id: string }).id, (message['payload'] as { id: string }).id);

        const sender = await joined(maria.client.channel(testRoom(), { config: { private: true } }));
        const legacyTyping = await joined(
          legacy.channel(testRoom(), { config: { private: true } }).on('broadcast', { event: 'typing' }, inbox.push),
        );
        await sender.send({ type: 'broadcast', event: 'typing', payload: { from: 'v2' } });
        const typing = await inbox.next(
          (m) => (m['payload'] as { from?: string }).from === 'v2',
          'the converted broadcast',
        );
        assert.deepEqual(typing, { event: 'typing', payload: { from: 'v2' }, type: 'broadcast' });
        await legacy.removeChannel(legacyTyping);
      } finally {
        await legacy.removeAllChannels();
        legacy.realtime.disconnect();
        await maria.client.removeAllChannels();
      }
    });
  });

  describe('REST broadcast', () => {
    it('httpSend reaches members of a private topic; an outsider gets 403; the batch API serves public topics', async () => {
      const topic = testRoom();
      const inbox = new Inbox();
      await joined(
        carlos.client.channel(topic, { config: { private: true } }).on('broadcast', { event: '*' }, inbox.push),
      );
      const memberChannel = maria.client.channel(topic, { config: { private: true } });
      assert.deepEqual(await memberChannel.httpSend('typing', { via: 'rest' }), { success: true });
      const got = await inbox.next((m) => (m['payload'] as { via?: string }).via === 'rest', 'the REST broadcast');
      assert.equal(got['event'], 'typing');

      const outsiderChannel = outsider.client.channel(topic, { config: { private: true } });
      await assert.rejects(outsiderChannel.httpSend('typing', { via: 'outsider' }), /Unauthorized/);
      await outsider.client.removeChannel(outsiderChannel);
      // A member may not send on the app's topics either: only the database does.
      for (const appTopic of [`conversation:${conversationId}`, `conversation:${conversationId}:typing`]) {
        const appChannel = maria.client.channel(appTopic, { config: { private: true } });
        await assert.rejects(appChannel.httpSend('typing', { via: 'member' }), /Unauthorized/, appTopic);
        await maria.client.removeChannel(appChannel);
      }
      await maria.client.removeChannel(memberChannel);

      const room = `lobby-${randomUUID()}`;
      const publicInbox = new Inbox();
      await joined(carlos.client.channel(room).on('broadcast', { event: 'hello' }, publicInbox.push));
      const response = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: ANON_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ topic: room, event: 'hello', payload: { n: 1 }, private: false }] }),
      });
      assert.equal(response.status, 202);
      const batch = await publicInbox.next(() => true, 'the batch broadcast');
      assert.deepEqual(batch, { payload: { n: 1 }, event: 'hello', type: 'broadcast' });

      const unauthorized = await fetch(`${stack.url}/realtime/v1/api/broadcast`, { method: 'POST', body: '{}' });
      assert.equal(unauthorized.status, 401);
      assert.deepEqual(await unauthorized.json(), { message: 'Unauthorized' });
      const invalid = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: ANON_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ topic: '', payload: 1 }] }),
      });
      assert.equal(invalid.status, 422);
      await carlos.client.removeAllChannels();
    });
  });

  describe('limits and bad input', () => {
    it('refuses the 101st channel of a connection with ChannelRateLimitReached', async () => {
      const socket = await RawSocket.open(stack);
      const refs: string[] = [];
      for (let i = 0; i < 100; i += 1) refs.push(socket.push(`realtime:many-${i}`, 'phx_join', { config: {} }));
      for (const ref of refs) assert.equal((await socket.reply(ref))[4]['status'], 'ok');
      const ref = socket.push('realtime:one-too-many', 'phx_join', { config: {} });
      assert.deepEqual((await socket.reply(ref))[4], {
        status: 'error',
        response: { reason: 'ChannelRateLimitReached: Too many channels' },
      });
      socket.close();
    });

    it('admits exactly 100 channels when 300 joins arrive at once on one socket', async () => {
      const socket = await RawSocket.open(stack);
      // All frames go out before the first reply: every join is in flight while the others are checked.
      const refs = Array.from({ length: 300 }, (_, i) =>
        socket.push(`realtime:burst-${i}`, 'phx_join', { config: {} }),
      );
      // One waiter at a time: RawSocket re-reads every frame per waiter and frame.
      const replies = [];
      for (const ref of refs) replies.push(await socket.reply(ref));
      const statuses = replies.map((reply) => reply[4] as { status: string; response: { reason?: string } });
      assert.equal(statuses.filter((s) => s.status === 'ok').length, 100);
      const refused = statuses.filter((s) => s.status === 'error');
      assert.equal(refused.length, 200);
      assert.ok(refused.every((s) => s.response.reason === 'ChannelRateLimitReached: Too many channels'));
      socket.close();
    });

    it('refuses upgrades without a key, with a bad or expired token, or an unknown vsn', async () => {
      const base = `${stack.url}/realtime/v1/websocket`;
      const expired = await signJwt({ role: 'anon' }, -10);
      const cases: [string, number, RegExp][] = [
        [`${base}?vsn=2.0.0`, 401, /"error":"API key is missing"/],
        [`${base}?apikey=garbage&vsn=2.0.0`, 401, /"error":"The token provided is not a valid JWT"/],
        [`${base}?apikey=${expired}&vsn=2.0.0`, 401, /"error":"Token has expired \d+ seconds ago"/],
        [`${base}?apikey=${ANON_KEY}&vsn=9.9.9`, 400, /serializer version/],
      ];
      for (const [url, status, body] of cases) {
        const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const ws = new WebSocket(url.replace('http', 'ws'));
          ws.on('unexpected-response', (_req, res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          });
          ws.on('open', () => reject(new Error(`${url} was accepted`)));
          ws.on('error', () => undefined);
        });
        assert.equal(result.status, status, url);
        assert.match(result.body, body);
      }
      // The publishable key maps to anon like the gateway does.
      const socket = await RawSocket.open(stack, `apikey=${stack.publishableKey}&vsn=2.0.0`);
      await socket.heartbeat();
      socket.close();
    });

    it('survives a fuzz pass of malformed frames: each bad connection fails alone, the server keeps serving', async () => {
      const garbage: [string, string | Buffer, number][] = [
        ['garbage text', 'hello there', 1007],
        ['an object under vsn 2', '{"topic":"phoenix","event":"heartbeat"}', 1007],
        ['a short array', '[null,"1","phoenix"]', 1007],
        ['a non-string event', '[null,"1","phoenix",7,{}]', 1007],
        ['a non-object payload', '[null,"1","realtime:x","phx_join","x"]', 1007],
        ['binary kind 4', Buffer.from([4, 1, 1, 0, 1, 0x61, 0x62, 0x7b, 0x7d]), 1007],
        ['binary kind 9', Buffer.from([9, 0, 0, 0, 0, 0, 1]), 1007],
        ['a truncated kind 3', Buffer.from([3, 50, 50, 50, 50, 0, 1]), 1007],
        ['an empty binary frame', Buffer.alloc(0), 1007],
        ['an oversized frame', Buffer.alloc(5 * 1024 * 1024 + 1, 0x20), 1009],
        ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('latin1'), 1007],
      ];
      const survivor = await RawSocket.open(stack);
      for (const [name, frame, code] of garbage) {
        const socket = await RawSocket.open(stack);
        socket.send(frame);
        const closed = await socket.closed;
        assert.equal(closed.code, code, name);
        await survivor.heartbeat();
      }

      // Unknown topics and events answer like Phoenix / Realtime and keep the connection.
      const socket = await RawSocket.open(stack);
      const unknownTopic = socket.push('realtime:never-joined', 'broadcast', {
        type: 'broadcast',
        event: 'x',
        payload: {},
      });
      assert.deepEqual((await socket.reply(unknownTopic))[4], {
        status: 'error',
        response: { reason: 'unmatched topic' },
      });
      const leave = socket.push('realtime:never-joined', 'phx_leave', {});
      assert.deepEqual((await socket.reply(leave))[4], { status: 'ok', response: {} });
      const nonRealtime = socket.push('room:lobby', 'phx_join', {});
      assert.deepEqual((await socket.reply(nonRealtime))[4], {
        status: 'error',
        response: { reason: 'unmatched topic' },
      });
      const emptyTopic = socket.push('realtime:', 'phx_join', {});
      assert.deepEqual((await socket.reply(emptyTopic))[4], {
        status: 'error',
        response: { reason: 'TopicNameRequired: You must provide a topic name' },
      });
      const joinRef = socket.push('realtime:fuzz', 'phx_join', { config: 'not an object', access_token: 42 });
      assert.equal((await socket.reply(joinRef))[4]['status'], 'ok', 'a malformed config falls back to defaults');
      socket.push('realtime:fuzz', 'no_such_event', { a: 1 }, joinRef);
      const trackRef = socket.push(
        'realtime:fuzz',
        'presence',
        { type: 'presence', event: 'track', payload: 'not a map' },
        joinRef,
      );
      const badTrack = await socket.reply(trackRef);
      assert.deepEqual(badTrack[4], { status: 'error', response: { reason: 'Presence track payload must be a map' } });
      // A kind 3 broadcast for a topic this socket never joined.
      socket.send(
        encodeUserBroadcastPush({
          joinRef: '99',
          ref: '100',
          topic: 'realtime:elsewhere',
          userEvent: 'e',
          encoding: 'json',
          payload: Buffer.from('{}'),
        }),
      );
      assert.deepEqual((await socket.reply('100'))[4], { status: 'error', response: { reason: 'unmatched topic' } });
      await socket.heartbeat();
      socket.close();

      // And the real client still works end to end.
      const inbox = new Inbox();
      const room = `after-fuzz-${randomUUID()}`;
      const channel = await joined(
        carlos.client
          .channel(room, { config: { broadcast: { self: true, ack: true } } })
          .on('broadcast', { event: 'ping' }, inbox.push),
      );
      assert.equal(await channel.send({ type: 'broadcast', event: 'ping', payload: {} }), 'ok');
      await inbox.next(() => true, 'the ping');
      await carlos.client.removeAllChannels();
      survivor.close();
    });

    it('answers phx_leave with ok then phx_close', async () => {
      const socket = await RawSocket.open(stack);
      const joinRef = socket.push('realtime:leaving', 'phx_join', { config: {} });
      await socket.reply(joinRef);
      const leaveRef = socket.push('realtime:leaving', 'phx_leave', {}, joinRef);
      assert.deepEqual((await socket.reply(leaveRef))[4], { status: 'ok', response: {} });
      const close = await socket.message((f) => f[3] === 'phx_close', 'phx_close');
      assert.deepEqual(close, [joinRef, joinRef, 'realtime:leaving', 'phx_close', {}]);
      socket.close();
    });
  });

  describe('metrics', () => {
    it('exposes connections, joins, denied joins, messages and the delivery latency of database changes', async () => {
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      for (const name of [
        'pasabay_realtime_connections',
        'pasabay_realtime_channels',
        'pasabay_realtime_joins_total',
        'pasabay_realtime_joins_denied_total',
        'pasabay_realtime_messages_in_total',
        'pasabay_realtime_messages_out_total',
        'pasabay_realtime_delivery_latency_seconds_bucket',
      ]) {
        assert.match(text, new RegExp(`^${name}`, 'm'), name);
      }
      const count = Number(/^pasabay_realtime_delivery_latency_seconds_count (\d+)/m.exec(text)?.[1]);
      const sum = Number(/^pasabay_realtime_delivery_latency_seconds_sum ([\d.e-]+)/m.exec(text)?.[1]);
      assert.ok(count > 0, 'database changes were delivered and timed');
      const denied = Number(/^pasabay_realtime_joins_denied_total (\d+)/m.exec(text)?.[1]);
      assert.ok(denied > 0);
      console.log(`# delivery latency: ${count} frames, mean ${((sum / count) * 1000).toFixed(1)} ms`);
    });
  });
});
