/**
 * Presence of one room as Phoenix.Presence keeps it: key → metas, one meta per tracking channel,
 * each with an opaque `phx_ref`. Track, update and untrack return the diff Phoenix would broadcast.
 */
import { randomBytes } from 'node:crypto';
import { sharedPayload } from './serializer.js';

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceGroups = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
  joins: PresenceGroups;
  leaves: PresenceGroups;
}

/** Phoenix.Tracker refs look like "GHlA1fShRjMmZhnL": 16 url-safe characters. */
export function newPhxRef(): string {
  return randomBytes(12).toString('base64url');
}

export class RoomPresence {
  /** key → (tracker id → meta), insertion ordered like Phoenix's lists. */
  readonly #entries = new Map<string, Map<number, Meta>>();

  get size(): number {
    return this.#entries.size;
  }

  /** First track of a tracker under a key joins; a later one is an update (join with phx_ref_prev + leave of the old meta). */
  track(trackerId: number, key: string, payload: Record<string, unknown>): PresenceDiff {
    let metas = this.#entries.get(key);
    if (!metas) {
      metas = new Map();
      this.#entries.set(key, metas);
    }
    const previous = metas.get(trackerId);
    const { phx_ref: _ignoredRef, phx_ref_prev: _ignoredPrev, ...userPayload } = payload;
    const meta: Meta = { ...userPayload, phx_ref: newPhxRef() };
    if (previous) meta.phx_ref_prev = previous.phx_ref;
    metas.set(trackerId, meta);
    // Every member of the room gets this diff: encoded once for all of them.
    return sharedPayload({
      joins: { [key]: { metas: [meta] } },
      leaves: previous ? { [key]: { metas: [previous] } } : {},
    });
  }

  /** Removes a tracker's meta; undefined when it tracked nothing. */
  untrack(trackerId: number, key: string): PresenceDiff | undefined {
    const metas = this.#entries.get(key);
    const previous = metas?.get(trackerId);
    if (!metas || !previous) return undefined;
    metas.delete(trackerId);
    if (metas.size === 0) this.#entries.delete(key);
    return sharedPayload({ joins: {}, leaves: { [key]: { metas: [previous] } } });
  }

  /** `Phoenix.Presence.group/1` of the whole room, as pushed in `presence_state`. */
  state(): PresenceGroups {
    const groups: PresenceGroups = {};
    for (const [key, metas] of this.#entries) groups[key] = { metas: [...metas.values()] };
    return groups;
  }
}
