-- One page of the caller's conversation list, for <pasabay-conversation-list>.
--
-- my_conversations() answers every membership at once and names no one; a list of thousands of
-- conversations needs pages (newest activity first, keyset on (activity_at, id)), the other member
-- of a direct chat (its title and avatar), a search by title and member name, and a refresh of a
-- few given rows. Reading only: nothing here adds work to sending a message, whose cost stays
-- one message row, one conversation row and one broadcast on conversation:<id>.
--
-- Activity is coalesce(last_message_at, created_at): a conversation without messages sorts by
-- when it was made. Unread counts are derived as in my_conversations(), for the page only.

create or replace function public.conversation_list(
  search text default null,
  before_activity timestamptz default null,
  before_id uuid default null,
  max_rows integer default 50,
  conversation_ids uuid[] default null
)
returns table (
  id uuid,
  kind text,
  title text,
  other_user_id uuid,
  other_display_name text,
  other_avatar_url text,
  activity_at timestamptz,
  created_at timestamptz,
  last_message_at timestamptz,
  last_message_preview text,
  last_read_at timestamptz,
  unread_count integer
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  pattern text;
begin
  if max_rows is null or max_rows < 1 or max_rows > 200 then
    raise exception 'max_rows must be between 1 and 200' using errcode = '22023';
  end if;
  if (before_activity is null) <> (before_id is null) then
    raise exception 'before_activity and before_id go together' using errcode = '22023';
  end if;
  if conversation_ids is not null and cardinality(conversation_ids) > 200 then
    raise exception 'At most 200 conversation_ids' using errcode = '22023';
  end if;
  search := nullif(btrim(search), '');
  if search is not null then
    if char_length(search) > 200 then
      raise exception 'search must be at most 200 characters' using errcode = '22023';
    end if;
    -- A literal substring: the user's % and _ match themselves.
    pattern := '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  end if;

  return query
  with named as materialized (
    -- Conversations where another member's name matches: the caller's co-members are joined once
    -- (not looked up per conversation), so a search costs one pass over their memberships.
    select distinct om.conversation_id
    from public.conversation_members mine
    join public.conversation_members om on om.conversation_id = mine.conversation_id and om.user_id <> caller
    join public.profiles p on p.id = om.user_id
    where pattern is not null and mine.user_id = caller and p.display_name ilike pattern
  ),
  page as (
    select c.id, c.kind, c.title, coalesce(c.last_message_at, c.created_at) as activity_at, c.created_at,
           c.last_message_at, c.last_message_preview, cm.last_read_at, cm.joined_at
    from public.conversation_members cm
    join public.conversations c on c.id = cm.conversation_id
    where cm.user_id = caller
      and (conversation_list.conversation_ids is null or c.id = any (conversation_list.conversation_ids))
      and (
        before_activity is null
        or (coalesce(c.last_message_at, c.created_at), c.id) < (before_activity, before_id)
      )
      and (
        pattern is null
        or c.title ilike pattern
        or c.id in (select named.conversation_id from named)
      )
    order by coalesce(c.last_message_at, c.created_at) desc, c.id desc
    limit max_rows
  )
  -- Names and counts for the page's rows only.
  select page.id, page.kind, page.title, other.id, other.display_name, other.avatar_url, page.activity_at,
         page.created_at, page.last_message_at, page.last_message_preview, page.last_read_at,
         public.unread_messages_count(page.id, caller, coalesce(page.last_read_at, page.joined_at - interval '1 microsecond'))
  from page
  left join lateral (
    select p.id, p.display_name, p.avatar_url
    from public.conversation_members om
    join public.profiles p on p.id = om.user_id
    where page.kind = 'direct' and om.conversation_id = page.id and om.user_id <> caller
    order by om.joined_at, om.user_id
    limit 1
  ) other on true
  order by page.activity_at desc, page.id desc;
end;
$$;

comment on function public.conversation_list(text, timestamptz, uuid, integer, uuid[]) is
  'One page of the caller''s conversations, newest activity first (keyset before_activity/before_id), optionally matching search in the title or another member''s name, or only conversation_ids; with the other member of a direct chat and the unread count.';

revoke execute on function public.conversation_list(text, timestamptz, uuid, integer, uuid[]) from public, anon;
grant execute on function public.conversation_list(text, timestamptz, uuid, integer, uuid[]) to authenticated;
