import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { acquireChannel, channelRemovalsSettled } from '../../src/connection/channels.js';
import { typingTopic } from '../../src/connection/topics.js';
import { defineTypingIndicator, type TypingIndicator } from '../../src/components/typing-indicator/typing-indicator.js';
import type { PasabayTypingChangeEvent } from '../../src/events/pasabay-typing-change.js';
import { TypingRoster, TypingThrottle } from '../../src/controllers/typing-roster.js';
import { formatList, mergeStrings, typingSentence } from '../../src/i18n/strings.js';
import { typingStrings } from '../../src/i18n/typing.js';
import {
  clientFor,
  closeClients,
  conversationOf,
  newClient,
  newUser,
  restBroadcast,
  serverBroadcast,
  type TestUser,
} from '../support/browser-stack.js';

defineTypingIndicator();

const part = (el: TypingIndicator, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const label = (el: TypingIndicator) => part(el, 'label').textContent!.trim();
const statusText = (el: TypingIndicator) => el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim();
const isJoined = (el: TypingIndicator) => el.isConnected && !el.matches(':state(offline)');

describe('<typing-indicator>', () => {
  describe('sentences (pure)', () => {
    it('names one and two typists and counts three or more', () => {
      expect(typingSentence([], typingStrings, 'en')).to.equal('');
      expect(typingSentence(['Maria'], typingStrings, 'en')).to.equal('Maria is typing…');
      expect(typingSentence(['Maria', 'Carlos'], typingStrings, 'en')).to.equal('Maria and Carlos are typing…');
      expect(typingSentence(['Maria', 'Carlos', 'Ana'], typingStrings, 'en')).to.equal('3 people are typing…');
      expect(typingSentence([' '], typingStrings, 'en')).to.equal('Someone is typing…');
    });

    it('joins names with the rules of the language', () => {
      expect(formatList(['María', 'Carlos'], 'es')).to.equal('María y Carlos');
      expect(formatList(['Maria', 'Carlos', 'Ana'], 'en')).to.equal('Maria, Carlos, and Ana');
      expect(formatList(['A', 'B'], 'not a language tag!')).to.be.a('string');
    });

    it('merges overrides over the defaults', () => {
      const strings = mergeStrings(typingStrings, { typingMany: (n) => `${n} personas escriben…` });
      expect(typingSentence(['a', 'b', 'c', 'd'], strings)).to.equal('4 personas escriben…');
      expect(typingSentence(['Ana'], strings)).to.equal('Ana is typing…');
    });
  });

  describe('roster and throttle (pure)', () => {
    it('expires typists that go quiet and drops those who stop', () => {
      const roster = new TypingRoster(5000);
      expect(roster.apply({ user_id: 'a', display_name: 'Ana', typing: true }, 0)).to.equal(true);
      expect(roster.apply({ user_id: 'b', display_name: 'Ben', typing: true }, 1000)).to.equal(true);
      expect(roster.apply({ user_id: 'a', display_name: 'Ana', typing: true }, 3000)).to.equal(false);
      expect(roster.nextExpiry()).to.equal(6000);
      expect(roster.expire(5999)).to.equal(false);
      expect(roster.expire(6000)).to.equal(true);
      expect(roster.typists.map((t) => t.userId)).to.deep.equal(['a']);
      expect(roster.apply({ user_id: 'a', display_name: 'Ana', typing: false }, 6500)).to.equal(true);
      expect(roster.typists.length).to.equal(0);
      expect(roster.nextExpiry()).to.equal(undefined);
    });

    it('sends typing at most once per interval and stop only after a start', () => {
      const throttle = new TypingThrottle(2000);
      expect(throttle.stop()).to.equal(false);
      expect(throttle.input(0)).to.equal(true);
      expect(throttle.input(1999)).to.equal(false);
      expect(throttle.input(2000)).to.equal(true);
      expect(throttle.stop()).to.equal(true);
      expect(throttle.input(2001)).to.equal(true);
    });
  });

  describe('live', () => {
    let maria: TestUser;
    let carlos: TestUser;
    let ana: TestUser;
    let jun: TestUser;
    let conversationId: string;
    let otherConversationId: string;

    function group(title: string) {
      return conversationOf(maria, [carlos, ana, jun], { title });
    }

    /** Typing of `user` in `id` the only way there is: through the database's `send_typing`. */
    async function sender(user: TestUser, id = conversationId) {
      return {
        typing: async (isTyping: boolean) => {
          const { error } = await user.client.rpc('send_typing', { conversation_id: id, is_typing: isTyping });
          if (error) throw new Error(`send_typing: ${error.message}`);
        },
      };
    }

    async function indicator(id = conversationId) {
      const el = await fixture<TypingIndicator>(
        html`<typing-indicator conversation-id=${id} .client=${maria.client}></typing-indicator>`,
      );
      await waitUntil(() => isJoined(el), 'indicator joins', { timeout: 10_000 });
      return el;
    }

    before(async () => {
      [maria, carlos, ana, jun] = await Promise.all([
        newUser('Maria'),
        newUser('Carlos'),
        newUser('Ana'),
        newUser('Jun'),
      ]);
      conversationId = await group('typing test');
      otherConversationId = await group('typing test 2');
    });

    after(async () => {
      if (maria) await closeClients(maria.client, carlos.client, ana.client, jun.client);
    });

    it('shows a typist and drops them when they stop', async () => {
      const el = await indicator();
      await expect(el).to.be.accessible();
      const carlosTypes = await sender(carlos);
      const changed = oneEvent(el, 'pasabay-typing-change');
      await carlosTypes.typing(true);
      const event = (await changed) as unknown as PasabayTypingChangeEvent;
      expect(event.detail.typists.map((t) => t.displayName)).to.deep.equal(['Carlos']);
      await waitUntil(() => label(el) === 'Carlos is typing…', 'label names Carlos');
      expect(el.matches(':state(typing)')).to.equal(true);
      await waitUntil(() => statusText(el) === 'Carlos is typing…', 'status sentence follows');
      await expect(el).to.be.accessible();

      await carlosTypes.typing(false);
      await waitUntil(() => label(el) === '', 'label clears when Carlos stops');
      expect(el.matches(':state(typing)')).to.equal(false);
    });

    it('expires a typist who goes quiet', async () => {
      const el = await indicator();
      const carlosTypes = await sender(carlos);
      await carlosTypes.typing(true);
      await waitUntil(() => label(el) === 'Carlos is typing…', 'Carlos shows');
      // No typing:false is sent: the entry must expire by itself.
      await waitUntil(() => label(el) === '', 'Carlos expires', { timeout: 15_000 });
      expect(el.typists.length).to.equal(0);
    });

    it('names two typists and counts three', async () => {
      const el = await indicator();
      const [c, a, j] = await Promise.all([sender(carlos), sender(ana), sender(jun)]);
      await c.typing(true);
      await waitUntil(() => label(el) === 'Carlos is typing…', 'one name');
      await a.typing(true);
      await waitUntil(() => label(el) === 'Carlos and Ana are typing…', 'two names');
      await expect(el).to.be.accessible();
      await j.typing(true);
      await waitUntil(() => label(el) === '3 people are typing…', 'three counted');
      await expect(el).to.be.accessible();
      // The status region catches up (throttled) with the latest sentence.
      await waitUntil(() => statusText(el) === '3 people are typing…', 'status catches up', { timeout: 10_000 });
      await Promise.all([c.typing(false), a.typing(false), j.typing(false)]);
      await waitUntil(() => label(el) === '', 'all stopped');
    });

    it("drops and reports what is not the database's typing of this conversation", async () => {
      const el = await indicator();
      const errors: string[] = [];
      el.addEventListener('pasabay-error', (event) => errors.push(event.detail.message));
      const topic = typingTopic(conversationId);
      // Even on this topic (only the database and a host app's backend can write there), the
      // element checks each event: a bad shape, another conversation, another event name.
      await serverBroadcast(topic, 'typing', { user_id: 'not-a-uuid', display_name: 42, typing: 'yes' });
      await serverBroadcast(topic, 'typing', {
        conversation_id: otherConversationId,
        user_id: ana.user.id,
        display_name: 'Ana',
        is_typing: true,
      });
      await serverBroadcast(topic, 'message', { body: 'hi' });
      await waitUntil(() => errors.length === 3, 'three reports', { timeout: 10_000 });
      expect(errors[1]).to.contain('another conversation');
      expect(errors[2]).to.contain('unknown event');
      expect(label(el)).to.equal('');
      expect(el.typists.length).to.equal(0);
    });

    describe('forgeries by another member', () => {
      it('shows nothing that a member broadcasts on the typing topic, private or public, in any name', async () => {
        const el = await indicator();
        const errors: Event[] = [];
        el.addEventListener('pasabay-error', (event) => errors.push(event));
        const forger = await clientFor(carlos);
        const topic = typingTopic(conversationId);
        const forged = [
          { conversation_id: conversationId, user_id: ana.user.id, display_name: 'Ana', is_typing: true },
          { conversation_id: conversationId, user_id: carlos.user.id, display_name: 'Mallory', is_typing: true },
          { user_id: jun.user.id, display_name: 'Jun', typing: true },
        ];
        try {
          for (const isPrivate of [true, false]) {
            const lease = acquireChannel(forger, topic, {}, { private: isPrivate });
            await waitUntil(() => lease.status === 'joined', 'the forger joins', { timeout: 10_000 });
            for (const payload of forged) {
              expect(await lease.send('typing', payload)).to.equal('ok');
              await restBroadcast(forger, { topic, event: 'typing', payload, private: isPrivate });
            }
            await lease.release();
          }
          // A typing RPC naming someone else: the database takes the caller and their profile name only.
          await carlos.client.rpc('send_typing', {
            conversation_id: conversationId,
            is_typing: true,
            user_id: ana.user.id,
            display_name: 'Mallory',
          });
          // The real thing, after the forgeries: it arrives, so they would have too.
          await (await sender(carlos)).typing(true);
          await waitUntil(() => label(el) === 'Carlos is typing…', 'only Carlos, by his profile name');
          expect(el.typists.map((t) => `${t.userId}:${t.displayName}`)).to.deep.equal([`${carlos.user.id}:Carlos`]);
          expect(errors.length).to.equal(0);
          await (await sender(carlos)).typing(false);
          await waitUntil(() => label(el) === '', 'Carlos stops');
        } finally {
          await closeClients(forger);
        }
      });
    });

    it('lays out right to left', async () => {
      const wrapper = await fixture<HTMLDivElement>(
        html`<div dir="rtl" lang="ar">
          <typing-indicator conversation-id=${conversationId} .client=${maria.client}></typing-indicator>
        </div>`,
      );
      const el = wrapper.querySelector('typing-indicator')!;
      await waitUntil(() => isJoined(el), 'indicator joins', { timeout: 10_000 });
      const carlosTypes = await sender(carlos);
      await carlosTypes.typing(true);
      await waitUntil(() => label(el) !== '', 'Carlos shows');
      expect(getComputedStyle(part(el, 'base')).direction).to.equal('rtl');
      expect(part(el, 'dots').getBoundingClientRect().left).to.be.greaterThan(
        part(el, 'label').getBoundingClientRect().left,
      );
      await expect(el).to.be.accessible();
      await carlosTypes.typing(false);
    });

    it('leaves on remove, rejoins on re-append', async () => {
      const el = await indicator();
      const parent = el.parentElement!;
      el.remove();
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);

      parent.append(el);
      await el.updateComplete;
      await waitUntil(() => isJoined(el), 'rejoins', { timeout: 10_000 });
      const carlosTypes = await sender(carlos);
      await carlosTypes.typing(true);
      await waitUntil(() => label(el) === 'Carlos is typing…', 'receives again after re-append');
      await carlosTypes.typing(false);
      el.remove();
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('survives a DOM move', async () => {
      const el = await indicator();
      const other = document.createElement('section');
      document.body.append(other);
      try {
        other.append(el);
        await el.updateComplete;
        await waitUntil(() => isJoined(el), 'joined after the move', { timeout: 10_000 });
        expect(maria.client.getChannels().length).to.equal(1);
        const carlosTypes = await sender(carlos);
        await carlosTypes.typing(true);
        await waitUntil(() => label(el) === 'Carlos is typing…', 'receives after the move');
        await carlosTypes.typing(false);
      } finally {
        other.remove();
      }
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('follows a conversation change', async () => {
      const el = await indicator();
      el.conversationId = otherConversationId;
      await el.updateComplete;
      await waitUntil(
        () =>
          isJoined(el) &&
          maria.client
            .getChannels()
            .map((c) => c.topic)
            .join() === `realtime:${typingTopic(otherConversationId)}`,
        'holds only the new topic',
        { timeout: 10_000 },
      );
      const inOld = await sender(ana, conversationId);
      const inNew = await sender(carlos, otherConversationId);
      await inOld.typing(true);
      await inNew.typing(true);
      await waitUntil(() => label(el) === 'Carlos is typing…', 'shows the new conversation only');
      expect(el.typists.map((t) => t.displayName)).to.deep.equal(['Carlos']);
      await Promise.all([inOld.typing(false), inNew.typing(false)]);
    });

    it('ends 20 mount / remove cycles with no channels', async () => {
      for (let cycle = 0; cycle < 20; cycle++) {
        const el = await fixture<TypingIndicator>(
          html`<typing-indicator conversation-id=${conversationId} .client=${maria.client}></typing-indicator>`,
        );
        if (cycle % 5 === 0) await waitUntil(() => isJoined(el), `cycle ${cycle} joins`, { timeout: 10_000 });
        el.remove();
      }
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('asks for auth when nobody is signed in', async () => {
      const anonymous = newClient();
      const required = new Promise<Event>((resolve) =>
        document.addEventListener('pasabay-auth-required', resolve, { once: true }),
      );
      const el = await fixture<TypingIndicator>(
        html`<typing-indicator conversation-id=${conversationId} .client=${anonymous}></typing-indicator>`,
      );
      const event = (await required) as CustomEvent & { detail: { reason: string } };
      expect(event.detail.reason).to.equal('no-session');
      expect(el.matches(':state(offline)')).to.equal(true);
      expect(anonymous.getChannels().length).to.equal(0);
      await expect(el).to.be.accessible();
    });

    it('reports a missing configuration and stays accessible', async () => {
      const error = new Promise<Event>((resolve) =>
        document.addEventListener('pasabay-error', resolve, { once: true }),
      );
      const el = await fixture<TypingIndicator>(
        html`<typing-indicator conversation-id=${conversationId}></typing-indicator>`,
      );
      const event = (await error) as CustomEvent & { detail: { code: string } };
      expect(event.detail.code).to.equal('configuration');
      await el.updateComplete;
      expect(el.matches(':state(error)')).to.equal(true);
      await expect(el).to.be.accessible();
    });
  });
});
