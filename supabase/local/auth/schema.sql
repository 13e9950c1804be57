-- Tables the local Auth service needs beyond those in supabase/local/bootstrap.sql, applied by the
-- service itself when it starts (idempotent). Shape from supabase/auth migrations
-- (20221003041349_add_mfa_schema.up.sql): the authentication methods of each session, which
-- become the `amr` claim of its access tokens.
create table if not exists auth.mfa_amr_claims (
  session_id uuid not null references auth.sessions (id) on delete cascade,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  authentication_method text not null,
  id uuid not null primary key,
  constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method)
);

do $$
begin
  if exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    alter table auth.mfa_amr_claims owner to supabase_auth_admin;
  end if;
  alter table auth.mfa_amr_claims enable row level security;
end
$$;
