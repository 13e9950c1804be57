/**
 * HTTP pieces every service of the local stack shares: the CORS answer Supabase's gateway gives
 * (the demo and browser tests call from another origin), JSON responses, and body reading with a
 * size limit so one oversized request fails alone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS = [
  'apikey',
  'authorization',
  'x-client-info',
  'content-type',
  'prefer',
  'accept',
  'accept-profile',
  'content-profile',
  'range',
  'range-unit',
  'x-supabase-api-version',
  'x-retry-count',
].join(', ');

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'Content-Range, X-Supabase-Api-Version, Content-Location, Location, Preference-Applied, Range-Unit',
};

/** Adds the CORS headers every response of the stack carries. */
export function applyCors(res: ServerResponse): void {
  for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
}

/** Answers an OPTIONS preflight and returns true; returns false for any other method. */
export function handlePreflight(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'OPTIONS') return false;
  applyCors(res);
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    // Echo what the browser asks for when it asks; otherwise the list supabase-js uses.
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? ALLOWED_HEADERS,
    'access-control-max-age': '86400',
    'content-length': '0',
  });
  res.end();
  return true;
}

/** Writes a JSON body (already serialised or not) with CORS headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  applyCors(res);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Writes a response without a body (204, HEAD, 201 with return=minimal …). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  applyCors(res);
  res.writeHead(status, headers);
  res.end();
}

/** The request body was larger than the service accepts (→ HTTP 413). */
export class PayloadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds the limit of ${limit} bytes`);
  }
}

/** The client went away or the body could not be read. */
export class BodyReadError extends Error {}

/**
 * Reads the whole body up to `limit` bytes. A larger body is drained (not kept) so the client
 * still receives the 413 answer instead of a reset connection; a client that keeps sending far
 * beyond the limit is cut off.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const hardCap = Math.max(limit * 16, 16 * 1024 * 1024);
    const finish = (error?: Error, body?: Buffer) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (size > hardCap) {
        req.destroy();
        finish(new PayloadTooLargeError(limit));
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    };
    const onEnd = () =>
      tooLarge ? finish(new PayloadTooLargeError(limit)) : finish(undefined, Buffer.concat(chunks, size));
    const onError = (error: Error) => finish(new BodyReadError(error.message));
    const onAborted = () => finish(new BodyReadError('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Query string of the request as URLSearchParams (repeated keys kept). */
export function searchParamsOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const index = url.indexOf('?');
  return new URLSearchParams(index === -1 ? '' : url.slice(index + 1));
}

/** A header as one string (first value when repeated). */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Gateway key check of Supabase's API gateway (Kong key-auth): `apikey` header or query
 * parameter must be one of the stack's keys. Returns the refusal body, or undefined when allowed.
 */
export function apiKeyRefusal(
  apikey: string | undefined,
  isKnown: (key: string) => boolean,
): { message: string; hint?: string } | undefined {
  if (!apikey)
    return { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' };
  if (!isKnown(apikey))
    return { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' };
  return undefined;
}

/**
 * The gateway's first steps in front of auth and rest: answer a CORS preflight, refuse a missing
 * or unknown API key (401). True when the request has been answered.
 */
export function answeredPreflightOrBadKey(
  req: IncomingMessage,
  res: ServerResponse,
  isKnown: (key: string) => boolean,
): boolean {
  if (handlePreflight(req, res)) return true;
  const refusal = apiKeyRefusal(apiKeyOf(req), isKnown);
  if (!refusal) return false;
  sendJson(res, 401, refusal);
  return true;
}

/** The `apikey` the gateway reads: header first, then the query parameter. */
export function apiKeyOf(req: IncomingMessage): string | undefined {
  return headerValue(req, 'apikey') ?? searchParamsOf(req).get('apikey') ?? undefined;
}
