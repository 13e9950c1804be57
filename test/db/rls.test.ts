/**
 * Row-level security matrix: every public table × {anon, outsider, member, other member,
 * service_role} × {select, insert, update, delete}, each run as PostgREST runs a request
 * (transaction, local role and JWT claims) and rolled back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase, type Cast } from './fixture.js';
import { anon, asActor, serviceRole, user, type Actor } from './sql.js';

type ActorName = 'anon' | 'outsider' | 'member' | 'otherMember' | 'service_role';
type Operation = 'select' | 'insert' | 'update' | 'delete';
type Expected = 'allow' | 'deny';

/** One SQL probe per operation; `$1` is the acting user's id (null for anon / service_role). */
interface TableProbes {
  table: string;
  probes: Record<Operation, (cast: Cast) => { sql: string; params: unknown[] }>;
  expected: Record<Operation, Record<ActorName, Expected>>;
}

const A: Expected = 'allow';
const D: Expected = 'deny';
const row = (anon: Expected, outsider: Expected, member: Expected, otherMember: Expected, service: Expected) => ({
  anon,
  outsider,
  member,
  otherMember,
  service_role: service,
});

const matrix: TableProbes[] = [
  {
    table: 'profiles',
    probes: {
      select: (c) => ({ sql: 'select 1 from public.profiles where id = $1', params: [c.member] }),
      insert: (c) => ({
        sql: `insert into public.profiles (id, display_name) values ($1, 'Someone')`,
        params: [c.withoutProfile],
      }),
      update: (c) => ({ sql: `update public.profiles set display_name = 'Renamed' where id = $1`, params: [c.member] }),
      delete: (c) => ({ sql: 'delete from public.profiles where id = $1', params: [c.member] }),
    },
    expected: {
      // Visible to oneself and to those who share a conversation or meeting; not to a stranger.
      select: row(D, D, A, A, A),
      insert: row(D, D, D, D, A),
      update: row(D, D, A, D, A),
      delete: row(D, D, D, D, A),
    },
  },
  {
    table: 'conversations',
    probes: {
      select: (c) => ({ sql: 'select 1 from public.conversations where id = $1', params: [c.conversation] }),
      insert: () => ({
        sql: `insert into public.conversations (kind, title) values ('group', 'Direct insert')`,
        params: [],
      }),
      update: (c) => ({
        sql: `update public.conversations set title = 'Renamed' where id = $1`,
        params: [c.conversation],
      }),
      delete: (c) => ({ sql: 'delete from public.conversations where id = $1', params: [c.conversation] }),
    },
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, D, D, A),
      update: row(D, D, A, D, A),
      delete: row(D, D, A, D, A),
    },
  },
  {
    table: 'conversation_members',
    probes: {
      select: (c) => ({
        sql: 'select 1 from public.conversation_members where conversation_id = $1 and user_id = $2',
        params: [c.conversation, c.otherMember],
      }),
      insert: (c) => ({
        sql: `insert into public.conversation_members (conversation_id, user_id) values ($1, $2)`,
        params: [c.conversation, c.spare],
      }),
      update: (c) => ({
        sql: 'update public.conversation_members set unread_count = 5 where conversation_id = $1 and user_id = $2',
        params: [c.conversation, c.otherMember],
      }),
      delete: (c) => ({
        sql: 'delete from public.conversation_members where conversation_id = $1 and user_id = $2',
        params: [c.conversation, c.otherMember],
      }),
    },
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, A, D, A),
      update: row(D, D, D, D, A),
      // The owner may remove a member; a member may leave.
      delete: row(D, D, A, A, A),
    },
  },
  {
    table: 'messages',
    probes: {
      select: (c) => ({ sql: 'select 1 from public.messages where id = $1', params: [c.message] }),
      // service_role has no auth.uid(): it names the sender (a member) explicitly.
      insert: (c) => ({
        sql: `insert into public.messages (conversation_id, sender_id, body)
              values ($1, coalesce(auth.uid(), $2::uuid), 'A new message')`,
        params: [c.conversation, c.member],
      }),
      update: (c) => ({ sql: `update public.messages set body = 'Edited' where id = $1`, params: [c.message] }),
      delete: (c) => ({ sql: 'delete from public.messages where id = $1', params: [c.message] }),
    },
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, A, A, A),
      update: row(D, D, A, D, A),
      delete: row(D, D, D, D, A),
    },
  },
  {
    table: 'message_reactions',
    probes: {
      select: (c) => ({
        sql: `select 1 from public.message_reactions where message_id = $1 and user_id = $2 and emoji = '👍'`,
        params: [c.message, c.member],
      }),
      insert: (c) => ({
        sql: `insert into public.message_reactions (message_id, user_id, emoji) values ($1, coalesce(auth.uid(), $2::uuid), '🎉')`,
        params: [c.message, c.otherMember],
      }),
      update: (c) => ({
        sql: `update public.message_reactions set emoji = '🔥' where message_id = $1 and user_id = $2`,
        params: [c.message, c.member],
      }),
      delete: (c) => ({
        sql: 'delete from public.message_reactions where message_id = $1 and user_id = $2',
        params: [c.message, c.member],
      }),
    },
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, A, A, A),
      update: row(D, D, D, D, A),
      delete: row(D, D, A, D, A),
    },
  },
  {
    table: 'meetings',
    probes: {
      select: (c) => ({ sql: 'select 1 from public.meetings where id = $1', params: [c.meeting] }),
      insert: (c) => ({
        sql: `insert into public.meetings (title, host_id) values ('Standup', coalesce(auth.uid(), $1::uuid))`,
        params: [c.member],
      }),
      update: (c) => ({ sql: `update public.meetings set title = 'Renamed' where id = $1`, params: [c.meeting] }),
      delete: (c) => ({ sql: 'delete from public.meetings where id = $1', params: [c.meeting] }),
    },
    expected: {
      select: row(D, D, A, A, A),
      // Any signed-in user may host a meeting of their own.
      insert: row(D, A, A, A, A),
      update: row(D, D, A, D, A),
      delete: row(D, D, A, D, A),
    },
  },
  {
    table: 'meeting_participants',
    probes: {
      select: (c) => ({
        sql: 'select 1 from public.meeting_participants where meeting_id = $1 and user_id = $2',
        params: [c.meeting, c.otherMember],
      }),
      insert: (c) => ({
        sql: 'insert into public.meeting_participants (meeting_id, user_id) values ($1, $2)',
        params: [c.meeting, c.spare],
      }),
      update: (c) => ({
        sql: 'update public.meeting_participants set is_muted = true where meeting_id = $1 and user_id = $2',
        params: [c.meeting, c.otherMember],
      }),
      delete: (c) => ({
        sql: 'delete from public.meeting_participants where meeting_id = $1 and user_id = $2',
        params: [c.meeting, c.otherMember],
      }),
    },
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, A, D, A),
      // Call state is one's own: not even the host changes someone else's.
      update: row(D, D, D, A, A),
      delete: row(D, D, A, D, A),
    },
  },
];

/** Configuration and bookkeeping the API never touches: only service_role (a backend) does. */
const serviceOnly = {
  select: row(D, D, D, D, A),
  insert: row(D, D, D, D, A),
  update: row(D, D, D, D, A),
  delete: row(D, D, D, D, A),
};

matrix.push(
  {
    table: 'rate_limits',
    probes: {
      select: () => ({ sql: `select 1 from public.rate_limits where action = 'edit'`, params: [] }),
      insert: () => ({
        sql: `insert into public.rate_limits (action, max_per_minute) values ('upload', 5)`,
        params: [],
      }),
      update: () => ({
        sql: `update public.rate_limits set max_per_minute = 100000 where action = 'edit'`,
        params: [],
      }),
      delete: () => ({ sql: `delete from public.rate_limits where action = 'typing'`, params: [] }),
    },
    expected: serviceOnly,
  },
  {
    table: 'rate_limit_counters',
    // The cast's member reacted once, so their reaction counter exists.
    probes: {
      select: (c) => ({
        sql: `select 1 from public.rate_limit_counters where user_id = $1 and action = 'reaction'`,
        params: [c.member],
      }),
      insert: (c) => ({
        sql: `insert into public.rate_limit_counters (user_id, action, window_start, hits) values ($1, 'edit', now(), 0)`,
        params: [c.member],
      }),
      update: (c) => ({
        sql: `update public.rate_limit_counters set hits = 0 where user_id = $1 and action = 'reaction'`,
        params: [c.member],
      }),
      delete: (c) => ({
        sql: `delete from public.rate_limit_counters where user_id = $1 and action = 'reaction'`,
        params: [c.member],
      }),
    },
    expected: serviceOnly,
  },
);

const actorNames: ActorName[] = ['anon', 'outsider', 'member', 'otherMember', 'service_role'];
const operations: Operation[] = ['select', 'insert', 'update', 'delete'];

function actorFor(name: ActorName, cast: Cast): Actor {
  if (name === 'anon') return anon;
  if (name === 'service_role') return serviceRole;
  return user(cast[name]);
}

/** Runs one probe and reports whether the operation took effect. */
async function attempt(client: pg.PoolClient, operation: Operation, sql: string, params: unknown[]): Promise<Expected> {
  await client.query('savepoint probe');
  try {
    const result = await client.query(sql, params);
    // RLS hides rows rather than failing for select / update / delete.
    if (operation === 'insert') return 'allow';
    return result.rowCount === 1 ? 'allow' : 'deny';
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42501: RLS or privilege refusal; anything else is a broken probe, not a denial.
    if (code === '42501') return 'deny';
    throw error;
  } finally {
    await client.query('rollback to savepoint probe');
  }
}

describe('RLS matrix', () => {
  const db = useCastDatabase();

  it('covers every table × actor × operation (180 cases)', () => {
    const cases = matrix.length * actorNames.length * operations.length;
    assert.equal(cases, 180);
    assert.deepEqual(matrix.map((entry) => entry.table).sort(), [
      'conversation_members',
      'conversations',
      'meeting_participants',
      'meetings',
      'message_reactions',
      'messages',
      'profiles',
      'rate_limit_counters',
      'rate_limits',
    ]);
  });

  it('has row level security enabled on every public table', async () => {
    const { rows } = await db.pool.query<{ relname: string }>(
      `select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' and not relrowsecurity`,
    );
    assert.deepEqual(rows, []);
  });

  for (const entry of matrix) {
    describe(entry.table, () => {
      for (const operation of operations) {
        for (const actorName of actorNames) {
          const expected = entry.expected[operation][actorName];
          it(`${actorName} ${operation} → ${expected}`, async () => {
            const { sql, params } = entry.probes[operation](db.cast);
            const outcome = await asActor(db.pool, actorFor(actorName, db.cast), (client) =>
              attempt(client, operation, sql, params),
            );
            assert.equal(outcome, expected);
          });
        }
      }
    });
  }
});
