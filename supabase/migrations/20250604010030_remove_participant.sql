-- The host removes a participant: their row goes, so the existing triggers take them out of the
-- meeting's chat (meeting_participants_leave_meeting_chats) and broadcast the DELETE on
-- meeting:<id>, and realtime_topic_allows() refuses their next join of meeting:<id> and its
-- presence topic. Coming back needs a new invitation from the host (invite_to_meeting):
-- join_meeting admits only the host and invited users, and the row that invited them is gone.

create or replace function public.remove_participant(meeting_id uuid, user_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
begin
  if not exists (
    select 1 from public.meetings m where m.id = remove_participant.meeting_id and m.host_id = caller
  ) then
    raise exception 'Only the host can remove participants from this meeting' using errcode = '42501';
  end if;
  if remove_participant.user_id = caller then
    raise exception 'The host cannot remove themself; end the meeting instead' using errcode = '22023';
  end if;
  delete from public.meeting_participants p
  where p.meeting_id = remove_participant.meeting_id and p.user_id = remove_participant.user_id;
  if not found then
    raise exception 'Not a participant of this meeting: %', remove_participant.user_id using errcode = '22023';
  end if;
end;
$$;

comment on function public.remove_participant(uuid, uuid) is 'Host only: removes a participant (and so their meeting chat); they return only if invited again.';
