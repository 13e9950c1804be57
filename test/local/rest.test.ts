/**
 * REST conformance: the PostgREST subset supabase-js emits, driven by the real supabase-js and by
 * raw HTTP for the wire details (headers, status codes, error bodies), on a real database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { signJwt, PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/keys.js';
import { startTestStack, type TestStack, type TestUser } from '../support/stack.js';

let stack: TestStack;
let alice: TestUser;
let bob: TestUser;
let db: pg.Client;

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

function rest(path: string, init: RequestInit & { key?: string; token?: string } = {}): Promise<Response> {
  const key = init.key ?? stack.anonKey;
  const headers = new Headers(init.headers);
  if (!headers.has('apikey') && init.key !== '') headers.set('apikey', key);
  if (!headers.has('authorization') && init.token !== '') headers.set('authorization', `Bearer ${init.token ?? key}`);
  return fetch(`${stack.url}/rest/v1${path}`, { ...init, headers });
}

async function seedItems(): Promise<void> {
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

describe('REST select', () => {
  it('returns all rows and columns with Content-Range', async () => {
    const response = await rest('/rest_items?select=*&order=name.asc');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('content-range'), '0-3/*');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const rows = (await response.json()) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((row) => row['name']),
      ['Apricot', 'apple', 'banana', 'carrot'],
    );
    assert.deepEqual(rows[1]?.['tags'], ['fruit', 'red']);
    assert.deepEqual(rows[1]?.['meta'], { color: 'red' });
    assert.equal(rows[1]?.['seen_at'], '2025-01-01T10:00:00+00:00');
  });

  it('selects a column list with aliases through supabase-js', async () => {
    const { data, error } = await alice.client
      .from('rest_items')
      .select('name, amount:qty, "Odd Name"')
      .eq('code', 'A');
    assert.equal(error, null);
    assert.deepEqual(data, [{ name: 'apple', amount: 5, 'Odd Name': null }]);
  });

  it('filters with every supported operator', async () => {
    const from = () => alice.client.from('rest_items').select('name').order('name');
    const names = async (query: PromiseLike<{ data: { name: string }[] | null; error: unknown }>) => {
      const { data, error } = await query;
      assert.equal(error, null);
      return (data ?? []).map((row) => row.name);
    };
    assert.deepEqual(await names(from().eq('qty', 5)), ['apple']);
    assert.deepEqual(await names(from().neq('name', 'apple')), ['Apricot', 'banana', 'carrot']);
    assert.deepEqual(await names(from().gt('qty', 3)), ['apple', 'carrot']);
    assert.deepEqual(await names(from().gte('qty', 3)), ['Apricot', 'apple', 'carrot']);
    assert.deepEqual(await names(from().lt('price', 1)), ['banana']);
    assert.deepEqual(await names(from().lte('price', 1.25)), ['apple', 'banana']);
    assert.deepEqual(await names(from().in('code', ['A', 'C', 'a,b'])), ['apple', 'carrot']);
    assert.deepEqual(await names(from().in('id', [])), []);
    assert.deepEqual(await names(from().is('code', null)), ['Apricot']);
    assert.deepEqual(await names(from().is('active', false)), ['banana']);
    assert.deepEqual(await names(from().not('active', 'is', null)), ['Apricot', 'apple', 'banana']);
    assert.deepEqual(await names(from().like('name', 'a%')), ['apple']);
    assert.deepEqual(await names(from().ilike('name', 'a%')), ['Apricot', 'apple']);
    assert.deepEqual(await names(from().like('name', '*rr*')), ['carrot']);
    assert.deepEqual(await names(from().not('name', 'in', '(apple,banana)')), ['Apricot', 'carrot']);
    assert.deepEqual(await names(from().contains('tags', ['fruit', 'red'])), ['apple']);
    assert.deepEqual(await names(from().eq('owner_id', bob.user.id)), ['Apricot', 'carrot']);
    assert.deepEqual(await names(from().gt('seen_at', '2025-01-15T00:00:00Z')), ['carrot']);
    assert.deepEqual(await names(from().eq('active', true)), ['Apricot', 'apple']);
  });

  it('orders, limits and offsets, with nulls placement', async () => {
    const { data } = await alice.client
      .from('rest_items')
      .select('name')
      .order('price', { ascending: false, nullsFirst: true })
      .range(0, 1);
    assert.deepEqual(data, [{ name: 'carrot' }, { name: 'Apricot' }]);
    const { data: page } = await alice.client.from('rest_items').select('name').order('name').limit(2).range(1, 2);
    assert.deepEqual(page, [{ name: 'apple' }, { name: 'banana' }]);
    const response = await rest('/rest_items?select=name&order=name', { headers: { range: '2-3' } });
    assert.deepEqual(await response.json(), [{ name: 'banana' }, { name: 'carrot' }]);
  });

  it('counts exactly (planned and estimated answer exact), with 206 for a partial range', async () => {
    const { data, count, status } = await alice.client
      .from('rest_items')
      .select('name', { count: 'exact' })
      .order('name')
      .range(0, 1);
    assert.equal(count, 4);
    assert.equal(status, 206);
    assert.equal(data?.length, 2);
    const planned = await alice.client.from('rest_items').select('*', { count: 'planned', head: true });
    assert.equal(planned.count, 4);
    assert.equal(planned.data, null);
    const head = await rest('/rest_items?select=*', { method: 'HEAD', headers: { prefer: 'count=exact' } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-range'), '0-3/4');
    const empty = await rest('/rest_items?select=*&name=eq.none', { headers: { prefer: 'count=exact' } });
    assert.equal(empty.headers.get('content-range'), '*/0');
    const beyond = await rest('/rest_items?select=*&offset=10', { headers: { prefer: 'count=exact' } });
    assert.equal(beyond.status, 416);
    assert.equal(((await beyond.json()) as { code: string }).code, 'PGRST103');
  });

  it('single() answers one object, and 406 PGRST116 for zero or many rows; maybeSingle() gives null for none', async () => {
    const one = await alice.client.from('rest_items').select('name').eq('code', 'A').single();
    assert.deepEqual(one.data, { name: 'apple' });
    const none = await alice.client.from('rest_items').select('name').eq('code', 'Z').single();
    assert.equal(none.status, 406);
    assert.deepEqual(none.error, {
      code: 'PGRST116',
      details: 'The result contains 0 rows',
      hint: null,
      message: 'Cannot coerce the result to a single JSON object',
    });
    const many = await alice.client.from('rest_items').select('name').eq('active', true).single();
    assert.equal(many.error?.details, 'The result contains 2 rows');
    const maybe = await alice.client.from('rest_items').select('name').eq('code', 'Z').maybeSingle();
    assert.equal(maybe.error, null);
    assert.equal(maybe.data, null);
  });

  it('row-level security filters what each caller sees', async () => {
    await db.query('insert into public.rest_secrets values (1, $1, $2), (2, $3, $4)', [
      alice.user.id,
      'alice note',
      bob.user.id,
      'bob note',
    ]);
    const mine = await alice.client.from('rest_secrets').select('note');
    assert.deepEqual(mine.data, [{ note: 'alice note' }]);
    const anon = await stack.client().from('rest_secrets').select('note');
    assert.deepEqual(anon.data, []);
    const service = await stack.serviceClient().from('rest_secrets').select('note').order('id');
    assert.equal(service.data?.length, 2);
  });
});

describe('REST insert, upsert, update, delete', () => {
  before(seedItems);

  it('inserts one row: 201, no body by default, the row with select()', async () => {
    const minimal = await alice.client.from('rest_items').insert({ name: 'date', qty: 1 });
    assert.equal(minimal.status, 201);
    assert.equal(minimal.data, null);
    assert.equal(minimal.error, null);
    const { data, status, error } = await alice.client
      .from('rest_items')
      .insert({ name: 'elderberry', tags: ['berry'], meta: { n: 1 } })
      .select()
      .single();
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.equal(data.name, 'elderberry');
    assert.equal(data.owner_id, alice.user.id);
    assert.deepEqual(data.tags, ['berry']);
    assert.deepEqual(data.meta, { n: 1 });
    assert.equal(data.qty, 0, 'column default applies to keys not sent');
  });

  it('inserts in bulk, with keys differing between rows (columns=)', async () => {
    const { data, error } = await alice.client
      .from('rest_items')
      .insert([
        { name: 'fig', price: 2 },
        { name: 'grape', code: 'G' },
      ])
      .select('name, price, code');
    assert.equal(error, null);
    assert.deepEqual(data, [
      { name: 'fig', price: 2, code: null },
      { name: 'grape', price: null, code: 'G' },
    ]);
  });

  it('uses column defaults for missing keys with defaultToNull: false', async () => {
    const { data, error } = await alice.client
      .from('rest_items')
      .insert([{ name: 'honeydew', qty: 4 }, { name: 'kiwi' }], { defaultToNull: false })
      .select('name, qty');
    assert.equal(error, null);
    assert.deepEqual(
      [...(data ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'honeydew', qty: 4 },
        { name: 'kiwi', qty: 0 },
      ],
    );
  });

  it('without defaultToNull: false a bulk row missing a not-null key fails whole (nothing written)', async () => {
    const { error, status } = await alice.client
      .from('rest_items')
      .insert([{ name: 'lime', qty: 1 }, { name: 'mango' }]);
    assert.equal(status, 400);
    assert.equal(error?.code, '23502');
    const { data } = await alice.client.from('rest_items').select('name').in('name', ['lime', 'mango']);
    assert.deepEqual(data, []);
  });

  it('upserts with on_conflict: merge-duplicates updates, ignore-duplicates skips', async () => {
    const merged = await alice.client
      .from('rest_items')
      .upsert({ code: 'A', name: 'apple', qty: 50 }, { onConflict: 'code' })
      .select('name, qty');
    assert.equal(merged.error, null);
    assert.deepEqual(merged.data, [{ name: 'apple', qty: 50 }]);
    const ignored = await alice.client
      .from('rest_items')
      .upsert(
        [
          { code: 'A', name: 'apple', qty: 99 },
          { code: 'N', name: 'nectarine', qty: 0 },
        ],
        { onConflict: 'code', ignoreDuplicates: true },
      )
      .select('name, qty');
    assert.equal(ignored.error, null);
    assert.deepEqual(ignored.data, [{ name: 'nectarine', qty: 0 }]);
    const { data } = await alice.client.from('rest_items').select('qty').eq('code', 'A').single();
    assert.equal(data?.qty, 50);
  });

  it('a retried insert of the same id with ignoreDuplicates neither duplicates nor errors', async () => {
    const id = crypto.randomUUID();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { error, status } = await alice.client
        .from('rest_items')
        .upsert({ id, name: 'retry' }, { onConflict: 'id', ignoreDuplicates: true });
      assert.equal(error, null);
      assert.equal(status, 201);
    }
    const { count } = await alice.client.from('rest_items').select('*', { count: 'exact', head: true }).eq('id', id);
    assert.equal(count, 1);
  });

  it('updates matching rows: 204 by default, the rows with select(); RLS limits to own rows', async () => {
    const plain = await alice.client.from('rest_items').update({ qty: 6 }).eq('code', 'A');
    assert.equal(plain.status, 204);
    const { data, status } = await alice.client
      .from('rest_items')
      .update({ price: 9.5, seen_at: '2026-01-01T00:00:00Z' })
      .in('code', ['A', 'C'])
      .select('code, price, seen_at');
    assert.equal(status, 200);
    assert.deepEqual(
      data,
      [{ code: 'A', price: 9.5, seen_at: '2026-01-01T00:00:00+00:00' }],
      "bob's carrot is not alice's to update",
    );
  });

  it('refuses an update or delete without a filter (pg-safeupdate, as on Supabase)', async () => {
    const update = await alice.client.from('rest_items').update({ qty: 1 });
    assert.equal(update.status, 400);
    assert.deepEqual(update.error, {
      code: '21000',
      details: null,
      hint: null,
      message: 'UPDATE requires a WHERE clause',
    });
    const remove = await alice.client.from('rest_items').delete();
    assert.equal(remove.error?.message, 'DELETE requires a WHERE clause');
  });

  it('deletes matching rows and returns them with select()', async () => {
    const { data, status } = await alice.client.from('rest_items').delete().eq('name', 'fig').select('name');
    assert.equal(status, 200);
    assert.deepEqual(data, [{ name: 'fig' }]);
    const { data: gone } = await alice.client.from('rest_items').select('name').eq('name', 'fig');
    assert.deepEqual(gone, []);
    const minimal = await alice.client.from('rest_items').delete().eq('name', 'grape');
    assert.equal(minimal.status, 204);
  });

  it('single() on a mutation that touches two rows fails with 406 and writes nothing', async () => {
    const { error } = await stack
      .serviceClient()
      .from('rest_items')
      .update({ qty: 77 })
      .in('code', ['A', 'C'])
      .select()
      .single();
    assert.equal(error?.code, 'PGRST116');
    const { data } = await alice.client.from('rest_items').select('qty').eq('qty', 77);
    assert.deepEqual(data, []);
  });

  it('Prefer: return=headers-only answers a Location; Prefer: tx=rollback writes nothing', async () => {
    const response = await rest('/rest_items', {
      method: 'POST',
      token: alice.session.access_token,
      headers: { 'content-type': 'application/json', prefer: 'return=headers-only' },
      body: JSON.stringify({ name: 'quince' }),
    });
    assert.equal(response.status, 201);
    assert.match(response.headers.get('location') ?? '', /^\/rest_items\?id=eq\.[0-9a-f-]{36}$/);
    const rolledBack = await rest('/rest_items', {
      method: 'POST',
      token: alice.session.access_token,
      headers: { 'content-type': 'application/json', prefer: 'return=representation, tx=rollback' },
      body: JSON.stringify({ name: 'raspberry' }),
    });
    assert.equal(rolledBack.status, 201);
    assert.equal(((await rolledBack.json()) as { name: string }[])[0]?.name, 'raspberry');
    const { data } = await alice.client.from('rest_items').select('name').eq('name', 'raspberry');
    assert.deepEqual(data, []);
  });
});

describe('REST rpc', () => {
  before(seedItems);

  it('returns a scalar, using argument defaults', async () => {
    const { data, error, status } = await alice.client.rpc('rest_add', { a: 2, b: 3 });
    assert.deepEqual({ data, error, status }, { data: 5, error: null, status: 200 });
    assert.equal((await alice.client.rpc('rest_add', { a: 2 })).data, 3);
  });

  it('returns setof rows, with select, filters and order applied to the result', async () => {
    const { data, error } = await alice.client.rpc('rest_items_named', { prefix: 'a' }).select('name');
    assert.equal(error, null);
    assert.deepEqual(data, [{ name: 'apple' }]);
    const filtered = await alice.client
      .rpc('rest_items_named', { prefix: '' })
      .select('name')
      .gt('qty', 2)
      .order('qty', { ascending: false });
    assert.deepEqual(filtered.data, [{ name: 'carrot' }, { name: 'apple' }, { name: 'Apricot' }]);
  });

  it('returns setof scalars, arrays, and 204 for void', async () => {
    assert.deepEqual((await alice.client.rpc('rest_series', { n: 3 })).data, [1, 2, 3]);
    assert.deepEqual((await alice.client.rpc('rest_tags', { tags: ['a', 'b,c'] })).data, ['A', 'B,C']);
    const noop = await alice.client.rpc('rest_noop');
    assert.equal(noop.status, 204);
    assert.equal(noop.data, null);
  });

  it('calls by GET with query arguments, read-only', async () => {
    assert.equal((await alice.client.rpc('rest_add', { a: 40, b: 2 }, { get: true })).data, 42);
    assert.deepEqual((await alice.client.rpc('rest_tags', { tags: ['x', 'y'] }, { get: true })).data, ['X', 'Y']);
    const write = await stack.serviceClient().rpc('rest_write_in_get', {}, { get: true });
    assert.equal(write.status, 405);
    assert.equal(write.error?.code, '25006');
  });

  it('runs as the caller with request.jwt.claims and request.* settings', async () => {
    const { data } = await alice.client.rpc('rest_whoami');
    assert.equal(data.uid, alice.user.id);
    assert.equal(data.role, 'authenticated');
    assert.equal(data.jwt_role, 'authenticated');
    assert.equal(data.method, 'POST');
    assert.equal(data.path, '/rpc/rest_whoami');
    assert.match(data.client, /^supabase-js/);
    const anon = await stack.client().rpc('rest_whoami');
    assert.equal(anon.data.uid, null);
    assert.equal(anon.data.role, 'anon');
    const secret = await stack.client(SECRET_KEY).rpc('rest_whoami');
    assert.equal(secret.data.role, 'service_role');
    const publishable = await stack.client(PUBLISHABLE_KEY).rpc('rest_whoami');
    assert.equal(publishable.data.role, 'anon');
  });

  it('answers PGRST202 for an unknown function or argument names', async () => {
    const unknown = await alice.client.rpc('rest_nope', { x: 1 });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.error?.code, 'PGRST202');
    assert.equal(unknown.error?.message, 'Could not find the function public.rest_nope(x) in the schema cache');
    const wrongArgs = await alice.client.rpc('rest_add', { z: 1 });
    assert.equal(wrongArgs.error?.code, 'PGRST202');
    assert.match(wrongArgs.error?.hint ?? '', /rest_add\(a, b\)/);
  });

  it('maps raised errors: P0001 → 400, PT429 → 429, PT403 → 403', async () => {
    const plain = await alice.client.rpc('rest_fail', { code: 'P0001' });
    assert.equal(plain.status, 400);
    assert.deepEqual(plain.error, {
      code: 'P0001',
      details: 'some detail',
      hint: 'some hint',
      message: 'custom failure',
    });
    const limited = await alice.client.rpc('rest_fail', { code: 'PT429', message: 'Rate limit exceeded' });
    assert.equal(limited.status, 429);
    assert.equal(limited.error?.code, 'PT429');
    assert.equal((await alice.client.rpc('rest_fail', { code: 'PT403' })).status, 403);
  });
});

describe('REST errors', () => {
  it('maps constraint violations to PostgREST statuses', async () => {
    const service = stack.serviceClient();
    const unique = await service.from('rest_items').insert({ name: 'dup', code: 'A' });
    assert.equal(unique.status, 409);
    assert.equal(unique.error?.code, '23505');
    assert.match(unique.error?.details ?? '', /Key \(code\)=\(A\) already exists/);
    const foreign = await service.from('rest_items').insert({ name: 'x', owner_id: crypto.randomUUID() });
    assert.equal(foreign.status, 409);
    assert.equal(foreign.error?.code, '23503');
    const check = await service.from('rest_items').insert({ name: 'x', qty: -1 });
    assert.equal(check.status, 400);
    assert.equal(check.error?.code, '23514');
    const notNull = await service.from('rest_items').insert({ qty: 1 });
    assert.equal(notNull.status, 400);
    assert.equal(notNull.error?.code, '23502');
    const badUuid = await service.from('rest_items').select('*').eq('id', 'not-a-uuid');
    assert.equal(badUuid.status, 400);
    assert.equal(badUuid.error?.code, '22P02');
  });

  it('answers row-level security refusals with 401 for anon and 403 for a signed-in user', async () => {
    const anon = await stack.client().from('rest_items').insert({ name: 'anon' });
    assert.equal(anon.status, 401);
    assert.equal(anon.error?.code, '42501');
    const spoof = await alice.client.from('rest_items').insert({ name: 'spoof', owner_id: bob.user.id });
    assert.equal(spoof.status, 403);
    assert.deepEqual(spoof.error, {
      code: '42501',
      details: null,
      hint: null,
      message: 'new row violates row-level security policy for table "rest_items"',
    });
  });

  it('answers unknown tables and columns like PostgREST', async () => {
    const table = await alice.client.from('rest_nope').select('*');
    assert.equal(table.status, 404);
    assert.deepEqual(table.error, {
      code: 'PGRST205',
      details: null,
      hint: null,
      message: "Could not find the table 'public.rest_nope' in the schema cache",
    });
    const column = await alice.client.from('rest_items').select('nope');
    assert.equal(column.status, 400);
    assert.equal(column.error?.code, '42703');
    assert.equal(column.error?.message, 'column rest_items.nope does not exist');
    const payload = await alice.client.from('rest_items').insert({ name: 'x', nope: 1 });
    assert.equal(payload.status, 400);
    assert.equal(payload.error?.code, 'PGRST204');
    assert.equal(payload.error?.message, "Could not find the 'nope' column of 'rest_items' in the schema cache");
  });

  it('refuses requests outside the supported subset with a clear 400', async () => {
    const cases: [string, () => PromiseLike<{ status: number; error: { code: string; message: string } | null }>][] = [
      ['embedded resource', () => alice.client.from('rest_items').select('name, owner:owner_id(email)')],
      ['or=', () => alice.client.from('rest_items').select('name').or('qty.eq.1,qty.eq.2')],
      ['json path', () => alice.client.from('rest_items').select('meta->color')],
      ['json path filter', () => alice.client.from('rest_items').select('name').eq('meta->>color', 'red')],
      ['full-text search', () => alice.client.from('rest_items').select('name').textSearch('name', 'apple')],
      ['range operator', () => alice.client.from('rest_items').select('name').rangeGt('qty', '[1,2]')],
      ['quantified like', () => alice.client.from('rest_items').select('name').likeAnyOf('name', ['a%', 'b%'])],
      ['cast', () => alice.client.from('rest_items').select('qty::text')],
    ];
    for (const [label, request] of cases) {
      const { status, error } = await request();
      assert.equal(status, 400, label);
      assert.equal(error?.code, 'PGRST100', label);
      assert.match(error?.message ?? '', /not supported by the Pasabay local stack/, label);
    }
    const put = await rest('/rest_items?id=eq.1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(put.status, 400);
  });

  it('refuses schemas that are not exposed and media types it does not produce', async () => {
    const schema = await rest('/rest_items', { headers: { 'accept-profile': 'auth' } });
    assert.equal(schema.status, 406);
    assert.deepEqual(await schema.json(), {
      code: 'PGRST106',
      details: null,
      hint: 'Only the following schemas are exposed: public',
      message: 'Invalid schema: auth',
    });
    const csv = await alice.client.from('rest_items').select('name').csv();
    assert.equal(csv.status, 406);
    assert.equal(csv.error?.code, 'PGRST107');
  });

  it('checks the API key like the gateway and the JWT like PostgREST', async () => {
    const missing = await rest('/rest_items', { key: '', token: '' });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { message: string }).message, 'No API key found in request');
    const invalid = await rest('/rest_items', { key: 'sb_publishable_wrong' });
    assert.equal(invalid.status, 401);
    assert.equal(((await invalid.json()) as { message: string }).message, 'Invalid API key');
    const expired = await rest('/rest_items', {
      token: await signJwt({ role: 'authenticated', sub: alice.user.id }, -10),
    });
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
    assert.match(expired.headers.get('www-authenticate') ?? '', /invalid_token/);
    const forged = await rest('/rest_items', { token: `${alice.session.access_token.slice(0, -4)}AAAA` });
    assert.equal(forged.status, 401);
    assert.equal(((await forged.json()) as { code: string }).code, 'PGRST301');
    const unknownRole = await rest('/rest_items', { token: await signJwt({ role: 'nobody' }, 60) });
    assert.equal(unknownRole.status, 401);
    assert.equal(((await unknownRole.json()) as { code: string }).code, '22023');
  });

  it('answers a CORS preflight', async () => {
    const response = await fetch(`${stack.url}/rest/v1/rest_items`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'apikey, authorization, prefer',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /prefer/);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
  });
});

describe('REST fuzz: malformed requests fail alone', () => {
  it('answers every malformed request with a 4xx JSON error and keeps serving', async () => {
    const token = alice.session.access_token;
    const json = { 'content-type': 'application/json' };
    const requests: [string, RequestInit][] = [
      ['/rest_items', { method: 'POST', headers: json, body: '{"name": ' }],
      ['/rest_items', { method: 'POST', headers: json, body: '' }],
      ['/rest_items', { method: 'POST', headers: json, body: '42' }],
      ['/rest_items', { method: 'POST', headers: json, body: '[1, 2]' }],
      ['/rest_items', { method: 'POST', headers: json, body: '[{"name":"a"},{"qty":1}]' }],
      ['/rest_items?id=eq.1', { method: 'PATCH', headers: json, body: '[]' }],
      ['/rest_items', { method: 'POST', headers: json, body: JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) }) }],
      ['/rest_items?qty=5', {}],
      ['/rest_items?qty=eq', {}],
      ['/rest_items?qty=between.1.2', {}],
      ['/rest_items?qty=in.1,2', {}],
      ['/rest_items?qty=in.("1,2)', {}],
      ['/rest_items?qty=is.maybe', {}],
      ['/rest_items?qty=eq.abc', {}],
      ['/rest_items?order=qty.sideways', {}],
      ['/rest_items?limit=-1', {}],
      ['/rest_items?limit=ten', {}],
      ['/rest_items?select=name,,qty', {}],
      ['/rest_items?select=na(me', {}],
      ['/rest_items?select="unterminated', {}],
      ['/rest_items?select=name;drop table public.rest_items', {}],
      ['/rest_items?name;drop table public.rest_items=eq.1', {}],
      ['/rest_items?"name"" ; drop table x; --"=eq.1', {}],
      ['/rest_items%22%3B%20drop%20table%20public.rest_items%3B--', {}],
      ['/rest_items?select=%00', {}],
      ['/rest_items?name=eq.%00', {}],
      ['/rest_items/extra/segments', {}],
      ['/rpc/rest_add', { method: 'POST', headers: json, body: '{"a": "not a number"}' }],
      ['/rpc/rest_add', { method: 'POST', headers: json, body: '[1]' }],
      ['/rpc/rest_add', { method: 'DELETE' }],
      ['/rpc/rest_add%27)%3B--', { method: 'POST', headers: json, body: '{}' }],
      ['/%E0%A4%A', {}],
      ['/rest_items', { method: 'PURGE' }],
      ['/rest_items', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'name\nx' }],
      ['/rest_items', { headers: { accept: 'application/vnd.pgrst.plan+text' } }],
      ['/rest_items', { headers: { range: '5-1' } }],
    ];
    for (const [path, init] of requests) {
      const response = await rest(path, { ...init, token });
      const label = `${init.method ?? 'GET'} ${path.slice(0, 80)}`;
      assert.ok(response.status >= 400 && response.status < 500, `${label}: ${response.status}`);
      const body = (await response.json()) as { code?: string; message?: string };
      assert.equal(typeof body.message, 'string', label);
    }
    // Injection-looking values are plain values: they match nothing and change nothing.
    for (const value of ["1'; drop table public.rest_items; --", 'a\',b"', '); delete from public.rest_items; --']) {
      const { data, error } = await alice.client.from('rest_items').select('name').eq('name', value);
      assert.equal(error, null);
      assert.deepEqual(data, []);
      // postgrest-js does not escape a double quote inside a quoted list value: refused, never misread.
      const listed = await alice.client.from('rest_items').select('name').in('name', [value, 'x']);
      if (listed.error) assert.equal(listed.status, 400);
      else assert.deepEqual(listed.data, []);
    }
    const { data, error } = await alice.client.from('rest_items').select('name').eq('code', 'A');
    assert.equal(error, null);
    assert.deepEqual(data, [{ name: 'apple' }]);
    const { rows } = await db.query(`select to_regclass('public.rest_items') is not null as present`);
    assert.equal(rows[0].present, true);
  });

  it('counts requests, auth failures and errors in the metrics', async () => {
    const text = await stack.context.metrics.text();
    assert.match(text, /pasabay_http_requests_total\{service="rest",status="200"\} \d+/);
    assert.match(text, /pasabay_auth_failures_total\{service="rest"\} \d+/);
  });
});

describe('REST on the Pasabay schema', () => {
  it('runs the chat flow: RPC, retried send, history, RLS for an outsider, read receipts, the 429 rate limit', async () => {
    const outsider = await stack.createUser({ displayName: 'Eve' });
    // Strangers cannot reach each other, and an unknown id is refused alike; Bob opens his profile
    // to contact through REST (a column he may update on his own row), then Alice can reach him.
    for (const other of [bob.user.id, crypto.randomUUID()]) {
      const refused = await alice.client.rpc('start_direct_conversation', { other_user_id: other });
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.error, {
        code: '42501',
        details: null,
        hint: null,
        message: 'You cannot start a conversation with this user',
      });
    }
    const hidden = await alice.client.from('profiles').select('id').eq('id', bob.user.id);
    assert.deepEqual(hidden.data, [], "a stranger's profile is not readable");
    const opened = await bob.client
      .from('profiles')
      .update({ open_to_contact: true })
      .eq('id', bob.user.id)
      .select('id');
    assert.equal(opened.error, null, opened.error?.message);
    assert.deepEqual(opened.data, [{ id: bob.user.id }]);
    const planted = await alice.client.from('profiles').update({ open_to_contact: true }).eq('id', outsider.user.id);
    assert.equal(planted.error, null);
    const started = await alice.client.rpc('start_direct_conversation', { other_user_id: bob.user.id });
    assert.equal(started.error, null);
    assert.equal(started.data.kind, 'direct');
    const again = await bob.client.rpc('start_direct_conversation', { other_user_id: alice.user.id });
    assert.equal(again.data.id, started.data.id, 'get or create returns the same conversation');
    const conversationId = started.data.id as string;

    const id = crypto.randomUUID();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const sent = await alice.client
        .from('messages')
        .upsert({ id, conversation_id: conversationId, body: 'Kumusta?' }, { onConflict: 'id', ignoreDuplicates: true })
        .select();
      assert.equal(sent.error, null);
    }
    const history = await bob.client
      .from('messages')
      .select('id, body, sender_id')
      .eq('conversation_id', conversationId)
      .order('created_at', { ascending: false })
      .limit(50);
    assert.deepEqual(history.data, [{ id, body: 'Kumusta?', sender_id: alice.user.id }]);
    const stillStranger = await alice.client.rpc('start_direct_conversation', { other_user_id: outsider.user.id });
    assert.equal(stillStranger.error?.code, '42501', "Alice could not open Eve's profile for her");
    const spied = await outsider.client.from('messages').select('id').eq('conversation_id', conversationId);
    assert.deepEqual(spied.data, []);
    const intruder = await outsider.client.from('messages').insert({ conversation_id: conversationId, body: 'hi' });
    assert.equal(intruder.status, 403);
    assert.equal(intruder.error?.code, '42501');

    const read = await bob.client.rpc('mark_conversation_read', { conversation_id: conversationId });
    assert.equal(read.status, 204);
    const member = await bob.client
      .from('conversation_members')
      .select('unread_count')
      .eq('conversation_id', conversationId)
      .eq('user_id', bob.user.id)
      .single();
    assert.equal(member.data?.unread_count, 0);

    const { rows } = await db.query('select public.message_rate_limit() as limit');
    let limited: { status: number; error: { code: string; message: string } | null } | undefined;
    for (let i = 0; i <= rows[0].limit; i += 1) {
      const result = await alice.client
        .from('messages')
        .insert({ conversation_id: conversationId, body: `message ${i}` });
      if (result.error) {
        limited = result;
        break;
      }
    }
    assert.equal(limited?.status, 429);
    assert.equal(limited?.error?.code, 'PT429');
    assert.match(limited?.error?.message ?? '', /Rate limit exceeded/);
  });
});
