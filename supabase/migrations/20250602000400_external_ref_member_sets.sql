-- external_ref is no longer a global first-come namespace: a ref names one conversation per exact
-- member set. get_or_create_conversation(ref, member_ids) returns the conversation with that ref
-- whose members are exactly {caller} ∪ member_ids, or creates it. Someone who opened the same ref
-- with other people has a different conversation, which is never returned to, nor blocks, the
-- real parties. Existing rows need no change: each keeps resolving for its exact current members.

alter table public.conversations drop constraint conversations_external_ref_key;

-- Lookups go by ref and then compare the (few) candidates' member sets.
create index conversations_external_ref_idx on public.conversations (external_ref) where external_ref is not null;

-- The host app's say over which external_ref conversations may be created, e.g. only the parties
-- of booking:<n>. Default: allowed. A site replaces it in its own migration (same signature); it
-- runs as the function owner, called by get_or_create_conversation().
create or replace function public.pasabay_hook_can_open_external_ref(caller uuid, external_ref text, member_ids uuid[])
returns boolean
language sql
stable
set search_path = ''
as $$
  select true
$$;

comment on function public.pasabay_hook_can_open_external_ref(uuid, text, uuid[]) is 'Host-app hook: may caller create the conversation for external_ref with these other members? Replace to restrict.';

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
  wanted_members uuid[];
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
  others := array(
    select distinct m from unnest(coalesce(get_or_create_conversation.member_ids, '{}')) as m
    where m is distinct from caller order by m
  );
  if wanted_kind = 'direct' and cardinality(others) <> 1 then
    raise exception 'A direct conversation needs exactly one other member' using errcode = '22023';
  end if;
  perform public.require_reachable(others);
  wanted_members := array(select m from unnest(others || caller) as m order by m);

  -- Serialise per external_ref so simultaneous first calls create one conversation per member set.
  perform pg_advisory_xact_lock(hashtextextended('pasabay.external_ref:' || ref, 0));

  -- Candidates: the caller's own conversations with this ref; the one whose members are exactly
  -- the wanted set (the oldest, should later membership changes have made two alike).
  select c.* into existing
  from public.conversation_members mine
  join public.conversations c on c.id = mine.conversation_id
  where mine.user_id = caller
    and c.external_ref = ref
    and array(
      select m.user_id from public.conversation_members m where m.conversation_id = c.id order by m.user_id
    ) = wanted_members
  order by c.created_at, c.id
  limit 1;
  if found then
    return existing;
  end if;

  if not coalesce(public.pasabay_hook_can_open_external_ref(caller, ref, others), false) then
    raise exception 'You cannot open a conversation for this external_ref' using errcode = '42501';
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

comment on function public.get_or_create_conversation(text, uuid[], text, text) is 'The conversation for a host app''s external_ref between exactly the caller and member_ids: returned when it exists, created otherwise (members must be reachable; the pasabay_hook_can_open_external_ref hook decides creation).';
comment on column public.conversations.external_ref is 'Optional key from the host app; one conversation per external_ref and exact member set.';

-- Nothing calls it any more: reachability (require_reachable) answers unknown ids too.
drop function public.require_known_users(uuid[]);

revoke execute on function public.pasabay_hook_can_open_external_ref(uuid, text, uuid[]) from public, anon, authenticated;
