import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import * as z from 'zod/mini';
import type { BroadcastMessage, ChannelStatus } from '../../connection/channels.js';
import { dropped, parsePayload } from '../../connection/schemas.js';
import type { Identity } from '../../connection/session.js';
import { meetingTopic } from '../../connection/topics.js';
import { isRateLimited } from '../../connection/wire.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { PasabayErrorEvent, reported } from '../../events/pasabay-error.js';

/** The event `send_meeting_reaction` sends on `meeting:<id>` (migration 20250604020020). */
export const LIVE_REACTION_EVENT = 'live_reaction';

/** The database accepts 1 to 16 code points without spaces; the browser counts UTF-16 units. */
const REACTION_MAX_UNITS = 32;

const liveReactionSchema = z.object({
  meeting_id: z.guid(),
  user_id: z.guid(),
  reaction: z.string().check(z.minLength(1), z.maxLength(REACTION_MAX_UNITS)),
  sent_at: z.string().check(z.minLength(1)),
});

/** One reaction as the database sent it, with the sender's name from their profile. */
export interface LiveReaction {
  /** Unique per arrival (the broadcast's id when it has one). */
  key: string;
  userId: string;
  reaction: string;
  /** From `profiles.display_name`; `undefined` when the profile could not be read. */
  name: string | undefined;
  own: boolean;
}

/** What became of a reaction sent. */
export type SendOutcome = { ok: true } | { ok: false; reason: string; rateLimited: boolean };

export interface ReactionsControllerOptions {
  client: () => SupabaseClient | undefined;
  identity: () => Identity | undefined;
  meetingId: () => string;
  onReaction(reaction: LiveReaction): void;
}

let arrivals = 0;

/**
 * The reactions of one meeting: holds `meeting:<id>` (shared with `<meeting-participants>` through
 * the channel module), takes its `live_reaction` events (the database's only: clients cannot
 * send there), names each sender from their profile, and sends through RPC `send_meeting_reaction`.
 */
export class ReactionsController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: ReactionsControllerOptions;
  readonly #live: ChannelController;
  /** Profile names by user id, or the request for one in flight. */
  #names = new Map<string, Promise<string | undefined>>();
  #namesClient: SupabaseClient | undefined;
  /** Bumped when the element leaves or the meeting changes: late names are dropped. */
  #epoch = 0;

  constructor(host: ReactiveControllerHost & HTMLElement, options: ReactionsControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    this.#live = new ChannelController(host, {
      client: () => (options.identity() ? options.client() : undefined),
      topic: () => (options.meetingId() ? meetingTopic(options.meetingId()) : undefined),
      onBroadcast: (message) => this.#onBroadcast(message),
      onStatusChange: (status, error) => {
        if (status === 'error')
          host.dispatchEvent(
            new PasabayErrorEvent({
              code: 'channel',
              message: error?.message ?? 'The meeting channel was refused',
              source: this.#live.topic ?? 'meeting',
              cause: error,
            }),
          );
      },
    });
  }

  get status(): ChannelStatus {
    return this.#live.status;
  }

  get error(): Error | undefined {
    return this.#live.error;
  }

  hostDisconnected(): void {
    this.#epoch++;
  }

  /** Sends `reaction` through the database; never throws. */
  async send(reaction: string): Promise<SendOutcome> {
    const client = this.#options.client();
    const meetingId = this.#options.meetingId();
    if (!client || !meetingId) return { ok: false, reason: 'Not connected', rateLimited: false };
    try {
      const { error, status } = await client.rpc('send_meeting_reaction', { meeting_id: meetingId, reaction });
      if (!error) return { ok: true };
      const rateLimited = isRateLimited({ status, code: error.code });
      this.#host.dispatchEvent(
        new PasabayErrorEvent({
          code: rateLimited ? 'rate-limited' : 'request',
          message: error.message,
          source: 'rpc send_meeting_reaction',
          cause: error,
        }),
      );
      return { ok: false, reason: error.message, rateLimited };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#host.dispatchEvent(
        new PasabayErrorEvent({ code: 'request', message: reason, source: 'rpc send_meeting_reaction', cause: error }),
      );
      return { ok: false, reason, rateLimited: false };
    }
  }

  #onBroadcast(message: BroadcastMessage) {
    // meeting:<id> also carries the roster's participant and meeting rows: not ours to judge.
    if (message.event !== LIVE_REACTION_EVENT) return;
    const source = `${this.#live.topic ?? 'meeting'} ${message.event}`;
    const parsed = reported(this.#host, parsePayload(liveReactionSchema, message.payload, source));
    if (!parsed) return;
    if (parsed.meeting_id !== this.#options.meetingId()) {
      reported(this.#host, dropped('a reaction of another meeting', message.payload, source));
      return;
    }
    const me = this.#options.identity()?.userId;
    const key = message.meta?.id ?? `arrival-${++arrivals}`;
    const own = parsed.user_id === me;
    const epoch = this.#epoch;
    const meetingId = parsed.meeting_id;
    void this.#nameOf(parsed.user_id).then((name) => {
      if (epoch !== this.#epoch || meetingId !== this.#options.meetingId()) return;
      this.#options.onReaction({ key, userId: parsed.user_id, reaction: parsed.reaction, name, own });
    });
  }

  /** The sender's `display_name`, read from `profiles` (never from the event). */
  #nameOf(userId: string): Promise<string | undefined> {
    const client = this.#options.client();
    if (!client) return Promise.resolve(undefined);
    if (client !== this.#namesClient) {
      this.#names.clear();
      this.#namesClient = client;
    }
    let name = this.#names.get(userId);
    if (!name) {
      name = (async () => {
        try {
          const { data, error } = await client.from('profiles').select('display_name').eq('id', userId).maybeSingle();
          const value = (data as { display_name?: unknown } | null)?.display_name;
          if (error || typeof value !== 'string' || !value.trim()) {
            this.#names.delete(userId); // try again on the next reaction
            return undefined;
          }
          return value;
        } catch {
          this.#names.delete(userId);
          return undefined;
        }
      })();
      this.#names.set(userId, name);
    }
    return name;
  }
}
