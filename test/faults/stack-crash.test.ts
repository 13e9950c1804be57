/**
 * `npm run stack` killed with SIGKILL, then started again on the same data folder: it comes up,
 * says what it found, and the data committed before the kill is still there. Real processes:
 * the stack entry (start.ts) under Node, its embedded PostgreSQL, real signals. Also: a busy
 * port makes the start fail at once with a clear message and a non-zero exit.
 *
 *   npx tsx --test test/faults/stack-crash.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { LOCAL_ROLE_PASSWORD, REPO_ROOT } from '../../supabase/local/db.js';

interface RunningStack {
  child: ChildProcess;
  output: () => string;
  databaseUrl: string;
}

const STARTUP_TIMEOUT_MS = 240_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The stack entry itself (no tsx CLI in between), so the signal reaches the stack's process. */
function spawnStack(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number> } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv['DATABASE_URL'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'supabase/local/start.ts'], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exit = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0))),
  );
  return { child, output: () => text, exit };
}

async function startStackProcess(dataDir: string, port: number): Promise<RunningStack> {
  const { child, output, exit } = spawnStack({ PASABAY_PORT: String(port), PASABAY_DATA_DIR: dataDir });
  let exited: number | undefined;
  void exit.then((code) => (exited = code));
  await until(
    () => {
      if (exited !== undefined) throw new Error(`the stack exited with ${exited}:\n${output()}`);
      return /Press Ctrl\+C to stop/.test(output());
    },
    'the stack to start',
    STARTUP_TIMEOUT_MS,
  );
  const printed = /DB URL: (\S+)/.exec(output())?.[1];
  assert.ok(printed, output());
  return { child, output, databaseUrl: printed.replace(':***@', `:${LOCAL_ROLE_PASSWORD}@`) };
}

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const lock = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(lock?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The stack's watchdog: the shell whose environment names the stack's pid. */
async function watchdogOf(stackPid: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`STACK_PID=${stackPid}`)) return Number(entry);
  }
  return undefined;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function stopGracefully(stack: RunningStack | undefined): Promise<void> {
  if (!stack || stack.child.exitCode !== null || stack.child.signalCode !== null) return;
  const exited = new Promise((resolve) => stack.child.once('exit', resolve));
  stack.child.kill('SIGINT');
  await exited;
}

describe('stack crash and restart', { timeout: 900_000 }, () => {
  let scratch: string;
  let dataDir: string;
  let port: number;
  let stack: RunningStack | undefined;

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'pasabay-stack-crash-'));
    dataDir = path.join(scratch, 'postgres');
    port = await freePort();
  });

  after(async () => {
    await stopGracefully(stack);
    const pid = await postmasterPid(dataDir);
    if (pid && alive(pid)) process.kill(pid, 'SIGINT');
    if (pid) await until(() => !alive(pid), 'PostgreSQL to stop').catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  });

  it('comes back after SIGKILL of the stack and of its watchdog: stops the orphaned PostgreSQL, says so, data kept', async () => {
    stack = await startStackProcess(dataDir, port);
    await query(stack.databaseUrl, 'create table public.crash_probe (id int primary key, note text)');
    await query(stack.databaseUrl, `insert into public.crash_probe values (1, 'committed before the crash')`);
    const postgres = await postmasterPid(dataDir);
    assert.ok(postgres && alive(postgres), 'the embedded PostgreSQL runs');

    // Everything that could stop PostgreSQL dies at once: it is left behind, holding its lock.
    const watchdog = await watchdogOf(stack.child.pid!);
    assert.ok(watchdog, 'the stack started a watchdog');
    process.kill(watchdog, 'SIGKILL');
    const killed = new Promise((resolve) => stack!.child.once('exit', resolve));
    stack.child.kill('SIGKILL');
    await killed;
    assert.ok(alive(postgres), 'PostgreSQL outlived the stack');

    stack = await startStackProcess(dataDir, port);
    assert.match(stack.output(), new RegExp(`PostgreSQL \\(pid ${postgres}\\) was left running on .* stopping it`));
    assert.equal(alive(postgres), false, 'the orphan is gone');
    const rows = await query<{ note: string }>(stack.databaseUrl, 'select note from public.crash_probe');
    assert.deepEqual(rows, [{ note: 'committed before the crash' }]);
  });

  it('after SIGKILL of the stack alone its watchdog stops PostgreSQL, and the next start comes up', async () => {
    await query(stack!.databaseUrl, `insert into public.crash_probe values (2, 'second')`);
    const postgres = await postmasterPid(dataDir);
    assert.ok(postgres);
    const killed = new Promise((resolve) => stack!.child.once('exit', resolve));
    stack!.child.kill('SIGKILL');
    await killed;
    await until(() => !alive(postgres), 'the watchdog to stop PostgreSQL');

    stack = await startStackProcess(dataDir, port);
    const rows = await query<{ id: number }>(stack.databaseUrl, 'select id from public.crash_probe order by id');
    assert.deepEqual(rows, [{ id: 1 }, { id: 2 }]);
  });

  it('removes a stale lock whose PostgreSQL is gone, and says so', async () => {
    const postgres = await postmasterPid(dataDir);
    assert.ok(postgres);
    const watchdog = await watchdogOf(stack!.child.pid!);
    if (watchdog) process.kill(watchdog, 'SIGKILL');
    const killed = new Promise((resolve) => stack!.child.once('exit', resolve));
    stack!.child.kill('SIGKILL');
    process.kill(postgres, 'SIGKILL');
    await killed;
    await until(() => !alive(postgres), 'PostgreSQL to die');
    assert.ok(await postmasterPid(dataDir), 'the lock file is left behind');

    stack = await startStackProcess(dataDir, port);
    assert.match(stack.output(), /removing the stale lock .*postmaster\.pid \(PostgreSQL pid \d+ is not running\)/);
    const rows = await query<{ id: number }>(stack.databaseUrl, 'select id from public.crash_probe order by id');
    assert.deepEqual(rows, [{ id: 1 }, { id: 2 }]);
  });

  it('refuses a busy port at once with a clear message and a non-zero exit', async () => {
    const holder: Server = createServer();
    const busy = await freePort();
    await new Promise<void>((resolve) => holder.listen(busy, '127.0.0.1', resolve));
    try {
      const { output, exit } = spawnStack({ PASABAY_PORT: String(busy), PASABAY_DATA_DIR: dataDir });
      const code = await exit;
      assert.notEqual(code, 0);
      assert.match(output(), new RegExp(`port ${busy} is in use .*set PASABAY_PORT=.*PASABAY_DEMO_PORT`));
    } finally {
      holder.close();
    }
  });
});
