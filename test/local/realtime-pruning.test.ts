/**
 * realtime.messages upkeep on real PostgreSQL: daily partitions older than the retention are
 * dropped with their rows, recent and upcoming ones are kept or created, and the timer's first
 * pass runs at start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { maintainMessagePartitions, startMessagePruning } from '../../supabase/local/realtime/pruning.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('realtime.messages partition pruning', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let today: Date;

  const day = (offset: number) => new Date(today.getTime() + offset * DAY_MS);
  const nameOf = (offset: number) => `messages_${day(offset).toISOString().slice(0, 10).replace(/-/g, '_')}`;
  const partitions = async () => {
    const { rows } = await pool.query<{ relname: string }>(
      `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'realtime.messages'::regclass`,
    );
    return new Set(rows.map((row) => row.relname));
  };
  /** A partition for a day long gone, with one broadcast row in it. */
  const oldPartition = async (offset: number) => {
    const from = day(offset).toISOString().slice(0, 10);
    const to = day(offset + 1)
      .toISOString()
      .slice(0, 10);
    await pool.query(
      `create table if not exists realtime."${nameOf(offset)}" partition of realtime.messages for values from ('${from}') to ('${to}')`,
    );
    await pool.query(
      `insert into realtime.messages (topic, extension, inserted_at, updated_at) values ('old', 'broadcast', $1, $1)`,
      [`${from} 12:00:00`],
    );
  };

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const { rows } = await pool.query<{ today: string }>(
      `select to_char((now() at time zone 'utc')::date, 'YYYY-MM-DD') as today`,
    );
    today = new Date(`${rows[0]!.today}T00:00:00Z`);
  });

  after(async () => {
    await pool.end();
    await database.drop();
  });

  it('drops partitions older than the retention with their rows, keeps recent ones and creates the coming days', async () => {
    await oldPartition(-10);
    await oldPartition(-4);
    await oldPartition(-3);
    await pool.query(`drop table if exists realtime."${nameOf(2)}"`);

    const result = await maintainMessagePartitions(pool, { retentionDays: 3 });

    assert.deepEqual(result.dropped.sort(), [nameOf(-10), nameOf(-4)].sort());
    assert.ok(result.created.includes(nameOf(2)), 'the missing upcoming day is created');
    const after = await partitions();
    assert.ok(!after.has(nameOf(-10)) && !after.has(nameOf(-4)), 'old partitions are gone');
    for (const offset of [-3, -1, 0, 1, 2, 3]) assert.ok(after.has(nameOf(offset)), `${nameOf(offset)} is kept`);
    const { rows } = await pool.query<{ day: string }>(
      `select to_char(inserted_at, 'YYYY-MM-DD') as day from realtime.messages where topic = 'old'`,
    );
    assert.deepEqual(
      rows.map((row) => row.day),
      [day(-3).toISOString().slice(0, 10)],
      'only the row inside the retention remains',
    );

    const again = await maintainMessagePartitions(pool, { retentionDays: 3 });
    assert.deepEqual(again, { created: [], dropped: [] }, 'a second pass has nothing to do');
  });

  it('takes the retention from REALTIME_MESSAGES_RETENTION_DAYS', async () => {
    await oldPartition(-3);
    process.env['REALTIME_MESSAGES_RETENTION_DAYS'] = '1';
    try {
      const result = await maintainMessagePartitions(pool);
      assert.deepEqual(result.dropped, [nameOf(-3)]);
      assert.ok((await partitions()).has(nameOf(-1)), "yesterday's partition is kept");
    } finally {
      delete process.env['REALTIME_MESSAGES_RETENTION_DAYS'];
    }
  });

  it('runs a first pass as soon as it starts', async () => {
    await oldPartition(-8);
    const errors: Error[] = [];
    const pruning = startMessagePruning(pool, (error) => errors.push(error));
    try {
      await waitFor<void>((resolve) => {
        const poll = async () => ((await partitions()).has(nameOf(-8)) ? setTimeout(poll, 20) : resolve());
        void poll();
      }, 'the first pruning pass');
    } finally {
      await pruning.stop();
    }
    assert.deepEqual(errors, []);
  });
});
