-- RPCs for meetings: join / leave (security definer: they stamp times clients cannot write),
-- update one's own call state and invite (security invoker: the table policies suffice).

create or replace function public.join_meeting(meeting_id uuid)
returns public.meeting_participants
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  meeting public.meetings;
  participant public.meeting_participants;
begin
  select m.* into meeting from public.meetings m where m.id = join_meeting.meeting_id;
  if not found
     or (meeting.host_id <> caller and not exists (
       select 1 from public.meeting_participants p where p.meeting_id = meeting.id and p.user_id = caller)) then
    raise exception 'Only the host and invited participants can join this meeting' using errcode = '42501';
  end if;
  if meeting.status = 'ended' then
    raise exception 'This meeting has ended' using errcode = '22023';
  end if;

  insert into public.meeting_participants (meeting_id, user_id, role, joined_at, left_at)
  values (meeting.id, caller, case when meeting.host_id = caller then 'host' else 'participant' end, now(), null)
  on conflict on constraint meeting_participants_pkey
  do update set joined_at = now(), left_at = null
  returning * into participant;
  return participant;
end;
$$;

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
  set left_at = now(), is_screen_sharing = false, is_hand_raised = false
  where p.meeting_id = leave_meeting.meeting_id and p.user_id = caller;
  if not found then
    raise exception 'Not a participant of this meeting' using errcode = '42501';
  end if;
end;
$$;

create or replace function public.update_meeting_state(
  meeting_id uuid,
  is_muted boolean default null,
  is_video_on boolean default null,
  is_screen_sharing boolean default null,
  is_hand_raised boolean default null
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
      is_hand_raised = coalesce(update_meeting_state.is_hand_raised, p.is_hand_raised)
  where p.meeting_id = update_meeting_state.meeting_id and p.user_id = caller
  returning p.* into participant;
  if not found then
    raise exception 'Not a participant of this meeting' using errcode = '42501';
  end if;
  return participant;
end;
$$;

create or replace function public.invite_to_meeting(meeting_id uuid, user_ids uuid[])
returns void
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  unknown uuid;
begin
  if not public.is_meeting_host(invite_to_meeting.meeting_id) then
    raise exception 'Only the host can invite to this meeting' using errcode = '42501';
  end if;
  select u into unknown
  from unnest(coalesce(user_ids, '{}')) as u
  where u is null or not exists (select 1 from public.profiles p where p.id = u)
  limit 1;
  if found then
    raise exception 'Unknown user id: %', coalesce(unknown::text, 'null') using errcode = '23503';
  end if;

  insert into public.meeting_participants (meeting_id, user_id, role)
  select distinct invite_to_meeting.meeting_id, u, 'participant'
  from unnest(user_ids) as u
  where u <> caller
  on conflict on constraint meeting_participants_pkey do nothing;
end;
$$;

comment on function public.join_meeting(uuid) is 'Marks the caller joined (host or invited only) and returns their participant row.';
comment on function public.leave_meeting(uuid) is 'Marks the caller as having left the meeting.';
comment on function public.update_meeting_state(uuid, boolean, boolean, boolean, boolean) is 'Changes the caller''s own call state; null leaves a flag unchanged.';
comment on function public.invite_to_meeting(uuid, uuid[]) is 'Host only: invites users to the meeting.';
