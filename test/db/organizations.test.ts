/**
 * Organisations (20250604030010) and their Realtime topic (20250604030020): the RLS matrix of
 * both tables and of `org:<id>` for anon / non-member / member / admin / service_role, run as
 * PostgREST and Realtime run them (transaction, local role and JWT claims, rolled back), and the
 * membership rules around it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { authorizeTopic, type TopicPermissions } from './realtime-probe.js';
import { anon, asActor, createAuthUser, serviceRole, sqlError, user, type Actor } from './sql.js';

type ActorName = 'anon' | 'nonMember' | 'member' | 'admin' | 'service_role';
type Operation = 'select' | 'insert' | 'update' | 'delete';
type Expected = 'allow' | 'deny';

interface Org {
  id: string;
  admin: string;
  member: string;
  /** A second plain member, the one the delete probe removes. */
  extra: string;
  nonMember: string;
  /** Open to contact, in no organisation: the one the insert probe adds. */
  reachable: string;
}

const A: Expected = 'allow';
const D: Expected = 'deny';
const row = (anon: Expected, nonMember: Expected, member: Expected, admin: Expected, service: Expected) => ({
  anon,
  nonMember,
  member,
  admin,
  service_role: service,
});

const matrix: {
  table: string;
  probes: Record<Operation, (org: Org) => { sql: string; params: unknown[] }>;
  expected: Record<Operation, Record<ActorName, Expected>>;
}[] = [
  {
    table: 'organizations',
    probes: {
      select: (o) => ({ sql: 'select 1 from public.organizations where id = $1', params: [o.id] }),
      insert: () => ({ sql: `insert into public.organizations (name) values ('Another team')`, params: [] }),
      update: (o) => ({ sql: `update public.organizations set name = 'Renamed' where id = $1`, params: [o.id] }),
      delete: (o) => ({ sql: 'delete from public.organizations where id = $1', params: [o.id] }),
    },
    // Members read it; only the backend creates, renames or deletes one.
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, D, D, A),
      update: row(D, D, D, D, A),
      delete: row(D, D, D, D, A),
    },
  },
  {
    table: 'organization_members',
    probes: {
      select: (o) => ({
        sql: 'select 1 from public.organization_members where organization_id = $1 and user_id = $2',
        params: [o.id, o.admin],
      }),
      insert: (o) => ({
        sql: `insert into public.organization_members (organization_id, user_id) values ($1, $2)`,
        params: [o.id, o.reachable],
      }),
      update: (o) => ({
        sql: `update public.organization_members set role = 'admin' where organization_id = $1 and user_id = $2`,
        params: [o.id, o.extra],
      }),
      delete: (o) => ({
        sql: 'delete from public.organization_members where organization_id = $1 and user_id = $2',
        params: [o.id, o.extra],
      }),
    },
    // Members see each other; admins manage membership.
    expected: {
      select: row(D, D, A, A, A),
      insert: row(D, D, D, A, A),
      update: row(D, D, D, A, A),
      delete: row(D, D, D, A, A),
    },
  },
];

const actorNames: ActorName[] = ['anon', 'nonMember', 'member', 'admin', 'service_role'];
const operations: Operation[] = ['select', 'insert', 'update', 'delete'];

function actorFor(name: ActorName, org: Org): Actor {
  if (name === 'anon') return anon;
  if (name === 'service_role') return serviceRole;
  return user(org[name]);
}

/** Runs one probe and reports whether the operation took effect (RLS hides rows rather than failing). */
async function attempt(client: pg.PoolClient, operation: Operation, sql: string, params: unknown[]): Promise<Expected> {
  await client.query('savepoint probe');
  try {
    const result = await client.query(sql, params);
    if (operation === 'insert') return 'allow';
    return result.rowCount === 1 ? 'allow' : 'deny';
  } catch (error) {
    // 42501: RLS or privilege refusal; anything else is a broken probe, not a denial.
    if ((error as { code?: string }).code === '42501') return 'deny';
    throw error;
  } finally {
    await client.query('rollback to savepoint probe');
  }
}

const none: TopicPermissions = {
  broadcastRead: false,
  broadcastWrite: false,
  presenceRead: false,
  presenceWrite: false,
};
/** Receive, and track presence; never broadcast (nothing a client broadcasts there is read). */
const presence: TopicPermissions = {
  broadcastRead: true,
  broadcastWrite: false,
  presenceRead: true,
  presenceWrite: true,
};
const everything: TopicPermissions = {
  broadcastRead: true,
  broadcastWrite: true,
  presenceRead: true,
  presenceWrite: true,
};

describe('organisations', () => {
  const db = useCastDatabase();
  let org: Org;

  before(async () => {
    const { cast, pool } = db;
    const extra = await createAuthUser(pool, { metadata: { display_name: 'Ella Extra' } });
    const { rows } = await pool.query<{ id: string }>(
      `insert into public.organizations (name) values ('Pasabay Support') returning id`,
    );
    const id = rows[0]!.id;
    await pool.query(
      `insert into public.organization_members (organization_id, user_id, role)
       values ($1, $2, 'admin'), ($1, $3, 'member'), ($1, $4, 'member')`,
      [id, cast.member, cast.otherMember, extra],
    );
    org = { id, admin: cast.member, member: cast.otherMember, extra, nonMember: cast.outsider, reachable: cast.spare };
  });

  describe('RLS matrix', () => {
    it('covers both tables × five actors × four operations (40 cases)', () => {
      assert.equal(matrix.length * actorNames.length * operations.length, 40);
    });

    for (const entry of matrix) {
      describe(entry.table, () => {
        for (const operation of operations) {
          for (const actorName of actorNames) {
            const expected = entry.expected[operation][actorName];
            it(`${actorName} ${operation} → ${expected}`, async () => {
              const { sql, params } = entry.probes[operation](org);
              const outcome = await asActor(db.pool, actorFor(actorName, org), (client) =>
                attempt(client, operation, sql, params),
              );
              assert.equal(outcome, expected);
            });
          }
        }
      });
    }
  });

  describe('membership rules', () => {
    it('a member may leave, but not remove someone else', async () => {
      await asActor(db.pool, user(org.member), async (client) => {
        const others = await client.query(
          'delete from public.organization_members where organization_id = $1 and user_id = $2',
          [org.id, org.extra],
        );
        assert.equal(others.rowCount, 0);
        const own = await client.query(
          'delete from public.organization_members where organization_id = $1 and user_id = $2',
          [org.id, org.member],
        );
        assert.equal(own.rowCount, 1);
      });
    });

    it('a member cannot make themself admin', async () => {
      await asActor(db.pool, user(org.member), async (client) => {
        const result = await client.query(
          `update public.organization_members set role = 'admin' where organization_id = $1 and user_id = $2`,
          [org.id, org.member],
        );
        assert.equal(result.rowCount, 0);
      });
    });

    it('an admin cannot add someone they cannot reach (42501, as for every other way of adding a person)', async () => {
      const error = await asActor(db.pool, user(org.admin), (client) =>
        sqlError(
          client.query('insert into public.organization_members (organization_id, user_id) values ($1, $2)', [
            org.id,
            org.nonMember,
          ]),
        ),
      );
      assert.equal(error.code, '42501');
    });

    it('nobody plants a join time; an admin may add another admin', async () => {
      const planted = await asActor(db.pool, user(org.admin), (client) =>
        sqlError(
          client.query(
            `insert into public.organization_members (organization_id, user_id, joined_at) values ($1, $2, '2000-01-01')`,
            [org.id, org.reachable],
          ),
        ),
      );
      assert.equal(planted.code, '42501');
      const role = await asActor(db.pool, user(org.admin), async (client) => {
        const { rows } = await client.query<{ role: string }>(
          `insert into public.organization_members (organization_id, user_id, role) values ($1, $2, 'admin') returning role`,
          [org.id, org.reachable],
        );
        return rows[0]!.role;
      });
      assert.equal(role, 'admin');
    });

    it('refuses a role outside member / admin', async () => {
      const error = await asActor(db.pool, user(org.admin), (client) =>
        sqlError(
          client.query(
            `update public.organization_members set role = 'owner' where organization_id = $1 and user_id = $2`,
            [org.id, org.extra],
          ),
        ),
      );
      assert.equal(error.code, '23514');
    });

    it('the last admin can neither leave nor step down, with a clear error; with a second admin they can', async () => {
      for (const sql of [
        'delete from public.organization_members where organization_id = $1 and user_id = $2',
        `update public.organization_members set role = 'member' where organization_id = $1 and user_id = $2`,
      ]) {
        const error = await asActor(db.pool, user(org.admin), (client) =>
          sqlError(client.query(sql, [org.id, org.admin])),
        );
        assert.equal(error.code, '23514', sql);
        assert.match(error.message, /at least one admin/);
      }
      const left = await asActor(db.pool, user(org.admin), async (client) => {
        await client.query(
          `update public.organization_members set role = 'admin' where organization_id = $1 and user_id = $2`,
          [org.id, org.extra],
        );
        const result = await client.query(
          'delete from public.organization_members where organization_id = $1 and user_id = $2',
          [org.id, org.admin],
        );
        return result.rowCount;
      });
      assert.equal(left, 1);
    });

    it('the backend may delete an organisation with its members', async () => {
      await asActor(db.pool, serviceRole, async (client) => {
        await client.query('delete from public.organizations where id = $1', [org.id]);
        const { rows } = await client.query<{ n: number }>(
          'select count(*)::int as n from public.organization_members where organization_id = $1',
          [org.id],
        );
        assert.equal(rows[0]!.n, 0);
      });
    });
  });

  describe('Realtime topic org:<id>', () => {
    const expected: Record<ActorName, TopicPermissions> = {
      anon: none,
      nonMember: none,
      member: presence,
      admin: presence,
      service_role: everything,
    };
    for (const actorName of actorNames) {
      it(`${actorName}: ${JSON.stringify(expected[actorName])}`, async () => {
        assert.deepEqual(await authorizeTopic(db.pool, actorFor(actorName, org), `org:${org.id}`), expected[actorName]);
      });
    }

    it('refuses malformed organisation topics and other ids even to members', async () => {
      const { cast } = db;
      const topics = [
        `org:${org.id.toUpperCase()}`,
        `org:${org.id}x`,
        `org:${org.id}:presence`,
        `org:${org.id}:typing`,
        `org:${cast.conversation}`,
        `org:${cast.meeting}`,
        `organization:${org.id}`,
        `org:`,
      ];
      for (const topic of topics) {
        assert.deepEqual(await authorizeTopic(db.pool, user(org.admin), topic), none, topic);
      }
    });

    it('follows organization_members at each check: a member added later gets it, a removed one loses it', async () => {
      const topic = `org:${org.id}`;
      assert.deepEqual(await authorizeTopic(db.pool, user(org.reachable), topic), none);
      await db.pool.query('insert into public.organization_members (organization_id, user_id) values ($1, $2)', [
        org.id,
        org.reachable,
      ]);
      try {
        assert.deepEqual(await authorizeTopic(db.pool, user(org.reachable), topic), presence);
      } finally {
        await db.pool.query('delete from public.organization_members where organization_id = $1 and user_id = $2', [
          org.id,
          org.reachable,
        ]);
      }
      assert.deepEqual(await authorizeTopic(db.pool, user(org.reachable), topic), none);
    });

    it('leaves the other topics as they were', async () => {
      const { cast } = db;
      assert.deepEqual(await authorizeTopic(db.pool, user(cast.member), `conversation:${cast.conversation}`), {
        ...none,
        broadcastRead: true,
      });
      assert.deepEqual(
        await authorizeTopic(db.pool, user(cast.otherMember), `meeting:${cast.meeting}:presence`),
        presence,
      );
      assert.deepEqual(await authorizeTopic(db.pool, user(cast.outsider), `user:${cast.member}`), none);
    });
  });
});
