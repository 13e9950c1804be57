/**
 * Realtime's channel authorization probes, the way Supabase Realtime authorizes a private channel
 * (used by realtime-authorization.test.ts and every suite that adds a topic): in a transaction that is always rolled back, insert
 * probe rows as the connection owner, then as the user with `realtime.topic` and JWT claims set
 * select them back (read = join / receive) and insert one under a savepoint (write = send / track;
 * 42501 → false).
 */
import type pg from 'pg';
import { claimsOf, type Actor } from './sql.js';

/** What Realtime grants a channel: receive and send, per extension. */
export interface TopicPermissions {
  broadcastRead: boolean;
  broadcastWrite: boolean;
  presenceRead: boolean;
  presenceWrite: boolean;
}

async function becomeRealtimeUser(client: pg.ClientBase, actor: Actor, topic: string): Promise<void> {
  const claims = claimsOf(actor);
  await client.query(
    `select set_config('role', $1, true),
            set_config('realtime.topic', $2, true),
            set_config('request.jwt.claims', $3, true),
            set_config('request.jwt.claim.sub', $4, true),
            set_config('request.jwt.claim.role', $1, true),
            set_config('request.headers', '{}', true)`,
    [claims['role'], topic, JSON.stringify(claims), (claims['sub'] as string | undefined) ?? ''],
  );
}

async function canRead(client: pg.ClientBase, actor: Actor, topic: string, extension: string): Promise<boolean> {
  await client.query('savepoint read_probe');
  try {
    const probe = await client.query<{ id: string }>(
      `insert into realtime.messages (topic, extension) values ($1, $2) returning id`,
      [topic, extension],
    );
    await becomeRealtimeUser(client, actor, topic);
    const visible = await client.query('select id from realtime.messages where id = $1', [probe.rows[0]!.id]);
    return visible.rowCount === 1;
  } finally {
    await client.query('rollback to savepoint read_probe');
  }
}

async function canWrite(client: pg.ClientBase, actor: Actor, topic: string, extension: string): Promise<boolean> {
  await client.query('savepoint write_probe');
  try {
    await becomeRealtimeUser(client, actor, topic);
    await client.query(
      `insert into realtime.messages (topic, extension, inserted_at, updated_at) values ($1, $2, now(), now())`,
      [topic, extension],
    );
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    return false;
  } finally {
    await client.query('rollback to savepoint write_probe');
  }
}

/** Everything Realtime would grant `actor` on the private `topic`. */
export async function authorizeTopic(pool: pg.Pool, actor: Actor, topic: string): Promise<TopicPermissions> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    return {
      broadcastRead: await canRead(client, actor, topic, 'broadcast'),
      broadcastWrite: await canWrite(client, actor, topic, 'broadcast'),
      presenceRead: await canRead(client, actor, topic, 'presence'),
      presenceWrite: await canWrite(client, actor, topic, 'presence'),
    };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
