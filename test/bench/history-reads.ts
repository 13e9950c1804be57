/**
 * The element's reads of a conversation's history at 10,000 messages, against the same reads at
 * 100, in the same database and for the same member:
 *   history-page-10000   the first page (50 newest)                           / at 100 messages
 *   catch-up-10000       the three catch-up reads after a reconnect (created,
 *                        edited and deleted in the last minute), one after another / at 100
 * each twice: with statistics gone stale (autovacuum off, the last ANALYZE before the 10,000 came,
 * as after a bulk import) and after ANALYZE. Each read runs as PostgREST runs it: one transaction,
 * role `authenticated`, the member's claims, so the messages policy is part of every plan.
 * test/db/query-plans.test.ts checks the same queries' plans and buffers.
 */
import pg from 'pg';
import type { Stack } from '../../supabase/local/server.js';

type Report = (name: string, samples: number[], baselineSamples: number[], unit?: string) => void;

const COLUMNS = 'id, conversation_id, sender_id, body, reply_to, created_at, edited_at, deleted_at';
const FIRST_PAGE = `select ${COLUMNS} from public.messages where conversation_id = $1
                     order by created_at desc, id desc limit 50`;
const CATCH_UP = [
  `select ${COLUMNS} from public.messages where conversation_id = $1 and created_at >= $2
    order by created_at asc limit 1000`,
  `select ${COLUMNS} from public.messages where conversation_id = $1 and edited_at >= $2 limit 1000`,
  `select ${COLUMNS} from public.messages where conversation_id = $1 and deleted_at >= $2 limit 1000`,
];

async function connect(url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  return db;
}

/** Two users, as a host app's backend would create them (their profiles by trigger). */
async function twoUsers(admin: pg.Client): Promise<[string, string]> {
  const { rows } = await admin.query<{ id: string }>(
    `insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
                             created_at, updated_at, is_anonymous)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            'history-' || n || '-' || floor(random() * 1e9)::bigint || '@bench.test',
            '{"provider": "email", "providers": ["email"]}', jsonb_build_object('display_name', 'History ' || n),
            now(), now(), false
     from generate_series(1, 2) as n
     returning id`,
  );
  return [rows[0]!.id, rows[1]!.id];
}

async function conversationOf(admin: pg.Client, owner: string, member: string): Promise<string> {
  const { rows } = await admin.query<{ id: string }>(
    `insert into public.conversations (kind, title, created_by) values ('group', 'History', $1) returning id`,
    [owner],
  );
  const id = rows[0]!.id;
  await admin.query(
    `insert into public.conversation_members (conversation_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member')`,
    [id, owner, member],
  );
  return id;
}

/**
 * `count` messages, one a second up to now, every 7th edited and every 13th deleted, written as an
 * import would (without the per-row triggers, which would stamp edits with the current time).
 */
async function grow(admin: pg.Client, conversationId: string, senders: [string, string], count: number) {
  await admin.query('begin');
  await admin.query('set local session_replication_role = replica');
  await admin.query(
    `insert into public.messages (conversation_id, sender_id, body, created_at, edited_at, deleted_at)
     select $1::uuid, case when n % 2 = 0 then $2::uuid else $3::uuid end,
            case when n % 13 = 0 then '' else 'Message ' || n end,
            now() - ($4::int - n) * interval '1 second',
            case when n % 7 = 0 then now() - ($4::int - n) * interval '1 second' + interval '30 seconds' end,
            case when n % 13 = 0 then now() - ($4::int - n) * interval '1 second' + interval '45 seconds' end
     from generate_series(1, $4::int) as n`,
    [conversationId, senders[0], senders[1], count],
  );
  await admin.query('commit');
}

export async function benchHistoryReads(stack: Stack, report: Report, iterations: number): Promise<void> {
  const admin = await connect(stack.databaseUrl);
  const reader = await connect(stack.databaseUrl);
  try {
    const [owner, member] = await twoUsers(admin);
    const small = await conversationOf(admin, owner, member);
    const large = await conversationOf(admin, owner, member);
    await admin.query('alter table public.messages set (autovacuum_enabled = false)');
    await grow(admin, small, [owner, member], 100);
    await admin.query('analyze public.messages, public.conversation_members, public.conversations');
    await grow(admin, large, [owner, member], 10_000);
    const claims = JSON.stringify({ sub: member, role: 'authenticated', aud: 'authenticated' });
    /** One read as PostgREST runs it; its time without the transaction's set-up. */
    const timed = async (sqls: string[], params: unknown[]) => {
      await reader.query('begin');
      await reader.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [claims],
      );
      const start = performance.now();
      for (const sql of sqls) await reader.query(sql, params);
      const elapsed = performance.now() - start;
      await reader.query('rollback');
      return elapsed;
    };
    const measure = async (sqls: string[], conversationId: string, withSince: boolean) => {
      const params = withSince ? [conversationId, new Date(Date.now() - 60_000)] : [conversationId];
      await timed(sqls, params); // caches warm
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) samples.push(await timed(sqls, params));
      return samples;
    };
    for (const stats of ['stale', 'analyzed'] as const) {
      if (stats === 'analyzed') await admin.query('analyze public.messages');
      report(
        `history-page-10000-${stats}`,
        await measure([FIRST_PAGE], large, false),
        await measure([FIRST_PAGE], small, false),
      );
      report(`catch-up-10000-${stats}`, await measure(CATCH_UP, large, true), await measure(CATCH_UP, small, true));
    }
  } finally {
    await admin.query('alter table public.messages reset (autovacuum_enabled)').catch(() => undefined);
    await reader.end();
    await admin.end();
  }
}
