/**
 * Token checks with Realtime's wording: the socket's token at upgrade and each channel's
 * `access_token` at join, on refresh and when it runs out.
 */
import { JwtError, verifyJwt, type Claims } from '../keys.js';

export interface TokenFailure {
  /** Realtime's log code, first half of a join error reason ("InvalidJWTToken: …"). */
  code: 'InvalidJWTToken' | 'MalformedJWT' | 'JwtSignatureError';
  message: string;
}

function expiredFor(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    if (typeof payload.exp === 'number') return Math.max(0, Math.floor(Date.now() / 1000) - payload.exp);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Tokens verified lately (most recently used last), so joins and refreshes with the same token skip the HMAC. */
const verified = new Map<string, Readonly<Claims>>();
const MAX_VERIFIED = 10_000;

/** A token verified before and still unexpired (the same instant jose would call it expired). */
function cachedClaims(token: string): Readonly<Claims> | undefined {
  const claims = verified.get(token);
  if (!claims) return undefined;
  verified.delete(token);
  if (typeof claims.exp !== 'number' || claims.exp <= Math.floor(Date.now() / 1000)) return undefined;
  verified.set(token, claims);
  return claims;
}

/**
 * Verifies a JWT and requires `role` and `exp` in the future, as `ChannelsAuthorization.authorize_conn`.
 * A token verified before is not verified again until it expires; only successes are remembered,
 * and the claims are frozen since every channel holding the same token shares them.
 */
export async function checkToken(token: string): Promise<{ claims: Claims } | { failure: TokenFailure }> {
  const compact = token.replace(/\s/g, '');
  const cached = cachedClaims(compact);
  if (cached) return { claims: cached };
  try {
    const claims = Object.freeze(await verifyJwt(compact));
    verified.set(compact, claims);
    if (verified.size > MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    return { claims };
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    switch (error.reason) {
      case 'expired':
        return {
          failure: { code: 'InvalidJWTToken', message: `Token has expired ${expiredFor(token) ?? 0} seconds ago` },
        };
      case 'claims':
        return { failure: { code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' } };
      case 'signature':
        return { failure: { code: 'JwtSignatureError', message: 'Failed to validate JWT signature' } };
      default:
        return { failure: { code: 'MalformedJWT', message: 'The token provided is not a valid JWT' } };
    }
  }
}

/** Milliseconds until the claims' `exp`, capped like Realtime's re-confirmation timer (1 h). */
export function msUntilExpiry(claims: Claims): number {
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  return Math.min(60 * 60 * 1000, Math.max(0, exp * 1000 - Date.now()));
}
