-- Row level security as the REST API applies it: each check runs as the `authenticated` role with
-- the JWT claims PostgREST would set for that user. Maria and Carlos share a conversation; Eve is
-- signed in but no member. Everything is rolled back.
begin;

select plan(12);

-- Users as the Auth service creates them: a row in auth.users (the profile comes from a trigger).
insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data)
values
  ('a0000000-0000-4000-8000-00000000000a', 'authenticated', 'authenticated', 'maria.pgtap@example.test',
   '{"display_name": "Maria"}', '{"provider": "email", "providers": ["email"]}'),
  ('b0000000-0000-4000-8000-00000000000b', 'authenticated', 'authenticated', 'carlos.pgtap@example.test',
   '{"display_name": "Carlos"}', '{"provider": "email", "providers": ["email"]}'),
  ('e0000000-0000-4000-8000-00000000000e', 'authenticated', 'authenticated', 'eve.pgtap@example.test',
   '{"display_name": "Eve"}', '{"provider": "email", "providers": ["email"]}');

select is(
  (select count(*)::int from public.profiles where id in (
    'a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b',
    'e0000000-0000-4000-8000-00000000000e')),
  3,
  'each new auth user gets a profile'
);

-- Fixtures written as the table owner (as your backend would with the service role).
insert into public.conversations (id, kind, title, created_by)
values ('c0000000-0000-4000-8000-00000000000c', 'group', 'pgTAP', 'a0000000-0000-4000-8000-00000000000a');
insert into public.conversation_members (conversation_id, user_id, role)
values
  ('c0000000-0000-4000-8000-00000000000c', 'a0000000-0000-4000-8000-00000000000a', 'owner'),
  ('c0000000-0000-4000-8000-00000000000c', 'b0000000-0000-4000-8000-00000000000b', 'member');
insert into public.messages (id, conversation_id, sender_id, body)
values ('f0000000-0000-4000-8000-00000000000f', 'c0000000-0000-4000-8000-00000000000c',
        'b0000000-0000-4000-8000-00000000000b', 'Hello from Carlos');

-- Maria, a member.
set local role authenticated;
set local request.jwt.claims = '{"sub": "a0000000-0000-4000-8000-00000000000a", "role": "authenticated", "aud": "authenticated"}';

select is(auth.uid(), 'a0000000-0000-4000-8000-00000000000a'::uuid, 'auth.uid() is the JWT subject');
select results_eq(
  $$ select id from public.conversations $$,
  $$ values ('c0000000-0000-4000-8000-00000000000c'::uuid) $$,
  'a member reads her conversation'
);
select results_eq(
  $$ select body from public.messages where conversation_id = 'c0000000-0000-4000-8000-00000000000c' $$,
  $$ values ('Hello from Carlos'::text) $$,
  'a member reads the messages of her conversation'
);
select is(
  (select count(*)::int from public.conversation_members where conversation_id = 'c0000000-0000-4000-8000-00000000000c'),
  2,
  'a member sees who else is in her conversation'
);
select lives_ok(
  $$ insert into public.messages (conversation_id, body)
     values ('c0000000-0000-4000-8000-00000000000c', 'Hi Carlos') $$,
  'a member sends a message (sender_id defaults to the caller)'
);
select is(
  (select sender_id from public.messages where body = 'Hi Carlos'),
  'a0000000-0000-4000-8000-00000000000a'::uuid,
  'the message is recorded as sent by the caller'
);
select throws_ok(
  $$ insert into public.messages (conversation_id, sender_id, body)
     values ('c0000000-0000-4000-8000-00000000000c', 'b0000000-0000-4000-8000-00000000000b', 'Forged') $$,
  '42501',
  null,
  'a member cannot send a message in another member''s name'
);
select is_empty(
  $$ update public.messages set body = 'Edited by Maria'
     where id = 'f0000000-0000-4000-8000-00000000000f' returning id $$,
  'a member cannot edit another member''s message'
);

-- Eve, signed in but not a member.
set local request.jwt.claims = '{"sub": "e0000000-0000-4000-8000-00000000000e", "role": "authenticated", "aud": "authenticated"}';

select is_empty($$ select id from public.conversations $$, 'a stranger reads no conversation');
select is_empty($$ select id from public.messages $$, 'a stranger reads no message');
select throws_ok(
  $$ insert into public.messages (conversation_id, body)
     values ('c0000000-0000-4000-8000-00000000000c', 'Let me in') $$,
  '42501',
  null,
  'a stranger cannot post into the conversation'
);

reset role;
select * from finish();
rollback;
