/** Table writes (POST insert/upsert, PATCH, DELETE), each one statement per group of rows. */
import type pg from 'pg';
import { jsonBody, isObject } from './body.js';
import type { SchemaCache, TableInfo } from './catalog.js';
import type { RequestContext } from './context.js';
import { notSupported, RestError } from './errors.js';
import { parseQueryParams, type QueryParams } from './query.js';
import { tableSource } from './read.js';
import { contentRange, preferenceApplied, respond, singularityError, type Rows } from './response.js';
import { aggregate, columnList, ident, Params, selectList, whereClause, type Source } from './sql.js';
import { inRequestTransaction } from './transaction.js';

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

/** An UPDATE or DELETE; `.single()` insists on exactly one affected row (the transaction then rolls back). */
async function mutateRows(
  client: pg.ClientBase,
  rc: RequestContext,
  sql: string,
  values: unknown[],
  returning: string,
): Promise<Rows> {
  const rows = await runMutation(client, sql, values, returning !== '', rc.single);
  if (rc.single && rows.n !== 1) throw singularityError(rows.n);
  return rows;
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

type RowGroup = { columns: string[]; rows: Record<string, unknown>[] };

/** Prefer: resolution turns the insert into an upsert on on_conflict (or the primary key). */
function conflictClause(rc: RequestContext, query: QueryParams, table: TableInfo, columns: string[]): string {
  if (!rc.prefs.resolution) return '';
  const keys = query.onConflict ?? table.primaryKey;
  if (keys.length === 0)
    throw notSupported(
      `An upsert on "${table.name}" without on_conflict`,
      'The table has no primary key; pass on_conflict with the unique columns.',
    );
  const updatable = columns.filter((column) => !keys.includes(column));
  return rc.prefs.resolution === 'ignore-duplicates' || updatable.length === 0
    ? ` on conflict (${columnList(keys)}) do nothing`
    : ` on conflict (${columnList(keys)}) do update set ${updatable.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}`;
}

/**
 * Groups of rows inserted by one statement each: one group, unless Prefer: missing=default asks
 * for each row's absent keys to take the column default.
 */
function rowGroups(rc: RequestContext, columns: string[], rows: Record<string, unknown>[]): RowGroup[] {
  const groups = new Map<string, RowGroup>();
  for (const row of rows) {
    const rowColumns = rc.prefs.missing === 'default' ? columns.filter((column) => column in row) : columns;
    const key = rowColumns.join('\u0000');
    const group = groups.get(key) ?? { columns: rowColumns, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** One INSERT for a group (one per row when the group names no column: `default values`). */
async function insertGroup(
  client: pg.ClientBase,
  rc: RequestContext,
  group: RowGroup,
  { target, source, conflict, returning }: { target: string; source: Source; conflict: string; returning: string },
): Promise<Rows[]> {
  const parts: Rows[] = [];
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
    return parts;
  }
  const params = new Params();
  const body = params.add(JSON.stringify(group.rows));
  const sql =
    `insert into ${target} (${columnList(group.columns)}) ` +
    `select ${columnList(group.columns)} from json_populate_recordset(null::${source.from}, ${body}::json)${conflict}${returning}`;
  return [await runMutation(client, sql, params.values, returning !== '', rc.single)];
}

export async function insert(rc: RequestContext, table: TableInfo): Promise<void> {
  const query = parseQueryParams(rc.params);
  if (query.filters.length > 0) throw notSupported('Filters on an insert');
  rejectReadModifiers(query, 'an insert');
  const payload = await jsonBody(rc, false);
  const rows = Array.isArray(payload) ? payload : [payload];
  if (!rows.every(isObject)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  const columns = payloadColumns(query, rows as Record<string, unknown>[]);
  const current = await checkColumns(rc.cache, table, columns);
  const source = tableSource(current);
  const target = `${source.from} as ${ident(source.alias)}`;

  const conflict = conflictClause(rc, query, current, columns);
  const returning = returningClause(rc, source, query, current);

  const groups = rowGroups(rc, columns, rows as Record<string, unknown>[]);

  const result = await inRequestTransaction(rc, false, async (client) => {
    const parts: Rows[] = [];
    for (const group of groups)
      parts.push(...(await insertGroup(client, rc, group, { target, source, conflict, returning })));
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

export async function update(rc: RequestContext, table: TableInfo): Promise<void> {
  const query = parseQueryParams(rc.params);
  rejectReadModifiers(query, 'an update');
  const payload = await jsonBody(rc, false);
  if (!isObject(payload)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  const columns = query.columns ?? Object.keys(payload);
  const current = await checkColumns(rc.cache, table, columns);
  requireFilters(query, 'UPDATE');
  const source = tableSource(current);
  const returning = returningClause(rc, source, query, current);
  const result = await inRequestTransaction(rc, false, async (client) => {
    if (columns.length === 0) return { body: '[]', n: 0, first: null };
    const params = new Params();
    const body = params.add(JSON.stringify(payload));
    const assignments = columns.map((column) => `${ident(column)} = _pgrst_body.${ident(column)}`).join(', ');
    const sql =
      `update ${source.from} as ${ident(source.alias)} set ${assignments} ` +
      `from (select * from json_populate_record(null::${source.from}, ${body}::json)) _pgrst_body` +
      `${whereClause(source, query.filters, params)}${returning}`;
    return mutateRows(client, rc, sql, params.values, returning);
  });
  sendMutation(rc, result);
}

export async function remove(rc: RequestContext, table: TableInfo): Promise<void> {
  const query = parseQueryParams(rc.params);
  rejectReadModifiers(query, 'a delete');
  if (query.columns) throw notSupported('columns on a delete');
  requireFilters(query, 'DELETE');
  const source = tableSource(table);
  const returning = returningClause(rc, source, query, table);
  const result = await inRequestTransaction(rc, false, async (client) => {
    const params = new Params();
    const sql = `delete from ${source.from} as ${ident(source.alias)}${whereClause(source, query.filters, params)}${returning}`;
    return mutateRows(client, rc, sql, params.values, returning);
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
