/**
 * <pasabay-chat> formatting and mentions against the local stack with real supabase-js: a
 * formatted message as the peer sees it, `@` completion by keyboard, a mention reaching a user
 * whose conversation is closed (a listener on their user:<id>), and their unread mention count.
 * The parser alone is in test/components/pasabay-chat/view/rich-text.test.ts.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { fetchUnreadMentions, subscribeToMentions, type MentionNotice } from '../../src/connection/notices.js';
import {
  groupOf,
  mountChat,
  newUser,
  part,
  parts,
  removeAndSettle,
  shadow,
  waitLive,
  type TestUser,
} from './pasabay-chat-fixtures.js';

/** Types `text` into the composer with the caret at its end, as input events do. */
function type(el: PasabayChat, text: string) {
  const composer = part(el, 'composer') as HTMLTextAreaElement;
  composer.focus();
  composer.value = text;
  composer.setSelectionRange(text.length, text.length);
  composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
}

function press(el: PasabayChat, key: string) {
  part(el, 'composer')!.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }),
  );
}

const options = (el: PasabayChat) => parts(el, 'mention-option').map((option) => option.textContent!.trim());

/** Types `text` until the completion list offers `count` people (the members' profiles load with the history). */
async function typeUntilOffered(el: PasabayChat, text: string, count: number) {
  await waitUntil(
    () => {
      type(el, text);
      return options(el).length === count;
    },
    `"${text}" never offered ${count} people`,
    { timeout: 15_000 },
  );
}

async function storedMentions(user: TestUser, conversationId: string, body: string): Promise<string[]> {
  const { data, error } = await user.client
    .from('messages')
    .select('mentions')
    .eq('conversation_id', conversationId)
    .eq('body', body)
    .single();
  if (error) throw new Error(`read mentions: ${error.message}`);
  return (data as { mentions: string[] }).mentions;
}

describe('<pasabay-chat>', () => {
  describe('formatting', () => {
    it('the peer sees a formatted message as elements, and hostile markup as text', async () => {
      const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
      const id = await groupOf(maria, carlos);
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);

      const body = [
        'Plan: **bold** and _soft_ with `npm test`',
        '- first',
        '- second',
        '```',
        '<img src=x onerror=alert(1)>',
        '```',
        'see https://example.test/a_b and [no](javascript:alert(1))',
      ].join('\n');
      type(mine, body);
      press(mine, 'Enter');

      await waitUntil(() => parts(theirs, 'body-list-item').length === 2, 'the peer never saw the list', {
        timeout: 15_000,
      });
      const message = parts(theirs, 'message')[0]!;
      const within = (name: string) => [...message.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
      expect(within('strong').map((n) => n.textContent)).to.deep.equal(['bold']);
      expect(within('em').map((n) => n.textContent)).to.deep.equal(['soft']);
      expect(within('code').map((n) => n.textContent)).to.deep.equal(['npm test']);
      expect(within('body-list-item').map((n) => n.textContent)).to.deep.equal(['first', 'second']);
      expect(within('code-block').map((n) => n.textContent)).to.deep.equal(['<img src=x onerror=alert(1)>']);
      expect(within('link').map((n) => n.getAttribute('href'))).to.deep.equal(['https://example.test/a_b']);
      expect(message.querySelector('img, script, a[href^="javascript"]')).to.equal(null);
      mine.theme = 'dark';
      await mine.updateComplete;
      await expect(mine).to.be.accessible();
      expect(within('paragraph').at(-1)!.textContent).to.equal(
        'see https://example.test/a_b and [no](javascript:alert(1))',
      );
      // Screen readers hear the words, not the marks.
      expect(part(theirs, 'announcer')!.textContent).to.contain(
        'Maria: Plan: bold and soft with npm test\nfirst\nsecond',
      );
      await expect(theirs).to.be.accessible();
      await Promise.all([removeAndSettle(mine, maria.client), removeAndSettle(theirs, carlos.client)]);
    });
  });

  describe('mentions', () => {
    it('@ offers the members by keyboard (arrows, Enter, Tab, Escape) and the message carries the one picked', async () => {
      const [maria, ana, andres, carlos] = await Promise.all([
        newUser('Maria'),
        newUser('Ana Cruz'),
        newUser('Andres Bonifacio'),
        newUser('Carlos Reyes'),
      ]);
      const id = await groupOf(maria, ana, andres, carlos);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      const composer = part(el, 'composer') as HTMLTextAreaElement;

      await typeUntilOffered(el, 'hi @an', 2);
      await el.updateComplete;
      expect(options(el)).to.deep.equal(['Ana Cruz', 'Andres Bonifacio']);
      const list = part(el, 'mention-list')!;
      expect(list.getAttribute('role')).to.equal('listbox');
      expect(composer.getAttribute('aria-controls')).to.equal(list.id);
      expect(composer.getAttribute('aria-activedescendant')).to.equal(parts(el, 'mention-option')[0]!.id);
      expect(parts(el, 'mention-option')[0]!.getAttribute('aria-selected')).to.equal('true');
      await expect(el).to.be.accessible();

      press(el, 'ArrowDown');
      await el.updateComplete;
      expect(composer.getAttribute('aria-activedescendant')).to.equal(parts(el, 'mention-option')[1]!.id);
      press(el, 'ArrowDown');
      await el.updateComplete;
      expect(composer.getAttribute('aria-activedescendant')).to.equal(parts(el, 'mention-option')[0]!.id, 'wraps');
      press(el, 'ArrowUp');
      await el.updateComplete;
      press(el, 'Enter');
      await el.updateComplete;
      expect(composer.value).to.equal('hi @Andres Bonifacio ');
      expect(part(el, 'mention-list')).to.equal(null);
      expect(composer.hasAttribute('aria-activedescendant')).to.equal(false);
      expect(parts(el, 'message').length).to.equal(0, 'Enter picked, it did not send');

      // Moving the caret away closes the list.
      type(el, 'so @an');
      await el.updateComplete;
      expect(options(el).length).to.equal(2);
      press(el, 'ArrowLeft');
      await el.updateComplete;
      expect(part(el, 'mention-list')).to.equal(null);

      // Escape closes the list and keeps the text.
      type(el, 'hi @Andres Bonifacio and @car');
      await el.updateComplete;
      expect(options(el)).to.deep.equal(['Carlos Reyes']);
      press(el, 'Escape');
      await el.updateComplete;
      expect(part(el, 'mention-list')).to.equal(null);
      expect(composer.value).to.equal('hi @Andres Bonifacio and @car');

      // Tab picks as Enter does.
      type(el, 'hi @Andres Bonifacio and @Car');
      await el.updateComplete;
      press(el, 'Tab');
      await el.updateComplete;
      expect(composer.value).to.equal('hi @Andres Bonifacio and @Carlos Reyes ');

      // A name that matches nobody offers nothing.
      type(el, `${composer.value}@zz`);
      await el.updateComplete;
      expect(part(el, 'mention-list')).to.equal(null);
      // Text after a whole name closes the list, so Enter sends.
      type(el, 'hi @Andres Bonifacio and @Carlos Reyes!');
      await el.updateComplete;
      expect(part(el, 'mention-list')).to.equal(null);
      press(el, 'Enter');
      await waitUntil(() => parts(el, 'status').some((s) => s.getAttribute('part') === 'status sent'), 'never stored', {
        timeout: 15_000,
      });
      expect(await storedMentions(maria, id, 'hi @Andres Bonifacio and @Carlos Reyes!')).to.have.members([
        andres.user.id,
        carlos.user.id,
      ]);
      const chips = parts(el, 'mention').map((chip) => [chip.textContent, chip.getAttribute('part')]);
      expect(chips).to.deep.equal([
        ['@Andres Bonifacio', 'mention'],
        ['@Carlos Reyes', 'mention'],
      ]);
      await expect(el).to.be.accessible();
      await removeAndSettle(el, maria.client);
    });

    it('reaches the person with the conversation closed, raises their unread mentions, and reading clears them', async () => {
      const [maria, carlos, ana] = await Promise.all([newUser('Maria'), newUser('Carlos Reyes'), newUser('Ana')]);
      const id = await groupOf(maria, carlos, ana);
      const notices: MentionNotice[] = [];
      const cleared: [string, number][] = [];
      const problems: string[] = [];
      let joined = false;
      // Carlos has no chat open: only his own user:<id> topic.
      const stop = subscribeToMentions(carlos.client, carlos.user.id, {
        onMention: (notice) => notices.push(notice),
        onUnreadMentions: (conversationId, count) => cleared.push([conversationId, count]),
        onStatus: (status) => (joined ||= status === 'joined'),
        onProblem: (message) => problems.push(message),
      });
      const anasNotices: MentionNotice[] = [];
      const stopAna = subscribeToMentions(ana.client, ana.user.id, { onMention: (notice) => anasNotices.push(notice) });
      await waitUntil(() => joined, 'user:<id> never joined', { timeout: 15_000 });

      const mine = await mountChat(maria.client, id);
      await waitLive(mine);
      await typeUntilOffered(mine, 'look @carl', 1);
      press(mine, 'Enter');
      await mine.updateComplete;
      type(mine, `${(part(mine, 'composer') as HTMLTextAreaElement).value}**now**`);
      press(mine, 'Enter');

      await waitUntil(() => notices.length === 1, 'Carlos never got the mention', { timeout: 15_000 });
      const [notice] = notices;
      expect(notice!.conversation_id).to.equal(id);
      expect(notice!.sender_id).to.equal(maria.user.id);
      expect(notice!.sender_name).to.equal('Maria');
      expect(notice!.preview).to.equal('look @Carlos Reyes **now**');
      expect(notice!.unread_mentions).to.equal(1);
      const counted = await fetchUnreadMentions(carlos.client, id);
      expect(counted.data).to.deep.equal([{ conversation_id: id, unread_mentions: 1 }]);
      expect(anasNotices.length).to.equal(0, 'one notice per mentioned person, not per member');

      // Carlos opens the conversation: his mention is emphasised, and reading clears the count.
      const theirs = await mountChat(carlos.client, id);
      await waitLive(theirs);
      await waitUntil(() => parts(theirs, 'mention').length === 1, 'the chip never appeared', { timeout: 15_000 });
      expect(parts(theirs, 'mention')[0]!.getAttribute('part')).to.equal('mention own');
      expect(parts(theirs, 'mention')[0]!.textContent).to.equal('@Carlos Reyes');
      await waitUntil(
        () => cleared.some(([conversation, count]) => conversation === id && count === 0),
        'never cleared',
        {
          timeout: 15_000,
        },
      );
      expect((await fetchUnreadMentions(carlos.client, id)).data).to.deep.equal([
        { conversation_id: id, unread_mentions: 0 },
      ]);
      expect(problems).to.deep.equal([]);
      await expect(theirs).to.be.accessible();
      // The emphasised chip keeps its contrast in the dark theme too.
      theirs.theme = 'dark';
      await theirs.updateComplete;
      await expect(theirs).to.be.accessible();
      expect(shadow(theirs).querySelector('[part~="mention-list"]')).to.equal(null);

      stop();
      stopAna();
      await Promise.all([removeAndSettle(mine, maria.client), removeAndSettle(theirs, carlos.client)]);
    });

    it('the database refuses a mention planted through REST for someone outside the conversation', async () => {
      const [maria, carlos, outsider] = await Promise.all([newUser('Maria'), newUser('Carlos'), newUser('Olga')]);
      const id = await groupOf(maria, carlos);
      const { error } = await maria.client
        .from('messages')
        .insert({ conversation_id: id, body: 'hey @Olga', mentions: [outsider.user.id] });
      expect(error?.code).to.equal('42501');
      expect(error?.message).to.equal('Only members of this conversation can be mentioned');
      const { count } = await maria.client
        .from('messages')
        .select('id', { count: 'exact', head: true })
        .eq('conversation_id', id);
      expect(count).to.equal(0);
    });
  });
});
