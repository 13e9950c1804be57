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
do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated', 'service_role',
                                  'supabase_auth_admin', 'supabase_realtime_admin'] loop
    if not exists (select from pg_roles where rolname = api_role) then
      begin
        execute format('create role %I nologin noinherit', api_role);
      exception when duplicate_object or unique_violation then
        null; -- created by a concurrent bootstrap of another database on this server
      end;
    end if;
  end loop;

  if not exists (select from pg_roles where rolname = 'authenticator') then
    begin
      -- Same password as the Supabase CLI's local stack.
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

  foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_has_role('authenticator', api_role, 'member') then
      execute format('grant %I to authenticator', api_role);
    end if;
    -- supabase_realtime_admin checks channel policies as the API roles.
    if not pg_has_role('supabase_realtime_admin', api_role, 'member') then
      execute format('grant %I to supabase_realtime_admin', api_role);
    end if;
  end loop;
end
$$;

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
      (current_user::text, 'search_path', '"$user", public, extensions')
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

-- What makes a freshly created public table reachable by the API roles (RLS then narrows it).
-- Supabase sets these for postgres and supabase_admin; locally migrations run as the connecting
-- superuser, so they are set for that role too.
do $$
declare
  owner_role text;
begin
  foreach owner_role in array array[current_user::text, 'postgres'] loop
    if exists (select from pg_roles where rolname = owner_role) then
      execute format('alter default privileges for role %I in schema public grant all on tables to anon, authenticated, service_role', owner_role);
      execute format('alter default privileges for role %I in schema public grant all on functions to anon, authenticated, service_role', owner_role);
      execute format('alter default privileges for role %I in schema public grant all on sequences to anon, authenticated, service_role', owner_role);
    end if;
  end loop;
end
$$;

-- ── auth ────────────────────────────────────────────────────────────────────────────────────
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

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
create schema if not exists realtime authorization supabase_realtime_admin;
grant usage on schema realtime to anon, authenticated, service_role;

-- Supabase partitions this table by day (Realtime manages the partitions); columns, defaults,
-- constraint, key, RLS and grants are the same here, without partitions.
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
);
create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic) where extension = 'broadcast' and private is true;
alter table realtime.messages owner to supabase_realtime_admin;
-- No policies by default: every API role is denied until a migration adds some.
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
do $$
begin
  if exists (select from pg_roles where rolname = 'postgres') then
    grant usage on schema realtime to postgres;
    grant all on realtime.messages to postgres;
  end if;
end
$$;

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

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.send_binary(bytea, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_realtime_admin;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- ── Publications ────────────────────────────────────────────────────────────────────────────
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime; -- empty: migrations add the tables they stream
  end if;
  -- Realtime itself creates this one to stream Broadcast-from-Database rows.
  if not exists (select from pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication for table realtime.messages;
  end if;
end
$$;
