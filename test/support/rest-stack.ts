/**
 * The REST conformance suites' shared setup: a stack with the rest_items / rest_secrets tables and
 * rest_* functions, Alice and Bob, four seeded items, and `rest()` for raw HTTP. Each suite file
 * calls useRestStack() at its top level; the bindings below are live once its before() has run.
 */
import { after, before } from 'node:test';
import pg from 'pg';
import { startTestStack, type TestStack, type TestUser } from './stack.js';

export let stack: TestStack;
export let alice: TestUser;
export let bob: TestUser;
/** A superuser connection to the stack's database. */
export let db: pg.Client;

const FIXTURE = `
  create table public.rest_items (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    qty integer not null default 0 check (qty >= 0),
    price numeric,
    tags text[] not null default '{}',
    meta jsonb,
    active boolean default true,
    seen_at timestamptz,
    owner_id uuid default auth.uid() references auth.users (id),
    code text unique,
    "Odd Name" text
  );
  alter table public.rest_items enable row level security;
  create policy "anyone reads items" on public.rest_items for select using (true);
  create policy "signed-in users add their own items" on public.rest_items for insert to authenticated with check (owner_id = auth.uid());
  create policy "owners update items" on public.rest_items for update to authenticated using (owner_id = auth.uid());
  create policy "owners delete items" on public.rest_items for delete to authenticated using (owner_id = auth.uid());
  grant all on public.rest_items to anon, authenticated, service_role;

  create table public.rest_secrets (id int primary key, owner_id uuid not null, note text);
  alter table public.rest_secrets enable row level security;
  create policy "owners read secrets" on public.rest_secrets for select to authenticated using (owner_id = auth.uid());
  grant all on public.rest_secrets to anon, authenticated, service_role;

  create function public.rest_add(a integer, b integer default 1) returns integer language sql immutable as $$ select a + b $$;
  create function public.rest_items_named(prefix text) returns setof public.rest_items language sql stable
    as $$ select * from public.rest_items where name like prefix || '%' order by name $$;
  create function public.rest_series(n integer) returns setof integer language sql immutable as $$ select generate_series(1, n) $$;
  create function public.rest_noop() returns void language sql as $$ select $$;
  create function public.rest_fail(code text, message text default 'custom failure') returns void language plpgsql
    as $$ begin raise exception using errcode = code, message = message, detail = 'some detail', hint = 'some hint'; end $$;
  create function public.rest_whoami() returns json language sql stable as $$
    select json_build_object('uid', auth.uid(), 'role', current_user, 'jwt_role', auth.jwt() ->> 'role',
      'method', current_setting('request.method', true), 'path', current_setting('request.path', true),
      'client', current_setting('request.headers', true)::json ->> 'x-client-info') $$;
  create function public.rest_write_in_get() returns integer language sql volatile
    as $$ insert into public.rest_items (name) values ('from get') returning qty $$;
  create function public.rest_tags(tags text[]) returns text[] language sql immutable as $$ select array(select upper(t) from unnest(tags) t) $$;
  grant execute on all functions in schema public to anon, authenticated, service_role;
`;

export function rest(path: string, init: RequestInit & { key?: string; token?: string } = {}): Promise<Response> {
  const key = init.key ?? stack.anonKey;
  const headers = new Headers(init.headers);
  if (!headers.has('apikey') && init.key !== '') headers.set('apikey', key);
  if (!headers.has('authorization') && init.token !== '') headers.set('authorization', `Bearer ${init.token ?? key}`);
  return fetch(`${stack.url}/rest/v1${path}`, { ...init, headers });
}

/** Puts the four items back as they were. */
export async function seedItems(): Promise<void> {
  await db.query('delete from public.rest_items');
  await db.query(
    `insert into public.rest_items (name, qty, price, tags, meta, active, seen_at, owner_id, code) values
      ('apple', 5, 1.25, '{fruit,red}', '{"color":"red"}', true, '2025-01-01T10:00:00Z', $1, 'A'),
      ('banana', 0, 0.5, '{fruit}', null, false, null, $1, 'B'),
      ('carrot', 12, null, '{vegetable}', '{"color":"orange"}', null, '2025-02-01T10:00:00Z', $2, 'C'),
      ('Apricot', 3, 2, '{fruit}', null, true, null, $2, null)`,
    [alice.user.id, bob.user.id],
  );
}

export function useRestStack(): void {
  before(async () => {
    stack = await startTestStack();
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query(FIXTURE);
    alice = await stack.createUser({ displayName: 'Alice' });
    bob = await stack.createUser({ displayName: 'Bob' });
    await seedItems();
  });

  after(async () => {
    await db?.end();
    await stack?.stop();
  });
}
