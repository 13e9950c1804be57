/**
 * The local REST service (`/rest/v1`): the PostgREST subset supabase-js emits (README "The local
 * stack" lists what is left out), each request in its own transaction as the token's role with `request.jwt.claims` set, as
 * PostgREST's `txVarQuery` does, so row-level security decides exactly as on Supabase.
 * This module routes; read.ts, write.ts and rpc.ts serve, around one RequestContext per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StackContext } from '../context.js';
import { BodyReadError, PayloadTooLargeError, answeredPreflightOrBadKey } from '../http.js';
import { isKnownApiKey } from '../keys.js';
import { claimsOf, createRequestContext, createRestService, type RequestContext } from './context.js';
import { fromConnectionError, fromPgError, isPgError, notSupported, RestError } from './errors.js';
import { read } from './read.js';
import { sendRestError } from './response.js';
import { rpc } from './rpc.js';
import { insert, remove, update } from './write.js';

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

export function createRestHandler(ctx: StackContext): Handler {
  const service = createRestService(ctx);

  return async (req, res, path) => {
    let authed = false;
    try {
      if (answeredPreflightOrBadKey(req, res, isKnownApiKey)) return;
      const claims = await claimsOf(req);
      const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : 'anon';
      authed = role !== 'anon';
      await route(createRequestContext(service, req, res, path, claims, role, authed));
    } catch (error) {
      const failure = toRestError(error, authed);
      if (!failure) {
        if (!(error instanceof BodyReadError)) {
          ctx.metrics.errors.inc({ service: 'rest' });
          console.error('[rest]', error);
        }
        if (!res.headersSent) sendRestError(req, res, new RestError(500, 'PGRSTX00', 'Internal server error'));
        else res.destroy();
      } else {
        if (failure.status >= 500) ctx.metrics.errors.inc({ service: 'rest' });
        if (!res.headersSent) sendRestError(req, res, failure);
      }
    } finally {
      if (res.statusCode === 401 || res.statusCode === 403) ctx.metrics.authFailures.inc({ service: 'rest' });
      ctx.metrics.requests.inc({ service: 'rest', status: String(res.statusCode) });
    }
  };
}

function toRestError(error: unknown, authed: boolean): RestError | undefined {
  if (error instanceof RestError) return error;
  if (error instanceof PayloadTooLargeError) {
    return new RestError(413, 'PGRST102', `Request body exceeds the limit of ${error.limit} bytes`);
  }
  const connection = fromConnectionError(error);
  if (connection) return connection;
  if (isPgError(error)) return fromPgError(error, authed);
  return undefined;
}

async function route(rc: RequestContext): Promise<void> {
  let segments: string[];
  try {
    segments = rc.path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');
  }
  if (segments.length === 0)
    throw new RestError(
      404,
      'PGRST126',
      'Root endpoint metadata is disabled',
      'The OpenAPI description is not served by the Pasabay local stack',
    );
  if (segments[0] === 'rpc' && segments.length === 2) return rpc(rc, segments[1]!);
  if (segments.length !== 1) throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');

  const name = segments[0]!;
  const table = (await rc.cache.table(rc.schema, name)) ?? (await rc.cache.table(rc.schema, name, true));
  if (!table)
    throw new RestError(404, 'PGRST205', `Could not find the table '${rc.schema}.${name}' in the schema cache`);
  switch (rc.method) {
    case 'GET':
    case 'HEAD':
      return read(rc, table);
    case 'POST':
      return insert(rc, table);
    case 'PATCH':
      return update(rc, table);
    case 'DELETE':
      return remove(rc, table);
    case 'PUT':
      throw notSupported(
        'PUT (single-row upsert by primary key)',
        'Use POST with Prefer: resolution=merge-duplicates (supabase-js upsert()).',
      );
    default:
      throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${rc.method}`);
  }
}
