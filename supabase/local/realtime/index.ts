/**
 * Supabase Realtime for the local stack: the Phoenix WebSocket at `/realtime/v1/websocket`
 * (vsn 1.0.0 and 2.0.0), Broadcast, Presence, Postgres Changes, Broadcast from Database and the
 * REST broadcast API, authorized by the RLS policies on `realtime.messages` like Supabase.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { dispatchDatabaseBroadcast, isMessagesTable } from './db-broadcast.js';
import { Hub, resolveOptions, type RealtimeContext, type RealtimeOptions } from './hub.js';
import { PostgresChangesDispatcher, type Relation } from './postgres-changes.js';
import { startMessagePruning } from './pruning.js';
import { ReplicationStream, type Transaction } from './replication.js';
import { createRestBroadcastHandler } from './rest-broadcast.js';
import { createUpgradeHandler } from './upgrade.js';

export type { RealtimeContext, RealtimeOptions } from './hub.js';

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  close(): Promise<void>;
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

/**
 * Row changes, one transaction after another so subscribers see commit order: realtime.messages
 * rows are Broadcast from Database, other tables Postgres Changes. `drained` settles once the
 * transactions received so far are dispatched.
 */
function createChangeFeed(hub: Hub, isClosed: () => boolean) {
  const changes = new PostgresChangesDispatcher(hub);
  let pending: Promise<void> = Promise.resolve();
  const onTransaction = (transaction: Transaction) => {
    pending = pending.then(async () => {
      for (const change of transaction.changes) {
        if (isClosed()) return;
        try {
          if (isMessagesTable(change.relation.schema, change.relation.name))
            dispatchDatabaseBroadcast(hub, change, transaction.committedAt);
          else await changes.dispatch(change, transaction);
        } catch (error) {
          hub.ctx.metrics.errors.inc({ service: 'realtime' });
          console.error('[realtime] change dispatch failed:', error);
        }
      }
    });
  };
  return {
    onTransaction,
    onRelation: (relation: Relation) => changes.forget(relation),
    drained: () => pending,
  };
}

async function startReplication(ctx: RealtimeContext, feed: ReturnType<typeof createChangeFeed>) {
  await ensurePublications(ctx);
  const replication = new ReplicationStream(
    ctx.databaseUrl,
    { onTransaction: feed.onTransaction, onRelation: feed.onRelation },
    (error) => {
      ctx.metrics.errors.inc({ service: 'realtime' });
      console.error('[realtime] replication stream:', error.message);
    },
  );
  await replication.start();
  return replication;
}

/** Sends every socket a close frame, gives clients a moment to answer it, then cuts whoever did not. */
async function closeSockets(hub: Hub, wss: WebSocketServer): Promise<void> {
  const sockets = [...hub.connections].map((connection) => connection.ws);
  for (const connection of [...hub.connections]) connection.close(1001, 'server shutting down');
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
}

export async function createRealtime(ctx: RealtimeContext, options: RealtimeOptions = {}): Promise<Realtime> {
  const hub = new Hub(ctx, resolveOptions(options));
  const wss = new WebSocketServer({ noServer: true, maxPayload: hub.options.maxFrameBytes });
  let closed = false;
  const isClosed = () => closed;
  const feed = createChangeFeed(hub, isClosed);
  const replication = await startReplication(ctx, feed);
  const pruning = startMessagePruning(ctx.pool, (error) => console.error('[realtime] partitions:', error.message));

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await pruning.stop();
    await closeSockets(hub, wss);
    await replication.close();
    await feed.drained();
  }

  return {
    handleUpgrade: createUpgradeHandler(hub, wss, isClosed),
    handleHttp: createRestBroadcastHandler(hub),
    close,
  };
}
