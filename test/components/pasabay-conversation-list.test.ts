import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import { userTopic } from '../../src/connection/topics.js';
import {
  definePasabayConversationList,
  type PasabayConversationList,
} from '../../src/components/pasabay-conversation-list/pasabay-conversation-list.js';
import {
  applyMessage,
  compareEntries,
  entryOf,
  matchesSearch,
  mergeEntry,
} from '../../src/components/pasabay-conversation-list/conversation-rows.js';
import { definePasabayChat, type PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { definePasabayLauncher, type PasabayLauncher } from '../../src/components/pasabay-launcher/pasabay-launcher.js';
import type { PasabayConversationSelectEvent } from '../../src/events/pasabay-conversation-select.js';
import type { PasabayErrorEvent } from '../../src/events/pasabay-error.js';
import {
  closeClients,
  conversationOf,
  newUser,
  serverBroadcast,
  serviceClient,
  type TestUser,
} from '../support/browser-stack.js';

definePasabayConversationList();
definePasabayChat();
definePasabayLauncher();

const rows = (el: PasabayConversationList) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="row"]')];
const rowOf = (el: PasabayConversationList, id: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="row"][data-id="${id}"]`);
const partText = (row: HTMLElement | null, name: string) =>
  row?.querySelector(`[part~="${name}"]`)?.textContent?.trim() ?? '';
const list = (el: PasabayConversationList) => el.shadowRoot!.querySelector<HTMLElement>('[part~="list"]')!;
const search = (el: PasabayConversationList) => el.shadowRoot!.querySelector<HTMLInputElement>('[part~="search"]')!;
const shownIds = (el: PasabayConversationList) => el.conversations.map((entry) => entry.id);
/** Topics of the client's channels (without the `realtime:` prefix), joined or not. */
const topicsOf = (user: TestUser) =>
  user.client.getChannels().map((channel) => channel.topic.replace(/^realtime:/, ''));
const userChannelJoined = (user: TestUser) =>
  user.client
    .getChannels()
    .some((channel) => channel.topic.endsWith(`user:${user.user.id}`) && channel.state === 'joined');

async function post(user: TestUser, conversationId: string, body: string): Promise<void> {
  const { error } = await user.client.from('messages').insert({ conversation_id: conversationId, body });
  if (error) throw new Error(`insert message: ${error.message}`);
}

function press(el: PasabayConversationList, key: string) {
  list(el).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
}

function typeSearch(el: PasabayConversationList, text: string) {
  const input = search(el);
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

describe('<pasabay-conversation-list>', () => {
  describe('rows (pure)', () => {
    const row = (id: string, at: string, extra: Record<string, unknown> = {}) =>
      entryOf({
        id,
        kind: 'group',
        title: 'T',
        other_user_id: null,
        other_display_name: null,
        other_avatar_url: null,
        activity_at: at,
        last_message_at: at,
        last_message_preview: null,
        last_read_at: null,
        unread_count: 0,
        ...extra,
      });
    const insert = (id: string, at: string, sender: string, conversation = '00000000-0000-4000-8000-000000000001') =>
      ({
        operation: 'INSERT',
        schema: 'public',
        table: 'messages',
        record: {
          id,
          conversation_id: conversation,
          sender_id: sender,
          body: `body ${id}`,
          reply_to: null,
          created_at: at,
          edited_at: null,
          deleted_at: null,
        },
      }) as Parameters<typeof applyMessage>[1];

    it('orders newest activity first, ties by id descending', () => {
      const a = row('00000000-0000-4000-8000-00000000000a', '2025-06-04T10:00:00Z');
      const b = row('00000000-0000-4000-8000-00000000000b', '2025-06-04T10:00:00Z');
      const c = row('00000000-0000-4000-8000-00000000000c', '2025-06-04T11:00:00Z');
      expect([a, b, c].sort(compareEntries).map((entry) => entry.id.at(-1))).to.deep.equal(['c', 'b', 'a']);
    });

    it('counts a message from others once, not what the database counted, not one’s own', () => {
      const entry = row('00000000-0000-4000-8000-000000000001', '2025-06-04T10:00:00Z', { unread_count: 1 });
      expect(applyMessage(entry, insert('m1', '2025-06-04T09:00:00Z', 'other'), 'me')).to.equal(false);
      expect(entry.unread).to.equal(1);
      applyMessage(entry, insert('m2', '2025-06-04T10:01:00Z', 'other'), 'me');
      applyMessage(entry, insert('m2', '2025-06-04T10:01:00Z', 'other'), 'me');
      applyMessage(entry, insert('m3', '2025-06-04T10:02:00Z', 'me'), 'me');
      expect(entry.unread).to.equal(2);
      expect(entry.preview).to.equal('body m3');
      expect(entry.activityAt).to.equal('2025-06-04T10:02:00Z');
    });

    it('keeps a live message over an older answer from the database', () => {
      const known = row('00000000-0000-4000-8000-000000000001', '2025-06-04T10:00:00Z');
      applyMessage(known, insert('m1', '2025-06-04T10:05:00Z', 'other'), 'me');
      const stale = row('00000000-0000-4000-8000-000000000001', '2025-06-04T10:00:00Z', { title: 'Renamed' });
      const merged = mergeEntry(known, stale);
      expect(merged.preview).to.equal('body m1');
      expect(merged.unread).to.equal(1);
      expect(merged.title).to.equal('Renamed');
      const newer = row('00000000-0000-4000-8000-000000000001', '2025-06-04T10:06:00Z', { unread_count: 3 });
      expect(mergeEntry(known, newer).unread).to.equal(3);
    });

    it('matches title and the other member’s name, case-insensitively', () => {
      const entry = row('00000000-0000-4000-8000-000000000001', '2025-06-04T10:00:00Z', {
        title: null,
        kind: 'direct',
        other_display_name: 'Ñoño Reyes',
      });
      expect(matchesSearch(entry, 'ñoño', 'es')).to.equal(true);
      expect(matchesSearch(entry, 'maria', 'es')).to.equal(false);
    });
  });

  describe('live', () => {
    let maria: TestUser;
    let carlos: TestUser;
    let ana: TestUser;
    let olga: TestUser;
    let direct: string;
    let group: string;
    let older: string;

    async function mount(user = maria) {
      const el = await fixture<PasabayConversationList>(
        html`<pasabay-conversation-list .client=${user.client}></pasabay-conversation-list>`,
      );
      await waitUntil(() => el.matches(':not(:state(loading)):not(:state(offline))'), 'list loads and joins', {
        timeout: 10_000,
      });
      return el;
    }

    before(async () => {
      [maria, carlos, ana, olga] = await Promise.all([
        newUser('Maria'),
        newUser('Carlos Reyes'),
        newUser('Ana Cruz'),
        newUser('Olga Outsider'),
      ]);
      older = await conversationOf(maria, [carlos], { title: 'Old news' });
      group = await conversationOf(maria, [carlos, ana], { title: 'Trip to Cebu' });
      direct = await conversationOf(maria, [carlos], { kind: 'direct' });
      await post(carlos, older, 'an old message');
      await post(carlos, group, 'first in the group');
      await post(maria, group, 'my reply');
      await post(carlos, direct, 'hi Maria');
    });

    after(async () => {
      if (maria) await closeClients(maria.client, carlos.client, ana.client, olga.client);
    });

    it('shows title (the other member for a direct chat), preview and unread count, newest first; axe clean', async () => {
      const el = await mount();
      await waitUntil(() => rows(el).length === 3, 'three rows');
      expect(shownIds(el)).to.deep.equal([direct, group, older]);
      const directRow = rowOf(el, direct);
      expect(partText(directRow, 'title')).to.equal('Carlos Reyes');
      expect(partText(directRow, 'preview')).to.equal('hi Maria');
      expect(partText(directRow, 'badge')).to.equal('1');
      expect(directRow!.getAttribute('aria-setsize')).to.equal('3');
      const groupRow = rowOf(el, group);
      expect(partText(groupRow, 'title')).to.equal('Trip to Cebu');
      // Her own reply is not unread, Carlos's message before it still is (she never read).
      expect(partText(groupRow, 'badge')).to.equal('1');
      await expect(el).to.be.accessible();
    });

    it('moves a conversation up with its new preview and count as messages arrive', async () => {
      const el = await mount();
      await waitUntil(() => shownIds(el)[0] === direct, 'loaded');
      await post(carlos, older, 'news from Carlos');
      await waitUntil(() => shownIds(el)[0] === older, 'the conversation with the new message comes first');
      await waitUntil(() => partText(rowOf(el, older), 'preview') === 'news from Carlos', 'preview updated');
      await waitUntil(() => partText(rowOf(el, older), 'badge') === '2', 'count updated');
    }).timeout(20_000);

    it('clears the badge when the user reads elsewhere (the database’s count on user:<id>)', async () => {
      const el = await mount();
      await waitUntil(() => partText(rowOf(el, direct), 'badge') === '1', 'unread first');
      const { error } = await maria.client.rpc('mark_conversation_read', { conversation_id: direct });
      expect(error?.message ?? null).to.equal(null);
      await waitUntil(() => partText(rowOf(el, direct), 'badge') === '', 'badge cleared');
      await expect(el).to.be.accessible();
    });

    it('adds a conversation the user is added to, live', async () => {
      const el = await mount();
      await waitUntil(() => rows(el).length >= 3, 'loaded');
      const fresh = await conversationOf(carlos, [maria], { title: 'Brand new' });
      await waitUntil(() => shownIds(el)[0] === fresh, 'the new conversation on top');
      expect(partText(rowOf(el, fresh), 'title')).to.equal('Brand new');
    });

    it('shows who is typing in a small conversation, from the typing notice on user:<id>', async () => {
      const el = await mount();
      await waitUntil(() => rowOf(el, group) !== null, 'loaded');
      await waitUntil(() => userChannelJoined(maria), 'user:<id> joined');
      // One channel, whatever the rows: no conversation or typing topic of its own.
      expect(topicsOf(maria)).to.deep.equal([`user:${maria.user.id}`]);
      await carlos.client.rpc('send_typing', { conversation_id: group, is_typing: true });
      await waitUntil(() => partText(rowOf(el, group), 'preview') === 'Carlos Reyes is typing…', 'typing shown');
      expect(rowOf(el, group)!.getAttribute('part')).to.contain('typing');
      await carlos.client.rpc('send_typing', { conversation_id: group, is_typing: false });
      await waitUntil(() => partText(rowOf(el, group), 'preview') !== 'Carlos Reyes is typing…', 'typing stops');
    });

    it('searches loaded titles at once and member names through the database', async () => {
      const el = await mount();
      await waitUntil(() => rows(el).length >= 3, 'loaded');
      typeSearch(el, 'cebu');
      await el.updateComplete;
      expect(shownIds(el)).to.deep.equal([group]);
      // Ana's name is in no loaded row: only the database knows she is in the group.
      typeSearch(el, 'ana cruz');
      await waitUntil(() => shownIds(el).join() === group, 'the group found by a member name');
      typeSearch(el, 'no such thing');
      await waitUntil(
        () =>
          el.shadowRoot!.querySelector('[part~="message"]')?.textContent?.includes('No conversations match') ?? false,
        'no match said',
      );
      await expect(el).to.be.accessible();
      typeSearch(el, '');
      await waitUntil(() => rows(el).length >= 3, 'all back');
    });

    it('is a listbox operated with arrows, Home, End and Enter', async () => {
      const el = await mount();
      await waitUntil(() => rows(el).length >= 3, 'loaded');
      list(el).focus();
      await el.updateComplete;
      const ids = shownIds(el);
      const activeId = () => list(el).getAttribute('aria-activedescendant');
      expect(activeId()).to.equal(`row-${ids[0]}`);
      press(el, 'ArrowDown');
      await el.updateComplete;
      expect(activeId()).to.equal(`row-${ids[1]}`);
      press(el, 'End');
      await el.updateComplete;
      expect(activeId()).to.equal(`row-${ids.at(-1)}`);
      press(el, 'Home');
      await el.updateComplete;
      press(el, 'ArrowDown');
      await el.updateComplete;
      const chosen = oneEvent(el, 'pasabay-conversation-select') as Promise<PasabayConversationSelectEvent>;
      press(el, 'Enter');
      expect((await chosen).detail.conversationId).to.equal(ids[1]);
      await el.updateComplete;
      expect(el.selected).to.equal(ids[1]);
      expect(rowOf(el, ids[1]!)!.getAttribute('aria-selected')).to.equal('true');
      await expect(el).to.be.accessible();
    });

    it('opens the chosen conversation in the <pasabay-chat> named by for; a cancelled choice does nothing', async () => {
      const wrapper = await fixture<HTMLDivElement>(
        html`<div>
          <pasabay-conversation-list for="the-chat" .client=${maria.client}></pasabay-conversation-list>
          <pasabay-chat id="the-chat" .client=${maria.client}></pasabay-chat>
        </div>`,
      );
      const el = wrapper.querySelector('pasabay-conversation-list')!;
      const chat = wrapper.querySelector<PasabayChat>('pasabay-chat')!;
      await waitUntil(() => rowOf(el, group) !== null, 'loaded');
      rowOf(el, group)!.click();
      expect(chat.conversationId).to.equal(group);
      const cancel = (event: Event) => event.preventDefault();
      el.addEventListener('pasabay-conversation-select', cancel);
      rowOf(el, direct)!.click();
      el.removeEventListener('pasabay-conversation-select', cancel);
      expect(chat.conversationId).to.equal(group);
      expect(el.selected).to.equal(group);
    });

    it('shows nothing of others’ conversations to a non-member', async () => {
      const el = await mount(olga);
      await waitUntil(() => el.shadowRoot!.querySelector('[part~="message"]') !== null, 'empty state');
      expect(rows(el).length).to.equal(0);
      expect(el.shadowRoot!.querySelector('[part~="message"]')!.textContent).to.contain('No conversations yet');
      // Searching the database for Maria's rooms by name finds nothing either.
      typeSearch(el, 'Cebu');
      await waitUntil(
        () =>
          el.shadowRoot!.querySelector('[part~="message"]')?.textContent?.includes('No conversations match') ?? false,
        'no match',
      );
      expect(rows(el).length).to.equal(0);
      await expect(el).to.be.accessible();
    });

    it('a page with list, chat and launcher for one user stays within the 5-channel budget', async () => {
      const errors: string[] = [];
      const wrapper = await fixture<HTMLDivElement>(
        html`<div @pasabay-error=${(event: PasabayErrorEvent) => errors.push(event.detail.message)}>
          <pasabay-conversation-list for="budget-chat" .client=${maria.client}></pasabay-conversation-list>
          <pasabay-chat id="budget-chat" .client=${maria.client} conversation-id=${group}></pasabay-chat>
          <pasabay-launcher .client=${maria.client} conversation-id=${direct}></pasabay-launcher>
        </div>`,
      );
      const el = wrapper.querySelector('pasabay-conversation-list')!;
      const chat = wrapper.querySelector<PasabayChat>('pasabay-chat')!;
      const launcher = wrapper.querySelector<PasabayLauncher>('pasabay-launcher')!;
      const joined = () => maria.client.getChannels().filter((channel) => channel.state === 'joined').length;
      await waitUntil(() => rows(el).length >= 3 && userChannelJoined(maria), 'list loaded');
      await waitUntil(() => chat.matches(':state(ready)') && !chat.matches(':state(connecting)'), 'chat live', {
        timeout: 10_000,
      });
      // The list and the launcher's badge share user:<id>; the chat holds its conversation's topics.
      expect(topicsOf(maria).filter((topic) => topic.startsWith('user:'))).to.deep.equal([`user:${maria.user.id}`]);
      expect(maria.client.getChannels().length).to.be.at.most(5);
      // The launcher's panel opened: its chat joins too, and still no more than 5.
      launcher.shadowRoot!.querySelector<HTMLElement>('[part~="button"]')!.click();
      await launcher.updateComplete;
      const panelChat = () => launcher.shadowRoot!.querySelector<PasabayChat>('[part~="chat"]');
      await waitUntil(
        () => panelChat()?.matches(':state(ready)') && !panelChat()!.matches(':state(connecting)'),
        'the panel chat is live',
        { timeout: 10_000 },
      );
      await waitUntil(() => joined() === maria.client.getChannels().length, 'every channel joined');
      expect(maria.client.getChannels().length).to.be.at.most(5);
      expect(errors.filter((message) => /RateLimitReached/.test(message))).to.deep.equal([]);
      // Still live: a message moves its row to the top and reaches the badge.
      await post(carlos, group, 'within budget');
      await waitUntil(() => partText(rowOf(el, group), 'preview') === 'within budget', 'the list follows');
      wrapper.remove();
      await channelRemovalsSettled(maria.client);
    }).timeout(30_000);

    it('reports a malformed notice as pasabay-error and keeps working', async () => {
      const el = await mount();
      const errored = oneEvent(el, 'pasabay-error') as Promise<PasabayErrorEvent>;
      await serverBroadcast(userTopic(maria.user.id), 'unread', { conversation_id: 'not a uuid' });
      expect((await errored).detail.code).to.equal('invalid-payload');
      await post(carlos, direct, 'still live');
      await waitUntil(() => partText(rowOf(el, direct), 'preview') === 'still live', 'still live');
    });

    it('leaves its channels on remove and after 20 mount / remove cycles', async () => {
      for (let cycle = 0; cycle < 20; cycle++) {
        const el = await fixture<PasabayConversationList>(
          html`<pasabay-conversation-list .client=${maria.client}></pasabay-conversation-list>`,
        );
        await el.updateComplete;
        el.remove();
      }
      const el = await mount();
      await waitUntil(() => userChannelJoined(maria), 'user:<id> joined');
      expect(maria.client.getChannels().length).to.equal(1);
      el.remove();
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
      // Re-appended, it joins and loads again.
      document.body.append(el);
      await waitUntil(() => el.matches(':not(:state(offline))') && rows(el).length >= 3, 'back');
      el.remove();
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
    }).timeout(30_000);
  });

  describe('windowing', () => {
    let owner: TestUser;
    const total = 450;

    before(async () => {
      owner = await newUser('Many Rooms');
      const admin = serviceClient();
      try {
        const created = await admin
          .from('conversations')
          .insert(Array.from({ length: total }, (_, index) => ({ kind: 'group', title: `Room ${index}` })))
          .select('id');
        if (created.error) throw new Error(created.error.message);
        const ids = (created.data as { id: string }[]).map((row) => row.id);
        const members = await admin
          .from('conversation_members')
          .insert(ids.map((id) => ({ conversation_id: id, user_id: owner.user.id })));
        if (members.error) throw new Error(members.error.message);
      } finally {
        admin.realtime.disconnect();
      }
    });

    after(async () => {
      if (owner) await closeClients(owner.client);
    });

    it('renders a window of rows, loads pages as it scrolls, and reaches the last row by keyboard', async () => {
      const el = await fixture<PasabayConversationList>(
        html`<pasabay-conversation-list .client=${owner.client}></pasabay-conversation-list>`,
      );
      await waitUntil(() => rows(el).length > 0, 'first page', { timeout: 10_000 });
      expect(rows(el).length).to.be.below(60);
      // One channel, user:<id>, whatever the number of conversations.
      await waitUntil(() => userChannelJoined(owner), 'user:<id> joined');
      expect(topicsOf(owner)).to.deep.equal([`user:${owner.user.id}`]);
      list(el).focus();
      // Each End reaches the last loaded row, which asks for the next page.
      while (el.conversations.length < total) {
        const before = el.conversations.length;
        press(el, 'End');
        await waitUntil(() => el.conversations.length > before, `a page after ${before}`, { timeout: 10_000 });
      }
      expect(el.conversations.length).to.equal(total);
      press(el, 'End');
      await el.updateComplete;
      const last = el.conversations.at(-1)!.id;
      await waitUntil(() => list(el).getAttribute('aria-activedescendant') === `row-${last}`, 'last row active');
      expect(rowOf(el, last)!.getAttribute('aria-posinset')).to.equal(String(total));
      expect(rows(el).length).to.be.below(60);
      await expect(el).to.be.accessible();

      // Scrolled away, the last row is still live (its conversation's change comes on user:<id>):
      // a message there moves it to the top at once.
      press(el, 'Home');
      await el.updateComplete;
      expect(rowOf(el, last)).to.equal(null);
      const { error } = await owner.client.from('messages').insert({ conversation_id: last, body: 'from the bottom' });
      expect(error?.message ?? null).to.equal(null);
      await waitUntil(() => el.conversations[0]?.id === last, 'a row off screen moves to the top');
      expect(el.conversations[0]!.preview).to.equal('from the bottom');
      expect(topicsOf(owner)).to.deep.equal([`user:${owner.user.id}`]);
      el.remove();
      await channelRemovalsSettled(owner.client);
      expect(owner.client.getChannels().length).to.equal(0);
    }).timeout(60_000);
  });
});
