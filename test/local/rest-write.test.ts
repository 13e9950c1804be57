/**
 * REST conformance, writes: insert, upsert, update and delete, with their Prefer options.
 * Driven by the real supabase-js and by raw HTTP, on a real database (setup in test/support/rest-stack.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { alice, rest, seedItems, stack, useRestStack } from '../support/rest-stack.js';

useRestStack();

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
