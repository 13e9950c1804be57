-- Columns nobody can plant. A client inserting a row names only who: conversation_members
-- (conversation_id, user_id) by an owner, meeting_participants (meeting_id, user_id) by a host.
-- Role, read state, call state and times are the defaults; afterwards read state changes only
-- through mark_conversation_read() and call state only by the participant themself. Column
-- grants refuse the other columns (42501), and a trigger resets them for any insert made as an
-- API role, should a grant ever be widened again. Inserts made by the database's own security
-- definer functions (join_meeting, the RPCs, the meeting chat triggers) and by service_role keep
-- their values.

revoke insert on public.conversation_members from anon, authenticated;
grant insert (conversation_id, user_id) on public.conversation_members to authenticated;

revoke insert on public.meeting_participants from anon, authenticated;
grant insert (meeting_id, user_id) on public.meeting_participants to authenticated;

-- security invoker on purpose: current_user is the API role only for a client's own insert.
create or replace function public.reset_planted_member_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated') then
    new.role := 'member';
    new.joined_at := now();
    new.last_read_at := null;
    new.unread_count := 0;
  end if;
  return new;
end;
$$;

create trigger conversation_members_reset_planted_columns
  before insert on public.conversation_members
  for each row execute function public.reset_planted_member_columns();

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
    new.updated_at := now();
  end if;
  return new;
end;
$$;

create trigger meeting_participants_reset_planted_columns
  before insert on public.meeting_participants
  for each row execute function public.reset_planted_participant_columns();
