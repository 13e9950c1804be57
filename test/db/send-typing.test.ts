/**
 * public.send_typing: the only way a typing event reaches conversation:<id>:typing. It names the
 * caller (auth.uid()) and their profile name, whatever a client would like to claim; members
 * only; nothing stored but the Broadcast-from-Database row.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import {
  anon,
  becomeActor,
  becomeOwner,
  broadcasts,
  createAuthUser,
  failsWith,
  rolledBack,
  user,
  type Actor,
} from './sql.js';

describe('send_typing', () => {
  const db = useCastDatabase();

  const typingTopic = () => `conversation:${db.cast.conversation}:typing`;

  /** Row counts of every public table and of realtime.messages. */
  const footprint = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    const { rows } = await client.query(`
      select (select count(*) from realtime.messages) as broadcasts,
             (select sum(n_tup_ins + n_tup_upd + n_tup_del) from pg_stat_xact_user_tables where schemaname = 'public' and relname <> 'rate_limit_counters') as public_writes`);
    return rows[0];
  };

  for (const [who, isTyping] of [
    ['the member', true],
    ['the other member', false],
  ] as const) {
    it(`${who} broadcasts event "typing" on conversation:<id>:typing with their own id and profile name (is_typing ${isTyping})`, async () => {
      const sender = who === 'the member' ? db.cast.member : db.cast.otherMember;
      await rolledBack(db.pool, async (client) => {
        const name = (await client.query('select display_name from public.profiles where id = $1', [sender])).rows[0]
          .display_name as string;
        const before = await footprint(client);
        await becomeActor(client, user(sender));
        await client.query('select public.send_typing(conversation_id => $1, is_typing => $2)', [
          db.cast.conversation,
          isTyping,
        ]);
        const after = await footprint(client);
        const rows = await broadcasts(client, typingTopic(), 'typing');
        assert.equal(rows.length, 1);
        const [row] = rows;
        assert.equal(row!.private, true);
        assert.equal(row!.extension, 'broadcast');
        assert.deepEqual(row!.payload, {
          id: row!.id,
          conversation_id: db.cast.conversation,
          user_id: sender,
          display_name: name,
          is_typing: isTyping,
        });
        const other = sender === db.cast.member ? db.cast.otherMember : db.cast.member;
        const notices = await broadcasts(client, `user:${other}`, 'typing');
        assert.equal(notices.length, 1, 'the other member of a small conversation hears it on user:<id>');
        assert.deepEqual(notices[0]!.payload, { ...row!.payload, id: notices[0]!.id });
        assert.deepEqual(await broadcasts(client, `user:${sender}`, 'typing'), [], 'not the sender');
        assert.equal(Number(after.broadcasts), Number(before.broadcasts) + 2, 'the topic and the other member');
        assert.equal(after.public_writes, before.public_writes, 'nothing stored in public tables besides the counter');
      });
    });
  }

  it('is_typing defaults to true', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      await client.query('select public.send_typing(conversation_id => $1)', [db.cast.conversation]);
      await becomeOwner(client);
      assert.equal((await broadcasts(client, typingTopic(), 'typing'))[0]!.payload['is_typing'], true);
    });
  });

  it('the name follows the profile, and a client cannot pass a name or user id of its choosing', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      await client.query(`update public.profiles set display_name = 'Maria S.' where id = auth.uid()`);
      for (const forged of [
        `select public.send_typing(conversation_id => $1, display_name => 'Carlos Reyes')`,
        `select public.send_typing(conversation_id => $1, user_id => '${db.cast.otherMember}')`,
        `select public.send_typing($1, true, 'Carlos Reyes')`,
      ]) {
        assert.equal((await failsWith(client, forged, [db.cast.conversation])).code, '42883', forged);
      }
      await client.query('select public.send_typing(conversation_id => $1)', [db.cast.conversation]);
      await becomeOwner(client);
      const rows = await broadcasts(client, typingTopic(), 'typing');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.payload['display_name'], 'Maria S.');
      assert.equal(rows[0]!.payload['user_id'], db.cast.member);
    });
  });

  const refusals: [string, Actor | (() => Actor), () => string, string, RegExp][] = [
    [
      'an outsider',
      () => user(db.cast.outsider),
      () => db.cast.conversation,
      '42501',
      /^Not a member of this conversation$/,
    ],
    [
      'a member, for a conversation that does not exist',
      () => user(db.cast.member),
      () => randomUUID(),
      '42501',
      /^Not a member of this conversation$/,
    ],
    ['anon', anon, () => db.cast.conversation, '42501', /^permission denied for function send_typing$/],
  ];
  for (const [who, actor, conversation, code, message] of refusals) {
    it(`${who} → ${code}, nothing broadcast`, async () => {
      await rolledBack(db.pool, async (client) => {
        const before = await footprint(client);
        await becomeActor(client, typeof actor === 'function' ? actor() : actor);
        const error = await failsWith(client, 'select public.send_typing(conversation_id => $1)', [conversation()]);
        assert.equal(error.code, code);
        assert.match(error.message, message);
        assert.deepEqual(await footprint(client), before);
      });
    });
  }

  it('a member who left can no longer send', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.otherMember));
      await client.query(
        'delete from public.conversation_members where conversation_id = $1 and user_id = auth.uid()',
        [db.cast.conversation],
      );
      const error = await failsWith(client, 'select public.send_typing(conversation_id => $1)', [db.cast.conversation]);
      assert.equal(error.code, '42501');
    });
  });

  it('is_typing null → 22023', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      const error = await failsWith(client, 'select public.send_typing(conversation_id => $1, is_typing => null)', [
        db.cast.conversation,
      ]);
      assert.equal(error.code, '22023');
    });
  });

  describe("fan-out to members' user:<id> topics (for the conversation list), bounded", () => {
    /** A group of `size` members (the cast's member first), created as the owner inside the transaction. */
    const groupOf = async (client: pg.ClientBase, others: string[]): Promise<string> => {
      await becomeOwner(client);
      const { rows } = await client.query<{ id: string }>(
        `insert into public.conversations (kind, title, created_by) values ('group', 'Fan-out', $1) returning id`,
        [db.cast.member],
      );
      const id = rows[0]!.id;
      await client.query(
        `insert into public.conversation_members (conversation_id, user_id) select $1, unnest($2::uuid[])`,
        [id, [db.cast.member, ...others]],
      );
      return id;
    };
    let extra: string[] = [];
    const extras = async (count: number) => {
      while (extra.length < count) extra = [...extra, await createAuthUser(db.pool)];
      return extra.slice(0, count);
    };

    it('3 members: one typing notice on user:<id> per other member, none for the sender', async () => {
      const others = [db.cast.otherMember, ...(await extras(1))];
      await rolledBack(db.pool, async (client) => {
        const conversation = await groupOf(client, others);
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.send_typing(conversation_id => $1)', [conversation]);
        await becomeOwner(client);
        for (const other of others) {
          const rows = await broadcasts(client, `user:${other}`, 'typing');
          assert.equal(rows.length, 1, other);
          assert.equal(rows[0]!.private, true);
          assert.equal(rows[0]!.payload['conversation_id'], conversation);
          assert.equal(rows[0]!.payload['user_id'], db.cast.member);
          assert.equal(rows[0]!.payload['is_typing'], true);
        }
        assert.deepEqual(await broadcasts(client, `user:${db.cast.member}`, 'typing'), []);
        assert.deepEqual(await broadcasts(client, `user:${db.cast.outsider}`, 'typing'), []);
        assert.equal((await broadcasts(client, `conversation:${conversation}:typing`, 'typing')).length, 1);
      });
    });

    it('5 members (the bound) still fan out; 6 members: no user notices at all, the typing topic only', async () => {
      const four = [db.cast.otherMember, ...(await extras(3))];
      const five = [...four, ...(await extras(4)).slice(3)];
      await rolledBack(db.pool, async (client) => {
        const conversation = await groupOf(client, four);
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.send_typing(conversation_id => $1)', [conversation]);
        await becomeOwner(client);
        const { rows } = await client.query(
          `select count(*)::int as n from realtime.messages where event = 'typing' and topic like 'user:%'`,
        );
        assert.equal(rows[0].n, 4);
      });
      await rolledBack(db.pool, async (client) => {
        const conversation = await groupOf(client, five);
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.send_typing(conversation_id => $1)', [conversation]);
        await becomeOwner(client);
        const { rows } = await client.query(
          `select count(*)::int as n from realtime.messages where event = 'typing' and topic like 'user:%'`,
        );
        assert.equal(rows[0].n, 0, 'no user:<id> typing notice in a 6-member conversation');
        assert.equal((await broadcasts(client, `conversation:${conversation}:typing`, 'typing')).length, 1);
      });
    });
  });
});
