/**
 * A logical replication stream can hand us a transaction before other sessions can see it:
 * PostgreSQL writes and flushes the commit record (which wakes the walsender) and only then takes
 * the transaction out of the shared list of running transactions. Under CPU load, or while the
 * committer waits for a synchronous standby, a per-subscriber RLS check (`select exists(…)`) run
 * in that gap gets a snapshot that still counts the transaction as running, does not see its
 * rows, and the change is wrongly withheld from a subscriber entitled to it.
 * `awaitCommitVisible` waits, in one statement on the server, until a new snapshot counts the
 * transaction as finished; every snapshot taken afterwards sees its rows.
 */
import type pg from 'pg';

/** Marks the waiting statement in `pg_stat_activity.query`. */
export const COMMIT_VISIBILITY_TAG = 'pasabay realtime: awaiting commit visibility';

/**
 * Upper bound of one wait. Only a commit held back by a synchronous standby that does not answer
 * stays invisible this long; Realtime then checks the row as the database shows it, rather than
 * holding back every later change behind that one transaction.
 */
const MAX_WAIT_SECONDS = 10;

/** `xid`: the 32-bit transaction id of pgoutput's Begin message. */
export async function awaitCommitVisible(pool: pg.Pool, xid: number): Promise<void> {
  if (!Number.isInteger(xid) || xid < 0 || xid > 0xffff_ffff) throw new RangeError(`not a transaction id: ${xid}`);
  // A DO block takes no parameters: the id is inlined, checked above to be a 32-bit integer.
  // pgoutput gives the id without its epoch; it is widened to the xid8 nearest the snapshot's
  // xmax (the transaction is recent). A running transaction may be at or past xmax, so the test
  // is pg_visible_in_snapshot, not a look-up in the snapshot's list of running ids. Each
  // evaluation of the loop condition takes a new snapshot (READ COMMITTED, volatile block).
  await pool.query(`/* ${COMMIT_VISIBILITY_TAG} */
    do $$
    declare
      deadline constant timestamptz := clock_timestamp() + interval '${MAX_WAIT_SECONDS} seconds';
      xmax constant bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
      distance constant bigint := ((xmax - ${xid} + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648;
      transaction_id constant xid8 := (xmax - distance)::text::xid8;
    begin
      while clock_timestamp() < deadline and not pg_visible_in_snapshot(transaction_id, pg_current_snapshot()) loop
        perform pg_sleep(0.001);
      end loop;
    end
    $$`);
}
