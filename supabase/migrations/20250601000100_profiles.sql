-- Profiles: one per auth user, created by a trigger on auth.users from the sign-up metadata.
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null,
  avatar_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_display_name_length check (char_length(btrim(display_name)) between 1 and 80),
  constraint profiles_avatar_url_scheme check (avatar_url is null or avatar_url ~* '^https?://')
);

comment on table public.profiles is 'Public face of a user in chats and meetings: name and avatar.';

create trigger profiles_touch_updated_at
  before update on public.profiles
  for each row execute function public.touch_updated_at();

alter table public.profiles enable row level security;

create policy "Signed-in users can read profiles"
  on public.profiles for select
  to authenticated
  using (true);

create policy "Users can update their own profile"
  on public.profiles for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- Only the name and avatar are the user's to change; rows come and go with auth.users.
revoke insert, update, delete on public.profiles from anon, authenticated;
grant update (display_name, avatar_url) on public.profiles to authenticated;
-- RLS does not govern these, and the API never needs them.
revoke truncate, references, trigger on public.profiles from anon, authenticated;

-- A readable name for an anonymous guest, stable for the same user id: "Guest Otter 3f2a".
create or replace function public.guest_display_name(user_id uuid)
returns text
language sql
immutable
set search_path = ''
as $$
  with digest as (select md5(user_id::text) as hex)
  select format(
    'Guest %s %s',
    (array['Otter', 'Heron', 'Tarsier', 'Carabao', 'Gecko', 'Dolphin', 'Eagle', 'Turtle',
           'Mouse Deer', 'Kingfisher', 'Pangolin', 'Whale Shark', 'Hornbill', 'Dugong', 'Civet', 'Bearcat'])
      [1 + ('x' || substr(digest.hex, 1, 2))::bit(8)::int % 16],
    substr(digest.hex, 3, 4)
  )
  from digest
$$;

comment on function public.guest_display_name(uuid) is 'Readable generated name for anonymous guests, e.g. "Guest Otter 3f2a".';

create or replace function public.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  chosen_name text;
begin
  chosen_name := coalesce(
    nullif(btrim(new.raw_user_meta_data ->> 'display_name'), ''),
    nullif(btrim(new.raw_user_meta_data ->> 'full_name'), ''),
    nullif(btrim(new.raw_user_meta_data ->> 'name'), ''),
    case when new.is_anonymous then public.guest_display_name(new.id) end,
    nullif(split_part(new.email, '@', 1), ''),
    public.guest_display_name(new.id)
  );
  insert into public.profiles (id, display_name, avatar_url)
  values (
    new.id,
    left(chosen_name, 80),
    case when new.raw_user_meta_data ->> 'avatar_url' ~* '^https?://' then new.raw_user_meta_data ->> 'avatar_url' end
  )
  on conflict (id) do nothing;
  return new;
end;
$$;

comment on function public.create_profile_for_new_user() is 'Trigger on auth.users: creates the profile from raw_user_meta_data.';

create trigger pasabay_create_profile_for_new_user
  after insert on auth.users
  for each row execute function public.create_profile_for_new_user();

-- Projects that already have users get their profiles now.
insert into public.profiles (id, display_name)
select
  u.id,
  left(coalesce(
    nullif(btrim(u.raw_user_meta_data ->> 'display_name'), ''),
    nullif(btrim(u.raw_user_meta_data ->> 'full_name'), ''),
    nullif(btrim(u.raw_user_meta_data ->> 'name'), ''),
    case when u.is_anonymous then public.guest_display_name(u.id) end,
    nullif(split_part(u.email, '@', 1), ''),
    public.guest_display_name(u.id)
  ), 80)
from auth.users u
on conflict (id) do nothing;
