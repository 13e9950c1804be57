/**
 * REST conformance, functions: `/rpc/<name>` by POST and GET, scalar, set and void results.
 * Driven by the real supabase-js and by raw HTTP, on a real database (setup in test/support/rest-stack.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/keys.js';
import { alice, seedItems, stack, useRestStack } from '../support/rest-stack.js';

useRestStack();

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
