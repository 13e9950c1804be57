/** Request bodies: JSON only, within the size limit PostgREST's proxy would allow. */
import { headerValue, readBody } from '../http.js';
import type { RequestContext } from './context.js';
import { notSupported, RestError } from './errors.js';

const BODY_LIMIT = 4 * 1024 * 1024;

/** Parses a JSON request body; PostgREST answers PGRST102 for anything that is not JSON. */
export async function jsonBody(rc: RequestContext, allowEmpty: boolean): Promise<unknown> {
  const contentType = (headerValue(rc.req, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const raw = (await readBody(rc.req, BODY_LIMIT)).toString('utf8');
  if (contentType !== 'application/json' && contentType !== '' && !(allowEmpty && raw.trim() === '')) {
    throw notSupported(`The request body media type "${contentType}"`, 'Send application/json.');
  }
  if (raw.trim() === '') {
    if (allowEmpty) return {};
    throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
