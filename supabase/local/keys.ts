/**
 * The Supabase CLI's local defaults, so any Supabase tutorial's local config works against us,
 * plus the HS256 signing and verification every service of the stack shares.
 */
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

export const JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';
export const PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

const secret = new TextEncoder().encode(JWT_SECRET);

export interface Claims extends JWTPayload {
  role: string;
  sub?: string;
  email?: string;
  session_id?: string;
  is_anonymous?: boolean;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

export class JwtError extends Error {
  constructor(
    message: string,
    readonly reason: 'expired' | 'invalid' | 'signature' | 'claims',
  ) {
    super(message);
  }
}

/** Signs claims as HS256 with the project secret; `expiresIn` in seconds. */
export async function signJwt(claims: Claims, expiresIn = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(secret);
}

/**
 * Verifies an HS256 token and returns its claims. Errors carry Realtime's texts
 * ("Token has expired", "The token provided is not a valid JWT", …) so each service can reuse them.
 */
export async function verifyJwt(token: string): Promise<Claims> {
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new JwtError('The token provided is not a valid JWT', 'invalid');
  }
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256', 'HS384', 'HS512'] });
    if (typeof payload['role'] !== 'string' || typeof payload.exp !== 'number') {
      throw new JwtError('Fields `role` and `exp` are required in JWT', 'claims');
    }
    return payload as Claims;
  } catch (error) {
    if (error instanceof JwtError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new JwtError('Token has expired', 'expired');
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new JwtError('Failed to validate JWT signature', 'signature');
    }
    throw new JwtError('The token provided is not a valid JWT', 'invalid');
  }
}

/**
 * What Supabase's gateway does with `apikey` / `Authorization`: opaque sb_ keys become the
 * matching legacy JWT; anything else passes through. Returns undefined for an unknown key.
 */
export function effectiveToken(apikey: string | undefined, authorization: string | undefined): string | undefined {
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer && !bearer.startsWith('sb_')) return bearer;
  const key = bearer ?? apikey;
  if (key === SECRET_KEY) return SERVICE_ROLE_KEY;
  if (key === PUBLISHABLE_KEY) return ANON_KEY;
  if (key?.startsWith('sb_')) return undefined;
  return key;
}

/** True when the key is one this stack issued (a legacy key JWT or an sb_ key). */
export function isKnownApiKey(apikey: string | undefined): boolean {
  return apikey === ANON_KEY || apikey === SERVICE_ROLE_KEY || apikey === PUBLISHABLE_KEY || apikey === SECRET_KEY;
}
