/**
 * Columns nobody can plant. An owner adding a member names only who (role, read state and
 * joined_at are the defaults); a host inviting names only who (role, times and call state are the
 * defaults). Column grants refuse the rest, and a trigger resets them even if a grant is widened.
 * Afterwards only the participant changes their own call state (is_away included).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { becomeActor, becomeOwner, broadcasts, failsWith, rolledBack, user } from './sql.js';

describe('columns nobody can plant', () => {
  const db = useCastDatabase();

  const counts = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    return (
      await client.query(`select (select count(*) from public.conversation_members) as members,
                                 (select count(*) from public.meeting_participants) as participants`)
    ).rows[0];
  };

  /** What an API role could grant itself if a grant were ever widened again. */
  const widenInsertGrants = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    await client.query('grant insert on public.conversation_members, public.meeting_participants to authenticated');
  };

  /** One test per column: the member naming it when adding the spare user gets 42501, and nothing is written. */
  const refusesPlanting = (table: string, parentColumn: string, parent: () => string, planted: [string, string][]) => {
    for (const [column, value] of planted) {
      it(`naming ${column} → 42501, nothing written`, async () => {
        await rolledBack(db.pool, async (client) => {
          const before = await counts(client);
          await becomeActor(client, user(db.cast.member));
          const error = await failsWith(
            client,
            `insert into public.${table} (${parentColumn}, user_id, ${column}) values ($1, $2, ${value})`,
            [parent(), db.cast.spare],
          );
          assert.equal(error.code, '42501');
          assert.deepEqual(await counts(client), before);
        });
      });
    }
  };

  describe('conversation_members added by an owner', () => {
    const planted: [string, string][] = [
      ['role', `'owner'`],
      ['unread_count', '2147483647'],
      ['last_read_at', `'2001-01-01'`],
      ['joined_at', `'2001-01-01'`],
    ];
    refusesPlanting('conversation_members', 'conversation_id', () => db.cast.conversation, planted);

    const expectDefaults = async (client: pg.ClientBase) => {
      await becomeOwner(client);
      const { rows } = await client.query(
        `select role, unread_count, last_read_at, joined_at = now() as joined_now
         from public.conversation_members where conversation_id = $1 and user_id = $2`,
        [db.cast.conversation, db.cast.spare],
      );
      assert.deepEqual(rows, [{ role: 'member', unread_count: 0, last_read_at: null, joined_now: true }]);
    };

    it('naming only conversation_id and user_id gives the defaults', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query('insert into public.conversation_members (conversation_id, user_id) values ($1, $2)', [
          db.cast.conversation,
          db.cast.spare,
        ]);
        await expectDefaults(client);
      });
    });

    it('even with a widened grant, planted values are reset and later messages still count unread', async () => {
      await rolledBack(db.pool, async (client) => {
        await widenInsertGrants(client);
        await becomeActor(client, user(db.cast.member));
        await client.query(
          `insert into public.conversation_members (conversation_id, user_id, role, unread_count, last_read_at, joined_at)
           values ($1, $2, 'member', 2147483647, '2001-01-01', '2001-01-01')`,
          [db.cast.conversation, db.cast.spare],
        );
        await expectDefaults(client);
        await becomeActor(client, user(db.cast.member));
        await client.query(`insert into public.messages (conversation_id, body) values ($1, 'Still delivered')`, [
          db.cast.conversation,
        ]);
        // The count is derived from the (reset) read position: the new member's own view.
        await becomeActor(client, user(db.cast.spare));
        const { rows } = await client.query('select unread_count from public.my_conversations(conversation_id => $1)', [
          db.cast.conversation,
        ]);
        assert.equal(rows[0].unread_count, 1);
      });
    });

    it('read state is not writable by members, even their own (only mark_conversation_read)', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        for (const set of [`last_read_at = now()`, `unread_count = 0`, `role = 'owner'`]) {
          const error = await failsWith(
            client,
            `update public.conversation_members set ${set} where conversation_id = $1 and user_id = auth.uid()`,
            [db.cast.conversation],
          );
          assert.equal(error.code, '42501', set);
        }
      });
    });

    it("the database's own inserts keep their values (the group's creator is its owner)", async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const { rows } = await client.query<{ id: string }>(
          `select id from public.create_group_conversation(title => 'Owned', member_ids => array[$1]::uuid[])`,
          [db.cast.spare],
        );
        await becomeOwner(client);
        const roles = await client.query(
          'select user_id, role from public.conversation_members where conversation_id = $1 order by role',
          [rows[0]!.id],
        );
        assert.deepEqual(roles.rows, [
          { user_id: db.cast.spare, role: 'member' },
          { user_id: db.cast.member, role: 'owner' },
        ]);
      });
    });
  });

  describe('meeting_participants invited by the host', () => {
    const planted: [string, string][] = [
      ['role', `'host'`],
      ['invited_at', `'2001-01-01'`],
      ['joined_at', 'now()'],
      ['left_at', 'now()'],
      ['is_muted', 'true'],
      ['is_video_on', 'true'],
      ['is_screen_sharing', 'true'],
      ['is_hand_raised', 'true'],
      ['is_away', 'true'],
      ['updated_at', `'2001-01-01'`],
    ];
    refusesPlanting('meeting_participants', 'meeting_id', () => db.cast.meeting, planted);

    const expectDefaults = async (client: pg.ClientBase) => {
      await becomeOwner(client);
      const { rows } = await client.query(
        `select role, joined_at, left_at, is_muted, is_video_on, is_screen_sharing, is_hand_raised, is_away,
                invited_at = now() as invited_now
         from public.meeting_participants where meeting_id = $1 and user_id = $2`,
        [db.cast.meeting, db.cast.spare],
      );
      assert.deepEqual(rows, [
        {
          role: 'participant',
          joined_at: null,
          left_at: null,
          is_muted: false,
          is_video_on: false,
          is_screen_sharing: false,
          is_hand_raised: false,
          is_away: false,
          invited_now: true,
        },
      ]);
    };

    for (const [how, sql] of [
      ['a direct insert', 'insert into public.meeting_participants (meeting_id, user_id) values ($1, $2)'],
      ['invite_to_meeting', 'select public.invite_to_meeting(meeting_id => $1, user_ids => array[$2]::uuid[])'],
    ] as const) {
      it(`${how} gives the defaults`, async () => {
        await rolledBack(db.pool, async (client) => {
          await becomeActor(client, user(db.cast.member));
          await client.query(sql, [db.cast.meeting, db.cast.spare]);
          await expectDefaults(client);
        });
      });
    }

    it('even with a widened grant, planted values are reset', async () => {
      await rolledBack(db.pool, async (client) => {
        await widenInsertGrants(client);
        await becomeActor(client, user(db.cast.member));
        await client.query(
          `insert into public.meeting_participants (meeting_id, user_id, role, invited_at, joined_at, left_at, is_muted,
                                                    is_video_on, is_screen_sharing, is_hand_raised, is_away)
           values ($1, $2, 'participant', '2001-01-01', now(), now(), true, true, true, true, true)`,
          [db.cast.meeting, db.cast.spare],
        );
        await expectDefaults(client);
      });
    });
  });

  describe('call state is the participant’s own', () => {
    const flags = ['is_muted', 'is_video_on', 'is_screen_sharing', 'is_hand_raised', 'is_away'];

    const stateOf = async (client: pg.ClientBase, userId: string) => {
      await becomeOwner(client);
      return (
        await client.query(
          `select ${flags.join(', ')}, joined_at, left_at, role from public.meeting_participants
           where meeting_id = $1 and user_id = $2`,
          [db.cast.meeting, userId],
        )
      ).rows[0];
    };

    for (const flag of flags) {
      it(`the host cannot set another participant's ${flag}`, async () => {
        await rolledBack(db.pool, async (client) => {
          const before = await stateOf(client, db.cast.otherMember);
          await becomeActor(client, user(db.cast.member));
          const result = await client.query(
            `update public.meeting_participants set ${flag} = true where meeting_id = $1 and user_id = $2`,
            [db.cast.meeting, db.cast.otherMember],
          );
          assert.equal(result.rowCount, 0);
          assert.deepEqual(await stateOf(client, db.cast.otherMember), before);
        });
      });

      it(`update_meeting_state(${flag}) by the host changes the host's row only`, async () => {
        await rolledBack(db.pool, async (client) => {
          const before = await stateOf(client, db.cast.otherMember);
          await becomeActor(client, user(db.cast.member));
          const { rows } = await client.query(
            `select * from public.update_meeting_state(meeting_id => $1, ${flag} => true)`,
            [db.cast.meeting],
          );
          assert.equal(rows[0].user_id, db.cast.member);
          assert.equal(rows[0][flag], true);
          assert.deepEqual(await stateOf(client, db.cast.otherMember), before);
        });
      });

      it(`a participant sets their own ${flag}`, async () => {
        await rolledBack(db.pool, async (client) => {
          await becomeActor(client, user(db.cast.otherMember));
          const result = await client.query(
            `update public.meeting_participants set ${flag} = true where meeting_id = $1 and user_id = auth.uid()`,
            [db.cast.meeting],
          );
          assert.equal(result.rowCount, 1);
          assert.equal((await stateOf(client, db.cast.otherMember))[flag], true);
        });
      });
    }

    it('a participant cannot write their own role, times or invitation', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        for (const set of [`role = 'host'`, 'joined_at = now()', 'left_at = null', 'invited_at = now()']) {
          const error = await failsWith(
            client,
            `update public.meeting_participants set ${set} where meeting_id = $1 and user_id = auth.uid()`,
            [db.cast.meeting],
          );
          assert.equal(error.code, '42501', set);
        }
      });
    });

    it('update_meeting_state is one function; is_away is its optional last argument and is broadcast', async () => {
      const { rows } = await db.pool.query(
        `select pg_get_function_identity_arguments(p.oid) as args from pg_proc p
         where p.pronamespace = 'public'::regnamespace and p.proname = 'update_meeting_state'`,
      );
      assert.deepEqual(rows, [
        {
          args: 'meeting_id uuid, is_muted boolean, is_video_on boolean, is_screen_sharing boolean, is_hand_raised boolean, is_away boolean',
        },
      ]);
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select * from public.join_meeting(meeting_id => $1)', [db.cast.meeting]);
        const away = (
          await client.query('select * from public.update_meeting_state(meeting_id => $1, is_away => true)', [
            db.cast.meeting,
          ])
        ).rows[0];
        assert.equal(away.is_away, true);
        // The call without is_away, as before, leaves it alone.
        const muted = (
          await client.query('select * from public.update_meeting_state(meeting_id => $1, is_muted => true)', [
            db.cast.meeting,
          ])
        ).rows[0];
        assert.equal(muted.is_away, true);
        assert.equal(muted.is_muted, true);
        // Positional, all six.
        const back = (
          await client.query('select * from public.update_meeting_state($1, null, null, null, null, false)', [
            db.cast.meeting,
          ])
        ).rows[0];
        assert.equal(back.is_away, false);
        await client.query('select * from public.update_meeting_state(meeting_id => $1, is_away => true)', [
          db.cast.meeting,
        ]);
        await client.query('select public.leave_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal((await stateOf(client, db.cast.otherMember)).is_away, false, 'leaving clears away');
        const updates = (await broadcasts(client, `meeting:${db.cast.meeting}`, 'participant')).filter(
          (row) =>
            row.payload.operation === 'UPDATE' &&
            row.payload.record?.['user_id'] === db.cast.otherMember &&
            row.payload.record['is_away'] !== row.payload.old_record?.['is_away'],
        );
        // One transaction: every row has the same inserted_at, so compare without order.
        assert.deepEqual(updates.map((row) => row.payload.record!['is_away']).sort(), [false, false, true, true]);
      });
    });
  });
});
