/** One row of `public.message_reactions`. */
export interface ReactionRecord {
  message_id: string;
  user_id: string;
  emoji: string;
}

export interface ReactionSummary {
  emoji: string;
  count: number;
  mine: boolean;
}

/** A toggle of one's own reaction that the server has not answered yet. */
interface PendingToggle {
  /** Writes in flight for this reaction. */
  writes: number;
  /** Best known server state: before the toggle, then as live events and confirmed writes report it. */
  server: boolean;
}

/** Per-message bookkeeping besides who reacted with what. */
interface MessageReactions {
  /** emoji → user ids, in the order the emoji first appeared. */
  byEmoji: Map<string, Set<string>>;
  /** `user\nemoji` → clock tick of the last live event or confirmed toggle of that reaction. */
  touched: Map<string, number>;
  pending: Map<string, PendingToggle>;
  /** Clock tick at which the newest snapshot applied so far was requested. */
  snapshotAt: number;
}

const keyOf = (row: ReactionRecord) => `${row.user_id}\n${row.emoji}`;

/**
 * Reactions of the loaded messages, merged from three sources that arrive in no fixed order:
 * REST snapshots (history pages, catch-up re-fetches), live `reaction` events (INSERT / DELETE of
 * message_reactions) and the user's own optimistic toggles.
 *
 * A snapshot describes the table at some moment after it was requested, but its answer can arrive
 * after live events that are newer than that moment. So every live event and confirmed toggle is
 * stamped with a local clock tick, a snapshot carries the tick at which it was requested, and a
 * snapshot never overwrites a reaction touched after that tick. Own toggles stay pending (shown as
 * the user wants them, whatever snapshots or events say) until their write is answered.
 */
export class ReactionStore {
  #messages = new Map<string, MessageReactions>();
  #clock = 0;

  /** Read before requesting a snapshot and pass it to `replace()` with the answer. */
  get clock(): number {
    return this.#clock;
  }

  has(row: ReactionRecord): boolean {
    return this.#messages.get(row.message_id)?.byEmoji.get(row.emoji)?.has(row.user_id) ?? false;
  }

  /**
   * Replaces the reactions of `messageIds` with a snapshot requested at tick `requestedAt`, except
   * reactions touched since then or still pending. A snapshot requested before one already applied
   * to a message is ignored for that message. Returns whether anything shown changed.
   */
  replace(messageIds: Iterable<string>, rows: Iterable<ReactionRecord>, requestedAt = this.#clock): boolean {
    const fresh = new Map<string, Map<string, Set<string>>>();
    for (const id of messageIds) fresh.set(id, new Map());
    for (const row of rows) {
      let byEmoji = fresh.get(row.message_id);
      if (!byEmoji) fresh.set(row.message_id, (byEmoji = new Map()));
      let users = byEmoji.get(row.emoji);
      if (!users) byEmoji.set(row.emoji, (users = new Set()));
      users.add(row.user_id);
    }
    let changed = false;
    for (const [messageId, byEmoji] of fresh) {
      const held = this.#entry(messageId);
      if (requestedAt < held.snapshotAt) continue;
      held.snapshotAt = requestedAt;
      // What changed after the request (or is still being written) is newer than the snapshot.
      for (const [key, tick] of held.touched) {
        if (tick <= requestedAt) held.touched.delete(key);
      }
      for (const key of new Set([...held.touched.keys(), ...held.pending.keys()])) {
        const [userId, emoji] = key.split('\n') as [string, string];
        const present = held.byEmoji.get(emoji)?.has(userId) ?? false;
        let users = byEmoji.get(emoji);
        if (!users) byEmoji.set(emoji, (users = new Set()));
        if (present) users.add(userId);
        else users.delete(userId);
      }
      // Emoji already shown keep their place; new ones follow in the snapshot's order.
      const ordered = new Map<string, Set<string>>();
      for (const emoji of held.byEmoji.keys()) {
        const users = byEmoji.get(emoji);
        if (users?.size) ordered.set(emoji, users);
      }
      for (const [emoji, users] of byEmoji) {
        if (users.size > 0 && !ordered.has(emoji)) ordered.set(emoji, users);
      }
      if (!sameReactions(held.byEmoji, ordered)) changed = true;
      held.byEmoji = ordered;
    }
    return changed;
  }

  /** A live event (or any other report newer than every snapshot requested so far). Returns whether the view changed. */
  apply(row: ReactionRecord, present: boolean): boolean {
    const held = this.#entry(row.message_id);
    const key = keyOf(row);
    held.touched.set(key, ++this.#clock);
    const pending = held.pending.get(key);
    if (pending) {
      pending.server = present;
      return false;
    }
    return this.#show(held, row, present);
  }

  /** Shows the user's toggle at once and holds it until `settleToggle()`; one call per write sent. */
  beginToggle(row: ReactionRecord, present: boolean): boolean {
    const held = this.#entry(row.message_id);
    const key = keyOf(row);
    const pending = held.pending.get(key);
    if (pending) pending.writes++;
    else held.pending.set(key, { writes: 1, server: this.has(row) });
    return this.#show(held, row, present);
  }

  /**
   * The server answered one write of `beginToggle()`. Once none is left in flight the reaction
   * shows the best known server state: the last write that succeeded, or a live event, or what it
   * was before the toggle. Returns whether the view changed.
   */
  settleToggle(row: ReactionRecord, written: boolean, succeeded: boolean): boolean {
    const held = this.#messages.get(row.message_id);
    const key = keyOf(row);
    const pending = held?.pending.get(key);
    if (!held || !pending) return false;
    if (succeeded) pending.server = written;
    if (--pending.writes > 0) return false;
    held.pending.delete(key);
    // A snapshot requested before this answer may have been read before the write committed.
    held.touched.set(key, ++this.#clock);
    return this.#show(held, row, pending.server);
  }

  /** Reactions of one message, in the order they first appeared. */
  summaries(messageId: string, me: string | undefined): ReactionSummary[] {
    const byEmoji = this.#messages.get(messageId)?.byEmoji;
    if (!byEmoji) return [];
    const summaries: ReactionSummary[] = [];
    for (const [emoji, users] of byEmoji) {
      if (users.size > 0) summaries.push({ emoji, count: users.size, mine: me !== undefined && users.has(me) });
    }
    return summaries;
  }

  forget(messageId: string): void {
    this.#messages.delete(messageId);
  }

  /** Forgets everything; the clock keeps counting so an answer to an earlier request stays old. */
  clear(): void {
    this.#messages.clear();
  }

  #entry(messageId: string): MessageReactions {
    let held = this.#messages.get(messageId);
    if (!held) {
      held = { byEmoji: new Map(), touched: new Map(), pending: new Map(), snapshotAt: -1 };
      this.#messages.set(messageId, held);
    }
    return held;
  }

  #show(held: MessageReactions, row: ReactionRecord, present: boolean): boolean {
    let users = held.byEmoji.get(row.emoji);
    if ((users?.has(row.user_id) ?? false) === present) return false;
    if (!users) held.byEmoji.set(row.emoji, (users = new Set()));
    if (present) users.add(row.user_id);
    else users.delete(row.user_id);
    return true;
  }
}

function sameReactions(a: Map<string, Set<string>>, b: Map<string, Set<string>>): boolean {
  const nonEmpty = (map: Map<string, Set<string>>) => [...map].filter(([, users]) => users.size > 0);
  const left = nonEmpty(a);
  const right = nonEmpty(b);
  if (left.length !== right.length) return false;
  return left.every(([emoji, users], index) => {
    const [otherEmoji, otherUsers] = right[index]!;
    return emoji === otherEmoji && users.size === otherUsers.size && [...users].every((user) => otherUsers.has(user));
  });
}
