-- Local-only stand-in for the objects every Supabase project already has before its first
-- migration runs: API roles, the `extensions` schema, `auth` (users + JWT helpers), `realtime`
-- (messages, topic/send/broadcast_changes) and the two publications. Never a migration.
--
-- Sources (definitions copied so behaviour matches, not just shape):
--   supabase/postgres migrations/db/init-scripts/00000000000000-initial-schema.sql (roles, grants)
--   supabase/postgres migrations/db/migrations/20230529180330_alter_api_roles_for_inherit.sql
--   supabase/auth migrations (auth.users columns, auth.uid/role/email/jwt)
--   supabase/realtime priv/repo/tenant_schema/realtime/** (messages, topic, send, broadcast_changes)
--
-- Idempotent: applySchema runs it on every start. Roles live in the cluster, not the database,
-- so each role change first checks the catalog and is skipped when already in place; that keeps
-- reruns (and test databases bootstrapped side by side on one server) from touching shared rows.

-- ── Roles (cluster-wide) ────────────────────────────────────────────────────────────────────
-- As on a hosted project: `supabase_admin` is the superuser that owns the `auth` and `realtime`
-- schemas; `postgres`, which runs the migrations, is not a superuser (CREATEROLE, CREATEDB,
-- REPLICATION, BYPASSRLS) and is no member of supabase_auth_admin or supabase_realtime_admin.
-- A server whose bootstrap superuser is itself named `postgres` (initdb -U postgres) cannot demote
-- it: `postgres` stays a superuser there and only the DDL guard below holds its migrations back.
do $$
declare
  api_role text;
begin
  if not exists (select from pg_roles where rolname = 'supabase_admin') then
    begin
      -- Same password as the Supabase CLI's local stack, for every login role below.
      create role supabase_admin superuser createdb createrole replication bypassrls login password 'postgres';
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent bootstrap of another database on this server
    end;
  end if;

  if not exists (select from pg_roles where rolname = 'postgres') then
    begin
      create role postgres login createrole createdb replication bypassrls password 'postgres';
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
  -- oid 10 is the cluster's bootstrap superuser, which PostgreSQL never lets go of SUPERUSER.
  if exists (select from pg_roles where rolname = 'postgres' and rolsuper and oid <> 10) then
    alter role postgres nosuperuser;
  end if;
  if exists (select from pg_roles where rolname = 'postgres'
             and not (rolcreaterole and rolcreatedb and rolreplication and rolbypassrls and rolcanlogin)) then
    alter role postgres login createrole createdb replication bypassrls;
  end if;

  foreach api_role in array array['anon', 'authenticated', 'service_role', 'supabase_realtime_admin',
                                  -- Owns realtime.messages so that `postgres`, its only member, can
                                  -- manage the policies of that one table (supautils policy_grants).
                                  'realtime_messages_owner'] loop
    if not exists (select from pg_roles where rolname = api_role) then
      begin
        execute format('create role %I nologin noinherit', api_role);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;

  -- GoTrue logs in as supabase_auth_admin; the local Auth service does too.
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    begin
      create role supabase_auth_admin login noinherit createrole password 'postgres';
    exception when duplicate_object or unique_violation then
      null;
    end;
  elsif exists (select from pg_roles where rolname = 'supabase_auth_admin' and not rolcanlogin) then
    alter role supabase_auth_admin login createrole password 'postgres';
  end if;

  if not exists (select from pg_roles where rolname = 'authenticator') then
    begin
      create role authenticator login noinherit password 'postgres';
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;

  -- 20230529180330_alter_api_roles_for_inherit: the API roles inherit, authenticator does not.
  foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
    if exists (select from pg_roles where rolname = api_role and not rolinherit) then
      execute format('alter role %I inherit', api_role);
    end if;
  end loop;
  if exists (select from pg_roles where rolname = 'service_role' and not rolbypassrls) then
    alter role service_role bypassrls;
  end if;
  if exists (select from pg_roles where rolname = 'authenticator' and rolinherit) then
    alter role authenticator noinherit;
  end if;

  foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
    -- PostgREST's connection role switches to these (SET ROLE), and only to these.
    if not pg_has_role('authenticator', api_role, 'member') then
      execute format('grant %I to authenticator', api_role);
    end if;
    -- supabase_realtime_admin checks channel policies as the API roles.
    if not pg_has_role('supabase_realtime_admin', api_role, 'member') then
      execute format('grant %I to supabase_realtime_admin', api_role);
    end if;
    if not pg_has_role('postgres', api_role, 'member') then
      execute format('grant %I to postgres', api_role);
    end if;
  end loop;
  if not pg_has_role('postgres', 'realtime_messages_owner', 'member') then
    grant realtime_messages_owner to postgres;
  end if;
  -- Revoked on hosted projects (20250421084701_revoke_admin_roles_from_postgres).
  foreach api_role in array array['supabase_auth_admin', 'supabase_realtime_admin'] loop
    if exists (select from pg_auth_members m
               where m.roleid = (select oid from pg_roles where rolname = api_role)
                 and m.member = (select oid from pg_roles where rolname = 'postgres')) then
      execute format('revoke %I from postgres', api_role);
    end if;
  end loop;
end
$$;

-- Everything below is created by (and so owned by) supabase_admin, as on a hosted project.
set local role supabase_admin;

-- Role settings, written only when different so reruns leave the shared catalog alone.
do $$
declare
  wanted record;
begin
  for wanted in
    select * from (values
      ('anon', 'statement_timeout', '3s'),
      ('authenticated', 'statement_timeout', '8s'),
      ('authenticator', 'statement_timeout', '8s'),
      ('authenticator', 'lock_timeout', '8s'),
      ('authenticator', 'search_path', '"$user", public, extensions'),
      ('postgres', 'search_path', '"$user", public, extensions'),
      ('supabase_admin', 'search_path', '"$user", public, extensions'),
      (session_user::text, 'search_path', '"$user", public, extensions')
    ) as setting(role_name, name, value)
  loop
    if not exists (
      select
      from pg_db_role_setting s
      join pg_roles r on r.oid = s.setrole
      where r.rolname = wanted.role_name
        and s.setdatabase = 0
        and format('%s=%s', wanted.name, wanted.value) = any (s.setconfig)
    ) then
      execute format('alter role %I set %I = %s', wanted.role_name, wanted.name,
                     case when wanted.name = 'search_path' then wanted.value else quote_literal(wanted.value) end);
    end if;
  end loop;
end
$$;

-- ── Schemas, extensions, default privileges ─────────────────────────────────────────────────
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

grant usage on schema public to anon, authenticated, service_role;
grant usage on schema extensions to anon, authenticated, service_role;
-- `postgres` owns what the migrations create in public (PostgreSQL 15+ gives PUBLIC no CREATE there).
grant usage, create on schema public to postgres;
grant usage, create on schema extensions to postgres;
-- The local Auth service hashes passwords with pgcrypto (GoTrue does it in Go).
grant usage on schema extensions to supabase_auth_admin;

-- What makes a freshly created public table reachable by the API roles (RLS then narrows it).
-- Supabase sets these for postgres and supabase_admin; the connecting superuser gets them too,
-- for tables a test creates directly.
do $$
declare
  owner_role text;
begin
  foreach owner_role in array array[session_user::text, 'postgres', 'supabase_admin'] loop
    if exists (select from pg_roles where rolname = owner_role) then
      execute format('alter default privileges for role %I in schema public grant all on tables to anon, authenticated, service_role', owner_role);
      execute format('alter default privileges for role %I in schema public grant all on functions to anon, authenticated, service_role', owner_role);
      execute format('alter default privileges for role %I in schema public grant all on sequences to anon, authenticated, service_role', owner_role);
    end if;
  end loop;
end
$$;

-- ── auth ────────────────────────────────────────────────────────────────────────────────────
create schema if not exists auth;
alter schema auth owner to supabase_admin;
grant usage on schema auth to anon, authenticated, service_role, postgres;
-- GoTrue creates its tables in auth as supabase_auth_admin.
grant usage, create on schema auth to supabase_auth_admin;

create table if not exists auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0 check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower(email::text));
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);

-- GoTrue's session bookkeeping, for the local Auth service (shapes from supabase/auth migrations).
create table if not exists auth.identities (
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text generated always as (lower(identity_data ->> 'email')) stored,
  id uuid not null default gen_random_uuid() primary key,
  constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

create table if not exists auth.sessions (
  id uuid not null primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz,
  updated_at timestamptz,
  factor_id uuid,
  not_after timestamptz,
  refreshed_at timestamp without time zone,
  user_agent text,
  ip inet,
  tag text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);

alter table auth.users owner to supabase_auth_admin;
alter table auth.identities owner to supabase_auth_admin;
alter table auth.sessions owner to supabase_auth_admin;
alter table auth.refresh_tokens owner to supabase_auth_admin;
alter sequence auth.refresh_tokens_id_seq owner to supabase_auth_admin;
-- supabase/auth 20240612123726_enable_rls_update_grants: no API role reads these, even if granted.
alter table auth.users enable row level security;
alter table auth.identities enable row level security;
alter table auth.sessions enable row level security;
alter table auth.refresh_tokens enable row level security;
do $$
begin
  if exists (select from pg_roles where rolname = 'postgres') then
    grant all on all tables in schema auth to postgres;
    grant all on all sequences in schema auth to postgres;
  end if;
end
$$;

-- supabase/auth 20220224000811_update_auth_functions + 20220531120530_add_auth_jwt_function.
create or replace function auth.uid()
returns uuid
language sql stable
as $$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

create or replace function auth.role()
returns text
language sql stable
as $$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

create or replace function auth.email()
returns text
language sql stable
as $$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

create or replace function auth.jwt()
returns jsonb
language sql stable
as $$
  select
    coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;

-- ── realtime ────────────────────────────────────────────────────────────────────────────────
create schema if not exists realtime;
alter schema realtime owner to supabase_admin;
grant usage on schema realtime to anon, authenticated, service_role, postgres, supabase_realtime_admin;

-- Partitioned by day like Supabase's: the stack creates the partitions ahead and drops old ones
-- (pasabay_local.maintain_message_partitions below). A database bootstrapped before this was
-- partitioned keeps its plain table: delete the data folder to get the partitioned one.
create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_payload_exclusive check (payload is null or binary_payload is null),
  primary key (id, inserted_at)
) partition by range (inserted_at);
create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic) where extension = 'broadcast' and private is true;
alter table realtime.messages owner to realtime_messages_owner;
-- No policies by default: every API role is denied until a migration adds some.
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
grant all on realtime.messages to postgres, supabase_realtime_admin;

create or replace function realtime.topic()
returns text
language sql
stable
as $$
select nullif(current_setting('realtime.topic', true), '')::text;
$$;

create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();

    -- Check if payload has an 'id' key, if not, add the generated UUID
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;

    -- Set the topic configuration
    execute format('SET LOCAL realtime.topic TO %L', topic);

    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
begin
  begin
    generated_id := gen_random_uuid();

    execute format('SET LOCAL realtime.topic TO %L', topic);

    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (generated_id, payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
)
returns void
language plpgsql
as $$
declare
  -- Declare a variable to hold the JSONB representation of the row
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  -- Check the operation type and handle accordingly
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object('old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema);
    perform realtime.send (row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

alter function realtime.topic() owner to supabase_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_admin;
alter function realtime.send_binary(bytea, text, text, boolean) owner to supabase_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_admin;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- ── Publications ────────────────────────────────────────────────────────────────────────────
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime; -- empty: migrations add the tables they stream
  end if;
  -- Migrations (as postgres) add their tables to it.
  alter publication supabase_realtime owner to postgres;
  -- Realtime itself creates this one to stream Broadcast-from-Database rows.
  -- Changes of the daily partitions are published as changes of realtime.messages itself (hosted
  -- Realtime adds each partition instead; the rows and their delivery are the same).
  if not exists (select from pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication for table realtime.messages
      with (publish_via_partition_root = true);
  elsif not (select pubviaroot from pg_publication where pubname = 'supabase_realtime_messages_publication') then
    alter publication supabase_realtime_messages_publication set (publish_via_partition_root = true);
  end if;
end
$$;

-- ── Local machinery (no counterpart a migration could see on a hosted project) ──────────────
create schema if not exists pasabay_local;
alter schema pasabay_local owner to supabase_admin;
revoke all on schema pasabay_local from public;

-- Realtime's partition upkeep: daily partitions messages_YYYY_MM_DD from yesterday to
-- `days_ahead` days on (UTC days), and those older than `days_kept` days dropped.
create or replace function pasabay_local.maintain_message_partitions(days_ahead integer default 3, days_kept integer default 3)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  today date := (now() at time zone 'utc')::date;
  day date;
  partition record;
begin
  if (select relkind from pg_class where oid = 'realtime.messages'::regclass) <> 'p' then
    return; -- a plain table from an older bootstrap
  end if;
  for day in select generate_series(today - 1, today + days_ahead, interval '1 day')::date loop
    if to_regclass(format('realtime.messages_%s', to_char(day, 'YYYY_MM_DD'))) is null then
      execute format('create table realtime.%I partition of realtime.messages for values from (%L) to (%L)',
                     'messages_' || to_char(day, 'YYYY_MM_DD'), day, day + 1);
    end if;
  end loop;
  for partition in
    select c.relname
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass
      and c.relname ~ '^messages_\d{4}_\d{2}_\d{2}$'
      and to_date(substr(c.relname, 10), 'YYYY_MM_DD') < today - days_kept
  loop
    execute format('drop table realtime.%I', partition.relname);
  end loop;
end
$$;
revoke all on function pasabay_local.maintain_message_partitions(integer, integer) from public;
select pasabay_local.maintain_message_partitions();

-- Stands in for supautils: `postgres` may manage the policies of realtime.messages (through its
-- membership in realtime_messages_owner) but no other DDL on objects of the auth and realtime
-- schemas. Ownership already refuses most of it (postgres owns nothing there and has no CREATE on
-- either schema); this guard refuses the rest (e.g. an index on realtime.messages) and holds a
-- `postgres` that is still a superuser (a server whose bootstrap superuser is named postgres).
create or replace function pasabay_local.guard_supabase_schemas()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  command record;
begin
  if current_user in ('supabase_admin', 'supabase_auth_admin', 'supabase_realtime_admin')
     or (current_user <> 'postgres' and (select rolsuper from pg_catalog.pg_roles where rolname = current_user)) then
    return;
  end if;
  if tg_event = 'sql_drop' then
    for command in select * from pg_catalog.pg_event_trigger_dropped_objects() loop
      if command.schema_name in ('auth', 'realtime') and command.original
         and not (command.object_type = 'policy' and command.object_identity like '% on realtime.messages')
         and command.object_type <> 'trigger' then
        raise exception 'must be owner of % %', command.object_type, command.object_identity
          using errcode = '42501';
      end if;
    end loop;
    return;
  end if;
  for command in select * from pg_catalog.pg_event_trigger_ddl_commands() loop
    if command.schema_name in ('auth', 'realtime')
       and not (command.command_tag in ('CREATE POLICY', 'ALTER POLICY')
                and command.object_identity like '% on realtime.messages')
       -- Triggers are a privilege (TRIGGER), which postgres holds on the auth tables.
       and command.command_tag not in ('CREATE TRIGGER', 'ALTER TRIGGER') then
      raise exception 'must be owner of % %', command.object_type, command.object_identity
        using errcode = '42501';
    end if;
  end loop;
end
$$;
revoke all on function pasabay_local.guard_supabase_schemas() from public;

do $$
begin
  if not exists (select from pg_event_trigger where evtname = 'pasabay_guard_supabase_schemas') then
    create event trigger pasabay_guard_supabase_schemas on ddl_command_end
      execute function pasabay_local.guard_supabase_schemas();
  end if;
  if not exists (select from pg_event_trigger where evtname = 'pasabay_guard_supabase_schemas_drop') then
    create event trigger pasabay_guard_supabase_schemas_drop on sql_drop
      execute function pasabay_local.guard_supabase_schemas();
  end if;
end
$$;
