/**
 * MessageStore: history pages, live events and optimistic sends merged into one ordered list.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import { MessageStore } from '../../../../src/components/pasabay-chat/state/message-store.js';

import { alice, bob, conversation, ids, row } from '../messages.js';

describe('<pasabay-chat> logic', () => {
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
});
