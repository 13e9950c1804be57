/**
 * `conversation_list()` (the RPC behind <pasabay-conversation-list>) for a user with 5,000
 * conversations, against the same call for a user with 50, in the same database:
 *   list-page-5000    the newest page of 50                      / the newest page of 50 of 50
 *   list-deep-5000    a page of 50 from the middle (keyset)      / the newest page of 50 of 50
 *   list-search-5000  a search by another member's name          / the same search over 50
 * Each call runs as PostgREST would run it: one transaction, role `authenticated`, the user's claims.
 */
import pg from 'pg';
import type { Stack } from '../../supabase/local/server.js';

type Report = (name: string, samples: number[], baselineSamples: number[], unit?: string) => void;

const LARGE = 5_000;
const SMALL = 50;

async function connect(url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  return db;
}

/** A user with `count` conversations, each shared with one of 20 others, with messages spread over a year. */
async function userWithConversations(admin: pg.Client, count: number): Promise<string> {
  const { rows: users } = await admin.query<{ id: string }>(
    `insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
                             created_at, updated_at, is_anonymous)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            'list-' || $1::int || '-' || n || '-' || floor(random() * 1e9)::bigint || '@bench.test',
            '{"provider": "email", "providers": ["email"]}',
            jsonb_build_object('display_name', case when n = 0 then 'Owner' else 'Member ' || n end),
            now(), now(), false
     from generate_series(0, 20) as n
     order by n
     returning id`,
    [count],
  );
  const owner = users[0]!.id;
  const others = users.slice(1).map((user) => user.id);
  await admin.query(
    `with made as (
       insert into public.conversations (kind, title, created_by, last_message_at, last_message_preview)
       select 'group', 'Room ' || n, $1, now() - random() * interval '365 days', 'message ' || n
       from generate_series(1, $2::int) as n
       returning id
     ), numbered as (select id, row_number() over () as n from made)
     insert into public.conversation_members (conversation_id, user_id, role)
     select id, $1, 'owner' from numbered
     union all
     select id, ($3::uuid[])[1 + (n % 20)::int], 'member' from numbered`,
    [owner, count, others],
  );
  await admin.query('analyze public.conversations; analyze public.conversation_members');
  return owner;
}

export async function benchConversationList(stack: Stack, report: Report, iterations: number): Promise<void> {
  const admin = await connect(stack.databaseUrl);
  const caller = await connect(stack.databaseUrl);
  try {
    const large = await userWithConversations(admin, LARGE);
    const small = await userWithConversations(admin, SMALL);
    const call = async (user: string, sql: string, params: unknown[] = []) => {
      const claims = JSON.stringify({ sub: user, role: 'authenticated', aud: 'authenticated' });
      await caller.query('begin');
      await caller.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [claims],
      );
      const start = performance.now();
      const { rows } = await caller.query<{ id: string; activity_at: Date }>(sql, params);
      const elapsed = performance.now() - start;
      await caller.query('rollback');
      return { elapsed, rows };
    };
    const newest = 'select * from public.conversation_list(max_rows => 50)';
    const middle = (await call(large, 'select * from public.conversation_list(max_rows => 200)')).rows.at(-1)!;
    const measure = async (user: string, sql: string, params: unknown[] = []) => {
      await call(user, sql, params); // warm
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) samples.push((await call(user, sql, params)).elapsed);
      return samples;
    };
    const baseline = await measure(small, newest);
    report('list-page-5000', await measure(large, newest), baseline);
    report(
      'list-deep-5000',
      await measure(
        large,
        'select * from public.conversation_list(before_activity => $1, before_id => $2, max_rows => 50)',
        [middle.activity_at, middle.id],
      ),
      baseline,
    );
    const search = "select * from public.conversation_list(search => 'member 7', max_rows => 50)";
    report('list-search-5000', await measure(large, search), await measure(small, search));
  } finally {
    await caller.end();
    await admin.end();
  }
}
