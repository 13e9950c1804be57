/**
 * Postgres Changes subscription parameters as Realtime parses them
 * (`Extensions.PostgresCdcRls.Subscriptions.parse_subscription_params`): event, schema, table and
 * a filter `column=[not.]op.value[,…]`. Comparison itself runs in SQL (see postgres-changes.ts),
 * so values keep PostgreSQL's cast and NULL semantics.
 *
 * Only the documented comparison operators are accepted. Pattern operators (like, ilike, match,
 * imatch) are refused at join: a subscriber's regular expression would run against every change
 * of the table on the one dispatch path, so a catastrophic pattern stalled every other subscriber.
 */
import { splitTopLevel } from '../postgrest-syntax.js';

export const FILTER_OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface ColumnFilter {
  column: string;
  operator: FilterOperator;
  negated: boolean;
  /** Text value; for `in` the list of values. */
  value: string | string[];
}

export type ChangeEvent = '*' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface SubscriptionParams {
  event: ChangeEvent;
  schema: string;
  table: string;
  filters: ColumnFilter[];
}

export class FilterError extends Error {}

const MAX_IN_VALUES = 100;

/** `"a \"b\""` → `a "b"`; unquoted text is returned as is. */
function unquote(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return trimmed;
}

/** Parses one `column=[not.]op.value` term. */
export function parseFilterTerm(term: string): ColumnFilter {
  const equals = term.indexOf('=');
  if (equals <= 0) throw new FilterError(`Error parsing \`filter\` params: ${JSON.stringify(term)}`);
  const column = term.slice(0, equals).trim();
  let rest = term.slice(equals + 1);
  let negated = false;
  if (rest.startsWith('not.')) {
    negated = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  // Realtime reports the parts it could split, as an Elixir list: ["op", "value"] or ["rest"].
  if (dot < 0) throw new FilterError(`Error parsing \`filter\` params: ${JSON.stringify([rest])}`);
  const operator = rest.slice(0, dot) as FilterOperator;
  const raw = rest.slice(dot + 1);
  if (!FILTER_OPERATORS.includes(operator)) {
    throw new FilterError(`Error parsing \`filter\` params: [${JSON.stringify(operator)}, ${JSON.stringify(raw)}]`);
  }
  if (operator === 'in') {
    const match = /^\((.*)\)$/s.exec(raw.trim());
    if (!match)
      throw new FilterError('Error parsing `filter` params: `in` filter value must be wrapped by parentheses');
    const values = match[1]!.trim() === '' ? [] : splitTopLevel(match[1]!).map(unquote);
    if (values.length > MAX_IN_VALUES)
      throw new FilterError(`Error parsing \`filter\` params: too many values for in (max ${MAX_IN_VALUES})`);
    return { column, operator, negated, value: values };
  }
  return { column, operator, negated, value: unquote(raw) };
}

/** A blank filter means none; several terms are ANDed. */
export function parseFilter(filter: unknown): ColumnFilter[] {
  if (filter === undefined || filter === null) return [];
  if (typeof filter !== 'string') throw new FilterError('Error parsing `filter` params: filter must be a string');
  if (filter.trim() === '') return [];
  return splitTopLevel(filter).map((term) => parseFilterTerm(term.trim()));
}

function normaliseEvent(value: unknown): ChangeEvent {
  const upper = typeof value === 'string' ? value.toUpperCase() : '*';
  return upper === 'INSERT' || upper === 'UPDATE' || upper === 'DELETE' ? upper : '*';
}

/** One `postgres_changes` entry of a join; only `table` given means schema `public`. */
export function parseSubscriptionParams(entry: Record<string, unknown>): SubscriptionParams {
  const schema = typeof entry['schema'] === 'string' && entry['schema'] !== '' ? entry['schema'] : 'public';
  const table = typeof entry['table'] === 'string' && entry['table'] !== '' ? entry['table'] : '*';
  return { event: normaliseEvent(entry['event']), schema, table, filters: parseFilter(entry['filter']) };
}

/** SQL text of one filter against `row.<column>` with parameter `$n` typed as the column. */
export function filterSql(filter: ColumnFilter, columnSql: string, param: string, type: string): string {
  let sql: string;
  switch (filter.operator) {
    case 'eq':
      sql = `${columnSql} = ${param}::${type}`;
      break;
    case 'neq':
      sql = `${columnSql} <> ${param}::${type}`;
      break;
    case 'lt':
      sql = `${columnSql} < ${param}::${type}`;
      break;
    case 'lte':
      sql = `${columnSql} <= ${param}::${type}`;
      break;
    case 'gt':
      sql = `${columnSql} > ${param}::${type}`;
      break;
    case 'gte':
      sql = `${columnSql} >= ${param}::${type}`;
      break;
    case 'in':
      sql = `${columnSql} = any(${param}::${type}[])`;
      break;
  }
  return filter.negated ? `not (${sql})` : sql;
}

/** Elixir-style description Realtime puts in its "Unable to subscribe" message. */
export function describeSubscription(params: SubscriptionParams): string {
  const filters = params.filters.map(
    (f) =>
      `{${JSON.stringify(f.column)}, ${JSON.stringify((f.negated ? 'not.' : '') + f.operator)}, ${JSON.stringify(Array.isArray(f.value) ? `(${f.value.join(',')})` : f.value)}}`,
  );
  return `[event: ${params.event}, schema: ${params.schema}, table: ${params.table}, filters: [${filters.join(', ')}], select: nil]`;
}

/** `:erlang.phash2`-sized (27 bit) stable id of a subscription's params, as Realtime replies them. */
export function subscriptionId(params: Record<string, unknown>): number {
  const text = JSON.stringify(params, Object.keys(params).sort());
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7ffffff;
}

/** Type oids whose text form compares exactly like the value (see `cannotMatch`). */
const UUID_OID = 2950;
const EXACT_TEXT_OIDS = new Set([25, 1043]); // text, varchar
const INTEGER_OIDS = new Set([20, 21, 23]); // int8, int2, int4

function canonicalUuid(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^\{|\}$/g, '')
    .replace(/-/g, '')
    .toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : undefined;
}

function canonicalInteger(text: string): bigint | undefined {
  return /^\s*[+-]?\d{1,19}\s*$/.test(text) ? BigInt(text.trim()) : undefined;
}

/**
 * True only when an `eq` filter certainly rejects the new row's value: both sides are
 * text / varchar / uuid / integers that PostgreSQL would compare exactly as normalized here.
 * Anything else ("maybe") is left to the SQL check. Used to keep a change from queueing behind
 * channels it will never reach, so it answers "certainly not", never "certainly yes".
 */
export function cannotMatch(filter: ColumnFilter, value: string | null | undefined, typeOid: number): boolean {
  if (filter.operator !== 'eq' || filter.negated || typeof filter.value !== 'string') return false;
  if (value === undefined) return false; // unchanged TOAST value: not in the tuple
  if (value === null) return true; // col = x is never true for NULL
  if (EXACT_TEXT_OIDS.has(typeOid)) return value !== filter.value;
  if (typeOid === UUID_OID) {
    const wanted = canonicalUuid(filter.value);
    const actual = canonicalUuid(value);
    return wanted !== undefined && actual !== undefined && wanted !== actual;
  }
  if (INTEGER_OIDS.has(typeOid)) {
    const wanted = canonicalInteger(filter.value);
    const actual = canonicalInteger(value);
    return wanted !== undefined && actual !== undefined && wanted !== actual;
  }
  return false;
}
