/**
 * The cast every database suite uses: a member who owns a group conversation and hosts a
 * meeting, another member / invited participant, an outsider (a stranger to everyone: nobody
 * can reach them), and a spare user open to contact, whom anyone may add.
 */
import { after, before } from 'node:test';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { commitAsActor, createAuthUser, openPool, user } from './sql.js';

/** A suite's own database, cloned before its first test and dropped after its last. */
export interface SuiteDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is only there once the suite's before() hook has run`);
  return value;
}

/**
 * Call inside a describe(): registers the before/after hooks that clone a database and open a
 * pool on it (hooks the suite registers later run after them), and returns the live handles.
 */
export function useTestDatabase(): SuiteDatabase {
  let database: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  before(async () => {
    database = await createTestDatabase();
    pool = openPool(database.url);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });
  return {
    get url() {
      return ready(database, 'the database').url;
    },
    get pool() {
      return ready(pool, 'the pool');
    },
  };
}

/** useTestDatabase() with the cast below created in it. */
export function useCastDatabase(): SuiteDatabase & { readonly cast: Cast } {
  const database = useTestDatabase();
  let cast: Cast | undefined;
  before(async () => {
    cast = await createCast(database.pool);
  });
  return {
    get url() {
      return database.url;
    },
    get pool() {
      return database.pool;
    },
    get cast() {
      return ready(cast, 'the cast');
    },
  };
}

export interface Cast {
  member: string;
  otherMember: string;
  outsider: string;
  /** A signed-up user nobody has added anywhere yet, open to contact (reachable by anyone). */
  spare: string;
  /** An auth user whose profile row was removed, so a profile insert can be tried. */
  withoutProfile: string;
  conversation: string;
  message: string;
  meeting: string;
}

export async function createCast(pool: pg.Pool): Promise<Cast> {
  const member = await createAuthUser(pool, { metadata: { display_name: 'Maria Santos' } });
  const otherMember = await createAuthUser(pool, { metadata: { full_name: 'Carlos Reyes' } });
  const outsider = await createAuthUser(pool, { metadata: { name: 'Olga Outsider' } });
  const spare = await createAuthUser(pool, { metadata: { display_name: 'Sam Spare' } });
  const withoutProfile = await createAuthUser(pool, {});
  await pool.query('delete from public.profiles where id = $1', [withoutProfile]);
  await pool.query('update public.profiles set open_to_contact = true where id = $1', [spare]);

  // Maria may only start a conversation with Carlos while he is open to contact; once they
  // share it, he is reachable anyway and closes again.
  await pool.query('update public.profiles set open_to_contact = true where id = $1', [otherMember]);

  const conversation = await commitAsActor(pool, user(member), async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `select id from public.create_group_conversation(title => 'Trip to Cebu', member_ids => array[$1]::uuid[])`,
      [otherMember],
    );
    return rows[0]!.id;
  });
  await pool.query('update public.profiles set open_to_contact = false where id = $1', [otherMember]);
  const message = await commitAsActor(pool, user(member), async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into public.messages (conversation_id, body) values ($1, 'Hello there') returning id`,
      [conversation],
    );
    await client.query(`insert into public.message_reactions (message_id, emoji) values ($1, '👍')`, [rows[0]!.id]);
    return rows[0]!.id;
  });
  const meeting = await commitAsActor(pool, user(member), async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into public.meetings (title, status) values ('Weekly sync', 'scheduled') returning id`,
    );
    await client.query(`select public.invite_to_meeting(meeting_id => $1, user_ids => array[$2]::uuid[])`, [
      rows[0]!.id,
      otherMember,
    ]);
    return rows[0]!.id;
  });
  return { member, otherMember, outsider, spare, withoutProfile, conversation, message, meeting };
}
