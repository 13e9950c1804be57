/**
 * Postgres Changes: subscriptions validated against publication `supabase_realtime`, and each
 * decoded row change turned into Realtime's `postgres_changes` frame for every subscriber whose
 * filters match and who may see the row under RLS — checked as the subscriber's role and claims
 * (`select exists(select 1 from <table> where <pk> = …)`, like `realtime.apply_rls`). Values are
 * JSON-typed by PostgreSQL itself (`to_jsonb(value::type)`, as `realtime.cast`).
 */
import type pg from 'pg';
import type { Claims } from '../keys.js';
import { awaitCommitVisible } from './commit-visibility.js';
import {
  describeSubscription,
  filterSql,
  FilterError,
  parseSubscriptionParams,
  type ColumnFilter,
  type SubscriptionParams,
} from './filters.js';
import type { Hub } from './hub.js';
import type { ChannelPort, PgSubscription } from './ports.js';

export type { PgSubscription, RequestedPgChange } from './ports.js';

export interface RelationColumn {
  name: string;
  typeOid: number;
  /** Part of the replica identity (the primary key by default). */
  isKey: boolean;
}

export interface Relation {
  oid: number;
  schema: string;
  name: string;
  columns: RelationColumn[];
}

export type TupleValues = Record<string, string | null | undefined>;

/** The transaction a change belongs to, from pgoutput's Begin message. */
export interface Commit {
  /** 32-bit transaction id. */
  xid: number;
  /** Commit time in microseconds since the Unix epoch. */
  committedAt: bigint;
}

export interface RowChange {
  relation: Relation;
  kind: 'INSERT' | 'UPDATE' | 'DELETE';
  /** New tuple (INSERT, UPDATE) as PostgreSQL text values. */
  new: TupleValues | null;
  /** Old tuple: replica identity columns (key) or the whole row (REPLICA IDENTITY FULL). */
  old: TupleValues | null;
}

interface ColumnInfo {
  name: string;
  typname: string;
  type: string;
  isPrimaryKey: boolean;
}

interface TableInfo {
  columns: ColumnInfo[];
  rowSecurity: boolean;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function escapeLike(text: string): string {
  return text === '*' ? '%' : text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function tableInfo(pool: pg.Pool, schema: string, table: string): Promise<TableInfo | undefined> {
  const { rows } = await pool.query<{ name: string; typname: string; type: string; is_pk: boolean; rls: boolean }>(
    `select a.attname as name, t.typname, format_type(a.atttypid, a.atttypmod) as type,
            coalesce(a.attnum = any(i.indkey), false) as is_pk, c.relrowsecurity as rls
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       join pg_type t on t.oid = a.atttypid
       left join pg_index i on i.indrelid = c.oid and i.indisprimary
      where n.nspname = $1 and c.relname = $2
      order by a.attnum`,
    [schema, table],
  );
  if (rows.length === 0) return undefined;
  return {
    columns: rows.map((row) => ({ name: row.name, typname: row.typname, type: row.type, isPrimaryKey: row.is_pk })),
    rowSecurity: rows[0]!.rls,
  };
}

function sqlErrorMessage(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `ERROR ${e.code} ${e.message ?? ''}`.trim() : String(e.message ?? error);
}

/**
 * Validates the channel's requested bindings (all or nothing, like Realtime's subscription insert)
 * and activates them; then the system message "Subscribed to PostgreSQL", or the error.
 */
export async function subscribePostgresChanges(channel: ChannelPort, pool: pg.Pool): Promise<void> {
  const active: PgSubscription[] = [];
  for (const { params: raw, id } of channel.pgRequested) {
    let params: SubscriptionParams;
    try {
      params = parseSubscriptionParams(raw);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      channel.setPostgresSubscriptions([]);
      channel.systemMessage('postgres_changes', 'error', error.message);
      return;
    }
    const describe = describeSubscription(params);
    try {
      const published = await pool.query(
        `select 1 from pg_publication_tables where pubname = 'supabase_realtime' and schemaname like $1 and tablename like $2 limit 1`,
        [escapeLike(params.schema), escapeLike(params.table)],
      );
      if (published.rowCount === 0) {
        throw new Error(
          `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describe}`,
        );
      }
      if (params.filters.length > 0) await checkFilters(pool, params);
    } catch (error) {
      channel.setPostgresSubscriptions([]);
      const message =
        error instanceof Error && !(error as { code?: string }).code && error.message.startsWith('Unable to subscribe')
          ? error.message
          : `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ${describe}. Exception: ${sqlErrorMessage(error)}`;
      if (!channel.closed) channel.systemMessage('postgres_changes', 'error', message);
      return;
    }
    active.push({ id, params });
  }
  if (channel.closed) return;
  channel.setPostgresSubscriptions(active);
  channel.systemMessage('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
}

/** `realtime.subscription_check_filters`: the column must exist and each value must cast to its type. */
async function checkFilters(pool: pg.Pool, params: SubscriptionParams): Promise<void> {
  const info = await tableInfo(pool, params.schema, params.table);
  if (!info)
    throw Object.assign(new Error(`relation "${params.schema}.${params.table}" does not exist`), { code: '42P01' });
  for (const filter of params.filters) {
    const column = info.columns.find((c) => c.name === filter.column);
    if (!column) throw Object.assign(new Error(`invalid column for filter ${filter.column}`), { code: 'P0001' });
    const cast = filter.operator === 'in' ? `$1::${column.type}[]` : `$1::${column.type}`;
    await pool.query(`select ${cast}`, [filter.value]);
  }
}

/** Turns decoded row changes into frames; one change at a time, in commit order. */
export class PostgresChangesDispatcher {
  readonly #tables = new Map<string, TableInfo>();
  readonly #selectable = new Map<string, Set<string>>();
  /** The last transaction seen visible: all its changes share the one wait. */
  #visibleXid: number | undefined;

  constructor(readonly hub: Hub) {}

  /** A Relation message means the table may have changed shape. */
  forget(relation: Relation): void {
    const prefix = `${relation.schema}.${relation.name}`;
    this.#tables.delete(prefix);
    for (const key of this.#selectable.keys()) if (key.startsWith(`${prefix}|`)) this.#selectable.delete(key);
  }

  async #table(relation: Relation): Promise<TableInfo | undefined> {
    const key = `${relation.schema}.${relation.name}`;
    let info = this.#tables.get(key);
    if (!info) {
      info = await tableInfo(this.hub.ctx.pool, relation.schema, relation.name);
      if (info) this.#tables.set(key, info);
    }
    return info;
  }

  async #selectableColumns(relation: Relation, role: string): Promise<Set<string>> {
    const key = `${relation.schema}.${relation.name}|${role}`;
    let columns = this.#selectable.get(key);
    if (!columns) {
      try {
        const { rows } = await this.hub.ctx.pool.query<{ name: string }>(
          `select a.attname as name from pg_attribute a
            where a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass and a.attnum > 0 and not a.attisdropped
              and has_column_privilege($3, a.attrelid, a.attnum, 'SELECT')`,
          [relation.schema, relation.name, role],
        );
        columns = new Set(rows.map((row) => row.name));
      } catch {
        columns = new Set();
      }
      this.#selectable.set(key, columns);
    }
    return columns;
  }

  async dispatch(change: RowChange, commit: Commit): Promise<void> {
    const { committedAt } = commit;
    const targets: { channel: ChannelPort; subscriptions: PgSubscription[] }[] = [];
    for (const channel of this.hub.allChannels()) {
      const subscriptions = channel.pgActive.filter(({ params }) => {
        const schemaMatches = params.schema === '*' || params.schema === change.relation.schema;
        const tableMatches = params.table === '*' || params.table === change.relation.name;
        return schemaMatches && tableMatches && (params.event === '*' || params.event === change.kind);
      });
      if (subscriptions.length > 0) targets.push({ channel, subscriptions });
    }
    if (targets.length === 0) return;
    const info = await this.#table(change.relation);
    if (!info) return;

    const filters = new Map<string, ColumnFilter>();
    for (const { subscriptions } of targets) {
      for (const { params } of subscriptions)
        for (const filter of params.filters) filters.set(filterKey(filter), filter);
    }
    const evaluated = await this.#evaluate(change, info, [...filters.values()]);
    const commitTimestamp = new Date(Number(committedAt / 1000n)).toISOString();
    const primaryKey = info.columns.filter((c) => c.isPrimaryKey);

    const visibility = new Map<string, Promise<boolean>>();
    let committed: Promise<void> | undefined;
    const visibleTo = (claims: Claims): Promise<boolean> => {
      if (!info.rowSecurity || change.kind === 'DELETE' || primaryKey.length === 0) return Promise.resolve(true);
      const key = JSON.stringify(claims);
      let verdict = visibility.get(key);
      if (!verdict) {
        // The RLS check reads the row: it must run once the commit is visible to other sessions.
        committed ??= this.#awaitVisible(commit.xid);
        verdict = committed.then(() => this.#rowVisible(change, primaryKey, claims));
        visibility.set(key, verdict);
      }
      return verdict;
    };

    for (const { channel, subscriptions } of targets) {
      const ids = subscriptions
        .filter(({ params }) => params.filters.every((filter) => evaluated.checks.get(filterKey(filter)) === true))
        .map(({ id }) => id);
      if (ids.length === 0) continue;
      const claims = channel.claims;
      if (!(await visibleTo(claims))) continue;
      const selectable = await this.#selectableColumns(change.relation, claims.role);
      const data = buildData(change, info, selectable, evaluated, commitTimestamp);
      if (channel.closed) continue;
      if (channel.push('postgres_changes', { ids: [...new Set(ids)], data }, null, null)) {
        this.hub.ctx.metrics.deliveryLatency.observe(Math.max(0, Date.now() / 1000 - Number(committedAt) / 1e6));
      }
    }
  }

  /** One query: both tuples as JSON with PostgreSQL's own casts, and every distinct filter's verdict. */
  async #evaluate(change: RowChange, info: TableInfo, filters: ColumnFilter[]) {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const tupleSql = (tuple: TupleValues, allColumns: boolean) => {
      const columns = info.columns.filter((c) => allColumns || tuple[c.name] !== undefined);
      if (columns.length === 0) return 'select';
      return `select ${columns.map((c) => `${param(tuple[c.name] ?? null)}::${c.type} as ${quoteIdent(c.name)}`).join(', ')}`;
    };
    const target = change.kind === 'DELETE' ? change.old : change.new;
    const parts = [
      change.new ? `(select to_jsonb(n) from (${tupleSql(change.new, false)}) n) as record` : 'null::jsonb as record',
      change.old
        ? `(select to_jsonb(o) from (${tupleSql(change.old, false)}) o) as old_record`
        : 'null::jsonb as old_record',
    ];
    if (filters.length > 0 && target) {
      const checks = filters.map((filter) => {
        const column = info.columns.find((c) => c.name === filter.column);
        if (!column) return 'false';
        const valueParam = param(filter.value);
        return `coalesce(${filterSql(filter, `f.${quoteIdent(column.name)}`, valueParam, column.type)}, false)`;
      });
      parts.push(`(select array[${checks.join(', ')}] from (${tupleSql(target, true)}) f) as checks`);
    }
    const { rows } = await this.hub.ctx.pool.query<{
      record: Record<string, unknown> | null;
      old_record: Record<string, unknown> | null;
      checks?: boolean[];
    }>(`select ${parts.join(', ')}`, params);
    const row = rows[0]!;
    const checks = new Map<string, boolean>();
    filters.forEach((filter, index) => checks.set(filterKey(filter), row.checks?.[index] === true));
    return { record: row.record, oldRecord: row.old_record, checks };
  }

  async #awaitVisible(xid: number): Promise<void> {
    if (this.#visibleXid === xid) return;
    await awaitCommitVisible(this.hub.ctx.pool, xid);
    this.#visibleXid = xid;
  }

  /** `select exists(…)` as the subscriber, in a rolled-back transaction on its own pooled connection. */
  async #rowVisible(change: RowChange, primaryKey: ColumnInfo[], claims: Claims): Promise<boolean> {
    const tuple = change.new ?? change.old;
    if (!tuple) return false;
    let client: pg.PoolClient;
    try {
      client = await this.hub.ctx.pool.connect();
    } catch {
      return false;
    }
    let broken = false;
    try {
      await client.query('begin');
      await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
        claims.role,
        JSON.stringify(claims),
      ]);
      const where = primaryKey
        .map((column, index) => `${quoteIdent(column.name)} = $${index + 1}::${column.type}`)
        .join(' and ');
      const { rows } = await client.query<{ visible: boolean }>(
        `select exists(select 1 from ${quoteIdent(change.relation.schema)}.${quoteIdent(change.relation.name)} where ${where}) as visible`,
        primaryKey.map((column) => tuple[column.name] ?? null),
      );
      return rows[0]?.visible === true;
    } catch (error) {
      if (!(error as { code?: string }).code) broken = true;
      return false;
    } finally {
      if (!broken) await client.query('rollback').catch(() => (broken = true));
      client.release(broken);
    }
  }
}

function filterKey(filter: ColumnFilter): string {
  return JSON.stringify([filter.column, filter.operator, filter.negated, filter.value]);
}

function pick(record: Record<string, unknown> | null, names: Iterable<string>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  if (!record) return picked;
  for (const name of names) if (name in record) picked[name] = record[name];
  return picked;
}

/** The `data` of a `postgres_changes` frame (§5.3), reduced to what the subscriber's role may select. */
function buildData(
  change: RowChange,
  info: TableInfo,
  selectable: Set<string>,
  evaluated: { record: Record<string, unknown> | null; oldRecord: Record<string, unknown> | null },
  commitTimestamp: string,
): Record<string, unknown> {
  const visibleColumns = info.columns.filter((c) => selectable.has(c.name));
  const names = visibleColumns.map((c) => c.name);
  const primaryKey = info.columns.filter((c) => c.isPrimaryKey);
  let errors: string[] | null = null;
  if (primaryKey.length === 0 && change.kind !== 'DELETE') errors = ['Error 400: Bad Request, no primary key'];
  else if (primaryKey.some((c) => !selectable.has(c.name))) errors = ['Error 401: Unauthorized'];
  const data: Record<string, unknown> = {
    schema: change.relation.schema,
    table: change.relation.name,
    commit_timestamp: commitTimestamp,
    type: change.kind,
    columns: visibleColumns.map((c) => ({ name: c.name, type: c.typname })),
  };
  if (change.kind !== 'DELETE')
    data['record'] = errors?.[0]?.startsWith('Error 401') ? {} : pick(evaluated.record, names);
  if (change.kind !== 'INSERT') {
    // With RLS a DELETE only reveals the primary key.
    const oldNames =
      change.kind === 'DELETE' && info.rowSecurity
        ? primaryKey.map((c) => c.name).filter((n) => selectable.has(n))
        : names;
    data['old_record'] = pick(evaluated.oldRecord, oldNames);
  }
  data['errors'] = errors;
  return data;
}
