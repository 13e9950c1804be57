/**
 * The stack's pg pool, with the two guards pg-pool lacks: a listener on checked-out clients, and
 * an end that waits for the backends to be gone.
 */
import pg from 'pg';

export interface StackPool {
  pool: pg.Pool;
  /**
   * Ends the pool and resolves once every client's connection has closed. `pool.end()` alone
   * resolves as soon as each client has been asked to end, while its backend may still run;
   * stopping or dropping the database right then terminates those backends, which send
   * "terminating connection due to administrator command" down sockets the clients still read,
   * and the pool reports it as an error. The server closes a backend's socket last as it exits.
   */
  end(): Promise<void>;
}

/** Marks an error as a failure to open a connection (not of a query on an open one). */
const CONNECT_FAILURE = Symbol('pasabay connect failure');

/** True when `error` came from opening a pooled connection (server down, refusing, starting up…). */
export function isConnectFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && CONNECT_FAILURE in error;
}

function markConnectFailure(error: Error): Error {
  if (typeof error === 'object' && error !== null) Object.defineProperty(error, CONNECT_FAILURE, { value: true });
  return error;
}

/** A pg client whose failed connect is marked, so the REST service can answer like PostgREST. */
class MarkingClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error | null, client?: pg.Client) => void): void;
  override connect(callback?: (err: Error | null, client?: pg.Client) => void): Promise<pg.Client> | void {
    if (callback) {
      super.connect((error: Error | null, client?: pg.Client) =>
        callback(error ? markConnectFailure(error) : error, client),
      );
      return;
    }
    return super.connect().catch((error: Error) => {
      throw markConnectFailure(error);
    });
  }
}

/** Callers still listen for the pool's 'error' (an idle client whose connection dropped). */
export function createPool(config: pg.PoolConfig): StackPool {
  const pool = new pg.Pool({ Client: MarkingClient, ...config });
  const closed = new Map<pg.PoolClient, Promise<void>>();
  pool.on('connect', (client) => {
    // pg-pool listens for errors only while a client is idle: a checked-out client whose
    // connection drops between two queries would emit an unhandled 'error' and crash the
    // process. Its next query fails with that error instead, which its user handles.
    client.on('error', () => undefined);
    closed.set(client, new Promise((resolve) => client.once('end', () => resolve())));
  });
  pool.on('remove', (client) => closed.delete(client));
  let ending: Promise<void> | undefined;
  return {
    pool,
    end: () =>
      (ending ??= (async () => {
        await pool.end();
        await Promise.all(closed.values());
      })()),
  };
}
