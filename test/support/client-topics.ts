/**
 * Private topics clients may broadcast and track presence on, for suites that test Realtime
 * itself. The app's own topics refuse every client send (only presence on
 * `meeting:<id>:presence` is accepted, migration 20250602000200); a project that wants
 * client-to-client messages adds its own policies on realtime.messages, as these do:
 * `<prefix><conversation id>` is readable and writable, broadcast and presence, by the members of
 * that conversation and nobody else. Created as `postgres`, as a project's migration would.
 */
import pg from 'pg';

export async function allowClientTopics(superuserUrl: string, prefix: string): Promise<void> {
  if (!/^[a-z][a-z0-9-]*:$/.test(prefix)) throw new Error(`not a topic prefix: ${prefix}`);
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const members = `exists (
      select 1 from public.conversation_members cm
      where cm.user_id = (select auth.uid()) and '${prefix}' || cm.conversation_id::text = (select realtime.topic())
    )`;
    await admin.query('begin');
    await admin.query('set local role postgres');
    await admin.query(`create policy "${prefix}<conversation id>: members receive"
      on realtime.messages for select to authenticated using (${members})`);
    await admin.query(`create policy "${prefix}<conversation id>: members broadcast and track presence"
      on realtime.messages for insert to authenticated with check (${members})`);
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await admin.end();
  }
}
