-- Conversations (direct, group, or a meeting's chat) and their members with read state.
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  kind text not null default 'group',
  title text,
  external_ref text unique,
  meeting_id uuid references public.meetings (id) on delete cascade,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_message_at timestamptz,
  last_message_preview text,
  constraint conversations_kind check (kind in ('direct', 'group', 'meeting')),
  constraint conversations_title_length check (title is null or char_length(title) <= 200),
  -- A host app's own key for this conversation, e.g. 'service-request:42'.
  constraint conversations_external_ref_format check (external_ref ~ '^[A-Za-z0-9][A-Za-z0-9:_./-]{0,199}$'),
  constraint conversations_meeting_kind check ((kind = 'meeting') = (meeting_id is not null))
);

create index conversations_meeting_id_idx on public.conversations (meeting_id) where meeting_id is not null;

create table public.conversation_members (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null default 'member',
  joined_at timestamptz not null default now(),
  last_read_at timestamptz,
  unread_count integer not null default 0,
  primary key (conversation_id, user_id),
  constraint conversation_members_role check (role in ('owner', 'member')),
  constraint conversation_members_unread_count check (unread_count >= 0)
);

create index conversation_members_user_id_idx on public.conversation_members (user_id);

comment on table public.conversations is 'A chat: direct (two people), group, or the chat of a meeting.';
comment on table public.conversation_members is 'Who is in a conversation, with their read position and unread count.';
comment on column public.conversations.external_ref is 'Optional key from the host app so one record maps to one conversation.';

create trigger conversations_touch_updated_at
  before update on public.conversations
  for each row execute function public.touch_updated_at();

-- Membership checks used by policies and RPCs; security definer so the policy on
-- conversation_members does not recurse into itself. They only answer about the caller.
create or replace function public.is_conversation_member(conversation_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.conversation_members cm
    where cm.conversation_id = is_conversation_member.conversation_id
      and cm.user_id = (select auth.uid())
  )
$$;

create or replace function public.is_conversation_owner(conversation_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.conversation_members cm
    where cm.conversation_id = is_conversation_owner.conversation_id
      and cm.user_id = (select auth.uid())
      and cm.role = 'owner'
  )
$$;

comment on function public.is_conversation_member(uuid) is 'True when the caller is a member of the conversation.';
comment on function public.is_conversation_owner(uuid) is 'True when the caller owns the conversation.';

alter table public.conversations enable row level security;
alter table public.conversation_members enable row level security;

create policy "Members can read their conversations"
  on public.conversations for select
  to authenticated
  using (public.is_conversation_member(id));

-- No insert policy: conversations are created through the RPCs, which add the members.

create policy "Owners can rename their conversations"
  on public.conversations for update
  to authenticated
  using (public.is_conversation_owner(id))
  with check (public.is_conversation_owner(id));

create policy "Owners can delete their conversations"
  on public.conversations for delete
  to authenticated
  using (public.is_conversation_owner(id));

create policy "Members can see who else is in their conversations"
  on public.conversation_members for select
  to authenticated
  using (public.is_conversation_member(conversation_id));

create policy "Owners can add members to their group conversations"
  on public.conversation_members for insert
  to authenticated
  with check (
    public.is_conversation_owner(conversation_id)
    and role = 'member'
    and exists (select 1 from public.conversations c where c.id = conversation_id and c.kind = 'group')
  );

-- No update policy: read state changes only through mark_conversation_read().

create policy "Members can leave and owners can remove members"
  on public.conversation_members for delete
  to authenticated
  using (user_id = (select auth.uid()) or public.is_conversation_owner(conversation_id));

revoke update on public.conversations from anon, authenticated;
grant update (title) on public.conversations to authenticated;
revoke update on public.conversation_members from anon, authenticated;
-- RLS does not govern these, and the API never needs them.
revoke truncate, references, trigger on public.conversations from anon, authenticated;
revoke truncate, references, trigger on public.conversation_members from anon, authenticated;

-- A meeting's chat holds exactly the meeting's host and invited participants.
create or replace function public.add_meeting_participant_to_meeting_chats()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.conversation_members (conversation_id, user_id, role)
  select c.id, new.user_id, case when new.role = 'host' then 'owner' else 'member' end
  from public.conversations c
  where c.meeting_id = new.meeting_id
  on conflict (conversation_id, user_id) do nothing;
  return new;
end;
$$;

create trigger meeting_participants_join_meeting_chats
  after insert on public.meeting_participants
  for each row execute function public.add_meeting_participant_to_meeting_chats();

create or replace function public.add_meeting_participants_to_new_meeting_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.conversation_members (conversation_id, user_id, role)
  select new.id, p.user_id, case when p.role = 'host' then 'owner' else 'member' end
  from public.meeting_participants p
  where p.meeting_id = new.meeting_id
  on conflict (conversation_id, user_id) do nothing;
  return new;
end;
$$;

create trigger conversations_add_meeting_participants
  after insert on public.conversations
  for each row
  when (new.meeting_id is not null)
  execute function public.add_meeting_participants_to_new_meeting_chat();

create or replace function public.remove_meeting_participant_from_meeting_chats()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.conversation_members cm
  using public.conversations c
  where c.id = cm.conversation_id and c.meeting_id = old.meeting_id and cm.user_id = old.user_id;
  return old;
end;
$$;

create trigger meeting_participants_leave_meeting_chats
  after delete on public.meeting_participants
  for each row execute function public.remove_meeting_participant_from_meeting_chats();
