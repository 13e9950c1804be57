/**
 * The local Supabase-compatible stack: one HTTP server on 127.0.0.1 that routes
 * `/auth/v1`, `/rest/v1` and `/realtime/v1` like Supabase's gateway, each service on its own pool.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthHandler } from './auth/index.js';
import { authRateLimitsFromEnv, type AuthRateLimits } from './auth/rate-limits.js';
import type { StackContext } from './context.js';
import { applySchema, roleUrl, startDatabase, type Database } from './db.js';
import { ANON_KEY, PUBLISHABLE_KEY, SECRET_KEY, SERVICE_ROLE_KEY } from './keys.js';
import { Metrics } from './metrics.js';
import { createPool } from './pool.js';
import { createRealtime } from './realtime/index.js';
import { createRestHandler } from './rest/index.js';

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

const SERVICES = ['/auth/v1', '/rest/v1', '/realtime/v1'] as const;

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

function createServicePool(metrics: Metrics, service: string, connectionString: string, max: number) {
  const stackPool = createPool({ connectionString, max, idleTimeoutMillis: 10_000 });
  // An idle client dropped by the server must not crash the process.
  stackPool.pool.on('error', (error) => {
    metrics.errors.inc({ service: 'db' });
    console.error(`[pool ${service}]`, error.message);
  });
  return stackPool;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database: Database = await startDatabase({
    databaseUrl: options.databaseUrl ?? process.env['DATABASE_URL'],
    dataDir: options.dataDir,
  });
  try {
    if (options.applySchema !== false) await applySchema(database.url, { seed: options.seed ?? false });
  } catch (error) {
    await database.stop();
    throw error;
  }

  const metrics = new Metrics({ processMetrics: options.processMetrics });
  const pools = {
    realtime: createServicePool(metrics, 'realtime', database.url, POOL_SIZES.realtime),
    auth: createServicePool(metrics, 'auth', roleUrl(database.url, 'supabase_auth_admin'), POOL_SIZES.auth),
    rest: createServicePool(metrics, 'rest', roleUrl(database.url, 'authenticator'), POOL_SIZES.rest),
  };
  const endPool = async () => {
    clearInterval(partitionTimer);
    await Promise.all(Object.values(pools).map((pool) => pool.end()));
  };
  const context: StackContext = {
    pool: pools.realtime.pool,
    authPool: pools.auth.pool,
    restPool: pools.rest.pool,
    databaseUrl: database.url,
    metrics,
  };

  // Realtime keeps realtime.messages' daily partitions: some days ahead, a few days back.
  const maintainPartitions = () =>
    context.pool.query('select pasabay_local.maintain_message_partitions()').catch((error: Error) => {
      metrics.errors.inc({ service: 'realtime' });
      console.error('[partitions]', error.message);
    });
  await maintainPartitions();
  const partitionTimer = setInterval(() => void maintainPartitions(), 60 * 60 * 1000);
  partitionTimer.unref();

  const auth = createAuthHandler(context, { ...authRateLimitsFromEnv(), ...options.authRateLimits });
  const rest = createRestHandler(context);
  const realtime = await createRealtime(context);

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      context.metrics.errors.inc({ service: 'gateway' });
      console.error('[stack]', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal server error' }));
      } else {
        res.destroy();
      }
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': context.metrics.contentType });
      res.end(await context.metrics.text());
      return;
    }
    if (path === '/health' || path === '/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'pasabay-local-stack', status: 'ok' }));
      return;
    }
    const service = SERVICES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const subpath = service ? path.slice(service.length) || '/' : '';
    if (service === '/auth/v1') return auth(req, res, subpath);
    if (service === '/rest/v1') return rest(req, res, subpath);
    if (service === '/realtime/v1') return realtime.handleHttp(req, res, subpath);
    res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ message: 'no Route matched with those values' }));
  }

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/realtime/v1/websocket' || path === '/realtime/v1/websocket/') {
      realtime.handleUpgrade(req, socket, head);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    }
  });
  // Half-open or misbehaving sockets must never take the process down.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 54321, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await realtime.close();
    await endPool();
    await database.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await realtime.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await endPool();
      await database.stop();
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
