-- Private channel authorization with the organisation topic, replacing the function of
-- 20250602000200 (same signature, so its two policies on realtime.messages keep calling it):
--   conversation:<id>           members receive broadcast       nobody sends
--   conversation:<id>:typing    members receive broadcast       nobody sends (public.send_typing does)
--   meeting:<id>                host and invited receive        nobody sends
--   meeting:<id>:presence       host and invited receive        host and invited track presence only
--   user:<id>                   that user receives              nobody sends
--   org:<id>                    members receive                 members track presence only
-- On org:<id> a client may only track presence: the presence key is a claim (Realtime cannot tie
-- it to auth.uid()), so the elements count only keys that are members of the organisation, and
-- nothing a client could broadcast there is ever read. Any other topic, sub-topic or extension is
-- refused.

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
    '^(conversation|meeting|user|org):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::(typing|presence))?$'
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
  elsif parts[1] = 'org' and sub_topic is null then
    if for_write and extension <> 'presence' then
      return false;
    end if;
    return exists (
      select 1 from public.organization_members om
      where om.organization_id = target and om.user_id = caller
    );
  end if;
  return false;
end;
$$;

comment on function public.realtime_topic_allows(text, text, boolean) is 'Whether the caller may receive (for_write false) or send with this extension on a private Realtime topic.';
