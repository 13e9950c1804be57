/**
 * One joined channel (`realtime:<sub-topic>`) of one connection: Realtime's join pipeline,
 * `access_token` refresh and expiry, `phx_leave`, and the shutdown Supabase performs
 * (a `system` error then `phx_close`). Broadcast and presence handling live in their own modules.
 */
import { randomUUID } from 'node:crypto';
import type { Claims } from '../keys.js';
import {
  AuthorizationUnavailable,
  readPolicies,
  writePolicies,
  type AuthorizationContext,
  type ReadPolicies,
  type WritePolicies,
} from './authorization.js';
import { handleClientBroadcast } from './broadcast.js';
import { roomKey } from './hub.js';
import type { Hub } from './hub.js';
import type { ConnectionIdentity } from './identity.js';
import type { ChannelPort, PgSubscription, RequestedPgChange } from './ports.js';
import { subscribePostgresChanges } from './postgres-changes.js';
import { handlePresence } from './presence-handler.js';
import type { PhxMessage, UserBroadcast, UserBroadcastPush } from './serializer.js';
import { checkToken, msUntilExpiry } from './tokens.js';
import { subscriptionId } from './filters.js';
import { budgetsOf } from './budgets.js';

const UNABLE_TO_CONNECT = 'Realtime was unable to connect to the project database';

/** Realtime casts join payloads leniently: "true"/"false" strings count as booleans. */
function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ChannelConfig {
  /** Postgres Changes bindings as requested at join. */
  pgRequested: RequestedPgChange[];
  isPrivate: boolean;
  selfBroadcast: boolean;
  ackBroadcast: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
}

/** What a channel needs of the socket it is joined on (the Connection implements it). */
export interface ChannelHost {
  readonly hub: Hub;
  readonly identity: ConnectionIdentity;
  readonly closed: boolean;
  readonly channels: Map<string, Channel>;
  /** Joins admitted under the channel limit and still being authorized. */
  pendingJoins: number;
  send(message: PhxMessage): boolean;
  sendUserBroadcast(topic: string, broadcast: UserBroadcast): boolean;
  reply(
    message: { joinRef: string | null; ref: string | null; topic: string },
    status: 'ok' | 'error',
    response: Record<string, unknown>,
  ): void;
  close(code: number, reason: string): void;
}

let nextChannelId = 1;

export class Channel implements ChannelPort {
  readonly id = nextChannelId++;
  readonly roomKey: string;
  readonly isPrivate: boolean;
  readonly selfBroadcast: boolean;
  readonly ackBroadcast: boolean;
  readonly presenceKey: string;
  #presenceEnabled: boolean;
  #accessToken: string;
  #claims: Claims;
  #read: ReadPolicies | null = null;
  #write: WritePolicies | null = null;
  /** Bindings as requested at join (echoed with ids); active once the subscription succeeded. */
  #pgRequested: RequestedPgChange[] = [];
  #pgActive: PgSubscription[] = [];
  #expiryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly connection: ChannelHost,
    readonly topic: string,
    readonly subTopic: string,
    readonly joinRef: string | null,
    config: ChannelConfig,
    token: { accessToken: string; claims: Claims },
  ) {
    this.roomKey = roomKey(config.isPrivate, subTopic);
    this.isPrivate = config.isPrivate;
    this.selfBroadcast = config.selfBroadcast;
    this.ackBroadcast = config.ackBroadcast;
    this.presenceKey = config.presenceKey;
    this.#presenceEnabled = config.presenceEnabled;
    this.#accessToken = token.accessToken;
    this.#claims = token.claims;
    this.#pgRequested = config.pgRequested;
  }

  get hub(): Hub {
    return this.connection.hub;
  }

  get presenceEnabled(): boolean {
    return this.#presenceEnabled;
  }

  get claims(): Claims {
    return this.#claims;
  }

  get pgRequested(): readonly RequestedPgChange[] {
    return this.#pgRequested;
  }

  get pgActive(): readonly PgSubscription[] {
    return this.#pgActive;
  }

  enablePresence(): boolean {
    const wasEnabled = this.#presenceEnabled;
    this.#presenceEnabled = true;
    return wasEnabled;
  }

  setPostgresSubscriptions(active: PgSubscription[]): void {
    this.#pgActive = active;
  }

  /** Probes the read policies of a private channel (join); throws AuthorizationUnavailable. */
  async probeReadPolicies(): Promise<ReadPolicies> {
    this.#read = await readPolicies(this.hub.ctx.pool, this.authorizationContext(), this.#presenceEnabled);
    return this.#read;
  }

  async ensurePresenceReadChecked(): Promise<void> {
    if (this.#read && this.#read.presenceRead === null) {
      const { presenceRead } = await readPolicies(this.hub.ctx.pool, this.authorizationContext(), true);
      this.#read = { ...this.#read, presenceRead };
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  authorizationContext(): AuthorizationContext {
    return { topic: this.subTopic, claims: this.claims, headers: this.connection.identity.headers };
  }

  canReadBroadcast(): boolean {
    return !this.isPrivate || this.#read?.broadcastRead === true;
  }

  canReadPresence(): boolean {
    return !this.isPrivate || this.#read?.presenceRead === true;
  }

  /** Write policies, probed once and cached until the next access_token (undefined when the DB is unreachable). */
  async writePolicies(): Promise<WritePolicies | undefined> {
    if (this.#write) return this.#write;
    try {
      this.#write = await writePolicies(this.hub.ctx.pool, this.authorizationContext());
      return this.#write;
    } catch (error) {
      if (!(error instanceof AuthorizationUnavailable)) throw error;
      this.hub.ctx.metrics.errors.inc({ service: 'realtime' });
      return undefined;
    }
  }

  push(
    event: string,
    payload: Record<string, unknown>,
    ref: string | null = null,
    joinRef: string | null = this.joinRef,
  ): boolean {
    if (this.#closed) return false;
    return this.connection.send({ joinRef, ref, topic: this.topic, event, payload });
  }

  /** Writes a user broadcast; records commit→frame latency for database-originated ones. */
  pushUserBroadcast(broadcast: UserBroadcast, committedAt?: bigint): boolean {
    if (this.#closed) return false;
    const sent = this.connection.sendUserBroadcast(this.topic, broadcast);
    if (sent && committedAt !== undefined) this.hub.ctx.metrics.deliveryLatency.observe(secondsSince(committedAt));
    return sent;
  }

  reply(
    message: { joinRef: string | null; ref: string | null },
    status: 'ok' | 'error',
    response: Record<string, unknown>,
  ): void {
    this.push('phx_reply', { status, response }, message.ref, message.joinRef);
  }

  systemMessage(extension: 'system' | 'postgres_changes', status: 'ok' | 'error', message: string): void {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  async handle(message: PhxMessage): Promise<void> {
    switch (message.event) {
      case 'phx_leave':
        this.reply(message, 'ok', {});
        this.push('phx_close', {}, this.joinRef);
        this.close('left');
        return;
      case 'broadcast':
        await handleClientBroadcast(this, this.hub, { kind: 'json', payload: message.payload }, message);
        return;
      case 'presence':
        await handlePresence(this, this.hub, message);
        return;
      case 'access_token':
        await this.#refreshToken(message.payload['access_token']);
        return;
      default:
        // Realtime only logs unexpected events from clients; it sends nothing back.
        return;
    }
  }

  async handleUserBroadcast(push: UserBroadcastPush): Promise<void> {
    await handleClientBroadcast(
      this,
      this.hub,
      { kind: 'user', broadcast: { userEvent: push.userEvent, encoding: push.encoding, payload: push.payload } },
      { joinRef: push.joinRef, ref: push.ref },
    );
  }

  /** `shutdown_response`: a system error, then the channel stops (phx_close), no auto-rejoin on the client. */
  shutdown(message: string): void {
    if (this.#closed) return;
    this.systemMessage('system', 'error', message);
    this.push('phx_close', {}, this.joinRef);
    this.close('shutdown');
  }

  /** Ends the channel: leaves presence (others get the diff), the room and the connection. */
  close(_reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#expiryTimer);
    const presence = this.hub.presences.get(this.roomKey);
    const diff = presence?.untrack(this.id, this.presenceKey);
    this.hub.remove(this);
    budgetsOf(this.hub).release(this);
    if (diff) this.hub.presenceDiff(this.roomKey, diff);
    this.hub.dropPresenceIfEmpty(this.roomKey);
    if (this.connection.channels.get(this.topic) === this) this.connection.channels.delete(this.topic);
    this.#pgActive = [];
  }

  /** Re-confirms the token when it runs out (capped at 1 h like Realtime's timer). */
  scheduleExpiryCheck(): void {
    clearTimeout(this.#expiryTimer);
    if (this.#closed) return;
    this.#expiryTimer = setTimeout(
      () => {
        void checkToken(this.#accessToken).then((result) => {
          if ('failure' in result) {
            this.hub.ctx.metrics.authFailures.inc({ service: 'realtime' });
            this.shutdown(result.failure.message);
          } else {
            this.scheduleExpiryCheck();
          }
        });
      },
      msUntilExpiry(this.#claims) + 50,
    );
    this.#expiryTimer.unref();
  }

  async #refreshToken(token: unknown): Promise<void> {
    if (typeof token !== 'string' || token.startsWith('sb_') || token === this.#accessToken) return;
    const result = await checkToken(token);
    if (this.#closed) return;
    if ('failure' in result) {
      this.hub.ctx.metrics.authFailures.inc({ service: 'realtime' });
      this.shutdown(result.failure.message);
      return;
    }
    const previous = this.#read;
    this.#accessToken = token;
    this.#claims = result.claims;
    this.#write = null;
    if (this.isPrivate) {
      try {
        this.#read = await readPolicies(this.hub.ctx.pool, this.authorizationContext(), this.#presenceEnabled);
      } catch (error) {
        if (!(error instanceof AuthorizationUnavailable)) throw error;
        this.shutdown(UNABLE_TO_CONNECT);
        return;
      }
      if (this.#closed) return;
      const revoked =
        (previous?.broadcastRead === true && !this.#read.broadcastRead) ||
        (previous?.presenceRead === true && this.#read.presenceRead === false);
      if (revoked) {
        this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
        return;
      }
    }
    this.scheduleExpiryCheck();
    // Realtime resubscribes Postgres Changes with the new claims and confirms it again.
    if (this.#pgRequested.length > 0) void subscribePostgresChanges(this, this.hub.ctx.pool);
  }
}

function secondsSince(committedAtMicros: bigint): number {
  return Math.max(0, Date.now() / 1000 - Number(committedAtMicros) / 1e6);
}

/** Realtime's join (`RealtimeWeb.RealtimeChannel.join/3`) for one `phx_join`. */
export async function joinChannel(connection: ChannelHost, message: PhxMessage): Promise<void> {
  const { hub } = connection;
  const metrics = hub.ctx.metrics;
  const refuse = async (reason: string, options: { backoff?: boolean; disconnect?: boolean } = {}) => {
    metrics.joinsDenied.inc();
    // Realtime sleeps before every join error so rejoin loops cannot hammer it.
    if (options.backoff !== false && hub.options.joinErrorBackoffMs > 0) await sleep(hub.options.joinErrorBackoffMs);
    connection.reply(message, 'error', { reason });
    if (options.disconnect) connection.close(1000, 'disconnect');
  };

  if (!message.topic.startsWith('realtime:')) {
    await refuse('unmatched topic', { backoff: false });
    return;
  }
  const subTopic = message.topic.slice('realtime:'.length);
  if (subTopic === '') {
    await refuse('TopicNameRequired: You must provide a topic name');
    return;
  }
  const config = record(message.payload['config']);
  const requestedKey = record(config['presence'])['key'];
  const presenceKey = typeof requestedKey === 'string' && requestedKey !== '' ? requestedKey : randomUUID();

  // Counted synchronously with the joins still being authorized, so concurrent joins on one
  // socket cannot all pass the check before any of them is added.
  if (connection.channels.size + connection.pendingJoins >= hub.options.maxChannelsPerClient) {
    await refuse('ChannelRateLimitReached: Too many channels');
    return;
  }
  connection.pendingJoins += 1;
  try {
    await admitChannel(connection, message, subTopic, config, presenceKey, refuse);
  } finally {
    connection.pendingJoins -= 1;
  }
}

/** The join payload's `config`, read as Realtime does (lenient booleans, malformed bindings skipped). */
function channelConfigOf(config: Record<string, unknown>, presenceKey: string): ChannelConfig {
  const broadcastConfig = record(config['broadcast']);
  const presenceConfig = record(config['presence']);
  const requested = Array.isArray(config['postgres_changes']) ? config['postgres_changes'] : [];
  return {
    isPrivate: flag(config['private']),
    selfBroadcast: flag(broadcastConfig['self']),
    ackBroadcast: flag(broadcastConfig['ack']),
    presenceKey,
    presenceEnabled: flag(presenceConfig['enabled']),
    pgRequested: requested
      .filter(
        (entry): entry is Record<string, unknown> =>
          typeof entry === 'object' && entry !== null && !Array.isArray(entry),
      )
      .map((params) => ({ params, id: subscriptionId(params) })),
  };
}

async function admitChannel(
  connection: ChannelHost,
  message: PhxMessage,
  subTopic: string,
  config: Record<string, unknown>,
  presenceKey: string,
  refuse: (reason: string, options?: { backoff?: boolean; disconnect?: boolean }) => Promise<void>,
): Promise<void> {
  const { hub } = connection;
  const metrics = hub.ctx.metrics;
  if (!hub.admitJoin()) {
    await refuse('ClientJoinRateLimitReached: Too many joins per second', { backoff: true, disconnect: true });
    return;
  }

  const offered = message.payload['access_token'] ?? message.payload['user_token'];
  const accessToken = typeof offered === 'string' && !offered.startsWith('sb_') ? offered : connection.identity.token;
  // The socket's own token is checked again too: it may have run out since the upgrade.
  const checked = await checkToken(accessToken);
  if ('failure' in checked) {
    metrics.authFailures.inc({ service: 'realtime' });
    await refuse(`${checked.failure.code}: ${checked.failure.message}`);
    return;
  }

  const channel = new Channel(
    connection,
    message.topic,
    subTopic,
    message.joinRef ?? message.ref,
    channelConfigOf(config, presenceKey),
    { accessToken, claims: checked.claims },
  );

  if (channel.isPrivate) {
    let read: ReadPolicies;
    try {
      read = await channel.probeReadPolicies();
    } catch (error) {
      if (!(error instanceof AuthorizationUnavailable)) throw error;
      metrics.errors.inc({ service: 'realtime' });
      await refuse(UNABLE_TO_CONNECT);
      return;
    }
    if (!read.broadcastRead && !read.presenceRead) {
      await refuse(`Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`);
      return;
    }
  }
  if (connection.closed) return;
  const overBudget = budgetsOf(hub).admit(connection, channel, checked.claims);
  if (overBudget) {
    await refuse(overBudget);
    return;
  }

  connection.channels.set(message.topic, channel);
  hub.add(channel);
  metrics.joins.inc();
  channel.reply(message, 'ok', { postgres_changes: channel.pgRequested.map(({ params, id }) => ({ ...params, id })) });
  channel.scheduleExpiryCheck();
  if (channel.presenceEnabled && channel.canReadPresence()) {
    channel.push('presence_state', hub.presenceOf(channel.roomKey).state());
  }
  if (channel.pgRequested.length > 0) void subscribePostgresChanges(channel, hub.ctx.pool);
}
