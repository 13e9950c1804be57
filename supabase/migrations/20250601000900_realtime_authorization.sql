-- Private channel authorization: policies on realtime.messages keyed on realtime.topic().
--   conversation:<id> and conversation:<id>:<sub-topic> (e.g. typing): members read and write
--   meeting:<id>: the host and invited participants read and write
--   user:<id>: only that user reads; nobody writes (the database broadcasts there)

create or replace function public.can_use_realtime_topic(topic text, for_write boolean)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  parts text[];
  target uuid;
begin
  if caller is null or topic is null then
    return false;
  end if;
  parts := regexp_match(
    topic,
    '^(conversation|meeting|user):([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(:[a-z][a-z0-9_-]{0,63})?$'
  );
  if parts is null then
    return false;
  end if;
  target := parts[2]::uuid;
  case parts[1]
    when 'conversation' then
      return exists (
        select 1 from public.conversation_members cm
        where cm.conversation_id = target and cm.user_id = caller
      );
    when 'meeting' then
      return parts[3] is null and (
        exists (select 1 from public.meetings m where m.id = target and m.host_id = caller)
        or exists (select 1 from public.meeting_participants p where p.meeting_id = target and p.user_id = caller)
      );
    else
      return parts[3] is null and not for_write and target = caller;
  end case;
end;
$$;

comment on function public.can_use_realtime_topic(text, boolean) is 'Whether the caller may receive (for_write false) or send on a private Realtime topic.';

create policy "Members can receive on their conversation, meeting and user topics"
  on realtime.messages for select
  to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and (select public.can_use_realtime_topic((select realtime.topic()), false))
  );

create policy "Members can send on their conversation and meeting topics"
  on realtime.messages for insert
  to authenticated
  with check (
    realtime.messages.extension in ('broadcast', 'presence')
    and (select public.can_use_realtime_topic((select realtime.topic()), true))
  );
