-- Demo data for `npm start` (and `supabase db reset`). Password for every user: pasabay-demo
-- Idempotent: every insert skips rows that already exist.

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous
)
select
  '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
  extensions.crypt('pasabay-demo', extensions.gen_salt('bf')), now(),
  '', '', '', '',
  '{"provider": "email", "providers": ["email"]}'::jsonb,
  jsonb_build_object('display_name', u.display_name), now(), now(), false
from (values
  ('11111111-1111-4111-8111-111111111111'::uuid, 'maria@example.com', 'Maria Santos'),
  ('22222222-2222-4222-8222-222222222222'::uuid, 'carlos@example.com', 'Carlos Reyes'),
  ('33333333-3333-4333-8333-333333333333'::uuid, 'ana@example.com', 'Ana Cruz')
) as u (id, email, display_name)
on conflict do nothing;

-- GoTrue signs email users in through their identity.
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       'email', now(), now(), now()
from auth.users u
where u.id in ('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222',
               '33333333-3333-4333-8333-333333333333')
on conflict do nothing;

-- Profiles come from the trigger on auth.users. Maria is the demo's support agent: open to
-- contact, so signed-in visitors (also anonymous guests) can see her and start a chat with her.
update public.profiles set open_to_contact = true
where id = '11111111-1111-4111-8111-111111111111' and not open_to_contact;

insert into public.meetings (id, title, host_id, status, scheduled_for)
values ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'Weekly sync', '11111111-1111-4111-8111-111111111111', 'live', now())
on conflict do nothing;

insert into public.meeting_participants (meeting_id, user_id, role)
values
  ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '11111111-1111-4111-8111-111111111111', 'host'),
  ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '22222222-2222-4222-8222-222222222222', 'participant'),
  ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '33333333-3333-4333-8333-333333333333', 'participant')
on conflict do nothing;

insert into public.conversations (id, kind, title, meeting_id, created_by)
values
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'direct', null, null, '11111111-1111-4111-8111-111111111111'),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'group', 'Trip to Cebu', null, '11111111-1111-4111-8111-111111111111'),
  -- Its members come from the meeting's participants (trigger).
  ('dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'meeting', 'Weekly sync', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
   '11111111-1111-4111-8111-111111111111')
on conflict do nothing;

insert into public.conversation_members (conversation_id, user_id, role)
values
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '11111111-1111-4111-8111-111111111111', 'owner'),
  ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '22222222-2222-4222-8222-222222222222', 'member'),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '11111111-1111-4111-8111-111111111111', 'owner'),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '22222222-2222-4222-8222-222222222222', 'member'),
  ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '33333333-3333-4333-8333-333333333333', 'member')
on conflict do nothing;

insert into public.messages (id, conversation_id, sender_id, body, created_at)
values
  ('a0000000-0000-4000-8000-000000000001', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '11111111-1111-4111-8111-111111111111',
   'Hi Carlos! Are you still flying to Manila on Friday?', now() - interval '50 minutes'),
  ('a0000000-0000-4000-8000-000000000002', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '22222222-2222-4222-8222-222222222222',
   'Yes, landing at 3pm. Happy to bring your package.', now() - interval '45 minutes'),
  ('a0000000-0000-4000-8000-000000000003', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '11111111-1111-4111-8111-111111111111',
   'Salamat! I''ll meet you at the arrivals hall.', now() - interval '44 minutes'),
  ('b0000000-0000-4000-8000-000000000001', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '33333333-3333-4333-8333-333333333333',
   'Who is up for island hopping on Saturday?', now() - interval '30 minutes'),
  ('b0000000-0000-4000-8000-000000000002', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '11111111-1111-4111-8111-111111111111',
   'Count me in 🏝️', now() - interval '28 minutes'),
  ('d0000000-0000-4000-8000-000000000001', 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', '11111111-1111-4111-8111-111111111111',
   'Agenda: delivery routes, then the new traveler onboarding.', now() - interval '5 minutes')
on conflict do nothing;
