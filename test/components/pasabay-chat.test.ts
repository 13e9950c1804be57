/**
 * <pasabay-chat> against the local stack with real supabase-js: two users, history, live messages,
 * receipts, reactions, edits, states, accessibility, XSS and RTL. Reliability under reconnects,
 * offline sends and failures is in pasabay-chat-reliability.test.ts.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { newClient, openToContact } from '../support/browser-stack.js';
import {
  bodies,
  directBetween,
  groupOf,
  hasState,
  mountChat,
  newUser,
  part,
  parts,
  post,
  removeAndSettle,
  serviceClient,
  shadow,
  typeAndSend,
  waitForBody,
  waitForState,
  waitLive,
  directPair,
  twoUsers,
} from './pasabay-chat-fixtures.js';

describe('<pasabay-chat>', () => {
  describe('two users', () => {
    it('delivers a message end to end: sending → sent → seen, with receive and unread events', async () => {
      const { maria, carlos, id } = await directPair();
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      expect(hasState(mine, 'empty')).to.equal(true);

      const sent = oneEvent(mine, 'pasabay-message-send');
      const received = oneEvent(theirs, 'pasabay-message-receive');
      await typeAndSend(mine, '  Hello Carlos!  ');
      const sendEvent = await sent;
      expect(sendEvent.detail.body).to.equal('Hello Carlos!');
      expect(bodies(mine)).to.deep.equal(['Hello Carlos!']);
      expect((part(mine, 'composer') as HTMLTextAreaElement).value).to.equal('');
      expect(shadow(mine).activeElement).to.equal(part(mine, 'composer'));

      const receiveEvent = await received;
      expect(receiveEvent.detail.message.id).to.equal(sendEvent.detail.id);
      expect(receiveEvent.detail.via).to.equal('live');
      await waitForBody(theirs, 'Hello Carlos!');
      // Carlos's chat is on screen and scrolled to the end, so it marks the conversation read.
      await waitUntil(() => part(mine, 'status')?.textContent?.trim() === 'Seen', 'Maria never saw "Seen"', {
        timeout: 15_000,
      });
      expect(parts(theirs, 'message')[0]!.getAttribute('part')).to.contain('other');
      expect(parts(mine, 'message')[0]!.getAttribute('part')).to.contain('own');
      await expect(mine).to.be.accessible();
    });

    it('counts unread messages while scrolled away and marks them read at the bottom', async () => {
      const { maria, carlos, id } = await directPair();
      for (let i = 0; i < 24; i++) await post(maria, id, `filler ${i}\nsecond line`);
      const theirs = await mountChat(carlos.client, id);
      await waitLive(theirs);
      await waitUntil(() => theirs.unreadCount === 0, 'initial messages never marked read');
      const log = part(theirs, 'log')!;
      log.scrollTop = 0;
      log.dispatchEvent(new Event('scroll'));
      await theirs.updateComplete;

      const unread = oneEvent(theirs, 'pasabay-unread-change');
      await post(maria, id, 'are you there?');
      expect((await unread).detail.unreadCount).to.equal(1);
      await waitUntil(() => part(theirs, 'jump')?.textContent?.includes('1 new message'), 'no "1 new message" button');

      const read = oneEvent(theirs, 'pasabay-unread-change');
      part(theirs, 'jump')!.click();
      expect((await read).detail.unreadCount).to.equal(0);
    });

    it('edits, deletes, reacts and replies, seen live by the other member', async () => {
      const { maria, carlos, id } = await directPair();
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      await typeAndSend(mine, 'Meet at 5?');
      await waitForBody(theirs, 'Meet at 5?');

      // Carlos reacts through the picker.
      const message = parts(theirs, 'message')[0]!;
      message.focus();
      (message.querySelector('[part~="react"]') as HTMLButtonElement).click();
      await theirs.updateComplete;
      (shadow(theirs).querySelector('[part~="picker-option"]') as HTMLButtonElement).click();
      await waitUntil(() => part(mine, 'reaction')?.textContent?.includes('1'), 'Maria never saw the reaction');
      expect(part(theirs, 'reaction')!.getAttribute('aria-pressed')).to.equal('true');

      // Carlos replies.
      (parts(theirs, 'message')[0]!.querySelector('[part~="reply"]') as HTMLButtonElement).click();
      await theirs.updateComplete;
      expect(part(theirs, 'context')!.textContent).to.contain('Replying to Maria');
      await typeAndSend(theirs, 'Yes, 5 works');
      await waitForBody(mine, 'Yes, 5 works');
      await waitUntil(() => part(mine, 'reply-quote')?.textContent?.includes('Meet at 5?'), 'no reply quote');
      // The quote belongs to the reply's bubble, not floating between it and the message above.
      expect(part(mine, 'reply-quote')!.closest('[part~="bubble"]')).to.not.equal(null);

      // Maria edits, then deletes, her message.
      (parts(mine, 'message')[0]!.querySelector('[part~="edit"]') as HTMLButtonElement).click();
      await mine.updateComplete;
      expect((part(mine, 'composer') as HTMLTextAreaElement).value).to.equal('Meet at 5?');
      await typeAndSend(mine, 'Meet at 6?');
      await waitForBody(theirs, 'Meet at 6?');
      await waitUntil(() => part(theirs, 'edited') !== null, 'no edited marker');
      (parts(mine, 'message')[0]!.querySelector('[part~="delete"]') as HTMLButtonElement).click();
      // Sent once its undo window (PasabayChat.undoDeleteMs) has passed.
      await waitUntil(
        () => parts(theirs, 'message')[0]!.getAttribute('part')!.includes('deleted'),
        'deletion not seen',
        { timeout: 12_000 },
      );
      expect(bodies(theirs)[0]).to.equal('This message was deleted.');
      await expect(theirs).to.be.accessible();
    });

    it('shows typing through the embedded <typing-indicator>', async () => {
      const { maria, carlos, id } = await directPair();
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      const indicator = shadow(theirs).querySelector('typing-indicator')!;
      await waitUntil(() => indicator.matches(':not(:state(offline))'), 'typing channel never joined', {
        timeout: 15_000,
      });
      const composer = part(mine, 'composer') as HTMLTextAreaElement;
      composer.value = 'Hel';
      composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      await waitUntil(
        () => indicator.shadowRoot?.querySelector('[part~="label"]')?.textContent?.includes('Maria'),
        'typing never shown',
        { timeout: 15_000 },
      );
    });

    it('works with realtime="postgres-changes"', async () => {
      const { maria, carlos, id } = await directPair();
      const theirs = await mountChat(carlos.client, id, 'postgres-changes');
      await waitLive(theirs);
      await post(maria, id, 'via postgres changes');
      await waitForBody(theirs, 'via postgres changes');
      expect(bodies(theirs)).to.deep.equal(['via postgres changes']);
    });

    it('opens a direct conversation from with-user with someone who opted in to be reachable', async () => {
      const { maria, carlos } = await twoUsers();
      await openToContact(carlos);
      const el = await fixture<PasabayChat>(
        html`<pasabay-chat style="height: 300px" .client=${maria.client} with-user=${carlos.user.id}></pasabay-chat>`,
      );
      await waitLive(el);
      const id = el.activeConversationId!;
      const again = await carlos.client.rpc('start_direct_conversation', { other_user_id: maria.user.id });
      expect(again.error).to.equal(null);
      expect((again.data as { id: string }).id).to.equal(id);
    });

    it('opens an external-ref conversation for exactly its members, which a squatter who claimed the key first cannot take', async () => {
      const { maria, carlos } = await twoUsers();
      const squatter = await newUser('Squatter');
      await openToContact(maria);
      await openToContact(carlos);
      const ref = `booking:${Math.random().toString(36).slice(2, 10)}`;
      // The squatter claims the key first, naming both real parties as members.
      const claimed = await squatter.client.rpc('get_or_create_conversation', {
        external_ref: ref,
        member_ids: [maria.user.id, carlos.user.id],
      });
      expect(claimed.error).to.equal(null);
      const squatted = (claimed.data as { id: string }).id;

      const mine = await fixture<PasabayChat>(
        html`<pasabay-chat
          style="height: 300px"
          .client=${maria.client}
          external-ref=${ref}
          members=${carlos.user.id}
        ></pasabay-chat>`,
      );
      const theirs = await fixture<PasabayChat>(
        html`<pasabay-chat
          style="height: 300px"
          .client=${carlos.client}
          external-ref=${ref}
          members=${maria.user.id}
        ></pasabay-chat>`,
      );
      await waitLive(mine);
      await waitLive(theirs);
      expect(mine.activeConversationId).to.equal(theirs.activeConversationId);
      expect(mine.activeConversationId).to.not.equal(squatted);

      await typeAndSend(mine, 'for the two of us');
      await waitForBody(theirs, 'for the two of us');
      const seen = await squatter.client
        .from('messages')
        .select('id')
        .eq('conversation_id', mine.activeConversationId!);
      expect(seen.data).to.deep.equal([]);
    });
  });

  describe('history', () => {
    it('loads older pages on scroll-up without moving what is on screen', async () => {
      const { maria, carlos, id } = await directPair();
      const service = serviceClient();
      // One statement per row, so each has its own created_at (rows of one statement share now()).
      for (let i = 0; i < 120; i++) {
        const { error } = await service
          .from('messages')
          .insert({ conversation_id: id, sender_id: maria.user.id, body: `history ${i}` });
        expect(error?.message ?? null).to.equal(null);
      }
      const el = await mountChat(carlos.client, id);
      el.pageSize = 50;
      await waitLive(el);
      await waitUntil(() => bodies(el).includes('history 119'), 'latest page missing');
      const log = part(el, 'log')!;
      // Scroll near the top (not yet close enough to load), let the window follow, then go a little
      // further up and note which message is first on screen, and where.
      log.scrollTop = 700;
      log.dispatchEvent(new Event('scroll'));
      await el.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      expect(el.messageStore.size).to.equal(50);
      log.scrollTop = 500;
      const top = log.getBoundingClientRect().top;
      const anchor = parts(el, 'message').find((m) => m.getBoundingClientRect().bottom > top)!;
      const anchorId = anchor.dataset.id!;
      const anchorTop = anchor.getBoundingClientRect().top;
      log.dispatchEvent(new Event('scroll'));
      await waitUntil(() => el.messageStore.size > 50, 'older page never loaded', { timeout: 15_000 });
      await waitUntil(() => part(el, 'history-status') === null, 'still loading');
      await el.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      // The message that was first on screen is still exactly where it was.
      const same = shadow(el).querySelector<HTMLElement>(`[part~="message"][data-id="${anchorId}"]`);
      expect(same, 'anchor message still rendered').to.not.equal(null);
      expect(Math.abs(same!.getBoundingClientRect().top - anchorTop)).to.be.below(2);
      expect(log.scrollTop).to.be.greaterThan(0);
      for (let i = 0; i < 5 && el.messageStore.size < 120; i++) {
        log.scrollTop = 0;
        log.dispatchEvent(new Event('scroll'));
        await waitUntil(() => part(el, 'history-status') === null, 'page load never finished', { timeout: 15_000 });
      }
      await waitUntil(() => el.messageStore.size === 120, 'not all history loaded', { timeout: 15_000 });
      const ids = el.messageStore.messages.map((m) => m.body);
      expect(ids[0]).to.equal('history 0');
      expect(new Set(ids).size).to.equal(120);
      // A window, not the whole list, is in the DOM.
      expect(parts(el, 'message').length).to.be.below(120);
    });

    it('leaves an edit of a message older than the loaded page to paging, so history has no gap', async () => {
      const { maria, carlos, id } = await directPair();
      const service = serviceClient();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { data, error } = await service
          .from('messages')
          .insert({ conversation_id: id, sender_id: maria.user.id, body: `old ${i}` })
          .select('id')
          .single<{ id: string }>();
        expect(error?.message ?? null).to.equal(null);
        ids.push(data!.id);
      }
      const el = await fixture<PasabayChat>(
        html`<pasabay-chat
          style="height: 800px"
          no-header
          .client=${carlos.client}
          conversation-id=${id}
          page-size="3"
        ></pasabay-chat>`,
      );
      await waitLive(el);
      await waitUntil(() => bodies(el).includes('old 7'), 'latest page missing');
      expect(el.messageStore.size).to.equal(3);
      // Maria edits her second message (on the server: not in Carlos's loaded page), then sends a new one.
      const edit = await maria.client.from('messages').update({ body: 'old 1, edited' }).eq('id', ids[1]!);
      expect(edit.error?.message ?? null).to.equal(null);
      const sent = await maria.client.from('messages').insert({ conversation_id: id, body: 'new one' });
      expect(sent.error?.message ?? null).to.equal(null);
      // The new message arrives after the edit on the same channel, so the edit was seen and left out.
      await waitUntil(() => bodies(el).includes('new one'), 'the later message never arrived');
      // No page was loaded meanwhile: the rows fit the log, so it never scrolled near the top.
      expect(el.messageStore.size).to.equal(4);
      expect(el.messageStore.get(ids[1]!)?.body ?? 'not held').to.equal('not held');
      const log = part(el, 'log')!;
      for (let i = 0; i < 5 && el.messageStore.size < 9; i++) {
        log.scrollTop = 0;
        log.dispatchEvent(new Event('scroll'));
        await waitUntil(() => part(el, 'history-status') === null, 'page load never finished', { timeout: 15_000 });
      }
      await waitUntil(() => el.messageStore.size === 9, 'not all history loaded', { timeout: 15_000 });
      expect(el.messageStore.messages.map((m) => m.body)).to.deep.equal([
        'old 0',
        'old 1, edited',
        'old 2',
        'old 3',
        'old 4',
        'old 5',
        'old 6',
        'old 7',
        'new one',
      ]);
    });
  });

  describe('composer', () => {
    it('keeps Shift+Enter and IME Enter as line breaks and shows the limit before the server refuses', async () => {
      const { maria, id } = await directPair();
      const el = await mountChat(maria.client, id);
      el.maxLength = 20;
      await waitLive(el);
      const composer = part(el, 'composer') as HTMLTextAreaElement;
      composer.value = 'line one';
      composer.dispatchEvent(new InputEvent('input'));
      composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, cancelable: true }));
      composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, cancelable: true }));
      await el.updateComplete;
      expect(el.messageStore.size).to.equal(0);
      composer.value = 'x'.repeat(25);
      composer.dispatchEvent(new InputEvent('input'));
      await el.updateComplete;
      expect(part(el, 'counter')!.textContent!.trim()).to.equal('5 characters over the limit');
      expect(composer.getAttribute('aria-invalid')).to.equal('true');
      expect((part(el, 'send') as HTMLButtonElement).disabled).to.equal(true);
      composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
      await el.updateComplete;
      expect(el.messageStore.size).to.equal(0);
    });

    it('lets a host cancel pasabay-message-send', async () => {
      const { maria, id } = await directPair();
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      el.addEventListener('pasabay-message-send', (event) => event.preventDefault(), { once: true });
      await typeAndSend(el, 'not yet');
      expect(el.messageStore.size).to.equal(0);
      expect((part(el, 'composer') as HTMLTextAreaElement).value).to.equal('not yet');
    });
  });

  describe('states', () => {
    it('says no conversation is selected', async () => {
      const el = await fixture<PasabayChat>(html`<pasabay-chat></pasabay-chat>`);
      expect(part(el, 'state')!.textContent).to.contain('No conversation selected');
      await expect(el).to.be.accessible();
    });

    it('shows loading, then empty, each accessible', async () => {
      const { maria, id } = await directPair();
      const el = await mountChat(maria.client, id);
      expect(hasState(el, 'loading')).to.equal(true);
      expect(part(el, 'log')!.getAttribute('aria-busy')).to.equal('true');
      await expect(el).to.be.accessible();
      await waitForState(el, 'empty');
      expect(part(el, 'empty')!.textContent).to.contain('No messages yet');
      expect(part(el, 'log')!.getAttribute('aria-busy')).to.equal('false');
      // The empty message sits in the middle of the log, not in its upper third.
      const log = part(el, 'log')!.getBoundingClientRect();
      const empty = part(el, 'empty')!.getBoundingClientRect();
      const logMiddle = log.top + log.height / 2;
      expect(empty.top).to.be.below(logMiddle);
      expect(empty.bottom).to.be.above(logMiddle);
      await expect(el).to.be.accessible();
    });

    it('shows an outsider the not-allowed state and opens no channel', async () => {
      const { maria, carlos } = await twoUsers();
      const outsider = await newUser('Outsider');
      const id = await directBetween(maria, carlos);
      await post(maria, id, 'private');
      const el = await mountChat(outsider.client, id);
      await waitForState(el, 'not-allowed');
      expect(part(el, 'state')!.textContent).to.contain('not a member');
      expect(part(el, 'log')).to.equal(null);
      expect(outsider.client.getChannels().filter((c) => c.topic.includes(id)).length).to.equal(0);
      await expect(el).to.be.accessible();
    });

    it('asks for sign-in when the client has no session', async () => {
      const anonymous = newClient();
      const required = oneEventFromDocument('pasabay-auth-required');
      const el = await mountChat(anonymous, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
      await waitForState(el, 'auth-required');
      await required;
      expect(part(el, 'state')!.textContent).to.contain('Sign in');
      await expect(el).to.be.accessible();
    });

    it('shows the error state when nothing is configured', async () => {
      const errored = oneEventFromDocument('pasabay-error');
      const el = await fixture<PasabayChat>(
        html`<pasabay-chat conversation-id="aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"></pasabay-chat>`,
      );
      await waitForState(el, 'error');
      expect((await errored).detail.code).to.equal('configuration');
      expect(part(el, 'state')!.getAttribute('role')).to.equal('alert');
      await expect(el).to.be.accessible();
    });

    it("is accessible with own, others', failed and reacted messages, in dark theme too", async () => {
      const { maria, carlos, id } = await directPair();
      const first = await post(carlos, id, 'Hello https://example.com/path');
      await carlos.client.from('message_reactions').insert({ message_id: first, emoji: '👍' });
      await post(maria, id, 'Hi!');
      const el = await mountChat(maria.client, id);
      await waitForState(el, 'ready');
      await waitUntil(() => part(el, 'reaction') !== null, 'reaction not loaded');
      el.messageStore.addLocal(
        { id: crypto.randomUUID(), conversation_id: id, sender_id: maria.user.id, body: 'failed one', reply_to: null },
        'failed',
      );
      await el.updateComplete;
      await expect(el).to.be.accessible();
      el.theme = 'dark';
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });
  });

  describe('channels', () => {
    it('holds no channels after removal, also after 20 mount/remove cycles', async () => {
      const { maria, id } = await directPair();
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      expect(maria.client.getChannels().length).to.be.greaterThan(0);
      await removeAndSettle(el, maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
      for (let i = 0; i < 20; i++) {
        const cycled = await mountChat(maria.client, id);
        await cycled.updateComplete;
        if (i % 5 === 0) await waitLive(cycled);
        await removeAndSettle(cycled, maria.client);
      }
      expect(maria.client.getChannels().length).to.equal(0);
    });

    it('keeps the other element live when one of two on the same topic is removed', async () => {
      const { maria, carlos, id } = await directPair();
      const one = await mountChat(maria.client, id);
      const two = await mountChat(maria.client, id);
      await Promise.all([waitLive(one), waitLive(two)]);
      await removeAndSettle(one, maria.client);
      await post(carlos, id, 'still here?');
      await waitForBody(two, 'still here?');
      expect(hasState(two, 'reconnecting')).to.equal(false);
    });

    it('rejoins after being moved in the DOM and switches conversations', async () => {
      const { maria, carlos } = await twoUsers();
      const ana = await newUser('Ana');
      const direct = await directBetween(maria, carlos);
      const group = await groupOf(maria, carlos, ana);
      const el = await mountChat(maria.client, direct);
      await waitLive(el);
      const elsewhere = document.createElement('div');
      document.body.append(elsewhere);
      elsewhere.append(el);
      await waitLive(el);
      await post(carlos, direct, 'after the move');
      await waitForBody(el, 'after the move');
      // Two people: the avatar is enough, no name above each group.
      expect(parts(el, 'sender').length).to.equal(0);
      expect(parts(el, 'avatar').length).to.equal(1);
      el.conversationId = group;
      await waitUntil(() => el.activeConversationId === group && hasState(el, 'empty'), 'never switched');
      await waitLive(el);
      await post(ana, group, 'hello group');
      await waitForBody(el, 'hello group');
      expect(bodies(el)).to.deep.equal(['hello group']);
      expect(parts(el, 'sender').map((sender) => sender.textContent)).to.deep.equal(['Ana']);
      const topics = maria.client.getChannels().map((c) => c.topic);
      expect(topics.some((t) => t.includes(direct))).to.equal(false);
      el.remove();
      elsewhere.remove();
    });
  });

  describe('safety', () => {
    const corpus = [
      '<script>window.__pwned = 1</script>',
      '<img src=x onerror="window.__pwned = 2">',
      '<svg onload="window.__pwned = 3"></svg>',
      '<iframe src="javascript:window.__pwned = 4"></iframe>',
      '"><a href="javascript:window.__pwned=5">click</a>',
      'javascript:window.__pwned=6',
      '[x](javascript:window.__pwned=7)',
      '<a href="https://evil.test" onclick="window.__pwned=8">x</a>',
      'https://ok.test/"><img src=x onerror=window.__pwned=9>',
      '{{constructor.constructor("window.__pwned=10")()}}',
      '<style>*{display:none}</style>',
      '&lt;b&gt;entity&lt;/b&gt;',
      'data:text/html,<script>window.__pwned=11</script>',
      '\u202Emirrored https://ok.test/\u202C',
    ];

    it('renders a corpus of XSS payloads as inert text', async () => {
      const { maria, carlos, id } = await directPair();
      for (const payload of corpus) await post(carlos, id, payload);
      // Tall enough that the log's window (viewport plus overscan) holds every row, so all payloads
      // are in the DOM at once; at 360px the oldest rows are left out as windowing should.
      const el = await fixture<PasabayChat>(
        html`<pasabay-chat
          style="height: 2400px"
          .client=${maria.client}
          conversation-id=${id}
          realtime="broadcast"
        ></pasabay-chat>`,
      );
      await waitForState(el, 'ready');
      await waitUntil(() => parts(el, 'message').length === corpus.length, 'not all payloads rendered');
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
      const rendered = bodies(el);
      corpus.forEach((payload, index) => expect(rendered[index]).to.equal(payload.trim()));
      for (const body of parts(el, 'body')) {
        for (const child of body.querySelectorAll('*')) {
          // Formatting (view/rich-text.ts) adds only these elements, with a part and no other attribute.
          if (child.localName !== 'a') {
            expect(['p', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li'], body.textContent!).to.include(
              child.localName,
            );
            expect([...child.attributes].map((a) => a.name).filter((name) => name !== 'start')).to.deep.equal(['part']);
            continue;
          }
          expect(child.localName, body.textContent!).to.equal('a');
          expect((child as HTMLAnchorElement).protocol).to.match(/^https?:$/);
          expect(child.getAttribute('rel')).to.equal('noopener noreferrer nofollow');
          expect(child.getAttribute('referrerpolicy')).to.equal('no-referrer');
          expect(child.getAttribute('target')).to.equal('_blank');
          expect([...child.attributes].map((a) => a.name).sort()).to.deep.equal([
            'href',
            'part',
            'referrerpolicy',
            'rel',
            'target',
          ]);
        }
      }
    });
  });

  describe('direction', () => {
    it('mirrors the layout in dir="rtl"', async () => {
      const { maria, carlos, id } = await directPair();
      await post(carlos, id, 'مرحبا');
      await post(maria, id, 'أهلا');
      const wrapper = await fixture<HTMLDivElement>(
        html`<div dir="rtl" lang="ar" style="width: 480px">
          <pasabay-chat style="height: 320px" .client=${maria.client} conversation-id=${id}></pasabay-chat>
        </div>`,
      );
      const el = wrapper.querySelector('pasabay-chat')!;
      await waitForState(el, 'ready');
      await waitUntil(() => parts(el, 'bubble').length === 2, 'messages missing');
      const log = part(el, 'log')!.getBoundingClientRect();
      const [theirs, mine] = parts(el, 'bubble').map((b) => b.getBoundingClientRect());
      // Others start at the right (inline-start in RTL), one's own sit at the left.
      expect(log.right - theirs!.right).to.be.below(log.width / 4);
      expect(mine!.left - log.left).to.be.below(log.width / 4);
      const composer = part(el, 'composer')!.getBoundingClientRect();
      const send = part(el, 'send')!.getBoundingClientRect();
      expect(send.right).to.be.at.most(composer.left + 1);
      // A Latin-script time keeps its own order inside the right-to-left line ("1:18 AM", not "AM 1:18").
      expect(getComputedStyle(part(el, 'time')!).unicodeBidi).to.equal('plaintext');
      await expect(el).to.be.accessible();
    });
  });
});

function oneEventFromDocument<K extends keyof GlobalEventHandlersEventMap>(
  name: K,
): Promise<GlobalEventHandlersEventMap[K]> {
  return new Promise((resolve) =>
    document.addEventListener(name, (event) => resolve(event as GlobalEventHandlersEventMap[K]), { once: true }),
  );
}
