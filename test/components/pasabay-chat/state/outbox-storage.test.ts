/**
 * OutboxStorage: unsent messages kept in localStorage for later page loads, validated on the way back.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import { Outbox, type OutboxDraft } from '../../../../src/components/pasabay-chat/state/outbox.js';
import {
  OutboxStorage,
  outboxStorageKey,
  type OutboxScope,
} from '../../../../src/components/pasabay-chat/state/outbox-storage.js';
import { uuid } from '../../../../src/connection/ids.js';
import type { PasabayErrorEvent } from '../../../../src/events/pasabay-error.js';

import { alice, bob, row } from '../messages.js';

describe('<pasabay-chat> logic', () => {
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
});
