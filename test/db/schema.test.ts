/**
 * applySchema: idempotent on an empty database and on one already migrated, the seed once,
 * and a failing migration named with its SQL error and applied not at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applySchema, listMigrations, splitStatements } from '../../supabase/local/db.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('applySchema', () => {
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase({ empty: true });
  });

  after(async () => {
    await database?.drop();
  });

  it('applies bootstrap, every migration and the seed to an empty database, and is a no-op when run again', async () => {
    await applySchema(database.url, { seed: true });
    const snapshot = async () =>
      query(
        database.url,
        `select (select jsonb_agg(version order by version) from supabase_migrations.schema_migrations) as versions,
                (select count(*) from auth.users) as users,
                (select count(*) from public.profiles) as profiles,
                (select count(*) from public.conversations) as conversations,
                (select count(*) from public.conversation_members) as members,
                (select count(*) from public.messages) as messages,
                (select count(*) from public.meeting_participants) as participants,
                (select count(*) from pg_publication_tables where pubname = 'supabase_realtime') as published,
                (select count(*) from pg_policies) as policies`,
      );
    const first = await snapshot();
    await applySchema(database.url, { seed: true });
    await applySchema(database.url);
    assert.deepEqual(await snapshot(), first);

    const migrations = await listMigrations();
    assert.deepEqual(
      first[0]!['versions'],
      migrations.map((migration) => migration.version),
    );
    assert.equal(first[0]!['users'], '3');
    assert.equal(first[0]!['profiles'], '3');
    // messages (Postgres Changes for apps), conversations (the user:<id> channel's changes).
    assert.equal(first[0]!['published'], '2');
  });

  it('records each migration like the Supabase CLI (version, name, statements)', async () => {
    const rows = await query<{ version: string; name: string; statements: string[] }>(
      database.url,
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    );
    const profiles = rows.find((row) => row.name === 'profiles')!;
    assert.ok(profiles.statements.some((statement) => statement.includes('create table public.profiles (')));
    assert.ok(profiles.statements.every((statement) => statement.trim().length > 0));
  });

  it('seeds the demo: three users who can sign in with pasabay-demo, their conversations and the live meeting', async () => {
    const users = await query<{ email: string; display_name: string; password_ok: boolean }>(
      database.url,
      `select u.email, p.display_name, u.encrypted_password = extensions.crypt('pasabay-demo', u.encrypted_password) as password_ok
       from auth.users u join public.profiles p on p.id = u.id order by u.email`,
    );
    assert.deepEqual(users, [
      { email: 'ana@example.com', display_name: 'Ana Cruz', password_ok: true },
      { email: 'carlos@example.com', display_name: 'Carlos Reyes', password_ok: true },
      { email: 'maria@example.com', display_name: 'Maria Santos', password_ok: true },
    ]);
    const conversations = await query<{ id: string; kind: string; title: string | null; members: string }>(
      database.url,
      `select c.id, c.kind, c.title, (select count(*) from public.conversation_members m where m.conversation_id = c.id) as members
       from public.conversations c order by c.id`,
    );
    assert.deepEqual(conversations, [
      { id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', kind: 'direct', title: null, members: '2' },
      { id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', kind: 'group', title: 'Trip to Cebu', members: '3' },
      { id: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', kind: 'meeting', title: 'Weekly sync', members: '3' },
    ]);
    const meeting = await query(
      database.url,
      `select m.title, m.status, m.host_id, (select count(*) from public.meeting_participants p where p.meeting_id = m.id) as participants
       from public.meetings m where m.id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'`,
    );
    assert.deepEqual(meeting, [
      { title: 'Weekly sync', status: 'live', host_id: '11111111-1111-4111-8111-111111111111', participants: '3' },
    ]);
  });

  it('bootstrap matches Supabase: API roles, auth helpers with legacy GUCs, realtime.messages locked by RLS', async () => {
    const roles = await query(
      database.url,
      `select rolname, rolcanlogin, rolinherit, rolbypassrls from pg_roles
       where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`,
    );
    assert.deepEqual(roles, [
      { rolname: 'anon', rolcanlogin: false, rolinherit: true, rolbypassrls: false },
      { rolname: 'authenticated', rolcanlogin: false, rolinherit: true, rolbypassrls: false },
      { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false },
      { rolname: 'service_role', rolcanlogin: false, rolinherit: true, rolbypassrls: true },
    ]);
    const helpers = await query(
      database.url,
      `select set_config('request.jwt.claim.sub', '11111111-1111-4111-8111-111111111111', false),
              set_config('request.jwt.claims', '{"sub":"22222222-2222-4222-8222-222222222222","role":"authenticated","email":"c@example.com"}', false),
              auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'sub' as jwt_sub`,
    );
    // The legacy per-claim setting wins, exactly as in Supabase's definitions.
    assert.equal(helpers[0]!['uid'], '11111111-1111-4111-8111-111111111111');
    assert.equal(helpers[0]!['role'], 'authenticated');
    assert.equal(helpers[0]!['email'], 'c@example.com');
    assert.equal(helpers[0]!['jwt_sub'], '22222222-2222-4222-8222-222222222222');
    const realtime = await query(
      database.url,
      `select relrowsecurity,
              has_table_privilege('authenticated', 'realtime.messages', 'insert') as can_insert,
              has_table_privilege('anon', 'realtime.messages', 'delete') as anon_can_delete
       from pg_class where oid = 'realtime.messages'::regclass`,
    );
    assert.deepEqual(realtime, [{ relrowsecurity: true, can_insert: true, anon_can_delete: false }]);
  });

  describe('a failing migration', () => {
    let folder: string;
    let target: TestDatabase;

    before(async () => {
      folder = await mkdtemp(path.join(tmpdir(), 'pasabay-migrations-'));
      target = await createTestDatabase({ empty: true });
    });

    after(async () => {
      await rm(folder, { recursive: true, force: true });
      await target?.drop();
    });

    it('is named with its SQL error, leaves nothing half-applied, and applies once fixed', async () => {
      await writeFile(path.join(folder, '20990101000000_good.sql'), 'create table public.good (id int primary key);\n');
      await writeFile(
        path.join(folder, '20990101000100_broken.sql'),
        'create table public.half (id int);\n\ninsert into public.nowhere values (1);\n',
      );
      await assert.rejects(applySchema(target.url, { migrationsDir: folder }), (error: Error) => {
        assert.match(error.message, /20990101000100_broken\.sql failed, nothing from it was applied/);
        assert.match(error.message, /relation "public\.nowhere" does not exist \(SQLSTATE 42P01\) at line 3/);
        return true;
      });
      const state = await query(
        target.url,
        `select to_regclass('public.good') is not null as good, to_regclass('public.half') is not null as half,
                (select jsonb_agg(version order by version) from supabase_migrations.schema_migrations) as versions`,
      );
      assert.deepEqual(state, [{ good: true, half: false, versions: ['20990101000000'] }]);

      await writeFile(path.join(folder, '20990101000100_broken.sql'), 'create table public.half (id int);\n');
      await applySchema(target.url, { migrationsDir: folder });
      const fixed = await query(target.url, `select to_regclass('public.half') is not null as half`);
      assert.deepEqual(fixed, [{ half: true }]);
    });
  });

  it('splits statements around quotes, dollar quotes and comments', () => {
    assert.deepEqual(
      splitStatements(`-- lead; comment
select 'a;b' as "x;y"; /* c; /* nested; */ */ create function f() returns int language sql as $fn$ select 1; $fn$;
select $$;$$ ;`),
      [
        `-- lead; comment\nselect 'a;b' as "x;y";`,
        `/* c; /* nested; */ */ create function f() returns int language sql as $fn$ select 1; $fn$;`,
        `select $$;$$ ;`,
      ],
    );
  });
});
