-- Unread counts derived from each member's read position instead of written per message.
--
-- Until now every message updated the row of every other member (unread_count + 1) and each of
-- those updates put an `unread` notice on user:<id>: a message to a room of N people cost N - 1
-- row updates and N - 1 realtime.messages rows. Now a message costs the same whatever the room:
--   * the message row and its own broadcast on conversation:<id> (listeners count it themselves);
--   * the conversation's last_message_at / preview (one row).
-- A member's unread count is the number of live messages from others created after their read
-- position (last_read_at; before their first read, from the moment they joined, that moment
-- included), answered by my_conversations().
-- The per-user `unread` notice on user:<id> remains, but only when the user's own read position
-- changes (one per read, so other tabs and inbox lists clear their badge); its payload keeps its
-- shape, with the derived count.
--
-- conversation_members.unread_count stays for compatibility with existing clients but is no
-- longer maintained: it is set to 0 here and stays 0. Existing counts are carried over by moving
-- each member's read position so the derived count equals the stored one.

-- 1. No more per-member writes per message.
create or replace function public.record_new_message()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.conversations c
  set last_message_at = new.created_at,
      last_message_preview = public.message_preview(new.body)
  where c.id = new.conversation_id
    and (c.last_message_at is null or c.last_message_at <= new.created_at);
  return null;
end;
$$;

comment on function public.record_new_message() is 'Trigger: keeps the conversation''s last_message_at and preview; unread counts are derived, not written.';

-- 2. The count, in one place. Walks the (conversation_id, created_at) index from the read position,
-- so its cost follows the number of unread messages, not the length of the history.
create or replace function public.unread_messages_count(conversation_id uuid, user_id uuid, read_from timestamptz)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer
  from public.messages m
  where m.conversation_id = unread_messages_count.conversation_id
    and m.created_at > unread_messages_count.read_from
    and m.sender_id <> unread_messages_count.user_id
    and m.deleted_at is null
$$;

comment on function public.unread_messages_count(uuid, uuid, timestamptz) is 'Live messages of the conversation from others than user_id created after read_from; internal.';

-- 3. The caller's conversations with their read state and unread count: one call for an inbox,
-- or one conversation when conversation_id is given. Only ever the caller's own memberships.
create or replace function public.my_conversations(conversation_id uuid default null)
returns table (
  id uuid,
  kind text,
  title text,
  external_ref text,
  meeting_id uuid,
  created_by uuid,
  created_at timestamptz,
  updated_at timestamptz,
  last_message_at timestamptz,
  last_message_preview text,
  role text,
  joined_at timestamptz,
  last_read_at timestamptz,
  unread_count integer
)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, c.kind, c.title, c.external_ref, c.meeting_id, c.created_by, c.created_at, c.updated_at,
         c.last_message_at, c.last_message_preview, cm.role, cm.joined_at, cm.last_read_at,
         public.unread_messages_count(cm.conversation_id, cm.user_id, coalesce(cm.last_read_at, cm.joined_at - interval '1 microsecond'))
  from public.conversation_members cm
  join public.conversations c on c.id = cm.conversation_id
  where cm.user_id = (select auth.uid())
    and (my_conversations.conversation_id is null or cm.conversation_id = my_conversations.conversation_id)
  order by coalesce(c.last_message_at, c.created_at) desc, c.id
$$;

comment on function public.my_conversations(uuid) is 'The caller''s conversations (or the one given) with role, read position and unread count: live messages from others since last_read_at (or joining).';

-- 4. Reading: only the read position changes; the notices follow from it.
create or replace function public.mark_conversation_read(conversation_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
begin
  update public.conversation_members cm
  set last_read_at = now()
  where cm.conversation_id = mark_conversation_read.conversation_id and cm.user_id = caller;
  if not found then
    raise exception 'Not a member of this conversation' using errcode = '42501';
  end if;
end;
$$;

comment on function public.mark_conversation_read(uuid) is 'Sets the caller''s last_read_at to now; their unread count follows from it.';

-- A read position that moves: `read` on conversation:<id> for the other members' receipts, and
-- `unread` on the reader's own user:<id> with their count now, for their other tabs and lists.
create or replace function public.broadcast_read_state()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
begin
  perform realtime.send(
    jsonb_build_object('conversation_id', new.conversation_id, 'user_id', new.user_id, 'last_read_at', new.last_read_at),
    'read',
    'conversation:' || new.conversation_id::text,
    true
  );
  select c.* into conversation from public.conversations c where c.id = new.conversation_id;
  perform realtime.send(
    jsonb_build_object(
      'conversation_id', new.conversation_id,
      'unread_count', public.unread_messages_count(new.conversation_id, new.user_id, coalesce(new.last_read_at, new.joined_at - interval '1 microsecond')),
      'last_message_at', conversation.last_message_at,
      'last_message_preview', conversation.last_message_preview
    ),
    'unread',
    'user:' || new.user_id::text,
    true
  );
  return null;
end;
$$;

drop trigger conversation_members_broadcast_read_state on public.conversation_members;

-- 5. Carry the stored counts over (before the read trigger is back, so this sends nothing): where
-- the derived count differs from unread_count, the read position moves to just after the newest
-- message that was read, i.e. the one with unread_count live messages from others after it (or
-- just before the oldest, when all are unread). Messages sharing that exact timestamp count as
-- read with it.
with mismatched as (
  select cm.conversation_id, cm.user_id, cm.unread_count
  from public.conversation_members cm
  where cm.unread_count <> public.unread_messages_count(cm.conversation_id, cm.user_id, coalesce(cm.last_read_at, cm.joined_at - interval '1 microsecond'))
)
update public.conversation_members cm
set last_read_at = coalesce(
  (
    select m.created_at from public.messages m
    where m.conversation_id = mismatched.conversation_id and m.sender_id <> mismatched.user_id and m.deleted_at is null
    order by m.created_at desc, m.id desc
    offset mismatched.unread_count limit 1
  ),
  (
    select min(m.created_at) - interval '1 microsecond' from public.messages m
    where m.conversation_id = mismatched.conversation_id and m.sender_id <> mismatched.user_id and m.deleted_at is null
  ),
  cm.last_read_at
)
from mismatched
where cm.conversation_id = mismatched.conversation_id and cm.user_id = mismatched.user_id;

update public.conversation_members set unread_count = 0 where unread_count <> 0;

create trigger conversation_members_broadcast_read_state
  after update of last_read_at on public.conversation_members
  for each row
  when (new.last_read_at is distinct from old.last_read_at)
  execute function public.broadcast_read_state();

comment on column public.conversation_members.unread_count is 'Deprecated, always 0: the unread count is derived from last_read_at (see my_conversations()).';
comment on table public.conversation_members is 'Who is in a conversation, with their read position (last_read_at).';

-- Internal helper; the RPC is the API.
revoke execute on function public.unread_messages_count(uuid, uuid, timestamptz) from public, anon, authenticated;
revoke execute on function public.my_conversations(uuid) from public, anon;
grant execute on function public.my_conversations(uuid) to authenticated;
