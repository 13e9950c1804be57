/**
 * Supabase Realtime for the local stack: the Phoenix WebSocket at `/realtime/v1/websocket`
 * (vsn 1.0.0 and 2.0.0), Broadcast, Presence, Postgres Changes, Broadcast from Database and the
 * REST broadcast API, authorized by the RLS policies on `realtime.messages` like Supabase.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { effectiveToken } from '../keys.js';
import { Connection } from './connection.js';
import { dispatchDatabaseBroadcast, isMessagesTable } from './db-broadcast.js';
import { Hub, resolveOptions, type RealtimeContext, type RealtimeOptions } from './hub.js';
import { PostgresChangesDispatcher } from './postgres-changes.js';
import { ReplicationStream, type Transaction } from './replication.js';
import { createRestBroadcastHandler } from './rest-broadcast.js';
import { negotiateVsn } from './serializer.js';
import { checkToken } from './tokens.js';

export type { RealtimeContext, RealtimeOptions } from './hub.js';

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  close(): Promise<void>;
}

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

/** Realtime creates the publication it streams `realtime.messages` from when it is missing. */
async function ensurePublications(ctx: RealtimeContext): Promise<void> {
  await ctx.pool.query(`
    do $$
    begin
      if not exists (select from pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
      end if;
      if not exists (select from pg_publication where pubname = 'supabase_realtime_messages_publication') then
        create publication supabase_realtime_messages_publication for table realtime.messages;
      end if;
    end
    $$`);
}

export async function createRealtime(ctx: RealtimeContext, options: RealtimeOptions = {}): Promise<Realtime> {
  const hub = new Hub(ctx, resolveOptions(options));
  const changes = new PostgresChangesDispatcher(hub);
  const wss = new WebSocketServer({ noServer: true, maxPayload: hub.options.maxFrameBytes });
  const handleHttp = createRestBroadcastHandler(hub);
  let closed = false;

  // Changes are processed one transaction after another, so subscribers see commit order.
  let pending: Promise<void> = Promise.resolve();
  const onTransaction = (transaction: Transaction) => {
    pending = pending.then(async () => {
      for (const change of transaction.changes) {
        if (closed) return;
        try {
          if (isMessagesTable(change.relation.schema, change.relation.name))
            dispatchDatabaseBroadcast(hub, change, transaction.committedAt);
          else await changes.dispatch(change, transaction);
        } catch (error) {
          ctx.metrics.errors.inc({ service: 'realtime' });
          console.error('[realtime] change dispatch failed:', error);
        }
      }
    });
  };

  await ensurePublications(ctx);
  const replication = new ReplicationStream(
    ctx.databaseUrl,
    { onTransaction, onRelation: (relation) => changes.forget(relation) },
    (error) => {
      ctx.metrics.errors.inc({ service: 'realtime' });
      console.error('[realtime] replication stream:', error.message);
    },
  );
  await replication.start();

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client that vanishes mid-handshake must not surface as an unhandled error.
    socket.on('error', () => socket.destroy());
    if (closed) return refuseUpgrade(socket, 503, { error: 'Realtime is restarting, please standby' });
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
      ctx.metrics.authFailures.inc({ service: 'realtime' });
      return refuseUpgrade(socket, 401, { error: 'API key is missing' });
    }
    // The gateway turns sb_ keys into the matching legacy JWT before Realtime sees them.
    const token = effectiveToken(offered, undefined);
    if (!token) {
      ctx.metrics.authFailures.inc({ service: 'realtime' });
      return refuseUpgrade(socket, 401, {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      });
    }
    checkToken(token)
      .then((result) => {
        if ('failure' in result) {
          ctx.metrics.authFailures.inc({ service: 'realtime' });
          return refuseUpgrade(socket, 401, { error: result.failure.message });
        }
        if (closed || socket.destroyed) return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (closed) return ws.close(1001, 'server shutting down');
          new Connection(hub, ws, vsn, { token, claims: result.claims, headers: stringHeaders(req) });
        });
      })
      .catch((error: unknown) => {
        ctx.metrics.errors.inc({ service: 'realtime' });
        console.error('[realtime] upgrade failed:', error);
        socket.destroy();
      });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    const sockets = [...hub.connections].map((connection) => connection.ws);
    for (const connection of [...hub.connections]) connection.close(1001, 'server shutting down');
    // Give clients a moment to answer the close frame, then cut whoever did not.
    const allClosed = Promise.all(
      sockets.map((ws) =>
        ws.readyState === ws.CLOSED ? undefined : new Promise((resolve) => ws.once('close', resolve)),
      ),
    );
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([allClosed, new Promise((resolve) => (graceTimer = setTimeout(resolve, 1000)))]);
    clearTimeout(graceTimer);
    for (const ws of sockets) if (ws.readyState !== ws.CLOSED) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await replication.close();
    await pending;
  }

  return { handleUpgrade, handleHttp, close };
}
