/**
 * Pure bookkeeping of `<meeting-participants>`. Who is in the meeting and their state come from
 * the database only: `meeting_participants` rows (loaded through REST, then kept current by the
 * `participant` broadcast) and `profiles`. Presence decides one thing, whether a participant
 * recorded as joined is still connected; presence keys that are not joined participants count for
 * nothing, and presence payloads are never read.
 */
import type { MeetingParticipant, Profile } from '../../connection/schemas.js';
import { timestampMicros } from '../../connection/timestamps.js';

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
}

/** Recorded as in the meeting now: joined and not left since. */
export function isJoined(row: MeetingParticipant): boolean {
  return row.joined_at !== null && row.left_at === null;
}

export class MeetingRoster {
  readonly #rows = new Map<string, MeetingParticipant>();
  readonly #profiles = new Map<string, Profile>();
  /** Asked for, but not returned: shown under the fallback name rather than not at all. */
  readonly #unavailable = new Set<string>();
  /** Presence keys now present. */
  #present = new Set<string>();
  /** Keys seen present at least once since the presence channel joined. */
  readonly #everPresent = new Set<string>();

  /**
   * Rows changed since which tick of `clock`. Broadcasts arrive in commit order, so the latest
   * broadcast of a row wins; `updated_at` cannot order rows (it is a transaction's start time, and
   * a write that waited for another's row lock commits later with an earlier one).
   */
  #clock = 0;
  readonly #changedAt = new Map<string, number>();

  /** Read before a request (REST load, RPC) and pass its answer's rows with it. */
  get clock(): number {
    return this.#clock;
  }

  /**
   * Applies a row: always for a broadcast (no `requestedAt`); for the answer to a request sent at
   * tick `requestedAt`, unless the row changed since (that change is newer than the answer).
   * Returns whether it was applied.
   */
  applyRow(row: MeetingParticipant, requestedAt?: number): boolean {
    if (requestedAt !== undefined && (this.#changedAt.get(row.user_id) ?? -1) > requestedAt) return false;
    this.#rows.set(row.user_id, row);
    this.#changedAt.set(row.user_id, ++this.#clock);
    return true;
  }

  /** Replaces the rows with a load requested at tick `requestedAt`, keeping rows changed since. */
  load(rows: readonly MeetingParticipant[], requestedAt: number): void {
    const loaded = new Set(rows.map((row) => row.user_id));
    for (const userId of [...this.#rows.keys()]) {
      if (!loaded.has(userId) && (this.#changedAt.get(userId) ?? -1) <= requestedAt) this.#rows.delete(userId);
    }
    for (const row of rows) this.applyRow(row, requestedAt);
  }

  removeRow(userId: string): void {
    this.#rows.delete(userId);
    this.#changedAt.set(userId, ++this.#clock);
  }

  row(userId: string): MeetingParticipant | undefined {
    return this.#rows.get(userId);
  }

  /** Profiles loaded for `requested` ids; requested ids without a profile show the fallback name. */
  addProfiles(profiles: readonly Profile[], requested: readonly string[] = []): void {
    for (const profile of profiles) this.#profiles.set(profile.id, profile);
    for (const id of requested) if (!this.#profiles.has(id)) this.#unavailable.add(id);
  }

  /** Joined participants whose profile is not loaded (nor known to be unavailable) yet. */
  missingProfiles(): string[] {
    return [...this.#rows.values()]
      .filter((row) => isJoined(row) && !this.#profiles.has(row.user_id) && !this.#unavailable.has(row.user_id))
      .map((row) => row.user_id);
  }

  /** The presence keys now on the meeting's presence topic (payloads are never looked at). */
  notePresence(keys: Iterable<string>): void {
    this.#present = new Set(keys);
    for (const key of this.#present) this.#everPresent.add(key);
  }

  /** Forgets presence (the presence channel left or rejoins: a new baseline follows). */
  resetPresence(): void {
    this.#present = new Set();
    this.#everPresent.clear();
  }

  clear(): void {
    this.#rows.clear();
    this.#changedAt.clear();
    this.#profiles.clear();
    this.#unavailable.clear();
    this.resetPresence();
  }

  /**
   * Joined participants, own first, then in order of joining. `graceOver`: the presence channel
   * has been joined long enough that a participant never seen present counts as disconnected.
   */
  list(options: {
    ownId: string | undefined;
    fallbackName: string;
    presenceJoined: boolean;
    graceOver: boolean;
    ownOverride?: Partial<Participant> | undefined;
  }): Participant[] {
    const participants: Participant[] = [];
    for (const row of this.#rows.values()) {
      if (!isJoined(row)) continue;
      const profile = this.#profiles.get(row.user_id);
      // Not shown until its profile came (or could not come): no placeholder name flashes first.
      if (!profile && !this.#unavailable.has(row.user_id)) continue;
      const own = row.user_id === options.ownId;
      const present = this.#present.has(row.user_id);
      const lost =
        !own && options.presenceJoined && !present && (this.#everPresent.has(row.user_id) || options.graceOver);
      const participant: Participant = {
        user_id: row.user_id,
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
      };
      participants.push(own && options.ownOverride ? { ...participant, ...options.ownOverride } : participant);
    }
    return sortParticipants(participants, options.ownId);
  }
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

/** Own user first, then in order of joining, then by name. */
export function sortParticipants(participants: Participant[], ownUserId: string | undefined): Participant[] {
  return participants.sort((a, b) => {
    if (a.user_id === ownUserId) return -1;
    if (b.user_id === ownUserId) return 1;
    const byTime = timestampMicros(a.joined_at) - timestampMicros(b.joined_at);
    if (byTime) return byTime;
    return a.display_name.localeCompare(b.display_name);
  });
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
