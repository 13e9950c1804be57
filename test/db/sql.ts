/**
 * Helpers for the database suites: run SQL the way PostgREST and Realtime do (one transaction,
 * `role` and `request.jwt.claims` set locally, always rolled back) and create auth users the way
 * the Auth service does (a real auth.users row, so the profile trigger fires).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export type Actor =
  { kind: 'anon' } | { kind: 'service_role' } | { kind: 'user'; id: string; email?: string; isAnonymous?: boolean };

export const anon: Actor = { kind: 'anon' };
export const serviceRole: Actor = { kind: 'service_role' };
export const user = (id: string): Actor => ({ kind: 'user', id });

export function claimsOf(actor: Actor): Record<string, unknown> {
  if (actor.kind === 'anon') return { role: 'anon', iss: 'supabase-demo' };
  if (actor.kind === 'service_role') return { role: 'service_role', iss: 'supabase-demo' };
  return {
    sub: actor.id,
    role: 'authenticated',
    aud: 'authenticated',
    email: actor.email ?? '',
    is_anonymous: actor.isAnonymous ?? false,
  };
}

/** PostgREST's per-request settings (PreQuery.hs txVarQuery), inside an open transaction. */
export async function becomeActor(client: pg.ClientBase, actor: Actor): Promise<void> {
  const claims = claimsOf(actor);
  await client.query(
    `select set_config('search_path', 'public, extensions', true),
            set_config('role', $1, true),
            set_config('request.jwt.claims', $2, true),
            set_config('request.method', 'POST', true)`,
    [claims['role'], JSON.stringify(claims)],
  );
}

/** Runs `work` as the actor in a transaction that is always rolled back. */
export async function asActor<T>(pool: pg.Pool, actor: Actor, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await becomeActor(client, actor);
    return await work(client);
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

/** Runs `work` as the actor in a transaction that commits (for state later steps depend on). */
export async function commitAsActor<T>(
  pool: pg.Pool,
  actor: Actor,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await becomeActor(client, actor);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The SQLSTATE of a failed query, or undefined when it succeeded. */
export async function sqlState(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code) throw error;
    return code;
  }
}

/** A query's error (code and message); throws if it succeeded. */
export async function sqlError(run: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (!code) throw error;
    return { code, message };
  }
  throw new Error('expected the query to fail');
}

export interface NewUser {
  email?: string | null;
  metadata?: Record<string, unknown>;
  isAnonymous?: boolean;
}

/** Inserts an auth.users row like the Auth service's sign-up; the profile comes from the trigger. */
export async function createAuthUser(pool: pg.Pool, options: NewUser = {}): Promise<string> {
  const id = randomUUID();
  const email = options.isAnonymous ? null : (options.email ?? `${id.slice(0, 8)}@example.test`);
  await pool.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                             raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2::varchar,
             case when $2::varchar is null then null else extensions.crypt('secret-password', extensions.gen_salt('bf', 4)) end,
             case when $2::varchar is null then null else now() end,
             $3, $4, now(), now(), $5)`,
    [
      id,
      email,
      options.isAnonymous ? {} : { provider: 'email', providers: ['email'] },
      options.metadata ?? {},
      options.isAnonymous ?? false,
    ],
  );
  return id;
}

export function openPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // Expected WARNINGs (realtime.send) must not clutter the output.
  pool.on('connect', (client) => client.on('notice', () => {}));
  pool.on('error', () => {});
  return pool;
}

/** Runs `work` in a transaction that is always rolled back; switch actors inside with becomeActor / becomeOwner. */
export async function rolledBack<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    return await work(client);
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

/** Back to the connecting superuser with no JWT, inside the open transaction. */
export async function becomeOwner(client: pg.ClientBase): Promise<void> {
  await client.query(`set local role none`);
  await client.query(`select set_config('request.jwt.claims', '', true)`);
}

/** Runs a statement that must fail, in its own savepoint so the transaction stays usable. */
export async function failsWith(
  client: pg.ClientBase,
  sql: string,
  params: unknown[] = [],
): Promise<{ code: string; message: string }> {
  await client.query('savepoint expected_failure');
  try {
    await client.query(sql, params);
  } catch (error) {
    await client.query('rollback to savepoint expected_failure');
    const { code, message } = error as { code?: string; message: string };
    if (!code) throw error;
    return { code, message };
  }
  await client.query('release savepoint expected_failure');
  throw new Error(`expected this statement to fail: ${sql}`);
}

export interface BroadcastRow {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  extension: string;
  payload: Record<string, unknown> & {
    id?: string;
    operation?: string;
    table?: string;
    schema?: string;
    record?: Record<string, unknown> | null;
    old_record?: Record<string, unknown> | null;
  };
}

/** Broadcast-from-Database rows written so far in this transaction (and before), oldest first. */
export async function broadcasts(client: pg.ClientBase, topic: string, event?: string): Promise<BroadcastRow[]> {
  const { rows } = await client.query<BroadcastRow>(
    `select id, topic, event, private, extension, payload from realtime.messages
     where topic = $1 and ($2::text is null or event = $2) and extension = 'broadcast'
     order by inserted_at`,
    [topic, event ?? null],
  );
  return rows;
}
