/**
 * `npx pasabay-chat` run as users run it: the real bin/pasabay-chat.mjs in a child process
 * (plain Node, no tsx), `init` into temporary folders and `doctor` against real local stacks.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { applySchema, listMigrations, REPO_ROOT } from '../../supabase/local/db.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestStack, type TestStack } from '../support/stack.js';

// Realtime pauses 5 s before answering a refused join; the stacks in this file need not.
process.env['CHANNEL_ERROR_BACKOFF_MS'] = '20';

const BIN = path.join(REPO_ROOT, 'bin', 'pasabay-chat.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process's event loop (the stack under test lives here). */
function cli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, SUPABASE_URL: undefined, SUPABASE_ANON_KEY: undefined, ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pasabay-chat init', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'pasabay-cli-'));
  });
  after(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('copies every shipped migration once, in order, with fresh timestamps after the existing ones', async () => {
    const migrations = path.join(project, 'supabase', 'migrations');
    const shipped = await listMigrations();
    // A migration of the user's own, dated in the future: ours must come after it.
    await mkdir(migrations, { recursive: true });
    await writeFile(path.join(migrations, '20991231235900_mine.sql'), 'select 1;\n');

    const first = await cli(['init'], { cwd: project });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Copied ${shipped.length} Pasabay Chat migrations`));

    const files = (await readdir(migrations)).sort();
    assert.equal(files.length, shipped.length + 1);
    assert.equal(files[0], '20991231235900_mine.sql');
    const copied = files.slice(1);
    for (const [index, file] of copied.entries()) {
      const original = shipped[index]!;
      assert.ok(file > '20991231235900', `${file} sorts after the user's own migration`);
      assert.ok(file.endsWith(`_${original.name}.sql`), `${file} keeps the name of ${original.name}`);
      const text = await readFile(path.join(migrations, file), 'utf8');
      const [marker, ...rest] = text.split('\n');
      assert.equal(marker, `-- pasabay-chat migration: ${path.basename(original.file)}`);
      assert.equal(rest.join('\n'), await readFile(original.file, 'utf8'), `${file} is the shipped SQL`);
    }

    const second = await cli(['init', '--dir', 'supabase/migrations'], { cwd: project });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already in supabase\/migrations; nothing copied/);
    assert.deepEqual((await readdir(migrations)).sort(), files, 'the second run writes nothing');
  });

  it('copies only what is missing when one migration was deleted, never touching the others', async () => {
    const dir = path.join(project, 'custom');
    assert.equal((await cli(['init', '--dir', 'custom'], { cwd: project })).code, 0);
    const before = (await readdir(dir)).sort();
    await rm(path.join(dir, before[3]!));
    const again = await cli(['init', '--dir', 'custom'], { cwd: project });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Copied 1 Pasabay Chat migration into custom/);
    assert.match(again.stdout, /left as they are/);
    const after = (await readdir(dir)).sort();
    assert.equal(after.length, before.length);
    assert.ok(after.at(-1)! > before.at(-1)!, 'the re-copied migration is the newest');
  });

  it('refuses unknown options and prints help', async () => {
    const bad = await cli(['init', '--force'], { cwd: project });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--force'/);
    const help = await cli(['init', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: pasabay-chat init/);
    const unknown = await cli(['deploy']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "deploy"/);
  });
});

describe('pasabay-chat doctor', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack?.stop();
  });

  it('passes every check on a project with the migrations, anonymous sign-ins and Realtime', async () => {
    const run = await cli([
      'doctor',
      '--url',
      stack.url,
      '--key',
      stack.anonKey,
      '--service-key',
      stack.serviceRoleKey,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /✗/);
    for (const check of [
      /✓ Auth is reachable and accepts the key/,
      /✓ Anonymous sign-ins are enabled/,
      /✓ Tables reachable over REST: profiles, conversations/,
      /✓ RPCs present: start_direct_conversation/,
      /✓ Realtime: your own private topic user:<id> joins/,
      /✓ Realtime: someone else's private topic is refused/,
      /✓ Broadcast from Database: a new membership reached user:<id>/,
      /✓ Broadcast from Database: a new message reached conversation:<id>/,
      /✓ Postgres Changes: the new message arrived/,
      /All checks passed/,
    ]) {
      assert.match(run.stdout, check);
    }
  });

  it('reads the URL and key from the environment and skips the service-key check without one', async () => {
    const run = await cli(['doctor'], { env: { SUPABASE_URL: stack.url, SUPABASE_ANON_KEY: stack.anonKey } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /- Broadcast from Database not checked: pass --service-key/);
  });

  it('reports a wrong key and exits 1', async () => {
    const run = await cli(['doctor', '--url', stack.url, '--key', 'not-the-anon-key']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✗ The API key is refused \(401: Invalid API key\)/);
    assert.match(run.stdout, /fix: use the project's anon \(publishable\) key/);
  });

  it('reports a project nobody listens on and exits 1', async () => {
    // A port that was free a moment ago: connection refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const closed = new URL(stack.url);
    closed.port = String(port);
    const run = await cli(['doctor', '--url', closed.toString(), '--key', stack.anonKey, '--timeout', '3']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✗ Cannot reach/);
  });

  it('rejects a malformed URL and timeout with a clear message', async () => {
    const url = await cli(['doctor', '--url', 'javascript:alert(1)', '--key', 'x']);
    assert.equal(url.code, 1);
    assert.match(url.stdout, /✗ Project URL "javascript:alert\(1\)"/);
    const timeout = await cli(['doctor', '--url', stack.url, '--key', stack.anonKey, '--timeout', 'soon']);
    assert.equal(timeout.code, 1);
    assert.match(timeout.stdout, /✗ --timeout "soon"/);
  });
});

describe('pasabay-chat doctor on a project without the migrations', () => {
  let database: TestDatabase;
  let stack: Stack;
  let emptyMigrations: string;
  before(async () => {
    // Supabase's own schemas (our bootstrap) but none of our migrations: `db push` was forgotten.
    database = await createTestDatabase({ empty: true });
    emptyMigrations = await mkdtemp(path.join(tmpdir(), 'pasabay-no-migrations-'));
    await applySchema(database.url, { migrationsDir: emptyMigrations });
    stack = await startStack({ port: 0, databaseUrl: database.url, applySchema: false });
  });
  after(async () => {
    await stack?.stop();
    await database?.drop();
    await rm(emptyMigrations, { recursive: true, force: true });
  });

  it('names the missing tables, RPCs and Realtime policies, says how to fix them, and exits 1', async () => {
    const run = await cli(['doctor', '--url', stack.url, '--key', stack.anonKey, '--timeout', '5']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✓ Anonymous sign-ins are enabled/);
    assert.match(run.stdout, /✗ Tables not reachable over REST: profiles \(PGRST205/);
    assert.match(run.stdout, /✗ RPCs missing: start_direct_conversation, create_group_conversation/);
    assert.match(run.stdout, /✗ Realtime: joining your own private topic user:<id> gave CHANNEL_ERROR/);
    assert.match(run.stdout, /fix: run `npx pasabay-chat init`, then `supabase db push`/);
  });
});
