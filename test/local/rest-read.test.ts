/**
 * REST conformance, reads: select, filters, order, ranges, counts and `.single()` on GET / HEAD.
 * Driven by the real supabase-js and by raw HTTP, on a real database (setup in test/support/rest-stack.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alice, bob, db, rest, stack, useRestStack } from '../support/rest-stack.js';

useRestStack();

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
