-- Raised hands in the order they were raised. hand_raised_at is the database's clock at the
-- moment a participant's is_hand_raised turned true (their own update_meeting_state), cleared when
-- it turns false; no client can write it (no column grant, and the trigger overwrites it on every
-- insert and update). The host lowers someone's hand with lower_hand().

alter table public.meeting_participants add column hand_raised_at timestamptz;

comment on column public.meeting_participants.hand_raised_at is
  'When the hand was raised (set by the database), null while it is down; orders the hands queue.';

-- Rows raised before this migration get a time, so the queue has an order from the start.
update public.meeting_participants set hand_raised_at = updated_at where is_hand_raised;

-- clock_timestamp(), not now(): two hands raised in one transaction (a seed, a test) still get an
-- order. Named to run after meeting_participants_reset_planted_columns (triggers fire by name).
create or replace function public.stamp_hand_raised()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not new.is_hand_raised then
    new.hand_raised_at := null;
  elsif tg_op = 'INSERT' or not old.is_hand_raised then
    new.hand_raised_at := clock_timestamp();
  else
    new.hand_raised_at := old.hand_raised_at;
  end if;
  return new;
end;
$$;

create trigger meeting_participants_stamp_hand_raised
  before insert or update on public.meeting_participants
  for each row execute function public.stamp_hand_raised();

create index meeting_participants_hands_idx on public.meeting_participants (meeting_id, hand_raised_at)
  where hand_raised_at is not null;

-- security definer: the host writes another participant's row, which RLS reserves to its owner.
create or replace function public.lower_hand(meeting_id uuid, user_id uuid)
returns public.meeting_participants
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := public.require_caller();
  participant public.meeting_participants;
begin
  if not exists (
    select 1 from public.meetings m where m.id = lower_hand.meeting_id and m.host_id = caller
  ) then
    raise exception 'Only the host can lower hands in this meeting' using errcode = '42501';
  end if;
  update public.meeting_participants p
  set is_hand_raised = false
  where p.meeting_id = lower_hand.meeting_id and p.user_id = lower_hand.user_id
  returning p.* into participant;
  if not found then
    raise exception 'Not a participant of this meeting: %', lower_hand.user_id using errcode = '22023';
  end if;
  return participant;
end;
$$;

comment on function public.lower_hand(uuid, uuid) is 'Host only: lowers a participant''s raised hand.';
