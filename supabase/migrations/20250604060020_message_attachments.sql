-- Issue 12: which stored files a message carries. A row is only ever made from an object the
-- Storage server recorded: name, size and type are copied from storage.objects, never taken from
-- the client, and the object must be the sender's own, under the message's conversation and id.
create table public.message_attachments (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null references public.messages (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  bucket_id text not null default 'attachments' check (bucket_id = 'attachments'),
  object_name text not null,
  file_name text not null,
  mime_type text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  uploaded_by uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  constraint message_attachments_object_once unique (message_id, object_name)
);

create index message_attachments_conversation_id_idx on public.message_attachments (conversation_id, message_id);

comment on table public.message_attachments is
  'Files (storage bucket attachments) a message carries; filled from storage.objects, never from the client.';

-- The one place the per-message limit is set.
create or replace function public.message_attachment_limit()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 10
$$;

-- Before insert: security definer to read storage.objects whatever its policies say; it checks
-- the caller itself (the message's sender, the object's owner) and overwrites every descriptive
-- column from the stored object.
create or replace function public.prepare_message_attachment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  message record;
  stored record;
begin
  select m.id, m.conversation_id, m.sender_id, m.deleted_at into message
  from public.messages m where m.id = new.message_id;
  if not found then
    raise exception 'No such message' using errcode = '23503';
  end if;
  if caller is not null and message.sender_id is distinct from caller then
    raise exception 'Only the sender adds attachments to a message' using errcode = '42501';
  end if;
  if caller is null and coalesce(auth.role(), 'service_role') <> 'service_role' then
    raise exception 'Sign in first' using errcode = '42501';
  end if;
  if message.deleted_at is not null then
    raise exception 'The message was deleted' using errcode = '42501';
  end if;
  if public.attachment_conversation_id(new.object_name) is distinct from message.conversation_id
     or public.attachment_message_id(new.object_name) is distinct from message.id then
    raise exception 'An attachment must be stored under <conversation_id>/<message_id>/ of its message'
      using errcode = '23514', hint = 'Upload it to ' || message.conversation_id || '/' || message.id || '/<file name>.';
  end if;

  select o.name, o.owner_id, o.metadata into stored
  from storage.objects o
  where o.bucket_id = 'attachments' and o.name = new.object_name;
  if not found then
    raise exception 'No stored file %', new.object_name using errcode = '23503';
  end if;
  if stored.owner_id is distinct from message.sender_id::text then
    raise exception 'The stored file was uploaded by someone else' using errcode = '42501';
  end if;

  if (select count(*) from public.message_attachments a where a.message_id = new.message_id)
     >= public.message_attachment_limit() then
    raise exception 'At most % attachments per message', public.message_attachment_limit()
      using errcode = '23514';
  end if;

  new.conversation_id := message.conversation_id;
  new.bucket_id := 'attachments';
  new.uploaded_by := message.sender_id;
  new.file_name := split_part(new.object_name, '/', 3);
  new.mime_type := coalesce(nullif(stored.metadata ->> 'mimetype', ''), 'application/octet-stream');
  new.size_bytes := coalesce((stored.metadata ->> 'size')::bigint, 0);
  new.created_at := now();
  return new;
end;
$$;

create trigger message_attachments_prepare_insert
  before insert on public.message_attachments
  for each row execute function public.prepare_message_attachment();

-- After a message is inserted, the files its sender uploaded under its folder become its
-- attachments in the same transaction, so a peer that hears of the message finds them at once.
create or replace function public.link_message_attachments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.message_attachments (message_id, object_name, file_name, mime_type, size_bytes, uploaded_by)
  select new.id, o.name, '', '', 0, new.sender_id
  from storage.objects o
  where o.bucket_id = 'attachments'
    and o.owner_id = new.sender_id::text
    and public.attachment_message_id(o.name) = new.id
    and public.attachment_conversation_id(o.name) = new.conversation_id
  order by o.created_at, o.name
  limit public.message_attachment_limit()
  on conflict (message_id, object_name) do nothing;
  return null;
end;
$$;

create trigger messages_link_attachments
  after insert on public.messages
  for each row execute function public.link_message_attachments();

alter table public.message_attachments enable row level security;

create policy "Members read their conversations' message attachments"
  on public.message_attachments for select
  to authenticated
  using (public.is_conversation_member(conversation_id));

create policy "Senders attach files to their own messages"
  on public.message_attachments for insert
  to authenticated
  with check (uploaded_by = (select auth.uid()) and public.is_conversation_member(conversation_id));

create policy "Senders remove attachments from their own messages"
  on public.message_attachments for delete
  to authenticated
  using (uploaded_by = (select auth.uid()));

revoke update on public.message_attachments from anon, authenticated;
revoke all on public.message_attachments from anon;
