/**
 * public.send_typing: the only way a typing event reaches conversation:<id>:typing. It names the
 * caller (auth.uid()) and their profile name, whatever a client would like to claim; members
 * only; nothing stored but the Broadcast-from-Database row.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createCast, type Cast } from './fixture.js';
import {
  anon,
  becomeActor,
  becomeOwner,
  broadcasts,
  failsWith,
  openPool,
  rolledBack,
  user,
  type Actor,
} from './sql.js';

describe('send_typing', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let cast: Cast;

  before(async () => {
    database = await createTestDatabase();
    pool = openPool(database.url);
    cast = await createCast(pool);
  });

  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  const typingTopic = () => `conversation:${cast.conversation}:typing`;

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
      const sender = who === 'the member' ? cast.member : cast.otherMember;
      await rolledBack(pool, async (client) => {
        const name = (await client.query('select display_name from public.profiles where id = $1', [sender])).rows[0]
          .display_name as string;
        const before = await footprint(client);
        await becomeActor(client, user(sender));
        await client.query('select public.send_typing(conversation_id => $1, is_typing => $2)', [
          cast.conversation,
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
          conversation_id: cast.conversation,
          user_id: sender,
          display_name: name,
          is_typing: isTyping,
        });
        assert.equal(Number(after.broadcasts), Number(before.broadcasts) + 1, 'one broadcast row');
        assert.equal(after.public_writes, before.public_writes, 'nothing stored in public tables besides the counter');
      });
    });
  }

  it('is_typing defaults to true', async () => {
    await rolledBack(pool, async (client) => {
      await becomeActor(client, user(cast.member));
      await client.query('select public.send_typing(conversation_id => $1)', [cast.conversation]);
      await becomeOwner(client);
      assert.equal((await broadcasts(client, typingTopic(), 'typing'))[0]!.payload['is_typing'], true);
    });
  });

  it('the name follows the profile, and a client cannot pass a name or user id of its choosing', async () => {
    await rolledBack(pool, async (client) => {
      await becomeActor(client, user(cast.member));
      await client.query(`update public.profiles set display_name = 'Maria S.' where id = auth.uid()`);
      for (const forged of [
        `select public.send_typing(conversation_id => $1, display_name => 'Carlos Reyes')`,
        `select public.send_typing(conversation_id => $1, user_id => '${cast.otherMember}')`,
        `select public.send_typing($1, true, 'Carlos Reyes')`,
      ]) {
        assert.equal((await failsWith(client, forged, [cast.conversation])).code, '42883', forged);
      }
      await client.query('select public.send_typing(conversation_id => $1)', [cast.conversation]);
      await becomeOwner(client);
      const rows = await broadcasts(client, typingTopic(), 'typing');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.payload['display_name'], 'Maria S.');
      assert.equal(rows[0]!.payload['user_id'], cast.member);
    });
  });

  const refusals: [string, Actor | (() => Actor), () => string, string, RegExp][] = [
    ['an outsider', () => user(cast.outsider), () => cast.conversation, '42501', /^Not a member of this conversation$/],
    [
      'a member, for a conversation that does not exist',
      () => user(cast.member),
      () => randomUUID(),
      '42501',
      /^Not a member of this conversation$/,
    ],
    ['anon', anon, () => cast.conversation, '42501', /^permission denied for function send_typing$/],
  ];
  for (const [who, actor, conversation, code, message] of refusals) {
    it(`${who} → ${code}, nothing broadcast`, async () => {
      await rolledBack(pool, async (client) => {
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
    await rolledBack(pool, async (client) => {
      await becomeActor(client, user(cast.otherMember));
      await client.query(
        'delete from public.conversation_members where conversation_id = $1 and user_id = auth.uid()',
        [cast.conversation],
      );
      const error = await failsWith(client, 'select public.send_typing(conversation_id => $1)', [cast.conversation]);
      assert.equal(error.code, '42501');
    });
  });

  it('is_typing null → 22023', async () => {
    await rolledBack(pool, async (client) => {
      await becomeActor(client, user(cast.member));
      const error = await failsWith(client, 'select public.send_typing(conversation_id => $1, is_typing => null)', [
        cast.conversation,
      ]);
      assert.equal(error.code, '22023');
    });
  });
});
