/**
 * public.conversation_list: one page of the caller's conversations for
 * <pasabay-conversation-list>. Only the caller's memberships, newest activity first with a keyset,
 * the other member of a direct chat, derived unread counts, search by title and member name, and a
 * clear error for bad arguments. Reading it writes nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { anon, asActor, commitAsActor, createAuthUser, sqlError, sqlState, user } from './sql.js';

interface Row {
  id: string;
  kind: string;
  title: string | null;
  other_user_id: string | null;
  other_display_name: string | null;
  /** Text, as PostgREST sends it: a JS Date would cut the microseconds the keyset compares. */
  activity_at: string;
  last_message_preview: string | null;
  unread_count: number;
}

describe('conversation_list', () => {
  const db = useCastDatabase();

  const list = async (client: pg.ClientBase, args: Record<string, unknown> = {}) => {
    const names = Object.keys(args);
    const call = names.map((name, index) => `${name} => $${index + 1}`).join(', ');
    const { rows } = await client.query<Row>(
      `select *, activity_at::text as activity_at from public.conversation_list(${call})`,
      names.map((name) => args[name]),
    );
    return rows;
  };

  /** A conversation made by a backend (as the owner of the tables), with the given members. */
  const conversationOf = async (kind: 'group' | 'direct', title: string | null, members: string[]) => {
    const { rows } = await db.pool.query<{ id: string }>(
      `insert into public.conversations (kind, title, created_by) values ($1, $2, $3) returning id`,
      [kind, title, members[0]],
    );
    const id = rows[0]!.id;
    for (const member of members)
      await db.pool.query('insert into public.conversation_members (conversation_id, user_id) values ($1, $2)', [
        id,
        member,
      ]);
    return id;
  };

  const say = (sender: string, conversation: string, body: string) =>
    commitAsActor(db.pool, user(sender), (client) =>
      client.query('insert into public.messages (conversation_id, body) values ($1, $2)', [conversation, body]),
    );

  it('lists only the caller’s conversations, newest activity first, with unread counts and previews', async () => {
    const { member, otherMember, outsider, conversation } = db.cast;
    const later = await conversationOf('group', 'Later group', [member, otherMember]);
    await say(otherMember, later, 'first');
    await say(otherMember, later, 'second one');
    const rows = await asActor(db.pool, user(member), (client) => list(client));
    const ids = rows.map((row) => row.id);
    assert.ok(ids.indexOf(later) < ids.indexOf(conversation), 'the conversation with the newer message first');
    const row = rows.find((candidate) => candidate.id === later)!;
    assert.equal(row.unread_count, 2);
    assert.equal(row.last_message_preview, 'second one');
    const outsiders = await asActor(db.pool, user(outsider), (client) => list(client));
    assert.ok(!outsiders.some((candidate) => candidate.id === later || candidate.id === conversation));
    // Asking for another's conversations by id gives nothing either.
    const foreign = await asActor(db.pool, user(outsider), (client) =>
      list(client, { conversation_ids: [later, conversation] }),
    );
    assert.equal(foreign.length, 0);
  });

  it('names the other member of a direct chat, and not for groups', async () => {
    const { member, otherMember } = db.cast;
    const direct = await conversationOf('direct', null, [member, otherMember]);
    const rows = await asActor(db.pool, user(member), (client) => list(client, { conversation_ids: [direct] }));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.other_user_id, otherMember);
    assert.equal(rows[0]!.other_display_name, 'Carlos Reyes');
    const groups = await asActor(db.pool, user(member), (client) =>
      list(client, { conversation_ids: [db.cast.conversation] }),
    );
    assert.equal(groups[0]!.other_user_id, null);
  });

  it('pages with a keyset and loses or repeats no row', async () => {
    const owner = await createAuthUser(db.pool, { metadata: { display_name: 'Pager' } });
    const made = new Set<string>();
    for (let index = 0; index < 7; index++) made.add(await conversationOf('group', `Page ${index}`, [owner]));
    const seen: string[] = [];
    let cursor: { before_activity?: string; before_id?: string } = {};
    for (;;) {
      const rows = await asActor(db.pool, user(owner), (client) => list(client, { max_rows: 3, ...cursor }));
      seen.push(...rows.map((row) => row.id));
      if (rows.length < 3) break;
      const last = rows.at(-1)!;
      cursor = { before_activity: last.activity_at, before_id: last.id };
    }
    assert.equal(seen.length, 7);
    assert.deepEqual(new Set(seen), made);
  });

  it('finds by title or by another member’s name, with % and _ taken literally', async () => {
    const { member, otherMember } = db.cast;
    const zebra = await conversationOf('group', 'Zebra_crossing 100%', [member]);
    const withCarlos = await conversationOf('group', 'Quiet room', [member, otherMember]);
    const byTitle = await asActor(db.pool, user(member), (client) => list(client, { search: 'zebra_' }));
    assert.deepEqual(
      byTitle.map((row) => row.id),
      [zebra],
    );
    const percent = await asActor(db.pool, user(member), (client) => list(client, { search: '100%' }));
    assert.deepEqual(
      percent.map((row) => row.id),
      [zebra],
    );
    const wildcard = await asActor(db.pool, user(member), (client) => list(client, { search: '%' }));
    assert.deepEqual(
      wildcard.map((row) => row.id),
      [zebra],
    );
    const byName = await asActor(db.pool, user(member), (client) => list(client, { search: 'reyes' }));
    assert.ok(byName.some((row) => row.id === withCarlos));
    assert.ok(!byName.some((row) => row.id === zebra));
    // Her own name matches nothing: every conversation has her.
    const own = await asActor(db.pool, user(member), (client) => list(client, { search: 'Maria Santos' }));
    assert.equal(own.length, 0);
  });

  it('refuses bad arguments with a clear error and anon altogether', async () => {
    const { member } = db.cast;
    for (const [args, text] of [
      [{ max_rows: 0 }, 'max_rows'],
      [{ max_rows: 201 }, 'max_rows'],
      [{ before_id: randomUUID() }, 'go together'],
      [{ search: 'x'.repeat(201) }, 'search'],
      [{ conversation_ids: Array.from({ length: 201 }, () => randomUUID()) }, 'conversation_ids'],
    ] as const) {
      const error = await asActor(db.pool, user(member), (client) => sqlError(list(client, args)));
      assert.equal(error.code, '22023', JSON.stringify(args).slice(0, 60));
      assert.match(error.message, new RegExp(text));
    }
    assert.equal(await asActor(db.pool, anon, (client) => sqlState(list(client))), '42501');
  });

  it('writes nothing', async () => {
    const writes = async (client: pg.ClientBase) =>
      (
        await client.query<{ writes: number }>(
          `select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int as writes from pg_stat_xact_user_tables`,
        )
      ).rows[0]!.writes;
    await asActor(db.pool, user(db.cast.member), async (client) => {
      const before = await writes(client);
      await list(client, { search: 'a' });
      await list(client);
      assert.equal(await writes(client), before);
    });
  });
});
