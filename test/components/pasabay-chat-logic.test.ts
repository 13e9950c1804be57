/**
 * Pure logic of <pasabay-chat>: the message store, grouping, linkify, the outbox and the window.
 * No network here; the element's behaviour against the local stack is in pasabay-chat.test.ts.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { MessageStore, type MessageRecord } from '../../src/components/pasabay-chat/state/message-store.js';
import { groupMessages, localDayKey } from '../../src/components/pasabay-chat/view/grouping.js';
import { linkify, renderBody } from '../../src/components/pasabay-chat/view/linkify.js';
import {
  Outbox,
  type OutboxDraft,
  type OutboxItem,
  type SendOutcome,
} from '../../src/components/pasabay-chat/state/outbox.js';
import {
  OutboxStorage,
  outboxStorageKey,
  type OutboxScope,
} from '../../src/components/pasabay-chat/state/outbox-storage.js';
import { uuid } from '../../src/connection/ids.js';
import type { PasabayErrorEvent } from '../../src/events/pasabay-error.js';
import { VirtualWindow } from '../../src/components/pasabay-chat/view/virtual-window.js';
import { timestampMicros } from '../../src/connection/timestamps.js';
import { chatFormatters } from '../../src/components/pasabay-chat/view/format.js';

const conversation = '00000000-0000-4000-8000-0000000000c0';
const alice = '00000000-0000-4000-8000-00000000000a';
const bob = '00000000-0000-4000-8000-00000000000b';

function row(id: string, createdAt: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    conversation_id: conversation,
    sender_id: alice,
    body: `body ${id}`,
    reply_to: null,
    created_at: createdAt,
    edited_at: null,
    deleted_at: null,
    ...overrides,
  };
}

const ids = (store: MessageStore) => store.messages.map((m) => m.id).join(',');

describe('<pasabay-chat> logic', () => {
  describe('timestamps', () => {
    it('orders by microseconds across the formats the server uses', () => {
      const rest = timestampMicros('2026-11-22T01:53:00.123456+00:00');
      const text = timestampMicros('2026-11-22 01:53:00.123457+00');
      const zulu = timestampMicros('2026-11-22T01:53:00.123Z');
      expect(text - rest).to.equal(1);
      expect(rest - zulu).to.equal(456);
      expect(timestampMicros('2026-11-22T03:53:00+02:00')).to.equal(timestampMicros('2026-11-22T01:53:00Z'));
      expect(Number.isNaN(timestampMicros('yesterday'))).to.equal(true);
    });
  });

  describe('message store', () => {
    it('merges history pages and live events by created_at then id, each id once', () => {
      const store = new MessageStore();
      store.upsert([row('c', '2026-01-01T10:00:03Z'), row('d', '2026-01-01T10:00:04Z')]);
      store.upsert([
        row('a', '2026-01-01T10:00:01Z'),
        row('b2', '2026-01-01T10:00:02Z'),
        row('b1', '2026-01-01T10:00:02Z'),
      ]);
      store.upsert([row('e', '2026-01-01T10:00:05Z'), row('c', '2026-01-01T10:00:03Z')]);
      expect(ids(store)).to.equal('a,b1,b2,c,d,e');
      expect(store.size).to.equal(6);
      expect(store.oldest?.id).to.equal('a');
      expect(store.newest?.id).to.equal('e');
    });

    it('reports only ids it did not hold', () => {
      const store = new MessageStore();
      expect(store.upsert([row('a', '2026-01-01T10:00:01Z')])).to.deep.equal(['a']);
      expect(store.upsert([row('a', '2026-01-01T10:00:01Z'), row('b', '2026-01-01T10:00:02Z')])).to.deep.equal(['b']);
    });

    it('keeps optimistic messages last until the server row replaces them in place of order', () => {
      const store = new MessageStore();
      store.upsert([row('a', '2026-01-01T10:00:01Z')]);
      store.addLocal({ id: 'mine', conversation_id: conversation, sender_id: alice, body: 'hi', reply_to: null });
      store.upsert([row('b', '2026-01-01T10:00:05Z')]);
      expect(ids(store)).to.equal('a,b,mine');
      expect(store.get('mine')?.delivery).to.equal('sending');
      store.setDelivery('mine', 'failed', 'Rate limit exceeded');
      expect(store.get('mine')?.error).to.equal('Rate limit exceeded');
      store.upsert([row('mine', '2026-01-01T10:00:03Z', { body: 'hi' })]);
      expect(ids(store)).to.equal('a,mine,b');
      expect(store.get('mine')?.delivery).to.equal('sent');
      expect(store.size).to.equal(3);
    });

    it('does not let an older copy undo an edit or a delete', () => {
      const store = new MessageStore();
      store.upsert([row('a', '2026-01-01T10:00:01Z', { body: 'new', edited_at: '2026-01-01T10:05:00Z' })]);
      store.upsert([row('a', '2026-01-01T10:00:01Z', { body: 'old' })]);
      expect(store.get('a')?.body).to.equal('new');
      store.upsert([row('a', '2026-01-01T10:00:01Z', { body: '', deleted_at: '2026-01-01T10:06:00Z' })]);
      expect(store.get('a')?.deleted_at).to.not.equal(null);
      expect(store.serverClock).to.equal('2026-01-01T10:06:00Z');
    });

    it('changes the snapshot identity only on change', () => {
      const store = new MessageStore();
      store.upsert([row('a', '2026-01-01T10:00:01Z')]);
      const first = store.messages;
      expect(store.messages).to.equal(first);
      store.upsert([row('b', '2026-01-01T10:00:02Z')]);
      expect(store.messages).to.not.equal(first);
      expect(Object.isFrozen(store.messages)).to.equal(true);
    });

    it('counts reactions per emoji and knows which are mine', () => {
      const store = new MessageStore();
      store.upsert([row('a', '2026-01-01T10:00:01Z')]);
      store.setReactions(
        ['a'],
        [
          { message_id: 'a', user_id: alice, emoji: '👍' },
          { message_id: 'a', user_id: bob, emoji: '👍' },
          { message_id: 'a', user_id: bob, emoji: '❤️' },
        ],
      );
      store.applyReaction({ message_id: 'a', user_id: bob, emoji: '👍' }, false);
      store.applyReaction({ message_id: 'a', user_id: alice, emoji: '❤️' }, true);
      expect(store.reactionsOf('a', alice)).to.deep.equal([
        { emoji: '👍', count: 1, mine: true },
        { emoji: '❤️', count: 2, mine: true },
      ]);
    });

    describe('reactions against stale snapshots', () => {
      const thumbs = { message_id: 'a', user_id: bob, emoji: '👍' };
      const heart = { message_id: 'a', user_id: alice, emoji: '❤️' };
      const shown = (store: MessageStore, me = bob) =>
        store
          .reactionsOf('a', me)
          .map((r) => `${r.emoji}${r.count}${r.mine ? '*' : ''}`)
          .join(' ');

      it('keeps a live reaction that arrived while an older snapshot was on its way', () => {
        // The flaky run: a catch-up asks for reactions, Bob reacts and the INSERT event arrives,
        // then the answer, read before the reaction was saved, lands.
        const store = new MessageStore();
        store.upsert([row('a', '2026-01-01T10:00:01Z')]);
        const requestedAt = store.reactionClock;
        store.applyReaction(thumbs, true);
        store.setReactions(['a'], [], requestedAt);
        expect(shown(store)).to.equal('👍1*');
        // A live DELETE is not undone by an older snapshot that still lists the row either.
        const again = store.reactionClock;
        store.applyReaction(thumbs, false);
        store.setReactions(['a'], [thumbs], again);
        expect(shown(store)).to.equal('');
      });

      it('holds an own toggle as set until its write is answered, then trusts only newer snapshots', () => {
        const store = new MessageStore();
        store.upsert([row('a', '2026-01-01T10:00:01Z')]);
        const beforeToggle = store.reactionClock;
        store.beginReactionToggle(thumbs, true);
        expect(shown(store)).to.equal('👍1*');
        store.setReactions(['a'], [], beforeToggle);
        expect(shown(store)).to.equal('👍1*');
        const duringWrite = store.reactionClock;
        store.settleReactionToggle(thumbs, true, true);
        // Requested while the write was out: it may have been read before the row committed.
        store.setReactions(['a'], [heart], duringWrite);
        expect(shown(store)).to.equal('👍1* ❤️1');
        // Requested after the answer: it is the truth (Bob removed it from another tab meanwhile).
        store.setReactions(['a'], [heart], store.reactionClock);
        expect(shown(store)).to.equal('❤️1');
      });

      it('reverts a refused toggle to what the server last reported', () => {
        const store = new MessageStore();
        store.upsert([row('a', '2026-01-01T10:00:01Z')]);
        store.beginReactionToggle(thumbs, true);
        store.settleReactionToggle(thumbs, true, false);
        expect(shown(store)).to.equal('');
        // The answer was lost but the row was saved: the INSERT event heard meanwhile wins over the revert.
        store.beginReactionToggle(thumbs, true);
        store.applyReaction(thumbs, true);
        store.applyReaction(heart, true);
        expect(shown(store)).to.equal('👍1* ❤️1');
        store.settleReactionToggle(thumbs, true, false);
        expect(shown(store)).to.equal('👍1* ❤️1');
      });

      it('keeps the last write of quick toggles and ignores a snapshot older than one applied', () => {
        const store = new MessageStore();
        store.upsert([row('a', '2026-01-01T10:00:01Z')]);
        const oldest = store.reactionClock;
        store.beginReactionToggle(thumbs, true);
        store.beginReactionToggle(thumbs, false);
        store.applyReaction(thumbs, true); // the first write's event
        store.settleReactionToggle(thumbs, true, true);
        expect(shown(store)).to.equal('');
        store.applyReaction(thumbs, false); // the second write's event
        store.settleReactionToggle(thumbs, false, true);
        expect(shown(store)).to.equal('');
        store.setReactions(['a'], [heart], store.reactionClock);
        expect(shown(store)).to.equal('❤️1');
        store.setReactions(['a'], [thumbs], oldest);
        expect(shown(store)).to.equal('❤️1');
      });
    });

    it('merges 10,000 rows out of order quickly enough to be usable', () => {
      const store = new MessageStore();
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        row(`m${String(i).padStart(5, '0')}`, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()),
      );
      for (let page = 9; page >= 0; page--) store.upsert(rows.slice(page * 1000, page * 1000 + 1000));
      expect(store.messages.length).to.equal(10_000);
      expect(store.messages[0]!.id).to.equal('m00000');
      expect(store.messages[9999]!.id).to.equal('m09999');
    });
  });

  describe('grouping', () => {
    it('starts a group at a new sender, a new day and a long pause', () => {
      const store = new MessageStore();
      const base = new Date(2026, 0, 1, 10, 0, 0);
      const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
      store.upsert([
        row('1', at(0)),
        row('2', at(1)),
        row('3', at(2), { sender_id: bob }),
        row('4', at(20), { sender_id: bob }),
        row('5', at(24 * 60), { sender_id: bob }),
      ]);
      const rows = groupMessages(store.messages);
      expect(
        rows
          .map((r) => (r.kind === 'day' ? 'day' : `${r.key}${r.groupStart ? 's' : ''}${r.groupEnd ? 'e' : ''}`))
          .join(' '),
      ).to.equal('day 1s 2e 3se 4se day 5se');
      expect(rows[0]!.key).to.equal(`day:${localDayKey(base)}`);
    });
  });

  describe('formatting', () => {
    it('formats through Intl in the given language', () => {
      const now = new Date(2026, 4, 10, 15, 4);
      const english = chatFormatters('en');
      expect(english.day(now, now)).to.equal('Today');
      expect(english.day(new Date(2026, 4, 9, 23, 0), now)).to.equal('Yesterday');
      expect(chatFormatters('es').day(now, now)).to.equal('Hoy');
      expect(english.time(now)).to.match(/3:04/);
      expect(chatFormatters('not a language!').time(now)).to.be.a('string');
    });
  });

  describe('linkify', () => {
    it('links http and https URLs and trims trailing punctuation', () => {
      expect(linkify('see https://example.com/a?b=1, then (http://x.test/path).')).to.deep.equal([
        { kind: 'text', text: 'see ' },
        { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
        { kind: 'text', text: ', then (' },
        { kind: 'link', text: 'http://x.test/path', href: 'http://x.test/path' },
        { kind: 'text', text: ').' },
      ]);
      expect(linkify('https://en.wikipedia.org/wiki/Cebu_(island)')[0]).to.deep.include({ kind: 'link' });
    });

    it('never links other schemes or broken URLs', () => {
      for (const text of [
        'javascript:alert(1)',
        'JaVaScRiPt:alert(1)//https://x.test',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
        'mailto:a@b.test',
        'https://',
        'http://[::1',
      ]) {
        for (const part of linkify(text)) {
          if (part.kind === 'link') expect(part.href, text).to.match(/^https?:\/\/[^/]/);
        }
      }
      expect(linkify('javascript:alert(1)')).to.deep.equal([{ kind: 'text', text: 'javascript:alert(1)' }]);
    });

    it('renders markup in a body as text', async () => {
      const el = await fixture(
        html`<p>${renderBody('<img src=x onerror=alert(1)> https://a.test/"onmouseover="x')}</p>`,
      );
      expect(el.querySelector('img')).to.equal(null);
      const link = el.querySelector('a')!;
      expect(link.getAttribute('href')).to.equal('https://a.test/');
      expect(link.rel).to.equal('noopener noreferrer nofollow');
      expect(link.referrerPolicy).to.equal('no-referrer');
      expect(link.hasAttribute('onmouseover')).to.equal(false);
      expect(el.textContent).to.equal('<img src=x onerror=alert(1)> https://a.test/"onmouseover="x');
    });
  });

  describe('outbox', () => {
    function harness(outcomes: (item: OutboxItem) => SendOutcome | Promise<SendOutcome>) {
      const log: string[] = [];
      let online = true;
      const outbox = new Outbox({
        send: async (item) => {
          log.push(`send ${item.id}#${item.attempts}`);
          return outcomes(item);
        },
        canSend: () => online,
        onChange: () => {},
        onSent: (item) => log.push(`sent ${item.id}`),
        onFailed: (item) => log.push(`failed ${item.id}`),
        backoffMs: [60_000],
      });
      return { outbox, log, setOnline: (value: boolean) => (online = value) };
    }
    const ok = (item: OutboxItem): SendOutcome => ({ ok: true, row: row(item.id, '2026-01-01T10:00:00Z') });
    const draft = (id: string, body = id): OutboxDraft => ({
      id,
      conversation_id: conversation,
      sender_id: alice,
      body,
      reply_to: null,
      created_at: '2026-01-01T10:00:00.000Z',
    });

    it('holds messages while offline and sends each once, in order, when back', async () => {
      const { outbox, log, setOnline } = harness(ok);
      setOnline(false);
      outbox.enqueue(draft('a'));
      outbox.enqueue(draft('b'));
      outbox.enqueue(draft('a', 'a again'));
      await outbox.flush();
      expect(log).to.deep.equal([]);
      setOnline(true);
      await Promise.all([outbox.flush(), outbox.flush()]);
      expect(log).to.deep.equal(['send a#1', 'sent a', 'send b#1', 'sent b']);
      expect(outbox.items.length).to.equal(0);
      outbox.dispose();
    });

    it('waits after a network failure and keeps later messages behind it', async () => {
      let fail = true;
      const { outbox, log } = harness((item) =>
        fail ? { ok: false, retryable: true, message: 'Failed to fetch' } : ok(item),
      );
      outbox.enqueue(draft('a'));
      outbox.enqueue(draft('b'));
      await outbox.flush();
      expect(outbox.items.map((i) => i.state)).to.deep.equal(['queued', 'queued']);
      fail = false;
      await outbox.flush();
      expect(log).to.deep.equal(['send a#1', 'send a#2', 'sent a', 'send b#1', 'sent b']);
      outbox.dispose();
    });

    it('leaves a refused message failed until retried, with the same id', async () => {
      let refuse = true;
      const { outbox, log } = harness((item) =>
        refuse ? { ok: false, retryable: false, message: 'Rate limit' } : ok(item),
      );
      outbox.enqueue(draft('a'));
      await outbox.flush();
      expect(outbox.items[0]!.state).to.equal('failed');
      expect(outbox.items[0]!.error).to.equal('Rate limit');
      await outbox.flush();
      refuse = false;
      outbox.retry('a');
      await outbox.flush();
      expect(log).to.deep.equal(['send a#1', 'failed a', 'send a#2', 'sent a']);
      outbox.dispose();
    });
  });

  describe('outbox persistence', () => {
    /** A Storage whose writes can be made to fail, as a full or blocked localStorage does. */
    class FakeStorage {
      readonly entries = new Map<string, string>();
      failWrites: Error | undefined;
      get length() {
        return this.entries.size;
      }
      clear() {
        this.entries.clear();
      }
      key(index: number) {
        return [...this.entries.keys()][index] ?? null;
      }
      getItem(key: string) {
        return this.entries.get(key) ?? null;
      }
      setItem(key: string, value: string) {
        if (this.failWrites) throw this.failWrites;
        this.entries.set(key, String(value));
      }
      removeItem(key: string) {
        this.entries.delete(key);
      }
    }

    const quotaExceeded = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

    function setup(storage = new FakeStorage()) {
      const target = new EventTarget();
      const errors: PasabayErrorEvent['detail'][] = [];
      target.addEventListener('pasabay-error', (event) => errors.push((event as PasabayErrorEvent).detail));
      // A fresh conversation per test: entries that fell back to memory live as long as the page.
      const scope: OutboxScope = { projectUrl: 'http://127.0.0.1:54321', userId: alice, conversationId: uuid() };
      const open = () => new OutboxStorage({ target, storage: () => storage as unknown as Storage });
      return { storage, scope, errors, open, key: outboxStorageKey(scope) };
    }

    function outboxFor(persistence: OutboxStorage, scope: OutboxScope, online: { value: boolean }, log: string[]) {
      return new Outbox({
        send: async (item) => {
          log.push(`send ${item.body}`);
          return item.body.startsWith('refuse')
            ? { ok: false, retryable: false, message: 'Rate limit' }
            : { ok: true, row: row(item.id, '2026-01-01T10:00:00Z', { body: item.body }) };
        },
        canSend: () => online.value,
        onChange: () => {},
        onSent: () => {},
        onFailed: () => {},
        backoffMs: [60_000],
        persistence: persistence.bind(scope),
      });
    }

    const written = (scope: OutboxScope, body: string, second: number): OutboxDraft => ({
      id: uuid(),
      conversation_id: scope.conversationId,
      sender_id: scope.userId,
      body,
      reply_to: null,
      created_at: `2026-01-01T10:00:0${second}.000Z`,
    });

    it('keeps unsent messages across a reload and sends each once, in order, then forgets them', async () => {
      const { storage, scope, errors, open, key } = setup();
      const online = { value: false };
      const log: string[] = [];
      const before = outboxFor(open(), scope, online, log);
      for (const [index, body] of ['one', 'refuse two', 'three'].entries()) before.enqueue(written(scope, body, index));
      expect(JSON.parse(storage.getItem(key)!).items.map((item: { body: string }) => item.body)).to.deep.equal([
        'one',
        'refuse two',
        'three',
      ]);
      before.dispose(); // the page closes

      const persistence = open();
      const restored = persistence.load(scope);
      expect(restored.map((item) => `${item.body}:${item.state}`)).to.deep.equal([
        'one:queued',
        'refuse two:queued',
        'three:queued',
      ]);
      const after = outboxFor(persistence, scope, online, log);
      after.restore(restored);
      after.restore(persistence.load(scope)); // a second restore (another element) holds nothing twice
      expect(after.items.length).to.equal(3);
      online.value = true;
      await after.flush();
      expect(log).to.deep.equal(['send one', 'send refuse two', 'send three']);
      // The refused one stays, failed with its reason, for the next page to show.
      expect(
        open()
          .load(scope)
          .map((item) => `${item.body}:${item.state}:${item.error}`),
      ).to.deep.equal(['refuse two:failed:Rate limit']);
      expect(after.discard(after.items[0]!.id)).to.equal(true);
      expect(storage.getItem(key)).to.equal(null);
      expect(errors).to.deep.equal([]);
      after.dispose();
    });

    it('forgets a message the server already holds (sent by another tab) unless it is in flight', async () => {
      const { storage, scope, open, key } = setup();
      const online = { value: false };
      const outbox = outboxFor(open(), scope, online, []);
      const first = outbox.enqueue(written(scope, 'one', 1));
      outbox.enqueue(written(scope, 'two', 2));
      expect(outbox.settle(first.id)).to.equal(true);
      expect(outbox.settle(first.id)).to.equal(false);
      expect(JSON.parse(storage.getItem(key)!).items.map((item: { body: string }) => item.body)).to.deep.equal(['two']);
      outbox.dispose();
    });

    it('lets two tabs of the same user write without erasing each other', () => {
      const { scope, open } = setup();
      const [tabA, tabB] = [open(), open()];
      const a = written(scope, 'from A', 1);
      const b = written(scope, 'from B', 2);
      tabA.save(scope, { ...a, state: 'queued', attempts: 0 });
      tabB.save(scope, { ...b, state: 'queued', attempts: 0 });
      tabA.save(scope, { ...a, state: 'failed', attempts: 1, error: 'Rate limit' });
      tabB.forget(scope, a.id); // B saw A's message confirmed by the server
      expect(tabA.load(scope).map((item) => item.body)).to.deep.equal(['from B']);
    });

    it('drops corrupt JSON and invalid entries with a pasabay-error, keeping the valid items', () => {
      const { storage, scope, errors, open, key } = setup();
      storage.setItem(key, '{"version":1,"items":[');
      expect(open().load(scope)).to.deep.equal([]);
      expect(storage.getItem(key)).to.equal(null);
      expect(errors.map((error) => error.code)).to.deep.equal(['invalid-payload']);

      storage.setItem(key, JSON.stringify({ version: 99, items: [] }));
      expect(open().load(scope)).to.deep.equal([]);
      expect(storage.getItem(key)).to.equal(null);

      const good = { ...written(scope, 'good', 1), state: 'queued' };
      const someoneElses = { ...written(scope, 'not mine', 2), sender_id: bob, state: 'queued' };
      const broken = { ...written(scope, '', 3), state: 'sending' };
      storage.setItem(key, JSON.stringify({ version: 1, items: [good, someoneElses, broken, 'x'] }));
      expect(
        open()
          .load(scope)
          .map((item) => item.body),
      ).to.deep.equal(['good']);
      expect(JSON.parse(storage.getItem(key)!).items.length).to.equal(1);
      expect(errors.length).to.equal(5);
      expect(errors.every((error) => error.code === 'invalid-payload')).to.equal(true);
    });

    it("never reads another user's or conversation's entry", () => {
      const { scope, open } = setup();
      const persistence = open();
      persistence.save(scope, { ...written(scope, 'mine', 1), state: 'queued', attempts: 0 });
      expect(persistence.load({ ...scope, userId: bob })).to.deep.equal([]);
      expect(persistence.load({ ...scope, conversationId: uuid() })).to.deep.equal([]);
      expect(persistence.load({ ...scope, projectUrl: 'https://elsewhere.test' })).to.deep.equal([]);
      expect(persistence.load(scope).map((item) => item.body)).to.deep.equal(['mine']);
    });

    it('falls back to memory when storage is full, reporting it once, and back to storage once it has room', () => {
      const { storage, scope, errors, open, key } = setup();
      storage.failWrites = quotaExceeded();
      const persistence = open();
      const one = written(scope, 'one', 1);
      persistence.save(scope, { ...one, state: 'queued', attempts: 0 });
      persistence.save(scope, { ...written(scope, 'two', 2), state: 'queued', attempts: 0 });
      expect(errors.map((error) => `${error.code} ${error.source}`)).to.deep.equal(['storage localStorage']);
      expect(storage.getItem(key)).to.equal(null);
      // Another element in the same page still finds them.
      expect(
        open()
          .load(scope)
          .map((item) => item.body),
      ).to.deep.equal(['one', 'two']);

      storage.failWrites = undefined;
      persistence.forget(scope, one.id);
      expect(JSON.parse(storage.getItem(key)!).items.map((item: { body: string }) => item.body)).to.deep.equal(['two']);
      expect(errors.length).to.equal(1);
    });

    it('works in memory when storage is blocked altogether', async () => {
      const target = new EventTarget();
      const errors: string[] = [];
      target.addEventListener('pasabay-error', (event) => errors.push((event as PasabayErrorEvent).detail.message));
      const blocked = new OutboxStorage({
        target,
        storage: () => {
          throw new DOMException('Access is denied for this document.', 'SecurityError');
        },
      });
      const scope: OutboxScope = { projectUrl: 'http://127.0.0.1:54321', userId: alice, conversationId: uuid() };
      const online = { value: false };
      const log: string[] = [];
      const outbox = outboxFor(blocked, scope, online, log);
      outbox.enqueue(written(scope, 'one', 1));
      expect(blocked.load(scope).map((item) => item.body)).to.deep.equal(['one']);
      online.value = true;
      await outbox.flush();
      expect(log).to.deep.equal(['send one']);
      expect(blocked.load(scope)).to.deep.equal([]);
      expect(errors.length).to.equal(1);
      expect(errors[0]).to.contain('SecurityError');
      outbox.dispose();
    });
  });

  describe('virtual window', () => {
    it('renders only the rows near the viewport and accounts for the rest', () => {
      const window = new VirtualWindow(50, 100);
      window.setKeys(Array.from({ length: 10_000 }, (_, i) => `k${i}`));
      expect(window.total).to.equal(500_000);
      const range = window.range(250_000, 500);
      expect(range.start).to.equal(4998);
      expect(range.end).to.equal(5013);
      expect(range.paddingTop + (range.end - range.start) * 50 + range.paddingBottom).to.equal(500_000);
    });

    it('keeps measured heights by key across a prepend', () => {
      const window = new VirtualWindow(50, 0);
      window.setKeys(['c', 'd']);
      window.setHeight('c', 120);
      expect(window.setHeight('c', 120)).to.equal(false);
      window.setKeys(['a', 'b', 'c', 'd']);
      expect(window.offsetOf(window.indexOf('d'))).to.equal(50 + 50 + 120);
      expect(window.indexAt(219)).to.equal(2);
      expect(window.indexAt(220)).to.equal(3);
    });
  });
});
