/**
 * The TypeScript table types in src/connection/database.types.ts against the live schema the
 * migrations build: same tables, same columns, same nullability, compatible types, and the same
 * RPC names and argument names (optional exactly where SQL has a default).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import ts from 'typescript';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const TYPES_FILE = new URL('../../src/connection/database.types.ts', import.meta.url);

interface TsField {
  name: string;
  type: string;
  optional: boolean;
}

/** Reads `Database.public.Tables` / `.Functions` and the Row interfaces out of the source. */
async function readDeclaredTypes() {
  const source = ts.createSourceFile(
    'database.types.ts',
    await readFile(TYPES_FILE, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const interfaces = new Map<string, TsField[]>();
  const aliases = new Map<string, string>();
  let database: ts.TypeNode | undefined;
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) {
      interfaces.set(
        node.name.text,
        node.members.filter(ts.isPropertySignature).map((member) => field(member)),
      );
    } else if (ts.isTypeAliasDeclaration(node)) {
      aliases.set(node.name.text, node.type.getText(source));
      if (node.name.text === 'Database') database = node.type;
    }
  });
  function field(member: ts.PropertySignature): TsField {
    return {
      name: member.name.getText(source),
      type: member.type?.getText(source) ?? 'unknown',
      optional: !!member.questionToken,
    };
  }
  function property(node: ts.TypeNode | undefined, name: string): ts.TypeNode | undefined {
    if (!node || !ts.isTypeLiteralNode(node)) return undefined;
    const found = node.members.find(
      (m): m is ts.PropertySignature => ts.isPropertySignature(m) && m.name.getText(source) === name,
    );
    return found?.type;
  }
  const schema = property(database, 'public');
  const tables = new Map<string, TsField[]>();
  const tablesNode = property(schema, 'Tables');
  assert.ok(tablesNode && ts.isTypeLiteralNode(tablesNode), 'Database.public.Tables is a type literal');
  for (const member of tablesNode.members.filter(ts.isPropertySignature)) {
    const type = member.type;
    assert.ok(
      type && ts.isTypeReferenceNode(type) && type.typeArguments?.[0],
      `${member.name.getText(source)}: Table<Row, …>`,
    );
    const rowName = type.typeArguments[0]!.getText(source);
    tables.set(member.name.getText(source), interfaces.get(rowName) ?? []);
  }
  const functions = new Map<string, TsField[]>();
  const functionsNode = property(schema, 'Functions');
  assert.ok(functionsNode && ts.isTypeLiteralNode(functionsNode), 'Database.public.Functions is a type literal');
  for (const member of functionsNode.members.filter(ts.isPropertySignature)) {
    const args = property(member.type, 'Args');
    assert.ok(args && ts.isTypeLiteralNode(args), `${member.name.getText(source)}: Args is a type literal`);
    functions.set(
      member.name.getText(source),
      args.members.filter(ts.isPropertySignature).map((m) => field(m)),
    );
  }
  /** A type name resolved through the file's own aliases ('MeetingStatus' → "'scheduled' | …"). */
  const resolve = (type: string) =>
    type
      .split('|')
      .map((part) => aliases.get(part.trim()) ?? part.trim())
      .join(' | ');
  return { tables, functions, resolve };
}

/** What supabase-js hands back for a PostgreSQL type, as `supabase gen types` writes it. */
function expectedTsType(udt: string): RegExp {
  if (['uuid', 'text', 'varchar', 'timestamptz', 'timestamp', 'date'].includes(udt))
    return /^(string|'[^']*'( \| '[^']*')*)$/;
  if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(udt)) return /^number$/;
  if (udt === 'bool') return /^boolean$/;
  if (udt === 'jsonb' || udt === 'json') return /^Json$/;
  if (udt.startsWith('_')) return /\[\]$/;
  return /^$/;
}

describe('database.types.ts', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let declared: Awaited<ReturnType<typeof readDeclaredTypes>>;

  before(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    declared = await readDeclaredTypes();
  });

  after(async () => {
    await db?.end();
    await database?.drop();
  });

  it('declares exactly the tables of the public schema', async () => {
    const { rows } = await db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    );
    assert.deepEqual(
      [...declared.tables.keys()].sort(),
      rows.map((r) => r.table_name),
    );
  });

  it('declares every column with its nullability and a compatible type', async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string; is_nullable: string; udt_name: string }>(
      `select table_name, column_name, is_nullable, udt_name from information_schema.columns
        where table_schema = 'public' order by table_name, ordinal_position`,
    );
    const mismatches: string[] = [];
    for (const [table, fields] of declared.tables) {
      const columns = rows.filter((r) => r.table_name === table);
      const names = (list: { name?: string; column_name?: string }[]) =>
        list.map((c) => c.name ?? c.column_name).sort();
      if (names(fields).join() !== names(columns).join()) {
        mismatches.push(`${table}: TS has [${names(fields)}], SQL has [${names(columns)}]`);
        continue;
      }
      for (const column of columns) {
        const field = fields.find((f) => f.name === column.column_name)!;
        const parts = declared.resolve(field.type).split(' | ');
        const nullable = parts.includes('null');
        if (nullable !== (column.is_nullable === 'YES')) {
          mismatches.push(
            `${table}.${column.column_name}: TS nullable ${nullable}, SQL nullable ${column.is_nullable}`,
          );
        }
        const base = parts.filter((p) => p !== 'null').join(' | ');
        if (!expectedTsType(column.udt_name).test(base)) {
          mismatches.push(`${table}.${column.column_name}: TS ${base} for SQL ${column.udt_name}`);
        }
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('declares the string unions of the check constraints exactly', async () => {
    const { rows } = await db.query<{ table_name: string; definition: string }>(
      `select c.conrelid::regclass::text as table_name, pg_get_constraintdef(c.oid) as definition
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = 'public' and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%ANY%ARRAY%'`,
    );
    const mismatches: string[] = [];
    for (const row of rows) {
      const column = row.definition.match(/\(\(?(\w+)\)?\s*=\s*ANY/)?.[1];
      const allowed = [...row.definition.matchAll(/'([^']*)'::text/g)].map((m) => m[1]).sort();
      const table = row.table_name.replace(/^public\./, '');
      const field = declared.tables.get(table)?.find((f) => f.name === column);
      if (!column || !field) continue;
      const declaredValues = declared
        .resolve(field.type)
        .split(' | ')
        .filter((p) => p !== 'null')
        .map((p) => p.replace(/^'|'$/g, ''))
        .sort();
      if (declaredValues.join() !== allowed.join())
        mismatches.push(`${table}.${column}: TS [${declaredValues}] SQL [${allowed}]`);
    }
    assert.deepEqual(mismatches, []);
  });

  it('declares each RPC with its SQL argument names, optional exactly where SQL has a default', async () => {
    const mismatches: string[] = [];
    for (const [name, args] of declared.functions) {
      // Input arguments only: the columns of a `returns table (…)` are OUT arguments.
      const { rows } = await db.query<{ args: string[] | null; defaults: number }>(
        `select array(
                  select a.name from unnest(p.proargnames, coalesce(p.proargmodes, array_fill('i'::"char", array[cardinality(p.proargnames)])))
                    with ordinality as a(name, mode, n)
                  where a.mode in ('i', 'b', 'v') order by a.n
                ) as args,
                p.pronargdefaults as defaults
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.proname = $1`,
        [name],
      );
      if (rows.length !== 1) {
        mismatches.push(`${name}: ${rows.length} SQL functions`);
        continue;
      }
      const sqlArgs = rows[0]!.args ?? [];
      const optional = new Set(sqlArgs.slice(sqlArgs.length - rows[0]!.defaults));
      if (args.map((a) => a.name).join() !== sqlArgs.join()) {
        mismatches.push(`${name}: TS (${args.map((a) => a.name)}) SQL (${sqlArgs})`);
        continue;
      }
      for (const arg of args) {
        if (arg.optional !== optional.has(arg.name))
          mismatches.push(`${name}.${arg.name}: TS optional ${arg.optional}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});
