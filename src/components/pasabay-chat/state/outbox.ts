import type { MessageRecord } from './message-store.js';

/** A message the user wrote that the server has not confirmed yet. */
export interface OutboxItem {
  /** Client-generated message id: the same on every attempt, so a retry cannot duplicate. */
  readonly id: string;
  readonly conversation_id: string;
  /** The author: a send made under another user's session is refused by the server. */
  readonly sender_id: string;
  readonly body: string;
  readonly reply_to: string | null;
  /** When the user wrote it (ISO), for the order and the time shown until the server's replaces it. */
  readonly created_at: string;
  state: 'queued' | 'sending' | 'failed';
  attempts: number;
  error?: string;
}

/**
 * Outcome of one attempt. `retryable` failures (no network, the request never answered) wait for the
 * connection and are tried again by themselves; the others (the server refused: rate limit, policy,
 * validation) stay failed until the user retries.
 */
/** What `enqueue()` takes: the message as written. */
/**
 * What the outbox calls as its items change (see the `persistence` option); `OutboxStorage`
 * implements it. Declared here so storage depends on the outbox and not the other way round.
 */
export interface OutboxPersistence {
  save(item: OutboxItem): void;
  forget(id: string): void;
}

export type OutboxDraft = Pick<OutboxItem, 'id' | 'conversation_id' | 'sender_id' | 'body' | 'reply_to' | 'created_at'>;

export type SendOutcome = { ok: true; row: MessageRecord } | { ok: false; retryable: boolean; message: string };

export interface OutboxOptions {
  /** Performs one attempt. Must be idempotent by `item.id` (upsert with ignore-duplicates). */
  send(item: OutboxItem): Promise<SendOutcome>;
  /** Whether an attempt can succeed now (online and signed in). */
  canSend(): boolean;
  onChange(item: OutboxItem): void;
  onSent(item: OutboxItem, row: MessageRecord): void;
  onFailed(item: OutboxItem): void;
  /** Delays before automatic retries of retryable failures while online. */
  backoffMs?: readonly number[];
  /**
   * Keeps waiting and failed items beyond the page's life: saved when added or when they settle in
   * `queued` / `failed` (an attempt in flight is saved as waiting), forgotten once sent or dropped.
   */
  persistence?: OutboxPersistence;
}

const DEFAULT_BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * Sends messages one at a time in the order they were written. Waiting items go out when `flush()` is
 * called (on `online`, on rejoin, on wake) or when the backoff timer fires. One loop at a time, one
 * attempt per item at a time: an item is never in flight twice.
 */
export class Outbox {
  readonly #options: OutboxOptions;
  readonly #items: OutboxItem[] = [];
  #flushing: Promise<void> | undefined;
  /** A pass is inside its loop (its promise may outlive the loop by a microtask). */
  #draining = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoffStep = 0;
  #disposed = false;
  #paused = false;

  constructor(options: OutboxOptions) {
    this.#options = options;
  }

  /** Items not yet confirmed, oldest first. */
  get items(): readonly OutboxItem[] {
    return this.#items;
  }

  get pending(): number {
    return this.#items.filter((item) => item.state !== 'failed').length;
  }

  has(id: string): boolean {
    return this.#items.some((item) => item.id === id);
  }

  /** Adds a message and tries to send it (and anything queued before it). */
  enqueue(message: OutboxDraft): OutboxItem {
    const existing = this.#items.find((item) => item.id === message.id);
    if (existing) return existing;
    const item: OutboxItem = { ...message, state: 'queued', attempts: 0 };
    this.#items.push(item);
    this.#options.persistence?.save(item);
    this.#options.onChange(item);
    void this.flush();
    return item;
  }

  /**
   * Takes back items saved by an earlier page (or another tab), oldest first, in their state, and
   * sends the waiting ones. Ids already held are skipped, so the same item is never held twice.
   */
  restore(items: readonly (OutboxDraft & { state: 'queued' | 'failed'; error?: string | undefined })[]): void {
    for (const restored of items) {
      if (this.has(restored.id)) continue;
      const { error, ...draft } = restored;
      const item: OutboxItem = { ...draft, attempts: 0 };
      if (error !== undefined) item.error = error;
      this.#items.push(item);
    }
    void this.flush();
  }

  /**
   * The server holds this message (seen in history, live or sent from another tab): drops it unless
   * an attempt is in flight, whose answer settles it. Returns whether it was dropped.
   */
  settle(id: string): boolean {
    const index = this.#items.findIndex((item) => item.id === id && item.state !== 'sending');
    if (index < 0) return false;
    this.#items.splice(index, 1);
    this.#options.persistence?.forget(id);
    return true;
  }

  /** Sends a failed message again, with the same id. */
  retry(id: string): void {
    const item = this.#items.find((candidate) => candidate.id === id);
    if (!item || item.state !== 'failed') return;
    this.#set(item, 'queued');
    this.#backoffStep = 0;
    void this.flush();
  }

  /** Drops a message that has not been sent (a failed one the user gave up on). */
  discard(id: string): boolean {
    const index = this.#items.findIndex((item) => item.id === id && item.state !== 'sending');
    if (index < 0) return false;
    this.#items.splice(index, 1);
    this.#options.persistence?.forget(id);
    return true;
  }

  /** Sends every queued item now if possible. Resolves when this pass ends. */
  flush(): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    if (this.#flushing && this.#draining) return this.#flushing;
    // A pass that already left its loop would send nothing more: start a new one.
    const pass: Promise<void> = this.#drain().finally(() => {
      if (this.#flushing === pass) this.#flushing = undefined;
    });
    this.#flushing = pass;
    return pass;
  }

  /** Stops sending until `resume()` (the element left the page); items are kept. */
  pause(): void {
    this.#paused = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Sends what waited while paused. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    void this.flush();
  }

  /** Stops for good; items stay readable but are no longer sent. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#draining = true;
    // `finally` runs as the loop returns, in the same turn as its last check (not a microtask later).
    try {
      for (;;) {
        if (this.#disposed || this.#paused || !this.#options.canSend()) return;
        const item = this.#items.find((candidate) => candidate.state === 'queued');
        if (!item) return;
        this.#set(item, 'sending');
        item.attempts++;
        let outcome: SendOutcome;
        try {
          outcome = await this.#options.send(item);
        } catch (error) {
          outcome = { ok: false, retryable: true, message: error instanceof Error ? error.message : String(error) };
        }
        if (outcome.ok) {
          const index = this.#items.indexOf(item);
          if (index >= 0) this.#items.splice(index, 1);
          this.#options.persistence?.forget(item.id);
          this.#backoffStep = 0;
          this.#options.onSent(item, outcome.row);
          continue;
        }
        item.error = outcome.message;
        if (!outcome.retryable) {
          this.#set(item, 'failed');
          this.#options.onFailed(item);
          continue;
        }
        // Keep the order: nothing after a waiting item goes first.
        this.#set(item, 'queued');
        this.#scheduleRetry();
        return;
      }
    } finally {
      this.#draining = false;
    }
  }

  #scheduleRetry() {
    if (this.#disposed || this.#paused) return;
    const delays = this.#options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const delay = delays[Math.min(this.#backoffStep, delays.length - 1)] ?? 1000;
    this.#backoffStep++;
    this.#timer = setTimeout(() => void this.flush(), delay);
  }

  #set(item: OutboxItem, state: OutboxItem['state']) {
    item.state = state;
    if (state !== 'sending') this.#options.persistence?.save(item);
    this.#options.onChange(item);
  }
}
