-- The conversation list and the launcher badge live on the user's own `user:<id>` channel only
-- (the per-user Realtime budget: at most 5 joined channels), instead of one channel per
-- conversation:
-- 1. Postgres Changes of public.conversations (last activity, preview, title). A chat message
--    already updates its conversation row once (record_new_message), whatever the number of
--    members; RLS ("Members can read their conversations") passes each change only to members.
--    The local stack and hosted Supabase both check a private channel's join against the topic's
--    policy (user:<id> is readable by its owner, realtime_topic_allows) and each change against
--    the table's RLS for the subscriber.
-- 2. send_typing also notifies the `user:<id>` topic of each other member, but only in
--    conversations of at most typing_fanout_limit() (5) members, so its cost stays bounded;
--    larger groups show typing in the open conversation only, never in the list.
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
  if not exists (
    select 1 from pg_publication_tables
    where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'conversations'
  ) then
    alter publication supabase_realtime add table public.conversations;
  end if;
end
$$;

create or replace function public.typing_fanout_limit()
returns integer
language sql
immutable
set search_path = ''
as $$ select 5 $$;

comment on function public.typing_fanout_limit() is 'Conversations with at most this many members also get typing on each member''s user:<id> topic.';

create or replace function public.send_typing(conversation_id uuid, is_typing boolean default true)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  name text;
  payload jsonb;
  members uuid[];
begin
  if is_typing is null then
    raise exception 'is_typing must be true or false' using errcode = '22023';
  end if;
  if not exists (
    select 1 from public.conversation_members cm
    where cm.conversation_id = send_typing.conversation_id and cm.user_id = caller
  ) then
    raise exception 'Not a member of this conversation' using errcode = '42501';
  end if;
  perform public.consume_rate_limit('typing');
  select p.display_name into name from public.profiles p where p.id = caller;
  payload := jsonb_build_object(
    'conversation_id', send_typing.conversation_id,
    'user_id', caller,
    'display_name', name,
    'is_typing', send_typing.is_typing
  );
  perform realtime.send(payload, 'typing', 'conversation:' || send_typing.conversation_id::text || ':typing', true);

  -- At most typing_fanout_limit() + 1 members are read, never the whole room.
  select array_agg(m.user_id) into members
  from (
    select cm.user_id from public.conversation_members cm
    where cm.conversation_id = send_typing.conversation_id
    limit public.typing_fanout_limit() + 1
  ) m;
  if cardinality(members) <= public.typing_fanout_limit() then
    perform realtime.send(payload, 'typing', 'user:' || member::text, true)
    from unnest(members) as member
    where member <> caller;
  end if;
end;
$$;

comment on function public.send_typing(uuid, boolean) is 'Broadcasts the caller''s typing state (event typing on conversation:<id>:typing, and on each other member''s user:<id> when the conversation has at most typing_fanout_limit() members); members only, rate-limited.';

revoke execute on function public.send_typing(uuid, boolean) from public, anon;
grant execute on function public.send_typing(uuid, boolean) to authenticated;
revoke execute on function public.typing_fanout_limit() from public, anon;
grant execute on function public.typing_fanout_limit() to authenticated;
