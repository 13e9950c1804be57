-- Typing goes through the database, as clients cannot send on conversation:<id>:typing: the
-- event names the caller (auth.uid()) and their profile name, whatever the client would claim.
-- Nothing is stored besides the Broadcast-from-Database row itself.
-- security definer: realtime.send writes realtime.messages, which clients may not; it checks
-- that the caller is a member and counts the call against the typing rate limit.
create or replace function public.send_typing(conversation_id uuid, is_typing boolean default true)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  name text;
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
  perform realtime.send(
    jsonb_build_object(
      'conversation_id', send_typing.conversation_id,
      'user_id', caller,
      'display_name', name,
      'is_typing', send_typing.is_typing
    ),
    'typing',
    'conversation:' || send_typing.conversation_id::text || ':typing',
    true
  );
end;
$$;

comment on function public.send_typing(uuid, boolean) is 'Broadcasts the caller''s typing state (event typing on conversation:<id>:typing); members only, rate-limited.';

revoke execute on function public.send_typing(uuid, boolean) from public, anon;
grant execute on function public.send_typing(uuid, boolean) to authenticated;
