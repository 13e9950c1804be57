/**
 * Sessions, refresh tokens and access tokens as GoTrue keeps them (auth.sessions,
 * auth.refresh_tokens, auth.mfa_amr_claims; internal/tokens/service.go): every sign-in opens a
 * session, every refresh revokes the presented token and issues its child, and a revoked token
 * presented again is accepted only within the reuse interval — after it the whole session's
 * token family is revoked and the client gets `refresh_token_already_used`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signJwt } from '../keys.js';
import { badRequest, OAuthError } from './errors.js';
import { ZERO_UUID, findUserById, userJson, type Queryable, type UserRow } from './users.js';

export type AuthMethod = 'password' | 'anonymous';

export interface SessionResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
}

/** Access-token lifetime in seconds: `PASABAY_JWT_EXPIRY` (read on each issue, so tests can shorten it) or 3600. */
export function jwtExpiry(): number {
  const configured = Number(process.env['PASABAY_JWT_EXPIRY']);
  return Number.isInteger(configured) && configured > 0 ? configured : 3600;
}

/** GoTrue's `GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL` (default 10 s); `PASABAY_REFRESH_TOKEN_REUSE_INTERVAL` here. */
function reuseIntervalSeconds(): number {
  const configured = Number(process.env['PASABAY_REFRESH_TOKEN_REUSE_INTERVAL']);
  return Number.isFinite(configured) && configured >= 0 ? configured : 10;
}

function newRefreshToken(): string {
  // Alphanumeric like GoTrue's, long enough that guessing is hopeless.
  return randomBytes(24).toString('base64url').replace(/[-_]/g, 'x');
}

async function insertRefreshToken(
  db: Queryable,
  userId: string,
  sessionId: string,
  parent: string | null,
): Promise<string> {
  const token = newRefreshToken();
  await db.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($1, $2, $3, false, now(), now(), $4, $5)`,
    [ZERO_UUID, token, userId, parent, sessionId],
  );
  return token;
}

async function accessToken(
  db: Queryable,
  user: UserRow,
  sessionId: string,
  issuer: string,
): Promise<{ token: string; expiresIn: number }> {
  const { rows } = await db.query<{ method: string; at: number }>(
    `select authentication_method as method, extract(epoch from created_at)::bigint::int as at
       from auth.mfa_amr_claims where session_id = $1 order by created_at desc`,
    [sessionId],
  );
  const expiresIn = jwtExpiry();
  const token = await signJwt(
    {
      iss: issuer,
      sub: user.id,
      aud: user.aud ?? 'authenticated',
      email: user.email ?? '',
      phone: user.phone ?? '',
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      role: user.role ?? 'authenticated',
      aal: 'aal1',
      amr: rows.map((row) => ({ method: row.method, timestamp: row.at })),
      session_id: sessionId,
      is_anonymous: user.is_anonymous,
    },
    expiresIn,
  );
  return { token, expiresIn };
}

function sessionResponse(
  token: { token: string; expiresIn: number },
  refreshToken: string,
  user: UserRow,
): SessionResponse {
  return {
    access_token: token.token,
    token_type: 'bearer',
    expires_in: token.expiresIn,
    expires_at: Math.floor(Date.now() / 1000) + token.expiresIn,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

/** Opens a session for a user who just signed up or in; runs inside the caller's transaction. */
export async function openSession(
  db: Queryable,
  userId: string,
  method: AuthMethod,
  meta: { issuer: string; userAgent?: string },
): Promise<SessionResponse> {
  const sessionId = randomUUID();
  await db.query(`update auth.users set last_sign_in_at = now() where id = $1`, [userId]);
  await db.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, user_agent) values ($1, $2, now(), now(), $3)`,
    [sessionId, userId, meta.userAgent ?? null],
  );
  await db.query(
    `insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id) values ($1, now(), now(), $2, $3)`,
    [sessionId, method, randomUUID()],
  );
  const refreshToken = await insertRefreshToken(db, userId, sessionId, null);
  const user = await findUserById(db, userId);
  if (!user) throw new Error(`user ${userId} vanished while opening its session`);
  return sessionResponse(await accessToken(db, user, sessionId, meta.issuer), refreshToken, user);
}

interface TokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  reusable: boolean;
  session_id: string | null;
  session_exists: boolean;
}

/**
 * The refresh_token grant. Runs in the caller's transaction; returns either a session or an
 * error to send *after committing* (a detected reuse must keep its family revocation).
 */
export async function refreshSession(
  db: Queryable,
  presented: string,
  meta: { issuer: string },
): Promise<{ session: SessionResponse } | { error: Error }> {
  if (!presented) return { error: new OAuthError('invalid_request', 'refresh_token required') };
  const { rows } = await db.query<TokenRow>(
    `select rt.id::text, rt.token, rt.user_id, coalesce(rt.revoked, false) as revoked, rt.session_id,
            rt.updated_at + make_interval(secs => $2) > now() as reusable,
            exists (select from auth.sessions s where s.id = rt.session_id) as session_exists
       from auth.refresh_tokens rt where rt.token = $1 for update of rt`,
    [presented, reuseIntervalSeconds()],
  );
  const row = rows[0];
  if (!row) return { error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
  if (!row.session_id || !row.session_exists) {
    return { error: badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found') };
  }
  const user = await findUserById(db, row.user_id);
  if (!user) return { error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
  if (user.banned_until && user.banned_until.getTime() > Date.now()) {
    return { error: badRequest('user_banned', 'Invalid Refresh Token: User Banned') };
  }
  // Serialise refreshes of one session, as GoTrue does by locking the session row.
  await db.query(`select 1 from auth.sessions where id = $1 for update`, [row.session_id]);

  let issued: string | undefined;
  if (row.revoked) {
    const active = await db.query<{ token: string; parent: string | null }>(
      `select token, parent from auth.refresh_tokens where session_id = $1 and not coalesce(revoked, false) order by id desc limit 1`,
      [row.session_id],
    );
    const current = active.rows[0];
    if (current && current.parent === row.token) {
      // The client lost the answer of its last refresh: hand back the token it should have stored.
      issued = current.token;
    } else if (!row.reusable) {
      await db.query(
        `update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and not coalesce(revoked, false)`,
        [row.session_id],
      );
      return { error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
    }
  }
  if (!issued) {
    await db.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1`, [row.id]);
    issued = await insertRefreshToken(db, user.id, row.session_id, row.token);
  }
  await db.query(`update auth.sessions set refreshed_at = timezone('utc', now()), updated_at = now() where id = $1`, [
    row.session_id,
  ]);
  return { session: sessionResponse(await accessToken(db, user, row.session_id, meta.issuer), issued, user) };
}

/** Ends sessions as `POST /logout?scope=` does; refresh tokens go with their session (cascade). */
export async function endSessions(
  db: Queryable,
  userId: string,
  sessionId: string | undefined,
  scope: 'global' | 'local' | 'others',
): Promise<void> {
  if (sessionId && scope === 'local') {
    await db.query(`delete from auth.sessions where id = $1`, [sessionId]);
  } else if (sessionId && scope === 'others') {
    await db.query(`delete from auth.sessions where user_id = $1 and id <> $2`, [userId, sessionId]);
  } else {
    await db.query(`delete from auth.sessions where user_id = $1`, [userId]);
  }
}

export async function sessionExists(db: Queryable, sessionId: string): Promise<boolean> {
  const { rowCount } = await db.query(`select 1 from auth.sessions where id = $1`, [sessionId]);
  return (rowCount ?? 0) > 0;
}
