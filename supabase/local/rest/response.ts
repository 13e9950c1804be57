/** How REST answers are written: status, Content-Range, Preference-Applied, the body, and errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../http.js';
import { SINGLE_OBJECT, type RequestContext } from './context.js';
import { RestError } from './errors.js';
import type { Preferences } from './query.js';

/** A result rendered by the database: the JSON array, its length, and its first element. */
export interface Rows {
  body: string;
  n: number;
  first: string | null;
}

export function singularityError(n: number): RestError {
  return new RestError(
    406,
    'PGRST116',
    'Cannot coerce the result to a single JSON object',
    `The result contains ${n} rows`,
  );
}

/** Content-Range as PostgREST writes it (`RangeQuery.contentRangeH`). */
export function contentRange(lower: number, upper: number, total: number | undefined): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

export function preferenceApplied(rc: RequestContext, keys: (keyof Preferences)[]): Record<string, string> {
  const applied = keys
    .filter((key) => rc.prefs[key] !== undefined && key !== 'invalid')
    .map((key) => `${key}=${String(rc.prefs[key])}`);
  return applied.length > 0 ? { 'preference-applied': applied.join(', ') } : {};
}

export function respond(
  rc: RequestContext,
  status: number,
  body: string | undefined,
  headers: Record<string, string>,
): void {
  const contentType = rc.single ? `${SINGLE_OBJECT}; charset=utf-8` : 'application/json; charset=utf-8';
  if (body === undefined) sendEmpty(rc.res, status, headers);
  else if (rc.method === 'HEAD') sendEmpty(rc.res, status, { 'content-type': contentType, ...headers });
  else sendJson(rc.res, status, body, { 'content-type': contentType, ...headers });
}

/** The answer to a read (table GET/HEAD or set-returning RPC): status, Content-Range, body. */
export function sendRows(
  rc: RequestContext,
  rows: Rows,
  offset: number,
  total: number | undefined,
  checkRange: boolean,
): void {
  if (rc.single && rows.n !== 1) throw singularityError(rows.n);
  const upper = offset + rows.n - 1;
  if (checkRange && total !== undefined && offset > total && total > 0) {
    throw new RestError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      `An offset of ${offset} was requested, but there are only ${total} rows.`,
      null,
      {
        'content-range': `*/${total}`,
      },
    );
  }
  const partial = total !== undefined && 1 + upper - offset < total;
  const headers = { 'content-range': contentRange(offset, upper, total), ...preferenceApplied(rc, ['count']) };
  respond(rc, partial ? 206 : 200, rc.single ? (rows.first ?? 'null') : rows.body, headers);
}

export function sendRestError(req: IncomingMessage, res: ServerResponse, error: RestError): void {
  const headers = { 'proxy-status': `PostgREST; error=${error.code}`, ...error.headers };
  if (req.method === 'HEAD') sendEmpty(res, error.status, headers);
  else sendJson(res, error.status, error.body(), headers);
}
