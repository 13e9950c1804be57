import type pg from 'pg';
import type { Metrics } from './metrics.js';

/** What every service of the local stack shares: one pool, the database URL and the metrics. */
export interface StackContext {
  pool: pg.Pool;
  databaseUrl: string;
  metrics: Metrics;
}
