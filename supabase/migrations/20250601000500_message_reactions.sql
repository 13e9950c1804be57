-- Reactions: one of each emoji per user per message.
create table public.message_reactions (
  message_id uuid not null references public.messages (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  emoji text not null,
  created_at timestamptz not null default now(),
  primary key (message_id, user_id, emoji),
  constraint message_reactions_emoji_length check (char_length(emoji) between 1 and 32 and emoji !~ '\s')
);

create index message_reactions_user_id_idx on public.message_reactions (user_id);

comment on table public.message_reactions is 'Emoji reactions to messages.';

create or replace function public.can_react_to_message(message_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.messages m
    join public.conversation_members cm on cm.conversation_id = m.conversation_id
    where m.id = can_react_to_message.message_id
      and m.deleted_at is null
      and cm.user_id = (select auth.uid())
  )
$$;

create or replace function public.can_read_message(message_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.messages m
    join public.conversation_members cm on cm.conversation_id = m.conversation_id
    where m.id = can_read_message.message_id
      and cm.user_id = (select auth.uid())
  )
$$;

comment on function public.can_react_to_message(uuid) is 'True when the caller is a member of the message''s conversation and it is not deleted.';
comment on function public.can_read_message(uuid) is 'True when the caller is a member of the message''s conversation.';

alter table public.message_reactions enable row level security;

create policy "Members can see reactions in their conversations"
  on public.message_reactions for select
  to authenticated
  using (public.can_read_message(message_id));

create policy "Members can react as themselves"
  on public.message_reactions for insert
  to authenticated
  with check (user_id = (select auth.uid()) and public.can_react_to_message(message_id));

create policy "Users can remove their own reactions"
  on public.message_reactions for delete
  to authenticated
  using (user_id = (select auth.uid()));

-- Reactions are added or removed, never edited.
revoke update on public.message_reactions from anon, authenticated;
-- RLS does not govern these, and the API never needs them.
revoke truncate, references, trigger on public.message_reactions from anon, authenticated;
