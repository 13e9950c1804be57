/**
 * The local REST service (`/rest/v1`): the PostgREST subset supabase-js emits (supabase-protocol.md
 * §7), each request in its own transaction as the token's role with `request.jwt.claims` set, as
 * PostgREST's `txVarQuery` does, so row-level security decides exactly as on Supabase.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { StackContext } from '../context.js';
import {
  apiKeyOf,
  apiKeyRefusal,
  BodyReadError,
  handlePreflight,
  headerValue,
  PayloadTooLargeError,
  readBody,
  searchParamsOf,
  sendEmpty,
  sendJson,
} from '../http.js';
import { effectiveToken, isKnownApiKey, JwtError, verifyJwt, type Claims } from '../keys.js';
import { SchemaCache, type FunctionInfo, type TableInfo } from './catalog.js';
import { fromPgError, isPgError, notSupported, RestError } from './errors.js';
import { parsePreferences, parseQueryParams, type Preferences, type QueryParams } from './query.js';
import { aggregate, columnList, ident, orderClause, Params, selectList, whereClause, type Source } from './sql.js';

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

const EXPOSED_SCHEMAS = ['public'];
const BODY_LIMIT = 4 * 1024 * 1024;
const SINGLE_OBJECT = 'application/vnd.pgrst.object+json';

/** Supabase's hosted `db-max-rows` (1000); `PASABAY_MAX_ROWS` overrides it. */
function maxRows(): number {
  const configured = Number(process.env['PASABAY_MAX_ROWS']);
  return Number.isInteger(configured) && configured > 0 ? configured : 1000;
}

interface RequestContext {
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

interface Rows {
  body: string;
  n: number;
  first: string | null;
}

export function createRestHandler(ctx: StackContext): Handler {
  const cache = new SchemaCache(ctx.restPool);
  let roleSettings: Promise<Map<string, [string, string][]>> | undefined;
  const settingsOf = async (role: string) => {
    roleSettings ??= loadRoleSettings(ctx.restPool).catch((error: unknown) => {
      roleSettings = undefined;
      throw error;
    });
    return (await roleSettings).get(role) ?? [];
  };

  return async (req, res, path) => {
    let authed = false;
    try {
      if (handlePreflight(req, res)) return;
      const refusal = apiKeyRefusal(apiKeyOf(req), isKnownApiKey);
      if (refusal) {
        sendJson(res, 401, refusal);
        return;
      }
      const claims = await claimsOf(req);
      const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : 'anon';
      authed = role !== 'anon';
      const rc = buildContext(req, res, path, claims, role, authed);
      await serve(ctx, cache, settingsOf, rc);
    } catch (error) {
      const failure = toRestError(error, authed);
      if (!failure) {
        if (!(error instanceof BodyReadError)) {
          ctx.metrics.errors.inc({ service: 'rest' });
          console.error('[rest]', error);
        }
        if (!res.headersSent) sendRestError(req, res, new RestError(500, 'PGRSTX00', 'Internal server error'));
        else res.destroy();
      } else {
        if (failure.status >= 500) ctx.metrics.errors.inc({ service: 'rest' });
        if (!res.headersSent) sendRestError(req, res, failure);
      }
    } finally {
      if (res.statusCode === 401 || res.statusCode === 403) ctx.metrics.authFailures.inc({ service: 'rest' });
      ctx.metrics.requests.inc({ service: 'rest', status: String(res.statusCode) });
    }
  };
}

function toRestError(error: unknown, authed: boolean): RestError | undefined {
  if (error instanceof RestError) return error;
  if (error instanceof PayloadTooLargeError) {
    return new RestError(413, 'PGRST102', `Request body exceeds the limit of ${error.limit} bytes`);
  }
  if (isPgError(error)) return fromPgError(error, authed);
  return undefined;
}

function sendRestError(req: IncomingMessage, res: ServerResponse, error: RestError): void {
  const headers = { 'proxy-status': `PostgREST; error=${error.code}`, ...error.headers };
  if (req.method === 'HEAD') sendEmpty(res, error.status, headers);
  else sendJson(res, error.status, error.body(), headers);
}

/** PostgREST's JWT step: the token must verify; its `role` claim becomes the database role. */
async function claimsOf(req: IncomingMessage): Promise<Claims> {
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

function buildContext(
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

type SettingsOf = (role: string) => Promise<[string, string][]>;

async function serve(ctx: StackContext, cache: SchemaCache, settingsOf: SettingsOf, rc: RequestContext): Promise<void> {
  let segments: string[];
  try {
    segments = rc.path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');
  }
  if (segments.length === 0)
    throw new RestError(
      404,
      'PGRST126',
      'Root endpoint metadata is disabled',
      'The OpenAPI description is not served by the Pasabay local stack',
    );
  if (segments[0] === 'rpc' && segments.length === 2) return rpc(ctx, cache, settingsOf, rc, segments[1]!);
  if (segments.length !== 1) throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');

  const name = segments[0]!;
  const table = (await cache.table(rc.schema, name)) ?? (await cache.table(rc.schema, name, true));
  if (!table)
    throw new RestError(404, 'PGRST205', `Could not find the table '${rc.schema}.${name}' in the schema cache`);
  switch (rc.method) {
    case 'GET':
    case 'HEAD':
      return read(ctx, settingsOf, rc, table);
    case 'POST':
      return insert(ctx, cache, settingsOf, rc, table);
    case 'PATCH':
      return update(ctx, cache, settingsOf, rc, table);
    case 'DELETE':
      return remove(ctx, settingsOf, rc, table);
    case 'PUT':
      throw notSupported(
        'PUT (single-row upsert by primary key)',
        'Use POST with Prefer: resolution=merge-duplicates (supabase-js upsert()).',
      );
    default:
      throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${rc.method}`);
  }
}

/** One transaction per request with PostgREST's transaction-scoped settings. */
async function inRequestTransaction<T>(
  ctx: StackContext,
  settingsOf: SettingsOf,
  rc: RequestContext,
  readOnly: boolean,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const roleSettings = await settingsOf(rc.role);
  const client = await ctx.restPool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`begin isolation level read committed${readOnly ? ' read only' : ''}`);
    const headers = Object.fromEntries(
      Object.entries(rc.req.headers).map(([key, value]) => [
        key.toLowerCase(),
        Array.isArray(value) ? value.join(', ') : value,
      ]),
    );
    const cookies = Object.fromEntries(
      (headerValue(rc.req, 'cookie') ?? '')
        .split(';')
        .map((part) => part.trim().split('='))
        .filter(([key]) => key)
        .map(([key, ...value]) => [key, value.join('=')]),
    );
    const claims = { ...rc.claims, role: rc.role };
    const settings: [string, string][] = [
      ['search_path', `${ident(rc.schema)}, extensions`],
      ...roleSettings,
      ['role', rc.role],
      ['request.jwt.claims', JSON.stringify(claims)],
      ['request.method', rc.method],
      ['request.path', rc.path],
      ['request.headers', JSON.stringify(headers)],
      ['request.cookies', JSON.stringify(cookies)],
    ];
    const params = new Params();
    const calls = settings.map(([name, value]) => `set_config(${params.add(name)}, ${params.add(value)}, true)`);
    await client.query(`select ${calls.join(', ')}`, params.values);
    const result = await work(client);
    await client.query(rc.prefs.tx === 'rollback' ? 'rollback' : 'commit');
    return result;
  } catch (error) {
    if (!isPgError(error) && !(error instanceof RestError)) broken = error as Error;
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

function singularityError(n: number): RestError {
  return new RestError(
    406,
    'PGRST116',
    'Cannot coerce the result to a single JSON object',
    `The result contains ${n} rows`,
  );
}

/** Content-Range as PostgREST writes it (`RangeQuery.contentRangeH`). */
function contentRange(lower: number, upper: number, total: number | undefined): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

function preferenceApplied(rc: RequestContext, keys: (keyof Preferences)[]): Record<string, string> {
  const applied = keys
    .filter((key) => rc.prefs[key] !== undefined && key !== 'invalid')
    .map((key) => `${key}=${String(rc.prefs[key])}`);
  return applied.length > 0 ? { 'preference-applied': applied.join(', ') } : {};
}

function respond(rc: RequestContext, status: number, body: string | undefined, headers: Record<string, string>): void {
  const contentType = rc.single ? `${SINGLE_OBJECT}; charset=utf-8` : 'application/json; charset=utf-8';
  if (body === undefined) sendEmpty(rc.res, status, headers);
  else if (rc.method === 'HEAD') sendEmpty(rc.res, status, { 'content-type': contentType, ...headers });
  else sendJson(rc.res, status, body, { 'content-type': contentType, ...headers });
}

function tableSource(table: TableInfo): Source {
  return { from: `${ident(table.schema)}.${ident(table.name)}`, alias: table.name, columns: table.columns };
}

/** limit/offset parameters intersected with a `Range: a-b` header; capped by max rows. */
function rangeOf(rc: RequestContext, query: QueryParams): { offset: number; limit: number | undefined } {
  let lower = query.offset ?? 0;
  let upper = query.limit === undefined ? Infinity : lower + query.limit - 1;
  const header = headerValue(rc.req, 'range');
  const match = header ? /^(?:items=)?(\d+)-(\d*)$/.exec(header.trim()) : null;
  if (match) {
    const from = Number(match[1]);
    const to = match[2] === '' ? Infinity : Number(match[2]);
    if (from > to) {
      throw new RestError(
        416,
        'PGRST103',
        'Requested range not satisfiable',
        'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      );
    }
    lower = Math.max(lower, from);
    upper = Math.min(upper, to);
  }
  const limit = upper === Infinity ? undefined : Math.max(0, upper - lower + 1);
  return { offset: lower, limit };
}

async function selectRows(
  client: pg.ClientBase,
  source: Source,
  query: QueryParams,
  range: { offset: number; limit: number | undefined },
  options: { single: boolean; cap: number | undefined; fromParams: (params: Params) => string },
): Promise<Rows> {
  const params = new Params();
  const from = options.fromParams(params);
  const where = whereClause(source, query.filters, params);
  const limit =
    range.limit === undefined
      ? options.cap
      : options.cap === undefined
        ? range.limit
        : Math.min(range.limit, options.cap);
  const limitSql = limit === undefined ? '' : ` limit ${params.add(limit)}`;
  const offsetSql = range.offset > 0 ? ` offset ${params.add(range.offset)}` : '';
  const inner = `select ${selectList(source, query.select)} from ${from}${where}${orderClause(source, query.order)}${limitSql}${offsetSql}`;
  const { rows } = await client.query<Rows>(aggregate(inner, { single: options.single, cte: false }), params.values);
  return rows[0] ?? { body: '[]', n: 0, first: null };
}

async function countRows(
  client: pg.ClientBase,
  source: Source,
  query: QueryParams,
  fromParams: (params: Params) => string,
): Promise<number> {
  const params = new Params();
  const from = fromParams(params);
  const { rows } = await client.query<{ total: string }>(
    `select count(*) as total from ${from}${whereClause(source, query.filters, params)}`,
    params.values,
  );
  return Number(rows[0]?.total ?? 0);
}

async function read(ctx: StackContext, settingsOf: SettingsOf, rc: RequestContext, table: TableInfo): Promise<void> {
  const query = parseQueryParams(rc.params);
  rejectWriteParams(query);
  const range = rangeOf(rc, query);
  const source = tableSource(table);
  const fromParams = () => `${source.from} as ${ident(source.alias)}`;
  const { rows, total } = await inRequestTransaction(ctx, settingsOf, rc, true, async (client) => ({
    rows: await selectRows(client, source, query, range, { single: rc.single, cap: maxRows(), fromParams }),
    total: rc.prefs.count ? await countRows(client, source, query, fromParams) : undefined,
  }));
  sendRows(rc, rows, range.offset, total, true);
}

function rejectWriteParams(query: QueryParams): void {
  if (query.columns || query.onConflict) throw notSupported('columns/on_conflict on a read');
}

/** The answer to a read (table GET/HEAD or set-returning RPC): status, Content-Range, body. */
function sendRows(
  rc: RequestContext,
  rows: Rows,
  offset: number,
  total: number | undefined,
  checkRange: boolean,
): void {
  if (rc.single && rows.n !== 1) throw singularityError(rows.n);
  const upper = offset + rows.n - 1;
  if (checkRange && total !== undefined && offset > total && total > 0) {
    throw new RestError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      `An offset of ${offset} was requested, but there are only ${total} rows.`,
      null,
      {
        'content-range': `*/${total}`,
      },
    );
  }
  const partial = total !== undefined && 1 + upper - offset < total;
  const headers = { 'content-range': contentRange(offset, upper, total), ...preferenceApplied(rc, ['count']) };
  respond(rc, partial ? 206 : 200, rc.single ? (rows.first ?? 'null') : rows.body, headers);
}

/** Parses a JSON request body; PostgREST answers PGRST102 for anything that is not JSON. */
async function jsonBody(rc: RequestContext, allowEmpty: boolean): Promise<unknown> {
  const contentType = (headerValue(rc.req, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const raw = (await readBody(rc.req, BODY_LIMIT)).toString('utf8');
  if (contentType !== 'application/json' && contentType !== '' && !(allowEmpty && raw.trim() === '')) {
    throw notSupported(`The request body media type "${contentType}"`, 'Send application/json.');
  }
  if (raw.trim() === '') {
    if (allowEmpty) return {};
    throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Columns named by the payload: `columns=` when given, else the keys (which must agree across a bulk payload). */
function payloadColumns(query: QueryParams, rows: Record<string, unknown>[]): string[] {
  if (query.columns) return [...new Set(query.columns)];
  const first = Object.keys(rows[0] ?? {});
  const signature = [...first].sort().join('\u0000');
  for (const row of rows) {
    if (Object.keys(row).sort().join('\u0000') !== signature)
      throw new RestError(400, 'PGRST102', 'All object keys must match');
  }
  return first;
}

async function checkColumns(cache: SchemaCache, table: TableInfo, columns: readonly string[]): Promise<TableInfo> {
  let current = table;
  for (const column of columns) {
    if (!current.columns.has(column)) current = (await cache.table(table.schema, table.name, true)) ?? current;
    if (!current.columns.has(column))
      throw new RestError(
        400,
        'PGRST204',
        `Could not find the '${column}' column of '${table.name}' in the schema cache`,
      );
  }
  return current;
}

function returningClause(rc: RequestContext, source: Source, query: QueryParams, table: TableInfo): string {
  if (rc.prefs.return === 'representation') return ` returning ${selectList(source, query.select)}`;
  if (rc.prefs.return === 'headers-only' && table.primaryKey.length > 0)
    return ` returning ${table.primaryKey.map((c) => `${ident(source.alias)}.${ident(c)}`).join(', ')}`;
  return '';
}

/** Runs a mutation; with RETURNING the database renders the rows, without it only the count is known (no SELECT policy needed). */
async function runMutation(
  client: pg.ClientBase,
  sql: string,
  values: unknown[],
  returning: boolean,
  single: boolean,
): Promise<Rows> {
  if (!returning) {
    const result = await client.query(sql, values);
    return { body: '[]', n: result.rowCount ?? 0, first: null };
  }
  const { rows } = await client.query<Rows>(aggregate(sql, { single, cte: true }), values);
  return rows[0] ?? { body: '[]', n: 0, first: null };
}

function rejectReadModifiers(query: QueryParams, what: string): void {
  if (query.order.length > 0 || query.limit !== undefined || query.offset !== undefined) {
    throw notSupported(`order/limit/offset on ${what}`);
  }
}

function mergeRows(parts: Rows[]): Rows {
  const inner = parts.map((part) => part.body.trim().slice(1, -1).trim()).filter(Boolean);
  return {
    body: `[${inner.join(', ')}]`,
    n: parts.reduce((sum, part) => sum + part.n, 0),
    first: parts.find((part) => part.first)?.first ?? null,
  };
}

async function insert(
  ctx: StackContext,
  cache: SchemaCache,
  settingsOf: SettingsOf,
  rc: RequestContext,
  table: TableInfo,
): Promise<void> {
  const query = parseQueryParams(rc.params);
  if (query.filters.length > 0) throw notSupported('Filters on an insert');
  rejectReadModifiers(query, 'an insert');
  const payload = await jsonBody(rc, false);
  const rows = Array.isArray(payload) ? payload : [payload];
  if (!rows.every(isObject)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  const columns = payloadColumns(query, rows as Record<string, unknown>[]);
  const current = await checkColumns(cache, table, columns);
  const source = tableSource(current);
  const target = `${source.from} as ${ident(source.alias)}`;

  let conflict = '';
  if (rc.prefs.resolution) {
    const keys = query.onConflict ?? current.primaryKey;
    if (keys.length === 0)
      throw notSupported(
        `An upsert on "${current.name}" without on_conflict`,
        'The table has no primary key; pass on_conflict with the unique columns.',
      );
    const updatable = columns.filter((column) => !keys.includes(column));
    conflict =
      rc.prefs.resolution === 'ignore-duplicates' || updatable.length === 0
        ? ` on conflict (${columnList(keys)}) do nothing`
        : ` on conflict (${columnList(keys)}) do update set ${updatable.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}`;
  }
  const returning = returningClause(rc, source, query, current);

  // Groups of rows inserted by one statement each: one group, unless Prefer: missing=default asks
  // for each row's absent keys to take the column default.
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  for (const row of rows as Record<string, unknown>[]) {
    const rowColumns = rc.prefs.missing === 'default' ? columns.filter((column) => column in row) : columns;
    const key = rowColumns.join('\u0000');
    const group = groups.get(key) ?? { columns: rowColumns, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }

  const result = await inRequestTransaction(ctx, settingsOf, rc, false, async (client) => {
    const parts: Rows[] = [];
    for (const group of groups.values()) {
      if (group.columns.length === 0) {
        for (let i = 0; i < group.rows.length; i += 1) {
          parts.push(
            await runMutation(
              client,
              `insert into ${target} default values${conflict}${returning}`,
              [],
              returning !== '',
              rc.single,
            ),
          );
        }
        continue;
      }
      const params = new Params();
      const body = params.add(JSON.stringify(group.rows));
      const sql =
        `insert into ${target} (${columnList(group.columns)}) ` +
        `select ${columnList(group.columns)} from json_populate_recordset(null::${source.from}, ${body}::json)${conflict}${returning}`;
      parts.push(await runMutation(client, sql, params.values, returning !== '', rc.single));
    }
    const merged = mergeRows(parts);
    if (rc.single && merged.n !== 1) throw singularityError(merged.n);
    return merged;
  });

  const headers: Record<string, string> = {
    'content-range': contentRange(1, 0, rc.prefs.count ? result.n : undefined),
    ...preferenceApplied(rc, ['return', 'resolution', 'missing', 'count', 'tx']),
  };
  if (rc.prefs.return === 'headers-only' && result.n === 1) {
    const location = locationOf(current, result.body);
    if (location) headers['location'] = location;
  }
  respond(
    rc,
    201,
    rc.prefs.return === 'representation' ? (rc.single ? (result.first ?? 'null') : result.body) : undefined,
    headers,
  );
}

function locationOf(table: TableInfo, body: string): string | undefined {
  const [row] = JSON.parse(body) as Record<string, unknown>[];
  if (!row || table.primaryKey.length === 0) return undefined;
  const filters = table.primaryKey.map(
    (column) => `${encodeURIComponent(column)}=eq.${encodeURIComponent(String(row[column]))}`,
  );
  return `/${encodeURIComponent(table.name)}?${filters.join('&')}`;
}

/** pg-safeupdate, which Supabase loads for the API role: UPDATE/DELETE need a WHERE clause. */
function requireFilters(query: QueryParams, verb: 'UPDATE' | 'DELETE'): void {
  if (query.filters.length === 0) throw new RestError(400, '21000', `${verb} requires a WHERE clause`);
}

async function update(
  ctx: StackContext,
  cache: SchemaCache,
  settingsOf: SettingsOf,
  rc: RequestContext,
  table: TableInfo,
): Promise<void> {
  const query = parseQueryParams(rc.params);
  rejectReadModifiers(query, 'an update');
  const payload = await jsonBody(rc, false);
  if (!isObject(payload)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  const columns = query.columns ?? Object.keys(payload);
  const current = await checkColumns(cache, table, columns);
  requireFilters(query, 'UPDATE');
  const source = tableSource(current);
  const returning = returningClause(rc, source, query, current);
  const result = await inRequestTransaction(ctx, settingsOf, rc, false, async (client) => {
    if (columns.length === 0) return { body: '[]', n: 0, first: null };
    const params = new Params();
    const body = params.add(JSON.stringify(payload));
    const assignments = columns.map((column) => `${ident(column)} = _pgrst_body.${ident(column)}`).join(', ');
    const sql =
      `update ${source.from} as ${ident(source.alias)} set ${assignments} ` +
      `from (select * from json_populate_record(null::${source.from}, ${body}::json)) _pgrst_body` +
      `${whereClause(source, query.filters, params)}${returning}`;
    const rows = await runMutation(client, sql, params.values, returning !== '', rc.single);
    if (rc.single && rows.n !== 1) throw singularityError(rows.n);
    return rows;
  });
  sendMutation(rc, result);
}

async function remove(ctx: StackContext, settingsOf: SettingsOf, rc: RequestContext, table: TableInfo): Promise<void> {
  const query = parseQueryParams(rc.params);
  rejectReadModifiers(query, 'a delete');
  if (query.columns) throw notSupported('columns on a delete');
  requireFilters(query, 'DELETE');
  const source = tableSource(table);
  const returning = returningClause(rc, source, query, table);
  const result = await inRequestTransaction(ctx, settingsOf, rc, false, async (client) => {
    const params = new Params();
    const sql = `delete from ${source.from} as ${ident(source.alias)}${whereClause(source, query.filters, params)}${returning}`;
    const rows = await runMutation(client, sql, params.values, returning !== '', rc.single);
    if (rc.single && rows.n !== 1) throw singularityError(rows.n);
    return rows;
  });
  sendMutation(rc, result);
}

function sendMutation(rc: RequestContext, result: Rows): void {
  const headers = {
    'content-range': contentRange(0, result.n - 1, rc.prefs.count ? result.n : undefined),
    ...preferenceApplied(rc, ['return', 'count', 'tx']),
  };
  if (rc.prefs.return === 'representation')
    respond(rc, 200, rc.single ? (result.first ?? 'null') : result.body, headers);
  else respond(rc, 204, undefined, headers);
}

/** PostgREST's function lookup: every given argument named by the function, every argument without a default given. */
function chooseFunction(
  candidates: FunctionInfo[],
  schema: string,
  name: string,
  keys: string[],
  isPost: boolean,
): FunctionInfo {
  const matches = candidates.filter(
    (fn) =>
      keys.every((key) => fn.args.some((arg) => arg.name === key)) &&
      fn.args.every((arg) => arg.hasDefault || keys.includes(arg.name)),
  );
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const list = matches
      .map((fn) => `${schema}.${name}(${fn.args.map((arg) => `${arg.name} => ${arg.type}`).join(', ')})`)
      .join(', ');
    throw new RestError(
      300,
      'PGRST203',
      `Could not choose the best candidate function between: ${list}`,
      null,
      'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    );
  }
  const sorted = [...keys].sort();
  const signature = sorted.length === 0 ? ' without parameters' : `(${sorted.join(', ')})`;
  const detailParams =
    sorted.length === 0 ? ' without parameters' : ` with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}`;
  const hint =
    candidates.length > 0
      ? `Perhaps you meant to call the function ${schema}.${name}(${[...new Set(candidates.flatMap((fn) => fn.args.map((arg) => arg.name)))].sort().join(', ')})`
      : null;
  throw new RestError(
    404,
    'PGRST202',
    `Could not find the function ${schema}.${name}${signature} in the schema cache`,
    `Searched for the function ${schema}.${name}${detailParams}${isPost ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
    hint,
  );
}

async function rpc(
  ctx: StackContext,
  cache: SchemaCache,
  settingsOf: SettingsOf,
  rc: RequestContext,
  name: string,
): Promise<void> {
  if (rc.method !== 'POST' && rc.method !== 'GET' && rc.method !== 'HEAD') {
    throw new RestError(405, 'PGRST101', `Cannot use the ${rc.method} method on RPC`);
  }
  let candidates = await cache.functions(rc.schema, name);
  const isPost = rc.method === 'POST';
  const argNames = new Set(candidates.flatMap((fn) => fn.args.map((arg) => arg.name)));
  const query = parseQueryParams(rc.params, isPost ? undefined : argNames);
  rejectWriteParams(query);
  let args: Record<string, unknown>;
  if (isPost) {
    const payload = await jsonBody(rc, true);
    if (!isObject(payload))
      throw notSupported(
        'Calling a function with a non-object JSON body',
        'Send the arguments as one JSON object of named arguments.',
      );
    args = payload;
  } else {
    args = query.rpcArgs;
  }
  const keys = Object.keys(args);
  let fn: FunctionInfo;
  try {
    fn = chooseFunction(candidates, rc.schema, name, keys, isPost);
  } catch (error) {
    // The function may have been created or replaced since the cache read it.
    if (!(error instanceof RestError) || error.code !== 'PGRST202') throw error;
    candidates = await cache.functions(rc.schema, name, true);
    fn = chooseFunction(candidates, rc.schema, name, keys, isPost);
  }
  if (fn.args.some((arg) => arg.variadic)) throw notSupported(`Calling the variadic function ${rc.schema}.${name}`);
  if (fn.returns === 'record') throw notSupported(`Calling ${rc.schema}.${name}, which returns an untyped record`);

  const given = fn.args.filter((arg) => keys.includes(arg.name));
  const call = (params: Params): string => {
    if (given.length === 0) return `${ident(fn.schema)}.${ident(fn.name)}()`;
    if (isPost)
      return `${ident(fn.schema)}.${ident(fn.name)}(${given.map((arg) => `${ident(arg.name)} => _pgrst_args.${ident(arg.name)}`).join(', ')})`;
    return `${ident(fn.schema)}.${ident(fn.name)}(${given.map((arg) => `${ident(arg.name)} => ${params.add(args[arg.name])}`).join(', ')})`;
  };
  // POST arguments are JSON: json_to_record types them with the function's own parameter types.
  const fromItems = (params: Params): string => {
    const invocation = call(params);
    if (!isPost || given.length === 0) return `${invocation} as _pgrst_result`;
    const argsJson = params.add(JSON.stringify(Object.fromEntries(given.map((arg) => [arg.name, args[arg.name]]))));
    const definitions = given.map((arg) => `${ident(arg.name)} ${arg.type}`).join(', ');
    return `json_to_record(${argsJson}::json) as _pgrst_args(${definitions}) cross join lateral ${invocation} as _pgrst_result`;
  };
  const readOnly = !isPost || fn.readOnly;
  const range = rangeOf(rc, query);
  // Counting runs the call a second time: harmless for a read-only call, not for one that writes.
  if (rc.prefs.count && !readOnly) {
    throw notSupported(
      `Prefer: count on ${rc.schema}.${name}, a volatile function called by POST`,
      'Count the rows in the function or call it with GET.',
    );
  }

  if (fn.returns === 'void' || fn.returns === 'scalar') {
    if (query.filters.length > 0 || query.select || query.order.length > 0) {
      throw notSupported(
        `select/filters/order on the result of ${rc.schema}.${name}, which returns a ${fn.returns === 'void' ? 'void' : 'scalar'}`,
      );
    }
    const result = await inRequestTransaction(ctx, settingsOf, rc, readOnly, async (client) => {
      const params = new Params();
      const from = fromItems(params);
      if (fn.returns === 'void') {
        await client.query(`select 1 from ${from}`, params.values);
        return undefined;
      }
      if (fn.returnsSet) {
        const limit = range.limit === undefined ? '' : ` limit ${params.add(range.limit)}`;
        const offset = range.offset > 0 ? ` offset ${params.add(range.offset)}` : '';
        const { rows } = await client.query<Rows>(
          `select coalesce(json_agg(_pgrst_rows.value), '[]'::json)::text as body, count(*)::int as n, (json_agg(_pgrst_rows.value) -> 0)::text as first
             from (select _pgrst_result as value from ${from}${limit}${offset}) _pgrst_rows`,
          params.values,
        );
        return rows[0];
      }
      const { rows } = await client.query<{ body: string }>(
        `select to_json(_pgrst_result)::text as body from ${from}`,
        params.values,
      );
      return { body: rows[0]?.body ?? 'null', n: 1, first: rows[0]?.body ?? 'null' };
    });
    if (!result) {
      respond(rc, 204, undefined, {});
      return;
    }
    if (fn.returnsSet) return sendRows(rc, result, range.offset, undefined, false);
    respond(rc, 200, result.body, {});
    return;
  }

  const source: Source = { from: '', alias: '_pgrst_result', columns: fn.resultColumns };
  const { rows, total } = await inRequestTransaction(ctx, settingsOf, rc, readOnly, async (client) => ({
    rows: await selectRows(client, source, query, range, {
      single: rc.single || !fn.returnsSet,
      cap: undefined,
      fromParams: fromItems,
    }),
    total: rc.prefs.count && fn.returnsSet ? await countRows(client, source, query, fromItems) : undefined,
  }));
  if (fn.returnsSet) return sendRows(rc, rows, range.offset, total, false);
  respond(rc, 200, rows.first ?? 'null', {});
}
