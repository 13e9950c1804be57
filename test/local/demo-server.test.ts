/**
 * `npm start`'s demo server (the same startDemoServer start.ts calls) against a real stack: it
 * serves the demo pages and their modules, and nothing else of the repository — not the database
 * folder `.pasabay/`, `.git`, the stack's code, nor anything by traversal — and answers no other
 * origin, not even another localhost port.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../supabase/local/db.js';
import { startDemoServer, type DemoServer } from '../../supabase/local/demo-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET: the path goes out byte for byte (fetch would resolve `..` and dot segments first). */
function get(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: rawPath, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('demo dev server', () => {
  let stack: TestStack;
  let demo: DemoServer;
  const secret = `refresh-token-${randomUUID()}`;
  const secretDir = path.join(REPO_ROOT, '.pasabay', `demo-server-test-${process.pid}`);
  const secretFile = path.join(secretDir, 'pg_wal.txt');
  const repo = REPO_ROOT.replace(/\/$/, '');

  before(async () => {
    await mkdir(secretDir, { recursive: true });
    await writeFile(secretFile, secret);
    stack = await startTestStack();
    demo = await startDemoServer({ stackUrl: stack.url, port: 0, logLevel: 'silent' });
  });

  after(async () => {
    await demo?.close();
    await stack?.stop();
    await rm(secretDir, { recursive: true, force: true });
  });

  it('serves the demo pages, their modules, the library sources and pre-bundled dependencies', async () => {
    const index = await get(demo.port, '/');
    assert.equal(index.status, 200);
    assert.match(index.body, /<html/i);
    const chat = await get(demo.port, '/chat.html');
    assert.equal(chat.status, 200);
    const frame = await get(demo.port, '/chat-frame.ts');
    assert.equal(frame.status, 200, frame.body.slice(0, 300));
    assert.match(String(frame.headers['content-type']), /javascript/);
    const library = await get(demo.port, `/@fs${repo}/src/index.ts`);
    assert.equal(library.status, 200, library.body.slice(0, 300));

    const config = await get(demo.port, '/config.ts');
    assert.equal(config.status, 200);
    assert.ok(config.body.includes(JSON.stringify(stack.url)), 'the stack URL is compiled into the page');
    const session = await get(demo.port, '/demo-session.ts');
    assert.equal(session.status, 200);
    const dependency = /from "([^"]*node_modules\/\.vite\/deps\/[^"]+)"/.exec(session.body)?.[1];
    assert.ok(dependency, 'supabase-js comes pre-bundled');
    const bundled = await get(demo.port, dependency);
    assert.equal(bundled.status, 200);
    assert.ok(bundled.body.length > 1000);
    assert.equal(frame.headers['access-control-allow-origin'], undefined);
  });

  it('refuses the database folder, .git, the stack code and every traversal', async () => {
    const attempts = [
      `/@fs${secretFile}`,
      `/@fs${secretFile}?raw`,
      `/@fs${secretFile}?import&raw`,
      `/@fs${secretFile}?url`,
      `/.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/../.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/..%2f.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/%2e%2e/.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/%252e%252e/.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/src/%2e%2e/.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/@fs${repo}/demo/../.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/@fs${repo}/demo/%2e%2e/.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/@fs${repo}/src/..%5c.pasabay/${path.basename(secretDir)}/pg_wal.txt`,
      `/@fs${repo}/.%70asabay/${path.basename(secretDir)}/pg_wal.txt`,
      '/.git/config',
      `/@fs${repo}/.git`,
      `/@fs${repo}/.git/config`,
      `/@fs${repo}/supabase/local/keys.ts`,
      `/@fs${repo}/supabase/local/keys.ts?raw`,
      `/@fs${repo}/package.json`,
      `/@fs${repo}/.env`,
      '/@fs/etc/passwd',
      '/@fs/etc/passwd?raw',
      '/../../../../etc/passwd',
    ];
    for (const attempt of attempts) {
      const reply = await get(demo.port, attempt);
      assert.ok(reply.status === 403 || reply.status === 404, `${attempt} answered ${reply.status}`);
      assert.ok(!reply.body.includes(secret), `${attempt} leaked the secret`);
      assert.ok(!reply.body.includes('root:'), `${attempt} leaked /etc/passwd`);
      assert.ok(!/SECRET_KEY|signJwt/.test(reply.body), `${attempt} leaked the stack's keys`);
    }
  });

  it('answers no other origin or host, not even another localhost port', async () => {
    const ownOrigin = `http://127.0.0.1:${demo.port}`;
    const sameOrigin = await get(demo.port, '/chat-frame.ts', { origin: ownOrigin, 'sec-fetch-site': 'same-origin' });
    assert.equal(sameOrigin.status, 200);

    for (const headers of <Record<string, string>[]>[
      { origin: 'http://127.0.0.1:1234' },
      { origin: 'http://localhost:8080' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    ]) {
      const reply = await get(demo.port, '/chat-frame.ts', headers);
      assert.equal(reply.status, 403, JSON.stringify(headers));
      assert.equal(reply.headers['access-control-allow-origin'], undefined);
    }
    const preflight = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: demo.port,
          path: '/chat-frame.ts',
          method: 'OPTIONS',
          headers: { origin: 'http://127.0.0.1:1234', 'access-control-request-method': 'GET' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          assert.equal(res.headers['access-control-allow-origin'], undefined);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(preflight, 403);

    // DNS rebinding: a foreign name resolving to 127.0.0.1 is not answered.
    const rebound = await get(demo.port, '/chat-frame.ts', { host: `attacker.example:${demo.port}` });
    assert.equal(rebound.status, 403);
    // A navigation from elsewhere may open the page (it cannot read it).
    const navigation = await get(demo.port, '/chat.html', {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
    });
    assert.equal(navigation.status, 200);
  });
});
