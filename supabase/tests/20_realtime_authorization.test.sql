-- Private channel authorization as Supabase Realtime checks it: a probe row on realtime.messages,
-- then, as the `authenticated` role with the user's JWT claims and `realtime.topic` set, "can
-- select it" means the user may join and receive, "can insert" means the user may send (for
-- presence: track). Maria hosts a meeting and shares a conversation with Carlos; Eve is a stranger.
-- Everything is rolled back.
begin;

select plan(16);

insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data)
values
  ('a0000000-0000-4000-8000-00000000000a', 'authenticated', 'authenticated', 'maria.pgtap@example.test',
   '{"display_name": "Maria"}', '{"provider": "email", "providers": ["email"]}'),
  ('b0000000-0000-4000-8000-00000000000b', 'authenticated', 'authenticated', 'carlos.pgtap@example.test',
   '{"display_name": "Carlos"}', '{"provider": "email", "providers": ["email"]}'),
  ('e0000000-0000-4000-8000-00000000000e', 'authenticated', 'authenticated', 'eve.pgtap@example.test',
   '{"display_name": "Eve"}', '{"provider": "email", "providers": ["email"]}');
insert into public.conversations (id, kind, title, created_by)
values ('c0000000-0000-4000-8000-00000000000c', 'group', 'pgTAP', 'a0000000-0000-4000-8000-00000000000a');
insert into public.conversation_members (conversation_id, user_id, role)
values
  ('c0000000-0000-4000-8000-00000000000c', 'a0000000-0000-4000-8000-00000000000a', 'owner'),
  ('c0000000-0000-4000-8000-00000000000c', 'b0000000-0000-4000-8000-00000000000b', 'member');
-- The host becomes a participant through a trigger.
insert into public.meetings (id, title, host_id)
values ('d0000000-0000-4000-8000-00000000000d', 'pgTAP meeting', 'a0000000-0000-4000-8000-00000000000a');

-- May `who` receive on `topic`? Realtime's join check: a probe row the user must be able to select.
create function pg_temp.can_receive(who uuid, topic text, extension text default 'broadcast')
returns boolean
language plpgsql
as $$
declare
  probe uuid;
  seen boolean;
begin
  insert into realtime.messages (topic, extension) values (topic, extension) returning id into probe;
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', json_build_object('sub', who, 'role', 'authenticated')::text, true);
  perform set_config('realtime.topic', topic, true);
  seen := exists (select 1 from realtime.messages m where m.id = probe);
  reset role;
  -- The probe row stays until the final rollback: on a hosted project `postgres` may not delete
  -- from realtime.messages, and every check selects only its own probe.
  return seen;
end;
$$;

-- May `who` send (broadcast) or track (presence) on `topic`? 42501 means refused.
create function pg_temp.can_send(who uuid, topic text, extension text default 'broadcast')
returns boolean
language plpgsql
as $$
begin
  begin
    perform set_config('role', 'authenticated', true);
    perform set_config('request.jwt.claims', json_build_object('sub', who, 'role', 'authenticated')::text, true);
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (topic, extension) values (topic, extension);
    -- Undo the row: a subtransaction that always fails back to its start.
    raise exception using errcode = 'P0001', message = 'sent';
  exception
    when insufficient_privilege then
      reset role;
      return false;
    when raise_exception then
      reset role;
      return true;
  end;
end;
$$;

select ok(pg_temp.can_receive('a0000000-0000-4000-8000-00000000000a', 'conversation:c0000000-0000-4000-8000-00000000000c'),
  'a member receives on conversation:<id>');
select ok(pg_temp.can_receive('b0000000-0000-4000-8000-00000000000b', 'conversation:c0000000-0000-4000-8000-00000000000c:typing'),
  'a member receives on conversation:<id>:typing');
select ok(not pg_temp.can_receive('e0000000-0000-4000-8000-00000000000e', 'conversation:c0000000-0000-4000-8000-00000000000c'),
  'a stranger cannot join conversation:<id>');
select ok(not pg_temp.can_send('a0000000-0000-4000-8000-00000000000a', 'conversation:c0000000-0000-4000-8000-00000000000c'),
  'not even a member may broadcast on conversation:<id> (only the database does)');
select ok(not pg_temp.can_send('a0000000-0000-4000-8000-00000000000a', 'conversation:c0000000-0000-4000-8000-00000000000c:typing'),
  'nobody broadcasts typing directly (send_typing does)');

select ok(pg_temp.can_receive('a0000000-0000-4000-8000-00000000000a', 'meeting:d0000000-0000-4000-8000-00000000000d'),
  'the host receives on meeting:<id>');
select ok(not pg_temp.can_receive('b0000000-0000-4000-8000-00000000000b', 'meeting:d0000000-0000-4000-8000-00000000000d'),
  'someone not invited cannot join meeting:<id>');
select ok(not pg_temp.can_send('a0000000-0000-4000-8000-00000000000a', 'meeting:d0000000-0000-4000-8000-00000000000d'),
  'nobody broadcasts on meeting:<id>');
select ok(pg_temp.can_send('a0000000-0000-4000-8000-00000000000a', 'meeting:d0000000-0000-4000-8000-00000000000d:presence', 'presence'),
  'a participant tracks presence on meeting:<id>:presence');
select ok(not pg_temp.can_send('a0000000-0000-4000-8000-00000000000a', 'meeting:d0000000-0000-4000-8000-00000000000d:presence'),
  'but does not broadcast there');
select ok(not pg_temp.can_send('e0000000-0000-4000-8000-00000000000e', 'meeting:d0000000-0000-4000-8000-00000000000d:presence', 'presence'),
  'a stranger cannot track presence in the meeting');

select ok(pg_temp.can_receive('e0000000-0000-4000-8000-00000000000e', 'user:e0000000-0000-4000-8000-00000000000e'),
  'a user receives on their own user:<id>');
select ok(not pg_temp.can_receive('e0000000-0000-4000-8000-00000000000e', 'user:a0000000-0000-4000-8000-00000000000a'),
  'but not on someone else''s');
select ok(not pg_temp.can_send('e0000000-0000-4000-8000-00000000000e', 'user:e0000000-0000-4000-8000-00000000000e'),
  'nobody broadcasts on user:<id>');

select ok(not pg_temp.can_receive('a0000000-0000-4000-8000-00000000000a', 'anything-else'),
  'topics outside the layout are refused');
select ok(not pg_temp.can_receive('a0000000-0000-4000-8000-00000000000a', 'conversation:c0000000-0000-4000-8000-00000000000c:secret'),
  'unknown sub-topics are refused');

select * from finish();
rollback;
