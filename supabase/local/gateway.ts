/**
 * The gateway in front of the services: one HTTP server that routes `/auth/v1`, `/rest/v1` and
 * `/realtime/v1` (and the Realtime WebSocket upgrade) like Supabase's, plus `/metrics` and `/health`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StackContext } from './context.js';
import type { Realtime } from './realtime/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

export interface Services {
  auth: Handler;
  rest: Handler;
  realtime: Realtime;
  storage: Handler;
}

const SERVICES = ['/auth/v1', '/rest/v1', '/realtime/v1', '/storage/v1'] as const;

export function createGateway(context: StackContext, services: Services): Server {
  const route = routeTo(context, services);
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      context.metrics.errors.inc({ service: 'gateway' });
      console.error('[stack]', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal server error' }));
      } else {
        res.destroy();
      }
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/realtime/v1/websocket' || path === '/realtime/v1/websocket/') {
      services.realtime.handleUpgrade(req, socket, head);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    }
  });
  // Half-open or misbehaving sockets must never take the process down.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function routeTo(context: StackContext, { auth, rest, realtime, storage }: Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': context.metrics.contentType });
      res.end(await context.metrics.text());
      return;
    }
    if (path === '/health' || path === '/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'pasabay-local-stack', status: 'ok' }));
      return;
    }
    const service = SERVICES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const subpath = service ? path.slice(service.length) || '/' : '';
    if (service === '/auth/v1') return auth(req, res, subpath);
    if (service === '/rest/v1') return rest(req, res, subpath);
    if (service === '/realtime/v1') return realtime.handleHttp(req, res, subpath);
    if (service === '/storage/v1') return storage(req, res, subpath);
    res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ message: 'no Route matched with those values' }));
  };
}

/** Listens on 127.0.0.1 (0 picks a free port); resolves with the port. */
export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
