/**
 * The one change stream behind Postgres Changes and Broadcast from Database, as real Realtime
 * reads it: a logical replication slot with pgoutput over publications `supabase_realtime` and
 * `supabase_realtime_messages_publication`. The slot is TEMPORARY, created on the replication
 * connection itself, so PostgreSQL drops it when we disconnect or crash and no stack leaks one.
 * Transactions are handed over whole, in commit order, with their commit time.
 */
import { randomBytes } from 'node:crypto';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type pg from 'pg';
import type { Commit, Relation, RowChange, TupleValues } from './postgres-changes.js';

export const PUBLICATIONS = ['supabase_realtime', 'supabase_realtime_messages_publication'];

export interface Transaction extends Commit {
  changes: RowChange[];
}

const keepText = (raw: unknown) => raw;

/** pgoutput with values left as PostgreSQL text (PostgreSQL does the JSON typing later) and a temporary slot. */
class TextPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): Pgoutput.Message {
    const message = super.parse(buffer);
    if (message.tag === 'relation') for (const column of message.columns) column.parser = keepText;
    return message;
  }

  override async start(client: pg.Client, slotName: string, lastLsn: string): Promise<unknown> {
    await client.query(`CREATE_REPLICATION_SLOT ${slotName} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
    return super.start(client, slotName, lastLsn);
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

export interface ReplicationHandlers {
  onTransaction(transaction: Transaction): void;
  onRelation(relation: Relation): void;
}

// Pause before starting a lost stream again, so a database that is down is not hammered.
const RESTART_DELAY_MS = 1000;

export class ReplicationStream {
  readonly slotName = `pasabay_realtime_${process.pid}_${randomBytes(6).toString('hex')}`;
  #service: LogicalReplicationService | undefined;
  #current: Transaction | undefined;
  #relations = new Map<number, Relation>();
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly databaseUrl: string,
    readonly handlers: ReplicationHandlers,
    readonly onError: (error: Error) => void,
  ) {}

  /**
   * Resolves once the slot exists and streaming has begun: changes committed after this are seen.
   * Rejects if the stream cannot start (its connection is closed then).
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const service = new LogicalReplicationService(
        { connectionString: this.databaseUrl },
        { acknowledge: { auto: true, timeoutSeconds: 10 } },
      );
      this.#service = service;
      let started = false;
      service.on('start', () => {
        started = true;
        resolve();
      });
      service.on('data', (_lsn: string, message: Pgoutput.Message) => {
        if (service === this.#service) this.#onMessage(message);
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
        .subscribe(new TextPgoutputPlugin({ protoVersion: 1, publicationNames: PUBLICATIONS }), this.slotName)
        .then(() => ended(new Error('the replication stream ended')), ended);
    });
  }

  /**
   * The stream stopped while we still wanted it (walsender terminated, database restarted…): a
   * new stream starts on a new temporary slot. Changes committed in between are not seen, as
   * with Supabase Realtime, whose slot is temporary too.
   */
  #onLost(service: LogicalReplicationService, error: Error): void {
    if (this.#closed || service !== this.#service) return;
    this.onError(error);
    this.#current = undefined;
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

  #onMessage(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'begin':
        this.#current = { xid: message.xid, committedAt: message.commitTime as bigint, changes: [] };
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
        const transaction = this.#current;
        this.#current = undefined;
        if (transaction && transaction.changes.length > 0) this.handlers.onTransaction(transaction);
        return;
      }
      default:
        return;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    // Ending the replication connection drops the temporary slot.
    await this.#service?.destroy().catch(() => undefined);
  }
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
