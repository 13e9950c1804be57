/**
 * The rooms of one Realtime server: which channels are joined to which topic, room presence,
 * fan-out of broadcasts and diffs, and the server-wide limits. Public and private channels of
 * the same name are different rooms, as in Supabase.
 */
import type pg from 'pg';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { ChannelPort } from './ports.js';
import { RoomPresence, type PresenceDiff } from './presence.js';
import type { UserBroadcast } from './serializer.js';

/** What Realtime needs from the stack context (StackContext satisfies it). */
export interface RealtimeContext {
  pool: pg.Pool;
  databaseUrl: string;
  metrics: {
    connections: Gauge;
    channels: Gauge;
    joins: Counter;
    joinsDenied: Counter;
    messagesIn: Counter<'kind'>;
    messagesOut: Counter<'kind'>;
    deliveryLatency: Histogram;
    authFailures: Counter<'service'>;
    errors: Counter<'service'>;
    /** Where Realtime registers its own gauges (the replication queue). */
    registry?: Registry;
  };
}

export interface RealtimeOptions {
  /** Close a socket that sent nothing for this long (Phoenix: 60 s). Env REALTIME_IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
  /** Delay before a join error is sent (Realtime's CHANNEL_ERROR_BACKOFF_MS, 5 s). */
  joinErrorBackoffMs?: number;
  /** TENANT_MAX_CHANNELS_PER_CLIENT (100). */
  maxChannelsPerClient?: number;
  /** Joins per second for the whole server (Supabase tenant `max_joins_per_second`). */
  maxJoinsPerSecond?: number;
  /** CLIENT_PRESENCE_MAX_CALLS / CLIENT_PRESENCE_WINDOW_MS (5 per 30 s). */
  clientPresenceMaxCalls?: number;
  clientPresenceWindowMs?: number;
  /** Broadcast / track payload limit (`max_payload_size_in_kb`, 3 000 KB). */
  maxPayloadBytes?: number;
  /** WebSocket frame limit (5 MB as Realtime's endpoint). */
  maxFrameBytes?: number;
}

export type ResolvedOptions = Required<RealtimeOptions>;

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function resolveOptions(options: RealtimeOptions = {}): ResolvedOptions {
  return {
    idleTimeoutMs: options.idleTimeoutMs ?? envNumber('REALTIME_IDLE_TIMEOUT_MS') ?? 60_000,
    joinErrorBackoffMs: options.joinErrorBackoffMs ?? envNumber('CHANNEL_ERROR_BACKOFF_MS') ?? 5_000,
    maxChannelsPerClient: options.maxChannelsPerClient ?? envNumber('TENANT_MAX_CHANNELS_PER_CLIENT') ?? 100,
    maxJoinsPerSecond: options.maxJoinsPerSecond ?? envNumber('TENANT_MAX_JOINS_PER_SECOND') ?? 500,
    clientPresenceMaxCalls: options.clientPresenceMaxCalls ?? envNumber('CLIENT_PRESENCE_MAX_CALLS') ?? 5,
    clientPresenceWindowMs: options.clientPresenceWindowMs ?? envNumber('CLIENT_PRESENCE_WINDOW_MS') ?? 30_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 3_000 * 1024,
    maxFrameBytes: options.maxFrameBytes ?? 5 * 1024 * 1024,
  };
}

export function roomKey(isPrivate: boolean, subTopic: string): string {
  return `${isPrivate ? 'private' : 'public'}:${subTopic}`;
}

/** What the hub keeps of a socket: enough to close every one at shutdown. */
export interface HubConnection {
  readonly ws: WebSocket;
  close(code: number, reason: string): void;
}

export class Hub {
  readonly rooms = new Map<string, Set<ChannelPort>>();
  readonly presences = new Map<string, RoomPresence>();
  readonly connections = new Set<HubConnection>();
  readonly #recentJoins: number[] = [];

  constructor(
    readonly ctx: RealtimeContext,
    readonly options: ResolvedOptions,
  ) {}

  /** True while the server-wide joins of the last second stay under the limit; counts this one. */
  admitJoin(): boolean {
    const now = Date.now();
    while (this.#recentJoins.length > 0 && this.#recentJoins[0]! <= now - 1000) this.#recentJoins.shift();
    if (this.#recentJoins.length >= this.options.maxJoinsPerSecond) return false;
    this.#recentJoins.push(now);
    return true;
  }

  add(channel: ChannelPort): void {
    let room = this.rooms.get(channel.roomKey);
    if (!room) {
      room = new Set();
      this.rooms.set(channel.roomKey, room);
    }
    room.add(channel);
    this.ctx.metrics.channels.inc();
  }

  remove(channel: ChannelPort): void {
    const room = this.rooms.get(channel.roomKey);
    if (room?.delete(channel)) {
      this.ctx.metrics.channels.dec();
      if (room.size === 0) this.rooms.delete(channel.roomKey);
    }
  }

  presenceOf(key: string): RoomPresence {
    let presence = this.presences.get(key);
    if (!presence) {
      presence = new RoomPresence();
      this.presences.set(key, presence);
    }
    return presence;
  }

  dropPresenceIfEmpty(key: string): void {
    if (this.presences.get(key)?.size === 0) this.presences.delete(key);
  }

  /** A JSON broadcast (`{type, event, payload, …}` as sent) to every reader of the room. */
  broadcastJson(key: string, payload: Record<string, unknown>, except?: ChannelPort): void {
    for (const channel of this.rooms.get(key) ?? []) {
      if (channel !== except && channel.canReadBroadcast()) channel.push('broadcast', payload, null, null);
    }
  }

  /** A user broadcast (kind 4 for vsn 2, JSON for vsn 1) to every reader of the room. */
  broadcastUser(key: string, broadcast: UserBroadcast, except?: ChannelPort, committedAt?: bigint): number {
    let delivered = 0;
    for (const channel of this.rooms.get(key) ?? []) {
      if (channel !== except && channel.canReadBroadcast() && channel.pushUserBroadcast(broadcast, committedAt))
        delivered += 1;
    }
    return delivered;
  }

  /** presence_diff goes to every channel of the room allowed to read presence, the tracker included. */
  presenceDiff(key: string, diff: PresenceDiff): void {
    for (const channel of this.rooms.get(key) ?? []) {
      if (channel.canReadPresence())
        channel.push('presence_diff', diff as unknown as Record<string, unknown>, null, null);
    }
  }

  *allChannels(): Iterable<ChannelPort> {
    for (const room of this.rooms.values()) yield* room;
  }
}
