/**
 * Bad input gets a clear error (SQLSTATE + message) and writes nothing: message bodies, spoofed
 * senders, foreign conversations and meetings, malformed external_ref, unknown or unreachable users.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { anon, becomeActor, becomeOwner, failsWith, rolledBack, user, type Actor } from './sql.js';

describe('bad input', () => {
  const db = useCastDatabase();

  /** Row counts of everything a failed call might have half-written. */
  const footprint = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    const { rows } = await client.query(`
      select (select count(*) from public.conversations) as conversations,
             (select count(*) from public.conversation_members) as members,
             (select count(*) from public.messages) as messages,
             (select count(*) from public.message_reactions) as reactions,
             (select count(*) from public.meeting_participants) as participants,
             (select jsonb_agg(to_jsonb(p) order by p.user_id) from public.meeting_participants p) as participant_rows,
             (select sum(unread_count) from public.conversation_members) as unread,
             (select count(*) from realtime.messages) as broadcasts`);
    return rows[0];
  };

  /** Expects the statement to fail with this SQLSTATE and message, leaving no trace. */
  const refuses = async (actor: Actor, sql: string, params: unknown[], code: string, message: RegExp) => {
    await rolledBack(db.pool, async (client) => {
      const before = await footprint(client);
      await becomeActor(client, actor);
      const error = await failsWith(client, sql, params);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      assert.deepEqual(await footprint(client), before, 'nothing written');
    });
  };

  const insertMessage = `insert into public.messages (conversation_id, body) values ($1, $2)`;

  describe('message body', () => {
    const cases: [string, string][] = [
      ['empty', ''],
      ['only whitespace', '  \n\t  \r\n '],
      ['4001 characters', 'x'.repeat(4001)],
      ['4001 characters inside whitespace', `  ${'é'.repeat(4001)}  `],
    ];
    for (const [name, body] of cases) {
      it(`${name} → 23514 with a clear message`, async () => {
        await refuses(
          user(db.cast.member),
          insertMessage,
          [db.cast.conversation, body],
          '23514',
          /^Message body must be 1 to 4000 characters after trimming$/,
        );
      });
    }

    it('null → 23514 as well', async () => {
      await refuses(user(db.cast.member), insertMessage, [db.cast.conversation, null], '23514', /1 to 4000 characters/);
    });

    it('4000 characters after trimming are accepted', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const { rows } = await client.query(`${insertMessage} returning char_length(body) as length`, [
          db.cast.conversation,
          `\n  ${'a'.repeat(4000)}  \n`,
        ]);
        assert.equal(rows[0].length, 4000);
      });
    });

    it('an edit to an empty body is refused too', async () => {
      await refuses(
        user(db.cast.member),
        `update public.messages set body = '   ' where id = $1`,
        [db.cast.message],
        '23514',
        /1 to 4000/,
      );
    });
  });

  describe('sender and conversation', () => {
    it('a spoofed sender_id → 42501 "sender_id must be the signed-in user"', async () => {
      await refuses(
        user(db.cast.member),
        `insert into public.messages (conversation_id, sender_id, body) values ($1, $2, 'I am Carlos')`,
        [db.cast.conversation, db.cast.otherMember],
        '42501',
        /^sender_id must be the signed-in user$/,
      );
    });

    it("a message into someone else's conversation → 42501 not a member", async () => {
      await refuses(
        user(db.cast.outsider),
        insertMessage,
        [db.cast.conversation, 'Let me in'],
        '42501',
        /^Not a member of this conversation$/,
      );
    });

    it('a message into a conversation that does not exist → the same 42501 (no existence leak)', async () => {
      await refuses(
        user(db.cast.member),
        insertMessage,
        [randomUUID(), 'Hello?'],
        '42501',
        /^Not a member of this conversation$/,
      );
    });

    it('anon cannot post at all', async () => {
      await refuses(anon, insertMessage, [db.cast.conversation, 'anonymous'], '42501', /^Sign in first$/);
    });

    it('reply_to a message of another conversation → 23503', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const other = (
          await client.query(`select id from public.start_direct_conversation(other_user_id => $1)`, [db.cast.spare])
        ).rows[0].id;
        const foreign = (
          await client.query(
            `insert into public.messages (conversation_id, body) values ($1, 'elsewhere') returning id`,
            [other],
          )
        ).rows[0].id;
        const before = await footprint(client);
        await becomeActor(client, user(db.cast.member));
        const error = await failsWith(
          client,
          `insert into public.messages (conversation_id, body, reply_to) values ($1, 'cross reply', $2)`,
          [db.cast.conversation, foreign],
        );
        assert.equal(error.code, '23503');
        assert.equal(error.message, 'reply_to must be a message in the same conversation');
        assert.deepEqual(await footprint(client), before);
      });
    });

    it('mark_conversation_read on a foreign conversation → 42501', async () => {
      await refuses(
        user(db.cast.outsider),
        'select public.mark_conversation_read(conversation_id => $1)',
        [db.cast.conversation],
        '42501',
        /^Not a member of this conversation$/,
      );
    });

    it('reactions: over-long emoji → 23514; on a deleted message → 42501', async () => {
      await refuses(
        user(db.cast.member),
        'insert into public.message_reactions (message_id, emoji) values ($1, $2)',
        [db.cast.message, '😀'.repeat(33)],
        '23514',
        /message_reactions_emoji_length/,
      );
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query(`update public.messages set deleted_at = now() where id = $1`, [db.cast.message]);
        const error = await failsWith(
          client,
          `insert into public.message_reactions (message_id, emoji) values ($1, '👍🏽')`,
          [db.cast.message],
        );
        assert.equal(error.code, '42501');
      });
    });
  });

  describe('conversation RPCs', () => {
    const malformedRefs = [
      '',
      ' leading-space',
      'has space',
      '-starts-with-dash',
      'x'.repeat(201),
      'ünïcode',
      'semi;colon',
      'new\nline',
    ];
    for (const ref of malformedRefs) {
      it(`get_or_create_conversation refuses external_ref ${JSON.stringify(ref.length > 20 ? `${ref.slice(0, 8)}…(${ref.length})` : ref)}`, async () => {
        await refuses(
          user(db.cast.member),
          'select * from public.get_or_create_conversation(external_ref => $1, member_ids => array[$2]::uuid[])',
          [ref, db.cast.otherMember],
          '22023',
          /^external_ref must be 1 to 200 characters/,
        );
      });
    }

    it('get_or_create_conversation: the same ref and member set give the same conversation, from either side', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const first = await client.query(
          `select * from public.get_or_create_conversation(external_ref => 'service-request:42', member_ids => array[$1]::uuid[], kind => 'direct')`,
          [db.cast.otherMember],
        );
        const again = await client.query(
          `select * from public.get_or_create_conversation(external_ref => 'service-request:42', member_ids => array[$1]::uuid[], kind => 'direct')`,
          [db.cast.otherMember],
        );
        assert.equal(again.rows[0].id, first.rows[0].id);
        assert.equal(first.rows[0].kind, 'direct');
        await becomeActor(client, user(db.cast.otherMember));
        const forMember = await client.query(
          `select * from public.get_or_create_conversation(external_ref => 'service-request:42', member_ids => array[$1]::uuid[])`,
          [db.cast.member],
        );
        assert.equal(forMember.rows[0].id, first.rows[0].id);
      });
    });

    it('get_or_create_conversation naming someone the caller cannot reach → 42501, nothing written', async () => {
      await refuses(
        user(db.cast.outsider),
        `select * from public.get_or_create_conversation(external_ref => 'service-request:42', member_ids => array[$1]::uuid[])`,
        [db.cast.member],
        '42501',
        /^You cannot start a conversation with this user$/,
      );
    });

    it('get_or_create_conversation: bad kind or member count → 22023', async () => {
      const call =
        'select * from public.get_or_create_conversation(external_ref => $1, member_ids => $2::uuid[], kind => $3)';
      await refuses(
        user(db.cast.member),
        call,
        ['ref-1', [db.cast.otherMember], 'meeting'],
        '22023',
        /^kind must be direct or group$/,
      );
      await refuses(
        user(db.cast.member),
        call,
        ['ref-2', [db.cast.otherMember, db.cast.outsider], 'direct'],
        '22023',
        /exactly one other member/,
      );
      await refuses(user(db.cast.member), call, ['ref-3', [], 'direct'], '22023', /exactly one other member/);
    });

    it('unknown, null and unreachable member ids → the same 42501 (no existence leak) and no conversation', async () => {
      const unreachable = /^You cannot start a conversation with this user$/;
      for (const stranger of [randomUUID(), null, db.cast.outsider, db.cast.withoutProfile]) {
        await refuses(
          user(db.cast.member),
          'select * from public.create_group_conversation(title => $1, member_ids => $2::uuid[])',
          ['Ghosts', [db.cast.otherMember, stranger]],
          '42501',
          unreachable,
        );
        await refuses(
          user(db.cast.member),
          'select * from public.get_or_create_conversation(external_ref => $1, member_ids => $2::uuid[])',
          ['ghost-ref', [stranger]],
          '42501',
          unreachable,
        );
        if (stranger !== null) {
          await refuses(
            user(db.cast.member),
            'select * from public.start_direct_conversation(other_user_id => $1)',
            [stranger],
            '42501',
            unreachable,
          );
        }
      }
    });

    it('create_group_conversation needs a title', async () => {
      for (const title of [null, '', '   ', 'x'.repeat(201)]) {
        await refuses(
          user(db.cast.member),
          'select * from public.create_group_conversation(title => $1, member_ids => $2::uuid[])',
          [title, [db.cast.otherMember]],
          '22023',
          /^A group needs a title of 1 to 200 characters$/,
        );
      }
    });

    it('start_direct_conversation with oneself → 22023; the same pair always gets the same conversation', async () => {
      await refuses(
        user(db.cast.member),
        'select * from public.start_direct_conversation(other_user_id => $1)',
        [db.cast.member],
        '22023',
        /another user/,
      );
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const first = (
          await client.query('select * from public.start_direct_conversation(other_user_id => $1)', [db.cast.spare])
        ).rows[0];
        await becomeActor(client, user(db.cast.spare));
        const back = (
          await client.query('select * from public.start_direct_conversation(other_user_id => $1)', [db.cast.member])
        ).rows[0];
        assert.equal(back.id, first.id);
        assert.equal(first.kind, 'direct');
      });
    });

    it('anon calling an RPC → 42501 "Sign in first"', async () => {
      await refuses(
        anon,
        'select * from public.create_group_conversation(title => $1, member_ids => $2::uuid[])',
        ['x', []],
        '42501',
        /^Sign in first$/,
      );
    });
  });

  describe('meetings', () => {
    it('joining a meeting one is not invited to → 42501', async () => {
      await refuses(
        user(db.cast.outsider),
        'select * from public.join_meeting(meeting_id => $1)',
        [db.cast.meeting],
        '42501',
        /^Only the host and invited participants/,
      );
    });

    it('joining a meeting that does not exist → the same 42501', async () => {
      await refuses(
        user(db.cast.member),
        'select * from public.join_meeting(meeting_id => $1)',
        [randomUUID()],
        '42501',
        /^Only the host and invited participants/,
      );
    });

    it('leave or change state of a foreign meeting → 42501', async () => {
      await refuses(
        user(db.cast.outsider),
        'select public.leave_meeting(meeting_id => $1)',
        [db.cast.meeting],
        '42501',
        /^Not a participant of this meeting$/,
      );
      await refuses(
        user(db.cast.outsider),
        'select * from public.update_meeting_state(meeting_id => $1, is_hand_raised => true)',
        [db.cast.meeting],
        '42501',
        /^Not a participant of this meeting$/,
      );
    });

    it('only the host invites', async () => {
      await refuses(
        user(db.cast.otherMember),
        'select public.invite_to_meeting(meeting_id => $1, user_ids => $2::uuid[])',
        [db.cast.meeting, [db.cast.outsider]],
        '42501',
        /^Only the host can invite to this meeting$/,
      );
      await refuses(
        user(db.cast.member),
        'select public.invite_to_meeting(meeting_id => $1, user_ids => $2::uuid[])',
        [db.cast.meeting, [db.cast.spare, randomUUID()]],
        '42501',
        /^You cannot start a conversation with this user$/,
      );
      await refuses(
        user(db.cast.member),
        'select public.invite_to_meeting(meeting_id => $1, user_ids => $2::uuid[])',
        [db.cast.meeting, [db.cast.spare, db.cast.outsider]],
        '42501',
        /^You cannot start a conversation with this user$/,
      );
    });

    it('an ended meeting cannot be joined', async () => {
      await rolledBack(db.pool, async (client) => {
        await client.query(`update public.meetings set status = 'ended' where id = $1`, [db.cast.meeting]);
        await becomeActor(client, user(db.cast.otherMember));
        const error = await failsWith(client, 'select * from public.join_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal(error.code, '22023');
        assert.equal(error.message, 'This meeting has ended');
      });
    });

    it('a bad status is refused by its check constraint', async () => {
      await refuses(
        user(db.cast.member),
        `update public.meetings set status = 'paused' where id = $1`,
        [db.cast.meeting],
        '23514',
        /meetings_status/,
      );
    });
  });

  describe('profiles', () => {
    it('a blank name or a non-http avatar is refused', async () => {
      await refuses(
        user(db.cast.member),
        `update public.profiles set display_name = '  ' where id = $1`,
        [db.cast.member],
        '23514',
        /profiles_display_name_length/,
      );
      await refuses(
        user(db.cast.member),
        `update public.profiles set avatar_url = 'javascript:alert(1)' where id = $1`,
        [db.cast.member],
        '23514',
        /profiles_avatar_url_scheme/,
      );
    });
  });
});
