import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import * as z from 'zod/mini';
import { orgTopic } from '../connection/topics.js';
import { parseList } from '../connection/schemas.js';
import { PasabayErrorEvent, reported } from '../events/pasabay-error.js';
import { ChannelController } from './channel-controller.js';
import type { ChannelStatus } from '../connection/channels.js';

export interface OnlineControllerOptions {
  /** The element's client; `undefined` while it has none. */
  client: () => SupabaseClient | undefined;
  /** The organisation whose members' presence to hold; `undefined` or empty holds none. */
  organizationId: () => string | undefined;
  /** The signed-in user: the presence key this tab tracks. Nothing is held without one. */
  userId: () => string | undefined;
  /** Who is online changed (ids of recorded members only). */
  onChange?(online: ReadonlySet<string>): void;
}

// Ids as PostgreSQL prints them: any other presence key cannot be a member and is ignored unread.
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Keys checked per request: bounds the URL of `in.(…)` however many keys appear at once.
const BATCH = 100;
const memberRowSchema = z.object({ user_id: z.guid() });

/**
 * Who of an organisation is online now: joins `org:<id>` with presence keyed by the user's id,
 * tracks this tab there, and answers `isOnline(userId)`. Realtime lets any member choose any
 * presence key, so a key counts only once `organization_members` (read under the caller's RLS)
 * says it is a member; anything else is ignored and no presence payload is ever read. What stays
 * a claim is that the member behind a key is really connected: another member could track under
 * their id. Elements show it as an online dot, never as more.
 *
 * The channel is shared through `channels.ts`: every element on the page that follows the same
 * organisation on the same client holds one lease on one channel, and the last to go removes it.
 */
export class OnlineController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: OnlineControllerOptions;
  readonly #channel: ChannelController;
  /** Presence keys the database confirmed as members, and keys it did not, for the current key. */
  #members = new Set<string>();
  #strangers = new Set<string>();
  #online: ReadonlySet<string> = new Set();
  /** organisation + user the caches belong to; a change starts afresh. */
  #scope = '';
  // Bumped when the scope changes, so a late membership answer for the old one is ignored.
  #epoch = 0;
  #checking = false;
  #checkAgain = false;

  constructor(host: ReactiveControllerHost & EventTarget, options: OnlineControllerOptions) {
    this.#host = host;
    this.#options = options;
    this.#channel = new ChannelController(host, {
      client: options.client,
      topic: () => {
        const organizationId = options.organizationId();
        return organizationId && options.userId() ? orgTopic(organizationId) : undefined;
      },
      presenceKey: options.userId,
      onPresence: (event) => {
        // realtime-js has applied every join and leave by the `sync` that follows them.
        if (event.event === 'sync') this.#refresh();
      },
      onJoined: () => {
        // Joining proves membership at this moment: the topic policy admits members only.
        const me = options.userId();
        if (me) this.#members.add(me);
        void this.#channel.track({});
        this.#refresh();
      },
      onStatusChange: (status) => {
        // Not joined: nobody's presence is known, so nobody shows as online.
        if (status !== 'joined') this.#setOnline(new Set());
      },
    });
    host.addController(this);
  }

  /** Status of the organisation channel: idle, joining, joined, or error (e.g. refused: not a member). */
  get status(): ChannelStatus {
    return this.#channel.status;
  }

  /** Why the channel is in `error`. */
  get error(): Error | undefined {
    return this.#channel.error;
  }

  /** Ids of the organisation's members online now (the signed-in user included, once tracked). */
  get online(): ReadonlySet<string> {
    return this.#online;
  }

  /** Whether this member is online now; `false` for anyone not confirmed as a member. */
  isOnline(userId: string): boolean {
    return this.#online.has(userId);
  }

  hostConnected(): void {
    this.#checkScope();
  }

  hostUpdate(): void {
    this.#checkScope();
  }

  hostDisconnected(): void {
    // The channel controller releases the lease; what was known stays valid for a re-append.
    this.#setOnline(new Set());
  }

  #checkScope() {
    const organizationId = this.#options.organizationId() ?? '';
    const userId = this.#options.userId() ?? '';
    const scope = `${organizationId}\n${userId}`;
    if (scope === this.#scope) return;
    const userChanged = this.#scope !== '' && this.#scope.split('\n')[1] !== userId;
    this.#scope = scope;
    this.#epoch++;
    this.#members = new Set();
    this.#strangers = new Set();
    this.#checking = false;
    this.#checkAgain = false;
    this.#setOnline(new Set());
    // Same topic, another user: the presence key is fixed when the channel is acquired.
    if (userChanged) this.#channel.reacquire();
  }

  /** Recomputes who is online from the presence keys, and asks the database about new keys. */
  #refresh() {
    const keys = Object.keys(this.#channel.presenceState()).filter((key) => USER_ID.test(key));
    this.#setOnline(new Set(keys.filter((key) => this.#members.has(key))));
    const unknown = keys.filter((key) => !this.#members.has(key) && !this.#strangers.has(key));
    if (unknown.length > 0) void this.#verify();
  }

  /** Looks up the unknown presence keys in `organization_members`, one request at a time. */
  async #verify(): Promise<void> {
    if (this.#checking) {
      this.#checkAgain = true;
      return;
    }
    const client = this.#options.client();
    const organizationId = this.#options.organizationId();
    if (!client || !organizationId) return;
    const epoch = this.#epoch;
    this.#checking = true;
    try {
      do {
        this.#checkAgain = false;
        const keys = Object.keys(this.#channel.presenceState()).filter(
          (key) => USER_ID.test(key) && !this.#members.has(key) && !this.#strangers.has(key),
        );
        for (let start = 0; start < keys.length; start += BATCH) {
          const batch = keys.slice(start, start + BATCH);
          const source = 'organization_members';
          const { data, error } = await client
            .from('organization_members')
            .select('user_id')
            .eq('organization_id', organizationId)
            .in('user_id', batch);
          if (epoch !== this.#epoch) return;
          if (error) {
            // Left unknown: the next presence change asks again.
            this.#host.dispatchEvent(
              new PasabayErrorEvent({ code: 'request', message: `${source}: ${error.message}`, source, cause: error }),
            );
            return;
          }
          const members = new Set(reported(this.#host, parseList(memberRowSchema, data, source)).map((r) => r.user_id));
          for (const key of batch) (members.has(key) ? this.#members : this.#strangers).add(key);
        }
        this.#refresh();
      } while (this.#checkAgain && epoch === this.#epoch);
    } finally {
      if (epoch === this.#epoch) this.#checking = false;
    }
  }

  #setOnline(next: Set<string>) {
    const previous = this.#online;
    if (next.size === previous.size && [...next].every((id) => previous.has(id))) return;
    this.#online = next;
    this.#host.requestUpdate();
    this.#options.onChange?.(next);
  }
}
