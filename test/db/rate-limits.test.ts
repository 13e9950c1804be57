/**
 * Rate limits, configured in public.rate_limits: messages, edits, reactions and typing. Over the
 * limit a call fails with PT429 (HTTP 429 through PostgREST) naming the limit, and writes nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { becomeActor, becomeOwner, failsWith, rolledBack, serviceRole, user } from './sql.js';

describe('rate limits', () => {
  const db = useCastDatabase();

  /** Everything an over-the-limit call could have written. */
  const footprint = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    const { rows } = await client.query(`
      select (select jsonb_agg(to_jsonb(m) order by m.id) from public.messages m) as messages,
             (select jsonb_agg(to_jsonb(r) order by r.message_id, r.user_id, r.emoji) from public.message_reactions r) as reactions,
             (select jsonb_agg(to_jsonb(c) order by c.user_id, c.action) from public.rate_limit_counters c) as counters,
             (select count(*) from realtime.messages) as broadcasts`);
    return rows[0];
  };

  /** A fresh message of the other member's, so edits and reactions have something to work on. */
  const newMessage = async (client: pg.ClientBase, sender: string) => {
    await becomeActor(client, user(sender));
    const { rows } = await client.query<{ id: string }>(
      `insert into public.messages (conversation_id, body) values ($1, 'Rate me') returning id`,
      [db.cast.conversation],
    );
    return rows[0]!.id;
  };

  it('are configured in one place: message 30, edit 30, reaction 60, typing 40 a minute', async () => {
    const { rows } = await db.pool.query('select action, max_per_minute from public.rate_limits order by action');
    assert.deepEqual(rows, [
      { action: 'edit', max_per_minute: 30 },
      { action: 'message', max_per_minute: 30 },
      { action: 'reaction', max_per_minute: 60 },
      { action: 'typing', max_per_minute: 40 },
    ]);
  });

  const actions: {
    action: string;
    limit: number;
    message: string;
    /** Prepares the transaction and returns one more action as [sql, params]; call it repeatedly. */
    setup: (client: pg.ClientBase) => Promise<(i: number) => [string, unknown[]]>;
  }[] = [
    {
      action: 'edit',
      limit: 30,
      message: 'Rate limit exceeded: at most 30 edits a minute',
      setup: async (client) => {
        const id = await newMessage(client, db.cast.otherMember);
        return (i) => [`update public.messages set body = $2 where id = $1`, [id, `Edit number ${i}`]];
      },
    },
    {
      action: 'reaction',
      limit: 60,
      message: 'Rate limit exceeded: at most 60 reactions a minute',
      setup: async (client) => {
        const id = await newMessage(client, db.cast.otherMember);
        return (i) => [`insert into public.message_reactions (message_id, emoji) values ($1, $2)`, [id, `e${i}`]];
      },
    },
    {
      action: 'typing',
      limit: 40,
      message: 'Rate limit exceeded: at most 40 typing updates a minute',
      setup: async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        return (i) => [
          `select public.send_typing(conversation_id => $1, is_typing => $2)`,
          [db.cast.conversation, i % 2 === 1],
        ];
      },
    },
    {
      action: 'message',
      limit: 30,
      message: 'Rate limit exceeded: at most 30 messages a minute',
      setup: async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        return (i) => [
          `insert into public.messages (conversation_id, body) values ($1, $2)`,
          [db.cast.conversation, `No. ${i}`],
        ];
      },
    },
  ];

  for (const { action, limit, message, setup } of actions) {
    describe(`${action}s`, () => {
      it(`${limit} a minute pass; one more → PT429 "${message}", nothing written`, async () => {
        await rolledBack(db.pool, async (client) => {
          const next = await setup(client);
          await becomeActor(client, user(db.cast.otherMember));
          for (let i = 1; i <= limit; i++) {
            const [sql, params] = next(i);
            await client.query(sql, params);
          }
          const before = await footprint(client);
          await becomeActor(client, user(db.cast.otherMember));
          const [sql, params] = next(limit + 1);
          const error = await failsWith(client, sql, params);
          assert.equal(error.code, 'PT429');
          assert.equal(error.message, message);
          assert.deepEqual(await footprint(client), before, 'nothing written');

          // Another user is not affected.
          await becomeActor(client, user(db.cast.member));
          if (action === 'typing') {
            await client.query(sql, params);
          } else {
            const own = await newMessage(client, db.cast.member);
            if (action === 'edit') await client.query(`update public.messages set body = 'Mine' where id = $1`, [own]);
            if (action === 'reaction')
              await client.query(`insert into public.message_reactions (message_id, emoji) values ($1, '🔥')`, [own]);
          }
        });
      });

      it('follows a change of public.rate_limits', async () => {
        await rolledBack(db.pool, async (client) => {
          await client.query(`update public.rate_limits set max_per_minute = 3 where action = $1`, [action]);
          const next = await setup(client);
          await becomeActor(client, user(db.cast.otherMember));
          for (let i = 1; i <= 3; i++) {
            const [sql, params] = next(i);
            await client.query(sql, params);
          }
          const [sql, params] = next(4);
          const error = await failsWith(client, sql, params);
          assert.equal(error.code, 'PT429');
          assert.match(error.message, /^Rate limit exceeded: at most 3 /);
        });
      });
    });
  }

  it('message_rate_limit() reads the table', async () => {
    await rolledBack(db.pool, async (client) => {
      assert.equal((await client.query('select public.message_rate_limit() as n')).rows[0].n, 30);
      await client.query(`update public.rate_limits set max_per_minute = 7 where action = 'message'`);
      assert.equal((await client.query('select public.message_rate_limit() as n')).rows[0].n, 7);
    });
  });

  it('removing a reaction and adding it again counts every add', async () => {
    await rolledBack(db.pool, async (client) => {
      await client.query(`update public.rate_limits set max_per_minute = 2 where action = 'reaction'`);
      const id = await newMessage(client, db.cast.otherMember);
      const add = `insert into public.message_reactions (message_id, emoji) values ($1, '🔥')`;
      const remove = `delete from public.message_reactions where message_id = $1 and user_id = auth.uid() and emoji = '🔥'`;
      await client.query(add, [id]);
      await client.query(remove, [id]);
      await client.query(add, [id]);
      await client.query(remove, [id]);
      assert.equal((await failsWith(client, add, [id])).code, 'PT429');
    });
  });

  it('a soft delete is not an edit', async () => {
    await rolledBack(db.pool, async (client) => {
      await client.query(`update public.rate_limits set max_per_minute = 1 where action = 'edit'`);
      const first = await newMessage(client, db.cast.otherMember);
      const second = await newMessage(client, db.cast.otherMember);
      await client.query(`update public.messages set body = 'Edited once' where id = $1`, [first]);
      await client.query(`update public.messages set deleted_at = now() where id = $1`, [first]);
      await client.query(`update public.messages set deleted_at = now() where id = $1`, [second]);
      const error = await failsWith(client, `update public.messages set body = 'Edited twice' where id = $1`, [
        await newMessage(client, db.cast.otherMember),
      ]);
      assert.equal(error.code, 'PT429');
    });
  });

  it("last minute's actions still count, weighted by how much of that minute is within 60 s", async () => {
    await rolledBack(db.pool, async (client) => {
      // 40 edits in the previous minute: whatever the second now is, most of them still count.
      await client.query(
        `insert into public.rate_limit_counters (user_id, action, window_start, hits)
         values ($1, 'edit', date_trunc('minute', now()) - interval '1 minute', 40)`,
        [db.cast.otherMember],
      );
      const { rows } = await client.query<{ allowed: number }>(
        `select floor(30 - 40 * (1 - extract(epoch from now() - date_trunc('minute', now())) / 60))::int as allowed`,
      );
      const allowed = Math.max(0, rows[0]!.allowed);
      const id = await newMessage(client, db.cast.otherMember);
      for (let i = 1; i <= allowed; i++) {
        await client.query(`update public.messages set body = $2 where id = $1`, [id, `Edit ${i}`]);
      }
      const error = await failsWith(client, `update public.messages set body = 'One more' where id = $1`, [id]);
      assert.equal(error.code, 'PT429');
      // Two minutes ago is forgotten.
      await becomeOwner(client);
      await client.query(
        `update public.rate_limit_counters set window_start = date_trunc('minute', now()) - interval '2 minutes',
                hits = 500, previous_hits = 500 where user_id = $1 and action = 'edit'`,
        [db.cast.otherMember],
      );
      await becomeActor(client, user(db.cast.otherMember));
      await client.query(`update public.messages set body = 'Fresh start' where id = $1`, [id]);
    });
  });

  it('service_role (a host app backend) is not limited', async () => {
    await rolledBack(db.pool, async (client) => {
      await client.query(`update public.rate_limits set max_per_minute = 1 where action in ('edit', 'reaction')`);
      const id = await newMessage(client, db.cast.otherMember);
      await becomeActor(client, serviceRole);
      for (const body of ['One', 'Two', 'Three']) {
        await client.query(`update public.messages set body = $2 where id = $1`, [id, body]);
      }
      for (const emoji of ['🎉', '🔥', '👀']) {
        await client.query(`insert into public.message_reactions (message_id, user_id, emoji) values ($1, $2, $3)`, [
          id,
          db.cast.member,
          emoji,
        ]);
      }
    });
  });

  it('the limiter and the tables are not an API', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      for (const sql of [
        `select public.consume_rate_limit('edit')`,
        `select * from public.rate_limits`,
        `update public.rate_limits set max_per_minute = 100000 where action = 'message'`,
        `delete from public.rate_limit_counters where user_id = auth.uid()`,
      ]) {
        assert.equal((await failsWith(client, sql)).code, '42501', sql);
      }
    });
  });

  it('an unknown action is refused, not unlimited', async () => {
    await rolledBack(db.pool, async (client) => {
      await client.query(`delete from public.rate_limits where action = 'reaction'`);
      const id = await newMessage(client, db.cast.otherMember);
      const error = await failsWith(
        client,
        `insert into public.message_reactions (message_id, emoji) values ($1, '🔥')`,
        [id],
      );
      assert.equal(error.code, '22023');
      assert.equal(error.message, 'No rate limit configured for reaction');
    });
  });

  it('a retried message id is still a no-op, not a hit', async () => {
    await rolledBack(db.pool, async (client) => {
      await client.query(`update public.rate_limits set max_per_minute = 1 where action = 'message'`);
      await becomeActor(client, user(db.cast.otherMember));
      const id = randomUUID();
      const send = `insert into public.messages (id, conversation_id, body) values ($1, $2, 'once') on conflict (id) do nothing`;
      await client.query(send, [id, db.cast.conversation]);
      await client.query(send, [id, db.cast.conversation]);
    });
  });
});
