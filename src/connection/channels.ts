/**
 * The only module that calls `channel()` / `removeChannel()`.
 *
 * realtime-js returns the already registered channel when a topic is asked for again, refuses
 * presence / postgres-changes listeners once a channel is joining, and removes channels
 * asynchronously. So channels are shared here per (client, topic, private) with a reference count:
 * the first acquirer creates the channel and binds generic listeners once; every acquirer gets a
 * lease with its own handlers, and events fan out to all of them; the last release removes the
 * channel, and an acquire that arrives during that removal waits for it before creating a new one.
 */
import type {
  RealtimeChannel,
  RealtimeClient,
  RealtimePostgresChangesFilter,
  RealtimePostgresChangesPayload,
  RealtimePresenceState,
  SupabaseClient,
} from '@supabase/supabase-js';
import { REALTIME_SUBSCRIBE_STATES } from '@supabase/supabase-js';

export type ChannelStatus = 'idle' | 'joining' | 'joined' | 'error';

/** What of a Supabase client this module uses (a `SupabaseClient` has all of it). */
export type ChannelClient = Pick<SupabaseClient, 'channel' | 'removeChannel' | 'getChannels'> & {
  realtime: Pick<RealtimeClient, 'setAuth' | 'channels'>;
};

export interface BroadcastMessage {
  event: string;
  payload: unknown;
  /** Broadcast from Database puts the `realtime.messages` id here. */
  meta?: { id?: string } | undefined;
}

export type PresenceEvent =
  | { event: 'sync' }
  | { event: 'join'; key: string; newPresences: unknown[]; currentPresences: unknown[] }
  | { event: 'leave'; key: string; leftPresences: unknown[]; currentPresences: unknown[] };

export type PostgresChangesFilter = RealtimePostgresChangesFilter<'*' | 'INSERT' | 'UPDATE' | 'DELETE'>;

/** Callbacks of one acquirer. Payloads are unvalidated: parse them with `schemas.ts`. */
export interface ChannelHandlers {
  onBroadcast?(message: BroadcastMessage): void;
  onPresence?(event: PresenceEvent): void;
  onPostgresChange?(payload: RealtimePostgresChangesPayload<Record<string, unknown>>): void;
  onSystem?(payload: unknown): void;
  /** Every status change; `joined` again after each reconnect. */
  onStatus?(status: ChannelStatus, error?: Error): void;
  /** One of this acquirer's handlers threw; the others still ran. Defaults to `console.error`. */
  onHandlerError?(error: unknown): void;
}

export interface AcquireOptions {
  /** Private channel, authorized by RLS on `realtime.messages`. Default `true`. */
  private?: boolean;
  /** Presence key for `track()`, e.g. the user id. Must agree among acquirers of one topic. */
  presenceKey?: string;
  /** Receive one's own broadcasts. Decided by the first acquirer. Default `false`. */
  broadcastSelf?: boolean;
  /**
   * Postgres Changes bindings. They must be known before `subscribe()`, so such a channel is
   * shared only with acquirers that ask for the same bindings; an acquirer of the topic with
   * other bindings (or none) while it is open gets an `error` status.
   */
  postgresChanges?: PostgresChangesFilter[];
}

export type SendResult = 'ok' | 'error' | 'timed out' | 'not joined';

export interface ChannelLease {
  /** The topic as requested. */
  readonly topic: string;
  readonly status: ChannelStatus;
  /** Why the channel is in `error`, if it is. */
  readonly error: Error | undefined;
  /** `true` once `release()` was called. */
  readonly released: boolean;
  /** Broadcast `event` to the topic's other subscribers (only while joined). */
  send(event: string, payload: Record<string, unknown>): Promise<SendResult>;
  /** Track this client's presence state under the channel's presence key (only while joined). */
  track(state: Record<string, unknown>): Promise<SendResult>;
  untrack(): Promise<SendResult>;
  /** Current presence, keyed by presence key. Empty while not joined. */
  presenceState<T extends Record<string, unknown>>(): RealtimePresenceState<T>;
  /** Stops this acquirer's handlers. Resolves once the channel is removed if this was the last lease. */
  release(): Promise<void>;
}

interface Registry {
  shared: Map<string, SharedChannel>;
  /** Removals in flight, by channel name: a new channel of that name waits for them. */
  removals: Map<string, Promise<void>>;
}

const registries = new WeakMap<object, Registry>();

function registryOf(client: ChannelClient): Registry {
  let registry = registries.get(client);
  if (!registry) {
    registry = { shared: new Map(), removals: new Map() };
    registries.set(client, registry);
  }
  return registry;
}

/** Maps realtime-js subscribe states to ours. */
export function channelStatusOf(state: `${REALTIME_SUBSCRIBE_STATES}`): ChannelStatus {
  switch (state) {
    case REALTIME_SUBSCRIBE_STATES.SUBSCRIBED:
      return 'joined';
    case REALTIME_SUBSCRIBE_STATES.CLOSED:
      return 'idle';
    default:
      return 'error';
  }
}

// Retry delays after the server closes a channel we still need (realtime-js does not rejoin
// after `phx_close`, e.g. when a token expired).
const reopenDelaysMs = [1000, 2000, 5000, 10000];

class SharedChannel {
  readonly leases = new Set<Lease>();
  channel: RealtimeChannel | undefined;
  status: ChannelStatus = 'joining';
  error: Error | undefined;
  /** Set by the last release; nothing reopens a released channel. */
  closed = false;
  opening: Promise<void>;
  #reopenAttempts = 0;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly client: ChannelClient,
    readonly registry: Registry,
    readonly name: string,
    readonly isPrivate: boolean,
    readonly presenceKey: string,
    readonly broadcastSelf: boolean,
    readonly filters: readonly PostgresChangesFilter[],
  ) {
    this.opening = this.#open();
  }

  async #open(): Promise<void> {
    // A channel of this name may still be leaving: realtime-js would hand the old one back.
    // Only removals pending now count (each chains the earlier ones); a later one may be this
    // channel's own, which waits for this open to finish.
    const pendingRemoval = this.registry.removals.get(this.name);
    if (pendingRemoval) await pendingRemoval;
    if (this.closed) return;
    if (this.isPrivate) {
      // Private joins are authorized with the user's JWT. supabase-js pushes it to realtime on
      // auth events, but a join issued before the initial session resolved would go out with the
      // anon key and be refused; setAuth() with no argument reads the current session first.
      try {
        await this.client.realtime.setAuth();
      } catch {
        // The join then uses whatever token realtime has, and reports the refusal itself.
      }
      if (this.closed) return;
    }
    const realtimeTopic = `realtime:${this.name}`;
    if (this.client.getChannels().some((channel) => channel.topic === realtimeTopic)) {
      this.#setStatus(
        'error',
        new Error(
          `Realtime topic "${this.name}" is already open on this client outside Pasabay; remove that channel first.`,
        ),
      );
      return;
    }
    const channel = this.client.channel(this.name, {
      config: {
        private: this.isPrivate,
        broadcast: { self: this.broadcastSelf, ack: false },
        presence: { key: this.presenceKey, enabled: true },
      },
    });
    this.channel = channel;
    channel.on('broadcast', { event: '*' }, (message: { event: string; payload?: unknown; meta?: { id?: string } }) =>
      this.#fanOut('onBroadcast', { event: message.event, payload: message.payload, meta: message.meta }),
    );
    channel.on('presence', { event: 'sync' }, () => this.#fanOut('onPresence', { event: 'sync' }));
    channel.on('presence', { event: 'join' }, ({ key, newPresences, currentPresences }) =>
      this.#fanOut('onPresence', { event: 'join', key, newPresences, currentPresences }),
    );
    channel.on('presence', { event: 'leave' }, ({ key, leftPresences, currentPresences }) =>
      this.#fanOut('onPresence', { event: 'leave', key, leftPresences, currentPresences }),
    );
    channel.on('system', {}, (payload: unknown) => this.#fanOut('onSystem', payload));
    for (const filter of this.filters) {
      channel.on('postgres_changes', filter as RealtimePostgresChangesFilter<'*'>, (payload) =>
        this.#fanOut('onPostgresChange', payload),
      );
    }
    channel.subscribe((state, error) => {
      if (channel !== this.channel) return;
      if (state === REALTIME_SUBSCRIBE_STATES.CLOSED && !this.closed) {
        // Closed by the server while still wanted: realtime-js won't rejoin, so we do.
        this.#setStatus('error', new Error(`Realtime closed the channel "${this.name}".`));
        this.#scheduleReopen(channel);
        return;
      }
      if (state === REALTIME_SUBSCRIBE_STATES.SUBSCRIBED) this.#reopenAttempts = 0;
      this.#setStatus(channelStatusOf(state), error ?? undefined);
    });
  }

  #scheduleReopen(closedChannel: RealtimeChannel) {
    const delay = reopenDelaysMs[Math.min(this.#reopenAttempts, reopenDelaysMs.length - 1)]!;
    this.#reopenAttempts++;
    this.#reopenTimer = setTimeout(() => {
      this.#reopenTimer = undefined;
      if (this.closed) return;
      this.channel = undefined;
      this.opening = removeFromClient(this.client, closedChannel).then(() => this.#open());
    }, delay);
  }

  /** Stops reopening and removes the channel from the client (after it finished opening). */
  async remove(): Promise<void> {
    this.closed = true;
    if (this.#reopenTimer !== undefined) clearTimeout(this.#reopenTimer);
    await this.opening;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await removeFromClient(this.client, channel);
  }

  #setStatus(status: ChannelStatus, error?: Error) {
    this.status = status;
    this.error = status === 'error' ? error : undefined;
    for (const lease of [...this.leases]) lease.deliver('onStatus', status, this.error);
  }

  #fanOut<K extends 'onBroadcast' | 'onPresence' | 'onPostgresChange' | 'onSystem'>(
    kind: K,
    payload: Parameters<NonNullable<ChannelHandlers[K]>>[0],
  ) {
    for (const lease of [...this.leases]) lease.deliver(kind, payload);
  }
}

async function removeFromClient(client: ChannelClient, channel: RealtimeChannel) {
  try {
    await client.removeChannel(channel);
  } catch {
    // Checked below.
  }
  // removeChannel only tears down after an `ok` leave reply; an `error` reply leaves the channel
  // registered, and a stale registration would be handed back for the next acquire of the topic.
  if (client.getChannels().includes(channel)) {
    channel.teardown();
    client.realtime.channels = client.realtime.channels.filter((c) => c !== channel);
  }
}

class Lease implements ChannelLease {
  released = false;
  #handlers: ChannelHandlers;

  constructor(
    readonly topic: string,
    readonly shared: SharedChannel | undefined,
    handlers: ChannelHandlers,
    readonly failure?: Error,
  ) {
    this.#handlers = handlers;
  }

  get status(): ChannelStatus {
    if (this.failure) return 'error';
    return this.released ? 'idle' : (this.shared?.status ?? 'idle');
  }

  get error(): Error | undefined {
    return this.failure ?? (this.released ? undefined : this.shared?.error);
  }

  deliver(kind: Exclude<keyof ChannelHandlers, 'onHandlerError'>, ...args: unknown[]) {
    if (this.released) return;
    const handler = this.#handlers[kind] as ((...a: unknown[]) => void) | undefined;
    if (!handler) return;
    try {
      handler.apply(this.#handlers, args);
    } catch (error) {
      // One acquirer's bug must not starve the others of events.
      try {
        if (this.#handlers.onHandlerError) this.#handlers.onHandlerError(error);
        else console.error(error);
      } catch (reportingError) {
        console.error(reportingError);
      }
    }
  }

  #joinedChannel(): RealtimeChannel | undefined {
    return !this.released && this.shared?.status === 'joined' ? this.shared.channel : undefined;
  }

  async send(event: string, payload: Record<string, unknown>): Promise<SendResult> {
    const channel = this.#joinedChannel();
    if (!channel) return 'not joined';
    return (await channel.send({ type: 'broadcast', event, payload })) as SendResult;
  }

  async track(state: Record<string, unknown>): Promise<SendResult> {
    const channel = this.#joinedChannel();
    if (!channel) return 'not joined';
    return (await channel.track(state)) as SendResult;
  }

  async untrack(): Promise<SendResult> {
    const channel = this.#joinedChannel();
    if (!channel) return 'not joined';
    return (await channel.untrack()) as SendResult;
  }

  presenceState<T extends Record<string, unknown>>(): RealtimePresenceState<T> {
    const channel = this.#joinedChannel();
    return channel ? channel.presenceState<T>() : {};
  }

  release(): Promise<void> {
    if (this.released) return Promise.resolve();
    this.released = true;
    const shared = this.shared;
    if (!shared) return Promise.resolve();
    shared.leases.delete(this);
    if (shared.leases.size > 0) return Promise.resolve();
    const { registry, name } = shared;
    if (registry.shared.get(name) === shared) registry.shared.delete(name);
    const previous = registry.removals.get(name);
    const removal = shared.remove();
    const tracked = previous ? Promise.all([previous, removal]).then(() => undefined) : removal;
    registry.removals.set(name, tracked);
    void tracked.finally(() => {
      if (registry.removals.get(name) === tracked) registry.removals.delete(name);
    });
    return tracked;
  }
}

/**
 * Acquires the channel for `topic` on `client`. Returns at once; status changes (including
 * `joined` for a channel that is already joined) arrive through `handlers.onStatus`.
 */
export function acquireChannel(
  client: ChannelClient,
  topic: string,
  handlers: ChannelHandlers,
  options: AcquireOptions = {},
): ChannelLease {
  const isPrivate = options.private ?? true;
  const filters = options.postgresChanges ?? [];
  const presenceKey = options.presenceKey ?? '';
  const registry = registryOf(client);
  const name = topic;

  let shared = registry.shared.get(name);
  if (shared) {
    const conflict =
      shared.isPrivate !== isPrivate
        ? `"${topic}" is already open as a ${shared.isPrivate ? 'private' : 'public'} channel on this client.`
        : presenceKey && shared.presenceKey !== presenceKey
          ? `"${topic}" is already open with presence key "${shared.presenceKey}".`
          : JSON.stringify(shared.filters) !== JSON.stringify(filters)
            ? `"${topic}" is already open with other Postgres Changes bindings on this client.`
            : undefined;
    if (conflict) {
      const failed = new Lease(topic, undefined, handlers, new Error(conflict));
      queueMicrotask(() => failed.deliver('onStatus', 'error', failed.failure));
      return failed;
    }
  } else {
    shared = new SharedChannel(client, registry, name, isPrivate, presenceKey, options.broadcastSelf ?? false, filters);
    registry.shared.set(name, shared);
  }
  const lease = new Lease(topic, shared, handlers);
  shared.leases.add(lease);
  const joinedAlready = shared.status === 'joined';
  queueMicrotask(() => {
    // A later acquirer of a joined channel still hears `joined` (to fetch) and a presence sync.
    lease.deliver('onStatus', lease.status, lease.error);
    if (joinedAlready && shared.status === 'joined') lease.deliver('onPresence', { event: 'sync' });
  });
  return lease;
}

/** Resolves once every channel removal started on `client` so far has finished. */
export async function channelRemovalsSettled(client: ChannelClient): Promise<void> {
  const registry = registries.get(client);
  while (registry && registry.removals.size > 0) {
    await Promise.all(registry.removals.values());
  }
}
