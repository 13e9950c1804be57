/**
 * GoTrue's error responses (supabase/auth internal/api/errors.go): `{code, message}` plus the
 * echoed `X-Supabase-Api-Version` header when the client asks for API version 2024-01-01 or
 * later (supabase-js always does), the legacy `{code: <status>, error_code, msg}` otherwise, and
 * OAuth2 `{error, error_description}` bodies for the token endpoint's protocol errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue, sendJson } from '../http.js';

export const API_VERSION = '2024-01-01';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description = '',
  ) {
    super(description || error);
  }
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const unexpectedFailure = (message: string) => new AuthError(500, 'unexpected_failure', message);

/** True when the request asks for API version 2024-01-01 or later (ISO dates compare as strings). */
export function wantsModernErrors(req: IncomingMessage): boolean {
  const version = headerValue(req, 'x-supabase-api-version');
  return !!version && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= API_VERSION;
}

export function sendAuthError(req: IncomingMessage, res: ServerResponse, error: AuthError | OAuthError): void {
  const modern = wantsModernErrors(req);
  const versionHeader: Record<string, string> = modern ? { 'x-supabase-api-version': API_VERSION } : {};
  if (error instanceof OAuthError) {
    sendJson(
      res,
      400,
      error.description ? { error: error.error, error_description: error.description } : { error: error.error },
      versionHeader,
    );
    return;
  }
  const headers = { ...versionHeader, 'x-sb-error-code': error.code };
  const body = modern
    ? { code: error.code, message: error.message, ...error.extra }
    : { code: error.status, error_code: error.code, msg: error.message, ...error.extra };
  sendJson(res, error.status, body, headers);
}
