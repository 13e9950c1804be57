/**
 * A soft-deleted message keeps no reactions (migration 20250604080000): the delete removes them,
 * each removal broadcast, and a reaction racing the delete either is removed with it or refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { becomeActor, becomeOwner, broadcasts, commitAsActor, failsWith, rolledBack, user } from './sql.js';

describe('reactions of a deleted message', () => {
  const db = useCastDatabase();

  /** A committed message by the member with one reaction from each member. */
  const reactedMessage = async (): Promise<string> => {
    const id = await commitAsActor(db.pool, user(db.cast.member), async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `insert into public.messages (conversation_id, body) values ($1, 'Delete me later') returning id`,
        [db.cast.conversation],
      );
      await client.query(`insert into public.message_reactions (message_id, emoji) values ($1, '👍')`, [rows[0]!.id]);
      return rows[0]!.id;
    });
    await commitAsActor(db.pool, user(db.cast.otherMember), (client) =>
      client.query(`insert into public.message_reactions (message_id, emoji) values ($1, '❤️')`, [id]),
    );
    return id;
  };

  const reactionCount = async (client: pg.ClientBase, messageId: string) =>
    Number(
      (
        await client.query<{ n: string }>('select count(*) as n from public.message_reactions where message_id = $1', [
          messageId,
        ])
      ).rows[0]!.n,
    );

  it('are removed by the sender soft delete, also other members’, each removal broadcast', async () => {
    const id = await reactedMessage();
    await rolledBack(db.pool, async (client) => {
      assert.equal(await reactionCount(client, id), 2);
      await becomeActor(client, user(db.cast.member));
      await client.query('update public.messages set deleted_at = now() where id = $1', [id]);
      await becomeOwner(client);
      assert.equal(await reactionCount(client, id), 0);
      const removed = (await broadcasts(client, `conversation:${db.cast.conversation}`, 'reaction')).filter(
        (row) => row.payload.operation === 'DELETE' && row.payload.old_record?.['message_id'] === id,
      );
      assert.deepEqual(removed.map((row) => row.payload.old_record?.['emoji']).sort(), ['❤️', '👍'].sort());
    });
  });

  it('leaves the reactions of an edited message alone', async () => {
    const id = await reactedMessage();
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      await client.query(`update public.messages set body = 'Edited, not deleted' where id = $1`, [id]);
      await becomeOwner(client);
      assert.equal(await reactionCount(client, id), 2);
    });
  });

  it('refuses a new reaction to a deleted message with a clear error', async () => {
    const id = await reactedMessage();
    await commitAsActor(db.pool, user(db.cast.member), (client) =>
      client.query('update public.messages set deleted_at = now() where id = $1', [id]),
    );
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.otherMember));
      const error = await failsWith(
        client,
        `insert into public.message_reactions (message_id, emoji) values ($1, '😂')`,
        [id],
      );
      assert.equal(error.code, '42501');
      assert.match(error.message, /deleted message/);
    });
  });

  /**
   * Two sessions: `first` runs its statement and keeps its transaction open; `second` starts its
   * own, which must wait for the first's lock; then the first commits. Returns the second's SQLSTATE.
   */
  const race = async (
    first: { actor: string; sql: string },
    second: { actor: string; sql: string },
    id: string,
  ): Promise<string | undefined> => {
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      const pid = (await b.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await a.query('begin');
      await becomeActor(a, user(first.actor));
      await a.query(first.sql, [id]);
      await b.query('begin');
      await becomeActor(b, user(second.actor));
      let settled = false;
      const outcome = b
        .query(second.sql, [id])
        .then(
          () => undefined,
          (error: { code?: string }) => error.code ?? 'no sqlstate',
        )
        .finally(() => (settled = true));
      // The two must really overlap: the second session blocks on the first's lock (it would
      // run straight through without the migration's share lock).
      let blocked = false;
      while (!settled && !blocked) {
        const { rows } = await db.pool.query<{ waiting: boolean }>(
          `select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = $1`,
          [pid],
        );
        blocked = rows[0]?.waiting === true;
        if (!blocked) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(blocked, 'the second statement did not wait for the first transaction');
      await a.query('commit');
      const code = await outcome;
      await b.query(code ? 'rollback' : 'commit');
      return code;
    } finally {
      a.release();
      b.release();
    }
  };

  const react = `insert into public.message_reactions (message_id, emoji) values ($1, '🙏')`;
  const softDelete = 'update public.messages set deleted_at = now() where id = $1';

  it('removes a reaction that committed while the delete waited for it', async () => {
    const id = await reactedMessage();
    const code = await race({ actor: db.cast.otherMember, sql: react }, { actor: db.cast.member, sql: softDelete }, id);
    assert.equal(code, undefined);
    const client = await db.pool.connect();
    try {
      assert.equal(await reactionCount(client, id), 0);
    } finally {
      client.release();
    }
  });

  it('refuses a reaction that waited for a delete that then committed', async () => {
    const id = await reactedMessage();
    const code = await race({ actor: db.cast.member, sql: softDelete }, { actor: db.cast.otherMember, sql: react }, id);
    assert.equal(code, '42501');
    const client = await db.pool.connect();
    try {
      assert.equal(await reactionCount(client, id), 0);
    } finally {
      client.release();
    }
  });
});
