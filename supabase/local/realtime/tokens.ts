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

/** Verifies a JWT and requires `role` and `exp` in the future, as `ChannelsAuthorization.authorize_conn`. */
export async function checkToken(token: string): Promise<{ claims: Claims } | { failure: TokenFailure }> {
  try {
    return { claims: await verifyJwt(token.replace(/\s/g, '')) };
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
