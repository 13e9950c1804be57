/**
 * Private channel authorization, probed the way Supabase Realtime does it
 * (lib/realtime/tenants/authorization.ex): in a transaction that is always rolled back, insert
 * probe rows as the connection owner, then with role, realtime.topic and JWT claims set select
 * them back (read = join / receive) and insert one under a savepoint (write = send / track;
 * 42501 → false).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useCastDatabase, type Cast } from './fixture.js';
import { authorizeTopic as authorize, type TopicPermissions as Permissions } from './realtime-probe.js';
import { anon, serviceRole, user, type Actor } from './sql.js';

type ActorName = 'anon' | 'outsider' | 'member' | 'otherMember' | 'service_role';

describe('Realtime authorization on realtime.messages', () => {
  const db = useCastDatabase();

  const actors: ActorName[] = ['anon', 'outsider', 'member', 'otherMember', 'service_role'];
  const actorFor = (name: ActorName): Actor =>
    name === 'anon' ? anon : name === 'service_role' ? serviceRole : user(db.cast[name]);

  const none: Permissions = { broadcastRead: false, broadcastWrite: false, presenceRead: false, presenceWrite: false };
  /** Receive what the database broadcasts; send nothing. */
  const receiveOnly: Permissions = { ...none, broadcastRead: true };
  /** A meeting's presence topic: receive, and track presence (but never broadcast). */
  const presence: Permissions = { broadcastRead: true, broadcastWrite: false, presenceRead: true, presenceWrite: true };
  /** service_role bypasses RLS: it is the host app's backend, not a client. */
  const everything: Permissions = {
    broadcastRead: true,
    broadcastWrite: true,
    presenceRead: true,
    presenceWrite: true,
  };

  const topicKinds: { kind: string; topic: (cast: Cast) => string; expected: Record<ActorName, Permissions> }[] = [
    {
      kind: 'conversation:<id>',
      topic: (c) => `conversation:${c.conversation}`,
      expected: { anon: none, outsider: none, member: receiveOnly, otherMember: receiveOnly, service_role: everything },
    },
    {
      kind: 'conversation:<id>:typing',
      topic: (c) => `conversation:${c.conversation}:typing`,
      expected: { anon: none, outsider: none, member: receiveOnly, otherMember: receiveOnly, service_role: everything },
    },
    {
      kind: 'meeting:<id>',
      topic: (c) => `meeting:${c.meeting}`,
      expected: { anon: none, outsider: none, member: receiveOnly, otherMember: receiveOnly, service_role: everything },
    },
    {
      kind: 'meeting:<id>:presence',
      topic: (c) => `meeting:${c.meeting}:presence`,
      expected: { anon: none, outsider: none, member: presence, otherMember: presence, service_role: everything },
    },
    {
      kind: "user:<id> (the member's)",
      topic: (c) => `user:${c.member}`,
      // Only that user receives; the database is the only sender.
      expected: { anon: none, outsider: none, member: receiveOnly, otherMember: none, service_role: everything },
    },
    {
      kind: "user:<id> (the outsider's)",
      topic: (c) => `user:${c.outsider}`,
      expected: { anon: none, outsider: receiveOnly, member: none, otherMember: none, service_role: everything },
    },
  ];

  const describePermissions = (p: Permissions) =>
    Object.entries(p)
      .filter(([, allowed]) => allowed)
      .map(([name]) => name)
      .join(', ') || 'nothing';

  for (const { kind, topic, expected } of topicKinds) {
    describe(kind, () => {
      for (const actorName of actors) {
        const want = expected[actorName];
        it(`${actorName}: ${describePermissions(want)}`, async () => {
          assert.deepEqual(await authorize(db.pool, actorFor(actorName), topic(db.cast)), want);
        });
      }
    });
  }

  describe('a meeting participant invited later gets the meeting topics; a removed one loses them', () => {
    it('follows meeting_participants at each check', async () => {
      const topics = [`meeting:${db.cast.meeting}`, `meeting:${db.cast.meeting}:presence`];
      for (const topic of topics) assert.deepEqual(await authorize(db.pool, user(db.cast.spare), topic), none, topic);
      await db.pool.query('insert into public.meeting_participants (meeting_id, user_id) values ($1, $2)', [
        db.cast.meeting,
        db.cast.spare,
      ]);
      try {
        assert.deepEqual(await authorize(db.pool, user(db.cast.spare), topics[0]!), receiveOnly);
        assert.deepEqual(await authorize(db.pool, user(db.cast.spare), topics[1]!), presence);
      } finally {
        await db.pool.query('delete from public.meeting_participants where meeting_id = $1 and user_id = $2', [
          db.cast.meeting,
          db.cast.spare,
        ]);
      }
      for (const topic of topics) assert.deepEqual(await authorize(db.pool, user(db.cast.spare), topic), none, topic);
    });
  });

  describe('topics that do not name something the caller belongs to', () => {
    const malformed = (c: Cast) => [
      `conversation:${c.conversation.toUpperCase()}`,
      `conversation:${c.conversation}x`,
      `conversation:not-a-uuid`,
      `conversation:${c.conversation}:Typing!`,
      `conversation:${c.conversation}:typing:extra`,
      `conversation:${c.conversation}:presence`,
      `conversation:${c.conversation}:inbox`,
      `meeting:${c.meeting}:typing`,
      `meeting:${c.meeting}:presence:extra`,
      `meeting:${c.meeting}:Presence`,
      `user:${c.member}:inbox`,
      `user:${c.member}:typing`,
      `user:${c.member}:presence`,
      `${c.conversation}`,
      `conversation:`,
      `room:${c.conversation}`,
      `conversation:${c.meeting}`,
      '',
    ];
    it('are refused even to members, for every extension', async () => {
      for (const topic of malformed(db.cast)) {
        assert.deepEqual(await authorize(db.pool, user(db.cast.member), topic), none, `topic ${JSON.stringify(topic)}`);
      }
    });

    it('a member leaving loses the conversation topic at the next check', async () => {
      const client = await db.pool.connect();
      try {
        await client.query('delete from public.conversation_members where conversation_id = $1 and user_id = $2', [
          db.cast.conversation,
          db.cast.otherMember,
        ]);
        assert.deepEqual(
          await authorize(db.pool, user(db.cast.otherMember), `conversation:${db.cast.conversation}`),
          none,
        );
      } finally {
        await client.query(
          `insert into public.conversation_members (conversation_id, user_id) values ($1, $2) on conflict do nothing`,
          [db.cast.conversation, db.cast.otherMember],
        );
        client.release();
      }
    });
  });
});
