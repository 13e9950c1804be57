/**
 * The local Auth service (`/auth/v1`): the GoTrue endpoints supabase-js uses, on real
 * `auth.users` rows so triggers on that table fire as on Supabase. Email sign-ups are confirmed at
 * once (like `supabase start`'s default), so sign-up answers with a session.
 */
import { randomUUID } from 'node:crypto';
import { AuthRateLimiter, authRateLimitsFromEnv, type AuthRateLimits } from './rate-limits.js';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { StackContext } from '../context.js';
import {
  answeredPreflightOrBadKey,
  apiKeyOf,
  headerValue,
  PayloadTooLargeError,
  BodyReadError,
  readBody,
  searchParamsOf,
  sendEmpty,
  sendJson,
} from '../http.js';
import { effectiveToken, isKnownApiKey, verifyJwt, JwtError, type Claims } from '../keys.js';
import {
  AuthError,
  OAuthError,
  badRequest,
  forbidden,
  sendAuthError,
  unexpectedFailure,
  unprocessable,
  wantsModernErrors,
  API_VERSION,
} from './errors.js';
import { endSessions, openSession, refreshSession, sessionExists } from './sessions.js';
import {
  emailTaken,
  findUserById,
  findUserByPassword,
  insertUser,
  isSamePassword,
  updatePassword,
  updateUserMetadata,
  userJson,
  type UserRow,
} from './users.js';

const BODY_LIMIT = 64 * 1024;
const MIN_PASSWORD_LENGTH = 6;
// bcrypt ignores everything after 72 bytes; GoTrue refuses longer passwords rather than truncate.
const MAX_PASSWORD_BYTES = 72;
const SCHEMA_FILE = new URL('./schema.sql', import.meta.url);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

interface Authenticated {
  user: UserRow;
  claims: Claims;
  sessionId: string | undefined;
}

export function createAuthHandler(ctx: StackContext, limits: AuthRateLimits = authRateLimitsFromEnv()): Handler {
  const limiter = new AuthRateLimiter(limits);
  const ready = applyAuthSchema(ctx.authPool);
  // A failed schema step is reported per request (as a 500), never as an unhandled rejection.
  ready.catch(() => undefined);

  return async (req, res, path) => {
    try {
      if (answeredPreflightOrBadKey(req, res, isKnownApiKey)) return;
      await ready;
      await route(ctx, limiter, req, res, path);
    } catch (error) {
      if (error instanceof AuthError || error instanceof OAuthError) {
        if (error instanceof AuthError && error.status >= 500) ctx.metrics.errors.inc({ service: 'auth' });
        if (!res.headersSent) sendAuthError(req, res, error);
      } else if (error instanceof PayloadTooLargeError) {
        sendAuthError(
          req,
          res,
          new AuthError(413, 'request_too_large', `Request body is larger than ${error.limit} bytes`),
        );
      } else if (error instanceof BodyReadError) {
        res.destroy();
      } else {
        ctx.metrics.errors.inc({ service: 'auth' });
        console.error('[auth]', error);
        if (!res.headersSent) {
          sendAuthError(
            req,
            res,
            unexpectedFailure('Unexpected failure, please check server logs for more information'),
          );
        }
      }
    } finally {
      if (res.statusCode === 401 || res.statusCode === 403 || isCredentialFailure(res))
        ctx.metrics.authFailures.inc({ service: 'auth' });
      ctx.metrics.requests.inc({ service: 'auth', status: String(res.statusCode) });
    }
  };
}

function isCredentialFailure(res: ServerResponse): boolean {
  const code = res.getHeader('x-sb-error-code');
  return code === 'invalid_credentials' || code === 'refresh_token_not_found' || code === 'refresh_token_already_used';
}

async function applyAuthSchema(pool: pg.Pool): Promise<void> {
  const sql = await readFile(SCHEMA_FILE, 'utf8');
  const client = await pool.connect();
  try {
    await client.query('begin');
    // Several stacks may start on one database at once: one applies, the others wait.
    await client.query(`select pg_advisory_xact_lock(hashtext('pasabay-local-auth-schema'))`);
    await client.query(sql);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function route(
  ctx: StackContext,
  limiter: AuthRateLimiter,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const endpoint = path.replace(/\/+$/, '') || '/';
  const ok = (body: unknown) => sendJson(res, 200, body, versionHeader(req));

  if (endpoint === '/health' && method === 'GET') {
    return ok({
      version: 'pasabay-local',
      name: 'GoTrue',
      description: 'GoTrue is a user registration and authentication API',
    });
  }
  if (endpoint === '/settings' && method === 'GET') return ok(SETTINGS);
  if (endpoint === '/signup' && method === 'POST') return ok(await signup(ctx, limiter, req));
  if (endpoint === '/token' && method === 'POST') return token(ctx, limiter, req, res);
  if (endpoint === '/user' && method === 'GET') {
    const { user } = await authenticate(ctx.authPool, req);
    return ok(userJson(user));
  }
  if (endpoint === '/user' && method === 'PUT') return ok(await updateUser(ctx, req));
  if (endpoint === '/logout' && method === 'POST') {
    await logout(ctx, req);
    sendEmpty(res, 204, versionHeader(req));
    return;
  }
  throw new AuthError(404, 'not_found', `${method} /auth/v1${endpoint} is not supported by the Pasabay local stack`);
}

const SETTINGS = {
  external: {
    anonymous_users: true,
    email: true,
    phone: false,
    apple: false,
    azure: false,
    bitbucket: false,
    discord: false,
    facebook: false,
    figma: false,
    github: false,
    gitlab: false,
    google: false,
    keycloak: false,
    kakao: false,
    linkedin_oidc: false,
    notion: false,
    slack_oidc: false,
    spotify: false,
    twitch: false,
    twitter: false,
    workos: false,
    zoom: false,
  },
  disable_signup: false,
  mailer_autoconfirm: true,
  phone_autoconfirm: false,
  sms_provider: '',
  saml_enabled: false,
};

function versionHeader(req: IncomingMessage): Record<string, string> {
  return wantsModernErrors(req) ? { 'x-supabase-api-version': API_VERSION } : {};
}

function issuerOf(req: IncomingMessage): string {
  return `http://${headerValue(req, 'host') ?? '127.0.0.1:54321'}/auth/v1`;
}

/** GoTrue's `retrieveRequestParams`: a JSON object body, or `bad_json`. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req, BODY_LIMIT)).toString('utf8');
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw badRequest('bad_json', `Could not parse request body as JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('bad_json', 'Could not parse request body as JSON: expected a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string')
    throw badRequest('bad_json', `Could not parse request body as JSON: "${key}" must be a string`);
  return value;
}

function metadataOf(body: Record<string, unknown>): Record<string, unknown> {
  const data = body['data'];
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw badRequest('bad_json', 'Could not parse request body as JSON: "data" must be an object');
  return data as Record<string, unknown>;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AuthError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, {
      weak_password: { reasons: ['length'] },
    });
  }
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
}

function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL_PATTERN.test(email))
    throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email;
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The client as Supabase's gateway reports it to GoTrue; here the stack is the gateway. */
function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

async function signup(ctx: StackContext, limiter: AuthRateLimiter, req: IncomingMessage): Promise<unknown> {
  const body = await jsonBody(req);
  const email = optionalString(body, 'email');
  const phone = optionalString(body, 'phone');
  const password = optionalString(body, 'password');
  const data = metadataOf(body);
  const meta = { issuer: issuerOf(req), userAgent: headerValue(req, 'user-agent') };

  // Neither email nor phone: GoTrue routes the request to anonymous sign-in.
  limiter.check(!email && !phone ? 'anonymousSignIn' : 'signInOrSignUp', clientAddress(req));
  if (!email && !phone) {
    try {
      return await inTransaction(ctx.authPool, async (db) => {
        const id = randomUUID();
        await insertUser(db, { id, data });
        return openSession(db, id, 'anonymous', meta);
      });
    } catch (error) {
      console.error('[auth] anonymous sign-up failed:', (error as Error).message);
      throw unexpectedFailure('Database error creating anonymous user');
    }
  }
  if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
  checkPassword(password);
  if (email && phone)
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
  if (phone) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  const address = normaliseEmail(email);

  const userExists = unprocessable('user_already_exists', 'User already registered');
  if (await emailTaken(ctx.authPool, address)) throw userExists;
  try {
    return await inTransaction(ctx.authPool, async (db) => {
      const id = randomUUID();
      await insertUser(db, { id, email: address, password, data });
      return openSession(db, id, 'password', meta);
    });
  } catch (error) {
    // Two sign-ups with one address at once: the unique index decides, as on Supabase.
    if ((error as { code?: string }).code === '23505') throw userExists;
    console.error('[auth] sign-up failed:', (error as Error).message);
    throw unexpectedFailure('Database error saving new user');
  }
}

async function token(
  ctx: StackContext,
  limiter: AuthRateLimiter,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const grantType = searchParamsOf(req).get('grant_type') ?? '';
  if (grantType === 'password') limiter.check('signInOrSignUp', clientAddress(req));
  if (grantType === 'refresh_token') limiter.check('tokenRefresh', clientAddress(req));
  const meta = { issuer: issuerOf(req), userAgent: headerValue(req, 'user-agent') };
  if (grantType === 'password') {
    const body = await jsonBody(req);
    const email = optionalString(body, 'email');
    const phone = optionalString(body, 'phone');
    const password = optionalString(body, 'password');
    if (email && phone)
      throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
    const invalid = badRequest('invalid_credentials', 'Invalid login credentials');
    if (!email || !password) throw invalid;
    const user = await findUserByPassword(ctx.authPool, email.trim(), password);
    if (!user || user.is_anonymous) throw invalid;
    if (user.banned_until && user.banned_until.getTime() > Date.now()) throw invalid;
    if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
    const session = await inTransaction(ctx.authPool, (db) => openSession(db, user.id, 'password', meta));
    sendJson(res, 200, session, versionHeader(req));
    return;
  }
  if (grantType === 'refresh_token') {
    const body = await jsonBody(req);
    const presented = optionalString(body, 'refresh_token');
    const outcome = await inTransaction(ctx.authPool, (db) => refreshSession(db, presented, meta));
    if ('error' in outcome) throw outcome.error;
    sendJson(res, 200, outcome.session, versionHeader(req));
    return;
  }
  if (grantType === 'pkce' || grantType === 'id_token' || grantType === 'web3') {
    throw badRequest('validation_failed', `grant_type=${grantType} is not supported by the Pasabay local stack`);
  }
  throw new OAuthError('unsupported_grant_type');
}

/** GoTrue's `requireAuthentication`: a valid user JWT whose user and session still exist. */
async function authenticate(pool: pg.Pool, req: IncomingMessage): Promise<Authenticated> {
  const authorization = headerValue(req, 'authorization');
  if (!authorization || !/^Bearer\s+\S+/i.test(authorization)) {
    throw new AuthError(401, 'no_authorization', 'This endpoint requires a Bearer token');
  }
  const bearer = effectiveToken(apiKeyOf(req), authorization);
  if (!bearer)
    throw forbidden(
      'bad_jwt',
      'invalid JWT: unable to parse or verify signature, token is unverifiable: unknown API key',
    );
  let claims: Claims;
  try {
    claims = await verifyJwt(bearer);
  } catch (error) {
    throw forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${goJwtReason(error)}`);
  }
  if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(claims.sub)) {
    throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  }
  const user = await findUserById(pool, claims.sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId =
    typeof claims.session_id === 'string' && claims.session_id !== '00000000-0000-0000-0000-000000000000'
      ? claims.session_id
      : undefined;
  if (sessionId) {
    if (!/^[0-9a-f-]{36}$/i.test(sessionId))
      throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
    if (!(await sessionExists(pool, sessionId)))
      throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  return { user, claims, sessionId };
}

/** The golang-jwt v5 texts GoTrue puts after "unable to parse or verify signature, ". */
function goJwtReason(error: unknown): string {
  if (!(error instanceof JwtError)) return 'token is malformed';
  switch (error.reason) {
    case 'expired':
      return 'token has invalid claims: token is expired';
    case 'signature':
      return 'token signature is invalid: signature is invalid';
    case 'claims':
      return 'token has invalid claims: token is missing required claim';
    default:
      return 'token is malformed: could not base64 decode or JSON decode the token';
  }
}

async function updateUser(ctx: StackContext, req: IncomingMessage): Promise<unknown> {
  const { user } = await authenticate(ctx.authPool, req);
  const body = await jsonBody(req);
  const email = optionalString(body, 'email');
  const phone = optionalString(body, 'phone');
  const password = optionalString(body, 'password');
  const data = body['data'] === undefined ? undefined : metadataOf(body);
  if ((email && email.toLowerCase() !== (user.email ?? '')) || (phone && phone !== (user.phone ?? ''))) {
    throw unprocessable(
      'validation_failed',
      'Changing the email address or phone number is not supported by the Pasabay local stack',
    );
  }
  if (password) {
    checkPassword(password);
    if (await isSamePassword(ctx.authPool, user.id, password)) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
  }
  await inTransaction(ctx.authPool, async (db) => {
    if (data) await updateUserMetadata(db, user.id, data);
    if (password) await updatePassword(db, user.id, password);
  });
  const updated = await findUserById(ctx.authPool, user.id);
  if (!updated) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  return userJson(updated);
}

async function logout(ctx: StackContext, req: IncomingMessage): Promise<void> {
  // Authentication first: in GoTrue it is middleware in front of the handler.
  const { user, sessionId } = await authenticate(ctx.authPool, req);
  const scopeParam = searchParamsOf(req).get('scope') ?? '';
  const scope = scopeParam === '' ? 'global' : scopeParam;
  if (scope !== 'global' && scope !== 'local' && scope !== 'others') {
    throw badRequest('validation_failed', `Unsupported logout scope "${scopeParam}"`);
  }
  try {
    await inTransaction(ctx.authPool, (db) => endSessions(db, user.id, sessionId, scope));
  } catch (error) {
    console.error('[auth] logout failed:', (error as Error).message);
    throw unexpectedFailure('Error logging out user');
  }
}
