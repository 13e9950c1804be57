/**
 * Postgres Changes: subscriptions validated against publication `supabase_realtime`, and each
 * decoded row change turned into Realtime's `postgres_changes` frame for every subscriber whose
 * filters match and who may see the row under RLS. Like `realtime.apply_rls`, one query per change
 * checks every distinct subscriber claims (`select exists(select 1 from <table> where <pk> = …)` as
 * each one's role and claims). Values are JSON-typed by PostgreSQL itself (`to_jsonb(value::type)`,
 * as `realtime.cast`).
 */
import type pg from 'pg';
import type { Claims } from '../keys.js';
import { awaitCommitVisible } from './commit-visibility.js';
import {
  cannotMatch,
  describeSubscription,
  filterSql,
  FilterError,
  parseSubscriptionParams,
  type ColumnFilter,
  type SubscriptionParams,
} from './filters.js';
import type { Hub } from './hub.js';
import type { ChannelPort, PgSubscription } from './ports.js';
import { sharedPayload } from './serializer.js';

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

/**
 * The RLS check of one change for all its subscribers in one round trip, as Realtime's
 * `realtime.apply_rls` does: a function loops over the distinct claims, switches to each one's role
 * and claims, and runs the primary-key look-up under RLS, all inside one subtransaction that is
 * always rolled back (a policy that writes leaves nothing). When a check raises, the checks are redone
 * each in its own subtransaction, so the error counts as "not visible" for that subscriber alone. Not SECURITY DEFINER: changing the role is
 * refused there; the realtime pool's login role may take any role, as Realtime's own.
 */
const VISIBILITY_FUNCTION = 'pasabay_local.realtime_rows_visible';
const VISIBILITY_FUNCTION_SQL = `
create or replace function ${VISIBILITY_FUNCTION}(target regclass, key_condition text, key_values text[], roles text[], claims text[])
returns boolean[]
language plpgsql
as $$
declare
  total int := coalesce(array_length(roles, 1), 0);
  verdicts boolean[] := array_fill(false, array[total]);
  visible boolean;
  query text := format('select exists(select 1 from %s where %s)', target, key_condition);
  -- One prepared plan per check query and connection, as realtime.apply_rls prepares its
  -- walrus_rls_stmt: a dynamic EXECUTE would parse, rewrite and plan the RLS-expanded query anew
  -- for every subscriber. PostgreSQL replans it by itself when the role or the table changes.
  plan_name text := 'pasabay_rls_' || md5(query);
  -- The key as a literal: EXECUTE (the SQL command) takes no parameters from plpgsql's USING.
  run text := format('execute %I(%L)', plan_name, key_values);
begin
  if not exists (select from pg_prepared_statements where name = plan_name) then
    execute format('prepare %I(text[]) as %s', plan_name, query);
  end if;
  -- Fast path: every check in one subtransaction, rolled back at the end (plpgsql variables
  -- survive the rollback). Per-check subtransactions cost about as much as the checks themselves.
  begin
    for i in 1 .. total loop
      perform set_config('role', roles[i], true), set_config('request.jwt.claims', claims[i], true);
      execute run into visible;
      verdicts[i] := coalesce(visible, false);
    end loop;
    raise sqlstate 'PBRLS';
  exception
    when sqlstate 'PBRLS' then return verdicts;
    when others then null;
  end;
  -- A check raised: redo them one by one so the error counts against that subscriber alone.
  for i in 1 .. total loop
    begin
      perform set_config('role', roles[i], true), set_config('request.jwt.claims', claims[i], true);
      execute run into visible;
      verdicts[i] := coalesce(visible, false);
      raise sqlstate 'PBRLS';
    exception
      when sqlstate 'PBRLS' then null;
      when others then verdicts[i] := false;
    end;
  end loop;
  return verdicts;
end
$$;
revoke all on function ${VISIBILITY_FUNCTION}(regclass, text, text[], text[], text[]) from public`;

/**
 * Whether a change's visibility is checked by reading its row under each subscriber's RLS: not for
 * a table without row security or primary key, nor for a DELETE (the row is gone; Realtime sends
 * its key to every subscriber, as Supabase's does).
 */
function readsRowUnderRls(change: RowChange, info: TableInfo): boolean {
  return info.rowSecurity && change.kind !== 'DELETE' && info.columns.some((c) => c.isPrimaryKey);
}

/** Changes whose RLS checks and frames are prepared at the same time; delivery stays in order per channel. */
const MAX_CHANGES_IN_FLIGHT = 4;
/** Attempts for a change whose queries failed for want of a connection (not an SQL verdict). */
const DELIVERY_ATTEMPTS = 3;

interface Target {
  channel: ChannelPort;
  subscriptions: PgSubscription[];
}

/** A frame per channel that may see the change (channels missing from the map get nothing). */
type Frame = Readonly<{ ids: number[]; data: Record<string, unknown> }>;
type Frames = Map<ChannelPort, Frame>;

function isSqlError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Turns decoded row changes into frames. Each channel receives its changes in commit order, but a
 * change is only ever held up by earlier changes of the same channels: the RLS checks of several
 * changes run side by side, so a conversation with many members does not delay an unrelated one.
 */
export class PostgresChangesDispatcher {
  readonly #tables = new Map<string, TableInfo>();
  readonly #selectable = new Map<string, Set<string>>();
  /** Per channel, the delivery of its latest change; later ones chain on it. */
  readonly #deliveries = new Map<ChannelPort, Promise<void>>();
  /** Commit visibility waits of recent transactions: all changes of one share a wait. */
  readonly #visible = new Map<number, Promise<void>>();
  #inFlight = 0;
  readonly #slotWaiters: (() => void)[] = [];
  #functionReady: Promise<void> | undefined;

  constructor(readonly hub: Hub) {}

  /** A Relation message means the table may have changed shape. */
  forget(relation: Relation): void {
    const prefix = `${relation.schema}.${relation.name}`;
    this.#tables.delete(prefix);
    for (const key of this.#selectable.keys()) if (key.startsWith(`${prefix}|`)) this.#selectable.delete(key);
  }

  /** Settles once every change handed to dispatch so far is delivered (or reported failed). */
  async idle(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.all([...this.#deliveries.values()]);
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

  /** Columns each role may select, looked up in one query for all the roles not cached yet. */
  async #selectableColumns(relation: Relation, roles: string[]): Promise<Map<string, Set<string>>> {
    const prefix = `${relation.schema}.${relation.name}|`;
    const missing = roles.filter((role) => !this.#selectable.has(prefix + role));
    if (missing.length > 0) {
      const { rows } = await this.hub.ctx.pool.query<{ role: string; names: string[] }>(
        `select r.role, coalesce(array_agg(a.attname::text order by a.attnum) filter (
                  where exists (select from pg_roles where rolname = r.role)
                    and has_column_privilege(r.role, a.attrelid, a.attnum, 'SELECT')), '{}'::text[]) as names
           from unnest($3::text[]) as r(role)
           left join pg_attribute a
             on a.attrelid = to_regclass(quote_ident($1) || '.' || quote_ident($2)) and a.attnum > 0 and not a.attisdropped
          group by r.role`,
        [relation.schema, relation.name, missing],
      );
      // A role that does not exist may select nothing (has_column_privilege would raise).
      for (const role of missing) this.#selectable.set(prefix + role, new Set());
      for (const row of rows) this.#selectable.set(prefix + row.role, new Set(row.names));
    }
    return new Map(roles.map((role) => [role, this.#selectable.get(prefix + role)!]));
  }

  /**
   * Schedules the change for its subscribers and returns once it is under way; returns later when
   * MAX_CHANGES_IN_FLIGHT changes are already being prepared (backpressure on the replication feed).
   */
  async dispatch(change: RowChange, commit: Commit): Promise<void> {
    const targets: Target[] = [];
    for (const channel of this.hub.allChannels()) {
      const subscriptions = channel.pgActive.filter(({ params }) => {
        const schemaMatches = params.schema === '*' || params.schema === change.relation.schema;
        const tableMatches = params.table === '*' || params.table === change.relation.name;
        return (
          schemaMatches &&
          tableMatches &&
          (params.event === '*' || params.event === change.kind) &&
          !certainlyFiltersOut(params.filters, change)
        );
      });
      if (subscriptions.length > 0) targets.push({ channel, subscriptions });
    }
    if (targets.length === 0) return;
    await this.#acquireSlot();
    const frames = this.#framesWithRetry(change, commit, targets).finally(() => this.#releaseSlot());
    for (const { channel } of targets) {
      const previous = this.#deliveries.get(channel) ?? Promise.resolve();
      const delivery = previous
        .then(() => frames)
        .then(
          (ready) => this.#deliver(channel, ready, commit),
          (error: unknown) => this.#reportFailure(channel, change, toError(error)),
        )
        .catch((error: unknown) => {
          this.hub.ctx.metrics.errors.inc({ service: 'realtime' });
          console.error('[realtime] postgres_changes delivery failed:', error);
        });
      this.#deliveries.set(channel, delivery);
      void delivery.then(() => {
        if (this.#deliveries.get(channel) === delivery) this.#deliveries.delete(channel);
      });
    }
    // The failure is reported per channel above; this only keeps the rejection handled.
    frames.catch(() => undefined);
  }

  async #acquireSlot(): Promise<void> {
    while (this.#inFlight >= MAX_CHANGES_IN_FLIGHT)
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    this.#inFlight += 1;
  }

  #releaseSlot(): void {
    this.#inFlight -= 1;
    this.#slotWaiters.shift()?.();
  }

  #deliver(channel: ChannelPort, frames: Frames, commit: Commit): void {
    const frame = frames.get(channel);
    if (!frame || channel.closed) return;
    if (channel.push('postgres_changes', frame, null, null)) {
      this.hub.ctx.metrics.deliveryLatency.observe(Math.max(0, Date.now() / 1000 - Number(commit.committedAt) / 1e6));
    }
  }

  /** Failures already logged: one line per change, however many channels it was owed to. */
  readonly #loggedFailures = new WeakSet<Error>();

  #reportFailure(channel: ChannelPort, change: RowChange, error: Error): void {
    // A channel gone meanwhile (the socket left, the server is shutting down) was owed nothing.
    if (channel.closed) return;
    if (!this.#loggedFailures.has(error)) {
      this.#loggedFailures.add(error);
      this.hub.ctx.metrics.errors.inc({ service: 'realtime' });
      console.error(
        `[realtime] postgres_changes: a ${change.kind} on ${change.relation.schema}.${change.relation.name} could not be delivered:`,
        sqlErrorMessage(error),
      );
    }
    channel.systemMessage(
      'postgres_changes',
      'error',
      `Unable to deliver a change of ${change.relation.schema}.${change.relation.name}`,
    );
  }

  /** A change is never dropped for want of a connection: failures other than SQL verdicts are retried. */
  async #framesWithRetry(change: RowChange, commit: Commit, targets: Target[]): Promise<Frames> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#frames(change, commit, targets);
      } catch (error) {
        if (isSqlError(error) || attempt >= DELIVERY_ATTEMPTS) throw toError(error);
        await sleep(50 * attempt);
      }
    }
  }

  async #frames(change: RowChange, commit: Commit, targets: Target[]): Promise<Frames> {
    const frames: Frames = new Map();
    const info = await this.#table(change.relation);
    if (!info) return frames;
    // The wait for the commit to be visible and the filters' evaluation are independent: side by
    // side, one database round trip less before the RLS check (#visibility awaits the same wait).
    if (readsRowUnderRls(change, info)) this.#awaitVisible(commit.xid).catch(() => undefined);

    const filters = new Map<string, ColumnFilter>();
    for (const { subscriptions } of targets) {
      for (const { params } of subscriptions)
        for (const filter of params.filters) filters.set(filterKey(filter), filter);
    }
    const evaluated = await this.#evaluate(change, info, [...filters.values()]);
    const matching: { channel: ChannelPort; ids: number[] }[] = [];
    for (const { channel, subscriptions } of targets) {
      const ids = subscriptions
        .filter(({ params }) => params.filters.every((filter) => evaluated.checks.get(filterKey(filter)) === true))
        .map(({ id }) => id);
      if (ids.length > 0) matching.push({ channel, ids: [...new Set(ids)] });
    }
    if (matching.length === 0) return frames;

    const claimsOf = new Map<string, Claims>();
    for (const { channel } of matching) claimsOf.set(JSON.stringify(channel.claims), channel.claims);
    const [verdicts, selectable] = await Promise.all([
      this.#visibility(change, commit, info, [...claimsOf.values()]),
      this.#selectableColumns(change.relation, [...new Set([...claimsOf.values()].map((claims) => claims.role))]),
    ]);
    const commitTimestamp = new Date(Number(commit.committedAt / 1000n)).toISOString();
    // Subscribers with the same role and bindings get the same payload, encoded once for all of them.
    const dataByRole = new Map<string, Record<string, unknown>>();
    const payloads = new Map<string, Frame>();
    for (const { channel, ids } of matching) {
      const claims = channel.claims;
      if (!verdicts.get(JSON.stringify(claims))) continue;
      const payloadKey = JSON.stringify([claims.role, ids]);
      let payload = payloads.get(payloadKey);
      if (!payload) {
        let data = dataByRole.get(claims.role);
        if (!data) {
          data = buildData(change, info, selectable.get(claims.role)!, evaluated, commitTimestamp);
          dataByRole.set(claims.role, data);
        }
        payload = sharedPayload({ ids, data });
        payloads.set(payloadKey, payload);
      }
      frames.set(channel, payload);
    }
    return frames;
  }

  /** Verdict per claims JSON: one round trip for all of them. */
  async #visibility(
    change: RowChange,
    commit: Commit,
    info: TableInfo,
    claims: Claims[],
  ): Promise<Map<string, boolean>> {
    const keys = claims.map((c) => JSON.stringify(c));
    const primaryKey = info.columns.filter((c) => c.isPrimaryKey);
    const tuple = change.new ?? change.old;
    if (!readsRowUnderRls(change, info)) return new Map(keys.map((key) => [key, true]));
    if (!tuple) return new Map(keys.map((key) => [key, false]));
    // The check reads the row: it must run once the commit is visible to other sessions.
    await this.#awaitVisible(commit.xid);
    await this.#ensureVisibilityFunction();
    const keyCondition = primaryKey
      .map((column, index) => `${quoteIdent(column.name)} = $1[${index + 1}]::${column.type}`)
      .join(' and ');
    const { rows } = await this.hub.ctx.pool.query<{ verdicts: boolean[] }>(
      `select ${VISIBILITY_FUNCTION}($1::regclass, $2, $3, $4, $5) as verdicts`,
      [
        `${quoteIdent(change.relation.schema)}.${quoteIdent(change.relation.name)}`,
        keyCondition,
        primaryKey.map((column) => tuple[column.name] ?? null),
        claims.map((c) => c.role),
        keys,
      ],
    );
    const verdicts = rows[0]?.verdicts ?? [];
    return new Map(keys.map((key, index) => [key, verdicts[index] === true]));
  }

  #ensureVisibilityFunction(): Promise<void> {
    this.#functionReady ??= this.hub.ctx.pool
      .query(VISIBILITY_FUNCTION_SQL)
      .then(() => undefined)
      .catch((error: unknown) => {
        this.#functionReady = undefined;
        throw error;
      });
    return this.#functionReady;
  }

  /**
   * One query: both tuples as JSON with PostgreSQL's own casts, and every distinct filter's verdict.
   * `to_jsonb(n.*)`, not `to_jsonb(n)`: a table with a column named `n` made the latter that column.
   */
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
      change.new ? `(select to_jsonb(n.*) from (${tupleSql(change.new, false)}) n) as record` : 'null::jsonb as record',
      change.old
        ? `(select to_jsonb(o.*) from (${tupleSql(change.old, false)}) o) as old_record`
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

  #awaitVisible(xid: number): Promise<void> {
    let wait = this.#visible.get(xid);
    if (!wait) {
      wait = awaitCommitVisible(this.hub.ctx.pool, xid);
      this.#visible.set(xid, wait);
      // Keep the waits of the last few transactions only.
      if (this.#visible.size > 16) this.#visible.delete(this.#visible.keys().next().value!);
      wait.catch(() => this.#visible.delete(xid));
    }
    return wait;
  }
}

/**
 * A subscription whose filter certainly rejects the change is no target: its channel's later
 * changes must not wait for this one's RLS checks (a 300-member conversation's change held up
 * every subscriber of the table, since they all filter on the same table).
 */
function certainlyFiltersOut(filters: ColumnFilter[], change: RowChange): boolean {
  const tuple = change.kind === 'DELETE' ? change.old : change.new;
  if (!tuple || filters.length === 0) return false;
  return filters.some((filter) => {
    const column = change.relation.columns.find((c) => c.name === filter.column);
    return column !== undefined && cannotMatch(filter, tuple[filter.column], column.typeOid);
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
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
