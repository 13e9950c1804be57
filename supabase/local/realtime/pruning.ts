/**
 * `realtime.messages` upkeep as Supabase Realtime does it: the table is partitioned by UTC day
 * (`messages_YYYY_MM_DD`); Realtime creates the partitions of the coming days and drops those
 * older than its retention, at start and then every hour. Retention: env
 * REALTIME_MESSAGES_RETENTION_DAYS (3 days by default).
 */
import type pg from 'pg';

export interface PruningOptions {
  /** Partitions of days older than this many days before today (UTC) are dropped. */
  retentionDays?: number;
  /** Partitions exist from yesterday to this many days ahead. */
  daysAhead?: number;
  /** How often the upkeep runs (1 h). */
  intervalMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PARTITION_NAME = /^messages_(\d{4})_(\d{2})_(\d{2})$/;

function retentionFromEnv(): number | undefined {
  const raw = process.env['REALTIME_MESSAGES_RETENTION_DAYS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

const dayName = (day: Date) => `messages_${day.toISOString().slice(0, 10).replace(/-/g, '_')}`;
const dayText = (day: Date) => day.toISOString().slice(0, 10);

/**
 * One pass: creates the missing partitions from yesterday to `daysAhead` days on, drops those of
 * days before `today - retentionDays`. Returns what it did. A plain (unpartitioned) table from an
 * older bootstrap is left alone.
 */
export async function maintainMessagePartitions(
  pool: pg.Pool,
  options: PruningOptions = {},
): Promise<{ created: string[]; dropped: string[] }> {
  const retentionDays = options.retentionDays ?? retentionFromEnv() ?? 3;
  const daysAhead = options.daysAhead ?? 3;
  const { rows } = await pool.query<{ partitioned: boolean; today: string; partitions: string[] }>(
    `select (select relkind = 'p' from pg_class where oid = 'realtime.messages'::regclass) as partitioned,
            to_char((now() at time zone 'utc')::date, 'YYYY-MM-DD') as today,
            array(select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid
                   where i.inhparent = 'realtime.messages'::regclass) as partitions`,
  );
  const state = rows[0]!;
  if (!state.partitioned) return { created: [], dropped: [] };
  const today = new Date(`${state.today}T00:00:00Z`);
  const existing = new Set(state.partitions);
  const created: string[] = [];
  for (let offset = -1; offset <= daysAhead; offset++) {
    const day = new Date(today.getTime() + offset * DAY_MS);
    const name = dayName(day);
    if (existing.has(name)) continue;
    const next = new Date(day.getTime() + DAY_MS);
    await pool.query(
      `create table if not exists realtime."${name}" partition of realtime.messages for values from ('${dayText(day)}') to ('${dayText(next)}')`,
    );
    created.push(name);
  }
  const oldest = today.getTime() - retentionDays * DAY_MS;
  const dropped: string[] = [];
  for (const name of state.partitions) {
    const match = PARTITION_NAME.exec(name);
    if (!match) continue;
    const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (day >= oldest) continue;
    await pool.query(`drop table if exists realtime."${name}"`);
    dropped.push(name);
  }
  return { created, dropped };
}

/** Runs the upkeep now and then every `intervalMs` (an unref'd timer); `stop` settles once no pass runs. */
export function startMessagePruning(
  pool: pg.Pool,
  onError: (error: Error) => void,
  options: PruningOptions = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    if (stopped) return;
    running = running.then(() => (stopped ? undefined : maintainMessagePartitions(pool, options).catch(onError)));
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
