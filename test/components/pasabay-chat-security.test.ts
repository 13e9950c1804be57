/**
 * <pasabay-chat> against forged events and refusals, with real clients on the local stack: a second
 * signed-in member tries every way of putting events on the conversation's topics, and nothing on
 * screen or in the database changes; rate-limit refusals are shown with their reason; avatars
 * load only from allowed places.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { SupabaseClient } from '@supabase/supabase-js';
import { acquireChannel } from '../../src/connection/channels.js';
import { conversationTopic } from '../../src/connection/topics.js';
import type { PasabayErrorEvent } from '../../src/events/pasabay-error.js';
import {
  clientFor,
  closeClients,
  restBroadcast,
  serverBroadcast,
  setRateLimit,
  type TestUser,
} from '../support/browser-stack.js';
import {
  bodies,
  directBetween,
  mountChat,
  newUser,
  part,
  parts,
  post,
  removeAndSettle,
  shadow,
  stack,
  typeAndSend,
  waitForBody,
  waitForState,
  waitLive,
  directPair,
  twoUsers,
} from './pasabay-chat-fixtures.js';

/** Everything a message row shows (body, edited marker, reactions, status), so any change shows here. */
const screenOf = (el: Element) =>
  parts(el, 'message')
    .map((message) => {
      const body = message.querySelector('[part~="body"]')?.textContent ?? '';
      const edited = message.querySelector('[part~="edited"]') ? ' (edited)' : '';
      const reactions = [...message.querySelectorAll('[part~="reaction"]')].map((r) =>
        r.textContent!.replace(/\s+/g, ''),
      );
      const status = message.querySelector('[part~="status"]')?.textContent?.trim() ?? '';
      return `${body}${edited} [${reactions.join(',')}] ${status}`;
    })
    .join(' | ');

function collectErrors(el: Element) {
  const errors: PasabayErrorEvent[] = [];
  el.addEventListener('pasabay-error', (event) => errors.push(event as PasabayErrorEvent));
  return errors;
}

describe('<pasabay-chat> security', () => {
  describe('forgeries by another member', () => {
    let maria: TestUser;
    let carlos: TestUser;
    let forger: SupabaseClient;
    let id: string;
    let mariasMessage: string;
    let carlosMessage: string;

    before(async () => {
      ({ maria, carlos } = await twoUsers());
      forger = await clientFor(carlos);
      id = await directBetween(maria, carlos);
      carlosMessage = await post(carlos, id, 'hello');
      mariasMessage = await post(maria, id, 'Hi!');
      const reacted = await carlos.client.from('message_reactions').insert({ message_id: mariasMessage, emoji: '👍' });
      if (reacted.error) throw new Error(reacted.error.message);
    });

    after(async () => {
      if (maria) await closeClients(maria.client, carlos.client, forger);
    });

    const row = (messageId: string, senderId: string, body: string) => ({
      id: messageId,
      conversation_id: id,
      sender_id: senderId,
      body,
      reply_to: null,
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted_at: null,
    });

    function forgedEvents() {
      const fake = crypto.randomUUID();
      return [
        {
          event: 'message',
          payload: {
            schema: 'public',
            table: 'messages',
            operation: 'INSERT',
            record: row(fake, maria.user.id, 'forged insert'),
            old_record: null,
          },
        },
        {
          event: 'message',
          payload: {
            schema: 'public',
            table: 'messages',
            operation: 'UPDATE',
            record: { ...row(mariasMessage, maria.user.id, 'forged edit'), edited_at: new Date().toISOString() },
            old_record: null,
          },
        },
        {
          event: 'message',
          payload: {
            schema: 'public',
            table: 'messages',
            operation: 'DELETE',
            record: null,
            old_record: row(carlosMessage, carlos.user.id, 'hello'),
          },
        },
        {
          event: 'reaction',
          payload: {
            schema: 'public',
            table: 'message_reactions',
            operation: 'INSERT',
            record: { message_id: mariasMessage, user_id: maria.user.id, emoji: '💀' },
            old_record: null,
          },
        },
        {
          event: 'reaction',
          payload: {
            schema: 'public',
            table: 'message_reactions',
            operation: 'DELETE',
            record: null,
            old_record: { message_id: mariasMessage, user_id: carlos.user.id, emoji: '👍' },
          },
        },
        {
          event: 'read',
          payload: {
            conversation_id: id,
            user_id: carlos.user.id,
            last_read_at: new Date(Date.now() + 3_600_000).toISOString(),
          },
        },
        {
          event: 'typing',
          payload: { conversation_id: id, user_id: maria.user.id, display_name: 'Mallory', is_typing: true },
        },
      ];
    }

    it('changes nothing with message, reaction, read and typing events broadcast on conversation:<id>, private or public, by socket or REST', async () => {
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitUntil(() => parts(el, 'reaction').length === 1, 'the reaction loads');
      const before = screenOf(el);
      expect(before).to.contain('Hi! [👍1] Sent');
      const errors = collectErrors(el);
      for (const isPrivate of [true, false]) {
        const lease = acquireChannel(forger, conversationTopic(id), {}, { private: isPrivate });
        await waitUntil(() => lease.status === 'joined', 'the forger joins', { timeout: 10_000 });
        for (const { event, payload } of forgedEvents()) {
          expect(await lease.send(event, payload)).to.equal('ok');
          await restBroadcast(forger, { topic: conversationTopic(id), event, payload, private: isPrivate });
        }
        await lease.release();
      }
      // A real message after the forgeries arrives; by then they would have too.
      await post(carlos, id, 'real one');
      await waitForBody(el, 'real one');
      expect(screenOf(el)).to.equal(`${before} | real one [] `);
      expect(bodies(el)).to.deep.equal(['hello', 'Hi!', 'real one']);
      const label = shadow(el).querySelector('typing-indicator')!.shadowRoot!.querySelector('[part~="label"]')!;
      expect(label.textContent!.trim()).to.equal('');
      expect(errors.length).to.equal(0);
      // The database holds what it held.
      const { data } = await maria.client
        .from('messages')
        .select('body, edited_at, deleted_at')
        .eq('conversation_id', id)
        .order('created_at');
      expect((data as { body: string }[]).map((m) => m.body)).to.deep.equal(['hello', 'Hi!', 'real one']);
      const reactions = await maria.client.from('message_reactions').select('emoji').eq('message_id', mariasMessage);
      expect((reactions.data as { emoji: string }[]).map((r) => r.emoji)).to.deep.equal(['👍']);
      await removeAndSettle(el, maria.client);
    });

    it('drops and reports well-formed events that do not belong to this conversation, even from the server', async () => {
      const other = await directBetween(maria, carlos);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitForBody(el, 'Hi!');
      const before = screenOf(el);
      const errors = collectErrors(el);
      const topic = conversationTopic(id);
      const elsewhere = {
        ...row(crypto.randomUUID(), carlos.user.id, 'from another conversation'),
        conversation_id: other,
      };
      await serverBroadcast(topic, 'message', {
        schema: 'public',
        table: 'messages',
        operation: 'INSERT',
        record: elsewhere,
        old_record: null,
      });
      await serverBroadcast(topic, 'message', {
        schema: 'public',
        table: 'message_reactions',
        operation: 'INSERT',
        record: row(crypto.randomUUID(), carlos.user.id, 'wrong table'),
        old_record: null,
      });
      await serverBroadcast(topic, 'read', {
        conversation_id: other,
        user_id: carlos.user.id,
        last_read_at: new Date(Date.now() + 3_600_000).toISOString(),
      });
      await serverBroadcast(topic, 'conversation', { conversation_id: other, kind: 'direct', title: null });
      await waitUntil(() => errors.length === 4, 'each reported once', { timeout: 10_000 });
      expect(errors.map((e) => e.detail.code)).to.deep.equal(Array(4).fill('invalid-payload'));
      expect(errors[0]!.detail.message).to.contain('another conversation');
      expect(errors[3]!.detail.message).to.contain('unknown event');
      expect(screenOf(el)).to.equal(before);
      await removeAndSettle(el, maria.client);
    });

    it('takes postgres-changes on the private conversation channel and ignores forgeries there too', async () => {
      const el = await mountChat(maria.client, id, 'postgres-changes');
      await waitLive(el);
      await waitForBody(el, 'Hi!');
      const channels = maria.client.getChannels();
      expect(channels.map((c) => c.topic)).to.include(`realtime:${conversationTopic(id)}`);
      for (const channel of channels) {
        expect((channel.params.config as { private?: boolean }).private, channel.topic).to.equal(true);
      }
      const before = screenOf(el);
      const errors = collectErrors(el);
      const lease = acquireChannel(forger, conversationTopic(id), {}, { private: false });
      await waitUntil(() => lease.status === 'joined', 'the forger joins', { timeout: 10_000 });
      for (const { event, payload } of forgedEvents()) await lease.send(event, payload);
      await lease.send('postgres_changes', {
        data: { type: 'INSERT', record: row(crypto.randomUUID(), maria.user.id, 'x') },
      });
      await lease.release();
      await post(carlos, id, 'real via changes');
      await waitForBody(el, 'real via changes');
      expect(screenOf(el)).to.equal(`${before} | real via changes [] `);
      expect(errors.length).to.equal(0);
      await removeAndSettle(el, maria.client);
    });
  });

  describe('refusals', () => {
    let restore: (() => Promise<void>) | undefined;

    afterEach(async () => {
      await restore?.();
      restore = undefined;
    });

    async function editThroughUi(el: Element, text: string) {
      const own = parts(el, 'message')
        .filter((m) => m.getAttribute('part')!.includes('own'))
        .at(-1)!;
      (own.querySelector('[part~="edit"]') as HTMLButtonElement).click();
      await (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
      await typeAndSend(el as never, text);
    }

    it('shows a refused edit with the rate limit as the reason and reports it', async () => {
      const { maria, id } = await directPair();
      await post(maria, id, 'first');
      restore = await setRateLimit('edit', 1);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitForBody(el, 'first');
      const errors = collectErrors(el);
      await editThroughUi(el, 'second');
      await waitUntil(() => bodies(el)[0] === 'second' && part(el, 'edited') !== null, 'the first edit saves');
      await waitUntil(async () => {
        const { data } = await maria.client.from('messages').select('body').eq('conversation_id', id).single();
        return (data as { body: string } | null)?.body === 'second';
      }, 'the first edit is stored');
      await editThroughUi(el, 'third');
      await waitUntil(() => part(el, 'notice') !== null, 'the refusal shows', { timeout: 10_000 });
      expect(part(el, 'notice')!.getAttribute('role')).to.equal('alert');
      expect(part(el, 'notice-text')!.textContent).to.equal(
        'Your edit was not saved: Rate limit exceeded: at most 1 edits a minute',
      );
      expect(bodies(el)[0]).to.equal('second');
      await waitUntil(() => errors.some((e) => e.detail.code === 'rate-limited'), 'pasabay-error fired');
      await expect(el).to.be.accessible();
      (part(el, 'notice-dismiss') as HTMLButtonElement).click();
      await waitUntil(() => part(el, 'notice') === null, 'dismissed');
      await removeAndSettle(el, maria.client);
    });

    it('shows a refused reaction with its reason and reports it', async () => {
      const { maria, carlos, id } = await directPair();
      await post(carlos, id, 'react to me');
      restore = await setRateLimit('reaction', 1);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitForBody(el, 'react to me');
      const errors = collectErrors(el);
      const pick = async (emoji: string) => {
        (part(el, 'react') as HTMLButtonElement).click();
        await el.updateComplete;
        parts(el, 'picker-option')
          .find((option) => option.textContent!.trim() === emoji)!
          .click();
      };
      await pick('👍');
      await waitUntil(async () => {
        const { data } = await maria.client.from('message_reactions').select('emoji');
        return (data as unknown[] | null)?.length === 1;
      }, 'the first reaction is stored');
      await pick('❤️');
      await waitUntil(() => part(el, 'notice') !== null, 'the refusal shows', { timeout: 10_000 });
      expect(part(el, 'notice-text')!.textContent).to.equal(
        'Your reaction was not saved: Rate limit exceeded: at most 1 reactions a minute',
      );
      await waitUntil(() => parts(el, 'reaction').length === 1, 'the refused reaction is taken back');
      expect(errors.some((e) => e.detail.code === 'rate-limited' && e.detail.source === 'message_reactions')).to.equal(
        true,
      );
      await expect(el).to.be.accessible();
      await removeAndSettle(el, maria.client);
    });

    it('shows why a message was not sent yet (a rate limit is waited out, not a failure)', async () => {
      const { maria, id } = await directPair();
      restore = await setRateLimit('message', 1);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await typeAndSend(el, 'one');
      await waitUntil(() => part(el, 'status')?.textContent === 'Sent', 'the first is sent');
      await typeAndSend(el, 'two');
      await waitUntil(() => parts(el, 'status').at(-1)!.textContent!.includes('too fast'), 'the second waits', {
        timeout: 10_000,
      });
      // 1 a minute: the next slot is 60 s away; the server's words are the status's title.
      expect(parts(el, 'status').at(-1)!.textContent!.trim()).to.equal('Sending too fast — trying again in 60 s');
      expect(parts(el, 'status').at(-1)!.title).to.equal('Rate limit exceeded: at most 1 messages a minute');
      expect(part(el, 'failed')).to.equal(null);
      await removeAndSettle(el, maria.client);
    });

    it('pauses typing after a refused typing update, reporting it once', async () => {
      const { maria, id } = await directPair();
      restore = await setRateLimit('typing', 1);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      const errors = collectErrors(el);
      const composer = part(el, 'composer') as HTMLTextAreaElement;
      const type = (text: string) => {
        composer.value = text;
        composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      };
      type('a');
      // Sending stops typing: the second update is over the limit.
      await typeAndSend(el, 'ab');
      await waitUntil(() => errors.some((e) => e.detail.code === 'rate-limited'), 'the refusal is reported', {
        timeout: 10_000,
      });
      expect((el as unknown as { typing: { paused: boolean } }).typing.paused).to.equal(true);
      for (const text of ['x', 'xy', 'xyz']) type(text);
      await typeAndSend(el, 'after');
      await waitForBody(el, 'after');
      expect(errors.filter((e) => e.detail.source === 'rpc send_typing').length).to.equal(1);
      await removeAndSettle(el, maria.client);
    });
  });

  describe('avatars', () => {
    it('loads a sender avatar only from the allowed places, without a referrer', async () => {
      const { maria, carlos } = await twoUsers();
      const ana = await newUser('Ana');
      const id = await directBetween(maria, carlos);
      const other = await directBetween(maria, ana);
      const outside = 'https://tracker.example.net/pixel.png';
      const storage = `${stack.url}/storage/v1/object/public/avatars/ana.png`;
      await carlos.client.from('profiles').update({ avatar_url: outside }).eq('id', carlos.user.id);
      await ana.client.from('profiles').update({ avatar_url: storage }).eq('id', ana.user.id);
      await post(carlos, id, 'from Carlos');
      await post(ana, other, 'from Ana');
      const el = await mountChat(maria.client, id);
      await waitForState(el, 'ready');
      await waitForBody(el, 'from Carlos');
      expect(part(el, 'avatar')!.localName).to.equal('span');
      expect(shadow(el).querySelector('img')).to.equal(null);
      el.setAttribute('avatar-hosts', 'https://tracker.example.net');
      await waitUntil(() => part(el, 'avatar')!.localName === 'img', 'an allowed host loads');
      expect(part(el, 'avatar')!.getAttribute('referrerpolicy')).to.equal('no-referrer');
      el.removeAttribute('avatar-hosts');
      el.conversationId = other;
      await waitForBody(el, 'from Ana');
      await waitUntil(() => part(el, 'avatar')?.localName === 'img', 'the project Storage avatar loads');
      const img = part(el, 'avatar') as HTMLImageElement;
      expect(img.localName).to.equal('img');
      expect(img.getAttribute('src')).to.equal(storage);
      expect(img.getAttribute('referrerpolicy')).to.equal('no-referrer');
      await removeAndSettle(el, maria.client);
    });
  });
});
