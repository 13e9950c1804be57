-- Mentions as the REST API applies them: Maria and Carlos share a conversation, Eve is signed in
-- but no member. Only members can be mentioned, each shown as @name in the body; each mentioned
-- person gets one `mention` notice on user:<id>; my_unread_mentions() counts from the read
-- position. Everything is rolled back.
begin;

select plan(10);

insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data)
values
  ('a1000000-0000-4000-8000-00000000000a', 'authenticated', 'authenticated', 'maria.mentions@example.test',
   '{"display_name": "Maria"}', '{"provider": "email", "providers": ["email"]}'),
  ('b1000000-0000-4000-8000-00000000000b', 'authenticated', 'authenticated', 'carlos.mentions@example.test',
   '{"display_name": "Carlos Reyes"}', '{"provider": "email", "providers": ["email"]}'),
  ('e1000000-0000-4000-8000-00000000000e', 'authenticated', 'authenticated', 'eve.mentions@example.test',
   '{"display_name": "Eve"}', '{"provider": "email", "providers": ["email"]}');

insert into public.conversations (id, kind, title, created_by)
values ('c1000000-0000-4000-8000-00000000000c', 'group', 'pgTAP mentions', 'a1000000-0000-4000-8000-00000000000a');
insert into public.conversation_members (conversation_id, user_id, role)
values
  ('c1000000-0000-4000-8000-00000000000c', 'a1000000-0000-4000-8000-00000000000a', 'owner'),
  ('c1000000-0000-4000-8000-00000000000c', 'b1000000-0000-4000-8000-00000000000b', 'member');

select has_column('public', 'messages', 'mentions', 'messages has a mentions column');
select has_function('public', 'my_unread_mentions', array['uuid'], 'my_unread_mentions(uuid) exists');

-- Maria, a member.
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1000000-0000-4000-8000-00000000000a", "role": "authenticated", "aud": "authenticated"}';

select throws_ok(
  $$ insert into public.messages (conversation_id, body, mentions)
     values ('c1000000-0000-4000-8000-00000000000c', 'hi @Eve', array['e1000000-0000-4000-8000-00000000000e'::uuid]) $$,
  '42501',
  'Only members of this conversation can be mentioned',
  'a member cannot mention someone outside the conversation'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, body, mentions)
     values ('c1000000-0000-4000-8000-00000000000c', 'hi Carlos', array['b1000000-0000-4000-8000-00000000000b'::uuid]) $$,
  '22023',
  null,
  'a mention must appear in the body as @ and the name'
);
select results_eq(
  $$ insert into public.messages (conversation_id, body, mentions)
     values ('c1000000-0000-4000-8000-00000000000c', 'hi @Carlos Reyes',
             array['b1000000-0000-4000-8000-00000000000b', 'b1000000-0000-4000-8000-00000000000b']::uuid[])
     returning mentions $$,
  $$ values (array['b1000000-0000-4000-8000-00000000000b']::uuid[]) $$,
  'a member mentions another member, once'
);
select throws_ok(
  $$ update public.messages set mentions = '{}' where body = 'hi @Carlos Reyes' $$,
  '42501',
  null,
  'the sender cannot rewrite mentions afterwards'
);

-- Carlos, the one mentioned.
set local request.jwt.claims = '{"sub": "b1000000-0000-4000-8000-00000000000b", "role": "authenticated", "aud": "authenticated"}';

select results_eq(
  $$ select conversation_id, unread_mentions from public.my_unread_mentions() $$,
  $$ values ('c1000000-0000-4000-8000-00000000000c'::uuid, 1) $$,
  'the mentioned member has one unread mention'
);

reset role;

select is(
  (select count(*)::int from realtime.messages
   where topic = 'user:b1000000-0000-4000-8000-00000000000b' and event = 'mention'),
  1,
  'one mention notice on the mentioned member''s topic'
);
select is(
  (select count(*)::int from realtime.messages
   where topic = 'user:a1000000-0000-4000-8000-00000000000a' and event = 'mention'),
  0,
  'no mention notice for the sender'
);

-- Maria edits the @name out of her message: the mention goes with it.
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1000000-0000-4000-8000-00000000000a", "role": "authenticated", "aud": "authenticated"}';
update public.messages set body = 'hi there' where body = 'hi @Carlos Reyes';
set local request.jwt.claims = '{"sub": "b1000000-0000-4000-8000-00000000000b", "role": "authenticated", "aud": "authenticated"}';
select results_eq(
  $$ select conversation_id, unread_mentions from public.my_unread_mentions() $$,
  $$ values ('c1000000-0000-4000-8000-00000000000c'::uuid, 0) $$,
  'an edit that removes the @name removes the unread mention'
);
reset role;

select * from finish();
rollback;
