/**
 * What the rest of Realtime may see and ask of a joined channel. The hub and the broadcast,
 * presence and Postgres Changes handlers talk to this interface, never to `Channel` itself, so
 * none of them imports channel.ts back and no handler writes a channel's state directly.
 */
import type { Claims } from '../keys.js';
import type { AuthorizationContext, WritePolicies } from './authorization.js';
import type { SubscriptionParams } from './filters.js';
import type { UserBroadcast } from './serializer.js';

/** A Postgres Changes binding as requested at join, echoed back with its id. */
export interface RequestedPgChange {
  params: Record<string, unknown>;
  id: number;
}

/** A validated, active Postgres Changes binding. */
export interface PgSubscription {
  id: number;
  params: SubscriptionParams;
}

export interface ChannelPort {
  readonly id: number;
  readonly roomKey: string;
  readonly subTopic: string;
  readonly isPrivate: boolean;
  readonly selfBroadcast: boolean;
  readonly ackBroadcast: boolean;
  readonly presenceKey: string;
  readonly presenceEnabled: boolean;
  readonly claims: Claims;
  readonly closed: boolean;
  readonly pgRequested: readonly RequestedPgChange[];
  readonly pgActive: readonly PgSubscription[];

  authorizationContext(): AuthorizationContext;
  canReadBroadcast(): boolean;
  canReadPresence(): boolean;
  writePolicies(): Promise<WritePolicies | undefined>;
  /** Presence read is probed lazily on a private channel joined without presence: probes it once. */
  ensurePresenceReadChecked(): Promise<void>;
  /** Turns presence on (tracking does); returns whether it already was. */
  enablePresence(): boolean;
  setPostgresSubscriptions(active: PgSubscription[]): void;

  push(event: string, payload: Record<string, unknown>, ref?: string | null, joinRef?: string | null): boolean;
  pushUserBroadcast(broadcast: UserBroadcast, committedAt?: bigint): boolean;
  reply(
    message: { joinRef: string | null; ref: string | null },
    status: 'ok' | 'error',
    response: Record<string, unknown>,
  ): void;
  systemMessage(extension: 'system' | 'postgres_changes', status: 'ok' | 'error', message: string): void;
  shutdown(message: string): void;
}
