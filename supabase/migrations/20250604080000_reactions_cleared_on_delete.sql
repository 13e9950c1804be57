-- A deleted message keeps no reactions: the soft delete (deleted_at set, which is final) removes
-- them, each removal broadcast as usual (message_reactions_broadcast) so every member's screen
-- drops them. A reaction racing the delete cannot survive it: adding one takes a share lock on
-- its message, so it either commits first (and the delete, waiting for it, removes it too) or
-- waits for the delete and is then refused (42501, as row level security refuses it otherwise).

create or replace function public.clear_reactions_of_deleted_message()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Definer rights: the sender removes other members' reactions to their own message.
  delete from public.message_reactions r where r.message_id = new.id;
  return null;
end;
$$;

comment on function public.clear_reactions_of_deleted_message() is
  'Trigger: removes the reactions of a message when it is soft-deleted.';

revoke all on function public.clear_reactions_of_deleted_message() from public, anon, authenticated;

create trigger messages_clear_reactions_on_delete
  after update of deleted_at on public.messages
  for each row
  when (old.deleted_at is null and new.deleted_at is not null)
  execute function public.clear_reactions_of_deleted_message();

create or replace function public.refuse_reaction_to_deleted_message()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  deleted timestamptz;
begin
  -- FOR SHARE waits for a delete in progress and then reads the row as it committed.
  select m.deleted_at into deleted from public.messages m where m.id = new.message_id for share;
  if deleted is not null then
    raise exception 'Cannot react to a deleted message' using errcode = '42501';
  end if;
  return new;
end;
$$;

comment on function public.refuse_reaction_to_deleted_message() is
  'Trigger: refuses a reaction to a deleted message, also one racing the delete.';

revoke all on function public.refuse_reaction_to_deleted_message() from public, anon, authenticated;

create trigger message_reactions_refuse_deleted_message
  before insert on public.message_reactions
  for each row
  execute function public.refuse_reaction_to_deleted_message();

-- Reactions already left on deleted messages.
delete from public.message_reactions r
using public.messages m
where m.id = r.message_id and m.deleted_at is not null;
