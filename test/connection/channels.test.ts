import { expect, waitUntil } from '@open-wc/testing';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import {
  acquireChannel,
  channelRemovalsSettled,
  type BroadcastMessage,
  type ChannelClient,
  type ChannelLease,
} from '../../src/connection/channels.js';
import { typingTopic } from '../../src/connection/topics.js';
import { closeClients, conversationOf, newUser, type TestUser } from '../support/browser-stack.js';

/** Typing as the database sends it: through the `send_typing` RPC. */
async function typing(user: TestUser, conversationId: string, isTyping: boolean) {
  const { error } = await user.client.rpc('send_typing', { conversation_id: conversationId, is_typing: isTyping });
  if (error) throw new Error(`send_typing: ${error.message}`);
}

const joined = (lease: ChannelLease, why: string) =>
  waitUntil(() => lease.status === 'joined', why, { timeout: 10_000 });

describe('connection/channels', () => {
  let maria: TestUser;
  let carlos: TestUser;
  let conversationId: string;

  before(async () => {
    maria = await newUser('Maria Channels');
    carlos = await newUser('Carlos Channels');
    conversationId = await conversationOf(maria, [carlos]);
  });

  after(async () => {
    if (maria && carlos) await closeClients(maria.client, carlos.client);
  });

  describe('sharing', () => {
    it('keeps a topic live for the second acquirer when the first releases', async () => {
      const topic = typingTopic(conversationId);
      const first: BroadcastMessage[] = [];
      const second: BroadcastMessage[] = [];
      const a = acquireChannel(maria.client, topic, { onBroadcast: (m) => first.push(m) });
      const b = acquireChannel(maria.client, topic, { onBroadcast: (m) => second.push(m) });
      await joined(a, 'first lease joins');
      await joined(b, 'second lease joins');
      expect(maria.client.getChannels().length).to.equal(1);

      await a.release();
      expect(a.status).to.equal('idle');
      expect(b.status).to.equal('joined');
      expect(maria.client.getChannels().length).to.equal(1);

      await typing(carlos, conversationId, true);
      await waitUntil(() => second.length === 1, 'the remaining lease still receives broadcasts');
      expect(first.length).to.equal(0);
      expect(second[0]!.event).to.equal('typing');

      await b.release();
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('tells a late acquirer of a joined channel that it is joined', async () => {
      const topic = typingTopic(conversationId);
      const a = acquireChannel(maria.client, topic, {});
      await joined(a, 'first lease joins');
      const statuses: string[] = [];
      const b = acquireChannel(maria.client, topic, { onStatus: (status) => statuses.push(status) });
      await waitUntil(() => statuses.includes('joined'), 'late acquirer hears joined');
      await Promise.all([a.release(), b.release()]);
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('ends 20 acquire / release cycles with no channels on the client', async () => {
      const topic = typingTopic(conversationId);
      for (let cycle = 0; cycle < 20; cycle++) {
        const lease = acquireChannel(maria.client, topic, {});
        // Half of the cycles release before the join completes, half after.
        if (cycle % 2 === 0) await joined(lease, `cycle ${cycle} joins`);
        void lease.release();
      }
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('refuses an outsider with an error status', async () => {
      const outsider = await newUser('Outsider Channels');
      const errors: Error[] = [];
      const lease = acquireChannel(outsider.client, typingTopic(conversationId), {
        onStatus: (status, error) => {
          if (status === 'error' && error) errors.push(error);
        },
      });
      await waitUntil(() => errors.length > 0, 'outsider join refused', { timeout: 10_000 });
      expect(errors[0]!.message).to.match(/Unauthorized|permission/i);
      await lease.release();
      expect(outsider.client.getChannels().length).to.equal(0);
      await closeClients(outsider.client);
    });
  });

  describe('listeners', () => {
    it('delivers to the other acquirers when one listener throws', async () => {
      const topic = typingTopic(conversationId);
      const reported: unknown[] = [];
      const received: BroadcastMessage[] = [];
      const throwing = acquireChannel(maria.client, topic, {
        onBroadcast: () => {
          throw new Error('listener bug');
        },
        onHandlerError: (error) => reported.push(error),
      });
      const healthy = acquireChannel(maria.client, topic, { onBroadcast: (m) => received.push(m) });
      await joined(healthy, 'receiver joins');
      await typing(carlos, conversationId, true);
      await typing(carlos, conversationId, false);
      await waitUntil(() => received.length === 2, 'both broadcasts reach the healthy listener');
      expect(reported.length).to.equal(2);
      expect((reported[0] as Error).message).to.equal('listener bug');
      await Promise.all([throwing.release(), healthy.release()]);
    });
  });

  describe('postgres changes', () => {
    it('shares the private topic among acquirers with the same bindings and refuses other bindings', async () => {
      const filter = {
        event: 'INSERT' as const,
        schema: 'public',
        table: 'messages',
        filter: `conversation_id=eq.${conversationId}`,
      };
      const topic = `conversation:${conversationId}`;
      const a = acquireChannel(maria.client, topic, {}, { postgresChanges: [filter] });
      const b = acquireChannel(maria.client, topic, {}, { postgresChanges: [filter] });
      await joined(a, 'first postgres-changes acquirer joins');
      await joined(b, 'second postgres-changes acquirer joins');
      expect(maria.client.getChannels().map((channel) => channel.topic)).to.deep.equal([`realtime:${topic}`]);
      const other = acquireChannel(maria.client, topic, {});
      await waitUntil(() => other.status === 'error', 'an acquirer without the bindings is refused');
      expect(other.error?.message).to.contain('other Postgres Changes bindings');
      await Promise.all([a.release(), b.release(), other.release()]);
      expect(maria.client.getChannels().length).to.equal(0);
    });
  });

  // A real server can't hold a leave reply on demand, so this one edge case uses a fake client
  // (pure logic, no network): it proves a topic acquired again during the async removal gets a fresh channel.
  describe('topic reuse during removal (fake client)', () => {
    interface FakeChannel {
      topic: string;
      subscribe(callback: (state: string) => void): FakeChannel;
      on(): FakeChannel;
      teardown(): void;
    }

    function fakeClient() {
      const channels: FakeChannel[] = [];
      const created: FakeChannel[] = [];
      let finishRemoval: (() => void) | undefined;
      let removals = 0;
      const client = {
        realtime: {
          channels,
          async setAuth() {},
        },
        channel(name: string) {
          const topic = `realtime:${name}`;
          const existing = client.realtime.channels.find((c) => c.topic === topic);
          if (existing) return existing;
          const channel: FakeChannel = {
            topic,
            subscribe(callback) {
              queueMicrotask(() => callback('SUBSCRIBED'));
              return channel;
            },
            on: () => channel,
            teardown() {},
          };
          client.realtime.channels.push(channel);
          created.push(channel);
          return channel;
        },
        getChannels: () => client.realtime.channels,
        removeChannel(channel: FakeChannel) {
          removals++;
          return new Promise<'ok'>((resolve) => {
            finishRemoval = () => {
              client.realtime.channels = client.realtime.channels.filter((c) => c !== channel);
              resolve('ok');
            };
          });
        },
      };
      return {
        client: client as unknown as ChannelClient & SupabaseClient,
        created,
        /** Resolves once the module asked the client to remove a channel `count` times in all. */
        removalRequested: (count: number) => waitUntil(() => removals >= count, `removal ${count} requested`),
        finishRemoval: () => finishRemoval!(),
      };
    }

    it('waits for the removal before creating the channel again', async () => {
      const fake = fakeClient();
      const first = acquireChannel(fake.client, 'room', {});
      await joined(first, 'fake channel joins');
      const removal = first.release();
      const again = acquireChannel(fake.client, 'room', {});
      await fake.removalRequested(1);
      // The leaving channel is still registered: reusing it would hand back a dying channel.
      expect(fake.client.getChannels().length).to.equal(1);
      expect(fake.created.length).to.equal(1);
      expect(again.status).to.equal('joining');

      fake.finishRemoval();
      await removal;
      await joined(again, 'new channel joins after the removal');
      expect(fake.created.length).to.equal(2);
      expect(fake.created[1]).to.not.equal(fake.created[0]);
      expect((fake.client.getChannels() as unknown as RealtimeChannel[]).length).to.equal(1);

      const last = again.release();
      await fake.removalRequested(2);
      fake.finishRemoval();
      await last;
      expect(fake.client.getChannels().length).to.equal(0);
    });

    it('does not create a channel when released before the removal finished', async () => {
      const fake = fakeClient();
      const first = acquireChannel(fake.client, 'room', {});
      await joined(first, 'fake channel joins');
      const removal = first.release();
      const again = acquireChannel(fake.client, 'room', {});
      const releasedAgain = again.release();
      await fake.removalRequested(1);
      fake.finishRemoval();
      await Promise.all([removal, releasedAgain]);
      await channelRemovalsSettled(fake.client);
      expect(fake.created.length).to.equal(1);
      expect(fake.client.getChannels().length).to.equal(0);
    });
  });
});
