/**
 * Auth throttles sign-ups and sign-ins per client like GoTrue on a hosted project: with GoTrue's
 * defaults, the 31st email sign-up or password sign-in within five minutes from one address gets
 * 429 `over_request_rate_limit`; another address is unaffected; GOTRUE_RATE_LIMIT_* change them.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { authRateLimitsFromEnv } from '../../supabase/local/auth/rate-limits.js';
import { startTestStack, type TestStack } from '../support/stack.js';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A POST from a chosen loopback address (every 127.x.y.z reaches the stack on 127.0.0.1). */
function post(stack: TestStack, path: string, body: unknown, localAddress = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      `${stack.url}/auth/v1${path}`,
      {
        method: 'POST',
        localAddress,
        headers: {
          apikey: stack.anonKey,
          'content-type': 'application/json',
          'x-supabase-api-version': '2024-01-01',
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('GoTrue rate limits', () => {
  let stack: TestStack;
  const password = 'correct horse battery staple';

  before(async () => {
    // GoTrue's defaults (none of GOTRUE_RATE_LIMIT_* is set for the test run).
    stack = await startTestStack({ authRateLimits: {} });
  });

  after(async () => {
    await stack?.stop();
  });

  it("has GoTrue's defaults and reads GoTrue's variables", () => {
    const saved = { ...process.env };
    try {
      for (const name of [
        'GOTRUE_RATE_LIMIT_OTP',
        'GOTRUE_RATE_LIMIT_TOKEN_REFRESH',
        'GOTRUE_RATE_LIMIT_ANONYMOUS_USERS',
      ])
        delete process.env[name];
      assert.deepEqual(authRateLimitsFromEnv(), { signInsAndSignUps: 30, tokenRefreshes: 150, anonymousSignIns: 30 });
      process.env['GOTRUE_RATE_LIMIT_OTP'] = '5';
      process.env['GOTRUE_RATE_LIMIT_TOKEN_REFRESH'] = '7';
      process.env['GOTRUE_RATE_LIMIT_ANONYMOUS_USERS'] = '9';
      assert.deepEqual(authRateLimitsFromEnv(), { signInsAndSignUps: 5, tokenRefreshes: 7, anonymousSignIns: 9 });
    } finally {
      process.env = saved;
    }
  });

  it('refuses the 31st sign-up or sign-in from one address with 429 over_request_rate_limit', async () => {
    const first = `first.${Date.now()}@example.test`;
    assert.equal((await post(stack, '/signup', { email: first, password })).status, 200);
    for (let i = 1; i < 20; i += 1) {
      const reply = await post(stack, '/signup', { email: `u${i}.${Date.now()}@example.test`, password });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
    // Sign-ins share the allowance with sign-ups.
    for (let i = 0; i < 10; i += 1) {
      const reply = await post(stack, '/token?grant_type=password', { email: first, password });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
    const refusedSignIn = await post(stack, '/token?grant_type=password', { email: first, password });
    assert.deepEqual(refusedSignIn, {
      status: 429,
      body: { code: 'over_request_rate_limit', message: 'Request rate limit reached' },
    });
    const refusedSignUp = await post(stack, '/signup', { email: `late.${Date.now()}@example.test`, password });
    assert.equal(refusedSignUp.status, 429);
    assert.equal(refusedSignUp.body['code'], 'over_request_rate_limit');

    // Another client is counted on its own.
    const elsewhere = await post(stack, '/token?grant_type=password', { email: first, password }, '127.0.0.2');
    assert.equal(elsewhere.status, 200);
  });

  it('limits anonymous sign-ins per hour on their own allowance', async () => {
    for (let i = 0; i < 30; i += 1) {
      const reply = await post(stack, '/signup', { data: {} }, '127.0.0.3');
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }
    const refused = await post(stack, '/signup', { data: {} }, '127.0.0.3');
    assert.equal(refused.status, 429);
    assert.equal(refused.body['code'], 'over_request_rate_limit');
    // Email sign-ups from that address still have theirs.
    const email = await post(
      stack,
      '/signup',
      { email: `anon.peer.${Date.now()}@example.test`, password },
      '127.0.0.3',
    );
    assert.equal(email.status, 200);
  });
});
