/**
 * <pasabay-chat> when the network misbehaves, against the local stack: a reconnect in the middle of
 * a burst, sends written offline, a response lost in flight, and a send the server refuses.
 * Nothing may be lost and nothing may appear twice.
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { createClient } from '@supabase/supabase-js';
import { outboxStorageKey, projectUrlOf } from '../../src/components/pasabay-chat/state/outbox-storage.js';
import { acquireChannel } from '../../src/connection/channels.js';
import { conversationTopic } from '../../src/connection/topics.js';
import {
  bodies,
  flakyClientFor,
  hasState,
  mountChat,
  part,
  parts,
  post,
  reactionReadsHeldFor,
  removeAndSettle,
  serviceClient,
  stack,
  TEST_PASSWORD,
  typeAndSend,
  waitForBody,
  waitForState,
  waitLive,
  directPair,
} from './pasabay-chat-fixtures.js';

/** Bodies of the unsent messages kept in localStorage under `key`, oldest first. */
function keptBodies(key: string): string[] {
  const text = localStorage.getItem(key);
  return text ? (JSON.parse(text) as { items: { body: string }[] }).items.map((item) => item.body) : [];
}

/** localStorage keys that hold an outbox of `userId`. */
const outboxKeysOf = (userId: string) =>
  Object.keys(localStorage).filter((key) => key.startsWith('pasabay-chat:outbox:') && key.includes(userId));

/** Bodies stored in the conversation, in the list's order, read in pages (REST answers at most 1,000 rows). */
async function storedBodies(conversationId: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let from = 0; ; from += 1000) {
    const { data, error } = await serviceClient()
      .from('messages')
      .select('body, created_at, id')
      .eq('conversation_id', conversationId)
      .order('created_at', { ascending: true })
      .order('id', { ascending: true })
      .range(from, from + 999);
    if (error) throw new Error(error.message);
    bodies.push(...(data as { body: string }[]).map((row) => row.body));
    if (data.length < 1000) return bodies;
  }
}

describe('<pasabay-chat> reliability', () => {
  describe('reconnect', () => {
    it('loses and duplicates nothing when the socket drops in the middle of a burst', async () => {
      const { maria, carlos, id } = await directPair();
      const el = await mountChat(carlos.client, id);
      await waitLive(el);
      const burst = Array.from({ length: 24 }, (_, i) => `burst ${i}`);
      for (const [index, body] of burst.entries()) {
        await post(maria, id, body);
        if (index === 6) carlos.client.realtime.disconnect();
        if (index === 14) carlos.client.realtime.connect();
      }
      await waitUntil(
        () => el.messageStore.size === burst.length && !hasState(el, 'reconnecting'),
        'burst not complete',
        {
          timeout: 20_000,
        },
      );
      // The store holds each once and in order; so does the DOM window.
      expect(el.messageStore.messages.map((m) => m.body)).to.deep.equal(burst);
      expect(bodies(el).filter((body) => body.startsWith('burst'))).to.deep.equal(burst.slice(-bodies(el).length));
      expect(new Set(bodies(el)).size).to.equal(bodies(el).length);
    });

    it('catches up after waking from sleep (visibility or online)', async () => {
      const { maria, carlos, id } = await directPair();
      const el = await mountChat(carlos.client, id);
      await waitLive(el);
      // While the socket is down and no rejoin is scheduled yet, a message arrives.
      carlos.client.realtime.disconnect();
      await post(maria, id, 'while asleep');
      window.dispatchEvent(new Event('online'));
      await waitForBody(el, 'while asleep');
      carlos.client.realtime.connect();
      await waitLive(el);
      expect(bodies(el)).to.deep.equal(['while asleep']);
    });
  });

  describe('reactions', () => {
    it('keeps a reaction that a catch-up read before it was saved', async () => {
      const { maria, carlos, id } = await directPair();
      await post(maria, id, 'Meet at 5?');
      const { client, gate } = await reactionReadsHeldFor(carlos);
      const el = await mountChat(client, id);
      await waitLive(el);
      await waitForBody(el, 'Meet at 5?');
      // Hears the conversation channel alongside the element (the same shared channel, same order).
      const heard: string[] = [];
      const listener = acquireChannel(client, conversationTopic(id), {
        onBroadcast: (message) => {
          const operation = (message.payload as { operation?: string }).operation;
          if (message.event === 'reaction' && operation) heard.push(operation);
        },
      });
      try {
        await waitUntil(() => listener.status === 'joined', 'listener never joined');

        // Waking up starts a catch-up, which reads the reactions (none yet); its answer is held.
        gate.holding = true;
        const readsBefore = gate.reads;
        window.dispatchEvent(new PageTransitionEvent('pageshow'));
        await waitUntil(() => gate.held.length === 1, 'the catch-up never read reactions', { timeout: 10_000 });

        // Carlos reacts; the row is saved and its INSERT event arrives before the stale answer.
        const message = parts(el, 'message')[0]!;
        message.focus();
        (message.querySelector('[part~="react"]') as HTMLButtonElement).click();
        await el.updateComplete;
        (part(el, 'picker-option') as HTMLButtonElement).click();
        await waitUntil(() => gate.writes === 1 && heard.includes('INSERT'), 'the reaction was never saved and heard');

        // The stale answer lands. Another wake queues a second catch-up, which can only start
        // once the first has applied its answer; its own read is held, so it cannot repair anything.
        window.dispatchEvent(new PageTransitionEvent('pageshow'));
        gate.held.shift()!();
        await waitUntil(
          () => gate.reads === readsBefore + 2 && gate.held.length === 1,
          'the second catch-up never read reactions',
          { timeout: 10_000 },
        );
        await el.updateComplete;
        expect(part(el, 'reaction')?.getAttribute('aria-pressed') ?? 'no chip').to.equal('true');
        expect(part(el, 'reaction')!.textContent).to.contain('1');
      } finally {
        gate.holding = false;
        for (const release of gate.held.splice(0)) release();
        await listener.release();
      }
    });
  });

  describe('offline', () => {
    it('queues sends while offline and delivers each exactly once on reconnect, even when answers are lost', async () => {
      const { maria, carlos, id } = await directPair();
      const { client, network } = await flakyClientFor(maria);
      const mine = await mountChat(client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);

      network.offline = true;
      window.dispatchEvent(new Event('offline'));
      await waitForState(mine, 'offline');
      expect(part(mine, 'banner')!.textContent).to.contain('offline');
      await typeAndSend(mine, 'first while offline');
      await typeAndSend(mine, 'second while offline');
      await mine.updateComplete;
      expect(parts(mine, 'message').filter((m) => m.matches('[part~="queued"]')).length).to.equal(2);
      await expect(mine).to.be.accessible();

      // Back online, but the first answers get lost: the requests reach the server, the replies don't.
      network.offline = false;
      network.loseResponses = true;
      window.dispatchEvent(new Event('online'));
      await waitUntil(() => network.sent >= 1, 'nothing was sent');
      await waitForBody(theirs, 'first while offline');
      network.loseResponses = false;
      await typeAndSend(mine, 'third, online');
      await waitUntil(
        () => parts(mine, 'message').every((m) => !/sending|queued|failed/.test(m.getAttribute('part')!)),
        'not all sent',
        {
          timeout: 20_000,
        },
      );
      await waitForBody(theirs, 'third, online');
      const expected = ['first while offline', 'second while offline', 'third, online'];
      expect(await storedBodies(id)).to.deep.equal(expected);
      expect(bodies(mine)).to.deep.equal(expected);
      expect(bodies(theirs)).to.deep.equal(expected);
    });
  });

  describe('unsent messages across page loads', () => {
    it('keeps messages written offline through a reload and delivers each exactly once, in order', async () => {
      const { maria, carlos, id } = await directPair();
      const before = await flakyClientFor(maria);
      const mine = await mountChat(before.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      const key = outboxStorageKey({
        projectUrl: projectUrlOf(before.client),
        userId: maria.user.id,
        conversationId: id,
      });
      const received: string[] = [];
      theirs.addEventListener('pasabay-message-receive', (event) => received.push(event.detail.message.body));

      before.network.offline = true;
      window.dispatchEvent(new Event('offline'));
      await waitForState(mine, 'offline');
      const written = ['first', 'second', 'third'].map((word) => `${word}, written offline`);
      for (const body of written) await typeAndSend(mine, body);
      expect(keptBodies(key)).to.deep.equal(written);

      // The tab reloads, still offline: the element and its client go, a new client signs the same user in.
      await removeAndSettle(mine, before.client);
      const after = await flakyClientFor(maria);
      after.network.offline = true;
      const reloaded = await mountChat(after.client, id);
      // Nothing loads without a network, and nothing is sent.
      await waitForState(reloaded, 'error');
      expect(keptBodies(key)).to.deep.equal(written);

      // Someone else signing in on this browser never sees Maria's queue.
      const onlooker = await mountChat(carlos.client, id);
      await waitLive(onlooker);
      expect(onlooker.messageStore.messages.some((message) => message.delivery !== 'sent')).to.equal(false);
      onlooker.remove();

      after.network.offline = false;
      window.dispatchEvent(new Event('online'));
      await waitForBody(reloaded, written[2]!);
      await waitUntil(() => received.length >= 3, 'Carlos did not receive the three messages', { timeout: 20_000 });
      await waitUntil(
        () => reloaded.messageStore.messages.every((message) => message.delivery === 'sent'),
        'not all confirmed',
        { timeout: 20_000 },
      );
      expect(received).to.deep.equal(written);
      expect(bodies(theirs)).to.deep.equal(written);
      expect(bodies(reloaded)).to.deep.equal(written);
      expect(await storedBodies(id)).to.deep.equal(written);
      expect(outboxKeysOf(maria.user.id)).to.deep.equal([]);
    });

    it('shows a message the server will never accept as failed, with its reason, after a reload too', async () => {
      const { maria, carlos, id } = await directPair();
      const original = await post(carlos, id, 'to be removed');
      const before = await flakyClientFor(maria);
      const mine = await mountChat(before.client, id);
      await waitLive(mine);
      await waitForBody(mine, 'to be removed');
      // Offline, Maria replies; meanwhile the message she replies to is deleted for good.
      before.network.offline = true;
      window.dispatchEvent(new Event('offline'));
      await waitForState(mine, 'offline');
      (parts(mine, 'message')[0]!.querySelector('[part~="reply"]') as HTMLButtonElement).click();
      await mine.updateComplete;
      await typeAndSend(mine, 'a reply to nothing');
      const { error } = await serviceClient().from('messages').delete().eq('id', original);
      expect(error?.message ?? null).to.equal(null);
      const failed = oneEvent(mine, 'pasabay-message-fail');
      before.network.offline = false;
      window.dispatchEvent(new Event('online'));
      const event = await failed;
      expect(event.detail.message).to.contain('reply_to must be a message in the same conversation');
      await removeAndSettle(mine, before.client);

      const reloaded = await mountChat(maria.client, id);
      await waitLive(reloaded);
      await waitForBody(reloaded, 'a reply to nothing');
      const message = () => parts(reloaded, 'message').find((m) => m.textContent!.includes('a reply to nothing'));
      expect(message()!.getAttribute('part')).to.contain('failed');
      expect(message()!.querySelector('[part~="status"]')!.textContent).to.equal(
        'Not sent: reply_to must be a message in the same conversation',
      );
      await expect(reloaded).to.be.accessible();
      (message()!.querySelector('[part~="discard"]') as HTMLButtonElement).click();
      await waitUntil(() => message() === undefined, 'still shown after discard');
      expect(await storedBodies(id)).to.deep.equal([]);
      expect(outboxKeysOf(maria.user.id)).to.deep.equal([]);
    });
  });

  describe('transient failures', () => {
    it('waits out the rate limit by itself and stores the message once, never marking it failed', async function () {
      this.timeout(90_000);
      const { maria, carlos, id } = await directPair();
      // Use up Maria's rate limit (30 a minute) directly.
      const filler: string[] = [];
      for (let i = 0; i < 30; i++) filler.push(await post(maria, id, `filler ${i}`));
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      const failures: string[] = [];
      mine.addEventListener('pasabay-message-fail', (event) => failures.push(event.detail.message));
      const limited = oneEvent(mine, 'pasabay-error');

      await typeAndSend(mine, 'over the limit');
      expect((await limited).detail.code).to.equal('rate-limited');
      const message = () => parts(mine, 'message').find((m) => m.textContent!.includes('over the limit'))!;
      await waitUntil(
        () => message().querySelector('[part~="status"]')!.textContent!.includes('too fast'),
        'no reason',
      );
      expect(message().getAttribute('part')).to.contain('queued');
      expect(message().querySelector('[part~="status"]')!.textContent!.trim()).to.equal(
        'Sending too fast — trying again in 2 s',
      );
      expect(message().querySelector<HTMLElement>('[part~="status"]')!.title).to.equal(
        'Rate limit exceeded: at most 30 messages a minute',
      );
      await expect(mine).to.be.accessible();

      // The minute "passes": the filler goes, and a retry of its own goes through with the same id.
      const { error } = await serviceClient().from('messages').delete().in('id', filler);
      expect(error?.message ?? null).to.equal(null);
      await waitForBody(theirs, 'over the limit');
      await waitUntil(() => !/queued|sending|failed/.test(message().getAttribute('part')!), 'never sent');
      expect(await storedBodies(id)).to.deep.equal(['over the limit']);
      expect(bodies(theirs)).to.deep.equal(['over the limit']);
      expect(failures).to.deep.equal([]);
    });

    it('gives up a send that never answers after its timeout and sends it again, once, before the next', async function () {
      this.timeout(60_000);
      const { maria, carlos, id } = await directPair();
      const hold = { first: true, held: 0 };
      // The first insert of a message vanishes on the way (no answer, ever) until its signal aborts.
      const client = createClient(stack.url, stack.anonKey, {
        global: {
          fetch: (input, init) => {
            const request = new Request(input, init);
            if (
              hold.first &&
              request.method === 'POST' &&
              new URL(request.url).pathname.endsWith('/rest/v1/messages')
            ) {
              hold.first = false;
              hold.held++;
              return new Promise<Response>((_, reject) =>
                init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
              );
            }
            return fetch(input, init);
          },
        },
        auth: { persistSession: false, autoRefreshToken: false, storageKey: `pasabay-blackhole-${maria.user.id}` },
      });
      const { error } = await client.auth.signInWithPassword({ email: maria.user.email!, password: TEST_PASSWORD });
      expect(error?.message ?? null).to.equal(null);
      const mine = await mountChat(client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);

      const written = ['first, into the void', 'second', 'third'];
      for (const body of written) await typeAndSend(mine, body);
      await waitUntil(() => hold.held === 1, 'the first insert was not held');
      await waitUntil(() => bodies(theirs).length === 3, 'not all arrived', { timeout: 45_000 });
      await waitUntil(
        () => mine.messageStore.messages.every((message) => message.delivery === 'sent'),
        'not all confirmed',
        { timeout: 10_000 },
      );
      expect(await storedBodies(id)).to.deep.equal(written);
      expect(bodies(mine)).to.deep.equal(written);
      expect(bodies(theirs)).to.deep.equal(written);
    });
  });

  describe('replication gap', () => {
    it("catches up on the stack's replication-gap system event and reports a malformed one", async () => {
      const { maria, carlos, id } = await directPair();
      const kept = await post(maria, id, 'kept');
      const lost = await post(maria, id, 'lost on the way');
      const el = await mountChat(carlos.client, id);
      await waitLive(el);
      await waitForBody(el, 'lost on the way');
      // As if its event had never arrived: the view no longer holds it.
      el.messageStore.remove(lost);
      await el.updateComplete;
      expect(bodies(el)).to.deep.equal(['kept']);
      // A frame as the server sends it, through the client's own socket decoding.
      const socket = (
        carlos.client.realtime as unknown as {
          socketAdapter: { getSocket(): { onConnMessage(message: { data: string }): void } };
        }
      ).socketAdapter.getSocket();
      const deliver = (payload: unknown) =>
        socket.onConnMessage({
          data: JSON.stringify([null, null, `realtime:${conversationTopic(id)}`, 'system', payload]),
        });

      const errors: string[] = [];
      el.addEventListener('pasabay-error', (event) => errors.push(event.detail.code));
      deliver({ status: 'error', extension: 'replication', message: 42, channel: conversationTopic(id) });
      deliver({ status: 'error', extension: 'replication', message: 'gap', channel: 'conversation:someone-else' });
      await el.updateComplete;
      expect(errors).to.deep.equal(['invalid-payload', 'invalid-payload']);
      expect(bodies(el)).to.deep.equal(['kept']);

      deliver({
        status: 'error',
        extension: 'replication',
        message: 'Replication was interrupted; events may have been lost',
        channel: conversationTopic(id),
      });
      await waitForBody(el, 'lost on the way');
      expect(bodies(el)).to.deep.equal(['kept', 'lost on the way']);
      expect(el.messageStore.get(kept)?.delivery).to.equal('sent');
    });
  });

  describe('catch-up', () => {
    it("pages past the server's 1,000-row cap after a long disconnect, each message once and in order", async function () {
      this.timeout(120_000);
      const { maria, carlos, id } = await directPair();
      await post(maria, id, 'before');
      const el = await mountChat(carlos.client, id);
      await waitLive(el);
      await waitForBody(el, 'before');
      carlos.client.realtime.disconnect();
      await waitUntil(() => hasState(el, 'reconnecting'), 'never noticed the disconnect');
      const missed = Array.from({ length: 1500 }, (_, i) => `missed ${String(i).padStart(4, '0')}`);
      const admin = serviceClient();
      for (let start = 0; start < missed.length; start += 500) {
        const { error } = await admin
          .from('messages')
          .insert(
            missed.slice(start, start + 500).map((body) => ({ conversation_id: id, sender_id: maria.user.id, body })),
          );
        expect(error?.message ?? null).to.equal(null);
      }
      carlos.client.realtime.connect();
      // Maria's own inserts would now be over her rate limit: the backend writes for her.
      const after = await admin
        .from('messages')
        .insert({ conversation_id: id, sender_id: maria.user.id, body: 'after' });
      expect(after.error?.message ?? null).to.equal(null);
      await waitUntil(() => el.messageStore.size === 1502, `holds ${el.messageStore.size} of 1502`, {
        timeout: 60_000,
      });
      // A batch commits in one transaction: its rows share created_at and are ordered by id.
      const stored = await storedBodies(id);
      expect([...stored].sort().join('\n')).to.equal(['before', ...missed, 'after'].sort().join('\n'));
      expect(el.messageStore.messages.map((m) => m.body).join('\n')).to.equal(stored.join('\n'));
    });
  });
});
