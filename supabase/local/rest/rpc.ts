/**
 * `/rest/v1/rpc/<name>`: PostgREST's function calls. The arguments come from the JSON body (POST)
 * or the query string (GET / HEAD); the function is chosen by argument names; set-returning and
 * composite results can be filtered, ordered and ranged like a table.
 */
import { jsonBody, isObject } from './body.js';
import type { FunctionInfo } from './catalog.js';
import type { RequestContext } from './context.js';
import { notSupported, RestError } from './errors.js';
import { parseQueryParams, type QueryParams } from './query.js';
import { countRows, rangeOf, rejectWriteParams, selectRows } from './read.js';
import { respond, sendRows, type Rows } from './response.js';
import { ident, Params, type Source } from './sql.js';
import { inRequestTransaction } from './transaction.js';

type Range = { offset: number; limit: number | undefined };
/** Renders the call as FROM items (`… as _pgrst_result`), adding its arguments to the params. */
type FromItems = (params: Params) => string;

/** One resolved call: the function, how it is invoked, and the transaction it needs. */
interface RpcCall {
  name: string;
  fn: FunctionInfo;
  query: QueryParams;
  range: Range;
  readOnly: boolean;
  fromItems: FromItems;
}

export async function rpc(rc: RequestContext, name: string): Promise<void> {
  if (rc.method !== 'POST' && rc.method !== 'GET' && rc.method !== 'HEAD') {
    throw new RestError(405, 'PGRST101', `Cannot use the ${rc.method} method on RPC`);
  }
  const call = await resolveCall(rc, name);
  // Counting runs the call a second time: harmless for a read-only call, not for one that writes.
  if (rc.prefs.count && !call.readOnly) {
    throw notSupported(
      `Prefer: count on ${rc.schema}.${name}, a volatile function called by POST`,
      'Count the rows in the function or call it with GET.',
    );
  }
  if (call.fn.returns === 'void' || call.fn.returns === 'scalar') return callScalar(rc, call);
  return callTable(rc, call);
}

/** Reads the arguments, chooses the function (re-reading the cache once when none matches) and builds the call. */
async function resolveCall(rc: RequestContext, name: string): Promise<RpcCall> {
  let candidates = await rc.cache.functions(rc.schema, name);
  const isPost = rc.method === 'POST';
  const argNames = new Set(candidates.flatMap((fn) => fn.args.map((arg) => arg.name)));
  const query = parseQueryParams(rc.params, isPost ? undefined : argNames);
  rejectWriteParams(query);
  const args = isPost ? await bodyArguments(rc) : query.rpcArgs;
  const keys = Object.keys(args);
  let fn: FunctionInfo;
  try {
    fn = chooseFunction(candidates, rc.schema, name, keys, isPost);
  } catch (error) {
    // The function may have been created or replaced since the cache read it.
    if (!(error instanceof RestError) || error.code !== 'PGRST202') throw error;
    candidates = await rc.cache.functions(rc.schema, name, true);
    fn = chooseFunction(candidates, rc.schema, name, keys, isPost);
  }
  if (fn.args.some((arg) => arg.variadic)) throw notSupported(`Calling the variadic function ${rc.schema}.${name}`);
  if (fn.returns === 'record') throw notSupported(`Calling ${rc.schema}.${name}, which returns an untyped record`);
  return {
    name,
    fn,
    query,
    range: rangeOf(rc, query),
    readOnly: !isPost || fn.readOnly,
    fromItems: fromItemsOf(fn, args, isPost),
  };
}

async function bodyArguments(rc: RequestContext): Promise<Record<string, unknown>> {
  const payload = await jsonBody(rc, true);
  if (!isObject(payload))
    throw notSupported(
      'Calling a function with a non-object JSON body',
      'Send the arguments as one JSON object of named arguments.',
    );
  return payload;
}

function fromItemsOf(fn: FunctionInfo, args: Record<string, unknown>, isPost: boolean): FromItems {
  const keys = Object.keys(args);
  const given = fn.args.filter((arg) => keys.includes(arg.name));
  const call = (params: Params): string => {
    if (given.length === 0) return `${ident(fn.schema)}.${ident(fn.name)}()`;
    if (isPost)
      return `${ident(fn.schema)}.${ident(fn.name)}(${given.map((arg) => `${ident(arg.name)} => _pgrst_args.${ident(arg.name)}`).join(', ')})`;
    return `${ident(fn.schema)}.${ident(fn.name)}(${given.map((arg) => `${ident(arg.name)} => ${params.add(args[arg.name])}`).join(', ')})`;
  };
  // POST arguments are JSON: json_to_record types them with the function's own parameter types.
  return (params: Params): string => {
    const invocation = call(params);
    if (!isPost || given.length === 0) return `${invocation} as _pgrst_result`;
    const argsJson = params.add(JSON.stringify(Object.fromEntries(given.map((arg) => [arg.name, args[arg.name]]))));
    const definitions = given.map((arg) => `${ident(arg.name)} ${arg.type}`).join(', ');
    return `json_to_record(${argsJson}::json) as _pgrst_args(${definitions}) cross join lateral ${invocation} as _pgrst_result`;
  };
}

/** A function returning void or a scalar (or a set of scalars): no select, filters or order on it. */
async function callScalar(rc: RequestContext, { name, fn, query, range, readOnly, fromItems }: RpcCall): Promise<void> {
  if (query.filters.length > 0 || query.select || query.order.length > 0) {
    throw notSupported(
      `select/filters/order on the result of ${rc.schema}.${name}, which returns a ${fn.returns === 'void' ? 'void' : 'scalar'}`,
    );
  }
  const result = await inRequestTransaction(rc, readOnly, async (client): Promise<Rows | undefined> => {
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
}

/** A function returning rows of a table or composite type: read like a table. */
async function callTable(rc: RequestContext, { fn, query, range, readOnly, fromItems }: RpcCall): Promise<void> {
  const source: Source = { from: '', alias: '_pgrst_result', columns: fn.resultColumns };
  const { rows, total } = await inRequestTransaction(rc, readOnly, async (client) => ({
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
