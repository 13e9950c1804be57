/**
 * One REST request's context, made once when the request arrives and handed to every step after:
 * who asks (claims, role), what they prefer (schema, Prefer, Accept), the request and response,
 * and the service's shared state (stack, schema cache, per-role settings).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { StackContext } from '../context.js';
import { apiKeyOf, headerValue, searchParamsOf } from '../http.js';
import { effectiveToken, JwtError, verifyJwt, type Claims } from '../keys.js';
import { SchemaCache } from './catalog.js';
import { RestError } from './errors.js';
import { parsePreferences, type Preferences } from './query.js';

const EXPOSED_SCHEMAS = ['public'];
/** `.single()`'s media type: one JSON object instead of an array. */
export const SINGLE_OBJECT = 'application/vnd.pgrst.object+json';

/** A role's `alter role … set` settings, applied in each of its transactions. */
export type SettingsOf = (role: string) => Promise<[string, string][]>;

/** What every request of the REST service shares. */
export interface RestService {
  stack: StackContext;
  cache: SchemaCache;
  settingsOf: SettingsOf;
}

/** Everything a REST step needs about its request; the headers are read from `req`. */
export interface RequestContext extends RestService {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  claims: Claims;
  role: string;
  authed: boolean;
  schema: string;
  prefs: Preferences;
  single: boolean;
  params: URLSearchParams;
}

export function createRestService(stack: StackContext): RestService {
  const cache = new SchemaCache(stack.restPool);
  let roleSettings: Promise<Map<string, [string, string][]>> | undefined;
  const settingsOf = async (role: string) => {
    roleSettings ??= loadRoleSettings(stack.restPool).catch((error: unknown) => {
      roleSettings = undefined;
      throw error;
    });
    return (await roleSettings).get(role) ?? [];
  };
  return { stack, cache, settingsOf };
}

export function createRequestContext(
  service: RestService,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  claims: Claims,
  role: string,
  authed: boolean,
): RequestContext {
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';
  const profile = headerValue(req, reading ? 'accept-profile' : 'content-profile');
  if (profile !== undefined && !EXPOSED_SCHEMAS.includes(profile)) {
    throw new RestError(
      406,
      'PGRST106',
      `Invalid schema: ${profile}`,
      null,
      `Only the following schemas are exposed: ${EXPOSED_SCHEMAS.join(', ')}`,
    );
  }
  const prefs = parsePreferences(req.headers['prefer']);
  if (prefs.handling === 'strict' && prefs.invalid.length > 0) {
    throw new RestError(
      400,
      'PGRST122',
      'Invalid preferences given with handling=strict',
      `Invalid preferences: ${prefs.invalid.join(', ')}`,
    );
  }
  return {
    ...service,
    req,
    res,
    method,
    path,
    claims,
    role,
    authed,
    schema: profile ?? 'public',
    prefs,
    single: wantsSingle(headerValue(req, 'accept')),
    params: searchParamsOf(req),
  };
}

/** `Accept`: JSON (default), or `.single()`'s object media type; other representations are refused. */
function wantsSingle(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .filter(Boolean);
  for (const type of types) {
    if (type === SINGLE_OBJECT || type === 'application/vnd.pgrst.object') return true;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return false;
  }
  throw new RestError(406, 'PGRST107', `None of these media types are available: ${types.join(', ')}`);
}

/** PostgREST's JWT step: the token must verify; its `role` claim becomes the database role. */
export async function claimsOf(req: IncomingMessage): Promise<Claims> {
  const apikey = apiKeyOf(req);
  const authorization = headerValue(req, 'authorization');
  const token = effectiveToken(apikey, authorization) ?? effectiveToken(apikey, undefined);
  if (!token) return { role: 'anon' };
  try {
    return await verifyJwt(token);
  } catch (error) {
    const reason = error instanceof JwtError ? error.reason : 'invalid';
    const parts = token.split('.').length;
    const [code, message] =
      reason === 'expired'
        ? ['PGRST303', 'JWT expired']
        : reason === 'claims'
          ? ['PGRST303', 'Parsing claims failed']
          : reason === 'signature'
            ? ['PGRST301', 'JWT cryptographic operation failed']
            : parts !== 3
              ? ['PGRST301', `Expected 3 parts in JWT; got ${parts}`]
              : ['PGRST301', "JWT couldn't be decoded"];
    throw new RestError(401, code, message, null, null, {
      'www-authenticate': `Bearer error="invalid_token", error_description="${message.replace(/"/g, "'")}"`,
    });
  }
}

async function loadRoleSettings(pool: pg.Pool): Promise<Map<string, [string, string][]>> {
  const { rows } = await pool.query<{ rolname: string; setconfig: string[] }>(
    `select r.rolname, s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
      where s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
      order by s.setdatabase`,
  );
  const settings = new Map<string, [string, string][]>();
  for (const row of rows) {
    const pairs = settings.get(row.rolname) ?? [];
    for (const entry of row.setconfig) {
      const eq = entry.indexOf('=');
      const name = entry.slice(0, eq);
      // PostgREST sets search_path and role itself.
      if (eq > 0 && name !== 'search_path' && name !== 'role') pairs.push([name, entry.slice(eq + 1)]);
    }
    settings.set(row.rolname, pairs);
  }
  return settings;
}
