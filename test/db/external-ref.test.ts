/**
 * external_ref cannot be squatted or hijacked: get_or_create_conversation resolves a ref only to
 * the conversation whose members are exactly the caller and member_ids. A guest who opens the ref
 * first, alone or with some of the parties, gets a conversation of their own, which is never
 * returned to the real parties nor blocks them. The host app's hook decides creation.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useTestDatabase } from './fixture.js';
import { becomeActor, becomeOwner, createAuthUser, failsWith, rolledBack, user, type Actor } from './sql.js';

describe('external_ref per exact member set', () => {
  const db = useTestDatabase();
  let agent: string;
  let secondAgent: string;
  let customer: string;
  let guest: Actor;
  let guestId: string;

  before(async () => {
    agent = await createAuthUser(db.pool, { metadata: { display_name: 'Agent Maria' } });
    secondAgent = await createAuthUser(db.pool, { metadata: { display_name: 'Agent Ana' } });
    customer = await createAuthUser(db.pool, { metadata: { display_name: 'Customer Carlos' } });
    guestId = await createAuthUser(db.pool, { isAnonymous: true });
    guest = { kind: 'user', id: guestId, isAnonymous: true };
    await db.pool.query('update public.profiles set open_to_contact = true where id = any($1::uuid[])', [
      [agent, secondAgent],
    ]);
  });

  const open = async (client: pg.ClientBase, actor: Actor, ref: string, members: string[], kind = 'group') => {
    await becomeActor(client, actor);
    const { rows } = await client.query<{ id: string }>(
      'select id from public.get_or_create_conversation(external_ref => $1, member_ids => $2::uuid[], kind => $3)',
      [ref, members, kind],
    );
    return rows[0]!.id;
  };

  const membersOf = async (client: pg.ClientBase, conversation: string) => {
    await becomeOwner(client);
    const { rows } = await client.query<{ user_id: string }>(
      'select user_id from public.conversation_members where conversation_id = $1 order by user_id',
      [conversation],
    );
    return rows.map((row) => row.user_id);
  };

  it('a guest who opened the ref first with the agent does not get, nor block, the customer and agent conversation', async () => {
    await rolledBack(db.pool, async (client) => {
      for (const kind of ['group', 'direct']) {
        const ref = `booking:${kind}-7`;
        const squatted = await open(client, guest, ref, [agent], kind);
        const real = await open(client, user(customer), ref, [agent], kind);
        assert.notEqual(real, squatted);
        assert.deepEqual(await membersOf(client, real), [agent, customer].sort());
        assert.equal(await open(client, user(agent), ref, [customer], kind), real, 'the agent gets the same one');
        assert.equal(await open(client, guest, ref, [agent], kind), squatted, 'the guest keeps their own');
      }
    });
  });

  it("a guest who named both real parties has a different member set: the parties' messages never reach the guest", async () => {
    await rolledBack(db.pool, async (client) => {
      const squatted = await open(client, guest, 'booking:8', [agent, secondAgent]);
      assert.deepEqual(await membersOf(client, squatted), [agent, secondAgent, guestId].sort());
      const real = await open(client, user(agent), 'booking:8', [secondAgent]);
      assert.notEqual(real, squatted);
      assert.equal(await open(client, user(secondAgent), 'booking:8', [agent]), real);

      await becomeActor(client, user(agent));
      await client.query(`insert into public.messages (conversation_id, body) values ($1, 'Private to us')`, [real]);
      await becomeActor(client, guest);
      const seen = await client.query(`select 1 from public.messages where body = 'Private to us'`);
      assert.equal(seen.rowCount, 0);
      const error = await failsWith(client, 'select public.send_typing(conversation_id => $1)', [real]);
      assert.equal(error.code, '42501');
    });
  });

  it('a guest who claimed the ref alone blocks nobody, and nobody is handed their conversation', async () => {
    await rolledBack(db.pool, async (client) => {
      const claimed = await open(client, guest, 'booking:9', []);
      const customerAlone = await open(client, user(customer), 'booking:9', []);
      assert.notEqual(customerAlone, claimed);
      const withAgent = await open(client, user(customer), 'booking:9', [agent]);
      assert.notEqual(withAgent, claimed);
      assert.notEqual(withAgent, customerAlone);
      assert.deepEqual(await membersOf(client, claimed), [guestId]);
    });
  });

  it('member order and duplicates do not matter; the caller in member_ids is the caller', async () => {
    await rolledBack(db.pool, async (client) => {
      const first = await open(client, user(customer), 'trip:3', [agent, secondAgent]);
      assert.equal(await open(client, user(customer), 'trip:3', [secondAgent, agent, agent, customer]), first);
      assert.equal(await open(client, user(secondAgent), 'trip:3', [customer, agent]), first);
    });
  });

  it('existing refs (made before this rule, e.g. by a backend) keep resolving for their exact members only', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeOwner(client);
      const legacy = (
        await client.query<{ id: string }>(
          `insert into public.conversations (kind, external_ref) values ('direct', 'legacy:1') returning id`,
        )
      ).rows[0]!.id;
      await client.query(
        `insert into public.conversation_members (conversation_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member')`,
        [legacy, customer, agent],
      );
      assert.equal(await open(client, user(customer), 'legacy:1', [agent]), legacy);
      assert.equal(await open(client, user(agent), 'legacy:1', [customer]), legacy);
      assert.notEqual(await open(client, guest, 'legacy:1', [agent]), legacy);
      assert.notEqual(await open(client, user(agent), 'legacy:1', [customer, secondAgent]), legacy);
    });
  });

  it('the host app hook decides creation (it gets the caller, the ref and the other members); existing ones still open', async () => {
    await rolledBack(db.pool, async (client) => {
      const existing = await open(client, user(customer), 'booking:10', [agent]);
      await becomeOwner(client);
      // A site's rule: no guests, and a booking conversation always includes the agent.
      await client.query(`
        create or replace function public.pasabay_hook_can_open_external_ref(caller uuid, external_ref text, member_ids uuid[])
        returns boolean language sql stable set search_path = ''
        as $$
          select not coalesce((select u.is_anonymous from auth.users u where u.id = caller), true)
             and (external_ref not like 'booking:%' or '${agent}'::uuid = any(member_ids))
        $$`);
      const counts = async () => {
        await becomeOwner(client);
        return (await client.query('select count(*) as n from public.conversations')).rows[0].n as string;
      };
      const before = await counts();
      for (const [actor, ref, members] of [
        [guest, 'booking:11', [agent]],
        [user(customer), 'booking:11', [secondAgent]],
      ] as const) {
        await becomeActor(client, actor);
        const error = await failsWith(
          client,
          'select * from public.get_or_create_conversation(external_ref => $1, member_ids => $2::uuid[])',
          [ref, members],
        );
        assert.equal(error.code, '42501');
        assert.equal(error.message, 'You cannot open a conversation for this external_ref');
      }
      assert.equal(await counts(), before, 'nothing created');
      assert.ok(await open(client, user(customer), 'booking:11', [agent]));
      assert.equal(await open(client, user(agent), 'booking:10', [customer]), existing);
    });
  });

  it('the hook is not callable by clients', async () => {
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(customer));
      const error = await failsWith(client, `select public.pasabay_hook_can_open_external_ref($1, 'x', '{}')`, [
        customer,
      ]);
      assert.equal(error.code, '42501');
    });
  });
});
