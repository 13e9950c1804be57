/**
 * Realtime conformance, the protocol's edges: access_token refresh and expiry, vsn 1.0.0 clients,
 * the REST broadcast API, and the limits and bad input (a fuzz pass of frames Phoenix must refuse
 * alone). Same stack and people as realtime.test.ts (test/support/realtime-stack.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { ANON_KEY, signJwt } from '../../supabase/local/keys.js';
import { encodeUserBroadcastPush } from '../../supabase/local/realtime/serializer.js';
import {
  carlos,
  conversationId,
  Inbox,
  joined,
  maria,
  outsider,
  RawSocket,
  send,
  stack,
  testRoom,
  useRealtimeStack,
} from '../support/realtime-stack.js';

describe('local Realtime', () => {
  useRealtimeStack();

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
});
