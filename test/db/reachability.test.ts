/**
 * Who can see and reach whom. Profiles are visible to oneself, to people one shares a
 * conversation or meeting with, and when open_to_contact. Every way of putting someone into a
 * conversation or meeting (direct, group, external_ref, meeting invitation, direct member and
 * participant inserts) needs can_reach(): shared conversation or meeting, open_to_contact, or the
 * host app's hook. Strangers and unknown ids get the same 42501.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { useTestDatabase } from './fixture.js';
import { becomeActor, becomeOwner, createAuthUser, failsWith, rolledBack, user, type Actor } from './sql.js';

interface People {
  /** The caller in every test: owns a group and hosts a meeting. */
  caller: string;
  /** Shares nothing with the caller and is not open to contact. */
  stranger: string;
  /** Open to contact (a support agent). */
  open: string;
  /** Shares a conversation with the caller. */
  sharesConversation: string;
  /** Shares a meeting with the caller. */
  sharesMeeting: string;
  /** An anonymous guest. */
  guest: string;
  group: string;
  meeting: string;
}

describe('reachability and profile visibility', () => {
  const db = useTestDatabase();
  let people: People;

  before(async () => {
    const create = (name: string) => createAuthUser(db.pool, { metadata: { display_name: name } });
    const caller = await create('Caller Cora');
    const stranger = await create('Stranger Stan');
    const open = await create('Agent Olive');
    const sharesConversation = await create('Chatty Chet');
    const sharesMeeting = await create('Meeting Mel');
    const guest = await createAuthUser(db.pool, { isAnonymous: true });
    await db.pool.query('update public.profiles set open_to_contact = true where id = $1', [open]);
    // As a host app's backend would: direct inserts, not through the gated RPCs.
    const shared = (
      await db.pool.query<{ id: string }>(`insert into public.conversations (kind) values ('direct') returning id`)
    ).rows[0]!.id;
    await db.pool.query(
      `insert into public.conversation_members (conversation_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member')`,
      [shared, caller, sharesConversation],
    );
    const sharedMeeting = (
      await db.pool.query<{ id: string }>(
        `insert into public.meetings (title, host_id) values ('Shared', $1) returning id`,
        [sharesMeeting],
      )
    ).rows[0]!.id;
    await db.pool.query('insert into public.meeting_participants (meeting_id, user_id) values ($1, $2)', [
      sharedMeeting,
      caller,
    ]);
    const group = (
      await db.pool.query<{ id: string }>(
        `insert into public.conversations (kind, title) values ('group', 'Cora''s group') returning id`,
      )
    ).rows[0]!.id;
    await db.pool.query(
      `insert into public.conversation_members (conversation_id, user_id, role) values ($1, $2, 'owner')`,
      [group, caller],
    );
    const meeting = (
      await db.pool.query<{ id: string }>(
        `insert into public.meetings (title, host_id) values ('Cora''s call', $1) returning id`,
        [caller],
      )
    ).rows[0]!.id;
    people = { caller, stranger, open, sharesConversation, sharesMeeting, guest, group, meeting };
  });

  const visibleTo = async (client: pg.ClientBase, actor: Actor) => {
    await becomeActor(client, actor);
    const everyone = [
      people.caller,
      people.stranger,
      people.open,
      people.sharesConversation,
      people.sharesMeeting,
      people.guest,
    ];
    const { rows } = await client.query<{ id: string }>('select id from public.profiles where id = any($1::uuid[])', [
      everyone,
    ]);
    return rows.map((row) => row.id).sort();
  };

  describe('profiles', () => {
    it('a user sees themself, who they share a conversation or meeting with, and open profiles — no stranger', async () => {
      await rolledBack(db.pool, async (client) => {
        assert.deepEqual(
          await visibleTo(client, user(people.caller)),
          [people.caller, people.open, people.sharesConversation, people.sharesMeeting].sort(),
        );
      });
    });

    it('an anonymous guest sees only themself and open profiles', async () => {
      await rolledBack(db.pool, async (client) => {
        assert.deepEqual(
          await visibleTo(client, { kind: 'user', id: people.guest, isAnonymous: true }),
          [people.guest, people.open].sort(),
        );
      });
    });

    it('a stranger sees the caller only once they share a conversation, and not after leaving it', async () => {
      await rolledBack(db.pool, async (client) => {
        assert.ok(!(await visibleTo(client, user(people.stranger))).includes(people.caller));
        await becomeOwner(client);
        await client.query('insert into public.conversation_members (conversation_id, user_id) values ($1, $2)', [
          people.group,
          people.stranger,
        ]);
        assert.ok((await visibleTo(client, user(people.stranger))).includes(people.caller));
        await client.query(
          'delete from public.conversation_members where conversation_id = $1 and user_id = auth.uid()',
          [people.group],
        );
        assert.ok(!(await visibleTo(client, user(people.stranger))).includes(people.caller));
      });
    });

    it('the caller sees who else is in a shared meeting, and nobody sees them without sharing', async () => {
      await rolledBack(db.pool, async (client) => {
        assert.deepEqual(
          await visibleTo(client, user(people.sharesMeeting)),
          [people.caller, people.open, people.sharesMeeting].sort(),
        );
        assert.deepEqual(await visibleTo(client, user(people.stranger)), [people.open, people.stranger].sort());
      });
    });

    it('open_to_contact is set by the user on their own profile only', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, user(people.stranger));
        const own = await client.query('update public.profiles set open_to_contact = true where id = auth.uid()');
        assert.equal(own.rowCount, 1);
        const other = await client.query('update public.profiles set open_to_contact = true where id = $1', [
          people.sharesConversation,
        ]);
        assert.equal(other.rowCount, 0);
        assert.ok((await visibleTo(client, user(people.caller))).includes(people.stranger));
      });
    });
  });

  describe('can_reach', () => {
    const cases: [string, (p: People) => string | null, boolean][] = [
      ['a stranger', (p) => p.stranger, false],
      ['an anonymous guest the caller has never met', (p) => p.guest, false],
      ['an unknown id', () => randomUUID(), false],
      ['null', () => null, false],
      ['an open_to_contact user', (p) => p.open, true],
      ['someone sharing a conversation', (p) => p.sharesConversation, true],
      ['someone sharing a meeting', (p) => p.sharesMeeting, true],
      ['oneself', (p) => p.caller, true],
    ];
    for (const [who, target, expected] of cases) {
      it(`${who} → ${expected}`, async () => {
        await rolledBack(db.pool, async (client) => {
          await becomeActor(client, user(people.caller));
          const { rows } = await client.query('select public.can_reach($1) as reachable', [target(people)]);
          assert.equal(rows[0].reachable, expected);
        });
      });
    }

    it('is not answered for anon', async () => {
      await rolledBack(db.pool, async (client) => {
        await becomeActor(client, { kind: 'anon' });
        assert.equal((await failsWith(client, 'select public.can_reach($1)', [people.open])).code, '42501');
      });
    });
  });

  /** The site's hook lets the caller reach the stranger (and nobody else), in this transaction. */
  const hookAllowsStranger = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    await client.query(`
      create or replace function public.pasabay_hook_can_reach(caller uuid, target uuid)
      returns boolean language sql stable set search_path = ''
      as $$ select target = '${people.stranger}'::uuid and caller = '${people.caller}'::uuid $$`);
  };

  /** Each way of naming someone, run as the caller; returns the conversation or meeting it touched. */
  const gates: [string, (client: pg.ClientBase, target: string) => Promise<unknown>][] = [
    [
      'start_direct_conversation',
      (c, t) => c.query('select * from public.start_direct_conversation(other_user_id => $1)', [t]),
    ],
    [
      'create_group_conversation',
      (c, t) =>
        c.query(
          `select * from public.create_group_conversation(title => 'New group', member_ids => array[$1]::uuid[])`,
          [t],
        ),
    ],
    [
      'get_or_create_conversation',
      (c, t) =>
        c.query(
          `select * from public.get_or_create_conversation(external_ref => 'order:1', member_ids => array[$1]::uuid[])`,
          [t],
        ),
    ],
    [
      'invite_to_meeting',
      (c, t) =>
        c.query('select public.invite_to_meeting(meeting_id => $1, user_ids => array[$2]::uuid[])', [
          people.meeting,
          t,
        ]),
    ],
    [
      'insert into conversation_members (owner adding to a group)',
      (c, t) =>
        c.query('insert into public.conversation_members (conversation_id, user_id) values ($1, $2)', [
          people.group,
          t,
        ]),
    ],
    [
      'insert into meeting_participants (host inviting)',
      (c, t) =>
        c.query('insert into public.meeting_participants (meeting_id, user_id) values ($1, $2)', [people.meeting, t]),
    ],
  ];

  const counts = async (client: pg.ClientBase) => {
    await becomeOwner(client);
    return (
      await client.query(`select (select count(*) from public.conversations) as conversations,
                                 (select count(*) from public.conversation_members) as members,
                                 (select count(*) from public.meeting_participants) as participants`)
    ).rows[0];
  };

  for (const [gate, run] of gates) {
    describe(gate, () => {
      for (const [who, target] of [
        ['a stranger', (p: People) => p.stranger],
        ['an unknown id', () => randomUUID()],
        ['an anonymous guest', (p: People) => p.guest],
      ] as const) {
        it(`${who} → 42501, nothing written`, async () => {
          await rolledBack(db.pool, async (client) => {
            const before = await counts(client);
            await becomeActor(client, user(people.caller));
            await client.query('savepoint gate');
            const error = await run(client, target(people)).then(
              () => undefined,
              (failure: { code?: string; message: string }) => failure,
            );
            await client.query('rollback to savepoint gate');
            assert.equal(error?.code, '42501');
            if (!gate.startsWith('insert'))
              assert.equal(error!.message, 'You cannot start a conversation with this user');
            assert.deepEqual(await counts(client), before);
          });
        });
      }

      for (const [who, target] of [
        ['someone open to contact', (p: People) => p.open],
        ['someone sharing a conversation', (p: People) => p.sharesConversation],
        ['someone sharing a meeting', (p: People) => p.sharesMeeting],
      ] as const) {
        it(`${who} → allowed`, async () => {
          await rolledBack(db.pool, async (client) => {
            await becomeActor(client, user(people.caller));
            await run(client, target(people));
          });
        });
      }

      it("a stranger the host app's hook allows → allowed", async () => {
        await rolledBack(db.pool, async (client) => {
          await hookAllowsStranger(client);
          await becomeActor(client, user(people.caller));
          await run(client, people.stranger);
        });
      });
    });
  }

  it("the hook is not callable by clients (it is the host app's, called by can_reach)", async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(people.caller));
      const error = await failsWith(client, 'select public.pasabay_hook_can_reach($1, $2)', [
        people.caller,
        people.stranger,
      ]);
      assert.equal(error.code, '42501');
    });
  });
});
