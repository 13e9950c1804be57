/**
 * Attachments in the database (issue 12), straight on PostgreSQL as PostgREST and Storage run
 * requests: the `attachments` bucket's limits, the object-name parser, the policies on
 * storage.objects (members only, as themselves, never under someone else's message), and
 * message_attachments (filled from the stored object, linked when the message is inserted, read
 * by members only, its per-message limit).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { useCastDatabase } from './fixture.js';
import { anon, asActor, becomeActor, becomeOwner, failsWith, rolledBack, user } from './sql.js';

/** Stores an object row as the Storage server does for `owner` (in the open transaction, as them). */
async function storeObject(client: pg.ClientBase, owner: string, name: string, mime = 'text/plain', size = 5) {
  await client.query(
    `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
     values ('attachments', $1, $2::uuid, $2, gen_random_uuid()::text, jsonb_build_object('mimetype', $3::text, 'size', $4::int))`,
    [name, owner, mime, size],
  );
}

describe('attachments', () => {
  const db = useCastDatabase();

  it('the bucket is private, 10 MiB at most, and refuses SVG', async () => {
    const { rows } = await db.pool.query<{ public: boolean; limit: string; svg: boolean; png: boolean }>(
      `select public, file_size_limit::text as limit, 'image/svg+xml' = any(allowed_mime_types) as svg,
              'image/png' = any(allowed_mime_types) as png
         from storage.buckets where id = 'attachments'`,
    );
    assert.deepEqual(rows[0], { public: false, limit: '10485760', svg: false, png: true });
  });

  it('attachment_limits() gives members the bucket limits storage.buckets hides from them; not anon', async () => {
    const { member } = db.cast;
    const read = await asActor(db.pool, user(member), async (client) => ({
      buckets: (await client.query('select id from storage.buckets')).rowCount,
      limits: (
        await client.query<{ file_size_limit: string; png: boolean; svg: boolean }>(
          `select file_size_limit::text, 'image/png' = any(allowed_mime_types) as png,
                  'image/svg+xml' = any(allowed_mime_types) as svg
             from public.attachment_limits()`,
        )
      ).rows,
    }));
    assert.deepEqual(read, { buckets: 0, limits: [{ file_size_limit: '10485760', png: true, svg: false }] });
    const denied = await asActor(db.pool, anon, (client) =>
      failsWith(client, 'select * from public.attachment_limits()'),
    );
    assert.equal(denied.code, '42501');
    // A project that tuned its bucket is read as it is.
    await rolledBack(db.pool, async (client) => {
      await becomeOwner(client);
      await client.query(
        `update storage.buckets set file_size_limit = null, allowed_mime_types = null where id = 'attachments'`,
      );
      await becomeActor(client, user(member));
      const { rows } = await client.query('select * from public.attachment_limits()');
      assert.deepEqual(rows, [{ file_size_limit: null, allowed_mime_types: null }]);
    });
  });

  it('attachment_conversation_id accepts only <uuid>/<uuid>/<file>', async () => {
    const c = randomUUID();
    const m = randomUUID();
    const cases: [string, string | null][] = [
      [`${c}/${m}/photo.png`, c],
      [`${c}/${m}/ünïcödé 写真.png`, c],
      [`${c}/${m}`, null],
      [`${c}/${m}/a/b.png`, null],
      [`${c}/${m}/`, null],
      [`not-a-uuid/${m}/x.png`, null],
      [`${c.toUpperCase()}/${m}/x.png`, null],
      ['', null],
    ];
    for (const [name, expected] of cases) {
      const { rows } = await db.pool.query<{ id: string | null }>(
        'select public.attachment_conversation_id($1)::text as id',
        [name],
      );
      assert.equal(rows[0]!.id, expected, name);
    }
  });

  it('storage.objects: members upload as themselves; outsiders, anon and other owners are refused', async () => {
    const { member, otherMember, outsider, conversation, message } = db.cast;
    await rolledBack(db.pool, async (client) => {
      await becomeActor(client, user(member));
      await storeObject(client, member, `${conversation}/${randomUUID()}/ok.txt`);
      // Claiming to be someone else as owner.
      const forged = await failsWith(
        client,
        `insert into storage.objects (bucket_id, name, owner_id) values ('attachments', $1, $2)`,
        [`${conversation}/${randomUUID()}/forged.txt`, otherMember],
      );
      assert.equal(forged.code, '42501');
      // A malformed name never passes.
      const malformed = await failsWith(
        client,
        `insert into storage.objects (bucket_id, name, owner_id) values ('attachments', $1, $2)`,
        [`${conversation}/loose.txt`, member],
      );
      assert.equal(malformed.code, '42501');

      await becomeActor(client, user(otherMember));
      // Under Maria's sent message: not Carlos's to add to.
      const underOthers = await failsWith(
        client,
        `insert into storage.objects (bucket_id, name, owner_id) values ('attachments', $1, $2)`,
        [`${conversation}/${message}/mine.txt`, otherMember],
      );
      assert.equal(underOthers.code, '42501');

      await becomeActor(client, user(outsider));
      const outside = await failsWith(
        client,
        `insert into storage.objects (bucket_id, name, owner_id) values ('attachments', $1, $2)`,
        [`${conversation}/${randomUUID()}/x.txt`, outsider],
      );
      assert.equal(outside.code, '42501');
      const seen = await client.query(`select 1 from storage.objects where bucket_id = 'attachments'`);
      assert.equal(seen.rowCount, 0, 'an outsider sees no attachment');
      const removed = await client.query(`delete from storage.objects where bucket_id = 'attachments'`);
      assert.equal(removed.rowCount, 0);

      await becomeActor(client, anon);
      const anonymous = await client.query(`select 1 from storage.objects`);
      assert.equal(anonymous.rowCount, 0);

      await becomeActor(client, user(otherMember));
      const visible = await client.query(`select 1 from storage.objects where bucket_id = 'attachments'`);
      assert.equal(visible.rowCount, 1, 'another member reads it');
      const notTheirs = await client.query(`delete from storage.objects where bucket_id = 'attachments'`);
      assert.equal(notTheirs.rowCount, 0, 'but does not remove it');
    });
  });

  it('a new message links its sender’s files under its id, copying name, type and size from storage', async () => {
    const { member, otherMember, outsider, conversation } = db.cast;
    await rolledBack(db.pool, async (client) => {
      const message = randomUUID();
      await becomeActor(client, user(member));
      await storeObject(client, member, `${conversation}/${message}/photo.png`, 'image/png', 1234);
      await becomeActor(client, user(otherMember));
      await storeObject(client, otherMember, `${conversation}/${message}/intruder.txt`);
      await becomeActor(client, user(member));
      await client.query(`insert into public.messages (id, conversation_id, body) values ($1, $2, 'photo')`, [
        message,
        conversation,
      ]);
      await becomeActor(client, user(otherMember));
      const { rows } = await client.query(
        `select file_name, mime_type, size_bytes::int, uploaded_by::text from public.message_attachments where message_id = $1`,
        [message],
      );
      assert.deepEqual(rows, [
        { file_name: 'photo.png', mime_type: 'image/png', size_bytes: 1234, uploaded_by: member },
      ]);
      await becomeActor(client, user(outsider));
      const hidden = await client.query('select 1 from public.message_attachments where message_id = $1', [message]);
      assert.equal(hidden.rowCount, 0);
      // Nobody edits a link.
      await becomeActor(client, user(member));
      const edit = await failsWith(client, `update public.message_attachments set file_name = 'x'`);
      assert.equal(edit.code, '42501');
    });
  });

  it('a deleted message’s files are unreadable to other members, its links hidden; the uploader may still remove them', async () => {
    const { member, otherMember, conversation } = db.cast;
    await rolledBack(db.pool, async (client) => {
      const message = randomUUID();
      const pending = randomUUID();
      const name = `${conversation}/${message}/photo.png`;
      await becomeActor(client, user(member));
      await storeObject(client, member, name, 'image/png', 1234);
      await storeObject(client, member, `${conversation}/${pending}/draft.txt`);
      await client.query(`insert into public.messages (id, conversation_id, body) values ($1, $2, 'photo')`, [
        message,
        conversation,
      ]);
      const visible = async (who: string) => {
        await becomeActor(client, user(who));
        const objects = await client.query(
          `select name from storage.objects where bucket_id = 'attachments' and name like $1 order by name`,
          [`${conversation}/%`],
        );
        const links = await client.query('select object_name from public.message_attachments where message_id = $1', [
          message,
        ]);
        return { objects: objects.rows.map((r) => r.name as string), links: links.rowCount };
      };
      const both = [`${conversation}/${message}/photo.png`, `${conversation}/${pending}/draft.txt`].sort();
      assert.deepEqual(await visible(otherMember), { objects: both, links: 1 });

      await becomeActor(client, user(member));
      await client.query('update public.messages set deleted_at = now() where id = $1', [message]);
      // The not-yet-sent message's upload stays readable; the deleted one's file and link do not.
      assert.deepEqual(await visible(otherMember), { objects: [`${conversation}/${pending}/draft.txt`], links: 0 });
      // The uploader still sees their own file, so they can remove it (as the Storage API does, by name).
      assert.deepEqual(await visible(member), { objects: both, links: 0 });
      await becomeActor(client, user(member));
      const removed = await client.query(
        `delete from storage.objects where bucket_id = 'attachments' and name = $1 and owner_id = $2`,
        [name, member],
      );
      assert.equal(removed.rowCount, 1);
    });
  });

  it('message_attachments refuses what storage does not back, and stops at the per-message limit', async () => {
    const { member, otherMember, conversation } = db.cast;
    await rolledBack(db.pool, async (client) => {
      const message = randomUUID();
      await becomeActor(client, user(member));
      await client.query(`insert into public.messages (id, conversation_id, body) values ($1, $2, 'files')`, [
        message,
        conversation,
      ]);
      const missing = await failsWith(
        client,
        'insert into public.message_attachments (message_id, object_name) values ($1, $2)',
        [message, `${conversation}/${message}/ghost.txt`],
      );
      assert.equal(missing.code, '23503');

      await becomeActor(client, user(otherMember));
      await storeObject(client, otherMember, `${conversation}/${randomUUID()}/theirs.txt`);
      const notSender = await failsWith(
        client,
        'insert into public.message_attachments (message_id, object_name) values ($1, $2)',
        [message, `${conversation}/${message}/x.txt`],
      );
      assert.equal(notSender.code, '42501');

      await becomeActor(client, user(member));
      for (let n = 0; n < 11; n++) await storeObject(client, member, `${conversation}/${message}/f${n}.txt`);
      for (let n = 0; n < 10; n++) {
        await client.query('insert into public.message_attachments (message_id, object_name) values ($1, $2)', [
          message,
          `${conversation}/${message}/f${n}.txt`,
        ]);
      }
      const eleventh = await failsWith(
        client,
        'insert into public.message_attachments (message_id, object_name) values ($1, $2)',
        [message, `${conversation}/${message}/f10.txt`],
      );
      assert.equal(eleventh.code, '23514');
      assert.match(eleventh.message, /At most 10 attachments/);
    });
  });

  it('anon may not touch message_attachments; service_role links only stored files too', async () => {
    const { member, conversation } = db.cast;
    const denied = await asActor(db.pool, anon, (client) =>
      failsWith(client, 'select 1 from public.message_attachments'),
    );
    assert.equal(denied.code, '42501');
    await rolledBack(db.pool, async (client) => {
      await becomeOwner(client);
      const message = randomUUID();
      await client.query(
        `insert into public.messages (id, conversation_id, sender_id, body) values ($1, $2, $3, 'import')`,
        [message, conversation, member],
      );
      const ghost = await failsWith(
        client,
        'insert into public.message_attachments (message_id, object_name) values ($1, $2)',
        [message, `${conversation}/${message}/ghost.txt`],
      );
      assert.equal(ghost.code, '23503');
    });
  });
});
