-- Messages with server-side rules: sender is the caller, body 1..4000 characters after trimming,
-- server time, soft delete, a per-user send rate limit, and the unread/last-message bookkeeping.
create table public.messages (
  -- A client may supply the id so that a retried send cannot duplicate
  -- (insert ... on conflict (id) do nothing).
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  sender_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  body text not null,
  reply_to uuid references public.messages (id) on delete set null,
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  constraint messages_body_length check (
    (deleted_at is not null and body = '') or char_length(body) between 1 and 4000
  )
);

create index messages_conversation_id_created_at_idx on public.messages (conversation_id, created_at desc, id desc);
create index messages_sender_id_created_at_idx on public.messages (sender_id, created_at desc);

comment on table public.messages is 'Chat messages. Soft-deleted messages keep their row with an empty body.';

-- Postgres Changes subscribers filter on conversation_id; a full old row lets UPDATE events carry it.
alter table public.messages replica identity full;

-- The one place the send rate limit is set: messages per user per minute.
create or replace function public.message_rate_limit()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 30
$$;

comment on function public.message_rate_limit() is 'Messages a user may send per minute; change here to adjust.';

create or replace function public.message_body_is_valid(body text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select body is not null and char_length(body) between 1 and 4000
$$;

-- Before insert: the server decides sender, time and the trimmed body; members only; rate limit.
-- security definer so the rate limit counts all of the caller's messages (also in conversations
-- they have since left) and a retried id is recognised; it checks the caller itself.
create or replace function public.prepare_new_message()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  sent_last_minute integer;
begin
  if caller is not null then
    if new.sender_id is distinct from caller then
      raise exception 'sender_id must be the signed-in user'
        using errcode = '42501', hint = 'Leave sender_id out; it defaults to the caller.';
    end if;
  end if;
  if caller is null and coalesce(auth.role(), 'service_role') <> 'service_role' then
    raise exception 'Sign in first' using errcode = '42501';
  end if;
  if new.sender_id is null then
    raise exception 'sender_id is required when not signed in' using errcode = '23502';
  end if;
  -- Also for service_role writes: a message always comes from a member.
  if not exists (
    select 1 from public.conversation_members cm
    where cm.conversation_id = new.conversation_id and cm.user_id = new.sender_id
  ) then
    raise exception 'Not a member of this conversation' using errcode = '42501';
  end if;

  new.body := btrim(new.body, E' \t\r\n\f\v');
  if not public.message_body_is_valid(new.body) then
    raise exception 'Message body must be 1 to 4000 characters after trimming'
      using errcode = '23514';
  end if;

  if new.reply_to is not null and not exists (
    select 1 from public.messages m where m.id = new.reply_to and m.conversation_id = new.conversation_id
  ) then
    raise exception 'reply_to must be a message in the same conversation' using errcode = '23503';
  end if;

  -- Server time for every API caller; only a direct database session without any JWT (seed,
  -- admin import) may keep the created_at it supplies.
  if auth.role() is not null or new.created_at is null then
    new.created_at := now();
  end if;
  new.edited_at := null;
  new.deleted_at := null;

  -- A retried send of an existing id is a no-op (on conflict do nothing), never a rate-limit hit.
  if caller is not null and not exists (select 1 from public.messages m where m.id = new.id) then
    -- One sender at a time, so parallel sends cannot both slip under the limit.
    perform pg_advisory_xact_lock(hashtextextended('pasabay.message_rate:' || caller::text, 0));
    select count(*) into sent_last_minute
    from public.messages m
    where m.sender_id = caller and m.created_at > now() - interval '1 minute';
    if sent_last_minute >= public.message_rate_limit() then
      raise exception 'Rate limit exceeded: at most % messages a minute', public.message_rate_limit()
        using errcode = 'PT429', hint = 'Wait a moment before sending again.';
    end if;
  end if;
  return new;
end;
$$;

create trigger messages_prepare_insert
  before insert on public.messages
  for each row execute function public.prepare_new_message();

-- Before update: only the body (an edit) or deleted_at (soft delete) change; a deleted message is final.
create or replace function public.prepare_message_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.deleted_at is not null then
    raise exception 'A deleted message cannot be changed' using errcode = '22023';
  end if;
  new.id := old.id;
  new.conversation_id := old.conversation_id;
  new.sender_id := old.sender_id;
  new.created_at := old.created_at;
  new.reply_to := old.reply_to;
  if new.deleted_at is not null then
    new.deleted_at := now();
    new.body := '';
    new.edited_at := old.edited_at;
  elsif new.body is distinct from old.body then
    new.body := btrim(new.body, E' \t\r\n\f\v');
    if not public.message_body_is_valid(new.body) then
      raise exception 'Message body must be 1 to 4000 characters after trimming'
        using errcode = '23514';
    end if;
    new.edited_at := now();
  else
    new.edited_at := old.edited_at;
  end if;
  return new;
end;
$$;

create trigger messages_prepare_update
  before update on public.messages
  for each row execute function public.prepare_message_change();

create or replace function public.message_preview(body text)
returns text
language sql
immutable
set search_path = ''
as $$
  select left(regexp_replace(body, '\s+', ' ', 'g'), 140)
$$;

-- After insert: the conversation's last message and every other member's unread count.
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

  update public.conversation_members cm
  set unread_count = cm.unread_count + 1
  where cm.conversation_id = new.conversation_id and cm.user_id <> new.sender_id;
  return null;
end;
$$;

create trigger messages_record_insert
  after insert on public.messages
  for each row execute function public.record_new_message();

-- After an edit or soft delete of the latest message, its preview follows.
create or replace function public.refresh_last_message_preview()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.conversations c
  set last_message_preview = public.message_preview(new.body)
  where c.id = new.conversation_id
    and not exists (
      select 1 from public.messages m
      where m.conversation_id = new.conversation_id
        and (m.created_at, m.id) > (new.created_at, new.id)
    );
  return null;
end;
$$;

create trigger messages_refresh_preview
  after update on public.messages
  for each row
  when (old.body is distinct from new.body)
  execute function public.refresh_last_message_preview();

alter table public.messages enable row level security;

create policy "Members can read messages in their conversations"
  on public.messages for select
  to authenticated
  using (public.is_conversation_member(conversation_id));

create policy "Members can send messages as themselves"
  on public.messages for insert
  to authenticated
  with check (sender_id = (select auth.uid()) and public.is_conversation_member(conversation_id));

create policy "Senders can edit and delete their own messages"
  on public.messages for update
  to authenticated
  using (sender_id = (select auth.uid()) and public.is_conversation_member(conversation_id))
  with check (sender_id = (select auth.uid()));

-- No delete policy: messages are soft-deleted (deleted_at), so replies and receipts keep their anchor.

revoke update on public.messages from anon, authenticated;
grant update (body, deleted_at) on public.messages to authenticated;
-- RLS does not govern these, and the API never needs them.
revoke truncate, references, trigger on public.messages from anon, authenticated;
