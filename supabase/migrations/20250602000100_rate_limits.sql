-- Rate limits in one place: public.rate_limits holds how many of each action a user may do per
-- minute; service_role (or a migration) changes them. Messages keep counting their own rows
-- (indexed by sender and time); edits, reactions and typing count in one small row per user and
-- action, so a check costs one indexed upsert however much history there is.
create table public.rate_limits (
  action text primary key,
  max_per_minute integer not null,
  constraint rate_limits_max_per_minute check (max_per_minute > 0)
);

comment on table public.rate_limits is 'How many of each action (message, edit, reaction, typing) a user may do per minute.';

insert into public.rate_limits (action, max_per_minute)
values ('message', 30), ('edit', 30), ('reaction', 60), ('typing', 40)
on conflict (action) do nothing;

-- Per user and action: hits in the current minute and in the one before, for a sliding estimate.
create table public.rate_limit_counters (
  user_id uuid not null references public.profiles (id) on delete cascade,
  action text not null references public.rate_limits (action) on delete cascade on update cascade,
  window_start timestamptz not null,
  hits integer not null,
  previous_hits integer not null default 0,
  primary key (user_id, action)
);

create index rate_limit_counters_action_idx on public.rate_limit_counters (action);

comment on table public.rate_limit_counters is 'Bookkeeping of public.consume_rate_limit(); not an API.';

-- Neither table is the API's business: RLS on with no policies, and no privileges.
alter table public.rate_limits enable row level security;
alter table public.rate_limit_counters enable row level security;
revoke all on public.rate_limits from anon, authenticated;
revoke all on public.rate_limit_counters from anon, authenticated;

-- The configured limit for an action; an action missing from the table is refused, not unlimited.
create or replace function public.rate_limit_of(action text)
returns integer
language plpgsql
stable
set search_path = ''
as $$
declare
  limit_per_minute integer;
begin
  select r.max_per_minute into limit_per_minute from public.rate_limits r where r.action = rate_limit_of.action;
  if limit_per_minute is null then
    raise exception 'No rate limit configured for %', rate_limit_of.action using errcode = '22023';
  end if;
  return limit_per_minute;
end;
$$;

comment on function public.rate_limit_of(text) is 'max_per_minute of an action in public.rate_limits.';

-- Counts one action of the signed-in caller and raises PT429 when it goes over the limit. The
-- estimate slides: this minute's hits plus last minute's weighted by how much of it is still
-- within 60 seconds. The upsert locks the caller's row, so parallel calls cannot both slip under.
-- Only API users are limited: service_role and direct database sessions (no auth.uid()) are not.
-- security definer: the counters are not writable by the API roles; it only counts for the caller.
create or replace function public.consume_rate_limit(action text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  limit_per_minute integer;
  this_minute timestamptz := date_trunc('minute', now());
  counted public.rate_limit_counters;
begin
  if caller is null then
    return;
  end if;
  limit_per_minute := public.rate_limit_of(consume_rate_limit.action);
  insert into public.rate_limit_counters as c (user_id, action, window_start, hits, previous_hits)
  values (caller, consume_rate_limit.action, this_minute, 1, 0)
  on conflict on constraint rate_limit_counters_pkey do update
  set previous_hits = case
        when c.window_start = this_minute then c.previous_hits
        when c.window_start = this_minute - interval '1 minute' then c.hits
        else 0
      end,
      hits = case when c.window_start = this_minute then c.hits + 1 else 1 end,
      window_start = this_minute
  returning c.* into counted;
  if counted.hits + counted.previous_hits * (1 - extract(epoch from now() - this_minute) / 60) > limit_per_minute then
    raise exception 'Rate limit exceeded: at most % % a minute',
      limit_per_minute,
      case consume_rate_limit.action
        when 'message' then 'messages'
        when 'edit' then 'edits'
        when 'reaction' then 'reactions'
        when 'typing' then 'typing updates'
        else consume_rate_limit.action || ' actions'
      end
      using errcode = 'PT429', hint = 'Wait a moment before trying again.';
  end if;
end;
$$;

comment on function public.consume_rate_limit(text) is 'Counts one action of the caller; PT429 when over public.rate_limits.';

-- The message limit now comes from the table (prepare_new_message() calls this).
create or replace function public.message_rate_limit()
returns integer
language sql
stable
set search_path = ''
as $$
  select public.rate_limit_of('message')
$$;

comment on function public.message_rate_limit() is 'Messages a user may send per minute, from public.rate_limits.';

-- Edits: a change of a live message's body by its sender (a soft delete is not an edit).
-- security definer only to reach consume_rate_limit(), which counts for auth.uid() alone.
create or replace function public.limit_message_edits()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.deleted_at is null and new.body is distinct from old.body then
    perform public.consume_rate_limit('edit');
  end if;
  return new;
end;
$$;

-- Named to run after messages_prepare_update, which has turned a soft delete into deleted_at.
create trigger messages_rate_limit_edits
  before update of body on public.messages
  for each row execute function public.limit_message_edits();

-- Reactions: every insert counts (removing and adding again is not a way round the limit).
create or replace function public.limit_reactions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public.consume_rate_limit('reaction');
  return new;
end;
$$;

create trigger message_reactions_rate_limit
  before insert on public.message_reactions
  for each row execute function public.limit_reactions();

-- Internal helpers are not an API.
revoke execute on function public.consume_rate_limit(text) from public, anon, authenticated;
revoke execute on function public.rate_limit_of(text) from public, anon, authenticated;
revoke execute on function public.message_rate_limit() from public, anon, authenticated;
revoke execute on function public.limit_message_edits() from public, anon, authenticated;
revoke execute on function public.limit_reactions() from public, anon, authenticated;
