/**
 * Per-user Realtime budgets of the local stack (supabase/local/realtime/budgets.ts): at most 3
 * sockets and 5 joined channels per user by default, refused with a phx_reply error in Realtime's
 * limit shape; other users are unaffected; a freed place can be taken again; the environment
 * changes both limits (0 turns one off).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { UserBudgets, tooManyChannels, tooManyConnections } from '../../supabase/local/realtime/budgets.js';
import { RawSocket, subscribe } from '../support/realtime-stack.js';
import { startTestStack, type TestStack, type TestUser } from '../support/stack.js';

let topics = 0;
const topic = () => `budget-${process.pid}-${++topics}`;

/** Another signed-in client (its own socket) of `user`. */
async function socketOf(stack: TestStack, user: TestUser): Promise<SupabaseClient> {
  const client = stack.client();
  const { error } = await client.auth.signInWithPassword({ email: user.email, password: user.password });
  assert.equal(error, null, error?.message);
  await client.realtime.setAuth();
  return client;
}

/** Subscribes a public channel; resolves with its status and the error's message. */
async function join(
  client: SupabaseClient,
  name = topic(),
): Promise<{ channel: RealtimeChannel; status: string; reason: string }> {
  const channel = client.channel(name);
  const { status, error } = await subscribe(channel);
  return { channel, status, reason: error?.message ?? '' };
}

describe('per-user Realtime budgets', () => {
  describe('defaults (3 connections, 5 channels)', () => {
    let stack: TestStack;
    let maria: TestUser;
    let carlos: TestUser;

    before(async () => {
      process.env['CHANNEL_ERROR_BACKOFF_MS'] = '20';
      delete process.env['PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER'];
      delete process.env['PASABAY_REALTIME_MAX_CHANNELS_PER_USER'];
      stack = await startTestStack();
      maria = await stack.createUser({ displayName: 'Maria' });
      carlos = await stack.createUser({ displayName: 'Carlos' });
      await maria.client.realtime.setAuth();
      await carlos.client.realtime.setAuth();
    });
    after(() => stack.stop());

    it('the 6th channel of a user is refused with ChannelRateLimitReached; others are not; a freed place is taken again', async () => {
      const five = [];
      for (let i = 0; i < 5; i++) {
        const joined = await join(maria.client);
        assert.equal(joined.status, 'SUBSCRIBED', joined.reason);
        five.push(joined.channel);
      }
      const sixth = await join(maria.client);
      assert.equal(sixth.status, 'CHANNEL_ERROR');
      assert.equal(sixth.reason, 'ChannelRateLimitReached: Too many channels for this user (at most 5)');
      await maria.client.removeChannel(sixth.channel);

      const other = await join(carlos.client);
      assert.equal(other.status, 'SUBSCRIBED', 'another user has their own budget');

      await maria.client.removeChannel(five[0]!);
      const again = await join(maria.client);
      assert.equal(again.status, 'SUBSCRIBED', again.reason);
      await maria.client.removeAllChannels();
      await carlos.client.removeAllChannels();
    });

    it('the 4th socket of a user is refused with ConnectionRateLimitReached; a socket already counted may add channels', async () => {
      const sockets = [maria.client, await socketOf(stack, maria), await socketOf(stack, maria)];
      for (const client of sockets) assert.equal((await join(client)).status, 'SUBSCRIBED');
      const fourth = await socketOf(stack, maria);
      const refused = await join(fourth);
      assert.equal(refused.status, 'CHANNEL_ERROR');
      assert.equal(refused.reason, 'ConnectionRateLimitReached: Too many connections for this user (at most 3)');
      await fourth.removeAllChannels();

      assert.equal((await join(sockets[1]!)).status, 'SUBSCRIBED', 'a counted socket adds a channel');

      // The first socket goes: its place is free.
      await sockets[2]!.removeAllChannels();
      sockets[2]!.realtime.disconnect();
      const now = await join(fourth);
      assert.equal(now.status, 'SUBSCRIBED', now.reason);
      for (const client of [fourth, ...sockets]) await client.removeAllChannels();
      for (const client of [fourth, sockets[1]!]) client.realtime.disconnect();
    });

    it('on the wire: a phx_reply error whose reason names the limit', async () => {
      const sockets = [];
      for (let i = 0; i < 5; i++) {
        const socket = await RawSocket.open(stack);
        const ref = socket.push(`realtime:${topic()}`, 'phx_join', {
          config: {},
          access_token: maria.session.access_token,
        });
        assert.equal((await socket.reply(ref))[4]['status'], i < 3 ? 'ok' : 'error');
        sockets.push(socket);
      }
      const fourthRef = sockets[3]!.push(`realtime:${topic()}`, 'phx_join', {
        config: {},
        access_token: maria.session.access_token,
      });
      assert.deepEqual((await sockets[3]!.reply(fourthRef))[4], {
        status: 'error',
        response: { reason: 'ConnectionRateLimitReached: Too many connections for this user (at most 3)' },
      });
      // Anon tokens name no user and have no budget.
      const anonRef = sockets[4]!.push(`realtime:${topic()}`, 'phx_join', { config: {} });
      assert.equal((await sockets[4]!.reply(anonRef))[4]['status'], 'ok');
      for (const socket of sockets) socket.ws.close();
    });
  });

  describe('configured by the environment', () => {
    let stack: TestStack;
    let maria: TestUser;

    before(async () => {
      process.env['CHANNEL_ERROR_BACKOFF_MS'] = '20';
      process.env['PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER'] = '1';
      process.env['PASABAY_REALTIME_MAX_CHANNELS_PER_USER'] = '2';
      stack = await startTestStack();
      maria = await stack.createUser({ displayName: 'Maria' });
      await maria.client.realtime.setAuth();
    });
    after(async () => {
      await stack.stop();
      delete process.env['PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER'];
      delete process.env['PASABAY_REALTIME_MAX_CHANNELS_PER_USER'];
    });

    it('PASABAY_REALTIME_MAX_CHANNELS_PER_USER and PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER set the limits', async () => {
      assert.equal((await join(maria.client)).status, 'SUBSCRIBED');
      assert.equal((await join(maria.client)).status, 'SUBSCRIBED');
      const third = await join(maria.client);
      assert.equal(third.reason, tooManyChannels(2));
      const second = await socketOf(stack, maria);
      const refused = await join(second);
      assert.equal(refused.reason, tooManyConnections(1));
      await maria.client.removeAllChannels();
      await second.removeAllChannels();
      second.realtime.disconnect();
    });
  });

  describe('UserBudgets', () => {
    it('counts per user and socket, ignores tokens without a user, and 0 turns a limit off', () => {
      const budgets = new UserBudgets({ maxConnections: 2, maxChannels: 0 });
      const [a, b, c] = [{}, {}, {}];
      const user = { role: 'authenticated', sub: 'u1' };
      const channels = Array.from({ length: 10 }, () => ({}));
      for (const channel of channels) assert.equal(budgets.admit(a, channel, user), undefined);
      assert.equal(budgets.admit(b, {}, user), undefined);
      assert.equal(budgets.admit(c, {}, user), tooManyConnections(2));
      assert.equal(budgets.admit(c, {}, { role: 'anon' }), undefined);
      for (const channel of channels) budgets.release(channel);
      budgets.release({}); // never counted: nothing happens
      assert.deepEqual(budgets.usage('u1'), { connections: 1, channels: 1 });
      assert.equal(budgets.admit(c, {}, user), undefined);
    });
  });
});
