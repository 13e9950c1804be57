/**
 * The meeting's chat and live reactions: open_meeting_conversation() gives current participants
 * (and only them) the meeting's conversation, membership follows leaving, rejoining and removal;
 * send_meeting_reaction() broadcasts on meeting:<id> for current participants of a meeting that
 * has not ended, within the rate limit of reactions, storing nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { anon, becomeActor, becomeOwner, broadcasts, failsWith, rolledBack, user, type Actor } from './sql.js';

describe('meeting chat and live reactions', () => {
  const db = useCastDatabase();

  async function open(client: pg.ClientBase, actor: Actor): Promise<{ id: string; kind: string; meeting_id: string }> {
    await becomeActor(client, actor);
    const { rows } = await client.query<{ id: string; kind: string; meeting_id: string }>(
      'select id, kind, meeting_id from public.open_meeting_conversation(meeting_id => $1)',
      [db.cast.meeting],
    );
    return rows[0]!;
  }

  async function membersOf(client: pg.ClientBase, conversation: string): Promise<string[]> {
    await becomeOwner(client);
    const { rows } = await client.query<{ user_id: string; role: string }>(
      'select user_id, role from public.conversation_members where conversation_id = $1 order by role desc, user_id',
      [conversation],
    );
    return rows.map((row) => `${row.user_id}:${row.role}`);
  }

  /** Whether `actor` can see the conversation and insert a message into it (RLS and triggers). */
  async function canUse(client: pg.ClientBase, actor: Actor, conversation: string): Promise<boolean> {
    await becomeActor(client, actor);
    const seen = await client.query('select 1 from public.conversations where id = $1', [conversation]);
    await client.query('savepoint use_chat');
    let wrote = true;
    try {
      await client.query(`insert into public.messages (conversation_id, body) values ($1, 'hello meeting')`, [
        conversation,
      ]);
    } catch {
      wrote = false;
    }
    await client.query('rollback to savepoint use_chat');
    assert.equal(seen.rowCount === 1, wrote, 'reading and writing agree');
    return wrote;
  }

  describe('open_meeting_conversation', () => {
    it('the host creates the chat once; participants get the same one; members are the participants', async () => {
      await rolledBack(db.pool, async (client) => {
        const first = await open(client, user(db.cast.member));
        assert.equal(first.kind, 'meeting');
        assert.equal(first.meeting_id, db.cast.meeting);
        assert.equal((await open(client, user(db.cast.member))).id, first.id, 'opening again returns it');
        assert.equal((await open(client, user(db.cast.otherMember))).id, first.id, 'the participant gets it');
        assert.deepEqual(await membersOf(client, first.id), [
          `${db.cast.member}:owner`,
          `${db.cast.otherMember}:member`,
        ]);
        assert.equal(await canUse(client, user(db.cast.member), first.id), true);
        assert.equal(await canUse(client, user(db.cast.otherMember), first.id), true);
        assert.equal(await canUse(client, user(db.cast.outsider), first.id), false);
      });
    });

    it('a participant creates it while the meeting allows; not once the host turns that off', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query('update public.meetings set participants_open_chat = false where id = $1', [
          db.cast.meeting,
        ]);
        await becomeActor(client, user(db.cast.otherMember));
        const refused = await failsWith(client, 'select public.open_meeting_conversation($1)', [db.cast.meeting]);
        assert.equal(refused.code, 'P0002');
        assert.match(refused.message, /host has not opened this meeting's chat/);
        const created = await open(client, user(db.cast.member));
        assert.equal((await open(client, user(db.cast.otherMember))).id, created.id, 'then the participant gets it');
      });
      await rolledBack(db.pool, async (client) => {
        const created = await open(client, user(db.cast.otherMember));
        assert.deepEqual(await membersOf(client, created.id), [
          `${db.cast.member}:owner`,
          `${db.cast.otherMember}:member`,
        ]);
      });
    });

    it('only the host changes participants_open_chat', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        const { rowCount } = await client.query(
          'update public.meetings set participants_open_chat = false where id = $1',
          [db.cast.meeting],
        );
        assert.equal(rowCount, 0);
        await becomeOwner(client);
        const { rows } = await client.query('select participants_open_chat from public.meetings where id = $1', [
          db.cast.meeting,
        ]);
        assert.equal(rows[0].participants_open_chat, true);
      });
    });

    for (const [who, actor] of [
      ['an outsider', () => user(db.cast.outsider)],
      ['anon', () => anon],
    ] as const) {
      it(`${who} is refused with 42501 and no chat is made`, async () => {
        await rolledBack(db.pool, async (client) => {
          await becomeActor(client, actor());
          const refused = await failsWith(client, 'select public.open_meeting_conversation($1)', [db.cast.meeting]);
          assert.equal(refused.code, '42501');
          await becomeOwner(client);
          const { rows } = await client.query(
            'select count(*)::int as n from public.conversations where meeting_id = $1',
            [db.cast.meeting],
          );
          assert.equal(rows[0].n, 0);
        });
      });
    }

    it('an unknown meeting is refused like a stranger one', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const refused = await failsWith(client, 'select public.open_meeting_conversation(gen_random_uuid())');
        assert.equal(refused.code, '42501');
        assert.match(refused.message, /Only the meeting's participants can open its chat/);
      });
    });

    it('a participant who leaves loses the chat, cannot open it, and gets it back on joining again', async () => {
      await rolledBack(db.pool, async (client) => {
        const chat = await open(client, user(db.cast.member));
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.join_meeting($1)', [db.cast.meeting]);
        assert.equal(await canUse(client, user(db.cast.otherMember), chat.id), true);
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.leave_meeting($1)', [db.cast.meeting]);
        assert.equal(await canUse(client, user(db.cast.otherMember), chat.id), false, 'lost after leaving');
        await becomeActor(client, user(db.cast.otherMember));
        const refused = await failsWith(client, 'select public.open_meeting_conversation($1)', [db.cast.meeting]);
        assert.equal(refused.code, '42501');
        assert.match(refused.message, /left this meeting/);
        await client.query('select public.join_meeting($1)', [db.cast.meeting]);
        assert.equal(await canUse(client, user(db.cast.otherMember), chat.id), true, 'back after joining');
        assert.deepEqual(await membersOf(client, chat.id), [
          `${db.cast.member}:owner`,
          `${db.cast.otherMember}:member`,
        ]);
      });
    });

    it('a chat created after someone left does not include them', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.join_meeting($1)', [db.cast.meeting]);
        await client.query('select public.leave_meeting($1)', [db.cast.meeting]);
        const chat = await open(client, user(db.cast.member));
        assert.deepEqual(await membersOf(client, chat.id), [`${db.cast.member}:owner`]);
      });
    });

    it('a participant the host removes loses the chat (existing trigger)', async () => {
      await rolledBack(db.pool, async (client) => {
        const chat = await open(client, user(db.cast.member));
        await becomeActor(client, user(db.cast.member));
        const { rowCount } = await client.query(
          'delete from public.meeting_participants where meeting_id = $1 and user_id = $2',
          [db.cast.meeting, db.cast.otherMember],
        );
        assert.equal(rowCount, 1);
        assert.equal(await canUse(client, user(db.cast.otherMember), chat.id), false);
        assert.deepEqual(await membersOf(client, chat.id), [`${db.cast.member}:owner`]);
      });
    });
  });

  describe('send_meeting_reaction', () => {
    const topic = () => `meeting:${db.cast.meeting}`;

    async function react(client: pg.ClientBase, actor: Actor, reaction: unknown = '🎉') {
      await becomeActor(client, actor);
      return failsWith(client, 'select public.send_meeting_reaction(meeting_id => $1, reaction => $2)', [
        db.cast.meeting,
        reaction,
      ]).catch((error: unknown) => error);
    }

    /** Writes to public tables other than the rate-limit counters, within this transaction. */
    async function publicWrites(client: pg.ClientBase): Promise<number> {
      await becomeOwner(client);
      const { rows } = await client.query(
        `select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int as n from pg_stat_xact_user_tables
         where schemaname = 'public' and relname <> 'rate_limit_counters'`,
      );
      return rows[0].n as number;
    }

    for (const [who, sender] of [
      ['the host', () => db.cast.member],
      ['an invited participant', () => db.cast.otherMember],
    ] as const) {
      it(`${who} broadcasts event live_reaction on meeting:<id> naming themself; nothing stored`, async () => {
        await rolledBack(db.pool, async (client) => {
          const before = await publicWrites(client);
          await becomeActor(client, user(sender()));
          await client.query('select public.send_meeting_reaction(meeting_id => $1, reaction => $2)', [
            db.cast.meeting,
            '👏',
          ]);
          const after = await publicWrites(client);
          const rows = await broadcasts(client, topic(), 'live_reaction');
          assert.equal(rows.length, 1);
          const row = rows[0]!;
          assert.equal(row.private, true);
          assert.equal(row.payload['meeting_id'], db.cast.meeting);
          assert.equal(row.payload['user_id'], sender());
          assert.equal(row.payload['reaction'], '👏');
          assert.equal(typeof row.payload['sent_at'], 'string');
          assert.equal(after, before, 'no public table written besides the counter');
        });
      });
    }

    it('a client cannot name another sender', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const forged = await failsWith(
          client,
          'select public.send_meeting_reaction(meeting_id => $1, reaction => $2, user_id => $3)',
          [db.cast.meeting, '👍', db.cast.otherMember],
        );
        assert.equal(forged.code, '42883');
      });
    });

    for (const [who, actor, code] of [
      ['an outsider', () => user(db.cast.outsider), '42501'],
      ['anon', () => anon, '42501'],
    ] as const) {
      it(`${who} is refused (${code}) and nothing is broadcast`, async () => {
        await rolledBack(db.pool, async (client) => {
          const refused = (await react(client, actor())) as { code: string };
          assert.equal(refused.code, code);
          await becomeOwner(client);
          assert.equal((await broadcasts(client, topic(), 'live_reaction')).length, 0);
        });
      });
    }

    it('a participant who left is refused', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.join_meeting($1)', [db.cast.meeting]);
        await client.query('select public.leave_meeting($1)', [db.cast.meeting]);
        const refused = (await react(client, user(db.cast.otherMember))) as { code: string; message: string };
        assert.equal(refused.code, '42501');
        assert.match(refused.message, /Only the meeting's participants can send reactions/);
      });
    });

    it('an ended meeting refuses reactions with a clear message', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query(`update public.meetings set status = 'ended' where id = $1`, [db.cast.meeting]);
        const refused = (await react(client, user(db.cast.otherMember))) as { code: string; message: string };
        assert.equal(refused.code, '22023');
        assert.equal(refused.message, 'This meeting has ended');
        await becomeOwner(client);
        assert.equal((await broadcasts(client, topic(), 'live_reaction')).length, 0);
      });
    });

    it('over the reaction rate limit: PT429 naming the limit, and the earlier ones went out', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeOwner(client);
        await client.query(`update public.rate_limits set max_per_minute = 2 where action = 'reaction'`);
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.send_meeting_reaction($1, $2)', [db.cast.meeting, '👍']);
        await client.query('select public.send_meeting_reaction($1, $2)', [db.cast.meeting, '👍']);
        const refused = (await react(client, user(db.cast.otherMember), '👍')) as { code: string; message: string };
        assert.equal(refused.code, 'PT429');
        assert.equal(refused.message, 'Rate limit exceeded: at most 2 reactions a minute');
        await becomeOwner(client);
        assert.equal((await broadcasts(client, topic(), 'live_reaction')).length, 2);
        // Per user: the host still has the whole budget.
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.send_meeting_reaction($1, $2)', [db.cast.meeting, '👍']);
      });
    });

    for (const bad of [null, '', 'a b', 'x'.repeat(17), 'tab\there', 'x\u007f']) {
      it(`an invalid reaction (${JSON.stringify(bad)}) is refused with 22023`, async () => {
        await rolledBack(db.pool, async (client) => {
          const refused = (await react(client, user(db.cast.member), bad)) as { code: string };
          assert.equal(refused.code, '22023');
        });
      });
    }
  });
});
