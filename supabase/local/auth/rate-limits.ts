/**
 * GoTrue's per-client rate limits (token buckets like its tollbooth limiters: the whole allowance
 * as burst, refilled evenly over the interval), keyed on the client's address as Supabase's
 * gateway passes it to GoTrue. Over a limit: 429 `over_request_rate_limit`.
 *
 * Defaults are GoTrue's and a hosted project's, overridable with GoTrue's variables:
 *   GOTRUE_RATE_LIMIT_OTP             30 email sign-ups and password sign-ins per 5 minutes
 *   GOTRUE_RATE_LIMIT_TOKEN_REFRESH  150 token refreshes per 5 minutes
 *   GOTRUE_RATE_LIMIT_ANONYMOUS_USERS 30 anonymous sign-ins per hour
 * (No e-mail is ever sent here — sign-ups are confirmed at once — so GoTrue's e-mail limit,
 * `over_email_send_rate_limit`, has nothing to count.)
 */
import { AuthError } from './errors.js';

export interface AuthRateLimits {
  signInsAndSignUps: number;
  tokenRefreshes: number;
  anonymousSignIns: number;
}

const FIVE_MINUTES = 5 * 60 * 1000;
const ONE_HOUR = 60 * 60 * 1000;

function envLimit(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function authRateLimitsFromEnv(): AuthRateLimits {
  return {
    signInsAndSignUps: envLimit('GOTRUE_RATE_LIMIT_OTP', 30),
    tokenRefreshes: envLimit('GOTRUE_RATE_LIMIT_TOKEN_REFRESH', 150),
    anonymousSignIns: envLimit('GOTRUE_RATE_LIMIT_ANONYMOUS_USERS', 30),
  };
}

class TokenBucket {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly capacity: number,
    readonly intervalMs: number,
  ) {}

  take(key: string, now = Date.now()): boolean {
    const bucket = this.#buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) * this.capacity) / this.intervalMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export type RateLimitedAction = 'signInOrSignUp' | 'tokenRefresh' | 'anonymousSignIn';

export class AuthRateLimiter {
  readonly #buckets: Record<RateLimitedAction, TokenBucket>;

  constructor(limits: AuthRateLimits) {
    this.#buckets = {
      signInOrSignUp: new TokenBucket(limits.signInsAndSignUps, FIVE_MINUTES),
      tokenRefresh: new TokenBucket(limits.tokenRefreshes, FIVE_MINUTES),
      anonymousSignIn: new TokenBucket(limits.anonymousSignIns, ONE_HOUR),
    };
  }

  /** Throws GoTrue's 429 when the client is over the limit of this action. */
  check(action: RateLimitedAction, client: string): void {
    if (!this.#buckets[action].take(client)) {
      throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
    }
  }
}
