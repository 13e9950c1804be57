-- Shared trigger function: every table with an updated_at column keeps it current.
create or replace function public.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

comment on function public.touch_updated_at() is 'Trigger: sets updated_at to the transaction time on every update.';
