import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  acquireChannel,
  type AcquireOptions,
  type BroadcastMessage,
  type ChannelClient,
  type ChannelLease,
  type ChannelStatus,
  type PostgresChangesFilter,
  type PresenceEvent,
  type SendResult,
} from '../connection/channels.js';
import type { RealtimePostgresChangesPayload, RealtimePresenceState } from '@supabase/supabase-js';
import * as z from 'zod/mini';
import { dropped, parsePayload } from '../connection/schemas.js';
import { reported } from '../events/pasabay-error.js';
import { PasabayStatusChangeEvent } from '../events/pasabay-status-change.js';

/** A `system` message of Realtime (join results, errors). Untrusted like every payload. */
const systemMessageSchema = z.object({
  status: z.string().check(z.maxLength(64)),
  extension: z.string().check(z.maxLength(64)),
  message: z.string().check(z.maxLength(4000)),
  channel: z.string().check(z.maxLength(1000)),
});

/** What the stack says when it cannot rule out lost events on a channel (it errors the channel next). */
export interface ReplicationGap {
  message: string;
}

export interface ChannelControllerOptions {
  /** The client to use; `undefined` while the element has none (not configured, no session yet). */
  client: () => ChannelClient | undefined;
  /** The topic to hold; `undefined` holds none. Re-read before every host update. */
  topic: () => string | undefined;
  /** Private channel (default `true`). */
  private?: boolean;
  /** Presence key, read when acquiring (e.g. the user id). */
  presenceKey?: () => string | undefined;
  broadcastSelf?: boolean;
  /** Postgres Changes bindings, read when acquiring; makes the channel unshared. */
  postgresChanges?: () => PostgresChangesFilter[] | undefined;
  onBroadcast?(message: BroadcastMessage): void;
  onPresence?(event: PresenceEvent): void;
  onPostgresChange?(payload: RealtimePostgresChangesPayload<Record<string, unknown>>): void;
  onSystem?(payload: unknown): void;
  /**
   * The server could not rule out that events of this channel were lost (a replication gap): the
   * owner should refetch what it may have missed. Only a valid `system` message for this very topic
   * with `status: 'error'` and `extension: 'replication'` counts; malformed ones are reported as
   * `pasabay-error` (`invalid-payload`) and dropped.
   */
  onReplicationGap?(gap: ReplicationGap): void;
  /**
   * The channel (re)joined. `first` is true for the first join after acquiring; later joins
   * follow reconnects, after which the owner should refetch what it may have missed.
   */
  onJoined?(first: boolean): void;
  onStatusChange?(status: ChannelStatus, error: Error | undefined): void;
  /** A handler above threw; defaults to `console.error`. */
  onHandlerError?(error: unknown): void;
}

/**
 * Holds the realtime channel of an element: acquires on connect, re-acquires when `topic()` or
 * `client()` change, releases on disconnect. Dispatches `pasabay-status-change` on the host when
 * the status changes and requests a host update.
 */
export class ChannelController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: ChannelControllerOptions;
  #lease: ChannelLease | undefined;
  #client: ChannelClient | undefined;
  #topic: string | undefined;
  // Bumped on every acquire and release: callbacks carry the epoch they were created in, so a
  // late event from a released lease can never reach the element.
  #epoch = 0;
  #joins = 0;
  #status: ChannelStatus = 'idle';
  #error: Error | undefined;
  #connected = false;

  constructor(host: ReactiveControllerHost & EventTarget, options: ChannelControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** idle (nothing held), joining, joined, error. */
  get status(): ChannelStatus {
    return this.#status;
  }

  /** Why the status is `error`. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** The topic currently held. */
  get topic(): string | undefined {
    return this.#topic;
  }

  hostConnected(): void {
    this.#connected = true;
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#release();
    this.#setStatus('idle', undefined, false);
  }

  /** Re-reads `client()` and `topic()` and re-acquires if either changed. Called before each update. */
  sync(): void {
    if (!this.#connected) return;
    const client = this.#options.client();
    const topic = client ? this.#options.topic() : undefined;
    if (client === this.#client && topic === this.#topic && (this.#lease || !topic)) return;
    this.#release();
    this.#client = client;
    this.#topic = topic;
    if (!client || !topic) {
      this.#setStatus('idle', undefined, false);
      return;
    }
    this.#acquire(client, topic);
  }

  /** Drops the channel and acquires it again (e.g. after the user changed). */
  reacquire(): void {
    this.#release();
    this.sync();
  }

  /** Broadcasts `event` while joined. */
  send(event: string, payload: Record<string, unknown>): Promise<SendResult> {
    return this.#lease?.send(event, payload) ?? Promise.resolve('not joined');
  }

  /** Tracks presence state while joined. */
  track(state: Record<string, unknown>): Promise<SendResult> {
    return this.#lease?.track(state) ?? Promise.resolve('not joined');
  }

  untrack(): Promise<SendResult> {
    return this.#lease?.untrack() ?? Promise.resolve('not joined');
  }

  presenceState<T extends Record<string, unknown>>(): RealtimePresenceState<T> {
    return this.#lease?.presenceState<T>() ?? {};
  }

  #acquire(client: ChannelClient, topic: string) {
    const epoch = ++this.#epoch;
    this.#joins = 0;
    const options = this.#options;
    const current = () => epoch === this.#epoch;
    const acquireOptions: AcquireOptions = { private: options.private ?? true };
    const presenceKey = options.presenceKey?.();
    if (presenceKey) acquireOptions.presenceKey = presenceKey;
    if (options.broadcastSelf) acquireOptions.broadcastSelf = true;
    const filters = options.postgresChanges?.();
    if (filters?.length) acquireOptions.postgresChanges = filters;
    // Not announced: it follows the owner's own change, not an asynchronous one: screen readers
    // already hear the owner's action.
    this.#setStatus('joining', undefined, false);
    this.#lease = acquireChannel(
      client,
      topic,
      {
        onBroadcast: (message) => current() && options.onBroadcast?.(message),
        onPresence: (event) => current() && options.onPresence?.(event),
        onPostgresChange: (payload) => current() && options.onPostgresChange?.(payload),
        onSystem: (payload) => {
          if (!current()) return;
          options.onSystem?.(payload);
          this.#onSystem(topic, payload);
        },
        onStatus: (status, error) => {
          if (!current()) return;
          const wasJoined = this.#status === 'joined';
          this.#setStatus(status, error);
          if (status === 'joined' && !wasJoined) {
            this.#joins++;
            options.onJoined?.(this.#joins === 1);
          }
        },
        onHandlerError: (error) => (options.onHandlerError ? options.onHandlerError(error) : console.error(error)),
      },
      acquireOptions,
    );
  }

  #onSystem(topic: string, payload: unknown) {
    const onGap = this.#options.onReplicationGap;
    if (!onGap) return;
    const source = `${topic} system`;
    const system = reported(this.#host, parsePayload(systemMessageSchema, payload, source));
    if (!system || system.status !== 'error' || system.extension !== 'replication') return;
    if (system.channel !== topic) {
      reported(this.#host, dropped(`a replication error of channel "${system.channel}"`, payload, source));
      return;
    }
    onGap({ message: system.message });
  }

  #release() {
    this.#epoch++;
    const lease = this.#lease;
    this.#lease = undefined;
    this.#client = undefined;
    this.#topic = undefined;
    void lease?.release();
  }

  #setStatus(status: ChannelStatus, error: Error | undefined, announce = true) {
    if (status === this.#status && error === this.#error) return;
    const topic = this.#topic;
    this.#status = status;
    this.#error = error;
    this.#options.onStatusChange?.(status, error);
    this.#host.requestUpdate();
    if (topic && announce) {
      this.#host.dispatchEvent(
        new PasabayStatusChangeEvent(error ? { topic, status, error: error.message } : { topic, status }),
      );
    }
  }
}
