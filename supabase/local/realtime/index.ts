/**
 * Supabase Realtime for the local stack: the Phoenix WebSocket at `/realtime/v1/websocket`
 * (vsn 1.0.0 and 2.0.0), Broadcast, Presence, Postgres Changes, Broadcast from Database and the
 * REST broadcast API, authorized by the RLS policies on `realtime.messages` like Supabase.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Gauge } from 'prom-client';
import { WebSocketServer } from 'ws';
import { dispatchDatabaseBroadcast, isMessagesTable } from './db-broadcast.js';
import { Hub, resolveOptions, type RealtimeContext, type RealtimeOptions } from './hub.js';
import { PostgresChangesDispatcher, type Relation } from './postgres-changes.js';
import { startMessagePruning } from './pruning.js';
import { ReplicationStream, type ReplicationStats, type Transaction } from './replication.js';
import { createRestBroadcastHandler } from './rest-broadcast.js';
import { createUpgradeHandler } from './upgrade.js';

export type { RealtimeContext, RealtimeOptions } from './hub.js';

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** The replication queue and the last confirmed position. */
  replicationStats(): ReplicationStats;
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
 * rows are Broadcast from Database, other tables Postgres Changes. The replication stream waits
 * for each dispatch (its bounded queue holds the rest) and confirms only what is dispatched.
 * A change whose dispatch fails is logged and counted, and the channels are told, as after a gap,
 * so the elements fetch what they may have missed.
 */
function createChangeFeed(hub: Hub, isClosed: () => boolean) {
  const changes = new PostgresChangesDispatcher(hub);
  let pending: Promise<void> = Promise.resolve();
  const onTransaction = (transaction: Transaction): Promise<void> => {
    const dispatched = (async () => {
      let failed = false;
      for (const change of transaction.changes) {
        if (isClosed()) return;
        try {
          if (isMessagesTable(change.relation.schema, change.relation.name))
            dispatchDatabaseBroadcast(hub, change, transaction.committedAt);
          else await changes.dispatch(change, transaction);
        } catch (error) {
          failed = true;
          hub.ctx.metrics.errors.inc({ service: 'realtime' });
          console.error('[realtime] change dispatch failed:', error);
        }
      }
      if (failed) announceGap(hub, 'realtime could not deliver a change: changes may have been missed');
    })();
    pending = dispatched;
    return dispatched;
  };
  return {
    onTransaction,
    onRelation: (relation: Relation) => changes.forget(relation),
    onGap: (message: string) => {
      hub.ctx.metrics.errors.inc({ service: 'realtime' });
      console.error(`[realtime] ${message}`);
      announceGap(hub, message);
    },
    // Postgres Changes deliveries run on after their dispatch returns: wait for those too.
    drained: () => pending.then(() => changes.idle()),
  };
}

/**
 * Tells every joined channel that changes may have been missed: a `system` error (extension
 * `replication`), then `phx_error`, on which realtime-js rejoins, and the elements re-fetch what
 * they hold on every rejoin. The rejoin replaces the server's channel.
 */
export function announceGap(hub: Hub, message: string): void {
  for (const channel of [...hub.allChannels()]) {
    if (channel.closed) continue;
    channel.push('system', { status: 'error', extension: 'replication', message, channel: channel.subTopic });
    channel.push('phx_error', { reason: 'channel_crash' });
  }
}

/** The replication queue as gauges on the stack's /metrics; returns their removal. */
function registerReplicationGauges(ctx: RealtimeContext, replication: ReplicationStream): () => void {
  const registry = ctx.metrics.registry;
  if (!registry) return () => undefined;
  const names: string[] = [];
  const gauge = (name: string, help: string, read: (stats: ReplicationStats) => number) => {
    // A Realtime started again on the same registry (a restart in one process) takes over the name.
    registry.removeSingleMetric(name);
    names.push(name);
    return new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(replication.stats()));
      },
    });
  };
  gauge(
    'pasabay_realtime_replication_queue',
    'Transactions received from replication, not yet dispatched',
    (s) => s.queued,
  );
  gauge('pasabay_realtime_replication_queue_max', 'Most transactions ever waiting for dispatch', (s) => s.maxQueued);
  gauge('pasabay_realtime_replication_queue_bound', 'Waiting transactions at which reading stops', (s) => s.bound);
  gauge(
    'pasabay_realtime_replication_stashed',
    'Messages of the last read parsed after reading stopped',
    (s) => s.stashed,
  );
  gauge('pasabay_realtime_replication_pauses', 'Times reading stopped because dispatch fell behind', (s) => s.pauses);
  return () => {
    for (const name of names) if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
  };
}

async function startReplication(ctx: RealtimeContext, feed: ReturnType<typeof createChangeFeed>) {
  await ensurePublications(ctx);
  const replication = new ReplicationStream(
    ctx.databaseUrl,
    { onTransaction: feed.onTransaction, onRelation: feed.onRelation, onGap: feed.onGap },
    (error) => {
      ctx.metrics.errors.inc({ service: 'realtime' });
      console.error('[realtime] replication stream:', error.message);
    },
  );
  await replication.start();
  const unregister = registerReplicationGauges(ctx, replication);
  return {
    stats: () => replication.stats(),
    close: async () => {
      await replication.close();
      unregister();
    },
  };
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
    replicationStats: () => replication.stats(),
    close,
  };
}
