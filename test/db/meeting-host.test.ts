/**
 * The meeting host's powers and the roster's new columns (issue 11, part A): the hands queue
 * (hand_raised_at stamped by the database, lower_hand), the status RPCs (start_meeting /
 * end_meeting, one-way transitions, no call-state change once ended), remove_participant (chat,
 * topic and rejoin follow), and the self-reported connection quality. Each RPC gets the matrix
 * host / participant / non-participant / anon; every case runs in a rolled-back transaction.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase, type Cast } from './fixture.js';
import { anon, asActor, becomeActor, becomeOwner, broadcasts, failsWith, rolledBack, user, type Actor } from './sql.js';

type Who = 'host' | 'participant' | 'outsider' | 'anon';
const everyone: Who[] = ['host', 'participant', 'outsider', 'anon'];

function actorOf(who: Who, cast: Cast): Actor {
  if (who === 'anon') return anon;
  // The cast's member hosts the meeting; the other member is invited to it.
  return user(who === 'host' ? cast.member : who === 'participant' ? cast.otherMember : cast.outsider);
}

/** Runs `sql` as `who` in a savepoint: the SQLSTATE and message it failed with, or 'ok'. */
async function outcome(client: pg.PoolClient, sql: string, params: unknown[]): Promise<string> {
  await client.query('savepoint attempt');
  try {
    await client.query(sql, params);
    await client.query('release savepoint attempt');
    return 'ok';
  } catch (error) {
    await client.query('rollback to savepoint attempt');
    const { code, message } = error as { code?: string; message: string };
    if (!code) throw error;
    return `${code} ${message}`;
  }
}

async function participantRow(client: pg.ClientBase, meeting: string, userId: string) {
  const { rows } = await client.query<{
    is_hand_raised: boolean;
    hand_raised_at: Date | null;
    connection_quality: string | null;
  }>(
    'select is_hand_raised, hand_raised_at, connection_quality from public.meeting_participants where meeting_id = $1 and user_id = $2',
    [meeting, userId],
  );
  return rows[0];
}

async function statusOf(client: pg.ClientBase, meeting: string): Promise<string> {
  const { rows } = await client.query<{ status: string }>('select status from public.meetings where id = $1', [
    meeting,
  ]);
  return rows[0]!.status;
}

describe('meeting host controls and roster columns', () => {
  const db = useCastDatabase();
  const raise = (client: pg.ClientBase, on: boolean) =>
    client.query('select public.update_meeting_state(meeting_id => $1, is_hand_raised => $2)', [db.cast.meeting, on]);

  describe('matrix: who may call each new RPC', () => {
    // What each caller gets: 'ok', or the SQLSTATE and the start of the message.
    const cases: { rpc: string; sql: string; params: (c: Cast) => unknown[]; expect: Record<Who, RegExp> }[] = [
      {
        rpc: 'lower_hand',
        sql: 'select public.lower_hand(meeting_id => $1, user_id => $2)',
        params: (c) => [c.meeting, c.otherMember],
        expect: {
          host: /^ok$/,
          participant: /^42501 Only the host can lower hands in this meeting$/,
          outsider: /^42501 Only the host can lower hands in this meeting$/,
          anon: /^42501 Sign in first$/,
        },
      },
      {
        rpc: 'start_meeting',
        sql: 'select public.start_meeting(meeting_id => $1)',
        params: (c) => [c.meeting],
        expect: {
          host: /^ok$/,
          participant: /^42501 Only the host can start this meeting$/,
          outsider: /^42501 Only the host can start this meeting$/,
          anon: /^42501 Sign in first$/,
        },
      },
      {
        rpc: 'end_meeting',
        sql: 'select public.end_meeting(meeting_id => $1)',
        params: (c) => [c.meeting],
        expect: {
          host: /^ok$/,
          participant: /^42501 Only the host can end this meeting$/,
          outsider: /^42501 Only the host can end this meeting$/,
          anon: /^42501 Sign in first$/,
        },
      },
      {
        rpc: 'remove_participant',
        sql: 'select public.remove_participant(meeting_id => $1, user_id => $2)',
        params: (c) => [c.meeting, c.otherMember],
        expect: {
          host: /^ok$/,
          participant: /^42501 Only the host can remove participants from this meeting$/,
          outsider: /^42501 Only the host can remove participants from this meeting$/,
          anon: /^42501 Sign in first$/,
        },
      },
      {
        rpc: 'report_connection_quality',
        sql: `select public.report_connection_quality(meeting_id => $1, quality => 'poor')`,
        params: (c) => [c.meeting],
        expect: {
          host: /^ok$/,
          participant: /^ok$/,
          outsider: /^42501 Not a participant of this meeting$/,
          anon: /^42501 Sign in first$/,
        },
      },
    ];
    for (const entry of cases) {
      for (const who of everyone) {
        it(`${entry.rpc}: ${who} → ${entry.expect[who].source.replace(/[\\^$]/g, '')}`, async () => {
          const result = await asActor(db.pool, actorOf(who, db.cast), (client) =>
            outcome(client, entry.sql, entry.params(db.cast)),
          );
          assert.match(result, entry.expect[who]);
        });
      }
    }

    it('the matrix has a row for every new RPC and caller (20 cases)', () => {
      assert.equal(cases.length * everyone.length, 20);
    });
  });

  describe('matrix: direct writes of the new columns', () => {
    // Each actor tries to set the column on the participant's row through the table, as PostgREST would.
    const columns: { column: string; value: string; expect: Record<Who, 'allow' | 'deny'> }[] = [
      {
        column: 'hand_raised_at',
        value: '2000-01-01',
        expect: { host: 'deny', participant: 'deny', outsider: 'deny', anon: 'deny' },
      },
      {
        column: 'connection_quality',
        value: 'good',
        // Only the participant themself, on their own row.
        expect: { host: 'deny', participant: 'allow', outsider: 'deny', anon: 'deny' },
      },
    ];
    for (const entry of columns) {
      for (const who of everyone) {
        it(`${entry.column}: ${who} → ${entry.expect[who]}`, async () => {
          const result = await asActor(db.pool, actorOf(who, db.cast), async (client) => {
            await client.query('savepoint attempt');
            try {
              const { rowCount } = await client.query(
                `update public.meeting_participants set ${entry.column} = $3 where meeting_id = $1 and user_id = $2`,
                [db.cast.meeting, db.cast.otherMember, entry.value],
              );
              return rowCount === 1 ? 'allow' : 'deny';
            } catch (error) {
              if ((error as { code?: string }).code !== '42501') throw error;
              return 'deny';
            } finally {
              await client.query('rollback to savepoint attempt');
            }
          });
          assert.equal(result, entry.expect[who]);
        });
      }
    }
  });

  describe('raised hands in order', () => {
    it('the database stamps hand_raised_at when a hand goes up, keeps it while up, clears it when down', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await raise(client, true);
        const raised = (await participantRow(client, db.cast.meeting, db.cast.otherMember))!;
        assert.equal(raised.is_hand_raised, true);
        assert.ok(raised.hand_raised_at instanceof Date);
        // Raising again, or changing something else, keeps the place in the queue.
        await raise(client, true);
        await client.query('select public.update_meeting_state(meeting_id => $1, is_muted => true)', [db.cast.meeting]);
        const kept = (await participantRow(client, db.cast.meeting, db.cast.otherMember))!;
        assert.equal(kept.hand_raised_at!.getTime(), raised.hand_raised_at!.getTime());
        await raise(client, false);
        assert.equal((await participantRow(client, db.cast.meeting, db.cast.otherMember))!.hand_raised_at, null);
      });
    });

    it('orders hands by when they went up, whoever raised first', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await raise(client, true);
        await becomeActor(client, user(db.cast.member));
        await raise(client, true);
        await becomeOwner(client);
        const { rows } = await client.query<{ user_id: string }>(
          `select user_id from public.meeting_participants where meeting_id = $1 and is_hand_raised order by hand_raised_at`,
          [db.cast.meeting],
        );
        assert.deepEqual(
          rows.map((r) => r.user_id),
          [db.cast.otherMember, db.cast.member],
        );
      });
    });

    it('hand_raised_at cannot be planted: no column grant, and the trigger overwrites it for the database itself', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        const planted = await failsWith(
          client,
          `update public.meeting_participants set hand_raised_at = '2000-01-01' where meeting_id = $1 and user_id = $2`,
          [db.cast.meeting, db.cast.otherMember],
        );
        assert.equal(planted.code, '42501');
        await becomeOwner(client);
        await client.query(
          `update public.meeting_participants set is_hand_raised = true, hand_raised_at = '2000-01-01'
           where meeting_id = $1 and user_id = $2`,
          [db.cast.meeting, db.cast.otherMember],
        );
        const row = (await participantRow(client, db.cast.meeting, db.cast.otherMember))!;
        assert.ok(row.hand_raised_at!.getFullYear() > 2000);
      });
    });

    it('a host inserting a participant cannot plant a raised hand or a quality', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        for (const column of ['hand_raised_at', 'connection_quality', 'is_hand_raised']) {
          const error = await failsWith(
            client,
            `insert into public.meeting_participants (meeting_id, user_id, ${column}) values ($1, $2, $3)`,
            [
              db.cast.meeting,
              db.cast.spare,
              column === 'is_hand_raised' ? true : column === 'hand_raised_at' ? '2000-01-01' : 'good',
            ],
          );
          assert.equal(error.code, '42501', column);
        }
      });
    });

    it('lower_hand: the host lowers a hand, the row and its broadcast say so', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await raise(client, true);
        await becomeActor(client, user(db.cast.member));
        const { rows } = await client.query('select * from public.lower_hand(meeting_id => $1, user_id => $2)', [
          db.cast.meeting,
          db.cast.otherMember,
        ]);
        assert.equal(rows[0].is_hand_raised, false);
        assert.equal(rows[0].hand_raised_at, null);
        await becomeOwner(client);
        const last = (await broadcasts(client, `meeting:${db.cast.meeting}`, 'participant')).at(-1)!;
        assert.equal(last.payload.record!['user_id'], db.cast.otherMember);
        assert.equal(last.payload.record!['is_hand_raised'], false);
        assert.equal(last.payload.record!['hand_raised_at'], null);
      });
    });

    it('lower_hand names a user who is not in the meeting', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const error = await failsWith(client, 'select public.lower_hand(meeting_id => $1, user_id => $2)', [
          db.cast.meeting,
          db.cast.outsider,
        ]);
        assert.equal(error.code, '22023');
        assert.equal(error.message, `Not a participant of this meeting: ${db.cast.outsider}`);
      });
    });
  });

  describe('meeting status', () => {
    it('scheduled → live → ended through the RPCs, each broadcast as event "meeting"', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const live = await client.query('select * from public.start_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal(live.rows[0].status, 'live');
        assert.ok(live.rows[0].started_at);
        const ended = await client.query('select * from public.end_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal(ended.rows[0].status, 'ended');
        assert.ok(ended.rows[0].ended_at);
        await becomeOwner(client);
        const statuses = (await broadcasts(client, `meeting:${db.cast.meeting}`, 'meeting'))
          .filter((row) => row.payload.operation === 'UPDATE')
          .map((row) => row.payload.record!['status']);
        assert.deepEqual(statuses, ['live', 'ended']);
      });
    });

    it('refuses to go back: an ended meeting cannot start, a live one cannot be rescheduled', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.start_meeting(meeting_id => $1)', [db.cast.meeting]);
        const back = await failsWith(client, `update public.meetings set status = 'scheduled' where id = $1`, [
          db.cast.meeting,
        ]);
        assert.equal(back.code, '22023');
        assert.equal(back.message, 'A meeting cannot go from live to scheduled');
        await client.query('select public.end_meeting(meeting_id => $1)', [db.cast.meeting]);
        const restart = await failsWith(client, 'select public.start_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal(restart.code, '22023');
        assert.equal(restart.message, 'This meeting has ended');
        const direct = await failsWith(client, `update public.meetings set status = 'live' where id = $1`, [
          db.cast.meeting,
        ]);
        assert.equal(direct.message, 'A meeting cannot go from ended to live');
        assert.equal(await statusOf(client, db.cast.meeting), 'ended');
      });
    });

    it('a scheduled meeting can be called off (scheduled → ended); repeating a status is a no-op', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.end_meeting(meeting_id => $1)', [db.cast.meeting]);
        await client.query('select public.end_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal(await statusOf(client, db.cast.meeting), 'ended');
      });
    });

    it('ending lowers every hand; afterwards nobody changes their call state, but leaving still works', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.join_meeting(meeting_id => $1)', [db.cast.meeting]);
        await raise(client, true);
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.end_meeting(meeting_id => $1)', [db.cast.meeting]);
        await becomeActor(client, user(db.cast.otherMember));
        assert.equal((await participantRow(client, db.cast.meeting, db.cast.otherMember))!.is_hand_raised, false);
        const refused = await failsWith(
          client,
          'select public.update_meeting_state(meeting_id => $1, is_muted => true)',
          [db.cast.meeting],
        );
        assert.equal(refused.code, '22023');
        assert.equal(refused.message, 'This meeting has ended');
        const direct = await failsWith(
          client,
          'update public.meeting_participants set is_hand_raised = true where meeting_id = $1 and user_id = $2',
          [db.cast.meeting, db.cast.otherMember],
        );
        assert.equal(direct.message, 'This meeting has ended');
        await client.query('select public.leave_meeting(meeting_id => $1)', [db.cast.meeting]);
      });
    });
  });

  describe('remove_participant', () => {
    async function meetingChat(client: pg.ClientBase): Promise<string> {
      await becomeOwner(client);
      const { rows } = await client.query<{ id: string }>(
        `insert into public.conversations (kind, title, meeting_id) values ('meeting', 'Weekly sync', $1) returning id`,
        [db.cast.meeting],
      );
      return rows[0]!.id;
    }

    it('takes the participant out of the roster, the meeting chat and the meeting topics', async () => {
      await rolledBack(db.pool, async (client) => {
        const chat = await meetingChat(client);
        const topicAllowed = async (topic: string, extension: string, write: boolean) => {
          await becomeActor(client, user(db.cast.otherMember));
          const { rows } = await client.query<{ allowed: boolean }>(
            'select public.realtime_topic_allows($1, $2, $3) as allowed',
            [topic, extension, write],
          );
          return rows[0]!.allowed;
        };
        assert.equal(await topicAllowed(`meeting:${db.cast.meeting}`, 'broadcast', false), true);
        await becomeActor(client, user(db.cast.otherMember));
        const before = await client.query('select 1 from public.messages where conversation_id = $1', [chat]);
        assert.equal(before.rowCount, 0);
        assert.equal(
          (await client.query('select 1 from public.conversations where id = $1', [chat])).rowCount,
          1,
          'a participant reads the meeting chat',
        );

        await becomeActor(client, user(db.cast.member));
        await client.query('select public.remove_participant(meeting_id => $1, user_id => $2)', [
          db.cast.meeting,
          db.cast.otherMember,
        ]);

        assert.equal(await topicAllowed(`meeting:${db.cast.meeting}`, 'broadcast', false), false);
        assert.equal(await topicAllowed(`meeting:${db.cast.meeting}:presence`, 'presence', true), false);
        await becomeActor(client, user(db.cast.otherMember));
        assert.equal((await client.query('select 1 from public.conversations where id = $1', [chat])).rowCount, 0);
        const write = await failsWith(
          client,
          `insert into public.messages (conversation_id, body) values ($1, 'still here?')`,
          [chat],
        );
        assert.equal(write.code, '42501');
        const rejoin = await failsWith(client, 'select public.join_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal(rejoin.code, '42501');

        await becomeOwner(client);
        const last = (await broadcasts(client, `meeting:${db.cast.meeting}`, 'participant')).at(-1)!;
        assert.equal(last.payload.operation, 'DELETE');
        assert.equal(last.payload.old_record!['user_id'], db.cast.otherMember);
      });
    });

    it('a removed participant comes back only when invited again', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.remove_participant(meeting_id => $1, user_id => $2)', [
          db.cast.meeting,
          db.cast.otherMember,
        ]);
        await client.query('select public.invite_to_meeting(meeting_id => $1, user_ids => array[$2]::uuid[])', [
          db.cast.meeting,
          db.cast.otherMember,
        ]);
        await becomeActor(client, user(db.cast.otherMember));
        const { rows } = await client.query('select * from public.join_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.ok(rows[0].joined_at);
      });
    });

    it('refuses the host removing themself, and names a user who is not in the meeting', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const self = await failsWith(client, 'select public.remove_participant(meeting_id => $1, user_id => $2)', [
          db.cast.meeting,
          db.cast.member,
        ]);
        assert.equal(self.code, '22023');
        assert.equal(self.message, 'The host cannot remove themself; end the meeting instead');
        const stranger = await failsWith(client, 'select public.remove_participant(meeting_id => $1, user_id => $2)', [
          db.cast.meeting,
          db.cast.outsider,
        ]);
        assert.equal(stranger.message, `Not a participant of this meeting: ${db.cast.outsider}`);
      });
    });
  });

  describe('connection quality (self-report)', () => {
    it('records only the caller’s own report, clears it on leave, and refuses a value it does not know', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.join_meeting(meeting_id => $1)', [db.cast.meeting]);
        await client.query(`select public.report_connection_quality(meeting_id => $1, quality => 'poor')`, [
          db.cast.meeting,
        ]);
        assert.equal((await participantRow(client, db.cast.meeting, db.cast.otherMember))!.connection_quality, 'poor');
        for (const bad of ['lost', 'excellent', null]) {
          const error = await failsWith(
            client,
            'select public.report_connection_quality(meeting_id => $1, quality => $2)',
            [db.cast.meeting, bad],
          );
          assert.equal(error.code, '22023');
          assert.match(error.message, /^Connection quality must be good or poor/);
        }
        // Another's row: RLS lets nobody write it (0 rows), the constraint refuses unknown values.
        const other = await client.query(
          `update public.meeting_participants set connection_quality = 'good' where meeting_id = $1 and user_id = $2`,
          [db.cast.meeting, db.cast.member],
        );
        assert.equal(other.rowCount, 0);
        const constraint = await failsWith(
          client,
          `update public.meeting_participants set connection_quality = 'lost' where meeting_id = $1 and user_id = $2`,
          [db.cast.meeting, db.cast.otherMember],
        );
        assert.equal(constraint.code, '23514');
        await client.query('select public.leave_meeting(meeting_id => $1)', [db.cast.meeting]);
        assert.equal((await participantRow(client, db.cast.meeting, db.cast.otherMember))!.connection_quality, null);
      });
    });
  });
});
