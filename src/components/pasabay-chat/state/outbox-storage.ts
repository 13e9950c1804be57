/**
 * Unsent messages kept across page loads: the outbox of one (project, user, conversation) in one
 * localStorage entry, so closing or reloading the tab while offline loses nothing. Sending the
 * restored items again is safe: they keep their client ids, and the server ignores a duplicate id.
 */
import * as z from 'zod/mini';
import { parsePayload } from '../../../connection/schemas.js';
import { PasabayErrorEvent, reported } from '../../../events/pasabay-error.js';
import type { OutboxItem, OutboxPersistence } from './outbox.js';
import { MESSAGE_MAX_UNITS } from '../../../connection/wire.js';

const KEY_PREFIX = 'pasabay-chat:outbox:v1';
const VERSION = 1;

/** One unsent message as stored. `sending` is stored as `queued`: the attempt may not have arrived. */
export const storedOutboxItemSchema = z.object({
  id: z.guid(),
  conversation_id: z.guid(),
  sender_id: z.guid(),
  body: z.string().check(z.minLength(1), z.maxLength(MESSAGE_MAX_UNITS)),
  reply_to: z.nullable(z.guid()),
  created_at: z.iso.datetime({ offset: true }),
  state: z.enum(['queued', 'failed']),
  error: z.optional(z.string()),
  mentions: z.optional(z.array(z.guid())),
});
export type StoredOutboxItem = z.infer<typeof storedOutboxItemSchema>;

// Items are checked one by one, so one bad item does not cost the others.
const entrySchema = z.object({ version: z.literal(VERSION), items: z.array(z.unknown()) });

/** Whose outbox: entries of another project, user or conversation are never read. */
export interface OutboxScope {
  projectUrl: string;
  userId: string;
  conversationId: string;
}

export function outboxStorageKey({ projectUrl, userId, conversationId }: OutboxScope): string {
  return `${KEY_PREFIX} ${projectUrl} ${userId} ${conversationId}`;
}

/** The project URL a client talks to (its Realtime HTTP endpoint without `/realtime/v1`). */
export { projectUrlOf } from '../../../connection/client.js';

export interface OutboxStorageOptions {
  /** Receives `pasabay-error` events (corrupt entries; storage unavailable or full). */
  target: EventTarget;
  /** The storage to use; defaults to `localStorage`, whose mere reading can throw when blocked. */
  storage?: () => Storage | null | undefined;
}

/**
 * Entries whose storage failed (unavailable, full), by key, for the rest of the page's life. Module
 * level so an element created later in the same page (a remount) still finds them.
 */
const memory = new Map<string, StoredOutboxItem[]>();

/**
 * Reads and writes outbox entries. Never throws: a corrupt entry (bad JSON, wrong shape, items of
 * someone else) is dropped and reported as `pasabay-error` (`invalid-payload`); when the storage is
 * unavailable or full, entries live in memory for the page's life, reported once per instance.
 *
 * Every write re-reads the entry and changes only the item it is about, so two tabs of the same user
 * working on one conversation do not erase each other's items.
 */
export class OutboxStorage {
  readonly #options: OutboxStorageOptions;
  #reportedUnavailable = false;

  constructor(options: OutboxStorageOptions) {
    this.#options = options;
  }

  /** The stored items of `scope`, oldest first. */
  load(scope: OutboxScope): StoredOutboxItem[] {
    return this.#read(scope);
  }

  /** Saves (adds or replaces) one item of `scope`, keeping its place. */
  save(scope: OutboxScope, item: OutboxItem): void {
    const stored = toStored(item);
    const items = this.#read(scope);
    const index = items.findIndex((held) => held.id === stored.id);
    if (index >= 0) items[index] = stored;
    else items.push(stored);
    this.#write(scope, items);
  }

  /** Removes one item of `scope` (confirmed by the server, or discarded). */
  forget(scope: OutboxScope, id: string): void {
    const items = this.#read(scope);
    const kept = items.filter((held) => held.id !== id);
    if (kept.length !== items.length) this.#write(scope, kept);
  }

  /** The outbox-facing view of one scope. */
  bind(scope: OutboxScope): OutboxPersistence {
    return { save: (item) => this.save(scope, item), forget: (id) => this.forget(scope, id) };
  }

  #storage(): Storage | undefined {
    try {
      return (this.#options.storage ? this.#options.storage() : globalThis.localStorage) ?? undefined;
    } catch (error) {
      this.#reportUnavailable(error);
      return undefined;
    }
  }

  #read(scope: OutboxScope): StoredOutboxItem[] {
    const key = outboxStorageKey(scope);
    const remembered = memory.get(key);
    if (remembered) return [...remembered];
    const storage = this.#storage();
    if (!storage) return [];
    let text: string | null;
    try {
      text = storage.getItem(key);
    } catch (error) {
      this.#reportUnavailable(error);
      return [];
    }
    if (text === null) return [];
    const source = `localStorage ${key}`;
    const { target } = this.#options;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      target.dispatchEvent(
        new PasabayErrorEvent({
          code: 'invalid-payload',
          message: `Dropped unreadable unsent messages from ${source}: ${error instanceof Error ? error.message : String(error)}`,
          source,
          cause: text,
        }),
      );
      this.#remove(storage, key);
      return [];
    }
    const entry = reported(target, parsePayload(entrySchema, data, source));
    if (!entry) {
      this.#remove(storage, key);
      return [];
    }
    const items: StoredOutboxItem[] = [];
    for (const raw of entry.items) {
      const item = reported(target, parsePayload(storedOutboxItemSchema, raw, source));
      if (!item) continue;
      if (item.sender_id !== scope.userId || item.conversation_id !== scope.conversationId) {
        target.dispatchEvent(
          new PasabayErrorEvent({
            code: 'invalid-payload',
            message: `Dropped an unsent message of another user or conversation from ${source}`,
            source,
            cause: raw,
          }),
        );
        continue;
      }
      if (!items.some((held) => held.id === item.id)) items.push(item);
    }
    if (items.length !== entry.items.length) this.#write(scope, items);
    // Oldest first; Array#sort is stable, so items written in the same millisecond keep their order.
    return items.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  }

  #write(scope: OutboxScope, items: StoredOutboxItem[]) {
    const key = outboxStorageKey(scope);
    const storage = this.#storage();
    if (storage) {
      try {
        if (items.length === 0) storage.removeItem(key);
        else storage.setItem(key, JSON.stringify({ version: VERSION, items }));
        // Storage holds the truth (again).
        memory.delete(key);
        return;
      } catch (error) {
        this.#reportUnavailable(error);
      }
    }
    // Until a write succeeds, this page reads the entry from memory: what storage holds may be stale.
    memory.set(key, [...items]);
  }

  #remove(storage: Storage, key: string) {
    try {
      storage.removeItem(key);
    } catch (error) {
      this.#reportUnavailable(error);
    }
  }

  #reportUnavailable(error: unknown) {
    if (this.#reportedUnavailable) return;
    this.#reportedUnavailable = true;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.#options.target.dispatchEvent(
      new PasabayErrorEvent({
        code: 'storage',
        message: `Could not keep unsent messages in localStorage (${reason}); they are kept in memory until the page closes.`,
        source: 'localStorage',
        cause: error,
      }),
    );
  }
}

function toStored(item: OutboxItem): StoredOutboxItem {
  const stored: StoredOutboxItem = {
    id: item.id,
    conversation_id: item.conversation_id,
    sender_id: item.sender_id,
    body: item.body,
    reply_to: item.reply_to,
    created_at: item.created_at,
    state: item.state === 'failed' ? 'failed' : 'queued',
  };
  if (item.state === 'failed' && item.error !== undefined) stored.error = item.error;
  if (item.mentions?.length) stored.mentions = item.mentions;
  return stored;
}
