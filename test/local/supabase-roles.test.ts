/**
 * The local bootstrap is as strict as a hosted project: `postgres` (which runs the migrations) is
 * not a superuser and may not change Supabase's own auth and realtime objects — except the
 * policies of realtime.messages — and realtime.messages is partitioned by day.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { applySchema, roleUrl } from '../../supabase/local/db.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

async function sqlState(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/**
 * On a server whose bootstrap superuser is itself named postgres (initdb -U postgres, given by
 * DATABASE_URL) PostgreSQL cannot demote it, so these checks do not apply there.
 */
async function postgresIsBootstrapSuperuser(): Promise<boolean> {
  const client = new pg.Client({ connectionString: process.env['PASABAY_TEST_SERVER_URL'] });
  await client.connect();
  try {
    return (await client.query(`select 1 from pg_roles where oid = 10 and rolname = 'postgres'`)).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe(
  'hosted Supabase roles and ownership',
  {
    skip: (await postgresIsBootstrapSuperuser()) && "the server's bootstrap superuser is named postgres",
  },
  () => {
    let database: TestDatabase;
    let admin: pg.Pool;
    let asPostgres: pg.Pool;

    before(async () => {
      database = await createTestDatabase();
      admin = new pg.Pool({ connectionString: database.url, max: 2 });
      // A real login as postgres, as the Supabase CLI connects for `db push`.
      asPostgres = new pg.Pool({ connectionString: roleUrl(database.url, 'postgres'), max: 2 });
    });

    after(async () => {
      await admin?.end();
      await asPostgres?.end();
      await database?.drop();
    });

    it('has the roles of a hosted project with their attributes and memberships', async () => {
      const { rows } = await admin.query<Record<string, unknown>>(`
      select rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls
      from pg_roles where rolname in ('supabase_admin', 'postgres', 'authenticator', 'anon', 'authenticated',
                                      'service_role', 'supabase_auth_admin', 'supabase_realtime_admin')
      order by rolname`);
      const byName = Object.fromEntries(rows.map((row) => [row['rolname'], row]));
      assert.equal(byName['supabase_admin']!['rolsuper'], true);
      assert.deepEqual(byName['postgres'], {
        rolname: 'postgres',
        rolsuper: false,
        rolinherit: true,
        rolcreaterole: true,
        rolcreatedb: true,
        rolcanlogin: true,
        rolreplication: true,
        rolbypassrls: true,
      });
      assert.equal(byName['authenticator']!['rolsuper'], false);
      assert.equal(byName['authenticator']!['rolinherit'], false);
      assert.equal(byName['authenticator']!['rolcanlogin'], true);
      assert.equal(byName['service_role']!['rolbypassrls'], true);
      for (const role of ['anon', 'authenticated', 'service_role']) assert.equal(byName[role]!['rolcanlogin'], false);

      const { rows: members } = await admin.query<{ role: string; member: string }>(`
      select r.rolname as role, m.rolname as member from pg_auth_members a
      join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member
      where m.rolname in ('authenticator', 'postgres')`);
      const memberships = (member: string) =>
        members
          .filter((row) => row.member === member)
          .map((row) => row.role)
          .sort();
      assert.deepEqual(memberships('authenticator'), ['anon', 'authenticated', 'service_role']);
      assert.ok(!memberships('postgres').includes('supabase_auth_admin'));
      assert.ok(!memberships('postgres').includes('supabase_realtime_admin'));

      const owners = await admin.query<{ nspname: string; owner: string }>(
        `select nspname, pg_get_userbyid(nspowner) as owner from pg_namespace where nspname in ('auth', 'realtime') order by 1`,
      );
      assert.deepEqual(owners.rows, [
        { nspname: 'auth', owner: 'supabase_admin' },
        { nspname: 'realtime', owner: 'supabase_admin' },
      ]);
      const current = await asPostgres.query<{ superuser: string }>(
        `select current_setting('is_superuser') as superuser`,
      );
      assert.equal(current.rows[0]!.superuser, 'off');
    });

    it('has RLS on auth.users, auth.sessions, auth.refresh_tokens and auth.identities', async () => {
      const { rows } = await admin.query<{ relname: string; relrowsecurity: boolean }>(`
      select relname, relrowsecurity from pg_class
      where relnamespace = 'auth'::regnamespace and relname in ('users', 'sessions', 'refresh_tokens', 'identities')
      order by relname`);
      assert.deepEqual(
        rows.map((row) => [row.relname, row.relrowsecurity]),
        [
          ['identities', true],
          ['refresh_tokens', true],
          ['sessions', true],
          ['users', true],
        ],
      );
      // service_role bypasses RLS; authenticated has no grant on auth tables at all.
      const client = await admin.connect();
      try {
        await client.query('begin');
        await client.query(`set local role authenticated`);
        assert.equal(await sqlState(client.query('select count(*) from auth.users')), '42501');
      } finally {
        await client.query('rollback');
        client.release();
      }
    });

    it('refuses, as postgres, an index on realtime.messages, a column on auth.users and functions in auth or realtime', async () => {
      const refused = [
        'create index messages_topic_idx on realtime.messages (topic)',
        'alter table auth.users add column nickname text',
        'create function auth.nickname() returns text language sql as $$ select null::text $$',
        'create function realtime.nickname() returns text language sql as $$ select null::text $$',
        'alter table realtime.messages disable row level security',
        'alter table realtime.messages add column note text',
        'alter table realtime.messages owner to postgres',
        'drop table realtime.messages',
        'create table realtime.mine (id int)',
        'create index users_nickname_idx on auth.users (email)',
        'drop function realtime.topic()',
      ];
      for (const statement of refused) {
        const client = await asPostgres.connect();
        try {
          await client.query('begin');
          assert.equal(await sqlState(client.query(statement)), '42501', statement);
        } finally {
          await client.query('rollback');
          client.release();
        }
      }
    });

    it('lets postgres create, alter and drop policies on realtime.messages, and a trigger on auth.users', async () => {
      const client = await asPostgres.connect();
      try {
        await client.query('begin');
        await client.query(
          `create policy "test readers" on realtime.messages for select to authenticated using (false)`,
        );
        await client.query(`alter policy "test readers" on realtime.messages using (true)`);
        await client.query(`drop policy "test readers" on realtime.messages`);
        await client.query(
          `create function public.noop_trigger() returns trigger language plpgsql as $$ begin return new; end $$`,
        );
        await client.query(
          `create trigger noop after insert on auth.users for each row execute function public.noop_trigger()`,
        );
      } finally {
        await client.query('rollback');
        client.release();
      }
    });

    it('applies migrations as postgres: one touching realtime the way hosted Supabase refuses fails, a policy applies', async () => {
      const folder = await mkdtemp(path.join(tmpdir(), 'pasabay-migrations-'));
      try {
        await writeFile(
          path.join(folder, '20990101000000_policy.sql'),
          `create policy "migration policy" on realtime.messages for select to authenticated using (false);`,
        );
        await applySchema(database.url, { migrationsDir: folder });
        const policy = await admin.query(`select 1 from pg_policies where policyname = 'migration policy'`);
        assert.equal(policy.rowCount, 1);
        const owner = await admin.query<{ owner: string }>(
          `select pg_get_userbyid(relowner) as owner from pg_class where oid = 'public.messages'::regclass`,
        );
        assert.equal(owner.rows[0]!.owner, 'postgres', 'the shipped migrations ran as postgres');

        for (const [name, sql] of [
          ['index', 'create index messages_topic_idx on realtime.messages (topic);'],
          ['column', 'alter table auth.users add column nickname text;'],
          ['auth_function', 'create function auth.nickname() returns text language sql as $$ select null::text $$;'],
          [
            'realtime_function',
            'create function realtime.nick() returns text language sql as $$ select null::text $$;',
          ],
        ]) {
          const file = path.join(folder, `20990102000000_${name}.sql`);
          await writeFile(file, sql!);
          await assert.rejects(applySchema(database.url, { migrationsDir: folder }), /SQLSTATE 42501/, name);
          await rm(file);
        }
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('partitions realtime.messages by day ahead of time and drops partitions past retention', async () => {
      const { rows } = await admin.query<{ relname: string }>(`
      select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'realtime.messages'::regclass order by 1`);
      const today = new Date();
      const day = (offset: number) => {
        const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset));
        return `messages_${date.toISOString().slice(0, 10).replaceAll('-', '_')}`;
      };
      const names = rows.map((row) => row.relname);
      // The template was built at most minutes ago: its partitions reach at least two days ahead.
      for (const offset of [0, 1, 2]) assert.ok(names.includes(day(offset)), `${day(offset)} in ${names.join(', ')}`);

      await admin.query(
        `create table realtime.messages_2000_01_01 partition of realtime.messages for values from ('2000-01-01') to ('2000-01-02')`,
      );
      await admin.query(`select pasabay_local.maintain_message_partitions()`);
      assert.equal((await admin.query(`select to_regclass('realtime.messages_2000_01_01') as r`)).rows[0].r, null);
      assert.notEqual((await admin.query(`select to_regclass('realtime.${day(3)}') as r`)).rows[0].r, null);
    });

    it('realtime.send only warns when no partition takes the row, and the caller commits', async () => {
      const client = await admin.connect();
      const notices: string[] = [];
      client.on('notice', (notice) => notices.push(`${notice.severity}: ${notice.message}`));
      try {
        await client.query('begin');
        // Today's partition gone (inside this transaction only).
        const today = await client.query<{ name: string }>(`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'realtime.messages'::regclass
          and to_date(substr(c.relname, 10), 'YYYY_MM_DD') = (now() at time zone 'utc')::date`);
        await client.query(`alter table realtime.messages detach partition realtime.${today.rows[0]!.name}`);
        await client.query(`set local role postgres`);
        await client.query(`select realtime.send('{"x":1}'::jsonb, 'e', 'topic:missing', true)`);
        await client.query(`select 1`);
        assert.ok(
          notices.some((n) =>
            /^WARNING: WarnSendingBroadcastMessage: no partition of relation "messages" found for row/.test(n),
          ),
          notices.join('\n'),
        );
      } finally {
        await client.query('rollback');
        client.release();
      }
    });
  },
);
