-- An edit that takes someone's @name out of the text takes their mention out too. Before, the
-- mentions were fixed at send, so "hi @Ana" edited to "hi" still counted as an unread mention for
-- Ana with nothing in the text to show it.
--
-- Rules (settle_message_mentions, before every update):
--   * a soft delete clears the mentions, as before;
--   * an edit keeps, in their order, the mentioned people still shown as "@" and their profile name
--     in the new body (the same plain strpos check as at send), and drops the others;
--   * an edit never adds anyone: the column is not the client's to write (its update is refused
--     by the column grants), and a mention added by editing would send no notice, so it is simply
--     not one. No notice is sent again for the ones kept.

create or replace function public.settle_message_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.deleted_at is not null then
    new.mentions := '{}'::uuid[];
  elsif new.body is distinct from old.body then
    select coalesce(array_agg(m.user_id order by m.position), '{}')
    into new.mentions
    from unnest(old.mentions) with ordinality as m (user_id, position)
    join public.profiles p on p.id = m.user_id
    where strpos(new.body, '@' || btrim(p.display_name)) > 0;
  else
    new.mentions := old.mentions;
  end if;
  return new;
end;
$$;

revoke execute on function public.settle_message_mentions() from public, anon, authenticated;

comment on column public.messages.mentions is 'Members mentioned by @name in the body; validated by the database at send, dropped by an edit that removes the @name, cleared on delete.';
