-- Who can see and reach whom. A profile is visible to its owner, to everyone who shares a
-- conversation or a meeting with them, and to all signed-in users when its owner opted in
-- (open_to_contact, e.g. support agents). Naming someone in a new conversation, a group, a
-- meeting invitation or a direct member insert needs public.can_reach(): already sharing a
-- conversation or meeting, the target's open_to_contact, or the host app's hook. Unknown and
-- unreachable ids get the same error, so the answer does not reveal who exists.

alter table public.profiles add column open_to_contact boolean not null default false;

comment on column public.profiles.open_to_contact is 'The user agrees to be found and contacted by any signed-in user (support agents).';

grant update (open_to_contact) on public.profiles to authenticated;

-- Whether the caller shares a conversation or a meeting with another user. Both lookups start
-- from the caller's memberships (user_id index) and probe the other user by primary key, so the
-- cost follows how many conversations and meetings the caller is in, never their history.
-- security definer: it reads memberships the caller's policies would hide; it only answers about
-- the caller.
create or replace function public.shares_with_caller(other_user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.conversation_members mine
    join public.conversation_members theirs
      on theirs.conversation_id = mine.conversation_id and theirs.user_id = shares_with_caller.other_user_id
    where mine.user_id = (select auth.uid())
  ) or exists (
    select 1
    from public.meeting_participants mine
    join public.meeting_participants theirs
      on theirs.meeting_id = mine.meeting_id and theirs.user_id = shares_with_caller.other_user_id
    where mine.user_id = (select auth.uid())
  )
$$;

comment on function public.shares_with_caller(uuid) is 'True when the caller and the user are both in some conversation or meeting.';

drop policy "Signed-in users can read profiles" on public.profiles;

create policy "Users see themselves, the people they share a conversation or meeting with, and those open to contact"
  on public.profiles for select
  to authenticated
  using (id = (select auth.uid()) or open_to_contact or public.shares_with_caller(id));

-- The host app's say, for people its own data connects (a booking's guest and host, a team).
-- Default: no one beyond the built-in rules. A site replaces it in its own migration
-- (create or replace, same signature); it runs as the function owner, called by can_reach().
create or replace function public.pasabay_hook_can_reach(caller uuid, target uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select false
$$;

comment on function public.pasabay_hook_can_reach(uuid, uuid) is 'Host-app hook: may caller start a conversation with target beyond the built-in rules? Replace to extend.';

create or replace function public.can_reach(target uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  target_open boolean;
begin
  if caller is null or target is null then
    return false;
  end if;
  if target = caller then
    return true;
  end if;
  select p.open_to_contact into target_open from public.profiles p where p.id = can_reach.target;
  if not found then
    return false;
  end if;
  return target_open
    or public.shares_with_caller(target)
    or coalesce(public.pasabay_hook_can_reach(caller, target), false);
end;
$$;

comment on function public.can_reach(uuid) is 'Whether the caller may start a conversation with, add or invite this user (false for unknown ids).';

-- Every id must be reachable; the first that is not (or null, or unknown) fails them all alike.
create or replace function public.require_reachable(user_ids uuid[])
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if exists (
    select 1 from unnest(coalesce(user_ids, '{}')) as u
    where u is null or not public.can_reach(u)
  ) then
    raise exception 'You cannot start a conversation with this user' using errcode = '42501';
  end if;
end;
$$;

comment on function public.require_reachable(uuid[]) is 'Error 42501 unless the caller can reach every user given.';

create or replace function public.start_direct_conversation(other_user_id uuid)
returns public.conversations
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  found_conversation public.conversations;
begin
  if other_user_id is null or other_user_id = caller then
    raise exception 'A direct conversation needs another user' using errcode = '22023';
  end if;
  perform public.require_reachable(array[other_user_id]);

  -- Serialise creation for this pair so two simultaneous calls make one conversation.
  perform pg_advisory_xact_lock(hashtextextended(
    'pasabay.direct:' || least(caller, other_user_id)::text || greatest(caller, other_user_id)::text, 0));

  select c.* into found_conversation
  from public.conversations c
  where c.kind = 'direct'
    and exists (select 1 from public.conversation_members m where m.conversation_id = c.id and m.user_id = caller)
    and exists (select 1 from public.conversation_members m where m.conversation_id = c.id and m.user_id = other_user_id)
    and (select count(*) from public.conversation_members m where m.conversation_id = c.id) = 2
  order by c.created_at
  limit 1;
  if found then
    return found_conversation;
  end if;

  insert into public.conversations (kind, created_by)
  values ('direct', caller)
  returning * into found_conversation;
  insert into public.conversation_members (conversation_id, user_id, role)
  values (found_conversation.id, caller, 'owner'), (found_conversation.id, other_user_id, 'member');
  return found_conversation;
end;
$$;

create or replace function public.create_group_conversation(title text, member_ids uuid[])
returns public.conversations
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  clean_title text := nullif(btrim(create_group_conversation.title), '');
  created public.conversations;
begin
  if clean_title is null or char_length(clean_title) > 200 then
    raise exception 'A group needs a title of 1 to 200 characters' using errcode = '22023';
  end if;
  perform public.require_reachable(member_ids);

  insert into public.conversations (kind, title, created_by)
  values ('group', clean_title, caller)
  returning * into created;
  insert into public.conversation_members (conversation_id, user_id, role)
  select created.id, caller, 'owner'
  union
  select distinct created.id, m, 'member' from unnest(coalesce(member_ids, '{}')) as m where m <> caller;
  return created;
end;
$$;

-- security definer now (it was invoker): it checks the host itself, and require_reachable() is
-- not an API. Only meeting_id and user_id are written; the rest are the column defaults.
create or replace function public.invite_to_meeting(meeting_id uuid, user_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
begin
  if not public.is_meeting_host(invite_to_meeting.meeting_id) then
    raise exception 'Only the host can invite to this meeting' using errcode = '42501';
  end if;
  perform public.require_reachable(array(select u from unnest(coalesce(user_ids, '{}')) as u where u is distinct from caller));

  insert into public.meeting_participants (meeting_id, user_id)
  select distinct invite_to_meeting.meeting_id, u
  from unnest(user_ids) as u
  where u <> caller
  on conflict on constraint meeting_participants_pkey do nothing;
end;
$$;

-- Direct inserts by an owner or a host are held to the same rule as the RPCs.
drop policy "Owners can add members to their group conversations" on public.conversation_members;

create policy "Owners can add people they can reach to their group conversations"
  on public.conversation_members for insert
  to authenticated
  with check (
    public.is_conversation_owner(conversation_id)
    and role = 'member'
    and exists (select 1 from public.conversations c where c.id = conversation_id and c.kind = 'group')
    and public.can_reach(user_id)
  );

drop policy "Hosts can invite participants" on public.meeting_participants;

create policy "Hosts can invite people they can reach"
  on public.meeting_participants for insert
  to authenticated
  with check (public.is_meeting_host(meeting_id) and role = 'participant' and public.can_reach(user_id));

-- Internal helpers and hooks are not an API; can_reach() is (an element may ask before offering).
revoke execute on function public.shares_with_caller(uuid) from public, anon;
revoke execute on function public.require_reachable(uuid[]) from public, anon, authenticated;
revoke execute on function public.pasabay_hook_can_reach(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.can_reach(uuid) from public, anon;
grant execute on function public.can_reach(uuid) to authenticated;
grant execute on function public.shares_with_caller(uuid) to authenticated;
