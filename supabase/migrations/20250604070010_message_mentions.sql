-- Mentions: a message names the members it mentions in messages.mentions, and the database decides
-- what that list may hold and what it costs.
--
-- Rules (trigger validate_message_mentions, for every insert, API or not):
--   * only current members of the conversation; anyone else is refused (42501), so a client
--     cannot plant a mention of, or a notice to, a stranger;
--   * duplicates and nulls are removed, first occurrence kept;
--   * at most mention_limit() people per message (22023), so one message costs a bounded number
--     of notices;
--   * the body must show each mentioned person as "@" followed by their profile name, exactly as
--     stored (22023): a mention is never invisible in the text its readers see. The check is a
--     plain substring search (strpos), the same under every locale and collation.
-- Mentions are fixed when the message is sent: an edit keeps them (and sends nothing again); a
-- soft delete clears them.
--
-- Cost per message stays constant in the number of members:
--   * one `mention` notice on user:<id> per mentioned person other than the sender, carrying the
--     message and their unread mention count;
--   * a member's unread mention count is derived from their read position exactly like the unread
--     count (same index walk, one more condition), answered by my_unread_mentions(). It is a
--     separate RPC rather than a new column of my_conversations() so that function keeps its
--     shape for the clients that already call it.

alter table public.messages add column mentions uuid[] not null default '{}';

comment on column public.messages.mentions is 'Members mentioned by @name in the body; validated by the database, fixed at send, cleared on delete.';

create or replace function public.mention_limit()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 20
$$;

comment on function public.mention_limit() is 'People one message may mention; change here to adjust.';

-- Named to fire after messages_prepare_insert (before-triggers run in name order), so the body is
-- already trimmed and the sender already checked as a member.
create or replace function public.validate_message_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  missing uuid;
begin
  select coalesce(array_agg(first.user_id order by first.position), '{}')
  into new.mentions
  from (
    select m.user_id, min(m.position) as position
    from unnest(coalesce(new.mentions, '{}')) with ordinality as m (user_id, position)
    where m.user_id is not null
    group by m.user_id
  ) as first;

  if cardinality(new.mentions) > public.mention_limit() then
    raise exception 'A message can mention at most % people', public.mention_limit()
      using errcode = '22023';
  end if;

  select m.user_id into missing
  from unnest(new.mentions) as m (user_id)
  where not exists (
    select 1 from public.conversation_members cm
    where cm.conversation_id = new.conversation_id and cm.user_id = m.user_id
  )
  limit 1;
  if found then
    raise exception 'Only members of this conversation can be mentioned'
      using errcode = '42501', hint = 'Remove the mention of someone who is not in the conversation.';
  end if;

  select m.user_id into missing
  from unnest(new.mentions) as m (user_id)
  join public.profiles p on p.id = m.user_id
  where strpos(new.body, '@' || btrim(p.display_name)) = 0
  limit 1;
  if found then
    raise exception 'Each mentioned person must appear in the message as @ and their name'
      using errcode = '22023', hint = 'Mention people by picking them after typing @.';
  end if;
  return new;
end;
$$;

create trigger messages_validate_mentions
  before insert on public.messages
  for each row execute function public.validate_message_mentions();

-- Mentions are not the sender's to change after sending; a deleted message mentions nobody.
create or replace function public.settle_message_mentions()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.mentions := case when new.deleted_at is not null then '{}'::uuid[] else old.mentions end;
  return new;
end;
$$;

create trigger messages_settle_mentions
  before update on public.messages
  for each row execute function public.settle_message_mentions();

-- The count, in one place: unread_messages_count() with one more condition.
create or replace function public.unread_mentions_count(conversation_id uuid, user_id uuid, read_from timestamptz)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer
  from public.messages m
  where m.conversation_id = unread_mentions_count.conversation_id
    and m.created_at > unread_mentions_count.read_from
    and m.sender_id <> unread_mentions_count.user_id
    and m.deleted_at is null
    and m.mentions @> array[unread_mentions_count.user_id]
$$;

comment on function public.unread_mentions_count(uuid, uuid, timestamptz) is 'Live messages of the conversation from others mentioning user_id, created after read_from; internal.';

-- The caller's unread mention counts, per conversation (or for the one given); only their own
-- memberships, read position as in my_conversations().
create or replace function public.my_unread_mentions(conversation_id uuid default null)
returns table (conversation_id uuid, unread_mentions integer)
language sql
stable
security definer
set search_path = ''
as $$
  select cm.conversation_id,
         public.unread_mentions_count(cm.conversation_id, cm.user_id, coalesce(cm.last_read_at, cm.joined_at - interval '1 microsecond'))
  from public.conversation_members cm
  where cm.user_id = (select auth.uid())
    and (my_unread_mentions.conversation_id is null or cm.conversation_id = my_unread_mentions.conversation_id)
  order by cm.conversation_id
$$;

comment on function public.my_unread_mentions(uuid) is 'The caller''s unread mentions per conversation: live messages from others mentioning them since last_read_at (or joining).';

-- After insert: one `mention` notice per mentioned person (not the sender), on their own topic, so
-- it reaches them with the conversation closed. Everything in it is what the database recorded.
create or replace function public.notify_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  mentioned record;
  sender_name text;
begin
  if cardinality(new.mentions) = 0 then
    return null;
  end if;
  select p.display_name into sender_name from public.profiles p where p.id = new.sender_id;
  for mentioned in
    select cm.user_id, cm.last_read_at, cm.joined_at
    from public.conversation_members cm
    where cm.conversation_id = new.conversation_id
      and cm.user_id = any (new.mentions)
      and cm.user_id <> new.sender_id
  loop
    perform realtime.send(
      jsonb_build_object(
        'conversation_id', new.conversation_id,
        'message_id', new.id,
        'sender_id', new.sender_id,
        'sender_name', sender_name,
        'preview', public.message_preview(new.body),
        'created_at', new.created_at,
        'unread_mentions', public.unread_mentions_count(
          new.conversation_id, mentioned.user_id,
          coalesce(mentioned.last_read_at, mentioned.joined_at - interval '1 microsecond'))
      ),
      'mention',
      'user:' || mentioned.user_id::text,
      true
    );
  end loop;
  return null;
end;
$$;

create trigger messages_notify_mentions
  after insert on public.messages
  for each row execute function public.notify_mentions();

revoke execute on function public.unread_mentions_count(uuid, uuid, timestamptz) from public, anon, authenticated;
revoke execute on function public.validate_message_mentions() from public, anon, authenticated;
revoke execute on function public.notify_mentions() from public, anon, authenticated;
revoke execute on function public.my_unread_mentions(uuid) from public, anon;
grant execute on function public.my_unread_mentions(uuid) to authenticated;
