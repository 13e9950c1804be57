import type { Parsed } from '../connection/schemas.js';

/** What went wrong, so handlers can branch without parsing `message`. */
export type PasabayErrorCode =
  /** No Supabase client: neither a `client` property, `supabase-url` + `supabase-key`, nor `configure()`. */
  | 'configuration'
  /** A payload from the network failed validation and was dropped. */
  | 'invalid-payload'
  /** A realtime channel could not be joined or was closed by the server. */
  | 'channel'
  /** A REST / RPC request failed. */
  | 'request'
  /** The database refused a write for going over its rate limit (HTTP 429); `message` says the limit. */
  | 'rate-limited'
  /** Signing in (for example as a guest) failed. */
  | 'auth'
  /** The browser's storage is blocked or full: unsent messages are kept in memory only. */
  | 'storage';

export interface PasabayErrorDetail {
  code: PasabayErrorCode;
  /** Human-readable, English; meant for logs, not for end users. */
  message: string;
  /** Where it happened, e.g. a topic or an RPC name. */
  source?: string;
  /** The original error or the rejected payload. */
  cause?: unknown;
}

/** Something failed that the element recovered from (or shows as an error state). Never thrown. */
export class PasabayErrorEvent extends Event {
  static readonly eventName = 'pasabay-error';
  constructor(readonly detail: PasabayErrorDetail) {
    super(PasabayErrorEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * Reports each problem of a parse on `target` as `pasabay-error` (code `invalid-payload`) and
 * returns the valid data.
 */
export function reported<T>(target: EventTarget, parsed: Parsed<T>): T {
  for (const { source, message, cause } of parsed.problems) {
    target.dispatchEvent(new PasabayErrorEvent({ code: 'invalid-payload', message, source, cause }));
  }
  return parsed.data;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-error': PasabayErrorEvent;
  }
}
