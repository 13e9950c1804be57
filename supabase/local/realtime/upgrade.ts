/**
 * The WebSocket upgrade at `/realtime/v1/websocket`, checked as Realtime's endpoint does before
 * any frame: serializer version, API key, then the token; a refusal is a plain HTTP answer.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { effectiveToken } from '../keys.js';
import { Connection } from './connection.js';
import type { Hub } from './hub.js';
import { negotiateVsn } from './serializer.js';
import { checkToken } from './tokens.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

function refuseUpgrade(socket: Duplex, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

function stringHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  return headers;
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

export function createUpgradeHandler(
  hub: Hub,
  wss: WebSocketServer,
  isClosed: () => boolean,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client that vanishes mid-handshake must not surface as an unhandled error. A named function,
    // not a closure: the listener lives as long as the socket and must not keep this request alive.
    socket.on('error', destroySocket);
    if (isClosed()) return refuseUpgrade(socket, 503, { error: 'Realtime is restarting, please standby' });
    const url = new URL(req.url ?? '/', 'http://local');
    const requestedVsn = url.searchParams.get('vsn');
    const vsn = negotiateVsn(requestedVsn);
    if (!vsn) {
      return refuseUpgrade(socket, 400, {
        error: `The client's requested serializer version "${requestedVsn}" does not match server's version requirements of ~> 1.0.0 or ~> 2.0.0`,
      });
    }
    const header = req.headers['x-api-key'];
    const offered = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey') ?? undefined;
    if (typeof offered !== 'string' || offered === '') {
      hub.ctx.metrics.authFailures.inc({ service: 'realtime' });
      return refuseUpgrade(socket, 401, { error: 'API key is missing' });
    }
    // The gateway turns sb_ keys into the matching legacy JWT before Realtime sees them.
    const token = effectiveToken(offered, undefined);
    if (!token) {
      hub.ctx.metrics.authFailures.inc({ service: 'realtime' });
      return refuseUpgrade(socket, 401, {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      });
    }
    checkToken(token)
      .then((result) => {
        if ('failure' in result) {
          hub.ctx.metrics.authFailures.inc({ service: 'realtime' });
          return refuseUpgrade(socket, 401, { error: result.failure.message });
        }
        if (isClosed() || socket.destroyed) return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (isClosed()) return ws.close(1001, 'server shutting down');
          new Connection(hub, ws, vsn, { token, claims: result.claims, headers: stringHeaders(req) });
        });
      })
      .catch((error: unknown) => {
        hub.ctx.metrics.errors.inc({ service: 'realtime' });
        console.error('[realtime] upgrade failed:', error);
        socket.destroy();
      });
  };
}
