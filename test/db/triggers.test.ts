/**
 * Triggers: last message, unread counts derived from read positions (no per-member writes per
 * message), reading, edits and soft deletes, the send rate limit, retried ids, updated_at, and
 * the Broadcast-from-Database rows each change emits.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { becomeActor, becomeOwner, broadcasts, failsWith, rolledBack, user } from './sql.js';

describe('database triggers', () => {
  const db = useCastDatabase();

  /** The member's own view: my_conversations() as that user; back to the owner afterwards. */
  const unreadOf = async (client: pg.ClientBase, userId: string) => {
    await becomeActor(client, user(userId));
    const { rows } = await client.query<{ unread_count: number; last_read_at: Date | null }>(
      'select unread_count, last_read_at from public.my_conversations(conversation_id => $1)',
      [db.cast.conversation],
    );
    await becomeOwner(client);
    return rows[0]!;
  };

  /** Rows of the table written by the current transaction (their xmin is its id). */
  const writtenHere = async (client: pg.ClientBase, table: string, where = 'true', params: unknown[] = []) =>
    Number(
      (
        await client.query<{ count: string }>(
          `select count(*) from ${table} where xmin::text = (pg_current_xact_id()::text::numeric % 4294967296)::text and ${where}`,
          params,
        )
      ).rows[0]!.count,
    );

  const send = async (client: pg.ClientBase, body: string, id: string = randomUUID()) =>
    (
      await client.query<{ id: string; created_at: Date; body: string }>(
        `insert into public.messages (id, conversation_id, body) values ($1, $2, $3)
         on conflict (id) do nothing returning id, created_at, body`,
        [id, db.cast.conversation, body],
      )
    ).rows[0];

  describe('a new message', () => {
    it('updates last_message_at / preview; the unread count of every other member follows, no member row is written', async () => {
      await rolledBack(db.pool, async (client) => {
        const before = {
          sender: await unreadOf(client, db.cast.member),
          other: await unreadOf(client, db.cast.otherMember),
        };
        await becomeActor(client, user(db.cast.member));
        const sent = await send(client, '  Boarding now,\n see you   soon  ');
        await becomeOwner(client);

        const conversation = (
          await client.query('select last_message_at, last_message_preview from public.conversations where id = $1', [
            db.cast.conversation,
          ])
        ).rows[0];
        assert.equal(sent!.body, 'Boarding now,\n see you   soon', 'stored trimmed');
        assert.equal(conversation.last_message_at.getTime(), sent!.created_at.getTime());
        assert.equal(conversation.last_message_preview, 'Boarding now, see you soon');
        assert.equal(await writtenHere(client, 'public.conversation_members'), 0, 'no member row written');
        assert.equal((await unreadOf(client, db.cast.otherMember)).unread_count, before.other.unread_count + 1);
        assert.equal((await unreadOf(client, db.cast.member)).unread_count, before.sender.unread_count);
      });
    });

    it('counts live messages from others after the read position (or joining), not deleted ones', async () => {
      await rolledBack(db.pool, async (client) => {
        await client.query(
          `update public.conversation_members set last_read_at = now() - interval '1 hour'
           where conversation_id = $1 and user_id = $2`,
          [db.cast.conversation, db.cast.otherMember],
        );
        const baseline = (await unreadOf(client, db.cast.otherMember)).unread_count;
        // A direct import may keep its times: two before the read position, three after.
        await client.query(
          `insert into public.messages (conversation_id, sender_id, body, created_at)
           select $1::uuid, $2::uuid, 'old ' || n, now() - interval '2 hours' + n * interval '1 minute' from generate_series(1, 2) n
           union all
           select $1::uuid, $2::uuid, 'new ' || n, now() - interval '30 minutes' + n * interval '1 minute' from generate_series(1, 3) n`,
          [db.cast.conversation, db.cast.member],
        );
        assert.equal((await unreadOf(client, db.cast.otherMember)).unread_count, baseline + 3);
        await becomeActor(client, user(db.cast.member));
        await client.query(`update public.messages set deleted_at = now() where body = 'new 1'`);
        await becomeActor(client, user(db.cast.otherMember));
        await send(client, 'their own');
        await becomeOwner(client);
        assert.equal(
          (await unreadOf(client, db.cast.otherMember)).unread_count,
          baseline + 2,
          'deleted and own not counted',
        );
      });
    });

    it('my_conversations() answers only about the caller, and nothing to the anonymous', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.outsider));
        const outsider = await client.query('select * from public.my_conversations(conversation_id => $1)', [
          db.cast.conversation,
        ]);
        assert.equal(outsider.rowCount, 0);
        await becomeActor(client, user(db.cast.member));
        const mine = await client.query<{ id: string; role: string }>('select id, role from public.my_conversations()');
        assert.deepEqual(mine.rows, [{ id: db.cast.conversation, role: 'owner' }]);
        await becomeActor(client, { kind: 'anon' });
        const error = await failsWith(client, 'select * from public.my_conversations()');
        assert.equal(error.code, '42501');
      });
    });

    it('ignores a client-supplied created_at', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const { rows } = await client.query(
          `insert into public.messages (conversation_id, body, created_at) values ($1, 'time travel', '2001-01-01')
           returning created_at, (created_at = now()) as is_server_time`,
          [db.cast.conversation],
        );
        assert.equal(rows[0].is_server_time, true);
      });
    });

    it('is broadcast as event "message" on conversation:<id> with the broadcast_changes payload', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const sent = await send(client, 'Broadcast me');
        await becomeOwner(client);
        const rows = (await broadcasts(client, `conversation:${db.cast.conversation}`, 'message')).filter(
          (row) => row.payload.record?.['id'] === sent!.id,
        );
        assert.equal(rows.length, 1);
        const [row] = rows;
        assert.equal(row!.private, true);
        assert.deepEqual(Object.keys(row!.payload).sort(), [
          'id',
          'old_record',
          'operation',
          'record',
          'schema',
          'table',
        ]);
        assert.equal(row!.payload.id, row!.id, 'payload.id is the realtime.messages id');
        assert.equal(row!.payload.operation, 'INSERT');
        assert.equal(row!.payload.schema, 'public');
        assert.equal(row!.payload.table, 'messages');
        assert.equal(row!.payload.old_record, null);
        assert.equal(row!.payload.record!['body'], 'Broadcast me');
        assert.equal(row!.payload.record!['sender_id'], db.cast.member);
        assert.equal(row!.payload.record!['conversation_id'], db.cast.conversation);
      });
    });

    it('writes one realtime.messages row, its own broadcast, and no "unread" notice per member', async () => {
      await rolledBack(db.pool, async (client) => {
        // realtime.send writes in a subtransaction of its own, so count rows rather than xmin.
        const count = async () =>
          Number((await client.query<{ count: string }>('select count(*) from realtime.messages')).rows[0]!.count);
        const before = await count();
        await becomeActor(client, user(db.cast.member));
        await send(client, 'Ping');
        await becomeOwner(client);
        assert.equal((await count()) - before, 1);
        assert.equal((await broadcasts(client, `user:${db.cast.otherMember}`, 'unread')).length, 0);
      });
    });
  });

  describe('mark_conversation_read', () => {
    it('stamps last_read_at, zeroes the unread count, broadcasts "read" and the reader\'s own "unread"', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await send(client, 'Unread one');
        await becomeOwner(client);
        assert.ok((await unreadOf(client, db.cast.otherMember)).unread_count > 0);
        await becomeActor(client, user(db.cast.otherMember));
        await client.query('select public.mark_conversation_read(conversation_id => $1)', [db.cast.conversation]);
        const { rows } = await client.query('select now() as now');
        await becomeOwner(client);

        const state = await unreadOf(client, db.cast.otherMember);
        assert.equal(state.unread_count, 0);
        assert.equal(state.last_read_at!.getTime(), rows[0].now.getTime());

        const read = (await broadcasts(client, `conversation:${db.cast.conversation}`, 'read')).find(
          (row) => row.payload['user_id'] === db.cast.otherMember,
        )!;
        assert.equal(read.payload['conversation_id'], db.cast.conversation);
        assert.equal(read.payload['user_id'], db.cast.otherMember);
        assert.equal(new Date(read.payload['last_read_at'] as string).getTime(), rows[0].now.getTime());
        const reset = (await broadcasts(client, `user:${db.cast.otherMember}`, 'unread')).filter(
          (row) => row.payload['unread_count'] === 0 && row.payload['conversation_id'] === db.cast.conversation,
        );
        assert.equal(reset.length, 1);
        assert.equal(reset[0]!.private, true);
        assert.equal(reset[0]!.payload['last_message_preview'], 'Unread one');
        assert.ok(reset[0]!.payload['last_message_at']);
        assert.equal((await broadcasts(client, `user:${db.cast.member}`, 'unread')).length, 0, 'only the reader');
      });
    });
  });

  describe('edits and soft deletes', () => {
    it('an edit stamps edited_at, refreshes the preview and broadcasts UPDATE with the old row', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const sent = await send(client, 'Tpyo');
        await client.query(`update public.messages set body = 'Typo fixed' where id = $1`, [sent!.id]);
        await becomeOwner(client);
        const { rows } = await client.query('select body, edited_at from public.messages where id = $1', [sent!.id]);
        assert.equal(rows[0].body, 'Typo fixed');
        assert.ok(rows[0].edited_at);
        const preview = await client.query('select last_message_preview from public.conversations where id = $1', [
          db.cast.conversation,
        ]);
        assert.equal(preview.rows[0].last_message_preview, 'Typo fixed');
        const update = (await broadcasts(client, `conversation:${db.cast.conversation}`, 'message')).find(
          (row) => row.payload.operation === 'UPDATE' && row.payload.record?.['id'] === sent!.id,
        )!;
        assert.equal(update.payload.old_record!['body'], 'Tpyo');
        assert.equal(update.payload.record!['body'], 'Typo fixed');
      });
    });

    it('a soft delete empties the body, stamps deleted_at, and the message cannot change again', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const sent = await send(client, 'Oops, wrong chat');
        await client.query(`update public.messages set deleted_at = '1999-01-01' where id = $1`, [sent!.id]);
        const { rows } = await client.query(
          'select body, deleted_at, (deleted_at = now()) as server_time from public.messages where id = $1',
          [sent!.id],
        );
        assert.equal(rows[0].body, '');
        assert.equal(rows[0].server_time, true);
        const error = await failsWith(client, `update public.messages set body = 'Back again' where id = $1`, [
          sent!.id,
        ]);
        assert.equal(error.code, '22023');
        assert.match(error.message, /deleted message cannot be changed/);
        const preview = await client.query('select last_message_preview from public.conversations where id = $1', [
          db.cast.conversation,
        ]);
        assert.equal(preview.rows[0].last_message_preview, '');
      });
    });
  });

  describe('rate limit', () => {
    it('allows message_rate_limit() messages a minute, then fails with PT429 and a clear message', async () => {
      await rolledBack(db.pool, async (client) => {
        const limit = (await client.query('select public.message_rate_limit() as limit')).rows[0].limit as number;
        assert.equal(limit, 30);
        await becomeActor(client, user(db.cast.otherMember));
        const ids: string[] = [];
        for (let i = 1; i <= limit; i++) ids.push((await send(client, `message ${i}`))!.id);
        const error = await failsWith(
          client,
          `insert into public.messages (conversation_id, body) values ($1, 'one too many')`,
          [db.cast.conversation],
        );
        assert.equal(error.code, 'PT429');
        assert.equal(error.message, 'Rate limit exceeded: at most 30 messages a minute');

        // A retry of an already stored message is still a silent no-op, not a 429.
        assert.equal(await send(client, 'message 1', ids[0]), undefined);
        // Other senders are not affected.
        await becomeActor(client, user(db.cast.member));
        assert.ok(await send(client, 'still fine'));
      });
    });
  });

  describe('a retried send with the same id', () => {
    it('stores, counts and broadcasts the message once', async () => {
      await rolledBack(db.pool, async (client) => {
        const id = randomUUID();
        const before = (await unreadOf(client, db.cast.otherMember)).unread_count;
        await becomeActor(client, user(db.cast.member));
        assert.ok(await send(client, 'Sent twice?', id));
        assert.equal(await send(client, 'Sent twice?', id), undefined);
        await becomeOwner(client);
        assert.equal((await client.query('select 1 from public.messages where id = $1', [id])).rowCount, 1);
        assert.equal((await unreadOf(client, db.cast.otherMember)).unread_count, before + 1);
        const rows = (await broadcasts(client, `conversation:${db.cast.conversation}`, 'message')).filter(
          (row) => row.payload.record?.['id'] === id,
        );
        assert.equal(rows.length, 1);
      });
    });
  });

  describe('reactions', () => {
    it('are broadcast as event "reaction" on the conversation topic, INSERT and DELETE', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        await client.query(`insert into public.message_reactions (message_id, emoji) values ($1, '❤️')`, [
          db.cast.message,
        ]);
        await client.query(`delete from public.message_reactions where message_id = $1 and emoji = '❤️'`, [
          db.cast.message,
        ]);
        await becomeOwner(client);
        const rows = (await broadcasts(client, `conversation:${db.cast.conversation}`, 'reaction')).filter(
          (row) => (row.payload.record ?? row.payload.old_record)?.['emoji'] === '❤️',
        );
        const inserted = rows.filter((row) => row.payload.operation === 'INSERT');
        const deleted = rows.filter((row) => row.payload.operation === 'DELETE');
        assert.equal(inserted.length, 1);
        assert.equal(deleted.length, 1);
        assert.equal(inserted[0]!.payload.table, 'message_reactions');
        assert.equal(inserted[0]!.payload.record!['user_id'], db.cast.otherMember);
        assert.equal(deleted[0]!.payload.record, null);
        assert.equal(deleted[0]!.payload.old_record!['message_id'], db.cast.message);
      });
    });
  });

  describe('membership notices', () => {
    it('each member of a new conversation gets event "conversation" on user:<id>', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        const { rows } = await client.query(
          `select id from public.create_group_conversation(title => 'Pasalubong list', member_ids => array[$1, $2]::uuid[])`,
          [db.cast.otherMember, db.cast.spare],
        );
        await becomeOwner(client);
        for (const person of [db.cast.member, db.cast.otherMember, db.cast.spare]) {
          const notice = (await broadcasts(client, `user:${person}`, 'conversation')).find(
            (row) => row.payload['conversation_id'] === rows[0].id,
          );
          assert.ok(notice, `notice for ${person}`);
          assert.equal(notice.payload['kind'], 'group');
          assert.equal(notice.payload['title'], 'Pasalubong list');
        }
        const outsiderNotices = await broadcasts(client, `user:${db.cast.outsider}`, 'conversation');
        assert.equal(outsiderNotices.length, 0);
      });
    });
  });

  describe('meetings', () => {
    it('join, state changes and leave are broadcast as event "participant" on meeting:<id>', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.otherMember));
        const joined = (await client.query('select * from public.join_meeting(meeting_id => $1)', [db.cast.meeting]))
          .rows[0];
        assert.ok(joined.joined_at);
        assert.equal(joined.left_at, null);
        const state = (
          await client.query('select * from public.update_meeting_state(meeting_id => $1, is_muted => true)', [
            db.cast.meeting,
          ])
        ).rows[0];
        assert.equal(state.is_muted, true);
        assert.equal(state.is_video_on, false, 'null leaves a flag unchanged');
        await client.query('select public.leave_meeting(meeting_id => $1)', [db.cast.meeting]);
        await becomeOwner(client);

        const updates = (await broadcasts(client, `meeting:${db.cast.meeting}`, 'participant')).filter(
          (row) => row.payload.operation === 'UPDATE' && row.payload.record?.['user_id'] === db.cast.otherMember,
        );
        assert.equal(updates.length, 3);
        const changed = (column: string) =>
          updates.filter((row) => row.payload.record![column] !== row.payload.old_record![column]);
        assert.equal(changed('joined_at').length, 1);
        assert.equal(changed('is_muted').length, 1);
        assert.equal(changed('is_muted')[0]!.payload.record!['is_muted'], true);
        assert.equal(changed('left_at').length, 1);
        assert.ok(changed('left_at')[0]!.payload.record!['left_at']);
      });
    });

    it('status changes stamp the times and are broadcast as event "meeting"', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(db.cast.member));
        await client.query(`update public.meetings set status = 'live' where id = $1`, [db.cast.meeting]);
        const live = (
          await client.query('select started_at, ended_at from public.meetings where id = $1', [db.cast.meeting])
        ).rows[0];
        assert.ok(live.started_at);
        await client.query(`update public.meetings set status = 'ended' where id = $1`, [db.cast.meeting]);
        await becomeOwner(client);
        const rows = (await broadcasts(client, `meeting:${db.cast.meeting}`, 'meeting')).filter(
          (row) => row.payload.operation === 'UPDATE',
        );
        assert.deepEqual(rows.map((row) => row.payload.record!['status']).sort(), ['ended', 'live']);
        const ended = rows.find((row) => row.payload.record!['status'] === 'ended')!;
        assert.ok(ended.payload.record!['ended_at']);
        assert.equal(ended.payload.table, 'meetings');
      });
    });

    it("invited participants join the meeting's chat", async () => {
      await rolledBack(db.pool, async (client) => {
        const chat = (
          await client.query(
            `insert into public.conversations (kind, title, meeting_id) values ('meeting', 'Weekly sync', $1) returning id`,
            [db.cast.meeting],
          )
        ).rows[0].id as string;
        await becomeActor(client, user(db.cast.member));
        await client.query('select public.invite_to_meeting(meeting_id => $1, user_ids => array[$2]::uuid[])', [
          db.cast.meeting,
          db.cast.spare,
        ]);
        await becomeOwner(client);
        const members = await client.query<{ user_id: string; role: string }>(
          'select user_id, role from public.conversation_members where conversation_id = $1 order by role, user_id',
          [chat],
        );
        assert.deepEqual(
          members.rows.map((row) => row.user_id).sort(),
          [db.cast.member, db.cast.otherMember, db.cast.spare].sort(),
        );
        assert.equal(members.rows.find((row) => row.user_id === db.cast.member)!.role, 'owner');
      });
    });
  });

  describe('updated_at', () => {
    it('moves forward on every update of profiles, conversations, meetings and participants', async () => {
      await rolledBack(db.pool, async (client) => {
        await client.query(`update public.profiles set display_name = 'Maria S.' where id = $1`, [db.cast.member]);
        await client.query(`update public.conversations set title = 'Trip to Bohol' where id = $1`, [
          db.cast.conversation,
        ]);
        await client.query(`update public.meetings set title = 'Monthly sync' where id = $1`, [db.cast.meeting]);
        await client.query(`update public.meeting_participants set is_hand_raised = true where meeting_id = $1`, [
          db.cast.meeting,
        ]);
        const { rows } = await client.query(`
          select bool_and(updated_at = now()) as current from (
            select updated_at from public.profiles where display_name = 'Maria S.'
            union all select updated_at from public.conversations where title = 'Trip to Bohol'
            union all select updated_at from public.meetings where title = 'Monthly sync'
            union all select updated_at from public.meeting_participants where is_hand_raised
          ) touched`);
        assert.equal(rows[0].current, true);
      });
    });
  });

  describe("Supabase's realtime functions", () => {
    it('realtime.send refused by RLS only warns (WarnSendingBroadcastMessage) and the caller carries on', async () => {
      const warnings: string[] = [];
      await rolledBack(db.pool, async (client) => {
        const listen = (notice: { severity?: string; message?: string }) =>
          warnings.push(`${notice.severity}: ${notice.message}`);
        client.on('notice', listen);
        try {
          await becomeActor(client, user(db.cast.outsider));
          await client.query(`select realtime.send('{"hello": 1}'::jsonb, 'poke', $1)`, [`user:${db.cast.member}`]);
          assert.equal((await client.query('select 1 as still_working')).rows[0].still_working, 1);
          await becomeOwner(client);
          assert.equal((await broadcasts(client, `user:${db.cast.member}`, 'poke')).length, 0);
        } finally {
          client.off('notice', listen);
        }
      });
      assert.deepEqual(warnings, [
        'WARNING: WarnSendingBroadcastMessage: new row violates row-level security policy for table "messages"',
      ]);
    });

    it('realtime.send keeps a payload id, sets realtime.topic, and send_binary stores bytes', async () => {
      await rolledBack(db.pool, async (client) => {
        await client.query(`select realtime.send('{"id": "mine"}'::jsonb, 'custom', 'conversation:x', false)`);
        const { rows } = await client.query(
          `select payload, private, current_setting('realtime.topic') as topic from realtime.messages where event = 'custom'`,
        );
        assert.deepEqual(rows[0].payload, { id: 'mine' });
        assert.equal(rows[0].private, false);
        assert.equal(rows[0].topic, 'conversation:x');
        await client.query(`select realtime.send_binary('\\x0102'::bytea, 'bin', 'conversation:x')`);
        const binary = await client.query(`select binary_payload, payload from realtime.messages where event = 'bin'`);
        assert.deepEqual(binary.rows[0].binary_payload, Buffer.from([1, 2]));
        assert.equal(binary.rows[0].payload, null);
      });
    });

    it('realtime.broadcast_changes refuses statement level and unknown operations', async () => {
      await rolledBack(db.pool, async (client) => {
        const statement = await failsWith(
          client,
          `select realtime.broadcast_changes('t', 'e', 'INSERT', 'x', 'public', null, null, 'STATEMENT')`,
        );
        assert.match(statement.message, /^Failed to process the row: function can only be triggered for each row/);
        const operation = await failsWith(
          client,
          `select realtime.broadcast_changes('t', 'e', 'TRUNCATE', 'x', 'public', null, null)`,
        );
        assert.equal(operation.message, 'Failed to process the row: Unexpected operation type: TRUNCATE');
      });
    });

    it('messages and conversations are in supabase_realtime, messages with a full replica identity; realtime.messages in its own publication', async () => {
      const { rows } = await db.pool.query(`
        select pubname, schemaname || '.' || tablename as name from pg_publication_tables
        where pubname in ('supabase_realtime', 'supabase_realtime_messages_publication') order by 1, 2`);
      assert.deepEqual(rows, [
        { pubname: 'supabase_realtime', name: 'public.conversations' },
        { pubname: 'supabase_realtime', name: 'public.messages' },
        { pubname: 'supabase_realtime_messages_publication', name: 'realtime.messages' },
      ]);
      const identity = await db.pool.query(`select relreplident from pg_class where oid = 'public.messages'::regclass`);
      assert.equal(identity.rows[0].relreplident, 'f');
    });
  });
});
