/**
 * Runs the Node test suites (test/db, test/local) on real PostgreSQL: the server from
 * DATABASE_URL, or an embedded PostgreSQL 17 in a throwaway folder. Builds the template database
 * once (bootstrap + migrations), exports where it is, runs `node --test`, always stops the DB.
 *
 *   tsx test/support/run-node-tests.ts                 every suite
 *   tsx test/support/run-node-tests.ts test/db         a folder
 *   tsx test/support/run-node-tests.ts test/db/rls.test.ts
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applySchema, REPO_ROOT, startDatabase, type Database } from '../../supabase/local/db.js';
import { databaseUrl, dropDatabase, TEST_DATABASE_PREFIX } from './database.js';

const DEFAULT_ROOTS = ['test/db', 'test/local'];
const TEMPLATE = 'pasabay_template';

async function findTestFiles(targets: string[]): Promise<string[]> {
  const files = new Set<string>();
  async function walk(entry: string): Promise<void> {
    const info = await stat(entry).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const child of (await readdir(entry)).sort()) await walk(path.join(entry, child));
    } else if (entry.endsWith('.test.ts')) {
      files.add(path.relative(REPO_ROOT, entry));
    }
  }
  for (const target of targets) {
    const resolved = path.resolve(REPO_ROOT, target);
    if (!(await stat(resolved).catch(() => undefined))) throw new Error(`No such test file or folder: ${target}`);
    await walk(resolved);
  }
  return [...files];
}

async function buildTemplate(serverUrl: string): Promise<void> {
  // A template left by an interrupted run is rebuilt from scratch.
  await dropDatabase(serverUrl, TEMPLATE);
  const creator = new pg.Client({ connectionString: serverUrl });
  await creator.connect();
  try {
    await creator.query(`create database ${creator.escapeIdentifier(TEMPLATE)}`);
  } finally {
    await creator.end();
  }
  // applySchema closes its connection: the template must have none when tests clone it.
  await applySchema(databaseUrl(serverUrl, TEMPLATE), { seed: false });
}

async function dropRunDatabases(serverUrl: string, runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let leftovers: string[];
  try {
    const result = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [
      `${TEST_DATABASE_PREFIX}${runId}\\_%`,
    ]);
    leftovers = result.rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
  for (const name of leftovers) await dropDatabase(serverUrl, name);
}

function runNodeTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=2', ...files],
      {
        cwd: REPO_ROOT,
        env,
        stdio: 'inherit',
      },
    );
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main(): Promise<number> {
  const targets = process.argv.slice(2);
  const files = await findTestFiles(targets.length > 0 ? targets : DEFAULT_ROOTS);
  if (files.length === 0) {
    console.error(`No *.test.ts files under ${(targets.length > 0 ? targets : DEFAULT_ROOTS).join(', ')}`);
    return 1;
  }

  const started = Date.now();
  const externalUrl = process.env['DATABASE_URL'];
  let scratch: string | undefined;
  let database: Database;
  if (externalUrl) {
    database = await startDatabase({ databaseUrl: externalUrl });
  } else {
    scratch = await mkdtemp(path.join(tmpdir(), 'pasabay-node-tests-'));
    database = await startDatabase({ dataDir: path.join(scratch, 'postgres'), port: 0, ephemeral: true });
  }
  const runId = randomBytes(3).toString('hex');
  try {
    const server = await serverVersion(database.url);
    await buildTemplate(database.url);
    console.log(
      `# PostgreSQL ${server} (${externalUrl ? 'DATABASE_URL' : 'embedded'}), template ready in ${Date.now() - started} ms`,
    );

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PASABAY_TEST_SERVER_URL: database.url,
      PASABAY_TEST_TEMPLATE: TEMPLATE,
      PASABAY_TEST_RUN_ID: runId,
    };
    // Test files start their own stacks on the prepared databases, never one from DATABASE_URL.
    delete env['DATABASE_URL'];
    const code = await runNodeTests(files, env);
    console.log(`# node suites finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${code}`);
    return code;
  } finally {
    await dropRunDatabases(database.url, runId).catch((error: unknown) => console.error('cleanup:', error));
    if (externalUrl) await dropDatabase(database.url, TEMPLATE).catch(() => undefined);
    await database.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
