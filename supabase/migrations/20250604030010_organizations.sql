-- Organisations and their members (role member or admin). Members read their organisation and
-- its member list; admins add, promote, demote and remove members; a member may leave. Nothing
-- else is open to clients: organisations themselves are created, renamed and deleted by the host
-- app's backend (service_role). The `org:<id>` Realtime topic (next migration) is for members only.

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint organizations_name_length check (char_length(btrim(name)) between 1 and 200)
);

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null default 'member',
  joined_at timestamptz not null default now(),
  primary key (organization_id, user_id),
  constraint organization_members_role check (role in ('member', 'admin'))
);

create index organization_members_user_id_idx on public.organization_members (user_id);

comment on table public.organizations is 'A team whose members see who of them is online (Realtime topic org:<id>).';
comment on table public.organization_members is 'Who belongs to an organisation, and who administers its membership.';

create trigger organizations_touch_updated_at
  before update on public.organizations
  for each row execute function public.touch_updated_at();

-- Used by the policies below and by realtime_topic_allows(); security definer so the policy on
-- organization_members does not recurse into itself. They only answer about the caller.
create or replace function public.is_organization_member(organization_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members om
    where om.organization_id = is_organization_member.organization_id
      and om.user_id = (select auth.uid())
  )
$$;

create or replace function public.is_organization_admin(organization_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members om
    where om.organization_id = is_organization_admin.organization_id
      and om.user_id = (select auth.uid())
      and om.role = 'admin'
  )
$$;

comment on function public.is_organization_member(uuid) is 'True when the caller belongs to the organisation.';
comment on function public.is_organization_admin(uuid) is 'True when the caller administers the organisation.';

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;

create policy "Members can read their organisations"
  on public.organizations for select
  to authenticated
  using ((select public.is_organization_member(id)));

create policy "Members can see who else is in their organisations"
  on public.organization_members for select
  to authenticated
  using ((select public.is_organization_member(organization_id)));

-- Adding someone shows them every member and their presence, so the admin must be able to reach
-- them, as for every other way of adding a person (can_reach, 20250602000300).
create policy "Admins can add people they can reach to their organisations"
  on public.organization_members for insert
  to authenticated
  with check ((select public.is_organization_admin(organization_id)) and (select public.can_reach(user_id)));

create policy "Admins can change roles in their organisations"
  on public.organization_members for update
  to authenticated
  using ((select public.is_organization_admin(organization_id)))
  with check ((select public.is_organization_admin(organization_id)));

create policy "Members can leave and admins can remove members"
  on public.organization_members for delete
  to authenticated
  using (user_id = (select auth.uid()) or (select public.is_organization_admin(organization_id)));

-- Clients name who and which role; the join time is the database's. Only the role changes later.
revoke insert, update, delete on public.organizations from anon, authenticated;
revoke insert, update on public.organization_members from anon, authenticated;
revoke delete on public.organization_members from anon;
grant insert (organization_id, user_id, role) on public.organization_members to authenticated;
grant update (role) on public.organization_members to authenticated;
revoke truncate, references, trigger on public.organizations from anon, authenticated;
revoke truncate, references, trigger on public.organization_members from anon, authenticated;

-- An organisation keeps at least one admin: otherwise nobody but the backend could manage it.
-- Checked after each statement made as an API role (the `role` setting PostgREST and Realtime
-- set; current_user is the owner inside this security definer function, which must see every
-- member); the backend (service_role) and cascades from a deleted organisation are exempt.
create or replace function public.keep_an_organization_admin()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if coalesce(current_setting('role', true), '') not in ('anon', 'authenticated') then
    return null;
  end if;
  if not exists (select 1 from public.organizations o where o.id = old.organization_id) then
    return null;
  end if;
  if not exists (
    select 1 from public.organization_members om
    where om.organization_id = old.organization_id and om.role = 'admin'
  ) then
    raise exception 'An organisation needs at least one admin: make someone else admin first.'
      using errcode = '23514';
  end if;
  return null;
end;
$$;

comment on function public.keep_an_organization_admin() is 'Refuses a client change that leaves an organisation without an admin.';

create constraint trigger organization_members_keep_an_admin
  after update or delete on public.organization_members
  deferrable initially immediate
  for each row
  when (old.role = 'admin')
  execute function public.keep_an_organization_admin();
