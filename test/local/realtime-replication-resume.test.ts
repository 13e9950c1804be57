/**
 * Nothing acknowledged is lost when the replication stream restarts. A plain supabase-js listener
 * on `conversation:<id>` (Broadcast from Database) while broadcasts are committed:
 * - the walsender is terminated (twice) in the middle: every committed message arrives exactly
 *   once, in commit order, and no gap is announced (the persistent slot resumes where dispatch
 *   stopped);
 * - the slot itself is lost while the stream is down: the channel gets the `system` error
 *   (extension `replication`) and a `phx_error`, realtime-js rejoins by itself, and later messages
 *   arrive.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RealtimeChannel } from '@supabase/supabase-js';
import pg from 'pg';
import { GAP_MESSAGE, slotNameFor } from '../../supabase/local/realtime/replication.js';
import {
  setOpenToContact,
  signUpOnRealtime,
  startDirect,
  startTestStack,
  type TestStack,
  type TestUser,
} from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('replication stream restarts', () => {
  let stack: TestStack;
  let admin: pg.Client;
  let maria: TestUser;
  let carlos: TestUser;
  let conversationId: string;
  let channel: RealtimeChannel;
  let slot: string;
  const received: string[] = [];
  const systems: Record<string, unknown>[] = [];
  let joins = 0;
  const listeners = new Set<() => void>();
  const heard = () => listeners.forEach((listener) => listener());

  function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return waitFor<void>(
      (resolve) => {
        const listener = () => {
          if (!check()) return;
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
        listener();
      },
      what,
      timeoutMs,
    );
  }

  before(async () => {
    stack = await startTestStack();
    slot = slotNameFor(stack.databaseUrl);
    admin = new pg.Client({ connectionString: stack.databaseUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    [maria, carlos] = await signUpOnRealtime(stack, 'Maria', 'Carlos');
    await setOpenToContact(carlos);
    conversationId = await startDirect(maria, carlos);
    channel = carlos.client
      .channel(`conversation:${conversationId}`, { config: { private: true } })
      .on('broadcast', { event: 'message' }, (message) => {
        received.push((message['payload'] as { record: { id: string } }).record.id);
        heard();
      })
      .on('system', {}, (payload: Record<string, unknown>) => {
        systems.push(payload);
        heard();
      });
    channel.subscribe((status) => {
      if (status === 'SUBSCRIBED') joins += 1;
      heard();
    });
    await until(() => joins === 1, 'the channel to join');
  });

  after(async () => {
    await admin?.end();
    await stack?.stop();
  });

  /**
   * Commits one Broadcast from Database on the conversation's topic (realtime.send, as the
   * migrations' triggers do), shaped like a message change; returns its id. Straight from the
   * database, so the messages table's per-user rate limit does not apply.
   */
  async function send(_user: TestUser, conversation: string, body: string): Promise<string> {
    const id = randomUUID();
    await admin.query(
      `select realtime.send(jsonb_build_object('record', jsonb_build_object('id', $1::text, 'body', $2::text)), 'message', $3, true)`,
      [id, body, `conversation:${conversation}`],
    );
    return id;
  }

  async function terminateWalsender(): Promise<number | undefined> {
    const { rows } = await admin.query<{ pid: number }>(
      `select active_pid as pid, pg_terminate_backend(active_pid) from pg_replication_slots
        where slot_name = $1 and active_pid is not null`,
      [slot],
    );
    return rows[0]?.pid;
  }

  /** Waits for the stream to be up again (a walsender on the slot), then terminates it. */
  async function terminateActiveWalsender(): Promise<number> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const pid = await terminateWalsender();
      if (pid !== undefined) return pid;
      await admin.query('select pg_sleep(0.05)');
    }
    throw new Error('timed out waiting for a walsender');
  }

  it('delivers every message committed around walsender terminations exactly once, in order', async () => {
    const committed: string[] = [];
    const terminated: number[] = [];
    for (let index = 0; index < 40; index++) {
      // Committed while the stream is down and restarting: read from the slot when it resumes.
      if (index === 10 || index === 25) terminated.push(await terminateActiveWalsender());
      committed.push(await send(maria, conversationId, `message ${index}`));
    }
    assert.equal(new Set(terminated).size, 2, 'two walsenders were terminated');
    // Anything sent twice would arrive before a last message committed after all the others.
    const last = await send(maria, conversationId, 'last');
    await until(() => received.includes(last), 'the last message');
    assert.deepEqual(received.slice(0, -1), committed);
    assert.equal(received.at(-1), last);
    assert.deepEqual(
      systems.filter((payload) => payload['extension'] === 'replication'),
      [],
    );
    assert.equal(joins, 1);
  });

  it('announces a lost slot to the channel, which rejoins and receives later messages', async () => {
    const before = received.length;
    // The slot is dropped while no walsender holds it (the stream restarts after a pause).
    for (let attempt = 0; ; attempt++) {
      await terminateWalsender();
      try {
        await admin.query('select pg_drop_replication_slot($1)', [slot]);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt > 200) throw error;
      }
    }
    await until(() => systems.some((payload) => payload['extension'] === 'replication'), 'the gap announcement');
    assert.deepEqual(
      systems.find((payload) => payload['extension'] === 'replication'),
      { status: 'error', extension: 'replication', message: GAP_MESSAGE, channel: `conversation:${conversationId}` },
    );
    await until(() => joins === 2, 'realtime-js to rejoin after phx_error');
    const after = await send(maria, conversationId, 'after the gap');
    await until(() => received.includes(after), 'the message after the gap');
    assert.equal(received.slice(before).filter((id) => id === after).length, 1);
  });
});
