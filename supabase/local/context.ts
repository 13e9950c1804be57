import type pg from 'pg';
import type { Metrics } from './metrics.js';

/**
 * What the services of the local stack share. Each service has its own pool, logged in as the
 * role its Supabase counterpart uses, so one service's load cannot starve another of connections.
 */
export interface StackContext {
  /** Realtime (authorization, Postgres Changes, broadcasts) and upkeep: the superuser. */
  pool: pg.Pool;
  /** The Auth service, as supabase_auth_admin. */
  authPool: pg.Pool;
  /** The REST service, as authenticator (switches to the token's role per request). */
  restPool: pg.Pool;
  /** Superuser connection string (replication). */
  databaseUrl: string;
  metrics: Metrics;
}
