/**
 * groupMessages: a new group at a new sender, a new day or a long pause.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import { MessageStore } from '../../../../src/components/pasabay-chat/state/message-store.js';
import { groupMessages, localDayKey } from '../../../../src/components/pasabay-chat/view/grouping.js';

import { bob, row } from '../messages.js';

describe('<pasabay-chat> logic', () => {
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
});
