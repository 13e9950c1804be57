/** Reading the database's refusals for the words the user sees. */
import { RATE_LIMITED_CODE } from '../../../connection/wire.js';
import { retryAfterMs } from '../state/chat-data.js';

/**
 * Seconds to wait when `reason` is the rate limit's refusal (`consume_rate_limit` in the migrations:
 * "Rate limit exceeded: at most 30 messages a minute"), else `undefined`. Only the reason survives
 * in a message's state (also across page loads), so the wait is read from it as the retry does.
 */
export function rateLimitWaitSeconds(reason: string): number | undefined {
  if (!/^Rate limit exceeded\b/.test(reason)) return undefined;
  const wait = retryAfterMs({ status: 429, code: RATE_LIMITED_CODE, message: reason });
  return wait === undefined ? undefined : Math.max(1, Math.ceil(wait / 1000));
}
