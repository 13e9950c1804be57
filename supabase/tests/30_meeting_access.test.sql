-- Meetings under row level security, as the REST API runs them (role `authenticated`, the user's
-- JWT claims): Maria hosts, Carlos is invited, Eve is neither. Everyone records only their own
-- call state. Everything is rolled back.
begin;

select plan(9);

insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data)
values
  ('a0000000-0000-4000-8000-00000000000a', 'authenticated', 'authenticated', 'maria.pgtap@example.test',
   '{"display_name": "Maria"}', '{"provider": "email", "providers": ["email"]}'),
  ('b0000000-0000-4000-8000-00000000000b', 'authenticated', 'authenticated', 'carlos.pgtap@example.test',
   '{"display_name": "Carlos"}', '{"provider": "email", "providers": ["email"]}'),
  ('e0000000-0000-4000-8000-00000000000e', 'authenticated', 'authenticated', 'eve.pgtap@example.test',
   '{"display_name": "Eve"}', '{"provider": "email", "providers": ["email"]}');
insert into public.meetings (id, title, host_id)
values ('d0000000-0000-4000-8000-00000000000d', 'pgTAP meeting', 'a0000000-0000-4000-8000-00000000000a');
insert into public.meeting_participants (meeting_id, user_id)
values ('d0000000-0000-4000-8000-00000000000d', 'b0000000-0000-4000-8000-00000000000b');

select results_eq(
  $$ select user_id, role from public.meeting_participants
     where meeting_id = 'd0000000-0000-4000-8000-00000000000d' order by role, user_id $$,
  $$ values ('a0000000-0000-4000-8000-00000000000a'::uuid, 'host'::text),
            ('b0000000-0000-4000-8000-00000000000b'::uuid, 'participant'::text) $$,
  'the host is a participant too (trigger), next to the invited user'
);

set local role authenticated;

-- Carlos, invited.
set local request.jwt.claims = '{"sub": "b0000000-0000-4000-8000-00000000000b", "role": "authenticated", "aud": "authenticated"}';
select results_eq(
  $$ select title from public.meetings $$,
  $$ values ('pgTAP meeting'::text) $$,
  'an invited user reads the meeting'
);
select is(
  (select count(*)::int from public.meeting_participants where meeting_id = 'd0000000-0000-4000-8000-00000000000d'),
  2,
  'an invited user sees who else is in the meeting'
);
select lives_ok(
  $$ select public.update_meeting_state('d0000000-0000-4000-8000-00000000000d', is_muted => true) $$,
  'a participant records their own state'
);
select is_empty(
  $$ update public.meeting_participants set is_hand_raised = true
     where meeting_id = 'd0000000-0000-4000-8000-00000000000d'
       and user_id = 'a0000000-0000-4000-8000-00000000000a' returning user_id $$,
  'a participant cannot change someone else''s state'
);
select is_empty(
  $$ update public.meetings set title = 'Mine now' where id = 'd0000000-0000-4000-8000-00000000000d' returning id $$,
  'only the host renames the meeting'
);

-- Eve, neither host nor invited.
set local request.jwt.claims = '{"sub": "e0000000-0000-4000-8000-00000000000e", "role": "authenticated", "aud": "authenticated"}';
select is_empty($$ select id from public.meetings $$, 'a stranger reads no meeting');
select throws_ok(
  $$ select public.join_meeting('d0000000-0000-4000-8000-00000000000d') $$,
  '42501',
  null,
  'a stranger cannot join the meeting'
);

reset role;
select results_eq(
  $$ select user_id, is_muted, is_hand_raised from public.meeting_participants
     where meeting_id = 'd0000000-0000-4000-8000-00000000000d' order by user_id $$,
  $$ values ('a0000000-0000-4000-8000-00000000000a'::uuid, false, false),
            ('b0000000-0000-4000-8000-00000000000b'::uuid, true, false) $$,
  'only Carlos''s own flag changed'
);

select * from finish();
rollback;
