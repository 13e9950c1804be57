-- Meetings and their participants (host + invited users) with live call state.
create table public.meetings (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  host_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  status text not null default 'scheduled',
  scheduled_for timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint meetings_status check (status in ('scheduled', 'live', 'ended')),
  constraint meetings_title_length check (char_length(btrim(title)) between 1 and 200)
);

create index meetings_host_id_idx on public.meetings (host_id);

create table public.meeting_participants (
  meeting_id uuid not null references public.meetings (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null default 'participant',
  invited_at timestamptz not null default now(),
  joined_at timestamptz,
  left_at timestamptz,
  is_muted boolean not null default false,
  is_video_on boolean not null default false,
  is_screen_sharing boolean not null default false,
  is_hand_raised boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (meeting_id, user_id),
  constraint meeting_participants_role check (role in ('host', 'participant'))
);

create index meeting_participants_user_id_idx on public.meeting_participants (user_id);

comment on table public.meetings is 'A call or meeting hosted by one user; its participants are in meeting_participants.';
comment on table public.meeting_participants is 'Who is invited to a meeting, when they joined or left, and their live state.';

create trigger meetings_touch_updated_at
  before update on public.meetings
  for each row execute function public.touch_updated_at();

create trigger meeting_participants_touch_updated_at
  before update on public.meeting_participants
  for each row execute function public.touch_updated_at();

-- Membership checks used by policies. security definer so a policy on meeting_participants can
-- consult meeting_participants without recursing into its own policy; they only ever answer
-- about the caller.
create or replace function public.is_meeting_host(meeting_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.meetings m
    where m.id = is_meeting_host.meeting_id and m.host_id = (select auth.uid())
  )
$$;

create or replace function public.is_meeting_participant(meeting_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.meetings m
    where m.id = is_meeting_participant.meeting_id and m.host_id = (select auth.uid())
  ) or exists (
    select 1 from public.meeting_participants p
    where p.meeting_id = is_meeting_participant.meeting_id and p.user_id = (select auth.uid())
  )
$$;

comment on function public.is_meeting_host(uuid) is 'True when the caller hosts the meeting.';
comment on function public.is_meeting_participant(uuid) is 'True when the caller hosts or is invited to the meeting.';

-- Status changes stamp their times; the host is always a participant.
create or replace function public.stamp_meeting_status()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status = 'live' and (tg_op = 'INSERT' or old.status is distinct from 'live') then
    new.started_at := coalesce(new.started_at, now());
    new.ended_at := null;
  elsif new.status = 'ended' and (tg_op = 'INSERT' or old.status is distinct from 'ended') then
    new.started_at := coalesce(new.started_at, now());
    new.ended_at := now();
  end if;
  return new;
end;
$$;

create trigger meetings_stamp_status
  before insert or update of status on public.meetings
  for each row execute function public.stamp_meeting_status();

create or replace function public.add_meeting_host_as_participant()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.meeting_participants (meeting_id, user_id, role)
  values (new.id, new.host_id, 'host')
  on conflict (meeting_id, user_id) do update set role = 'host';
  return new;
end;
$$;

create trigger meetings_add_host_as_participant
  after insert on public.meetings
  for each row execute function public.add_meeting_host_as_participant();

alter table public.meetings enable row level security;
alter table public.meeting_participants enable row level security;

create policy "Hosts and invited participants can read the meeting"
  on public.meetings for select
  to authenticated
  -- host_id first: a just-inserted meeting is not yet visible to the helper's snapshot.
  using (host_id = (select auth.uid()) or public.is_meeting_participant(id));

create policy "Signed-in users can create meetings they host"
  on public.meetings for insert
  to authenticated
  with check (host_id = (select auth.uid()));

create policy "Hosts can update their meetings"
  on public.meetings for update
  to authenticated
  using (host_id = (select auth.uid()))
  with check (host_id = (select auth.uid()));

create policy "Hosts can delete their meetings"
  on public.meetings for delete
  to authenticated
  using (host_id = (select auth.uid()));

create policy "Meeting members can see each other"
  on public.meeting_participants for select
  to authenticated
  using (public.is_meeting_participant(meeting_id));

create policy "Hosts can invite participants"
  on public.meeting_participants for insert
  to authenticated
  with check (public.is_meeting_host(meeting_id) and role = 'participant');

create policy "Participants can update their own call state"
  on public.meeting_participants for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Hosts can remove participants"
  on public.meeting_participants for delete
  to authenticated
  using (public.is_meeting_host(meeting_id) and user_id <> (select auth.uid()));

-- Clients change only these columns; times are set by the RPCs and triggers.
revoke update on public.meetings from anon, authenticated;
grant update (title, status, scheduled_for) on public.meetings to authenticated;
revoke update on public.meeting_participants from anon, authenticated;
grant update (is_muted, is_video_on, is_screen_sharing, is_hand_raised) on public.meeting_participants to authenticated;
-- RLS does not govern these, and the API never needs them.
revoke truncate, references, trigger on public.meetings from anon, authenticated;
revoke truncate, references, trigger on public.meeting_participants from anon, authenticated;
