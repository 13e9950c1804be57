/**
 * Pure bookkeeping of `<meeting-participants>`: presence metas → one participant per user, the
 * joins and leaves between two rosters, and participant rows recorded in the database.
 */
import type { MeetingParticipant, MeetingPresence } from '../../connection/schemas.js';

/** One's own meeting state: what the toggles change. */
export interface OwnState {
  isMuted: boolean;
  isVideoOn: boolean;
  isScreenSharing: boolean;
  isHandRaised: boolean;
  away: boolean;
}

export type Roster = ReadonlyMap<string, MeetingPresence>;

/**
 * One participant per presence key (the user id), however many tabs track it: the most
 * recently tracked meta wins (realtime-js appends a key's new metas after the current ones).
 * Metas whose `user_id` differs from their key, or that fail `parse`, are skipped.
 */
export function rosterFromPresence(
  state: Record<string, readonly unknown[]>,
  parse: (meta: unknown) => MeetingPresence | undefined,
): Map<string, MeetingPresence> {
  const roster = new Map<string, MeetingPresence>();
  for (const [key, metas] of Object.entries(state)) {
    for (let i = metas.length - 1; i >= 0; i--) {
      const meta = parse(metas[i]);
      if (meta && meta.user_id === key) {
        roster.set(key, meta);
        break;
      }
    }
  }
  return roster;
}

/** Users present in `next` but not `previous` (joined) and the reverse (left). */
export function diffRosters(previous: Roster, next: Roster): { joined: MeetingPresence[]; left: MeetingPresence[] } {
  const joined = [...next.values()].filter((p) => !previous.has(p.user_id));
  const left = [...previous.values()].filter((p) => !next.has(p.user_id));
  return { joined, left };
}

/**
 * A state recorded through `update_meeting_state` reaches others as a `participant` broadcast,
 * which can be newer than the presence meta (presence tracking is rate-limited by Realtime).
 * Whichever of the two arrived later wins, per user.
 */
export class RecordedStates {
  #sequence = 0;
  readonly #presenceSeen = new Map<string, { meta: MeetingPresence; at: number }>();
  readonly #recorded = new Map<string, { row: MeetingParticipant; at: number }>();

  /** Notes the roster's metas, stamping those that changed since last time. */
  notePresence(roster: Roster): void {
    for (const [userId, meta] of roster) {
      const seen = this.#presenceSeen.get(userId);
      if (!seen || !sameState(seen.meta, meta)) this.#presenceSeen.set(userId, { meta, at: ++this.#sequence });
    }
    for (const userId of [...this.#presenceSeen.keys()]) if (!roster.has(userId)) this.#presenceSeen.delete(userId);
  }

  noteRow(row: MeetingParticipant): void {
    this.#recorded.set(row.user_id, { row, at: ++this.#sequence });
  }

  /** The roster with newer recorded states applied. */
  apply(roster: Roster): MeetingPresence[] {
    return [...roster.values()].map((meta) => {
      const recorded = this.#recorded.get(meta.user_id);
      const seen = this.#presenceSeen.get(meta.user_id);
      if (!recorded || (seen && seen.at > recorded.at)) return meta;
      return {
        ...meta,
        is_muted: recorded.row.is_muted,
        is_video_on: recorded.row.is_video_on,
        is_screen_sharing: recorded.row.is_screen_sharing,
        is_hand_raised: recorded.row.is_hand_raised,
      };
    });
  }

  clear(): void {
    this.#presenceSeen.clear();
    this.#recorded.clear();
  }
}

function sameState(a: MeetingPresence, b: MeetingPresence): boolean {
  return (
    a.is_muted === b.is_muted &&
    a.is_video_on === b.is_video_on &&
    a.is_screen_sharing === b.is_screen_sharing &&
    a.is_hand_raised === b.is_hand_raised &&
    a.away === b.away &&
    a.display_name === b.display_name &&
    a.avatar_url === b.avatar_url
  );
}

/** Own user first, then in order of arrival (`online_at`), then by name. */
export function sortParticipants(participants: MeetingPresence[], ownUserId: string | undefined): MeetingPresence[] {
  return participants.sort((a, b) => {
    if (a.user_id === ownUserId) return -1;
    if (b.user_id === ownUserId) return 1;
    const byTime = Date.parse(a.online_at) - Date.parse(b.online_at);
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

/** Only absolute http(s) avatar URLs are shown. */
export function safeAvatarUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
