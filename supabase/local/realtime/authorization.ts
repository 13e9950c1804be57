/**
 * Realtime Authorization exactly as `Realtime.Tenants.Authorization` runs it: RLS policies on
 * `realtime.messages`, probed in a transaction that is always rolled back, as the token's role with
 * `request.jwt.claims`, `request.jwt.claim.sub`, `request.jwt.claim.role`, `realtime.topic` and
 * `request.headers` set locally.
 * Each check takes its own pooled connection, so many joins never queue behind one session.
 */
import type pg from 'pg';
import type { Claims } from '../keys.js';

export interface AuthorizationContext {
  /** Sub-topic, without the `realtime:` prefix. */
  topic: string;
  claims: Claims;
  headers: Record<string, string>;
}

export interface ReadPolicies {
  broadcastRead: boolean;
  /** null when presence was not probed (presence disabled at join). */
  presenceRead: boolean | null;
}

export interface WritePolicies {
  broadcastWrite: boolean;
  presenceWrite: boolean;
}

/** A database failure that is not a policy verdict (connection lost, timeout…). */
export class AuthorizationUnavailable extends Error {}

const INSUFFICIENT_PRIVILEGE = '42501';

async function setContext(client: pg.PoolClient, context: AuthorizationContext): Promise<void> {
  await client.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true),
            set_config('request.jwt.claims', $3, true), set_config('request.headers', $4, true),
            set_config('request.jwt.claim.sub', $5, true), set_config('request.jwt.claim.role', $1, true)`,
    [
      context.claims.role,
      context.topic,
      JSON.stringify(context.claims),
      JSON.stringify(context.headers),
      typeof context.claims.sub === 'string' ? context.claims.sub : '',
    ],
  );
}

function isSqlError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

async function inRolledBackTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new AuthorizationUnavailable((error as Error).message);
  }
  let broken = false;
  try {
    await client.query('begin');
    return await work(client);
  } catch (error) {
    if (!isSqlError(error)) {
      broken = true;
      throw new AuthorizationUnavailable((error as Error).message);
    }
    throw error;
  } finally {
    if (!broken) {
      try {
        await client.query('rollback');
      } catch {
        broken = true;
      }
    }
    client.release(broken);
  }
}

/**
 * Read probe: insert one `broadcast` (and, with presence, one `presence`) row as the connection owner,
 * then select them back under the user's SELECT policies. A policy that errors counts as "no".
 */
export async function readPolicies(
  pool: pg.Pool,
  context: AuthorizationContext,
  withPresence: boolean,
): Promise<ReadPolicies> {
  try {
    return await inRolledBackTransaction(pool, async (client) => {
      const extensions = withPresence ? ['broadcast', 'presence'] : ['broadcast'];
      const inserted = await client.query<{ id: string; extension: string }>(
        `insert into realtime.messages (topic, extension) select $1, unnest($2::text[]) returning id, extension`,
        [context.topic, extensions],
      );
      await setContext(client, context);
      const ids = inserted.rows.map((row) => row.id);
      const visible = await client.query<{ id: string }>(
        `select id from realtime.messages where topic = $1 and id = any($2::uuid[])`,
        [context.topic, ids],
      );
      const seen = new Set(visible.rows.map((row) => row.id));
      const idOf = (extension: string) => inserted.rows.find((row) => row.extension === extension)?.id;
      return {
        broadcastRead: seen.has(idOf('broadcast')!),
        presenceRead: withPresence ? seen.has(idOf('presence')!) : null,
      };
    });
  } catch (error) {
    if (error instanceof AuthorizationUnavailable) throw error;
    // RlsPolicyError: Realtime logs it and answers as if the read were denied.
    return { broadcastRead: false, presenceRead: withPresence ? false : null };
  }
}

/** Write probe: insert as the user under a savepoint; 42501 (RLS WITH CHECK) means no. */
export async function writePolicies(pool: pg.Pool, context: AuthorizationContext): Promise<WritePolicies> {
  try {
    return await inRolledBackTransaction(pool, async (client) => {
      await setContext(client, context);
      const probe = async (extension: string): Promise<boolean> => {
        await client.query('savepoint realtime_write_probe');
        try {
          await client.query(
            `insert into realtime.messages (topic, extension, inserted_at, updated_at) values ($1, $2, now(), now())`,
            [context.topic, extension],
          );
          await client.query('release savepoint realtime_write_probe');
          return true;
        } catch (error) {
          await client.query('rollback to savepoint realtime_write_probe');
          if (isSqlError(error) && error.code === INSUFFICIENT_PRIVILEGE) return false;
          throw error;
        }
      };
      const broadcastWrite = await probe('broadcast');
      const presenceWrite = await probe('presence');
      return { broadcastWrite, presenceWrite };
    });
  } catch (error) {
    if (error instanceof AuthorizationUnavailable) throw error;
    return { broadcastWrite: false, presenceWrite: false };
  }
}
