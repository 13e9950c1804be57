/**
 * Per-test-file databases: each is cloned from the template that run-node-tests.ts prepared
 * (bootstrap + migrations applied), so test files are isolated and start in milliseconds.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Superuser connection string to the fresh database. */
  url: string;
  /** Drops the database, its connections and its logical replication slots. */
  drop(): Promise<void>;
}

export const TEST_DATABASE_PREFIX = 'pasabay_test_';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run Node tests through test/support/run-node-tests.ts (npm run test:node)`);
  }
  return value;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * A fresh database cloned from the prepared template; `{ empty: true }` gives one without any
 * schema (for tests of applySchema itself).
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = requiredEnv('PASABAY_TEST_SERVER_URL');
  const template = options.empty ? 'template0' : requiredEnv('PASABAY_TEST_TEMPLATE');
  const runId = process.env['PASABAY_TEST_RUN_ID'] ?? 'adhoc';
  const name = `${TEST_DATABASE_PREFIX}${runId}_${process.pid}_${randomBytes(4).toString('hex')}`;

  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Cloning fails while anyone is connected to the template; nothing should be, so a failure
    // here is retried a few times for a connection that is just closing.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(
          `create database ${admin.escapeIdentifier(name)} template ${admin.escapeIdentifier(template)}`,
        );
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await admin.query('select pg_sleep(0.1)');
      }
    }
  } finally {
    await admin.end();
  }

  let dropping: Promise<void> | undefined;
  return {
    url: databaseUrl(serverUrl, name),
    drop: () => (dropping ??= dropDatabase(serverUrl, name)),
  };
}

/** Drops a database with its replication slots (which would otherwise block the drop). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      // Walsenders streaming from the database hold their slots active: end them first.
      await admin.query(
        `select pg_terminate_backend(active_pid) from pg_replication_slots where database = $1 and active_pid is not null`,
        [name],
      );
      const slots = await admin.query<{ slot_name: string }>(
        `select slot_name from pg_replication_slots where database = $1 and not active`,
        [name],
      );
      for (const { slot_name } of slots.rows) {
        await admin.query('select pg_drop_replication_slot($1)', [slot_name]).catch(() => undefined);
      }
      try {
        await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
        return;
      } catch (error) {
        // 55006: a slot was still being released; go round again.
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await admin.query('select pg_sleep(0.05)');
      }
    }
  } finally {
    await admin.end();
  }
}
