-- Private channel authorization, replacing 20250601000900: clients only ever receive on the
-- database's topics; the one thing a client may send is its presence on a meeting's presence
-- topic. Whatever arrives on the other topics therefore came from the database.
--   conversation:<id>           members receive broadcast       nobody sends
--   conversation:<id>:typing    members receive broadcast       nobody sends (public.send_typing does)
--   meeting:<id>                host and invited receive        nobody sends
--   meeting:<id>:presence       host and invited receive        host and invited track presence only
--   user:<id>                   that user receives              nobody sends
-- Any other topic, sub-topic or extension is refused. The database's own sends (realtime.send
-- in security definer functions) do not go through these policies.

drop policy if exists "Members can receive on their conversation, meeting and user topics" on realtime.messages;
drop policy if exists "Members can send on their conversation and meeting topics" on realtime.messages;
drop function if exists public.can_use_realtime_topic(text, boolean);

-- One indexed membership lookup per check. security definer so it can consult the membership
-- tables whatever their policies; it only answers about the caller.
create or replace function public.realtime_topic_allows(topic text, extension text, for_write boolean)
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
  sub_topic text;
begin
  if caller is null or topic is null or extension is null then
    return false;
  end if;
  parts := regexp_match(
    topic,
    '^(conversation|meeting|user):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::(typing|presence))?$'
  );
  if parts is null then
    return false;
  end if;
  target := parts[2]::uuid;
  sub_topic := parts[3];

  if parts[1] = 'conversation' and (sub_topic is null or sub_topic = 'typing') then
    return not for_write and extension = 'broadcast' and exists (
      select 1 from public.conversation_members cm
      where cm.conversation_id = target and cm.user_id = caller
    );
  elsif parts[1] = 'meeting' and (sub_topic is null or sub_topic = 'presence') then
    if sub_topic is null then
      if for_write or extension <> 'broadcast' then
        return false;
      end if;
    elsif for_write and extension <> 'presence' then
      return false;
    end if;
    -- The host is always a participant row too (meetings_add_host_as_participant).
    return exists (
      select 1 from public.meeting_participants p
      where p.meeting_id = target and p.user_id = caller
    );
  elsif parts[1] = 'user' and sub_topic is null then
    return not for_write and extension = 'broadcast' and target = caller;
  end if;
  return false;
end;
$$;

comment on function public.realtime_topic_allows(text, text, boolean) is 'Whether the caller may receive (for_write false) or send with this extension on a private Realtime topic.';

create policy "Members receive the database's broadcasts on their conversation, meeting and user topics, and meeting presence"
  on realtime.messages for select
  to authenticated
  using ((select public.realtime_topic_allows((select realtime.topic()), realtime.messages.extension, false)));

create policy "Meeting participants may track their presence on the meeting's presence topic, and nothing else is sent by clients"
  on realtime.messages for insert
  to authenticated
  with check ((select public.realtime_topic_allows((select realtime.topic()), realtime.messages.extension, true)));
