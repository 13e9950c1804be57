/** Table reads (GET / HEAD): filters, order, range and count, capped at the service's max rows. */
import type pg from 'pg';
import { headerValue } from '../http.js';
import type { TableInfo } from './catalog.js';
import type { RequestContext } from './context.js';
import { notSupported, RestError } from './errors.js';
import { parseQueryParams, type QueryParams } from './query.js';
import { sendRows, type Rows } from './response.js';
import { aggregate, ident, orderClause, Params, selectList, whereClause, type Source } from './sql.js';
import { inRequestTransaction } from './transaction.js';

/** Supabase's hosted `db-max-rows` (1000); `PASABAY_MAX_ROWS` overrides it. */
function maxRows(): number {
  const configured = Number(process.env['PASABAY_MAX_ROWS']);
  return Number.isInteger(configured) && configured > 0 ? configured : 1000;
}

export function tableSource(table: TableInfo): Source {
  return { from: `${ident(table.schema)}.${ident(table.name)}`, alias: table.name, columns: table.columns };
}

/** limit/offset parameters intersected with a `Range: a-b` header; capped by max rows. */
export function rangeOf(rc: RequestContext, query: QueryParams): { offset: number; limit: number | undefined } {
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

export async function selectRows(
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

export async function countRows(
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

export async function read(rc: RequestContext, table: TableInfo): Promise<void> {
  const query = parseQueryParams(rc.params);
  rejectWriteParams(query);
  const range = rangeOf(rc, query);
  const source = tableSource(table);
  const fromParams = () => `${source.from} as ${ident(source.alias)}`;
  const { rows, total } = await inRequestTransaction(rc, true, async (client) => ({
    rows: await selectRows(client, source, query, range, { single: rc.single, cap: maxRows(), fromParams }),
    total: rc.prefs.count ? await countRows(client, source, query, fromParams) : undefined,
  }));
  sendRows(rc, rows, range.offset, total, true);
}

export function rejectWriteParams(query: QueryParams): void {
  if (query.columns || query.onConflict) throw notSupported('columns/on_conflict on a read');
}
