-- Attachments (issue 12) as Storage and the REST API apply them: the `attachments` bucket, the
-- policies on storage.objects, and message_attachments filled from the stored objects. Maria and
-- Carlos share a conversation; Eve is signed in but no member. Everything is rolled back.
begin;

select plan(15);

insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data)
values
  ('a1000000-0000-4000-8000-00000000000a', 'authenticated', 'authenticated', 'maria.files@example.test',
   '{"display_name": "Maria"}', '{"provider": "email", "providers": ["email"]}'),
  ('b1000000-0000-4000-8000-00000000000b', 'authenticated', 'authenticated', 'carlos.files@example.test',
   '{"display_name": "Carlos"}', '{"provider": "email", "providers": ["email"]}'),
  ('e1000000-0000-4000-8000-00000000000e', 'authenticated', 'authenticated', 'eve.files@example.test',
   '{"display_name": "Eve"}', '{"provider": "email", "providers": ["email"]}');
insert into public.conversations (id, kind, title, created_by)
values ('c1000000-0000-4000-8000-00000000000c', 'group', 'Files', 'a1000000-0000-4000-8000-00000000000a');
insert into public.conversation_members (conversation_id, user_id, role)
values
  ('c1000000-0000-4000-8000-00000000000c', 'a1000000-0000-4000-8000-00000000000a', 'owner'),
  ('c1000000-0000-4000-8000-00000000000c', 'b1000000-0000-4000-8000-00000000000b', 'member');

select results_eq(
  $$ select public, file_size_limit from storage.buckets where id = 'attachments' $$,
  $$ values (false, 10485760::bigint) $$,
  'the attachments bucket is private with a 10 MiB limit'
);
select has_table('public', 'message_attachments', 'table public.message_attachments exists');

-- Maria uploads (as Storage does: the row is written as her, owner_id from her JWT).
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1000000-0000-4000-8000-00000000000a", "role": "authenticated", "aud": "authenticated"}';

select lives_ok(
  $$ insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
     values ('attachments', 'c1000000-0000-4000-8000-00000000000c/d1000000-0000-4000-8000-00000000000d/photo.png',
             'a1000000-0000-4000-8000-00000000000a', 'a1000000-0000-4000-8000-00000000000a',
             '{"mimetype": "image/png", "size": 1234}') $$,
  'a member uploads a file to her conversation as herself'
);
select throws_ok(
  $$ insert into storage.objects (bucket_id, name, owner_id)
     values ('attachments', 'c1000000-0000-4000-8000-00000000000c/d2000000-0000-4000-8000-00000000000d/x.png',
             'b1000000-0000-4000-8000-00000000000b') $$,
  '42501', null,
  'nobody uploads in someone else''s name'
);
select lives_ok(
  $$ insert into public.messages (id, conversation_id, body)
     values ('d1000000-0000-4000-8000-00000000000d', 'c1000000-0000-4000-8000-00000000000c', 'A photo') $$,
  'the message with the files'' id is sent'
);
select results_eq(
  $$ select file_name, mime_type, size_bytes from public.message_attachments
      where message_id = 'd1000000-0000-4000-8000-00000000000d' $$,
  $$ values ('photo.png'::text, 'image/png'::text, 1234::bigint) $$,
  'sending links the file, with name, type and size from storage'
);
select throws_ok(
  $$ insert into public.message_attachments (message_id, object_name)
     values ('d1000000-0000-4000-8000-00000000000d',
             'c1000000-0000-4000-8000-00000000000c/d1000000-0000-4000-8000-00000000000d/ghost.png') $$,
  '23503', null,
  'a link to a file that is not stored is refused'
);

-- Carlos, another member.
set local request.jwt.claims = '{"sub": "b1000000-0000-4000-8000-00000000000b", "role": "authenticated", "aud": "authenticated"}';
select is(
  (select count(*)::int from storage.objects where bucket_id = 'attachments'),
  1,
  'another member reads the file'
);
select throws_ok(
  $$ insert into storage.objects (bucket_id, name, owner_id)
     values ('attachments', 'c1000000-0000-4000-8000-00000000000c/d1000000-0000-4000-8000-00000000000d/mine.png',
             'b1000000-0000-4000-8000-00000000000b') $$,
  '42501', null,
  'nobody adds a file under someone else''s message'
);

-- Eve, signed in but no member.
set local request.jwt.claims = '{"sub": "e1000000-0000-4000-8000-00000000000e", "role": "authenticated", "aud": "authenticated"}';
select is(
  (select count(*)::int from storage.objects where bucket_id = 'attachments')
    + (select count(*)::int from public.message_attachments),
  0,
  'a non-member sees neither the file nor its link'
);
select throws_ok(
  $$ insert into storage.objects (bucket_id, name, owner_id)
     values ('attachments', 'c1000000-0000-4000-8000-00000000000c/d3000000-0000-4000-8000-00000000000d/x.png',
             'e1000000-0000-4000-8000-00000000000e') $$,
  '42501', null,
  'a non-member cannot upload to the conversation'
);

-- Maria deletes the message: Carlos can no longer read its file or its link; she still sees her
-- file, so the Storage API's remove (a DELETE under these policies) can take it away.
set local request.jwt.claims = '{"sub": "a1000000-0000-4000-8000-00000000000a", "role": "authenticated", "aud": "authenticated"}';
update public.messages set deleted_at = now() where id = 'd1000000-0000-4000-8000-00000000000d';
set local request.jwt.claims = '{"sub": "b1000000-0000-4000-8000-00000000000b", "role": "authenticated", "aud": "authenticated"}';
select is(
  (select count(*)::int from storage.objects where bucket_id = 'attachments')
    + (select count(*)::int from public.message_attachments),
  0,
  'a deleted message''s file and link are hidden from the other members'
);
set local request.jwt.claims = '{"sub": "a1000000-0000-4000-8000-00000000000a", "role": "authenticated", "aud": "authenticated"}';
select is(
  (select count(*)::int from storage.objects where bucket_id = 'attachments'),
  1,
  'the uploader still sees her file, to remove it'
);

-- The bucket's limits, for the chat to refuse a file before uploading it: members may read them
-- (storage.buckets itself they cannot), anon may not.
select results_eq(
  $$ select file_size_limit, 'image/png' = any (allowed_mime_types), 'image/svg+xml' = any (allowed_mime_types)
       from public.attachment_limits() $$,
  $$ values (10485760::bigint, true, false) $$,
  'a member reads the attachments bucket''s limits'
);
set local role anon;
select throws_ok($$ select * from public.attachment_limits() $$, '42501', null, 'anon cannot read them');
set local role authenticated;

select * from finish();
rollback;
