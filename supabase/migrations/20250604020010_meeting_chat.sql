-- A meeting's chat, opened from the meeting: open_meeting_conversation() returns the meeting's
-- conversation, creating it when the caller is the host or the host lets participants open it
-- (meetings.participants_open_chat). Membership stays in step with the meeting: the existing
-- triggers add invited participants and drop removed ones; here a participant who leaves the
-- meeting (leave_meeting stamps left_at) loses the chat too, and gets it back on joining again.

alter table public.meetings add column participants_open_chat boolean not null default true;

comment on column public.meetings.participants_open_chat is 'Whether participants other than the host may create the meeting''s chat (open_meeting_conversation).';

-- The hosts' update policy already limits the row to its host.
grant update (participants_open_chat) on public.meetings to authenticated;

create or replace function public.sync_meeting_chat_membership_on_leave()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.left_at is not null and old.left_at is null then
    delete from public.conversation_members cm
    using public.conversations c
    where c.id = cm.conversation_id and c.meeting_id = new.meeting_id and cm.user_id = new.user_id;
  elsif new.left_at is null and old.left_at is not null then
    insert into public.conversation_members (conversation_id, user_id, role)
    select c.id, new.user_id, case when new.role = 'host' then 'owner' else 'member' end
    from public.conversations c
    where c.meeting_id = new.meeting_id
    on conflict (conversation_id, user_id) do nothing;
  end if;
  return new;
end;
$$;

create trigger meeting_participants_sync_meeting_chats_on_leave
  after update of left_at on public.meeting_participants
  for each row execute function public.sync_meeting_chat_membership_on_leave();

revoke execute on function public.sync_meeting_chat_membership_on_leave() from public, anon, authenticated;

-- security definer: conversations have no insert policy (they are made by RPCs); it checks that
-- the caller is a current participant of the meeting itself.
create or replace function public.open_meeting_conversation(meeting_id uuid)
returns public.conversations
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  meeting public.meetings;
  participant public.meeting_participants;
  conversation public.conversations;
begin
  if open_meeting_conversation.meeting_id is null then
    raise exception 'meeting_id is required' using errcode = '22023';
  end if;
  -- Locks the meeting so two first openers cannot both create its chat.
  select m.* into meeting from public.meetings m where m.id = open_meeting_conversation.meeting_id for update;
  if found then
    select p.* into participant
    from public.meeting_participants p
    where p.meeting_id = meeting.id and p.user_id = caller;
  end if;
  if meeting.id is null or participant.user_id is null then
    raise exception 'Only the meeting''s participants can open its chat' using errcode = '42501';
  end if;
  if participant.left_at is not null then
    raise exception 'You have left this meeting: join it again to open its chat' using errcode = '42501';
  end if;

  select c.* into conversation
  from public.conversations c
  where c.meeting_id = meeting.id
  order by c.created_at, c.id
  limit 1;
  if found then
    return conversation;
  end if;
  if meeting.host_id <> caller and not meeting.participants_open_chat then
    raise exception 'The host has not opened this meeting''s chat yet' using errcode = 'P0002';
  end if;

  insert into public.conversations (kind, title, meeting_id, created_by)
  values ('meeting', left(meeting.title, 200), meeting.id, caller)
  returning * into conversation;
  -- conversations_add_meeting_participants added every participant row; not those who left.
  delete from public.conversation_members cm
  using public.meeting_participants p
  where cm.conversation_id = conversation.id
    and p.meeting_id = meeting.id and p.user_id = cm.user_id and p.left_at is not null;
  return conversation;
end;
$$;

comment on function public.open_meeting_conversation(uuid) is 'The meeting''s chat for a current participant, created by the host or (when the meeting allows) a participant.';

revoke execute on function public.open_meeting_conversation(uuid) from public, anon;
grant execute on function public.open_meeting_conversation(uuid) to authenticated;
