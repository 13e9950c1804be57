-- The attachments bucket's limits, for <pasabay-chat> to refuse a file before uploading it (a
-- 200 MB video used to travel in full before Storage answered 413). Storage still enforces them;
-- this only lets a member read them, since storage.buckets is not readable by members (its RLS
-- has no policy for them, on Supabase as here).
create or replace function public.attachment_limits()
returns table (file_size_limit bigint, allowed_mime_types text[])
language sql
stable
security definer
set search_path = ''
as $$
  select b.file_size_limit, b.allowed_mime_types from storage.buckets b where b.id = 'attachments'
$$;

comment on function public.attachment_limits() is
  'The attachments bucket''s size limit (bytes, null: none) and allowed MIME types (null: any), for a check before uploading.';

revoke execute on function public.attachment_limits() from public, anon;
grant execute on function public.attachment_limits() to authenticated;
