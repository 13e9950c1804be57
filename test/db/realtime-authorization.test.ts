/**
 * Private channel authorization, probed the way Supabase Realtime does it
 * (lib/realtime/tenants/authorization.ex): in a transaction that is always rolled back, insert
 * probe rows as the connection owner, then with role, realtime.topic and JWT claims set select
 * them back (read = join / receive) and insert one under a savepoint (write = send / track;
 * 42501 → false).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createCast, type Cast } from './fixture.js';
import { anon, claimsOf, openPool, serviceRole, user, type Actor } from './sql.js';

type ActorName = 'anon' | 'outsider' | 'member' | 'otherMember' | 'service_role';

interface Permissions {
  read: boolean;
  write: boolean;
}

async function authorize(
  pool: pg.Pool,
  actor: Actor,
  topic: string,
  extension: 'broadcast' | 'presence' = 'broadcast',
): Promise<Permissions> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const probes = await client.query<{ id: string }>(
      `insert into realtime.messages (topic, extension) values ($1, $2), ($1, 'presence') returning id`,
      [topic, extension],
    );
    const claims = claimsOf(actor);
    await client.query(
      `select set_config('role', $1, true),
              set_config('realtime.topic', $2, true),
              set_config('request.jwt.claims', $3, true),
              set_config('request.jwt.claim.sub', $4, true),
              set_config('request.jwt.claim.role', $1, true),
              set_config('request.headers', '{}', true)`,
      [claims['role'], topic, JSON.stringify(claims), (claims['sub'] as string | undefined) ?? ''],
    );
    const visible = await client.query('select id from realtime.messages where id = $1', [probes.rows[0]!.id]);
    const read = visible.rowCount === 1;

    await client.query('savepoint write_probe');
    let write: boolean;
    try {
      await client.query(
        `insert into realtime.messages (topic, extension, inserted_at, updated_at) values ($1, $2, now(), now())`,
        [topic, extension],
      );
      write = true;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501') throw error;
      write = false;
    }
    await client.query('rollback to savepoint write_probe');
    return { read, write };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

describe('Realtime authorization on realtime.messages', () => {
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

  const actors: ActorName[] = ['anon', 'outsider', 'member', 'otherMember', 'service_role'];
  const actorFor = (name: ActorName): Actor =>
    name === 'anon' ? anon : name === 'service_role' ? serviceRole : user(cast[name]);

  const none: Permissions = { read: false, write: false };
  const both: Permissions = { read: true, write: true };
  const readOnly: Permissions = { read: true, write: false };

  const topicKinds: { kind: string; topic: (cast: Cast) => string; expected: Record<ActorName, Permissions> }[] = [
    {
      kind: 'conversation',
      topic: (c) => `conversation:${c.conversation}`,
      expected: { anon: none, outsider: none, member: both, otherMember: both, service_role: both },
    },
    {
      kind: 'conversation typing sub-topic',
      topic: (c) => `conversation:${c.conversation}:typing`,
      expected: { anon: none, outsider: none, member: both, otherMember: both, service_role: both },
    },
    {
      kind: 'meeting',
      topic: (c) => `meeting:${c.meeting}`,
      expected: { anon: none, outsider: none, member: both, otherMember: both, service_role: both },
    },
    {
      kind: "member's user topic",
      topic: (c) => `user:${c.member}`,
      // Only that user receives; the database is the only sender (service_role bypasses RLS).
      expected: { anon: none, outsider: none, member: readOnly, otherMember: none, service_role: both },
    },
  ];

  for (const { kind, topic, expected } of topicKinds) {
    describe(kind, () => {
      for (const actorName of actors) {
        const want = expected[actorName];
        it(`${actorName}: join ${want.read ? 'allowed' : 'refused'}, send ${want.write ? 'allowed' : 'refused'}`, async () => {
          assert.deepEqual(await authorize(pool, actorFor(actorName), topic(cast)), want);
        });
      }
    });
  }

  describe('presence uses the same rules', () => {
    it('a member may track presence on the meeting, an outsider may not', async () => {
      assert.deepEqual(await authorize(pool, user(cast.otherMember), `meeting:${cast.meeting}`, 'presence'), both);
      assert.deepEqual(await authorize(pool, user(cast.outsider), `meeting:${cast.meeting}`, 'presence'), none);
    });
  });

  describe('topics that do not name something the caller belongs to', () => {
    const malformed = (c: Cast) => [
      `conversation:${c.conversation.toUpperCase()}x`,
      `conversation:not-a-uuid`,
      `conversation:${c.conversation}:Typing!`,
      `conversation:${c.conversation}:typing:extra`,
      `meeting:${c.meeting}:typing`,
      `user:${c.member}:inbox`,
      `room:${c.conversation}`,
      `conversation:${c.meeting}`,
      '',
    ];
    it('are refused even to members', async () => {
      for (const topic of malformed(cast)) {
        assert.deepEqual(await authorize(pool, user(cast.member), topic), none, `topic ${JSON.stringify(topic)}`);
      }
    });

    it('a member leaving loses the conversation topic at the next check', async () => {
      const client = await pool.connect();
      try {
        await client.query('delete from public.conversation_members where conversation_id = $1 and user_id = $2', [
          cast.conversation,
          cast.otherMember,
        ]);
        assert.deepEqual(await authorize(pool, user(cast.otherMember), `conversation:${cast.conversation}`), none);
      } finally {
        await client.query(
          `insert into public.conversation_members (conversation_id, user_id) values ($1, $2) on conflict do nothing`,
          [cast.conversation, cast.otherMember],
        );
        client.release();
      }
    });
  });
});
