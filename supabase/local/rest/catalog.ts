/**
 * The REST service's schema cache: tables, their columns and primary keys, and functions, read
 * from PostgreSQL's own catalog. Types come from `format_type()`, so casts written from them are
 * catalog text, never request text. Entries are re-read when a request names something the cache
 * does not know, so tables and functions created after start (tests, migrations) are found
 * without PostgREST's `NOTIFY pgrst` reload.
 */
import type pg from 'pg';

export interface ColumnInfo {
  name: string;
  type: string;
  generated: boolean;
}

export interface TableInfo {
  schema: string;
  name: string;
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
}

export interface FunctionArg {
  name: string;
  type: string;
  hasDefault: boolean;
  variadic: boolean;
}

export interface FunctionInfo {
  schema: string;
  name: string;
  args: FunctionArg[];
  returnsSet: boolean;
  returns: 'void' | 'scalar' | 'composite' | 'record';
  /** Result columns when `returns` is composite (table row type, OUT/TABLE parameters). */
  resultColumns: Map<string, ColumnInfo>;
  readOnly: boolean;
}

interface TableRow {
  attname: string | null;
  type: string | null;
  generated: boolean | null;
  pk: boolean | null;
}

interface FunctionRow {
  args: { name: string | null; type: string; mode: string }[];
  nargdefaults: number;
  retset: boolean;
  provolatile: string;
  returns_void: boolean;
  rettype_kind: string;
  rettype_relid: number;
  returns_record: boolean;
}

export class SchemaCache {
  readonly #pool: pg.Pool;
  readonly #tables = new Map<string, TableInfo>();
  readonly #functions = new Map<string, FunctionInfo[]>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** The table or view, or undefined. `refresh` re-reads the catalog (a column may have been added). */
  async table(schema: string, name: string, refresh = false): Promise<TableInfo | undefined> {
    const key = `${schema}.${name}`;
    if (!refresh && this.#tables.has(key)) return this.#tables.get(key);
    const { rows } = await this.#pool.query<TableRow>(
      `select a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attgenerated <> '' as generated,
              coalesce(a.attnum = any(i.indkey), false) as pk
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         left join pg_index i on i.indrelid = c.oid and i.indisprimary
        where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'v', 'm', 'f', 'p')
        order by a.attnum`,
      [schema, name],
    );
    if (rows.length === 0) {
      this.#tables.delete(key);
      return undefined;
    }
    const columns = new Map<string, ColumnInfo>();
    const primaryKey: string[] = [];
    for (const row of rows) {
      if (!row.attname || !row.type) continue;
      columns.set(row.attname, { name: row.attname, type: row.type, generated: !!row.generated });
      if (row.pk) primaryKey.push(row.attname);
    }
    const info: TableInfo = { schema, name, columns, primaryKey };
    this.#tables.set(key, info);
    return info;
  }

  /** All overloads of a function (plain functions only, not procedures or aggregates). */
  async functions(schema: string, name: string, refresh = false): Promise<FunctionInfo[]> {
    const key = `${schema}.${name}`;
    const cached = this.#functions.get(key);
    if (!refresh && cached && cached.length > 0) return cached;
    const { rows } = await this.#pool.query<FunctionRow>(
      `select
         (select coalesce(json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null), 'mode', coalesce(a.mode, 'i')) order by a.ord), '[]'::json)
            from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames, p.proargmodes::text[])
                 with ordinality as a(type, name, mode, ord)) as args,
         p.pronargdefaults as nargdefaults, p.proretset as retset, p.provolatile,
         p.prorettype = 'void'::regtype as returns_void,
         t.typtype as rettype_kind, t.typrelid::int as rettype_relid,
         p.prorettype = 'record'::regtype as returns_record
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
       join pg_type t on t.oid = p.prorettype
      where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'`,
      [schema, name],
    );
    const infos: FunctionInfo[] = [];
    for (const row of rows) {
      const inputs = row.args.filter((arg) => arg.mode === 'i' || arg.mode === 'b' || arg.mode === 'v');
      const outputs = row.args.filter((arg) => arg.mode === 'o' || arg.mode === 'b' || arg.mode === 't');
      const firstDefault = inputs.length - row.nargdefaults;
      let returns: FunctionInfo['returns'];
      const resultColumns = new Map<string, ColumnInfo>();
      if (row.returns_void) returns = 'void';
      else if (row.rettype_kind === 'c') {
        returns = 'composite';
        const { rows: attributes } = await this.#pool.query<{ attname: string; type: string }>(
          `select attname, format_type(atttypid, atttypmod) as type from pg_attribute
            where attrelid = $1 and attnum > 0 and not attisdropped order by attnum`,
          [row.rettype_relid],
        );
        for (const attribute of attributes)
          resultColumns.set(attribute.attname, { name: attribute.attname, type: attribute.type, generated: false });
      } else if (row.returns_record && outputs.length > 0) {
        returns = 'composite';
        for (const output of outputs)
          if (output.name) resultColumns.set(output.name, { name: output.name, type: output.type, generated: false });
      } else if (row.returns_record) returns = 'record';
      else returns = 'scalar';
      infos.push({
        schema,
        name,
        args: inputs.map((arg, index) => ({
          name: arg.name ?? '',
          type: arg.type,
          hasDefault: index >= firstDefault,
          variadic: arg.mode === 'v',
        })),
        returnsSet: row.retset,
        returns,
        resultColumns,
        readOnly: row.provolatile === 'i' || row.provolatile === 's',
      });
    }
    this.#functions.set(key, infos);
    return infos;
  }
}
