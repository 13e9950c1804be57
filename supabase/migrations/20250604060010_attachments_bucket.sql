-- Issue 12: chat attachments in Supabase Storage. One private bucket, `attachments`, with a size
-- and type limit the Storage server enforces, and policies on storage.objects so that only members
-- of a conversation read or write its files. Object names are
-- `<conversation_id>/<message_id>/<file name>`: the message id is made in the browser before the
-- message is sent, so files upload first and the message links them when it is inserted.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'attachments',
  'attachments',
  false,
  10485760, -- 10 MiB
  -- No image/svg+xml: an SVG opened from the API origin could run script.
  array[
    'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif',
    'application/pdf', 'text/plain', 'text/csv', 'application/zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
    'audio/mpeg', 'audio/ogg', 'video/mp4', 'video/webm'
  ]
)
-- A project that already tuned its bucket keeps its own limits.
on conflict (id) do nothing;

-- The conversation of an attachment object name, or null when the name is not exactly
-- `<uuid>/<uuid>/<file name>` (so a malformed name never reaches a uuid cast and fails a policy
-- instead of raising). ASCII classes only: the same on every collation and locale.
create or replace function public.attachment_conversation_id(object_name text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when object_name ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[^/]+$'
    then split_part(object_name, '/', 1)::uuid
  end
$$;

create or replace function public.attachment_message_id(object_name text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when public.attachment_conversation_id(object_name) is not null
    then split_part(object_name, '/', 2)::uuid
  end
$$;

comment on function public.attachment_conversation_id(text) is
  'Conversation id of an attachments object name <conversation>/<message>/<file>, null if malformed.';
comment on function public.attachment_message_id(text) is
  'Message id of an attachments object name <conversation>/<message>/<file>, null if malformed.';

create policy "Members read their conversations' attachments"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'attachments'
    and public.is_conversation_member(public.attachment_conversation_id(name))
  );

-- Files go to a message that is not sent yet, or to the caller's own message: nobody can add a
-- file under someone else's message.
create policy "Members upload attachments to their conversations as themselves"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and public.is_conversation_member(public.attachment_conversation_id(name))
    and not exists (
      select 1 from public.messages m
      where m.id = public.attachment_message_id(name)
        and m.sender_id is distinct from (select auth.uid())
    )
  );

-- Upsert replaces a file the caller uploaded, in a conversation they are still in.
create policy "Uploaders replace their own attachments"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and public.is_conversation_member(public.attachment_conversation_id(name))
  )
  with check (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and public.is_conversation_member(public.attachment_conversation_id(name))
  );

create policy "Uploaders remove their own attachments"
  on storage.objects for delete
  to authenticated
  using (bucket_id = 'attachments' and owner_id = (select auth.uid())::text);
