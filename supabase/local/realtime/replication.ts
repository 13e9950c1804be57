/**
 * The one change stream behind Postgres Changes and Broadcast from Database, as real Realtime
 * reads it: a logical replication slot with pgoutput over publications `supabase_realtime` and
 * `supabase_realtime_messages_publication`. Transactions are handed over whole, in commit order,
 * with their commit time.
 *
 * Nothing acknowledged is lost: the slot is persistent (one per database, reused), and a
 * transaction is confirmed to PostgreSQL only once it has been dispatched, so when the stream
 * restarts (walsender terminated, PostgreSQL restarted) it resumes from the last confirmed
 * position; transactions seen twice are skipped by their commit LSN. Confirmations go out in
 * batches (one standby status update per ACK_INTERVAL_MS, or when the server asks). When the slot
 * is gone and had to be created again, changes may have been missed: `onGap` says so.
 *
 * Between the stream and dispatch sits a bounded queue: once `maxQueued` transactions wait,
 * reading from the replication socket stops until dispatch catches up.
 */
import { createHash, randomBytes } from 'node:crypto';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import pg from 'pg';
import type { Commit, Relation, RowChange, TupleValues } from './postgres-changes.js';

export const PUBLICATIONS = ['supabase_realtime', 'supabase_realtime_messages_publication'];

export interface Transaction extends Commit {
  changes: RowChange[];
  /** Start of the commit record: the transaction's place in the stream. */
  commitLsn: bigint;
  /** End of the commit record: what is confirmed once the transaction is dispatched. */
  endLsn: bigint;
}

const keepText = (raw: unknown) => raw;

/** pgoutput with values left as PostgreSQL text (PostgreSQL does the JSON typing later). */
class TextPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): Pgoutput.Message {
    const message = super.parse(buffer);
    if (message.tag === 'relation') for (const column of message.columns) column.parser = keepText;
    return message;
  }
}

function toRelation(message: Pgoutput.MessageRelation): Relation {
  return {
    oid: message.relationOid,
    schema: message.schema,
    name: message.name,
    columns: message.columns.map((column) => ({
      name: column.name,
      typeOid: column.typeOid,
      isKey: (column.flags & 1) === 1,
    })),
  };
}

export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  if (high === undefined || low === undefined) throw new RangeError(`not an LSN: ${text}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffff_ffffn).toString(16).toUpperCase()}`;
}

/**
 * The slot of one database: a stable name, so a stack restarted on the same data folder (or
 * database) reuses it rather than leaving one behind per process.
 */
export function slotNameFor(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  return `pasabay_realtime_${createHash('sha256').update(database).digest('hex').slice(0, 16)}`;
}

export interface ReplicationHandlers {
  /** Dispatches one transaction; the stream waits for it before confirming or dispatching the next. */
  onTransaction(transaction: Transaction): Promise<void>;
  onRelation(relation: Relation): void;
  /** The stream resumed on a new slot: changes committed meanwhile may never be seen. */
  onGap(message: string): void;
}

export interface ReplicationOptions {
  /** Transactions received and not yet dispatched before reading stops. Env REALTIME_REPLICATION_QUEUE. */
  maxQueued?: number;
}

export interface ReplicationStats {
  /** Transactions received and waiting for (or in) dispatch. */
  queued: number;
  /** The most that ever waited. */
  maxQueued: number;
  /** The bound: reading stops when this many wait. */
  bound: number;
  /** Messages of the last socket read, parsed after reading stopped (at most one read's worth). */
  stashed: number;
  /** Times reading stopped because the queue was full. */
  pauses: number;
  /** Last LSN confirmed to PostgreSQL. */
  confirmed: string;
}

// Pause before starting a lost stream again, so a database that is down is not hammered.
const RESTART_DELAY_MS = 1000;
// Confirmed positions are coalesced into one standby status update per interval.
const ACK_INTERVAL_MS = 100;
const DEFAULT_MAX_QUEUED = 256;

export const GAP_MESSAGE = 'replication restarted: changes may have been missed';

type Connection = { stream?: { pause?(): void; resume?(): void } };

export class ReplicationStream {
  /** The persistent slot; another name only when a live process already streams from the stable one. */
  slotName: string;
  readonly bound: number;
  #service: LogicalReplicationService | undefined;
  #current: (Omit<Transaction, 'endLsn'> & { endLsn?: bigint }) | undefined;
  #relations = new Map<number, Relation>();
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #ackTimer: NodeJS.Timeout | undefined;
  /** Whether the slot was made by this process (it is then dropped on close). */
  #ownsSlot = false;
  #started = false;
  #queue: Transaction[] = [];
  #stash: Pgoutput.Message[] = [];
  #paused = false;
  #dispatching = false;
  /** Commit LSN of the last transaction taken into the queue: replays at or before it are skipped. */
  #lastTaken = 0n;
  /** Everything up to here is dispatched and may be confirmed. */
  #dispatched = 0n;
  /** Last position sent to PostgreSQL. */
  #confirmed = 0n;
  #maxQueued = 0;
  #pauses = 0;

  constructor(
    readonly databaseUrl: string,
    readonly handlers: ReplicationHandlers,
    readonly onError: (error: Error) => void,
    options: ReplicationOptions = {},
  ) {
    this.slotName = slotNameFor(databaseUrl);
    const fromEnv = Number(process.env['REALTIME_REPLICATION_QUEUE']);
    this.bound = options.maxQueued ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_QUEUED);
  }

  stats(): ReplicationStats {
    return {
      queued: this.#queue.length,
      maxQueued: this.#maxQueued,
      bound: this.bound,
      stashed: this.#stash.length,
      pauses: this.#pauses,
      confirmed: formatLsn(this.#confirmed),
    };
  }

  /**
   * Resolves once the slot exists and streaming has begun: changes committed after this are seen.
   * Rejects if the stream cannot start (its connection is closed then).
   */
  async start(): Promise<void> {
    const startLsn = await this.#prepareSlot();
    await new Promise<void>((resolve, reject) => {
      const service = new LogicalReplicationService(
        { connectionString: this.databaseUrl },
        // Acknowledged by hand, only what is dispatched (the library's timer would confirm
        // whatever was received).
        { acknowledge: { auto: false, timeoutSeconds: 0 } },
      );
      this.#service = service;
      this.#paused = false;
      let started = false;
      service.on('start', () => {
        started = true;
        resolve();
      });
      service.on('data', (_lsn: string, message: Pgoutput.Message) => {
        if (service !== this.#service) return;
        if (this.#paused || this.#stash.length > 0) this.#stash.push(message);
        else this.#onMessage(message);
      });
      service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
        if (service !== this.#service) return;
        // Nothing received is waiting: everything the server has sent so far is handled.
        if (this.#idle()) this.#dispatched = maxLsn(this.#dispatched, parseLsn(lsn));
        if (shouldRespond) this.#sendStatus();
      });
      // The service re-emits its connection's errors, which would crash the process unheard. A
      // lost connection also fails the running START_REPLICATION, so subscribe() below settles
      // with that error and handles it.
      service.on('error', () => undefined);
      const ended = (error: Error) => {
        // Close the connection for good: that also stops the service's standby-status timer.
        void service.destroy().catch(() => undefined);
        if (started) this.#onLost(service, error);
        else reject(error);
      };
      service
        .subscribe(
          new TextPgoutputPlugin({ protoVersion: 1, publicationNames: PUBLICATIONS }),
          this.slotName,
          formatLsn(startLsn),
        )
        .then(() => ended(new Error('the replication stream ended')), ended);
    });
    this.#started = true;
  }

  /**
   * Makes sure the slot exists; returns where to start. At the first start a slot left by a
   * crashed process of this stack is dropped (no view of that process is left to catch up) and
   * made again. On a restart the slot is resumed; if it is gone or its WAL was removed, it is made
   * again and `onGap` tells the channels.
   */
  async #prepareSlot(): Promise<bigint> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const existing = await client.query<{ confirmed: string | null; wal_status: string | null; active: boolean }>(
        `select confirmed_flush_lsn::text as confirmed, wal_status, active_pid is not null as active
           from pg_replication_slots where slot_name = $1`,
        [this.slotName],
      );
      const slot = existing.rows[0];
      if (this.#started && slot && slot.wal_status !== 'lost' && slot.confirmed) {
        const confirmed = parseLsn(slot.confirmed);
        // Only PostgreSQL's own copy may be behind ours (a crash loses its last confirmation).
        if (confirmed <= this.#dispatched) return confirmed;
      }
      if (!this.#started && slot?.active) {
        // Another live stack streams this database: this one gets a slot of its own.
        this.slotName = `${this.slotName}_${process.pid}_${randomBytes(3).toString('hex')}`;
      } else if (slot) {
        await client.query('select pg_drop_replication_slot($1)', [this.slotName]);
      }
      const created = await client.query<{ lsn: string }>(
        `select lsn::text as lsn from pg_create_logical_replication_slot($1, 'pgoutput')`,
        [this.slotName],
      );
      this.#ownsSlot = true;
      const lsn = parseLsn(created.rows[0]!.lsn);
      if (this.#started) {
        this.#lastTaken = 0n;
        this.#dispatched = lsn;
        this.#confirmed = lsn;
        this.handlers.onGap(GAP_MESSAGE);
      } else {
        this.#dispatched = lsn;
        this.#confirmed = lsn;
      }
      return lsn;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** The stream stopped while we still wanted it (walsender terminated, database restarted…). */
  #onLost(service: LogicalReplicationService, error: Error): void {
    if (this.#closed || service !== this.#service) return;
    this.onError(error);
    this.#current = undefined;
    // Unread messages of the lost stream are sent again by the next one.
    this.#stash = [];
    this.#paused = false;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    // A new walsender sends each table's Relation message again before its first change.
    this.#relations.clear();
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    this.#retryTimer = setTimeout(() => {
      this.start().catch((error: Error) => {
        if (this.#closed) return;
        this.onError(error);
        this.#scheduleRestart();
      });
    }, RESTART_DELAY_MS);
    this.#retryTimer.unref();
  }

  #idle(): boolean {
    return this.#queue.length === 0 && !this.#current && this.#stash.length === 0 && !this.#dispatching;
  }

  #onMessage(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'begin':
        this.#current = {
          xid: message.xid,
          committedAt: message.commitTime as bigint,
          changes: [],
          commitLsn: message.commitLsn ? parseLsn(message.commitLsn) : 0n,
        };
        return;
      case 'relation': {
        const relation = toRelation(message);
        this.#relations.set(relation.oid, relation);
        this.handlers.onRelation(relation);
        return;
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const relation = this.#relations.get(message.relation.relationOid) ?? toRelation(message.relation);
        this.#current?.changes.push(toChange(relation, message));
        return;
      }
      case 'commit': {
        const current = this.#current;
        this.#current = undefined;
        if (!current) return;
        const commitLsn = message.commitLsn ? parseLsn(message.commitLsn) : current.commitLsn;
        const endLsn = message.commitEndLsn ? parseLsn(message.commitEndLsn) : commitLsn;
        // Sent again after a restart of the stream: already taken.
        if (commitLsn <= this.#lastTaken) return;
        this.#lastTaken = commitLsn;
        if (current.changes.length === 0) {
          if (this.#idle()) this.#dispatched = maxLsn(this.#dispatched, endLsn);
          return;
        }
        this.#queue.push({ ...current, commitLsn, endLsn });
        this.#maxQueued = Math.max(this.#maxQueued, this.#queue.length);
        if (this.#queue.length >= this.bound) this.#pause();
        void this.#dispatchQueued();
        return;
      }
      default:
        return;
    }
  }

  /** Stops reading the replication socket; what the last read holds is parsed into the stash. */
  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#pauses += 1;
    this.#connection()?.stream?.pause?.();
  }

  #resumeReading(): void {
    if (!this.#paused || this.#queue.length >= this.bound) return;
    this.#paused = false;
    while (this.#stash.length > 0 && !this.#paused) this.#onMessage(this.#stash.shift()!);
    if (!this.#paused) this.#connection()?.stream?.resume?.();
  }

  #connection(): Connection | undefined {
    return (this.#service as unknown as { _connection?: Connection } | undefined)?._connection;
  }

  async #dispatchQueued(): Promise<void> {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const transaction = this.#queue[0]!;
        try {
          await this.handlers.onTransaction(transaction);
        } catch (error) {
          // The feed handles each change's failure itself; this is a bug, said out loud.
          this.onError(error instanceof Error ? error : new Error(String(error)));
        }
        this.#queue.shift();
        this.#dispatched = maxLsn(this.#dispatched, transaction.endLsn);
        this.#scheduleAck();
        if (this.#queue.length <= this.bound / 2) this.#resumeReading();
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #scheduleAck(): void {
    if (this.#ackTimer) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#sendStatus();
    }, ACK_INTERVAL_MS);
    this.#ackTimer.unref();
  }

  /** One standby status update: written, flushed and applied up to what is dispatched. */
  #sendStatus(): void {
    const lsn = this.#dispatched;
    if (lsn === 0n || !this.#service) return;
    // acknowledge() reports lsn + 1; the position reported must be exactly what is dispatched,
    // or a transaction whose commit starts right there would be skipped after a restart.
    void this.#service.acknowledge(formatLsn(lsn - 1n)).catch(() => undefined);
    this.#confirmed = lsn;
  }

  /** Ends the stream and drops the slot this process made: no slot is left holding WAL. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#ackTimer);
    this.#sendStatus();
    await this.#service?.destroy().catch(() => undefined);
    // A slot that cannot be dropped now (the database is stopping too) is dropped by the next
    // start on this database, which finds it inactive under the same name.
    if (this.#ownsSlot) await this.#dropSlot().catch(() => undefined);
  }

  async #dropSlot(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(
            'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
            [this.slotName],
          );
          return;
        } catch (error) {
          // 55006: the walsender of the ended connection has not exited yet.
          if ((error as { code?: string }).code !== '55006' || attempt >= 100) throw error;
          await client.query('select pg_sleep(0.02)');
        }
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function maxLsn(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function toChange(
  relation: Relation,
  message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete,
): RowChange {
  const asText = (tuple: Record<string, unknown> | null | undefined): TupleValues | null => {
    if (!tuple) return null;
    const values: TupleValues = {};
    for (const [name, value] of Object.entries(tuple))
      values[name] = value === undefined ? undefined : value === null ? null : String(value);
    return values;
  };
  if (message.tag === 'insert') return { relation, kind: 'INSERT', new: asText(message.new), old: null };
  if (message.tag === 'update') {
    const newTuple = asText(message.new);
    let old = asText(message.old ?? message.key);
    // Unchanged key: pgoutput sends no old tuple, but Realtime still reports the identity columns.
    if (!old && newTuple) {
      old = {};
      for (const column of relation.columns) if (column.isKey) old[column.name] = newTuple[column.name];
    }
    return { relation, kind: 'UPDATE', new: newTuple, old };
  }
  return { relation, kind: 'DELETE', new: null, old: asText(message.old ?? message.key) };
}
