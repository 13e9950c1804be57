/**
 * Auth conformance: the GoTrue endpoints supabase-js uses, driven by the real supabase-js (auth-js)
 * and by raw HTTP for the wire details, on real `auth.users` rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { PUBLISHABLE_KEY, SECRET_KEY, signJwt } from '../../supabase/local/keys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

// Refresh-token reuse is checked against an interval; zero makes any reuse of a rotated token detectable at once.
process.env['PASABAY_REFRESH_TOKEN_REUSE_INTERVAL'] = '0';

let stack: TestStack;
let db: pg.Client;
let counter = 0;

const newEmail = () => `auth${++counter}.${process.pid}@example.test`;
const PASSWORD = 'correct horse battery staple';

function auth(
  path: string,
  init: RequestInit & { key?: string; token?: string; version?: boolean } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key ?? stack.anonKey;
  if (init.key !== '') headers.set('apikey', key);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.version !== false) headers.set('x-supabase-api-version', '2024-01-01');
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${stack.url}/auth/v1${path}`, { ...init, headers });
}

before(async () => {
  stack = await startTestStack();
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});

after(async () => {
  await db?.end();
  await stack?.stop();
});

describe('Auth sign-up', () => {
  it('signs up with email and password: confirmed at once, a session, a real auth.users row whose trigger made a profile', async () => {
    const email = newEmail();
    const client = stack.client();
    const { data, error } = await client.auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { display_name: 'Maria S' } },
    });
    assert.equal(error, null);
    assert.ok(data.session && data.user);
    assert.equal(data.session.token_type, 'bearer');
    assert.equal(data.session.expires_in, 3600);
    assert.equal(data.user.email, email);
    assert.equal(data.user.aud, 'authenticated');
    assert.equal(data.user.role, 'authenticated');
    assert.equal(data.user.is_anonymous, false);
    assert.ok(data.user.email_confirmed_at);
    assert.deepEqual(data.user.app_metadata, { provider: 'email', providers: ['email'] });
    assert.deepEqual(data.user.user_metadata, { display_name: 'Maria S' });
    assert.equal(data.user.identities?.[0]?.provider, 'email');

    const claims = decodeJwt(data.session.access_token);
    assert.equal(claims.sub, data.user.id);
    assert.equal(claims.aud, 'authenticated');
    assert.equal(claims['role'], 'authenticated');
    assert.equal(claims['email'], email);
    assert.equal(claims['phone'], '');
    assert.equal(claims['is_anonymous'], false);
    assert.equal(claims['aal'], 'aal1');
    assert.deepEqual(claims['app_metadata'], { provider: 'email', providers: ['email'] });
    assert.deepEqual(claims['user_metadata'], { display_name: 'Maria S' });
    assert.equal((claims['amr'] as { method: string }[])[0]?.method, 'password');
    assert.match(String(claims['session_id']), /^[0-9a-f-]{36}$/);
    assert.equal(claims.iss, `${stack.url}/auth/v1`);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);

    const { rows } = await db.query(
      `select u.instance_id, u.aud, u.role, u.raw_user_meta_data, u.raw_app_meta_data, u.is_anonymous,
              u.encrypted_password like '$2%' as bcrypt, p.display_name
         from auth.users u join public.profiles p on p.id = u.id where u.id = $1`,
      [data.user.id],
    );
    assert.deepEqual(rows[0], {
      instance_id: '00000000-0000-0000-0000-000000000000',
      aud: 'authenticated',
      role: 'authenticated',
      raw_user_meta_data: { display_name: 'Maria S' },
      raw_app_meta_data: { provider: 'email', providers: ['email'] },
      is_anonymous: false,
      bcrypt: true,
      display_name: 'Maria S',
    });
  });

  it('signs in anonymously when neither email nor phone is given', async () => {
    const { data, error } = await stack.client().auth.signInAnonymously({ options: { data: { locale: 'fil' } } });
    assert.equal(error, null);
    assert.ok(data.session && data.user);
    assert.equal(data.user.is_anonymous, true);
    assert.equal(data.user.email, '');
    assert.deepEqual(data.user.app_metadata, {});
    assert.deepEqual(data.user.identities, []);
    const claims = decodeJwt(data.session.access_token);
    assert.equal(claims['is_anonymous'], true);
    assert.equal(claims['role'], 'authenticated');
    assert.equal((claims['amr'] as { method: string }[])[0]?.method, 'anonymous');
    const { rows } = await db.query('select display_name from public.profiles where id = $1', [data.user.id]);
    assert.match(rows[0].display_name, /^Guest /);
  });

  it('refuses a duplicate email with 422 user_already_exists', async () => {
    const email = newEmail();
    await stack.client().auth.signUp({ email, password: PASSWORD });
    const { data, error } = await stack.client().auth.signUp({ email: email.toUpperCase(), password: PASSWORD });
    assert.equal(data.session, null);
    assert.equal(error?.status, 422);
    assert.equal(error?.code, 'user_already_exists');
    assert.equal(error?.message, 'User already registered');
  });

  it('refuses weak passwords, missing passwords, bad emails and phone sign-ups like GoTrue', async () => {
    const weak = await stack.client().auth.signUp({ email: newEmail(), password: '123' });
    assert.equal(weak.error?.status, 422);
    assert.equal(weak.error?.code, 'weak_password');
    assert.deepEqual((weak.error as unknown as { reasons: string[] }).reasons, ['length']);
    const noPassword = await auth('/signup', { method: 'POST', body: JSON.stringify({ email: newEmail() }) });
    assert.equal(noPassword.status, 400);
    assert.deepEqual(await noPassword.json(), {
      code: 'validation_failed',
      message: 'Signup requires a valid password',
    });
    assert.equal(noPassword.headers.get('x-supabase-api-version'), '2024-01-01');
    const badEmail = await stack.client().auth.signUp({ email: 'not-an-email', password: PASSWORD });
    assert.equal(badEmail.error?.status, 400);
    assert.equal(badEmail.error?.code, 'validation_failed');
    const phone = await stack.client().auth.signUp({ phone: '+15555550100', password: PASSWORD });
    assert.equal(phone.error?.code, 'phone_provider_disabled');
  });
});

describe('Auth sign-in and sessions', () => {
  const email = newEmail();
  before(async () => {
    const { error } = await stack.client().auth.signUp({ email, password: PASSWORD });
    assert.equal(error, null);
  });

  it('signs in with the password; a wrong password or unknown email gives 400 invalid_credentials', async () => {
    const { data, error } = await stack.client().auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(error, null);
    assert.equal(data.user?.email, email);
    assert.ok(data.user?.last_sign_in_at);
    for (const attempt of [
      { email, password: 'wrong password' },
      { email: newEmail(), password: PASSWORD },
    ]) {
      const failed = await stack.client().auth.signInWithPassword(attempt);
      assert.equal(failed.error?.status, 400);
      assert.equal(failed.error?.code, 'invalid_credentials');
      assert.equal(failed.error?.message, 'Invalid login credentials');
    }
  });

  it('rotates refresh tokens; the rotated token is refused once reused, and then the whole session is', async () => {
    const client = stack.client();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const first = data.session!;
    const refreshed = await auth('/token?grant_type=refresh_token', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: first.refresh_token }),
    });
    assert.equal(refreshed.status, 200);
    const second = (await refreshed.json()) as { refresh_token: string; access_token: string; user: { id: string } };
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(decodeJwt(second.access_token)['session_id'], decodeJwt(first.access_token)['session_id']);
    assert.equal(second.user.id, first.user.id);

    // The parent of the active token is still answered with the active one (a client that lost the answer).
    const lost = (await (
      await auth('/token?grant_type=refresh_token', {
        method: 'POST',
        body: JSON.stringify({ refresh_token: first.refresh_token }),
      })
    ).json()) as {
      refresh_token: string;
    };
    assert.equal(lost.refresh_token, second.refresh_token);

    const third = (await (
      await auth('/token?grant_type=refresh_token', {
        method: 'POST',
        body: JSON.stringify({ refresh_token: second.refresh_token }),
      })
    ).json()) as {
      refresh_token: string;
    };
    const reused = await auth('/token?grant_type=refresh_token', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: first.refresh_token }),
    });
    assert.equal(reused.status, 400);
    assert.deepEqual(await reused.json(), {
      code: 'refresh_token_already_used',
      message: 'Invalid Refresh Token: Already Used',
    });
    const family = await auth('/token?grant_type=refresh_token', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: third.refresh_token }),
    });
    assert.equal(family.status, 400, 'the reuse revoked the whole token family');
  });

  it('refreshSession() through supabase-js, and an unknown refresh token gives refresh_token_not_found', async () => {
    const client = stack.client();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const { data: refreshed, error } = await client.auth.refreshSession({ refresh_token: data.session!.refresh_token });
    assert.equal(error, null);
    assert.ok(refreshed.session?.access_token);
    const unknown = await stack.client().auth.refreshSession({ refresh_token: 'not-a-token' });
    assert.equal(unknown.error?.code, 'refresh_token_not_found');
    assert.equal(unknown.error?.message, 'Invalid Refresh Token: Refresh Token Not Found');
    const missing = await auth('/token?grant_type=refresh_token', { method: 'POST', body: '{}' });
    assert.deepEqual(await missing.json(), { error: 'invalid_request', error_description: 'refresh_token required' });
    const grant = await auth('/token?grant_type=magic', { method: 'POST', body: '{}' });
    assert.equal(grant.status, 400);
    assert.deepEqual(await grant.json(), { error: 'unsupported_grant_type' });
  });

  it('gets the user with its access token; refuses missing, expired, forged and key-only tokens', async () => {
    const client = stack.client();
    const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    const { data: got, error } = await client.auth.getUser();
    assert.equal(error, null);
    assert.equal(got.user?.id, data.user?.id);

    const none = await auth('/user');
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { code: 'no_authorization', message: 'This endpoint requires a Bearer token' });
    const expired = await auth('/user', { token: await signJwt({ role: 'authenticated', sub: data.user!.id }, -10) });
    assert.equal(expired.status, 403);
    assert.deepEqual(await expired.json(), {
      code: 'bad_jwt',
      message: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
    });
    const expiredViaClient = await stack
      .client()
      .auth.getUser(await signJwt({ role: 'authenticated', sub: data.user!.id }, -10));
    assert.equal(expiredViaClient.error?.code, 'bad_jwt');
    const forged = await auth('/user', { token: `${data.session!.access_token.slice(0, -4)}AAAA` });
    assert.equal(forged.status, 403);
    const keyOnly = await auth('/user', { token: stack.anonKey });
    assert.deepEqual(await keyOnly.json(), { code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
    const ghost = await auth('/user', {
      token: await signJwt({ role: 'authenticated', sub: crypto.randomUUID() }, 60),
    });
    assert.deepEqual(await ghost.json(), {
      code: 'user_not_found',
      message: 'User from sub claim in JWT does not exist',
    });
  });

  it('updates user metadata (merge, null removes) and the password', async () => {
    const client = stack.client();
    const updateEmail = newEmail();
    await client.auth.signUp({ email: updateEmail, password: PASSWORD, options: { data: { a: 1, b: 2 } } });
    const { data, error } = await client.auth.updateUser({ data: { b: null, c: 3 } });
    assert.equal(error, null);
    assert.deepEqual(data.user?.user_metadata, { a: 1, c: 3 });
    const same = await client.auth.updateUser({ password: PASSWORD });
    assert.equal(same.error?.code, 'same_password');
    const changed = await client.auth.updateUser({ password: 'a brand new password' });
    assert.equal(changed.error, null);
    const signIn = await stack
      .client()
      .auth.signInWithPassword({ email: updateEmail, password: 'a brand new password' });
    assert.equal(signIn.error, null);
    const emailChange = await client.auth.updateUser({ email: newEmail() });
    assert.equal(emailChange.error?.status, 422);
  });

  it('logs out: scope local ends one session, others ends the rest, global ends all', async () => {
    const sessions = [];
    for (let i = 0; i < 3; i += 1) {
      const { data } = await stack.client().auth.signInWithPassword({ email, password: PASSWORD });
      sessions.push(data.session!);
    }
    const refresh = (token: string) =>
      auth('/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: token }) });

    const local = await auth('/logout?scope=local', { method: 'POST', token: sessions[0]!.access_token });
    assert.equal(local.status, 204);
    assert.equal((await refresh(sessions[0]!.refresh_token)).status, 400);
    const afterLogout = await auth('/user', { token: sessions[0]!.access_token });
    assert.deepEqual(await afterLogout.json(), {
      code: 'session_not_found',
      message: 'Session from session_id claim in JWT does not exist',
    });
    assert.equal((await auth('/user', { token: sessions[1]!.access_token })).status, 200);

    assert.equal(
      (await auth('/logout?scope=others', { method: 'POST', token: sessions[1]!.access_token })).status,
      204,
    );
    assert.equal((await auth('/user', { token: sessions[2]!.access_token })).status, 403);
    assert.equal((await auth('/user', { token: sessions[1]!.access_token })).status, 200);

    const client = stack.client();
    await client.auth.setSession({
      access_token: sessions[1]!.access_token,
      refresh_token: sessions[1]!.refresh_token,
    });
    const { error } = await client.auth.signOut();
    assert.equal(error, null);
    assert.equal((await auth('/user', { token: sessions[1]!.access_token })).status, 403);

    const badScope = await auth('/logout?scope=everywhere', {
      method: 'POST',
      token: (await stack.client().auth.signInWithPassword({ email, password: PASSWORD })).data.session!.access_token,
    });
    assert.equal(badScope.status, 400);
  });

  it('honours PASABAY_JWT_EXPIRY for new access tokens', async () => {
    process.env['PASABAY_JWT_EXPIRY'] = '5';
    try {
      const { data } = await stack.client().auth.signInWithPassword({ email, password: PASSWORD });
      assert.equal(data.session?.expires_in, 5);
      const claims = decodeJwt(data.session!.access_token);
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 5);
    } finally {
      delete process.env['PASABAY_JWT_EXPIRY'];
    }
  });
});

describe('Auth gateway, keys and bad input', () => {
  it('accepts the sb_publishable_ and sb_secret_ keys; refuses missing and unknown keys', async () => {
    for (const key of [PUBLISHABLE_KEY, SECRET_KEY, stack.serviceRoleKey]) {
      const { data, error } = await stack.client(key).auth.signUp({ email: newEmail(), password: PASSWORD });
      assert.equal(error, null);
      assert.ok(data.session);
    }
    const missing = await auth('/settings', { key: '' });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { message: string }).message, 'No API key found in request');
    const invalid = await stack
      .client('sb_publishable_not_ours')
      .auth.signInWithPassword({ email: newEmail(), password: PASSWORD });
    assert.equal(invalid.error?.status, 401);
    assert.equal(invalid.error?.message, 'Invalid API key');
  });

  it('answers settings, health and a CORS preflight', async () => {
    const settings = (await (await auth('/settings')).json()) as {
      external: { email: boolean; anonymous_users: boolean };
      mailer_autoconfirm: boolean;
    };
    assert.equal(settings.external.email, true);
    assert.equal(settings.external.anonymous_users, true);
    assert.equal(settings.mailer_autoconfirm, true);
    assert.equal(((await (await auth('/health')).json()) as { name: string }).name, 'GoTrue');
    const preflight = await fetch(`${stack.url}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:8000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'apikey, x-supabase-api-version, content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-supabase-api-version/);
  });

  it('uses the legacy error shape when the client does not ask for API version 2024-01-01', async () => {
    const response = await auth('/token?grant_type=password', {
      method: 'POST',
      version: false,
      body: JSON.stringify({ email: newEmail(), password: 'x' }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-supabase-api-version'), null);
    assert.deepEqual(await response.json(), {
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
    });
  });

  it('fuzz: malformed requests fail alone with GoTrue errors and the service keeps answering', async () => {
    const cases: [string, RequestInit, number][] = [
      ['/signup', { method: 'POST', body: '{"email": ' }, 400],
      ['/signup', { method: 'POST', body: '[1,2]' }, 400],
      ['/signup', { method: 'POST', body: '{"email": 5, "password": "secret123"}' }, 400],
      ['/signup', { method: 'POST', body: '{"email": "a@b.co", "password": "secret123", "data": "x"}' }, 400],
      [
        '/signup',
        {
          method: 'POST',
          body: JSON.stringify({
            email: 'big@example.test',
            password: 'secret123',
            data: { blob: 'x'.repeat(200_000) },
          }),
        },
        413,
      ],
      [
        '/signup',
        {
          method: 'POST',
          body: JSON.stringify({ email: "x'); drop table auth.users; --@example.test", password: 'secret123' }),
        },
        400,
      ],
      [
        '/signup',
        { method: 'POST', body: JSON.stringify({ email: 'long@example.test', password: 'p'.repeat(100) }) },
        400,
      ],
      [
        '/token?grant_type=password',
        { method: 'POST', body: JSON.stringify({ email: "' or 1=1 --", password: "' or '1'='1" }) },
        400,
      ],
      ['/token?grant_type=password', { method: 'POST', body: 'not json' }, 400],
      [
        '/token?grant_type=refresh_token',
        { method: 'POST', body: JSON.stringify({ refresh_token: "x' or '1'='1" }) },
        400,
      ],
      ['/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: 42 }) }, 400],
      ['/user', { method: 'GET', headers: { authorization: 'Bearer a.b.c' } }, 403],
      ['/user', { method: 'GET', headers: { authorization: 'Bearer' } }, 401],
      ['/user', { method: 'PUT', headers: { authorization: 'Bearer garbage' }, body: '{}' }, 403],
      ['/otp', { method: 'POST', body: '{}' }, 404],
      ['/admin/users', { method: 'GET' }, 404],
    ];
    for (const [path, init, status] of cases) {
      const response = await auth(path, init);
      assert.equal(response.status, status, `${init.method} ${path}`);
      const body = (await response.json()) as { code?: string; message?: string };
      assert.equal(typeof body.message, 'string', `${init.method} ${path}`);
    }
    const { rows } = await db.query(`select count(*)::int as n from auth.users`);
    assert.ok(rows[0].n > 0, 'auth.users is intact');
    const { error } = await stack.client().auth.signUp({ email: newEmail(), password: PASSWORD });
    assert.equal(error, null);
  });

  it('counts auth requests and failures in the metrics', async () => {
    const text = await stack.context.metrics.text();
    assert.match(text, /pasabay_http_requests_total\{service="auth",status="200"\} \d+/);
    assert.match(text, /pasabay_auth_failures_total\{service="auth"\} [1-9]\d*/);
  });
});
