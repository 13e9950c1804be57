/**
 * The PostgREST URL grammar the local stack serves (PostgREST ApiRequest/QueryParams.hs, the
 * subset postgrest-js emits for the calls our elements and tests make). Everything is
 * parsed into plain data here; nothing in this module touches SQL. Syntax outside the subset
 * (embedded resources, `or`/`and`, JSON paths, casts, full-text and range operators …) is
 * refused with a clear PGRST100 error instead of being half-understood.
 */
import { notSupported, queryParamError, RestError } from './errors.js';
import { splitTopLevel } from '../postgrest-syntax.js';

export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'match',
  'imatch',
  'in',
  'is',
  'isdistinct',
  'cs',
  'cd',
  'ov',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Operators PostgREST has that this stack deliberately does not implement. */
const KNOWN_UNSUPPORTED_OPERATORS = new Set(['fts', 'plfts', 'phfts', 'wfts', 'sl', 'sr', 'nxl', 'nxr', 'adj']);

export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Filter =
  | { column: string; negated: boolean; operator: Exclude<FilterOperator, 'in' | 'is'>; value: string }
  | { column: string; negated: boolean; operator: 'in'; value: string[] }
  | { column: string; negated: boolean; operator: 'is'; value: IsValue };

export interface SelectItem {
  column: string;
  alias?: string;
}

export interface OrderTerm {
  column: string;
  descending: boolean;
  nulls?: 'first' | 'last';
}

export interface QueryParams {
  /** undefined = `*` */
  select?: SelectItem[];
  filters: Filter[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
  onConflict?: string[];
  columns?: string[];
  /** Query parameters that are function arguments (GET /rpc/fn?arg=value). */
  rpcArgs: Record<string, string>;
}

const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'on_conflict', 'columns']);
const LOGIC = new Set(['or', 'and', 'not.or', 'not.and']);
const OPERATOR_LIST = 'eq, neq, gt, gte, lt, lte, like, ilike, match, imatch, in, is, isdistinct, cs, cd, ov';

/**
 * Parses the query string of a table or RPC request. `rpcArgNames` (GET/HEAD RPC only): keys
 * with those names are arguments, not filters, as in PostgREST.
 */
export function parseQueryParams(params: URLSearchParams, rpcArgNames?: ReadonlySet<string>): QueryParams {
  const result: QueryParams = { filters: [], order: [], rpcArgs: {} };
  for (const [key, value] of params) {
    if (key === 'apikey') continue; // the gateway's key parameter never reaches PostgREST
    if (rpcArgNames?.has(key)) {
      result.rpcArgs[key] = value;
      continue;
    }
    if (RESERVED.has(key)) {
      if (key === 'select') result.select = parseSelect(value);
      else if (key === 'order') result.order = parseOrder(value);
      else if (key === 'limit') result.limit = parseNonNegative('limit', value);
      else if (key === 'offset') result.offset = parseNonNegative('offset', value);
      else if (key === 'on_conflict') result.onConflict = parseColumnList(value, 'on_conflict');
      else result.columns = parseColumnList(value, 'columns');
      continue;
    }
    if (LOGIC.has(key))
      throw notSupported(
        `The logical filter "${key}=${value}"`,
        'Use one query parameter per condition: they are combined with AND.',
      );
    const lastDot = key.lastIndexOf('.');
    if (lastDot > 0 && ['order', 'limit', 'offset', 'or', 'and', 'select'].includes(key.slice(lastDot + 1))) {
      throw notSupported(`The embedded-resource modifier "${key}"`, 'Embedded resources are not supported.');
    }
    result.filters.push(parseFilter(key, value));
  }
  return result;
}

function parseNonNegative(name: 'limit' | 'offset', value: string): number {
  if (!/^\d{1,15}$/.test(value)) {
    if (/^-\d+$/.test(value) && name === 'limit') {
      throw new RestError(
        416,
        'PGRST103',
        'Requested range not satisfiable',
        'Limit should be greater than or equal to zero.',
      );
    }
    throw queryParamError(
      `failed to parse ${name} parameter (${value})`,
      `unexpected "${value.slice(0, 1)}" expecting digit`,
    );
  }
  return Number(value);
}

/** A column name as PostgREST reads it in `select`/`order`/filters: plain word or "double quoted". */
function parseFieldName(raw: string, context: string, whole: string): string {
  const text = raw.trim();
  if (text.startsWith('"')) {
    if (text.length < 2 || !text.endsWith('"'))
      throw queryParamError(`failed to parse ${context} (${whole})`, 'unterminated quoted name');
    const name = text.slice(1, -1).replace(/\\(.)/g, '$1');
    return checkName(name, context, whole);
  }
  if (text.includes('->'))
    throw notSupported(`The JSON path "${text}"`, 'JSON and array paths (-> and ->>) are not supported.');
  if (text.includes('::')) throw notSupported(`The cast "${text}"`, 'Casts in select are not supported.');
  if (!/^[\p{L}\p{N}_$ ]+$/u.test(text)) {
    throw queryParamError(
      `failed to parse ${context} (${whole})`,
      `unexpected "${[...text].find((c) => !/[\p{L}\p{N}_$ ]/u.test(c)) ?? text}" in "${text}"`,
    );
  }
  return checkName(text, context, whole);
}

function checkName(name: string, context: string, whole: string): string {
  if (name === '' || name.includes('\0') || name.length > 63)
    throw queryParamError(`failed to parse ${context} (${whole})`, `invalid name "${name.replace(/\0/g, '')}"`);
  return name;
}

export function parseSelect(value: string): SelectItem[] | undefined {
  const items: SelectItem[] = [];
  for (const rawItem of splitTopLevel(value)) {
    const item = rawItem.trim();
    if (item === '*') return mergeStar(items, value);
    if (item === '') throw queryParamError(`failed to parse select parameter (${value})`, 'unexpected empty item');
    if (item.startsWith('...')) throw notSupported(`The spread "${item}"`, 'Embedded resources are not supported.');
    if (/\(/.test(item)) {
      if (/^(count|sum|avg|min|max)\(/.test(item.replace(/^[^:]*:/, ''))) throw notSupported(`The aggregate "${item}"`);
      throw notSupported(
        `The embedded resource "${item}"`,
        'Embedded resources (other_table(columns)) are not supported; query the other table separately.',
      );
    }
    if (item.includes('!'))
      throw notSupported(`The embedded resource "${item}"`, 'Embedded resources are not supported.');
    const aliasMatch = /^("(?:[^"\\]|\\.)*"|[^:"]+):(?!:)(.+)$/.exec(item);
    if (aliasMatch) {
      items.push({
        alias: parseFieldName(aliasMatch[1]!, 'select parameter', value),
        column: parseFieldName(aliasMatch[2]!, 'select parameter', value),
      });
    } else {
      items.push({ column: parseFieldName(item, 'select parameter', value) });
    }
  }
  return items;
}

function mergeStar(items: SelectItem[], value: string): undefined {
  // `*` alongside named columns: PostgREST returns all columns plus the named ones; keep it simple
  // and exact by refusing the mix rather than duplicating keys.
  if (items.length > 0 || splitTopLevel(value).length > 1) {
    throw notSupported(`Mixing * with other items in select (${value})`);
  }
  return undefined;
}

export function parseOrder(value: string): OrderTerm[] {
  return splitTopLevel(value).map((rawTerm) => {
    const term = rawTerm.trim();
    if (term.includes('(')) throw notSupported(`Ordering by an embedded resource (${term})`);
    if (term.includes('->')) throw notSupported(`Ordering by the JSON path "${term}"`);
    const parts = term.startsWith('"') ? splitQuotedHead(term) : term.split('.');
    const [name, ...modifiers] = parts;
    const column = parseFieldName(name ?? '', 'order', value);
    const order: OrderTerm = { column, descending: false };
    let seenDirection = false;
    let seenNulls = false;
    for (const modifier of modifiers) {
      if ((modifier === 'asc' || modifier === 'desc') && !seenDirection && !seenNulls) {
        order.descending = modifier === 'desc';
        seenDirection = true;
      } else if ((modifier === 'nullsfirst' || modifier === 'nullslast') && !seenNulls) {
        order.nulls = modifier === 'nullsfirst' ? 'first' : 'last';
        seenNulls = true;
      } else {
        throw queryParamError(
          `failed to parse order (${value})`,
          `unexpected "${modifier}" expecting "asc", "desc", "nullsfirst" or "nullslast"`,
        );
      }
    }
    return order;
  });
}

function splitQuotedHead(term: string): string[] {
  const end = term.indexOf('"', 1);
  if (end === -1) return [term];
  const head = term.slice(0, end + 1);
  const rest = term.slice(end + 1);
  return [head, ...(rest ? rest.replace(/^\./, '').split('.') : [])];
}

function parseColumnList(value: string, name: string): string[] {
  return splitTopLevel(value).map((part) => parseFieldName(part, `${name} parameter`, value));
}

export function parseFilter(key: string, raw: string): Filter {
  if (key.includes('->'))
    throw notSupported(`Filtering on the JSON path "${key}"`, 'JSON and array paths (-> and ->>) are not supported.');
  if (key.includes('.') && !key.startsWith('"'))
    throw notSupported(`Filtering on an embedded resource ("${key}")`, 'Embedded resources are not supported.');
  const column = parseFieldName(key, 'filter', `${key}=${raw}`);
  let rest = raw;
  let negated = false;
  if (rest.startsWith('not.')) {
    negated = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  const operatorText = dot === -1 ? rest : rest.slice(0, dot);
  const value = dot === -1 ? undefined : rest.slice(dot + 1);
  const bareOperator = operatorText.replace(/\(.*\)$/, '');
  if (operatorText !== bareOperator) {
    throw notSupported(
      `The operator modifier "${operatorText}"`,
      'Quantified operators (any/all) and full-text configurations are not supported.',
    );
  }
  if (KNOWN_UNSUPPORTED_OPERATORS.has(bareOperator))
    throw notSupported(`The operator "${bareOperator}"`, `Supported operators: ${OPERATOR_LIST}.`);
  if (!(FILTER_OPERATORS as readonly string[]).includes(operatorText) || value === undefined) {
    throw queryParamError(
      `failed to parse filter (${raw})`,
      `unexpected "${raw.slice(0, 1) || ' '}" expecting "not" or operator (${OPERATOR_LIST})`,
    );
  }
  const operator = operatorText as FilterOperator;
  if (operator === 'in') return { column, negated, operator, value: parseInList(value, raw) };
  if (operator === 'is') {
    const lowered = value.toLowerCase();
    if (!['null', 'not_null', 'true', 'false', 'unknown'].includes(lowered)) {
      throw queryParamError(
        `failed to parse filter (${raw})`,
        `unexpected "${value}" expecting null, not_null, true, false or unknown`,
      );
    }
    return { column, negated, operator, value: lowered as IsValue };
  }
  if (operator === 'like' || operator === 'ilike')
    return { column, negated, operator, value: value.replace(/\*/g, '%') };
  return { column, negated, operator, value };
}

/** `(1,"a,b",c)` → ['1', 'a,b', 'c'] with backslash escapes inside double quotes. */
export function parseInList(value: string, raw: string): string[] {
  if (!value.startsWith('(') || !value.endsWith(')')) {
    throw queryParamError(`failed to parse filter (${raw})`, 'unexpected end of input expecting "(" ... ")"');
  }
  const inner = value.slice(1, -1);
  if (inner.trim() === '') return [];
  const items: string[] = [];
  let i = 0;
  while (i <= inner.length) {
    if (inner[i] === '"') {
      let item = '';
      i += 1;
      while (i < inner.length && inner[i] !== '"') {
        if (inner[i] === '\\' && i + 1 < inner.length) i += 1;
        item += inner[i];
        i += 1;
      }
      if (inner[i] !== '"') throw queryParamError(`failed to parse filter (${raw})`, 'unterminated quoted value');
      i += 1;
      if (i < inner.length && inner[i] !== ',')
        throw queryParamError(`failed to parse filter (${raw})`, `unexpected "${inner[i]}" expecting ","`);
      items.push(item);
      i += 1;
    } else {
      const end = inner.indexOf(',', i);
      const item = end === -1 ? inner.slice(i) : inner.slice(i, end);
      items.push(item);
      i = end === -1 ? inner.length + 1 : end + 1;
    }
  }
  return items;
}

export interface Preferences {
  return?: 'representation' | 'minimal' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  tx?: 'commit' | 'rollback';
  handling?: 'strict' | 'lenient';
  invalid: string[];
}

const PREFERENCE_VALUES: Record<string, readonly string[]> = {
  return: ['representation', 'minimal', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  tx: ['commit', 'rollback'],
  handling: ['strict', 'lenient'],
};

/** `Prefer` header(s): unknown or malformed preferences are ignored unless `handling=strict`. */
export function parsePreferences(header: string | string[] | undefined): Preferences {
  const prefs: Preferences = { invalid: [] };
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const token of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [name = '', value = ''] = token.split('=', 2).map((part) => part.trim());
    const allowed = PREFERENCE_VALUES[name];
    if (allowed?.includes(value)) (prefs as unknown as Record<string, string>)[name] = value;
    else if (name === 'timezone')
      throw notSupported(`The preference "${token}"`, 'Timestamps are answered in the database time zone.');
    else prefs.invalid.push(token);
  }
  return prefs;
}
