/**
 * Realtime conformance on the local stack with the unmodified supabase-js over real WebSockets and
 * real PostgreSQL: private channels authorized by the RLS policies of the migrations, Broadcast from
 * Database, filtered Postgres Changes with per-subscriber RLS, broadcast self/ack, presence, and the
 * metrics these leave behind. Token refresh and expiry, vsn 1.0.0, the REST broadcast API, limits
 * and the fuzz pass of bad frames are in realtime-protocol.test.ts; both share
 * test/support/realtime-stack.ts.
 * The app's topics accept no client broadcast (only presence on `meeting:<id>:presence`), so the
 * client-to-client broadcasts travel on `test-room:<conversation id>`, a topic the shared setup's
 * policies open to the conversation's members, as a project would for its own topics.
 * "Nothing received" is proven with a sentinel that travels the same socket afterwards, never a sleep.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  carlos,
  conversationId,
  directId,
  Inbox,
  joined,
  maria,
  meetingId,
  outsider,
  outsiderConversationId,
  RawSocket,
  send,
  stack,
  subscribe,
  testRoom,
  useRealtimeStack,
} from '../support/realtime-stack.js';
import { waitFor } from '../support/wait.js';

describe('local Realtime', () => {
  useRealtimeStack();

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
