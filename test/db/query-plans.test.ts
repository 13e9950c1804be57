/**
 * Query plans that stay flat as a conversation's history grows: the element's real queries (first
 * history page, an older page, the three catch-up queries, the member list) and the unread RPC,
 * run as an `authenticated` member with claims, at 100 and at 10,000 messages (plus 100 in a
 * conversation the member is not in). Plans must use indexes on messages, never a Seq Scan, and
 * check membership once per statement (an InitPlan), not in a SubPlan per row. Buffer counts are
 * deterministic for a given plan, unlike timings: at 10,000 messages each query may touch only a
 * few more buffers than at 100 (one more index level, a page boundary), whether the statistics are
 * stale (autovacuum off, last ANALYZE at 100 messages) or fresh.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { asActor, commitAsActor, user } from './sql.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

/** A query as the element sends it: SQL, parameters, and whether its plan must reach messages. */
interface Probe {
  name: string;
  sql: string;
  params: () => unknown[];
  readsMessages: boolean;
}

const COLUMNS = 'id, conversation_id, sender_id, body, reply_to, created_at, edited_at, deleted_at';

describe('query plans as history grows', () => {
  const db = useCastDatabase();
  /** Seconds between the generated messages, so that "the last minute" holds 60 of them. */
  let newest: Date;
  let cursor: { created_at: Date; id: string };
  let since: Date;

  const conversation = () => db.cast.conversation;
  const reader = () => db.cast.otherMember;

  const probes: Probe[] = [
    {
      name: 'first history page',
      sql: `select ${COLUMNS} from public.messages where conversation_id = $1 order by created_at desc, id desc limit 50`,
      params: () => [conversation()],
      readsMessages: true,
    },
    {
      name: 'older history page',
      sql: `select ${COLUMNS} from public.messages where conversation_id = $1 and created_at < $2
            order by created_at desc, id desc limit 50`,
      params: () => [conversation(), cursor.created_at],
      readsMessages: true,
    },
    {
      name: 'catch-up: created since',
      sql: `select ${COLUMNS} from public.messages where conversation_id = $1 and created_at >= $2
            order by created_at asc limit 1000`,
      params: () => [conversation(), since],
      readsMessages: true,
    },
    {
      name: 'catch-up: edited since',
      sql: `select ${COLUMNS} from public.messages where conversation_id = $1 and edited_at >= $2 limit 1000`,
      params: () => [conversation(), since],
      readsMessages: true,
    },
    {
      name: 'catch-up: deleted since',
      sql: `select ${COLUMNS} from public.messages where conversation_id = $1 and deleted_at >= $2 limit 1000`,
      params: () => [conversation(), since],
      readsMessages: true,
    },
    {
      name: 'member list (membership check)',
      sql: `select * from public.conversation_members where conversation_id = $1`,
      params: () => [conversation()],
      readsMessages: false,
    },
    {
      name: 'unread RPC',
      sql: `select * from public.my_conversations(conversation_id => $1)`,
      params: () => [conversation()],
      readsMessages: false,
    },
  ];

  /** The unread RPC's own query, as its security definer owner runs it (no RLS). */
  const unreadBody: Probe = {
    name: 'unread count inside the RPC',
    sql: `select public.unread_messages_count($1, $2, $3)`,
    params: () => [conversation(), reader(), since],
    readsMessages: false,
  };
  const unreadCountSql = `select count(*) from public.messages m
    where m.conversation_id = $1 and m.created_at > $3 and m.sender_id <> $2 and m.deleted_at is null`;

  async function explain(client: pg.ClientBase, probe: Probe): Promise<{ plan: PlanNode; buffers: number }> {
    const run = async () =>
      (
        await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `explain (analyze, buffers, costs off, timing off, format json) ${probe.sql}`,
          probe.params(),
        )
      ).rows[0]!['QUERY PLAN'][0].Plan;
    await run(); // caches warm, hint bits set: the second run is the one measured
    const plan = await run();
    return { plan, buffers: (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0) };
  }

  async function measure(): Promise<Map<string, { plan: PlanNode; buffers: number }>> {
    const results = new Map<string, { plan: PlanNode; buffers: number }>();
    await asActor(db.pool, user(reader()), async (client) => {
      for (const probe of probes) results.set(probe.name, await explain(client, probe));
    });
    // The RPC's inner count, planned as its owner runs it.
    const client = await db.pool.connect();
    try {
      results.set(unreadBody.name, await explain(client, { ...unreadBody, sql: unreadCountSql }));
    } finally {
      client.release();
    }
    return results;
  }

  /** Appends messages to the conversation, one a second, every 7th edited and every 13th deleted. */
  async function grow(conversationId: string, count: number, start: Date, senders = [db.cast.member, reader()]) {
    // As an import would: the rows as given, without the per-row triggers (which would stamp
    // edits and deletes with the current time).
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('set local session_replication_role = replica');
      await client.query(
        `insert into public.messages (conversation_id, sender_id, body, created_at, edited_at, deleted_at)
       select $1::uuid,
              case when n % 2 = 0 then $2::uuid else $3::uuid end,
              case when n % 13 = 0 then '' else 'Message ' || n end,
              $4::timestamptz + n * interval '1 second',
              case when n % 7 = 0 then $4::timestamptz + n * interval '1 second' + interval '30 seconds' end,
              case when n % 13 = 0 then $4::timestamptz + n * interval '1 second' + interval '45 seconds' end
       from generate_series(1, $5::int) as n`,
        [conversationId, senders[0], senders[1], start, count],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
  }

  /** Cursor, catch-up moment and the reader's read position near the newest message. */
  async function settle() {
    const { rows } = await db.pool.query<{ created_at: Date; id: string }>(
      `select created_at, id from public.messages where conversation_id = $1 order by created_at desc, id desc`,
      [conversation()],
    );
    newest = rows[0]!.created_at;
    cursor = rows[Math.floor(rows.length / 2)]!;
    since = new Date(newest.getTime() - 60_000);
    await db.pool.query(
      `update public.conversation_members set last_read_at = $3 where conversation_id = $1 and user_id = $2`,
      [conversation(), reader(), rows[5]!.created_at],
    );
  }

  let small: Map<string, { plan: PlanNode; buffers: number }>;
  let largeStale: Map<string, { plan: PlanNode; buffers: number }>;
  let largeAnalyzed: Map<string, { plan: PlanNode; buffers: number }>;

  before(async () => {
    // Statistics go stale on purpose: no autovacuum, the last ANALYZE at 100 messages.
    await db.pool.query('alter table public.messages set (autovacuum_enabled = false)');
    const start = new Date(Date.UTC(2025, 0, 1));
    const elsewhere = await commitAsActor(db.pool, user(db.cast.member), async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `select id from public.create_group_conversation(title => 'Elsewhere', member_ids => array[$1]::uuid[])`,
        [db.cast.spare],
      );
      return rows[0]!.id;
    });
    await grow(elsewhere, 100, start, [db.cast.member, db.cast.spare]);
    await grow(conversation(), 99, start); // plus the cast's own first message
    await db.pool.query('analyze public.messages, public.conversation_members, public.conversations');
    await settle();
    small = await measure();
    await db.pool.query(
      `insert into public.messages (conversation_id, sender_id, body, created_at)
       select $1, $2, 'Later ' || n, $3::timestamptz + n * interval '1 second' from generate_series(1, 1) n`,
      [conversation(), db.cast.member, new Date(start.getTime() + 200_000)],
    );
    await grow(conversation(), 9_899, new Date(start.getTime() + 300_000));
    await settle();
    largeStale = await measure();
    await db.pool.query('analyze public.messages');
    largeAnalyzed = await measure();
    const { rows } = await db.pool.query<{ count: string }>(
      'select count(*) from public.messages where conversation_id = $1',
      [conversation()],
    );
    assert.equal(Number(rows[0]!.count), 10_000);
  });

  for (const [label, large] of [
    ['stale', () => largeStale],
    ['fresh', () => largeAnalyzed],
  ] as const) {
    it(`at 10,000 messages (${label} statistics) messages are read through an index, membership checked once`, () => {
      for (const probe of [...probes, unreadBody]) {
        const { plan } = large().get(probe.name)!;
        const nodes = [...nodesOf(plan)];
        const onMessages = nodes.filter((node) => node['Relation Name'] === 'messages');
        assert.deepEqual(
          onMessages.filter((node) => node['Node Type'] === 'Seq Scan'),
          [],
          `${probe.name}: no Seq Scan on messages`,
        );
        if (probe.readsMessages || probe === unreadBody) {
          assert.ok(
            onMessages.some((node) => /Index/.test(node['Node Type'])),
            `${probe.name}: reads messages through an index`,
          );
        }
        assert.deepEqual(
          nodes.filter((node) => node['Parent Relationship'] === 'SubPlan').map((node) => node['Subplan Name']),
          [],
          `${probe.name}: no per-row SubPlan`,
        );
        if (probe.readsMessages) {
          assert.ok(
            nodes.some((node) => node['Parent Relationship'] === 'InitPlan'),
            `${probe.name}: membership as an InitPlan, evaluated once`,
          );
        }
      }
    });

    it(`buffers at 10,000 messages (${label} statistics) stay within a small factor of those at 100`, () => {
      const grown: string[] = [];
      for (const probe of [...probes, unreadBody]) {
        const before = small.get(probe.name)!.buffers;
        const after = large().get(probe.name)!.buffers;
        // One more btree level per descent and a page boundary or two; never the history's size.
        if (after > 2 * before + 4) grown.push(`${probe.name}: ${before} → ${after} buffers`);
      }
      assert.deepEqual(grown, []);
    });
  }

  it('counts the same unread messages the history holds', async () => {
    await asActor(db.pool, user(reader()), async (client) => {
      const { rows } = await client.query<{ unread_count: number }>(
        'select unread_count from public.my_conversations(conversation_id => $1)',
        [conversation()],
      );
      const expected = await client.query<{ count: string }>(
        `select count(*) from public.messages m join public.conversation_members cm
           on cm.conversation_id = m.conversation_id and cm.user_id = auth.uid()
         where m.conversation_id = $1 and m.created_at > cm.last_read_at and m.sender_id <> auth.uid()
           and m.deleted_at is null`,
        [conversation()],
      );
      assert.equal(rows[0]!.unread_count, Number(expected.rows[0]!.count));
      assert.ok(rows[0]!.unread_count > 0);
    });
  });
});
