-- RPCs that create conversations with their members, and mark a conversation read.
-- security definer: clients cannot insert conversations or members directly; every function
-- checks the caller itself.

create or replace function public.require_caller()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null then
    raise exception 'Sign in first' using errcode = '42501';
  end if;
  return caller;
end;
$$;

comment on function public.require_caller() is 'The caller''s user id, or error 42501 when not signed in.';

create or replace function public.require_known_users(user_ids uuid[])
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  unknown uuid;
begin
  select u into unknown
  from unnest(coalesce(user_ids, '{}')) as u
  where u is null or not exists (select 1 from public.profiles p where p.id = u)
  limit 1;
  if found then
    raise exception 'Unknown user id: %', coalesce(unknown::text, 'null') using errcode = '23503';
  end if;
end;
$$;

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
  perform public.require_known_users(array[other_user_id]);

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
  perform public.require_known_users(member_ids);

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

create or replace function public.get_or_create_conversation(
  external_ref text,
  member_ids uuid[] default '{}',
  title text default null,
  kind text default 'group'
)
returns public.conversations
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  ref text := get_or_create_conversation.external_ref;
  wanted_kind text := coalesce(get_or_create_conversation.kind, 'group');
  clean_title text := nullif(btrim(get_or_create_conversation.title), '');
  others uuid[];
  existing public.conversations;
begin
  if ref is null or ref !~ '^[A-Za-z0-9][A-Za-z0-9:_./-]{0,199}$' then
    raise exception 'external_ref must be 1 to 200 characters of letters, digits and : _ . / - starting with a letter or digit'
      using errcode = '22023';
  end if;
  if wanted_kind not in ('direct', 'group') then
    raise exception 'kind must be direct or group' using errcode = '22023';
  end if;
  if clean_title is not null and char_length(clean_title) > 200 then
    raise exception 'title must be at most 200 characters' using errcode = '22023';
  end if;
  perform public.require_known_users(member_ids);
  others := array(select distinct m from unnest(coalesce(member_ids, '{}')) as m where m <> caller);
  if wanted_kind = 'direct' and cardinality(others) <> 1 then
    raise exception 'A direct conversation needs exactly one other member' using errcode = '22023';
  end if;

  -- Serialise per external_ref so simultaneous first calls create one conversation.
  perform pg_advisory_xact_lock(hashtextextended('pasabay.external_ref:' || ref, 0));

  select c.* into existing from public.conversations c where c.external_ref = ref;
  if found then
    if exists (select 1 from public.conversation_members m where m.conversation_id = existing.id and m.user_id = caller) then
      return existing;
    end if;
    raise exception 'Not a member of the conversation for this external_ref' using errcode = '42501';
  end if;

  insert into public.conversations (kind, title, external_ref, created_by)
  values (wanted_kind, clean_title, ref, caller)
  returning * into existing;
  insert into public.conversation_members (conversation_id, user_id, role)
  select existing.id, caller, 'owner'
  union
  select existing.id, m, 'member' from unnest(others) as m;
  return existing;
end;
$$;

create or replace function public.mark_conversation_read(conversation_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
begin
  update public.conversation_members cm
  set last_read_at = now(), unread_count = 0
  where cm.conversation_id = mark_conversation_read.conversation_id and cm.user_id = caller;
  if not found then
    raise exception 'Not a member of this conversation' using errcode = '42501';
  end if;
end;
$$;

comment on function public.start_direct_conversation(uuid) is 'Returns the direct conversation between the caller and another user, creating it once.';
comment on function public.create_group_conversation(text, uuid[]) is 'Creates a group owned by the caller with the given members.';
comment on function public.get_or_create_conversation(text, uuid[], text, text) is 'The conversation for a host app''s external_ref: returned to members, created when missing, refused (42501) to others.';
comment on function public.mark_conversation_read(uuid) is 'Sets the caller''s last_read_at to now and unread_count to 0.';

-- Internal helpers are not an API.
revoke execute on function public.require_known_users(uuid[]) from public, anon, authenticated;
