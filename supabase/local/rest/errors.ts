import { isConnectFailure } from '../pool.js';

/**
 * PostgREST's error responses (PostgREST/postgrest src/PostgREST/Error.hs): the body
 * `{code, details, hint, message}`, `Proxy-Status: PostgREST; error=<code>`, and the SQLSTATE →
 * HTTP status mapping of `mapSQLtoHTTP`.
 */

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { code: string; details: string | null; hint: string | null; message: string } {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** A request outside the PostgREST subset the local stack serves: a clear 400, never a wrong answer. */
export function notSupported(what: string, details: string | null = null): RestError {
  return new RestError(400, 'PGRST100', `${what} is not supported by the Pasabay local stack`, details);
}

/** PGRST100: a query parameter PostgREST's own parser would refuse. */
export function queryParamError(message: string, details: string): RestError {
  return new RestError(400, 'PGRST100', message, details);
}

/** HTTP status PostgREST gives a PostgreSQL error (`mapSQLtoHTTP`); `authed` = role is not the anon role. */
export function pgErrorStatus(code: string, message: string, authed: boolean): number {
  if (code.startsWith('08')) return 503;
  if (code.startsWith('09')) return 500;
  if (code.startsWith('0L') || code.startsWith('0P')) return 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  if (code.startsWith('25')) return 500;
  if (code.startsWith('28')) return 403;
  if (
    code.startsWith('2D') ||
    code.startsWith('38') ||
    code.startsWith('39') ||
    code.startsWith('3B') ||
    code.startsWith('40')
  )
    return 500;
  if (code === '53400') return 500;
  if (code.startsWith('53')) return 503;
  if (code.startsWith('54') || code.startsWith('55')) return 500;
  if (code === '57P01') return 503;
  if (code.startsWith('57') || code.startsWith('58') || code.startsWith('F0') || code.startsWith('HV')) return 500;
  if (code === 'P0001') return 400;
  if (code.startsWith('P0') || code.startsWith('XX')) return 500;
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (code === '42501') return authed ? 403 : 401;
  if (code.startsWith('PT')) {
    const status = Number(code.slice(2));
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
  }
  return 400;
}

interface PgLikeError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** True for errors that came from the PostgreSQL server (they carry a SQLSTATE). */
export function isPgError(error: unknown): error is PgLikeError & Error {
  return (
    error instanceof Error &&
    typeof (error as PgLikeError).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as PgLikeError).code ?? '')
  );
}

/**
 * A PostgreSQL error as PostgREST answers it. `RAISE SQLSTATE 'PGRST'` with a JSON message
 * (`{code, message, details?, hint?}`) and JSON detail (`{status, headers}`) gives full control.
 */
export function fromPgError(error: PgLikeError, authed: boolean): RestError {
  const code = error.code ?? 'XX000';
  if (code === 'PGRST') {
    try {
      const message = JSON.parse(error.message) as { code: string; message: string; details?: string; hint?: string };
      const detail = JSON.parse(error.detail ?? '') as { status: number; headers?: Record<string, string> };
      if (typeof message.code !== 'string' || typeof message.message !== 'string' || typeof detail.status !== 'number')
        throw new Error('shape');
      return new RestError(
        detail.status,
        message.code,
        message.message,
        message.details ?? null,
        message.hint ?? null,
        detail.headers ?? {},
      );
    } catch {
      return new RestError(
        500,
        'PGRST121',
        `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
        `Invalid JSON value for MESSAGE: '${error.message}'`,
        "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.",
      );
    }
  }
  const status = pgErrorStatus(code, error.message, authed);
  return new RestError(
    status,
    code,
    error.message,
    error.detail ?? null,
    error.hint ?? null,
    status === 401 ? { 'www-authenticate': 'Bearer' } : {},
  );
}

// Socket-level failures of a connection to the database (node's errno codes).
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * The database could not be reached or the connection broke, as PostgREST answers it
 * (`PostgREST.Error`, hasql usage errors): no connection → 503 PGRST000, a connection lost in the
 * middle of a request → 503 PGRST001, no pooled connection free in time → 504 PGRST003. The
 * 503s carry `Retry-After` (supabase-js retries GET and HEAD on 503). Anything else: undefined.
 */
export function fromConnectionError(error: unknown): RestError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: string }).code ?? '';
  const retry = { 'retry-after': '1' };
  if (/^timeout exceeded when trying to connect$/i.test(error.message))
    return new RestError(504, 'PGRST003', 'Timed out acquiring connection from connection pool.');
  // A failure to connect: refused, or refused by the server (starting up, too many connections…).
  if (
    isConnectFailure(error) ||
    CONNECTION_ERRNOS.has(code) ||
    code === '57P03' ||
    /connection timeout/i.test(error.message)
  )
    return new RestError(
      503,
      'PGRST000',
      'Database connection error. Retrying the connection.',
      error.message,
      null,
      retry,
    );
  if (!isPgError(error) && /^Connection terminated|Client has encountered a connection error/i.test(error.message))
    return new RestError(
      503,
      'PGRST001',
      'Database client error. Retrying the connection.',
      error.message,
      null,
      retry,
    );
  return undefined;
}
