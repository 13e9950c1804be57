import type { Message } from '../../../connection/schemas.js';
import { ReactionStore, type ReactionRecord, type ReactionSummary } from './reaction-store.js';
import { timestampMicros } from '../../../connection/timestamps.js';

export type { ReactionRecord, ReactionSummary };

/** One row of `public.messages` as REST and Broadcast from Database deliver it. */
export type MessageRecord = Message;

/**
 * Where a message is on its way to the server. `sent` means the server stored it; `seen` is derived
 * from read receipts at render time, not stored here.
 */
export type Delivery = 'sending' | 'queued' | 'failed' | 'sent';

export interface ChatMessage extends MessageRecord {
  delivery: Delivery;
  /** Why the last send failed (server message), for `failed` messages. */
  error?: string;
  /** Ordering key: microseconds of `created_at` for stored messages. */
  readonly sortKey: number;
}

interface Entry {
  message: ChatMessage;
  /** Local messages keep the order they were written in, after every stored message. */
  local: boolean;
  localSeq: number;
}

const versionOf = (row: MessageRecord) =>
  Math.max(
    timestampMicros(row.created_at),
    row.edited_at ? timestampMicros(row.edited_at) : 0,
    row.deleted_at ? timestampMicros(row.deleted_at) : 0,
  );

const compare = (a: ChatMessage, b: ChatMessage) => a.sortKey - b.sortKey || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The messages of one conversation: history pages, live events and optimistic sends merged into one
 * list ordered by `created_at` then `id`, each id held once. Reading `messages` gives an immutable
 * snapshot that changes identity only when something changed, so it can drive Lit updates directly.
 */
export class MessageStore {
  #entries = new Map<string, Entry>();
  /** Stored (server-confirmed) messages, kept sorted. */
  #stored: ChatMessage[] = [];
  #local: Entry[] = [];
  #reactions = new ReactionStore();
  #snapshot: readonly ChatMessage[] | undefined = [];
  #localSeq = 0;
  #revision = 0;
  /** Latest server time seen in any row: the point to catch up from after a gap. */
  #serverClock = 0;
  #serverClockText: string | undefined;

  /** Called after every change (the element requests an update). */
  onChange: (() => void) | undefined;

  /** Grows by one on every change; cheap to compare for memoisation. */
  get revision(): number {
    return this.#revision;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** All messages, oldest first; local (unsent) ones last in the order they were written. */
  get messages(): readonly ChatMessage[] {
    this.#snapshot ??= Object.freeze([...this.#stored, ...this.#local.map((entry) => entry.message)]);
    return this.#snapshot;
  }

  /** Oldest stored message (the cursor for the next older page). */
  get oldest(): ChatMessage | undefined {
    return this.#stored[0];
  }

  /** Newest stored message. */
  get newest(): ChatMessage | undefined {
    return this.#stored.at(-1);
  }

  /** The latest server timestamp seen (created, edited or deleted), as the server wrote it. */
  get serverClock(): string | undefined {
    return this.#serverClockText;
  }

  get(id: string): ChatMessage | undefined {
    return this.#entries.get(id)?.message;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /**
   * Merges rows from the server. A row replaces a held copy unless the held copy is newer (an edit or
   * delete already applied), so a slow history page cannot undo a live edit. Returns the ids that were new.
   */
  upsert(rows: Iterable<MessageRecord>): string[] {
    const added: string[] = [];
    let changed = false;
    for (const row of rows) {
      const sortKey = timestampMicros(row.created_at);
      if (Number.isNaN(sortKey)) continue;
      this.#advanceClock(row, sortKey);
      const held = this.#entries.get(row.id);
      if (held && !held.local && versionOf(held.message) > versionOf(row)) continue;
      const message: ChatMessage = { ...pick(row), delivery: 'sent', sortKey };
      if (held?.local) this.#local.splice(this.#local.indexOf(held), 1);
      if (held && !held.local) {
        const index = this.#indexOf(held.message);
        if (held.message.sortKey === sortKey) this.#stored[index] = message;
        else {
          this.#stored.splice(index, 1);
          this.#insertSorted(message);
        }
      } else {
        this.#insertSorted(message);
        if (!held) added.push(row.id);
      }
      this.#entries.set(row.id, { message, local: false, localSeq: 0 });
      changed = true;
    }
    if (changed) this.#changed();
    return added;
  }

  /** Forgets a message (hard delete on the server). */
  remove(id: string): boolean {
    const held = this.#entries.get(id);
    if (!held) return false;
    if (held.local) this.#local.splice(this.#local.indexOf(held), 1);
    else this.#stored.splice(this.#indexOf(held.message), 1);
    this.#entries.delete(id);
    this.#reactions.forget(id);
    this.#changed();
    return true;
  }

  /**
   * Adds a message the user wrote (just now, or `written.createdAt` when restored from an earlier
   * page); shown at the end, in the order added, until the server stores it.
   */
  addLocal(
    draft: Omit<MessageRecord, 'created_at' | 'edited_at' | 'deleted_at'>,
    delivery: Exclude<Delivery, 'sent'> = 'sending',
    written: { createdAt?: string; error?: string | undefined } = {},
  ): ChatMessage {
    const existing = this.#entries.get(draft.id);
    if (existing) return existing.message;
    const createdAt = written.createdAt ?? new Date().toISOString();
    const message: ChatMessage = {
      ...draft,
      created_at: createdAt,
      edited_at: null,
      deleted_at: null,
      delivery,
      sortKey: Date.parse(createdAt) * 1000,
    };
    if (written.error !== undefined) message.error = written.error;
    const entry: Entry = { message, local: true, localSeq: ++this.#localSeq };
    this.#entries.set(draft.id, entry);
    this.#local.push(entry);
    this.#changed();
    return message;
  }

  /** Changes the delivery state of a message that is not stored yet. */
  setDelivery(id: string, delivery: Exclude<Delivery, 'sent'>, error?: string): void {
    const entry = this.#entries.get(id);
    if (!entry?.local) return;
    if (entry.message.delivery === delivery && entry.message.error === error) return;
    entry.message = { ...entry.message, delivery, error };
    this.#changed();
  }

  /** Applies a local edit or delete at once; the server row that follows confirms it. */
  patch(id: string, changes: Partial<Pick<MessageRecord, 'body' | 'edited_at' | 'deleted_at'>>): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.message = { ...entry.message, ...changes };
    // Local entries are read through `#local`; stored ones are also held in the sorted array.
    if (!entry.local) this.#stored[this.#indexOf(entry.message)] = entry.message;
    this.#changed();
  }

  /**
   * The reactions clock: read it before requesting reactions and pass it to `setReactions()` with
   * the answer, so the answer cannot undo a live event or a toggle that came after the request.
   */
  get reactionClock(): number {
    return this.#reactions.clock;
  }

  /**
   * Replaces all reactions of the given messages with `rows`, a snapshot requested when the
   * reactions clock read `requestedAt` (default: now). Reactions changed since then keep their state.
   */
  setReactions(messageIds: Iterable<string>, rows: Iterable<ReactionRecord>, requestedAt?: number): void {
    if (this.#reactions.replace(messageIds, rows, requestedAt)) this.#changed();
  }

  /** Adds or removes one reaction, as a live event reports it. */
  applyReaction(row: ReactionRecord, present: boolean): void {
    if (this.#reactions.apply(row, present)) this.#changed();
  }

  /** Shows the user's own toggle at once; it stays as the user set it until `settleReactionToggle()`. */
  beginReactionToggle(row: ReactionRecord, present: boolean): void {
    if (this.#reactions.beginToggle(row, present)) this.#changed();
  }

  /** The server answered a toggle's write (`present` is what it wrote). */
  settleReactionToggle(row: ReactionRecord, present: boolean, succeeded: boolean): void {
    if (this.#reactions.settleToggle(row, present, succeeded)) this.#changed();
  }

  hasReaction(row: ReactionRecord): boolean {
    return this.#reactions.has(row);
  }

  /** Reactions of one message, in the order they first appeared. */
  reactionsOf(messageId: string, me: string | undefined): ReactionSummary[] {
    return this.#reactions.summaries(messageId, me);
  }

  /**
   * Replaces every stored message with `rows` (a fresh latest page, when the view fell too far behind
   * to page through what it missed). The user's unsent messages stay. Returns the ids that were new.
   */
  replaceStored(rows: Iterable<MessageRecord>): string[] {
    const before = new Set(this.#stored.map((message) => message.id));
    for (const message of this.#stored) {
      this.#entries.delete(message.id);
      this.#reactions.forget(message.id);
    }
    this.#stored = [];
    this.#serverClock = 0;
    this.#serverClockText = undefined;
    this.#changed();
    return this.upsert(rows).filter((id) => !before.has(id));
  }

  clear(): void {
    this.#entries.clear();
    this.#stored = [];
    this.#local = [];
    this.#reactions.clear();
    this.#serverClock = 0;
    this.#serverClockText = undefined;
    this.#changed();
  }

  #advanceClock(row: MessageRecord, createdMicros: number) {
    this.#advanceTo(row.created_at, createdMicros);
    if (row.edited_at) this.#advanceTo(row.edited_at, timestampMicros(row.edited_at));
    if (row.deleted_at) this.#advanceTo(row.deleted_at, timestampMicros(row.deleted_at));
  }

  #advanceTo(text: string, micros: number) {
    if (micros > this.#serverClock) {
      this.#serverClock = micros;
      this.#serverClockText = text;
    }
  }

  #indexOf(message: ChatMessage): number {
    let low = 0;
    let high = this.#stored.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const order = compare(this.#stored[mid]!, message);
      if (order === 0) return mid;
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    throw new Error(`message ${message.id} is not in the store's order`);
  }

  #insertSorted(message: ChatMessage) {
    // Live messages almost always belong at the end; history pages at the start.
    const stored = this.#stored;
    const last = stored.at(-1);
    if (!last || compare(last, message) < 0) {
      stored.push(message);
      return;
    }
    let low = 0;
    let high = stored.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(stored[mid]!, message) < 0) low = mid + 1;
      else high = mid;
    }
    stored.splice(low, 0, message);
  }

  #changed() {
    this.#snapshot = undefined;
    this.#revision++;
    this.onChange?.();
  }
}

function pick(row: MessageRecord): MessageRecord {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    sender_id: row.sender_id,
    body: row.body,
    reply_to: row.reply_to ?? null,
    created_at: row.created_at,
    edited_at: row.edited_at ?? null,
    deleted_at: row.deleted_at ?? null,
    mentions: row.mentions ?? [],
  };
}
