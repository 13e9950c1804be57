-- Live reactions in a meeting: ephemeral, nothing stored but the Broadcast-from-Database row.
-- Clients cannot send on meeting:<id>, so send_meeting_reaction() sends for them (event
-- live_reaction) after checking that the caller is a current participant, that the meeting has
-- not ended and that the caller is within the rate limit of reactions (action 'reaction' of
-- public.rate_limits, shared with reactions to messages: one budget for a user's reactions). The
-- event names the caller (auth.uid()); the elements read the sender's name from the profile.

-- security definer: realtime.send writes realtime.messages, which clients may not, and the
-- rate-limit counters are not the API's.
create or replace function public.send_meeting_reaction(meeting_id uuid, reaction text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  meeting public.meetings;
  participant public.meeting_participants;
begin
  -- Code points only (no locale-dependent classes): 1 to 16 of them, no ASCII space or control.
  if reaction is null or reaction !~ '^[^\u0001-\u0020\u007f]{1,16}$' then
    raise exception 'A reaction is 1 to 16 characters without spaces' using errcode = '22023';
  end if;
  select m.* into meeting from public.meetings m where m.id = send_meeting_reaction.meeting_id;
  if found then
    select p.* into participant
    from public.meeting_participants p
    where p.meeting_id = meeting.id and p.user_id = caller;
  end if;
  if meeting.id is null or participant.user_id is null or participant.left_at is not null then
    raise exception 'Only the meeting''s participants can send reactions' using errcode = '42501';
  end if;
  if meeting.status = 'ended' then
    raise exception 'This meeting has ended' using errcode = '22023';
  end if;
  perform public.consume_rate_limit('reaction');
  perform realtime.send(
    jsonb_build_object(
      'meeting_id', meeting.id,
      'user_id', caller,
      'reaction', send_meeting_reaction.reaction,
      'sent_at', now()
    ),
    'live_reaction',
    'meeting:' || meeting.id::text,
    true
  );
end;
$$;

comment on function public.send_meeting_reaction(uuid, text) is 'Broadcasts a live reaction of the caller (event live_reaction on meeting:<id>); current participants of a meeting that has not ended, rate limit reaction, nothing stored.';

revoke execute on function public.send_meeting_reaction(uuid, text) from public, anon;
grant execute on function public.send_meeting_reaction(uuid, text) to authenticated;
