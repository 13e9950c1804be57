/**
 * SQL for the REST service, built from parsed requests. Identifiers are quoted with pg's
 * `escapeIdentifier`; every request value travels as a bind parameter; the only other text put
 * into SQL is type names read from the catalog (`format_type`).
 */
import pg from 'pg';
import type { ColumnInfo } from './catalog.js';
import type { Filter, OrderTerm, SelectItem } from './query.js';

export const ident = (name: string): string => pg.escapeIdentifier(name);

/** Collects bind parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** What a query reads from: a table (alias = its name, so errors say `column messages.x …`) or a function call. */
export interface Source {
  from: string;
  alias: string;
  columns: Map<string, ColumnInfo>;
}

const COMPARISONS: Record<string, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  isdistinct: 'is distinct from',
  cs: '@>',
  cd: '<@',
  ov: '&&',
};

const IS_SQL: Record<string, string> = {
  null: 'is null',
  not_null: 'is not null',
  true: 'is true',
  false: 'is false',
  unknown: 'is unknown',
};

/** `"a","b"` of a column list. */
export const columnList = (columns: readonly string[]): string => columns.map(ident).join(', ');

export function selectList(source: Source, select: SelectItem[] | undefined): string {
  if (!select) return `${ident(source.alias)}.*`;
  return select
    .map((item) => `${ident(source.alias)}.${ident(item.column)} as ${ident(item.alias ?? item.column)}`)
    .join(', ');
}

/**
 * The WHERE clause. Comparison values are untyped parameters, so PostgreSQL types them from the
 * column exactly as it types a quoted literal; `in` lists are cast to the column's array type.
 */
export function whereClause(source: Source, filters: readonly Filter[], params: Params): string {
  if (filters.length === 0) return '';
  const conditions = filters.map((filter) => {
    const column = `${ident(source.alias)}.${ident(filter.column)}`;
    let condition: string;
    if (filter.operator === 'is') {
      condition = `${column} ${IS_SQL[filter.value]}`;
    } else if (filter.operator === 'in') {
      const type = source.columns.get(filter.column)?.type;
      condition =
        type && !type.endsWith('[]')
          ? `${column} = any(${params.add(filter.value)}::${type}[])`
          : `${column}::text = any(${params.add(filter.value)}::text[])`;
    } else {
      condition = `${column} ${COMPARISONS[filter.operator]} ${params.add(filter.value)}`;
    }
    return filter.negated ? `not (${condition})` : condition;
  });
  return ` where ${conditions.join(' and ')}`;
}

export function orderClause(source: Source, order: readonly OrderTerm[]): string {
  if (order.length === 0) return '';
  const terms = order.map((term) => {
    const nulls = term.nulls ? ` nulls ${term.nulls}` : '';
    return `${ident(source.alias)}.${ident(term.column)} ${term.descending ? 'desc' : 'asc'}${nulls}`;
  });
  return ` order by ${terms.join(', ')}`;
}

/**
 * Wraps a row-returning statement so the database renders the JSON (exactly PostgreSQL's
 * formatting of timestamps, numerics and json columns) and counts the rows.
 */
export function aggregate(inner: string, options: { single: boolean; cte: boolean }): string {
  const first = options.single ? `, (json_agg(_pgrst_rows) -> 0)::text as first` : '';
  const select = `select coalesce(json_agg(_pgrst_rows), '[]'::json)::text as body, count(*)::int as n${first}`;
  return options.cte
    ? `with _pgrst_rows as (${inner}) ${select} from _pgrst_rows`
    : `${select} from (${inner}) _pgrst_rows`;
}
