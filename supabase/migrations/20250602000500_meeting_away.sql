-- "Away" is part of a participant's recorded call state, like muted or hand raised: set by the
-- user alone through update_meeting_state(), seen by everyone through the participant broadcast.

alter table public.meeting_participants add column is_away boolean not null default false;

grant update (is_away) on public.meeting_participants to authenticated;

-- One function with a new optional last parameter; calls by name keep working unchanged.
drop function public.update_meeting_state(uuid, boolean, boolean, boolean, boolean);

create function public.update_meeting_state(
  meeting_id uuid,
  is_muted boolean default null,
  is_video_on boolean default null,
  is_screen_sharing boolean default null,
  is_hand_raised boolean default null,
  is_away boolean default null
)
returns public.meeting_participants
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  participant public.meeting_participants;
begin
  update public.meeting_participants p
  set is_muted = coalesce(update_meeting_state.is_muted, p.is_muted),
      is_video_on = coalesce(update_meeting_state.is_video_on, p.is_video_on),
      is_screen_sharing = coalesce(update_meeting_state.is_screen_sharing, p.is_screen_sharing),
      is_hand_raised = coalesce(update_meeting_state.is_hand_raised, p.is_hand_raised),
      is_away = coalesce(update_meeting_state.is_away, p.is_away)
  where p.meeting_id = update_meeting_state.meeting_id and p.user_id = caller
  returning p.* into participant;
  if not found then
    raise exception 'Not a participant of this meeting' using errcode = '42501';
  end if;
  return participant;
end;
$$;

comment on function public.update_meeting_state(uuid, boolean, boolean, boolean, boolean, boolean) is 'Changes the caller''s own call state; null leaves a flag unchanged.';

-- Leaving clears what only makes sense while in the call, now including away.
create or replace function public.leave_meeting(meeting_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
begin
  update public.meeting_participants p
  set left_at = now(), is_screen_sharing = false, is_hand_raised = false, is_away = false
  where p.meeting_id = leave_meeting.meeting_id and p.user_id = caller;
  if not found then
    raise exception 'Not a participant of this meeting' using errcode = '42501';
  end if;
end;
$$;
