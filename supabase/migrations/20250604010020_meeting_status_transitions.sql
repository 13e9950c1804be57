-- Meeting status moves one way only: scheduled -> live -> ended (or scheduled -> ended, a
-- meeting called off). The host changes it through start_meeting() / end_meeting(), which say
-- clearly why they refuse; a host's direct update of meetings.status meets the same trigger. The
-- change reaches every open element through the existing meetings_broadcast trigger (event
-- "meeting" on meeting:<id>). Once ended, nobody changes their call state any more.

create or replace function public.check_meeting_status_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Unknown values are left to the meetings_status check constraint (error 23514).
  if new.status is distinct from old.status
     and new.status in ('scheduled', 'live', 'ended') and old.status in ('scheduled', 'live', 'ended')
     and not (old.status = 'scheduled' and new.status in ('live', 'ended'))
     and not (old.status = 'live' and new.status = 'ended') then
    raise exception 'A meeting cannot go from % to %', old.status, new.status using errcode = '22023';
  end if;
  return new;
end;
$$;

create trigger meetings_check_status_transition
  before update of status on public.meetings
  for each row execute function public.check_meeting_status_transition();

create or replace function public.start_meeting(meeting_id uuid)
returns public.meetings
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  meeting public.meetings;
begin
  select m.* into meeting from public.meetings m where m.id = start_meeting.meeting_id for update;
  if not found or meeting.host_id <> caller then
    raise exception 'Only the host can start this meeting' using errcode = '42501';
  end if;
  if meeting.status = 'live' then
    return meeting;
  end if;
  if meeting.status <> 'scheduled' then
    raise exception 'This meeting has ended' using errcode = '22023';
  end if;
  update public.meetings m set status = 'live' where m.id = meeting.id returning m.* into meeting;
  return meeting;
end;
$$;

create or replace function public.end_meeting(meeting_id uuid)
returns public.meetings
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  meeting public.meetings;
begin
  select m.* into meeting from public.meetings m where m.id = end_meeting.meeting_id for update;
  if not found or meeting.host_id <> caller then
    raise exception 'Only the host can end this meeting' using errcode = '42501';
  end if;
  if meeting.status = 'ended' then
    return meeting;
  end if;
  -- Hands and screen shares belong to a running call: nobody is waiting or sharing any more.
  update public.meeting_participants p
  set is_hand_raised = false, is_screen_sharing = false
  where p.meeting_id = meeting.id and (p.is_hand_raised or p.is_screen_sharing);
  update public.meetings m set status = 'ended' where m.id = meeting.id returning m.* into meeting;
  return meeting;
end;
$$;

comment on function public.start_meeting(uuid) is 'Host only: scheduled -> live (a live meeting is returned as it is).';
comment on function public.end_meeting(uuid) is 'Host only: scheduled or live -> ended, lowering every hand (an ended meeting is returned as it is).';

-- security invoker on purpose, as reset_planted_participant_columns: current_user is an API role
-- only for a client's own write; leave_meeting, lower_hand and end_meeting (definer) still work.
create or replace function public.refuse_call_state_after_end()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated')
     and (new.is_muted, new.is_video_on, new.is_screen_sharing, new.is_hand_raised, new.is_away)
         is distinct from (old.is_muted, old.is_video_on, old.is_screen_sharing, old.is_hand_raised, old.is_away)
     and exists (select 1 from public.meetings m where m.id = new.meeting_id and m.status = 'ended') then
    raise exception 'This meeting has ended' using errcode = '22023';
  end if;
  return new;
end;
$$;

create trigger meeting_participants_refuse_call_state_after_end
  before update on public.meeting_participants
  for each row execute function public.refuse_call_state_after_end();
