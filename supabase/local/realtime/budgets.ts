/**
 * Per-user Realtime budgets: at most `maxConnections` sockets and `maxChannels` joined channels per
 * user (the `sub` of the token a channel joined with) across the whole server. Past them the join
 * is refused with a `phx_reply` error whose reason has Realtime's limit shape (`<Code>: <message>`,
 * as `ChannelRateLimitReached: Too many channels`):
 *   ConnectionRateLimitReached: Too many connections for this user (at most 3)
 *   ChannelRateLimitReached: Too many channels for this user (at most 5)
 * A socket counts for a user while it holds one of their channels: supabase-js connects with the
 * anon key and names the user only when joining, so the join is where both budgets are checked.
 * Tokens without a `sub` (anon, service_role) have no budget.
 * Env PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER (3) and PASABAY_REALTIME_MAX_CHANNELS_PER_USER
 * (5); 0 turns a budget off.
 */
import type { Claims } from '../keys.js';

export const DEFAULT_MAX_CONNECTIONS_PER_USER = 3;
export const DEFAULT_MAX_CHANNELS_PER_USER = 5;

export interface BudgetLimits {
  maxConnections: number;
  maxChannels: number;
}

function envLimit(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** The limits from the environment, read when a Realtime server starts its first budget check. */
export function budgetLimitsFromEnv(): BudgetLimits {
  return {
    maxConnections: envLimit('PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER', DEFAULT_MAX_CONNECTIONS_PER_USER),
    maxChannels: envLimit('PASABAY_REALTIME_MAX_CHANNELS_PER_USER', DEFAULT_MAX_CHANNELS_PER_USER),
  };
}

export function tooManyConnections(limit: number): string {
  return `ConnectionRateLimitReached: Too many connections for this user (at most ${limit})`;
}

export function tooManyChannels(limit: number): string {
  return `ChannelRateLimitReached: Too many channels for this user (at most ${limit})`;
}

/** The user a channel's token names, if any. */
function userOf(claims: Claims): string | undefined {
  const sub = (claims as Record<string, unknown>)['sub'];
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}

/** The joined channels of each user, by socket. One per Realtime server. */
export class UserBudgets {
  readonly #users = new Map<string, Map<object, Set<object>>>();
  /** Whom each counted channel was counted for (its token may be refreshed later). */
  readonly #counted = new Map<object, { user: string; connection: object }>();

  constructor(readonly limits: BudgetLimits = budgetLimitsFromEnv()) {}

  /**
   * Counts `channel` on `connection` for its user, or returns why it may not join. Synchronous,
   * so two joins racing on different sockets cannot both take the last place.
   */
  admit(connection: object, channel: object, claims: Claims): string | undefined {
    const user = userOf(claims);
    if (!user) return undefined;
    const sockets = this.#users.get(user) ?? new Map<object, Set<object>>();
    const { maxConnections, maxChannels } = this.limits;
    if (maxConnections > 0 && !sockets.has(connection) && sockets.size >= maxConnections)
      return tooManyConnections(maxConnections);
    let channels = 0;
    for (const held of sockets.values()) channels += held.size;
    if (maxChannels > 0 && channels >= maxChannels) return tooManyChannels(maxChannels);
    const held = sockets.get(connection) ?? new Set<object>();
    held.add(channel);
    sockets.set(connection, held);
    this.#users.set(user, sockets);
    this.#counted.set(channel, { user, connection });
    return undefined;
  }

  /** The channel ended (left, replaced, or its socket closed); a channel never counted is ignored. */
  release(channel: object): void {
    const counted = this.#counted.get(channel);
    if (!counted) return;
    this.#counted.delete(channel);
    const sockets = this.#users.get(counted.user);
    const held = sockets?.get(counted.connection);
    if (!sockets || !held) return;
    held.delete(channel);
    if (held.size === 0) sockets.delete(counted.connection);
    if (sockets.size === 0) this.#users.delete(counted.user);
  }

  /** Sockets and channels held by `user` now. */
  usage(user: string): { connections: number; channels: number } {
    const sockets = this.#users.get(user);
    let channels = 0;
    for (const held of sockets?.values() ?? []) channels += held.size;
    return { connections: sockets?.size ?? 0, channels };
  }
}

const budgets = new WeakMap<object, UserBudgets>();

/** The budgets of one Realtime server (keyed by its hub). */
export function budgetsOf(hub: object): UserBudgets {
  let found = budgets.get(hub);
  if (!found) {
    found = new UserBudgets();
    budgets.set(hub, found);
  }
  return found;
}
