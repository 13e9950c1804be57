-- The schema the elements need, as `supabase db push` leaves it: tables, RPCs, row level security
-- on every public table, the Realtime authorization policies and the Postgres Changes
-- publication. Run with `supabase test db` (or scripts/run-pgtap.sh); everything is rolled back.
-- To cover a new table or function, add it to the arrays below (the plan counts them).
begin;

select plan(43);

-- Tables the elements read and write through the REST API.
select has_table('public', t, format('table public.%s exists', t))
from unnest(array[
  'profiles', 'conversations', 'conversation_members', 'messages', 'message_reactions',
  'meetings', 'meeting_participants', 'rate_limits', 'rate_limit_counters',
  'organizations', 'organization_members', 'message_attachments'
]::text[]) as t;

-- The RPCs the elements and host apps call (name and argument types).
select has_function('public', f, args, format('function public.%s(%s) exists', f, array_to_string(args, ', ')))
from (values
  ('start_direct_conversation', array['uuid']),
  ('create_group_conversation', array['text', 'uuid[]']),
  ('get_or_create_conversation', array['text', 'uuid[]', 'text', 'text']),
  ('mark_conversation_read', array['uuid']),
  ('join_meeting', array['uuid']),
  ('leave_meeting', array['uuid']),
  ('update_meeting_state', array['uuid', 'boolean', 'boolean', 'boolean', 'boolean', 'boolean']),
  ('invite_to_meeting', array['uuid', 'uuid[]']),
  ('send_typing', array['uuid', 'boolean']),
  ('realtime_topic_allows', array['text', 'text', 'boolean']),
  ('can_reach', array['uuid']),
  ('pasabay_hook_can_reach', array['uuid', 'uuid']),
  ('pasabay_hook_can_open_external_ref', array['uuid', 'text', 'uuid[]']),
  ('conversation_list', array['text', 'timestamp with time zone', 'uuid', 'integer', 'uuid[]']),
  ('attachment_limits', array[]::text[]),
  ('my_unread_mentions', array['uuid']),
  ('open_meeting_conversation', array['uuid']),
  ('send_meeting_reaction', array['uuid', 'text']),
  ('start_meeting', array['uuid']),
  ('end_meeting', array['uuid']),
  ('lower_hand', array['uuid', 'uuid']),
  ('remove_participant', array['uuid', 'uuid']),
  ('report_connection_quality', array['uuid', 'text'])
) as rpc (f, args);

-- Row level security on every table of the public schema (one without it would be wide open to
-- the API), and a policy on every table the signed-in role may read (bookkeeping tables such as
-- rate_limit_counters grant the API roles nothing and need none).
select is(
  (select coalesce(array_agg(c.relname::text order by c.relname), '{}')
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity),
  '{}'::text[],
  'row level security is enabled on every public table'
);
select is(
  (select coalesce(array_agg(c.relname::text order by c.relname), '{}')
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p')
     and has_table_privilege('authenticated', c.oid, 'select')
     and not exists (select 1 from pg_policy p where p.polrelid = c.oid)),
  '{}'::text[],
  'every public table the signed-in role may read has a policy'
);

-- Private channels: read (join / receive) and write (send / track) policies on realtime.messages.
select ok(
  (select relrowsecurity from pg_class where oid = 'realtime.messages'::regclass),
  'row level security is enabled on realtime.messages'
);
select ok(
  exists (select 1 from pg_policy where polrelid = 'realtime.messages'::regclass and polcmd = 'r'),
  'realtime.messages has a select policy (who may receive)'
);
select ok(
  exists (select 1 from pg_policy where polrelid = 'realtime.messages'::regclass and polcmd = 'a'),
  'realtime.messages has an insert policy (who may send)'
);

-- Postgres Changes (`realtime="postgres-changes"`) streams messages through this publication.
select ok(
  exists (select 1 from pg_publication_tables
          where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'messages'),
  'public.messages is in the supabase_realtime publication'
);
-- The conversation list and the launcher badge follow their conversations on user:<id>.
select ok(
  exists (select 1 from pg_publication_tables
          where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'conversations'),
  'public.conversations is in the supabase_realtime publication'
);

-- New users get a profile from a trigger on auth.users.
select ok(
  exists (select 1 from pg_trigger
          where tgrelid = 'auth.users'::regclass and not tgisinternal
            and tgfoid = 'public.create_profile_for_new_user()'::regprocedure),
  'a trigger on auth.users creates each new user''s profile'
);

select * from finish();
rollback;
