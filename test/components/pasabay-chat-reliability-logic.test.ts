/**
 * The decisions behind <pasabay-chat>'s reliability, as pure logic (no network): which failures are
 * transient, how long to wait, and how the outbox keeps order while it retries. The same behaviour
 * against the local stack is in pasabay-chat-reliability.test.ts and the fault suite (test/faults).
 */
import { expect } from '@open-wc/testing';
import { isTransient, retryAfterMs } from '../../src/components/pasabay-chat/state/chat-data.js';
import { MessageStore } from '../../src/components/pasabay-chat/state/message-store.js';
import {
  backoffDelay,
  Outbox,
  type OutboxDraft,
  type OutboxItem,
  type SendOutcome,
} from '../../src/components/pasabay-chat/state/outbox.js';
import { alice, conversation, ids, row } from './pasabay-chat/messages.js';

describe('<pasabay-chat> reliability logic', () => {
  describe('failures', () => {
    const failure = (status: number, code = '', message = 'x') => ({ status, code, message });

    it('retries what may pass by itself and nothing else', () => {
      const transient = [
        failure(0),
        failure(0, 'timeout'),
        failure(408),
        failure(429, 'PT429'),
        failure(502),
        failure(503, '57P01'),
        failure(504),
        failure(500, 'PGRST000'),
        failure(500, 'PGRST001'),
        failure(500, 'PGRST002'),
        failure(500, 'PGRST003'),
        failure(500, '57014'),
        failure(500, '40001'),
        failure(500, '40P01'),
        failure(500, '55P03'),
        failure(401, 'PGRST303'),
      ];
      const permanent = [
        failure(400, '23514'),
        failure(400, 'PGRST100'),
        failure(403, '42501'),
        failure(401, 'PGRST301'),
        failure(404, '42P01'),
        failure(409, '23503'),
        failure(500, 'XX000'),
        failure(500, ''),
      ];
      expect(transient.filter((f) => !isTransient(f)).map((f) => `${f.status} ${f.code}`)).to.deep.equal([]);
      expect(permanent.filter((f) => isTransient(f)).map((f) => `${f.status} ${f.code}`)).to.deep.equal([]);
    });

    it("waits one slot of the rate limit's window, or what the server said", () => {
      expect(retryAfterMs(failure(429, 'PT429', 'Rate limit exceeded: at most 30 messages a minute'))).to.equal(2000);
      expect(retryAfterMs(failure(429, 'PT429', 'Rate limit exceeded: at most 1 edits a minute'))).to.equal(60_000);
      expect(retryAfterMs({ ...failure(503), retryAfterSeconds: 7 })).to.equal(7000);
      expect(retryAfterMs(failure(429, 'PT429', 'Slow down'))).to.equal(undefined);
      expect(retryAfterMs(failure(503))).to.equal(undefined);
    });

    it('backs off exponentially from 1 s to 30 s with jitter, never below a floor', () => {
      expect([0, 1, 2, 3, 4, 5, 9].map((step) => backoffDelay(step, 0, () => 1))).to.deep.equal([
        1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
      ]);
      expect([0, 1, 5].map((step) => backoffDelay(step, 0, () => 0))).to.deep.equal([500, 1000, 15_000]);
      expect(backoffDelay(0, 2000, () => 0)).to.equal(2000);
      expect(backoffDelay(0, 2000, () => 1)).to.equal(2500);
    });
  });

  describe('outbox', () => {
    const draft = (id: string): OutboxDraft => ({
      id,
      conversation_id: conversation,
      sender_id: alice,
      body: id,
      reply_to: null,
      created_at: '2026-01-01T10:00:00.000Z',
    });
    const ok = (item: OutboxItem): SendOutcome => ({ ok: true, row: row(item.id, '2026-01-01T10:00:00Z') });

    it('gives up an attempt when aborted (offline) and sends the same id again before the next one', async () => {
      const log: string[] = [];
      let hang = true;
      const outbox = new Outbox({
        send: (item, signal) => {
          log.push(`send ${item.id}#${item.attempts}`);
          if (!hang) return Promise.resolve(ok(item));
          return new Promise((resolve) =>
            signal.addEventListener('abort', () => resolve({ ok: false, retryable: false, message: 'aborted' })),
          );
        },
        canSend: () => true,
        onChange: () => {},
        onSent: (item) => log.push(`sent ${item.id}`),
        onFailed: (item) => log.push(`failed ${item.id}`),
        backoffMs: [60_000],
      });
      outbox.enqueue(draft('a'));
      outbox.enqueue(draft('b'));
      const pass = outbox.flush();
      outbox.abort();
      await pass;
      // Whatever the aborted attempt answered, it is not a refusal: it waits, and b stays behind it.
      expect(outbox.items.map((item) => `${item.id} ${item.state}`)).to.deep.equal(['a queued', 'b queued']);
      hang = false;
      await outbox.flush();
      expect(log).to.deep.equal(['send a#1', 'send a#2', 'sent a', 'send b#1', 'sent b']);
      outbox.dispose();
    });

    it('marks only what will never pass as failed, and goes on with the rest in order', async () => {
      const log: string[] = [];
      const outbox = new Outbox({
        send: async (item) => {
          log.push(`send ${item.id}`);
          return item.id === 'b' ? { ok: false, retryable: false, status: 409, message: 'reply_to gone' } : ok(item);
        },
        canSend: () => true,
        onChange: () => {},
        onSent: (item) => log.push(`sent ${item.id}`),
        onFailed: (item) => log.push(`failed ${item.id}: ${item.error}`),
      });
      for (const id of ['a', 'b', 'c']) outbox.enqueue(draft(id));
      await outbox.flush();
      expect(log).to.deep.equal(['send a', 'sent a', 'send b', 'failed b: reply_to gone', 'send c', 'sent c']);
      outbox.dispose();
    });
  });

  describe('window reload', () => {
    it('replaces the stored messages with the latest page and keeps the unsent ones', () => {
      const store = new MessageStore();
      store.upsert([row('m1', '2026-01-01T10:00:00Z'), row('m2', '2026-01-01T10:00:01Z')]);
      store.addLocal({ id: 'local', conversation_id: conversation, sender_id: alice, body: 'unsent', reply_to: null });
      const added = store.replaceStored([row('m2', '2026-01-01T10:00:01Z'), row('m9', '2026-01-01T11:00:00Z')]);
      expect(added).to.deep.equal(['m9']);
      expect(ids(store)).to.equal('m2,m9,local');
      expect(store.oldest?.id).to.equal('m2');
    });
  });
});
