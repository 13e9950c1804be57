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
  /** Members mentioned by @name (the database checks them again). */
  readonly mentions?: string[];
  /** When the user wrote it (ISO), for the order and the time shown until the server's replaces it. */
  readonly created_at: string;
  state: 'queued' | 'sending' | 'failed';
  attempts: number;
  error?: string;
}

/**
 * What the outbox calls as its items change (see the `persistence` option); `OutboxStorage`
 * implements it. Declared here so storage depends on the outbox and not the other way round.
 */
export interface OutboxPersistence {
  save(item: OutboxItem): void;
  forget(id: string): void;
}

/** What `enqueue()` takes: the message as written. */
export type OutboxDraft = Pick<
  OutboxItem,
  'id' | 'conversation_id' | 'sender_id' | 'body' | 'reply_to' | 'created_at' | 'mentions'
>;

/**
 * Outcome of one attempt. `retryable` failures (no answer, a timeout, the server or database
 * unavailable, a rate limit) are tried again by themselves, with backoff, for as long as it takes;
 * the others (validation, permission: the server will never accept it) stay failed until the user
 * retries or discards them.
 */
export type SendOutcome =
  | { ok: true; row: MessageRecord }
  | {
      ok: false;
      retryable: boolean;
      message: string;
      /** HTTP status, 0 when no answer came. */
      status?: number;
      /** Wait at least this long before the next attempt (a rate limit's window, `Retry-After`). */
      retryAfterMs?: number;
    };

export interface OutboxOptions {
  /**
   * Performs one attempt. Must be idempotent by `item.id` (upsert with ignore-duplicates), must time
   * out by itself, and must give up (a retryable outcome) when `signal` aborts.
   */
  send(item: OutboxItem, signal: AbortSignal): Promise<SendOutcome>;
  /** Whether an attempt can succeed now (online and signed in). */
  canSend(): boolean;
  onChange(item: OutboxItem): void;
  onSent(item: OutboxItem, row: MessageRecord): void;
  onFailed(item: OutboxItem): void;
  /**
   * Delays before automatic retries of retryable failures, by attempt; by default exponential from
   * 1 s to 30 s with jitter (see `backoffDelay`). A failure's `retryAfterMs` is a floor either way.
   */
  backoffMs?: readonly number[];
  /**
   * Keeps waiting and failed items beyond the page's life: saved when added or when they settle in
   * `queued` / `failed` (an attempt in flight is saved as waiting), forgotten once sent or dropped.
   */
  persistence?: OutboxPersistence;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

/**
 * Exponential backoff with jitter for retry number `step` (0 for the first retry): a random delay
 * between half and all of `min(1 s × 2^step, 30 s)`, so that clients cut off together do not come
 * back together; never below `floorMs`.
 */
export function backoffDelay(step: number, floorMs = 0, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_BASE_MS * 2 ** Math.min(step, 16), BACKOFF_MAX_MS);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  // Jitter above the floor too: clients refused together must not all come back at the same instant.
  return Math.round(floorMs > 0 ? Math.max(jittered, floorMs + random() * (BACKOFF_BASE_MS / 2)) : jittered);
}

/**
 * Sends messages one at a time in the order they were written. Waiting items go out when `flush()` is
 * called (on `online`, on rejoin, on wake) or when the backoff timer fires. One loop at a time, one
 * attempt per item at a time: an item is never in flight twice.
 *
 * Sequential on purpose: the server stamps `created_at` when it stores a message, and that is the
 * order every member sees, so sending the next message only once the previous one is stored is what
 * keeps "sent in order = shown in order". No send can hold the rest forever: every attempt times
 * out (`send` must), and a timed-out or unanswered attempt is retried with the same id, which the
 * server stores at most once. Going offline aborts the attempt in flight (`abort()`).
 */
export class Outbox {
  readonly #options: OutboxOptions;
  readonly #items: OutboxItem[] = [];
  #flushing: Promise<void> | undefined;
  /** A pass is inside its loop (its promise may outlive the loop by a microtask). */
  #draining = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoffStep = 0;
  #inFlight: AbortController | undefined;
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

  /**
   * Gives up the attempt in flight (the network went away): it settles as an unanswered attempt,
   * its item waits again and goes out on the next `flush()`, with the same id.
   */
  abort(): void {
    this.#inFlight?.abort();
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
    // An attempt in flight is left to finish: the message the user wrote should still go out.
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
        const controller = new AbortController();
        this.#inFlight = controller;
        try {
          outcome = await this.#options.send(item, controller.signal);
        } catch (error) {
          outcome = { ok: false, retryable: true, message: error instanceof Error ? error.message : String(error) };
        } finally {
          if (this.#inFlight === controller) this.#inFlight = undefined;
        }
        // Aborted (offline, paused): whatever it answered, the server may or may not hold it; the
        // same id goes again later.
        if (controller.signal.aborted && outcome.ok === false) outcome = { ...outcome, retryable: true };
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
        this.#scheduleRetry(outcome.retryAfterMs ?? 0);
        return;
      }
    } finally {
      this.#draining = false;
    }
  }

  #scheduleRetry(floorMs: number) {
    if (this.#disposed || this.#paused) return;
    const delays = this.#options.backoffMs;
    const delay = delays
      ? Math.max(delays[Math.min(this.#backoffStep, delays.length - 1)] ?? BACKOFF_BASE_MS, floorMs)
      : backoffDelay(this.#backoffStep, floorMs);
    this.#backoffStep++;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), delay);
  }

  #set(item: OutboxItem, state: OutboxItem['state']) {
    item.state = state;
    if (state !== 'sending') this.#options.persistence?.save(item);
    this.#options.onChange(item);
  }
}
