-- A deleted message's files stop being readable. Before, deleting a message hid its text but its
-- attachments stayed downloadable by every member (the storage.objects policy only asked for
-- membership), and message_attachments still listed them.
--
-- The files are hidden, not destroyed: on hosted Supabase an object must be removed through the
-- Storage API (a row deleted in SQL leaves the file in the bucket). The uploader still sees their
-- own, because the Storage API's remove is a DELETE under these policies and PostgreSQL lets it
-- touch only rows the select policy shows. A signed URL made before the delete works until it
-- expires, as signed URLs do.
--
-- Files uploaded for a message that is not sent yet stay readable to members: only a message that
-- exists and is deleted hides its folder.

create or replace function public.attachment_message_deleted(message_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.messages m
    where m.id = attachment_message_deleted.message_id and m.deleted_at is not null
  )
$$;

comment on function public.attachment_message_deleted(uuid) is
  'Whether the message exists and is deleted; its attachments are then unreadable. For policies.';

revoke execute on function public.attachment_message_deleted(uuid) from public, anon;
grant execute on function public.attachment_message_deleted(uuid) to authenticated;

alter policy "Members read their conversations' attachments"
  on storage.objects
  using (
    bucket_id = 'attachments'
    and public.is_conversation_member(public.attachment_conversation_id(name))
    and (
      not public.attachment_message_deleted(public.attachment_message_id(name))
      or owner_id = (select auth.uid())::text
    )
  );

alter policy "Members read their conversations' message attachments"
  on public.message_attachments
  using (
    public.is_conversation_member(conversation_id)
    and not public.attachment_message_deleted(message_id)
  );
