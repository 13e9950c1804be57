/**
 * Pure bookkeeping of `<meeting-participants>`. Who is in the meeting and their state come from
 * the database only: `meeting_participants` rows (loaded through REST, then kept current by the
 * `participant` broadcast) and `profiles`. Presence decides one thing, whether a participant
 * recorded as joined is still connected; presence keys that are not joined participants count for
 * nothing, and presence payloads are never read.
 */
import type { MeetingParticipant, Profile } from '../../connection/schemas.js';
import { timestampMicros } from '../../connection/timestamps.js';
import type { ConnectionQuality } from './participant-schema.js';

/**
 * A recorded row as the roster keeps it. The hands queue and connection columns are optional so
 * a row of the shared `MeetingParticipant` shape still fits (read as hand down, no report).
 */
export type RosterRow = MeetingParticipant & {
  hand_raised_at?: string | null;
  connection_quality?: ConnectionQuality | null;
};

/** One's own meeting state: what the toggles change. */
export interface OwnState {
  isMuted: boolean;
  isVideoOn: boolean;
  isScreenSharing: boolean;
  isHandRaised: boolean;
  away: boolean;
}

/** One participant as shown: their recorded row, their profile, and whether their connection is lost. */
export interface Participant {
  user_id: string;
  display_name: string;
  avatar_url: string | null;
  role: 'host' | 'participant';
  joined_at: string;
  is_muted: boolean;
  is_video_on: boolean;
  is_screen_sharing: boolean;
  is_hand_raised: boolean;
  is_away: boolean;
  /** Recorded as joined, but not connected: their presence vanished (or never came within the grace period). */
  connection_lost: boolean;
  /** When the hand went up, by the database's clock; `null` while down (or not recorded yet). */
  hand_raised_at: string | null;
  /** The participant's own report of their connection (a claim about themself); `null` when none. */
  connection_quality: ConnectionQuality | null;
}

/** Recorded as in the meeting now: joined and not left since. */
export function isJoined(row: RosterRow): boolean {
  return row.joined_at !== null && row.left_at === null;
}

/** What a participant's entry depends on besides their own row, profile and presence. */
export interface ListOptions {
  ownId: string | undefined;
  fallbackName: string;
  presenceJoined: boolean;
  graceOver: boolean;
  ownOverride?: Partial<Participant> | undefined;
}

/** A new list, with who joined it and who left it since the previous one. */
export interface RosterUpdate {
  list: readonly Participant[];
  joined: Participant[];
  left: Participant[];
}

/**
 * Rows, profiles and presence, and the list they make, kept current by change: every input marks
 * the users it touches, and `update()` recomputes only their entries, moving each to its place in
 * the ordered list by binary search. A join wave of n participants costs n small steps, not n
 * rebuilds of the whole list. Only a change of what every entry depends on (the current user,
 * the fallback name, the presence channel's state) rebuilds it.
 */
export class MeetingRoster {
  readonly #rows = new Map<string, RosterRow>();
  readonly #profiles = new Map<string, Profile>();
  /** Asked for, but not returned: shown under the fallback name rather than not at all. */
  readonly #unavailable = new Set<string>();
  /** Joined participants whose profile is neither loaded nor known to be unavailable. */
  readonly #missing = new Set<string>();
  /** Presence keys now present. */
  readonly #present = new Set<string>();
  /** Keys seen present at least once since the presence channel joined. */
  readonly #everPresent = new Set<string>();

  /**
   * Rows changed since which tick of `clock`. Broadcasts arrive in commit order, so the latest
   * broadcast of a row wins; `updated_at` cannot order rows (it is a transaction's start time, and
   * a write that waited for another's row lock commits later with an earlier one).
   */
  #clock = 0;
  readonly #changedAt = new Map<string, number>();

  /** The shown entries, by user id and in list order. */
  readonly #shown = new Map<string, Participant>();
  #order: Participant[] = [];
  /** The last list handed out (a copy: callers keep it while the roster moves on). */
  #snapshot: readonly Participant[] = [];
  /** Users whose entry may have changed since the last `update()`. */
  readonly #dirty = new Set<string>();
  /** Every entry must be recomputed (presence reset, cleared). */
  #rebuild = true;
  /** A user touched since the last update is shown, or could now be (see `pending`). */
  #shownTouched = false;
  #context = '';
  #override = '';

  /**
   * Whether something changed since the last `update()` that can change the list under the same
   * options: a shown user was touched, a user became showable (joined, with a profile or known to
   * have none), or everything must be rebuilt. When `false`, `update()` with the options of the
   * last call returns `undefined`, so a caller may skip it (a wave's presence keys and rows
   * waiting for their profile change nothing shown).
   */
  get pending(): boolean {
    return this.#rebuild || this.#shownTouched;
  }

  /** Read before a request (REST load, RPC) and pass its answer's rows with it. */
  get clock(): number {
    return this.#clock;
  }

  /**
   * Applies a row: always for a broadcast (no `requestedAt`); for the answer to a request sent at
   * tick `requestedAt`, unless the row changed since (that change is newer than the answer).
   * Returns whether it was applied.
   */
  applyRow(row: RosterRow, requestedAt?: number): boolean {
    if (requestedAt !== undefined && (this.#changedAt.get(row.user_id) ?? -1) > requestedAt) return false;
    this.#rows.set(row.user_id, row);
    this.#changedAt.set(row.user_id, ++this.#clock);
    this.#touch(row.user_id);
    return true;
  }

  /** Replaces the rows with a load requested at tick `requestedAt`, keeping rows changed since. */
  load(rows: readonly RosterRow[], requestedAt: number): void {
    const loaded = new Set(rows.map((row) => row.user_id));
    for (const userId of [...this.#rows.keys()]) {
      if (!loaded.has(userId) && (this.#changedAt.get(userId) ?? -1) <= requestedAt) {
        this.#rows.delete(userId);
        this.#touch(userId);
      }
    }
    for (const row of rows) this.applyRow(row, requestedAt);
  }

  removeRow(userId: string): void {
    this.#rows.delete(userId);
    this.#changedAt.set(userId, ++this.#clock);
    this.#touch(userId);
  }

  row(userId: string): RosterRow | undefined {
    return this.#rows.get(userId);
  }

  /** Profiles loaded for `requested` ids; requested ids without a profile show the fallback name. */
  addProfiles(profiles: readonly Profile[], requested: readonly string[] = []): void {
    for (const profile of profiles) {
      this.#profiles.set(profile.id, profile);
      this.#touch(profile.id);
    }
    for (const id of requested) {
      if (this.#profiles.has(id)) continue;
      this.#unavailable.add(id);
      this.#touch(id);
    }
  }

  /** Some joined participant's profile is not loaded (nor known to be unavailable) yet. */
  get profilesMissing(): boolean {
    return this.#missing.size > 0;
  }

  /** Joined participants whose profile is not loaded (nor known to be unavailable) yet. */
  missingProfiles(): string[] {
    return [...this.#missing];
  }

  /** The presence keys now on the meeting's presence topic (payloads are never looked at). */
  notePresence(keys: Iterable<string>): void {
    const next = new Set(keys);
    for (const key of this.#present) if (!next.has(key)) this.presenceLeft(key);
    for (const key of next) this.presenceJoined(key);
  }

  /** One key appeared on the presence topic. */
  presenceJoined(key: string): void {
    if (this.#present.has(key)) return;
    this.#present.add(key);
    this.#everPresent.add(key);
    this.#touch(key);
  }

  /** One key's last presence left the topic. */
  presenceLeft(key: string): void {
    if (this.#present.delete(key)) this.#touch(key);
  }

  /** Forgets presence (the presence channel left or rejoins: a new baseline follows). */
  resetPresence(): void {
    this.#present.clear();
    this.#everPresent.clear();
    this.#rebuild = true;
  }

  clear(): void {
    this.#rows.clear();
    this.#changedAt.clear();
    this.#profiles.clear();
    this.#unavailable.clear();
    this.#missing.clear();
    this.#dirty.clear();
    this.#shown.clear();
    this.#order = [];
    this.#snapshot = [];
    this.resetPresence();
  }

  /**
   * Joined participants, own first, then in order of joining. `graceOver`: the presence channel
   * has been joined long enough that a participant never seen present counts as disconnected.
   */
  list(options: ListOptions): readonly Participant[] {
    return this.update(options)?.list ?? this.#snapshot;
  }

  /** Brings the list up to date; `undefined` when nothing shown changed. */
  update(options: ListOptions): RosterUpdate | undefined {
    const context = `${options.ownId ?? ''}\u0000${options.fallbackName}\u0000${options.presenceJoined ? 1 : 0}${options.graceOver ? 1 : 0}${options.ownId === undefined ? 'u' : 's'}`;
    const override = options.ownOverride ? JSON.stringify(options.ownOverride) : '';
    if (context !== this.#context) this.#rebuild = true;
    if (override !== this.#override && options.ownId) this.#dirty.add(options.ownId);
    this.#context = context;
    this.#override = override;
    const joined: Participant[] = [];
    const left: Participant[] = [];
    let changed = false;
    if (this.#rebuild) {
      this.#rebuild = false;
      this.#dirty.clear();
      const before = this.#shown;
      const entries: Participant[] = [];
      for (const userId of this.#rows.keys()) {
        const entry = this.#entry(userId, options);
        if (entry) entries.push(entry);
      }
      const compare = comparator(options.ownId);
      entries.sort(compare);
      const after = new Map(entries.map((entry) => [entry.user_id, entry]));
      for (const entry of entries) if (!before.has(entry.user_id)) joined.push(entry);
      for (const [userId, entry] of before) if (!after.has(userId)) left.push(entry);
      changed =
        entries.length !== this.#order.length || entries.some((entry, i) => !sameParticipant(entry, this.#order[i]));
      this.#shown.clear();
      for (const [userId, entry] of after) this.#shown.set(userId, entry);
      this.#order = entries;
    } else {
      const compare = comparator(options.ownId);
      for (const userId of this.#dirty) {
        const previous = this.#shown.get(userId);
        const entry = this.#entry(userId, options);
        if (previous ? entry && sameParticipant(previous, entry) : !entry) continue;
        changed = true;
        if (previous) {
          this.#order.splice(search(this.#order, previous, compare), 1);
          this.#shown.delete(userId);
        }
        if (entry) {
          this.#order.splice(search(this.#order, entry, compare), 0, entry);
          this.#shown.set(userId, entry);
        }
        if (entry && !previous) joined.push(entry);
        if (previous && !entry) left.push(previous);
      }
      this.#dirty.clear();
    }
    this.#shownTouched = false;
    if (!changed) return undefined;
    this.#snapshot = this.#order.slice();
    return { list: this.#snapshot, joined, left };
  }

  /** A user's row, profile or presence changed: their entry is recomputed on the next update. */
  #touch(userId: string) {
    this.#dirty.add(userId);
    const row = this.#rows.get(userId);
    const profiled = this.#profiles.has(userId) || this.#unavailable.has(userId);
    if (row && isJoined(row) && !profiled) {
      this.#missing.add(userId);
    } else {
      this.#missing.delete(userId);
    }
    if (this.#shown.has(userId) || (row && isJoined(row) && profiled)) this.#shownTouched = true;
  }

  #entry(userId: string, options: ListOptions): Participant | undefined {
    const row = this.#rows.get(userId);
    if (!row || !isJoined(row)) return undefined;
    const profile = this.#profiles.get(userId);
    // Not shown until its profile came (or could not come): no placeholder name flashes first.
    if (!profile && !this.#unavailable.has(userId)) return undefined;
    const own = userId === options.ownId;
    const present = this.#present.has(userId);
    const lost = !own && options.presenceJoined && !present && (this.#everPresent.has(userId) || options.graceOver);
    const participant: Participant = {
      user_id: userId,
      display_name: profile?.display_name ?? options.fallbackName,
      avatar_url: profile?.avatar_url ?? null,
      role: row.role,
      joined_at: row.joined_at!,
      is_muted: row.is_muted,
      is_video_on: row.is_video_on,
      is_screen_sharing: row.is_screen_sharing,
      is_hand_raised: row.is_hand_raised,
      is_away: row.is_away,
      connection_lost: lost,
      hand_raised_at: row.is_hand_raised ? (row.hand_raised_at ?? null) : null,
      connection_quality: row.connection_quality ?? null,
    };
    return own && options.ownOverride ? { ...participant, ...options.ownOverride } : participant;
  }
}

const FIELDS = [
  'user_id',
  'display_name',
  'avatar_url',
  'role',
  'joined_at',
  'is_muted',
  'is_video_on',
  'is_screen_sharing',
  'is_hand_raised',
  'is_away',
  'connection_lost',
  'hand_raised_at',
  'connection_quality',
] as const satisfies readonly (keyof Participant)[];

function sameParticipant(a: Participant, b: Participant | undefined): boolean {
  return b !== undefined && FIELDS.every((field) => a[field] === b[field]);
}

/**
 * Raised hands first, in the order they went up (a hand not recorded yet, one's own while its
 * write is on its way, comes last of them); then own user, then in order of joining, then by
 * name, then by id (so every order is total). An entry's place depends on its own fields only,
 * which keeps the incremental update's binary search valid.
 */
function comparator(ownUserId: string | undefined) {
  return (a: Participant, b: Participant): number => {
    if (a.user_id === b.user_id) return 0;
    if (a.is_hand_raised !== b.is_hand_raised) return a.is_hand_raised ? -1 : 1;
    if (a.is_hand_raised) {
      const byRaise = raisedMicros(a) - raisedMicros(b);
      if (byRaise) return byRaise;
      return a.user_id < b.user_id ? -1 : 1;
    }
    if (a.user_id === ownUserId) return -1;
    if (b.user_id === ownUserId) return 1;
    const byTime = micros(a.joined_at) - micros(b.joined_at);
    if (byTime) return byTime;
    return a.display_name.localeCompare(b.display_name) || (a.user_id < b.user_id ? -1 : 1);
  };
}

function raisedMicros(participant: Participant): number {
  return participant.hand_raised_at ? micros(participant.hand_raised_at) : Number.MAX_SAFE_INTEGER;
}

/**
 * `timestampMicros`, remembered for the last timestamps seen: each insertion's binary search
 * compares against up to log n entries, and each comparison would otherwise parse both
 * timestamps again. Bounded, so a long meeting does not keep every timestamp it saw.
 */
const parsedTimestamps = new Map<string, number>();
const PARSED_TIMESTAMPS_MAX = 4096;

function micros(value: string): number {
  let parsed = parsedTimestamps.get(value);
  if (parsed === undefined) {
    if (parsedTimestamps.size >= PARSED_TIMESTAMPS_MAX) parsedTimestamps.clear();
    parsed = timestampMicros(value);
    parsedTimestamps.set(value, parsed);
  }
  return parsed;
}

/**
 * Each raised hand's place in the queue (1 for the first raised), by user id. The list is in
 * comparator order, so the raised hands are its first entries.
 */
export function handPositions(list: readonly Participant[]): Map<string, number> {
  const positions = new Map<string, number>();
  for (const participant of list) {
    if (!participant.is_hand_raised) break;
    positions.set(participant.user_id, positions.size + 1);
  }
  return positions;
}

/** Where `entry` is, or goes, in `sorted` (binary search under a total order). */
function search(
  sorted: readonly Participant[],
  entry: Participant,
  compare: (a: Participant, b: Participant) => number,
) {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compare(sorted[mid]!, entry) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Participants in `next` but not `previous` (joined) and the reverse (left). */
export function diffParticipants(
  previous: readonly Participant[],
  next: readonly Participant[],
): { joined: Participant[]; left: Participant[] } {
  const before = new Set(previous.map((p) => p.user_id));
  const after = new Set(next.map((p) => p.user_id));
  return {
    joined: next.filter((p) => !before.has(p.user_id)),
    left: previous.filter((p) => !after.has(p.user_id)),
  };
}

/** In the roster's order: raised hands first, then own user, then in order of joining, then by name. */
export function sortParticipants(participants: Participant[], ownUserId: string | undefined): Participant[] {
  return participants.sort(comparator(ownUserId));
}

/**
 * Realtime limits presence calls per client (5 per 30 s on Supabase; more closes the channel).
 * Returns how long to wait before the next track, given the times of earlier ones.
 */
export function trackDelay(previousTracks: readonly number[], now: number, limit = 4, windowMs = 30_000): number {
  const recent = previousTracks.filter((t) => now - t < windowMs);
  if (recent.length < limit) return 0;
  return Math.max(0, recent[recent.length - limit]! + windowMs - now);
}

/** Up to two initials of a display name, for the avatar placeholder. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words.slice(0, 1);
  return letters.map((word) => Array.from(word)[0]!.toLocaleUpperCase()).join('');
}
