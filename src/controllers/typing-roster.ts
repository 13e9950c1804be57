import type { Typist } from '../events/pasabay-typing-change.js';

/**
 * Who else is typing, with expiry: a typist who sends no `typing: true` for `expireAfterMs`
 * is dropped (their `typing: false` may never come: closed tab, lost connection).
 * Pure bookkeeping with explicit clock values, so it is tested without timers.
 */
export class TypingRoster {
  readonly #expireAfterMs: number;
  readonly #entries = new Map<string, { displayName: string; expiresAt: number }>();

  constructor(expireAfterMs: number) {
    this.#expireAfterMs = expireAfterMs;
  }

  /** Typists in the order they started typing. */
  get typists(): Typist[] {
    return [...this.#entries].map(([userId, { displayName }]) => ({ userId, displayName }));
  }

  /** Applies one typing event. Returns whether the list of typists (or a name) changed. */
  apply(event: { user_id: string; display_name: string; typing: boolean }, now: number): boolean {
    const existing = this.#entries.get(event.user_id);
    if (!event.typing) return this.#entries.delete(event.user_id);
    this.#entries.set(event.user_id, { displayName: event.display_name, expiresAt: now + this.#expireAfterMs });
    return !existing || existing.displayName !== event.display_name;
  }

  /** Drops typists whose last event is older than the expiry. Returns whether any was dropped. */
  expire(now: number): boolean {
    let changed = false;
    for (const [userId, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(userId);
        changed = true;
      }
    }
    return changed;
  }

  /** When the next typist expires, if anyone is typing. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const { expiresAt } of this.#entries.values())
      next = next === undefined ? expiresAt : Math.min(next, expiresAt);
    return next;
  }

  clear(): boolean {
    const changed = this.#entries.size > 0;
    this.#entries.clear();
    return changed;
  }
}

/**
 * When to send one's own typing state: `typing: true` at most once per `intervalMs` while input
 * continues (so others' expiry is refreshed), and `typing: false` once input stops or is sent.
 */
export class TypingThrottle {
  readonly #intervalMs: number;
  #lastSentAt: number | undefined;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Whether we told others we are typing and have not yet said we stopped. */
  get announced(): boolean {
    return this.#lastSentAt !== undefined;
  }

  /** A keystroke at `now`: returns true when a `typing: true` should be sent. */
  input(now: number): boolean {
    if (this.#lastSentAt !== undefined && now - this.#lastSentAt < this.#intervalMs) return false;
    this.#lastSentAt = now;
    return true;
  }

  /** Input stopped: returns true when a `typing: false` should be sent. */
  stop(): boolean {
    const wasAnnounced = this.announced;
    this.#lastSentAt = undefined;
    return wasAnnounced;
  }
}
