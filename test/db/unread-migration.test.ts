/**
 * The move to derived unread counts (migration 20250603000100) on a database that already has
 * history: the demo seed and one more message from every member, applied under the earlier
 * migrations (which kept conversation_members.unread_count per message), then the rest. Every
 * member's derived count must equal the count they had, and the old column is left at 0.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applySchema, REPO_ROOT } from '../../supabase/local/db.js';
import { createTestDatabase } from '../support/database.js';

const FIRST_NEW = '20250603000100';

describe('migration to derived unread counts', () => {
  it("keeps every member's unread count and stops maintaining unread_count", async () => {
    const database = await createTestDatabase({ empty: true });
    const earlier = await mkdtemp(path.join(tmpdir(), 'pasabay-earlier-migrations-'));
    const db = new pg.Client({ connectionString: database.url });
    try {
      const folder = path.join(REPO_ROOT, 'supabase/migrations');
      for (const file of await readdir(folder)) {
        if (file.endsWith('.sql') && file < FIRST_NEW)
          await copyFile(path.join(folder, file), path.join(earlier, file));
      }
      await applySchema(database.url, { seed: true, migrationsDir: earlier });
      await db.connect();
      db.on('notice', () => {});
      await db.query(
        `insert into public.messages (conversation_id, sender_id, body)
         select conversation_id, user_id, 'one more' from public.conversation_members`,
      );
      const before = (
        await db.query<{ conversation_id: string; user_id: string; unread_count: number }>(
          'select conversation_id, user_id, unread_count from public.conversation_members order by 1, 2',
        )
      ).rows;
      assert.ok(before.length > 0 && before.some((row) => row.unread_count > 0), 'the seed has unread messages');

      await applySchema(database.url, { seed: false });
      const derived: typeof before = [];
      for (const row of before) {
        await db.query('begin');
        await db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: row.user_id, role: 'authenticated' }),
        ]);
        const { rows } = await db.query<{ unread_count: number }>(
          'select unread_count from public.my_conversations(conversation_id => $1)',
          [row.conversation_id],
        );
        await db.query('rollback');
        derived.push({ ...row, unread_count: rows[0]!.unread_count });
      }
      assert.deepEqual(derived, before);
      const stale = await db.query('select 1 from public.conversation_members where unread_count <> 0');
      assert.equal(stale.rowCount, 0);
    } finally {
      await db.end().catch(() => undefined);
      await database.drop();
      await rm(earlier, { recursive: true, force: true });
    }
  });
});
