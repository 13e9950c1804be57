/**
 * REST conformance, failures: PostgREST error bodies and statuses, malformed requests, and the Pasabay schema through REST.
 * Driven by the real supabase-js and by raw HTTP, on a real database (setup in test/support/rest-stack.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signJwt } from '../../supabase/local/keys.js';
import { alice, bob, db, rest, stack, useRestStack } from '../support/rest-stack.js';

useRestStack();

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

    const unreadOf = async () => {
      const mine = await bob.client.rpc('my_conversations', { conversation_id: conversationId }).single();
      assert.equal(mine.error, null);
      return (mine.data as { unread_count: number }).unread_count;
    };
    assert.equal(await unreadOf(), 1, "Alice's message is unread for Bob");
    const read = await bob.client.rpc('mark_conversation_read', { conversation_id: conversationId });
    assert.equal(read.status, 204);
    assert.equal(await unreadOf(), 0);

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
