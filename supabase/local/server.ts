/**
 * The local Supabase-compatible stack: one HTTP server on 127.0.0.1 that routes
 * `/auth/v1`, `/rest/v1` and `/realtime/v1` like Supabase's gateway, each service on its own pool.
 * `startStack` is a sequence of steps: database, schema, pools, services (Realtime keeps
 * realtime.messages' partitions), gateway; `stop` undoes them in reverse.
 */
import { createAuthHandler } from './auth/index.js';
import { authRateLimitsFromEnv, type AuthRateLimits } from './auth/rate-limits.js';
import type { StackContext } from './context.js';
import { applySchema, roleUrl, startDatabase, type Database } from './db.js';
import { closeServer, createGateway, listen, type Services } from './gateway.js';
import { ANON_KEY, PUBLISHABLE_KEY, SECRET_KEY, SERVICE_ROLE_KEY } from './keys.js';
import { Metrics } from './metrics.js';
import { createPool } from './pool.js';
import { createRealtime } from './realtime/index.js';
import { createRestHandler } from './rest/index.js';
import { createStorageHandler, defaultStorageDir } from './storage/index.js';

export interface StackOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Defaults to 54321 like `supabase start`. */
  port?: number;
  /** Use this PostgreSQL server instead of the embedded one (also read from `DATABASE_URL`). */
  databaseUrl?: string;
  /** Data folder of the embedded PostgreSQL. */
  dataDir?: string;
  /** Apply bootstrap, migrations (and seed) before serving. Tests on a prepared database skip it. */
  applySchema?: boolean;
  /** Load supabase/seed.sql once. */
  seed?: boolean;
  /** Auth's per-client limits; unset ones come from GOTRUE_RATE_LIMIT_* or GoTrue's defaults. */
  authRateLimits?: Partial<AuthRateLimits>;
  /** Also collect Node process metrics (the CLI does; tests don't). */
  processMetrics?: boolean;
  /** Folder of the Storage service's files (env PASABAY_STORAGE_DIR; default `.pasabay/storage`). */
  storageDir?: string;
}

export interface Stack {
  url: string;
  port: number;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  databaseUrl: string;
  context: StackContext;
  stop(): Promise<void>;
}

/** Connections per service (env PASABAY_POOL_<SERVICE>), 45 in all by default. */
const POOL_SIZES = {
  realtime: envInteger('PASABAY_POOL_REALTIME') ?? 15,
  auth: envInteger('PASABAY_POOL_AUTH') ?? 10,
  rest: envInteger('PASABAY_POOL_REST') ?? 20,
};

function envInteger(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * How long a REST request waits for a pooled connection before it is answered 504 PGRST003, as
 * PostgREST's db-pool-acquisition-timeout (10 s). Env PASABAY_POOL_ACQUIRE_TIMEOUT_MS.
 */
const restAcquireTimeoutMs = () => envInteger('PASABAY_POOL_ACQUIRE_TIMEOUT_MS') ?? 10_000;

function createServicePool(
  metrics: Metrics,
  service: string,
  connectionString: string,
  max: number,
  connectionTimeoutMillis = 0,
) {
  const stackPool = createPool({ connectionString, max, idleTimeoutMillis: 10_000, connectionTimeoutMillis });
  // An idle client dropped by the server must not crash the process.
  stackPool.pool.on('error', (error) => {
    metrics.errors.inc({ service: 'db' });
    console.error(`[pool ${service}]`, error.message);
  });
  return stackPool;
}

/** The database, embedded or given, with bootstrap and migrations applied unless told not to. */
async function openDatabase(options: StackOptions): Promise<Database> {
  const database = await startDatabase({
    databaseUrl: options.databaseUrl ?? process.env['DATABASE_URL'],
    dataDir: options.dataDir,
  });
  try {
    if (options.applySchema !== false) await applySchema(database.url, { seed: options.seed ?? false });
  } catch (error) {
    await database.stop();
    throw error;
  }
  return database;
}

/** One pool per service, each connecting as the role that service uses on Supabase. */
function openPools(metrics: Metrics, databaseUrl: string) {
  const pools = {
    realtime: createServicePool(metrics, 'realtime', databaseUrl, POOL_SIZES.realtime),
    auth: createServicePool(metrics, 'auth', roleUrl(databaseUrl, 'supabase_auth_admin'), POOL_SIZES.auth),
    rest: createServicePool(
      metrics,
      'rest',
      roleUrl(databaseUrl, 'authenticator'),
      POOL_SIZES.rest,
      restAcquireTimeoutMs(),
    ),
  };
  const end = async () => {
    await Promise.all(Object.values(pools).map((pool) => pool.end()));
  };
  return { ...pools, end };
}

async function createServices(context: StackContext, options: StackOptions): Promise<Services> {
  return {
    auth: createAuthHandler(context, { ...authRateLimitsFromEnv(), ...options.authRateLimits }),
    rest: createRestHandler(context),
    realtime: await createRealtime(context),
    storage: createStorageHandler(context, { root: options.storageDir ?? defaultStorageDir() }),
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database = await openDatabase(options);
  const metrics = new Metrics({ processMetrics: options.processMetrics });
  const pools = openPools(metrics, database.url);
  const context: StackContext = {
    pool: pools.realtime.pool,
    authPool: pools.auth.pool,
    restPool: pools.rest.pool,
    databaseUrl: database.url,
    metrics,
  };
  const services = await createServices(context, options);
  const server = createGateway(context, services);
  const release = async () => {
    await pools.end();
    await database.stop();
  };

  let port: number;
  try {
    port = await listen(server, options.port ?? 54321);
  } catch (error) {
    await services.realtime.close();
    await release();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await services.realtime.close();
      await closeServer(server);
      await release();
    })());

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    anonKey: ANON_KEY,
    serviceRoleKey: SERVICE_ROLE_KEY,
    publishableKey: PUBLISHABLE_KEY,
    secretKey: SECRET_KEY,
    databaseUrl: database.url,
    context,
    stop,
  };
}
