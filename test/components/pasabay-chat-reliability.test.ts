/**
 * <pasabay-chat> when the network misbehaves, against the local stack: a reconnect in the middle of
 * a burst, sends written offline, a response lost in flight, and a send the server refuses.
 * Nothing may be lost and nothing may appear twice.
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
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

async function storedBodies(conversationId: string): Promise<string[]> {
  const { data, error } = await serviceClient()
    .from('messages')
    .select('body, created_at, id')
    .eq('conversation_id', conversationId)
    .order('created_at', { ascending: true })
    .order('id', { ascending: true });
  if (error) throw new Error(error.message);
  return (data as { body: string }[]).map((row) => row.body);
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
        await waitUntil(() => gate.held.length === 1, 'the catch-up never read reactions');

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

    it('shows a refused message as failed after a reload, and sends it once on retry', async () => {
      const { maria, id } = await directPair();
      const filler: string[] = [];
      for (let i = 0; i < 30; i++) filler.push(await post(maria, id, `filler ${i}`));
      const mine = await mountChat(maria.client, id);
      await waitLive(mine);
      const failed = oneEvent(mine, 'pasabay-message-fail');
      await typeAndSend(mine, 'over the limit');
      await failed;
      await removeAndSettle(mine, maria.client);

      const reloaded = await mountChat(maria.client, id);
      await waitLive(reloaded);
      await waitForBody(reloaded, 'over the limit');
      const message = () => parts(reloaded, 'message').find((m) => m.textContent!.includes('over the limit'))!;
      expect(message().getAttribute('part')).to.contain('failed');
      expect(message().querySelector('[part~="status"]')!.textContent).to.contain('Not sent');

      const { error } = await serviceClient().from('messages').delete().in('id', filler);
      expect(error?.message ?? null).to.equal(null);
      (message().querySelector('[part~="retry"]') as HTMLButtonElement).click();
      await waitUntil(() => !/failed|sending|queued/.test(message().getAttribute('part')!), 'still not sent');
      expect((await storedBodies(id)).filter((body) => body === 'over the limit').length).to.equal(1);
      expect(outboxKeysOf(maria.user.id)).to.deep.equal([]);
    });
  });

  describe('failed send', () => {
    it('keeps a refused message visible and sends it once on retry', async () => {
      const { maria, carlos, id } = await directPair();
      // Use up Maria's rate limit (30 a minute) directly.
      const filler: string[] = [];
      for (let i = 0; i < 30; i++) filler.push(await post(maria, id, `filler ${i}`));
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);

      const failed = oneEvent(mine, 'pasabay-message-fail');
      await typeAndSend(mine, 'over the limit');
      const event = await failed;
      expect(event.detail.message).to.contain('Rate limit exceeded');
      await mine.updateComplete;
      const message = parts(mine, 'message').find((m) => m.textContent!.includes('over the limit'))!;
      expect(message.getAttribute('part')).to.contain('failed');
      expect(message.querySelector('[part~="status"]')!.textContent).to.contain('Not sent');
      await expect(mine).to.be.accessible();

      // The minute "passes": the filler goes, and the retry goes through with the same id.
      const { error } = await serviceClient().from('messages').delete().in('id', filler);
      expect(error?.message ?? null).to.equal(null);
      (message.querySelector('[part~="retry"]') as HTMLButtonElement).click();
      await waitForBody(theirs, 'over the limit');
      await waitUntil(
        () => !parts(mine, 'message').some((m) => /failed|sending/.test(m.getAttribute('part')!)),
        'still failed',
      );
      const stored = await storedBodies(id);
      expect(stored.filter((body) => body === 'over the limit').length).to.equal(1);
      expect(stored.at(-1)).to.equal('over the limit');
      expect(bodies(theirs).filter((body) => body === 'over the limit').length).to.equal(1);
      expect(mine.messageStore.get(event.detail.id)?.delivery).to.equal('sent');
    });
  });
});
