/**
 * messages.mentions: only current members, duplicates removed, each shown as @name in the body,
 * set at send and dropped by an edit that removes the @name; one `mention` notice per mentioned person on user:<id>; unread mentions derived
 * from the read position (my_unread_mentions).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { becomeActor, becomeOwner, broadcasts, failsWith, rolledBack, user } from './sql.js';

describe('message mentions', () => {
  const db = useCastDatabase();

  const send = async (client: pg.ClientBase, body: string, mentions: (string | null)[]) => {
    const { rows } = await client.query<{ id: string; mentions: string[] }>(
      `insert into public.messages (conversation_id, body, mentions) values ($1, $2, $3::uuid[]) returning id, mentions`,
      [db.cast.conversation, body, mentions],
    );
    return rows[0]!;
  };

  const unreadMentions = async (client: pg.ClientBase, who: string) => {
    await becomeActor(client, user(who));
    const { rows } = await client.query<{ conversation_id: string; unread_mentions: number }>(
      'select * from public.my_unread_mentions()',
    );
    return rows;
  };

  it('keeps members once each, in order, and stores nothing extra', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      const row = await send(client, '@Carlos Reyes and @Maria Santos, see @Carlos Reyes', [
        db.cast.otherMember,
        null,
        db.cast.member,
        db.cast.otherMember,
      ]);
      assert.deepEqual(row.mentions, [db.cast.otherMember, db.cast.member]);
    });
  });

  it('defaults to no mentions', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      const { rows } = await client.query<{ mentions: string[] }>(
        `insert into public.messages (conversation_id, body) values ($1, 'plain') returning mentions`,
        [db.cast.conversation],
      );
      assert.deepEqual(rows[0]!.mentions, []);
    });
  });

  for (const [who, target] of [
    ['an outsider', () => db.cast.outsider],
    ['a user open to contact but not in the conversation', () => db.cast.spare],
    ['an id nobody has', () => randomUUID()],
  ] as const) {
    it(`refuses ${who} (42501) and stores and sends nothing`, async () => {
      await rolledBack(db.pool, async (client) => {
        const id = target();
        const name = (await client.query('select display_name from public.profiles where id = $1', [id])).rows[0]
          ?.display_name as string | undefined;
        await becomeActor(client, user(db.cast.member));
        const error = await failsWith(
          client,
          `insert into public.messages (conversation_id, body, mentions) values ($1, $2, $3::uuid[])`,
          [db.cast.conversation, `hi @${name ?? 'someone'}`, [id]],
        );
        assert.equal(error.code, '42501');
        assert.match(error.message, /^Only members of this conversation can be mentioned$/);
        await becomeOwner(client);
        assert.equal((await broadcasts(client, `user:${id}`, 'mention')).length, 0);
        const stored = await client.query('select 1 from public.messages where body like $1', [`hi @%`]);
        assert.equal(stored.rowCount, 0);
      });
    });
  }

  it('refuses a mention whose @name is not in the body (22023)', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      for (const body of ['hello Carlos', '@Carlos', '@carlos reyes']) {
        const error = await failsWith(
          client,
          `insert into public.messages (conversation_id, body, mentions) values ($1, $2, $3::uuid[])`,
          [db.cast.conversation, body, [db.cast.otherMember]],
        );
        assert.equal(error.code, '22023', body);
        assert.match(error.message, /must appear in the message as @ and their name/);
      }
    });
  });

  it('refuses more than mention_limit() people (22023)', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.member));
      const limit = (await client.query('select public.mention_limit() as n')).rows[0].n as number;
      const ids = Array.from({ length: limit + 1 }, () => randomUUID());
      const error = await failsWith(
        client,
        `insert into public.messages (conversation_id, body, mentions) values ($1, 'many', $2::uuid[])`,
        [db.cast.conversation, ids],
      );
      assert.equal(error.code, '22023');
      assert.match(error.message, new RegExp(`at most ${limit} people`));
    });
  });

  it('sends one `mention` notice per mentioned person (not the sender), from what the database recorded', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeOwner(client);
      const third = (
        await client.query<{ id: string }>(
          `insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, created_at, updated_at)
           values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
                   'ana@example.test', '{"display_name":"Ana Cruz"}', now(), now()) returning id`,
        )
      ).rows[0]!.id;
      await client.query('insert into public.conversation_members (conversation_id, user_id) values ($1, $2)', [
        db.cast.conversation,
        third,
      ]);
      const quiet = await client.query('select count(*)::int as n from realtime.messages where event = $1', [
        'mention',
      ]);

      await becomeActor(client, user(db.cast.member));
      const row = await send(client, '**@Carlos Reyes** and @Maria Santos', [db.cast.otherMember, db.cast.member]);

      await becomeOwner(client);
      const notices = await broadcasts(client, `user:${db.cast.otherMember}`, 'mention');
      assert.equal(notices.length, 1);
      assert.equal(notices[0]!.private, true);
      const payload = notices[0]!.payload;
      assert.equal(payload['conversation_id'], db.cast.conversation);
      assert.equal(payload['message_id'], row.id);
      assert.equal(payload['sender_id'], db.cast.member);
      assert.equal(payload['sender_name'], 'Maria Santos');
      assert.equal(payload['preview'], '**@Carlos Reyes** and @Maria Santos');
      assert.equal(payload['unread_mentions'], 1);
      assert.equal((await broadcasts(client, `user:${db.cast.member}`, 'mention')).length, 0, 'not the sender');
      assert.equal((await broadcasts(client, `user:${third}`, 'mention')).length, 0, 'not an unmentioned member');
      const total = await client.query('select count(*)::int as n from realtime.messages where event = $1', [
        'mention',
      ]);
      assert.equal(total.rows[0].n - quiet.rows[0].n, 1, 'one notice in all');
    });
  });

  it('counts unread mentions from the read position; reading, deleting and others’ rows leave them out', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(db.cast.otherMember));
      await client.query('select public.mark_conversation_read($1)', [db.cast.conversation]);
      assert.deepEqual(await unreadMentions(client, db.cast.otherMember), [
        { conversation_id: db.cast.conversation, unread_mentions: 0 },
      ]);

      // Reading stamps now(), which is the whole transaction's time: move the read position back
      // so the messages below come after it.
      await becomeOwner(client);
      await client.query(
        `update public.conversation_members set last_read_at = now() - interval '1 minute' where conversation_id = $1 and user_id = $2`,
        [db.cast.conversation, db.cast.otherMember],
      );
      await becomeActor(client, user(db.cast.member));
      const first = await send(client, 'hi @Carlos Reyes', [db.cast.otherMember]);
      await send(client, 'no mention', []);
      await send(client, 'again @Carlos Reyes', [db.cast.otherMember]);
      assert.deepEqual(await unreadMentions(client, db.cast.otherMember), [
        { conversation_id: db.cast.conversation, unread_mentions: 2 },
      ]);
      assert.deepEqual(await unreadMentions(client, db.cast.member), [
        { conversation_id: db.cast.conversation, unread_mentions: 0 },
      ]);
      assert.deepEqual(await unreadMentions(client, db.cast.outsider), [], 'only one’s own memberships');

      // An edit that keeps the @name keeps the mention and sends no second notice; a client cannot
      // rewrite the column.
      await becomeActor(client, user(db.cast.member));
      await client.query(`update public.messages set body = 'hi again @Carlos Reyes!' where id = $1`, [first.id]);
      assert.equal(
        (await failsWith(client, `update public.messages set mentions = '{}' where id = $1`, [first.id])).code,
        '42501',
      );
      assert.deepEqual(await unreadMentions(client, db.cast.otherMember), [
        { conversation_id: db.cast.conversation, unread_mentions: 2 },
      ]);
      await becomeOwner(client);
      assert.equal((await broadcasts(client, `user:${db.cast.otherMember}`, 'mention')).length, 2);
      const mentionsOf = async (id: string) =>
        (await client.query('select mentions from public.messages where id = $1', [id])).rows[0].mentions;
      assert.deepEqual(await mentionsOf(first.id), [db.cast.otherMember]);

      // An edit that takes the @name out of the text takes the mention out: nothing invisible counts.
      await becomeActor(client, user(db.cast.member));
      await client.query(`update public.messages set body = 'edited, no name' where id = $1`, [first.id]);
      await becomeOwner(client);
      assert.deepEqual(await mentionsOf(first.id), []);
      assert.deepEqual(await unreadMentions(client, db.cast.otherMember), [
        { conversation_id: db.cast.conversation, unread_mentions: 1 },
      ]);
      // Putting the name back does not make it a mention again (an edit adds nobody, sends nothing).
      await becomeActor(client, user(db.cast.member));
      await client.query(`update public.messages set body = 'back: @Carlos Reyes' where id = $1`, [first.id]);
      await becomeOwner(client);
      assert.deepEqual(await mentionsOf(first.id), []);
      assert.equal((await broadcasts(client, `user:${db.cast.otherMember}`, 'mention')).length, 2);

      // A soft delete clears them.
      const third = (
        await client.query<{ id: string }>(
          `select id from public.messages where conversation_id = $1 and body = 'again @Carlos Reyes'`,
          [db.cast.conversation],
        )
      ).rows[0]!;
      await becomeActor(client, user(db.cast.member));
      await client.query(`update public.messages set deleted_at = now() where id = $1`, [third.id]);
      await becomeOwner(client);
      assert.deepEqual(await mentionsOf(third.id), []);
      assert.deepEqual(await unreadMentions(client, db.cast.otherMember), [
        { conversation_id: db.cast.conversation, unread_mentions: 0 },
      ]);
    });
  });

  it('anon cannot call my_unread_mentions', async () => {
    await rolledBack(db.pool, async (client) => {
      await client.query(`select set_config('role', 'anon', true)`);
      assert.equal((await failsWith(client, 'select * from public.my_unread_mentions()')).code, '42501');
    });
  });
});
