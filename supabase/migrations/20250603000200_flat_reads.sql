-- Reads that stay flat as history grows.
--
-- * The membership check of the read policies ran once per row: is_conversation_member() is a
--   security definer function of the row's conversation_id, which the planner can neither inline
--   nor hoist, so a query over a long history paid one membership lookup per message (and, with
--   stale statistics, over every message of the table). The caller's conversation ids are now
--   computed once per statement, `(select public.my_conversation_ids())` being an init plan, and
--   compared with `= any (…)`, which an index on conversation_id can also use. Same rule as before:
--   a member sees the rows of their conversations, nobody else does.
-- * Catching up after a reconnect asks for the messages edited or deleted since a moment; partial
--   indexes on (conversation_id, edited_at) and (conversation_id, deleted_at) answer that from the
--   few edited or deleted rows instead of the whole conversation.
-- * Memberships are looked up by user: (user_id, conversation_id) answers from the index alone.

create index if not exists messages_conversation_id_edited_at_idx
  on public.messages (conversation_id, edited_at)
  where edited_at is not null;

create index if not exists messages_conversation_id_deleted_at_idx
  on public.messages (conversation_id, deleted_at)
  where deleted_at is not null;

create index if not exists conversation_members_user_id_conversation_id_idx
  on public.conversation_members (user_id, conversation_id);

-- The new index covers every lookup the old one served.
drop index if exists public.conversation_members_user_id_idx;

-- The conversations the caller is a member of. security definer so a policy on
-- conversation_members can use it without recursing into itself; it only answers about the caller.
create or replace function public.my_conversation_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(cm.conversation_id), '{}')
  from public.conversation_members cm
  where cm.user_id = (select auth.uid())
$$;

comment on function public.my_conversation_ids() is 'Ids of the conversations the caller is a member of (for policies: evaluate once per statement).';

revoke execute on function public.my_conversation_ids() from public, anon;
grant execute on function public.my_conversation_ids() to authenticated;

drop policy "Members can read their conversations" on public.conversations;
create policy "Members can read their conversations"
  on public.conversations for select
  to authenticated
  using (id = any ((select public.my_conversation_ids())::uuid[]));

drop policy "Members can see who else is in their conversations" on public.conversation_members;
create policy "Members can see who else is in their conversations"
  on public.conversation_members for select
  to authenticated
  using (conversation_id = any ((select public.my_conversation_ids())::uuid[]));

drop policy "Members can read messages in their conversations" on public.messages;
create policy "Members can read messages in their conversations"
  on public.messages for select
  to authenticated
  using (conversation_id = any ((select public.my_conversation_ids())::uuid[]));

drop policy "Senders can edit and delete their own messages" on public.messages;
create policy "Senders can edit and delete their own messages"
  on public.messages for update
  to authenticated
  using (sender_id = (select auth.uid()) and conversation_id = any ((select public.my_conversation_ids())::uuid[]))
  with check (sender_id = (select auth.uid()));
