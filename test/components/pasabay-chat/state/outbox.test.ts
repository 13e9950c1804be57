/**
 * Outbox: sends once and in order, waits after network failures, keeps refused messages until retried.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import {
  Outbox,
  type OutboxDraft,
  type OutboxItem,
  type SendOutcome,
} from '../../../../src/components/pasabay-chat/state/outbox.js';

import { alice, conversation, row } from '../messages.js';

describe('<pasabay-chat> logic', () => {
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
});
