-- Connection quality as each participant measures it (Realtime heartbeat round trips and
-- reconnects in their browser): a self-report, recorded on their own row like their other call
-- state, so others see it through the participant broadcast. "lost" is never stored: it is what
-- the others conclude when a participant recorded as joined has no presence.

alter table public.meeting_participants add column connection_quality text;
alter table public.meeting_participants add constraint meeting_participants_connection_quality
  check (connection_quality in ('good', 'poor'));

comment on column public.meeting_participants.connection_quality is
  'The participant''s own report of their connection (good / poor), null when not reported.';

grant update (connection_quality) on public.meeting_participants to authenticated;

create or replace function public.report_connection_quality(meeting_id uuid, quality text)
returns public.meeting_participants
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  participant public.meeting_participants;
begin
  if quality is null or quality not in ('good', 'poor') then
    raise exception 'Connection quality must be good or poor, not %', coalesce(quality, 'null') using errcode = '22023';
  end if;
  update public.meeting_participants p
  set connection_quality = report_connection_quality.quality
  where p.meeting_id = report_connection_quality.meeting_id and p.user_id = caller
  returning p.* into participant;
  if not found then
    raise exception 'Not a participant of this meeting' using errcode = '42501';
  end if;
  return participant;
end;
$$;

comment on function public.report_connection_quality(uuid, text) is 'Records the caller''s own measured connection quality (good or poor).';

-- A client's insert plants no quality either (the other columns as in 20250602000600).
create or replace function public.reset_planted_participant_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated') then
    new.role := 'participant';
    new.invited_at := now();
    new.joined_at := null;
    new.left_at := null;
    new.is_muted := false;
    new.is_video_on := false;
    new.is_screen_sharing := false;
    new.is_hand_raised := false;
    new.is_away := false;
    new.connection_quality := null;
    new.updated_at := now();
  end if;
  return new;
end;
$$;

-- Leaving also forgets the report: it described a connection that is gone.
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
  set left_at = now(), is_screen_sharing = false, is_hand_raised = false, is_away = false,
      connection_quality = null
  where p.meeting_id = leave_meeting.meeting_id and p.user_id = caller;
  if not found then
    raise exception 'Not a participant of this meeting' using errcode = '42501';
  end if;
end;
$$;
