-- Local-only stand-in for the `storage` schema every Supabase project has before its first
-- migration (Supabase Storage creates it): buckets, objects with row level security, and the path
-- helpers policies use. Never a migration; applySchema runs it after bootstrap.sql, idempotently.
-- The local Storage API (supabase/local/storage/) reads and writes these rows as the caller's role.

do $$
begin
  -- Owns storage.objects so that `postgres`, its only member, can manage that table's policies
  -- (as on a hosted project, where postgres writes storage policies in migrations).
  if not exists (select from pg_roles where rolname = 'storage_objects_owner') then
    begin
      create role storage_objects_owner nologin noinherit;
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
  if not pg_has_role('postgres', 'storage_objects_owner', 'member') then
    grant storage_objects_owner to postgres;
  end if;
end
$$;

set local role supabase_admin;

create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role, postgres;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  owner_id text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  type text not null default 'STANDARD'
);
create unique index if not exists bname on storage.buckets (name);
alter table storage.buckets enable row level security;
grant all on storage.buckets to anon, authenticated, service_role, postgres;

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
alter table storage.objects owner to storage_objects_owner;
-- No policies by default: every API role is denied until a migration adds some.
alter table storage.objects enable row level security;
grant all on storage.objects to anon, authenticated, service_role, postgres;

-- Same definitions as Supabase Storage's migrations (storage.foldername / filename / extension).
create or replace function storage.foldername(name text)
returns text[]
language plpgsql
immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text)
returns text
language plpgsql
immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text)
returns text
language plpgsql
immutable
as $$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to anon, authenticated, service_role, postgres;
