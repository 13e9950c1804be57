-- Broadcast from Database: triggers put changes on the private topics the elements join.
--   conversation:<id>  message (messages), reaction (message_reactions), read (a member marks read)
--   meeting:<id>       participant (meeting_participants), meeting (meetings)
--   user:<id>          conversation (added as a member), unread (unread count changed)
-- security definer: realtime.send inserts into realtime.messages, which the API roles may only
-- write through its policies; these functions run for any row change and take no caller input.

create or replace function public.broadcast_message_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'conversation:' || coalesce(new.conversation_id, old.conversation_id)::text,
    'message', tg_op, tg_table_name, tg_table_schema, new, old
  );
  return null;
end;
$$;

create trigger messages_broadcast
  after insert or update or delete on public.messages
  for each row execute function public.broadcast_message_change();

create or replace function public.broadcast_reaction_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation uuid;
begin
  select m.conversation_id into conversation
  from public.messages m
  where m.id = coalesce(new.message_id, old.message_id);
  -- The message (and its conversation) may be gone already when a cascade removes reactions.
  if conversation is not null then
    perform realtime.broadcast_changes(
      'conversation:' || conversation::text,
      'reaction', tg_op, tg_table_name, tg_table_schema, new, old
    );
  end if;
  return null;
end;
$$;

create trigger message_reactions_broadcast
  after insert or delete on public.message_reactions
  for each row execute function public.broadcast_reaction_change();

create or replace function public.broadcast_member_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
begin
  select c.* into conversation from public.conversations c where c.id = new.conversation_id;
  perform realtime.send(
    jsonb_build_object('conversation_id', conversation.id, 'kind', conversation.kind, 'title', conversation.title),
    'conversation',
    'user:' || new.user_id::text,
    true
  );
  return null;
end;
$$;

create trigger conversation_members_broadcast_added
  after insert on public.conversation_members
  for each row execute function public.broadcast_member_added();

create or replace function public.broadcast_read_state()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
begin
  if new.last_read_at is distinct from old.last_read_at then
    perform realtime.send(
      jsonb_build_object('conversation_id', new.conversation_id, 'user_id', new.user_id, 'last_read_at', new.last_read_at),
      'read',
      'conversation:' || new.conversation_id::text,
      true
    );
  end if;
  if new.unread_count is distinct from old.unread_count then
    select c.* into conversation from public.conversations c where c.id = new.conversation_id;
    perform realtime.send(
      jsonb_build_object(
        'conversation_id', new.conversation_id,
        'unread_count', new.unread_count,
        'last_message_at', conversation.last_message_at,
        'last_message_preview', conversation.last_message_preview
      ),
      'unread',
      'user:' || new.user_id::text,
      true
    );
  end if;
  return null;
end;
$$;

create trigger conversation_members_broadcast_read_state
  after update of last_read_at, unread_count on public.conversation_members
  for each row execute function public.broadcast_read_state();

create or replace function public.broadcast_meeting_participant_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'meeting:' || coalesce(new.meeting_id, old.meeting_id)::text,
    'participant', tg_op, tg_table_name, tg_table_schema, new, old
  );
  return null;
end;
$$;

create trigger meeting_participants_broadcast
  after insert or update or delete on public.meeting_participants
  for each row execute function public.broadcast_meeting_participant_change();

create or replace function public.broadcast_meeting_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'meeting:' || coalesce(new.id, old.id)::text,
    'meeting', tg_op, tg_table_name, tg_table_schema, new, old
  );
  return null;
end;
$$;

create trigger meetings_broadcast
  after insert or update or delete on public.meetings
  for each row execute function public.broadcast_meeting_change();
