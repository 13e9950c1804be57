/**
 * The local Storage API with the real supabase-js storage client (and raw HTTP for what it
 * cannot send): upload, download, signed URLs, remove and list on the `attachments` bucket, whose
 * policies (migration 20250604060010) let only a conversation's members read and write its files,
 * the bucket's size and type limits, malformed requests, and the message_attachments link.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createGroup, setOpenToContact, startTestStack, type TestStack, type TestUser } from '../support/stack.js';

const BUCKET = 'attachments';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let stack: TestStack;
let member: TestUser;
let otherMember: TestUser;
let outsider: TestUser;
let conversation: string;

before(async () => {
  stack = await startTestStack();
  member = await stack.createUser({ displayName: 'Member' });
  otherMember = await stack.createUser({ displayName: 'Other member' });
  outsider = await stack.createUser({ displayName: 'Outsider' });
  await setOpenToContact(otherMember);
  conversation = await createGroup(member, 'Files', [otherMember]);
});

after(async () => {
  await stack?.stop();
});

const pathFor = (file: string, message = randomUUID()) => `${conversation}/${message}/${file}`;

function raw(path: string, init: RequestInit & { token?: string; key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('apikey', init.key ?? stack.anonKey);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  return fetch(`${stack.url}/storage/v1${path}`, { ...init, headers });
}

describe('Storage API: attachments bucket', () => {
  it('a member uploads a Blob (multipart) and a raw body, and another member downloads both byte for byte', async () => {
    const imagePath = pathFor('dot.png');
    const up = await member.client.storage
      .from(BUCKET)
      .upload(imagePath, new Blob([PNG], { type: 'image/png' }), { contentType: 'image/png' });
    assert.equal(up.error, null, up.error?.message);
    assert.equal(up.data?.fullPath, `${BUCKET}/${imagePath}`);
    assert.match(up.data?.id ?? '', /^[0-9a-f-]{36}$/);

    const textPath = pathFor('notes.txt');
    const text = await member.client.storage
      .from(BUCKET)
      .upload(textPath, Buffer.from('hello files'), { contentType: 'text/plain' });
    assert.equal(text.error, null, text.error?.message);

    const image = await otherMember.client.storage.from(BUCKET).download(imagePath);
    assert.equal(image.error, null, image.error?.message);
    assert.equal(image.data?.type, 'image/png');
    assert.deepEqual(Buffer.from(await image.data!.arrayBuffer()), PNG);
    const notes = await otherMember.client.storage.from(BUCKET).download(textPath);
    assert.equal(await notes.data?.text(), 'hello files');

    const row = await stack.context.pool.query<{ owner_id: string; size: string; mimetype: string }>(
      `select owner_id, metadata->>'size' as size, metadata->>'mimetype' as mimetype
         from storage.objects where bucket_id = $1 and name = $2`,
      [BUCKET, imagePath],
    );
    assert.deepEqual(row.rows[0], { owner_id: member.user.id, size: String(PNG.length), mimetype: 'image/png' });
  });

  it('downloads through /object/authenticated/ too, with the stored type and nosniff', async () => {
    const path = pathFor('a.txt');
    assert.equal(
      (await member.client.storage.from(BUCKET).upload(path, 'abc', { contentType: 'text/plain' })).error,
      null,
    );
    const response = await raw(`/object/authenticated/${BUCKET}/${path}`, { token: otherMember.session.access_token });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), 'abc');
  });

  it('refuses a non-member: upload 403 (no row, no file), download and sign 404, list empty', async () => {
    const path = pathFor('secret.txt');
    const refused = await outsider.client.storage.from(BUCKET).upload(path, 'nope', { contentType: 'text/plain' });
    assert.equal((refused.error as { status?: number } | null)?.status, 403);
    assert.match(refused.error?.message ?? '', /row-level security/);
    const rows = await stack.context.pool.query('select 1 from storage.objects where name = $1', [path]);
    assert.equal(rows.rowCount, 0);

    const mine = pathFor('mine.txt');
    assert.equal(
      (await member.client.storage.from(BUCKET).upload(mine, 'x', { contentType: 'text/plain' })).error,
      null,
    );
    const download = await outsider.client.storage.from(BUCKET).download(mine);
    assert.equal((download.error as { status?: number } | null)?.status, 404);
    const sign = await outsider.client.storage.from(BUCKET).createSignedUrl(mine, 60);
    assert.equal((sign.error as { status?: number } | null)?.status, 404);
    const listed = await outsider.client.storage.from(BUCKET).list(conversation);
    assert.deepEqual(listed.data, []);
    const anonymous = await raw(`/object/${BUCKET}/${mine}`);
    assert.equal(anonymous.status, 404);
  });

  it('signed URLs: a member signs, anyone with the URL fetches without a key; a forged or foreign token is refused', async () => {
    const path = pathFor('shared.png');
    await member.client.storage.from(BUCKET).upload(path, PNG, { contentType: 'image/png' });
    const signed = await otherMember.client.storage.from(BUCKET).createSignedUrl(path, 60);
    assert.equal(signed.error, null, signed.error?.message);
    const fetched = await fetch(signed.data!.signedUrl);
    assert.equal(fetched.status, 200);
    assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), PNG);

    const token = new URL(signed.data!.signedUrl).searchParams.get('token')!;
    const other = pathFor('other.png');
    await member.client.storage.from(BUCKET).upload(other, PNG, { contentType: 'image/png' });
    const foreign = await raw(`/object/sign/${BUCKET}/${other}?token=${token}`, { key: null });
    assert.equal(foreign.status, 400);
    assert.equal(((await foreign.json()) as { code: string }).code, 'InvalidSignature');
    const forged = await raw(`/object/sign/${BUCKET}/${path}?token=${token.slice(0, -4)}AAAA`, { key: null });
    assert.equal(forged.status, 400);

    const many = await member.client.storage.from(BUCKET).createSignedUrls([path, pathFor('missing.png')], 60);
    assert.equal(many.data?.length, 2);
    assert.ok(many.data?.[0]?.signedUrl);
    assert.equal(many.data?.[1]?.signedUrl, null);
  });

  it('enforces the bucket limits: too large 413 before any file is kept, a refused type 415', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1);
    const path = pathFor('big.bin.txt');
    const tooLarge = await member.client.storage.from(BUCKET).upload(path, big, { contentType: 'text/plain' });
    assert.equal((tooLarge.error as { status?: number } | null)?.status, 413);
    assert.match(tooLarge.error?.message ?? '', /maximum allowed size/);
    const asBlob = await member.client.storage
      .from(BUCKET)
      .upload(pathFor('big.txt'), new Blob([big], { type: 'text/plain' }));
    assert.equal((asBlob.error as { status?: number } | null)?.status, 413);
    const rows = await stack.context.pool.query("select 1 from storage.objects where name like '%/big%'");
    assert.equal(rows.rowCount, 0);

    const svg = await member.client.storage
      .from(BUCKET)
      .upload(pathFor('x.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>', { contentType: 'image/svg+xml' });
    assert.equal((svg.error as { status?: number } | null)?.status, 415);
    assert.match(svg.error?.message ?? '', /mime type image\/svg\+xml is not supported/);
  });

  it('upload without upsert refuses an existing name (409); upsert and update replace the content', async () => {
    const path = pathFor('v.txt');
    const bucket = member.client.storage.from(BUCKET);
    assert.equal((await bucket.upload(path, 'one', { contentType: 'text/plain' })).error, null);
    const again = await bucket.upload(path, 'two', { contentType: 'text/plain' });
    assert.equal((again.error as { status?: number } | null)?.status, 409);
    assert.equal((await bucket.upload(path, 'three', { contentType: 'text/plain', upsert: true })).error, null);
    assert.equal(await (await bucket.download(path)).data?.text(), 'three');
    assert.equal((await bucket.update(path, 'four', { contentType: 'text/plain' })).error, null);
    assert.equal(await (await otherMember.client.storage.from(BUCKET).download(path)).data?.text(), 'four');
    // Another member cannot overwrite it.
    const hijack = await otherMember.client.storage
      .from(BUCKET)
      .upload(path, 'mine now', { contentType: 'text/plain', upsert: true });
    assert.equal((hijack.error as { status?: number } | null)?.status, 403);
    assert.equal(await (await bucket.download(path)).data?.text(), 'four');
  });

  it('remove: only the uploader removes a file; list shows folders and files', async () => {
    const message = randomUUID();
    const path = pathFor('gone.txt', message);
    const bucket = member.client.storage.from(BUCKET);
    await bucket.upload(path, 'bye', { contentType: 'text/plain' });
    const listed = await otherMember.client.storage.from(BUCKET).list(`${conversation}/${message}`);
    assert.deepEqual(
      listed.data?.map((entry) => entry.name),
      ['gone.txt'],
    );
    const folders = await otherMember.client.storage.from(BUCKET).list(conversation);
    assert.ok(folders.data?.some((entry) => entry.name === message && entry.id === null));

    const notMine = await otherMember.client.storage.from(BUCKET).remove([path]);
    assert.deepEqual(notMine.data, []);
    const removed = await bucket.remove([path]);
    assert.equal(removed.error, null);
    assert.deepEqual(
      removed.data?.map((entry) => entry.name),
      [path],
    );
    const download = await bucket.download(path);
    assert.equal((download.error as { status?: number } | null)?.status, 404);
  });

  it('malformed requests get clear Supabase-shaped errors and the stack keeps serving', async () => {
    const token = member.session.access_token;
    const noBucket = await raw(`/object/nope/${pathFor('a.txt')}`, { method: 'POST', token, body: 'x' });
    assert.equal(noBucket.status, 404);
    assert.deepEqual(await noBucket.json(), {
      statusCode: '404',
      code: 'NoSuchBucket',
      error: 'NoSuchBucket',
      message: 'Bucket not found',
    });
    const badKey = await raw(`/object/${BUCKET}/${conversation}//x.txt`, {
      method: 'POST',
      token,
      body: 'x',
    });
    assert.equal(badKey.status, 400);
    assert.equal(((await badKey.json()) as { code: string }).code, 'InvalidKey');
    const badJson = await raw(`/object/sign/${BUCKET}/${pathFor('a.txt')}`, { method: 'POST', token, body: '{' });
    assert.equal(badJson.status, 400);
    const badExpiry = await raw(`/object/sign/${BUCKET}/${pathFor('a.txt')}`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expiresIn: 'soon' }),
    });
    assert.equal(badExpiry.status, 400);
    const badRemove = await raw(`/object/${BUCKET}`, {
      method: 'DELETE',
      token,
      body: JSON.stringify({ prefixes: 'x' }),
    });
    assert.equal(badRemove.status, 400);
    const brokenMultipart = await raw(`/object/${BUCKET}/${pathFor('m.txt')}`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      body: '--zzz\r\ncontent-disposition: form-data; name="cacheControl"\r\n\r\n3600\r\n--zzz--\r\n',
    });
    assert.equal(brokenMultipart.status, 400);
    const badJwt = await raw(`/object/${BUCKET}/${pathFor('a.txt')}`, { token: 'not.a.jwt' });
    assert.equal(badJwt.status, 403);
    const noKey = await raw(`/object/${BUCKET}/${pathFor('a.txt')}`, { key: null, token });
    assert.equal(noKey.status, 401);
    const unknown = await raw('/bucket', { token });
    assert.equal(unknown.status, 400);
    // The stack still answers.
    const ok = await member.client.storage
      .from(BUCKET)
      .upload(pathFor('after.txt'), 'ok', { contentType: 'text/plain' });
    assert.equal(ok.error, null);
  });
});

describe('message_attachments', () => {
  it('deleting a message makes its files unreadable to the others through the API; its sender can still remove them', async () => {
    const message = randomUUID();
    const path = pathFor('secret.png', message);
    const bucket = member.client.storage.from(BUCKET);
    assert.equal((await bucket.upload(path, PNG, { contentType: 'image/png' })).error, null);
    const sent = await member.client
      .from('messages')
      .insert({ id: message, conversation_id: conversation, body: 'oops' });
    assert.equal(sent.error, null, sent.error?.message);
    assert.equal((await otherMember.client.storage.from(BUCKET).download(path)).error, null);

    const deleted = await member.client
      .from('messages')
      .update({ deleted_at: new Date().toISOString() })
      .eq('id', message);
    assert.equal(deleted.error, null, deleted.error?.message);
    const download = await otherMember.client.storage.from(BUCKET).download(path);
    assert.notEqual(download.error, null, 'another member cannot download it');
    const signed = await otherMember.client.storage.from(BUCKET).createSignedUrl(path, 60);
    assert.notEqual(signed.error, null, 'nor sign a URL for it');
    const links = await otherMember.client.from('message_attachments').select('id').eq('message_id', message);
    assert.deepEqual(links.data, []);

    const removed = await bucket.remove([path]);
    assert.equal(removed.error, null, removed.error?.message);
    assert.deepEqual(
      removed.data?.map((object) => object.name),
      [path],
    );
  });

  it('a message links the files its sender uploaded under its id, with the stored name, type and size', async () => {
    const message = randomUUID();
    const bucket = member.client.storage.from(BUCKET);
    await bucket.upload(pathFor('dot.png', message), PNG, { contentType: 'image/png' });
    await bucket.upload(pathFor('readme.txt', message), 'read me', { contentType: 'text/plain' });
    // Another member's file in the same folder is not the sender's: never linked.
    await otherMember.client.storage
      .from(BUCKET)
      .upload(pathFor('sneaky.txt', message), 'x', { contentType: 'text/plain' });
    const sent = await member.client
      .from('messages')
      .insert({ id: message, conversation_id: conversation, body: 'two files' });
    assert.equal(sent.error, null, sent.error?.message);
    const { data, error } = await otherMember.client
      .from('message_attachments')
      .select('file_name, mime_type, size_bytes, uploaded_by')
      .eq('message_id', message)
      .order('file_name');
    assert.equal(error, null, error?.message);
    assert.deepEqual(data, [
      { file_name: 'dot.png', mime_type: 'image/png', size_bytes: PNG.length, uploaded_by: member.user.id },
      { file_name: 'readme.txt', mime_type: 'text/plain', size_bytes: 7, uploaded_by: member.user.id },
    ]);
    const hidden = await outsider.client.from('message_attachments').select('id').eq('message_id', message);
    assert.deepEqual(hidden.data, []);
    // Nobody adds files under a message that is someone else's.
    const late = await otherMember.client.storage
      .from(BUCKET)
      .upload(pathFor('late.txt', message), 'x', { contentType: 'text/plain' });
    assert.equal((late.error as { status?: number } | null)?.status, 403);
  });

  it('refuses a link the client makes up: another message, a missing object, lying columns are overwritten', async () => {
    const message = randomUUID();
    await member.client.from('messages').insert({ id: message, conversation_id: conversation, body: 'plain' });
    const missing = await member.client
      .from('message_attachments')
      .insert({ message_id: message, object_name: pathFor('ghost.txt', message) });
    assert.match(missing.error?.message ?? '', /No stored file/);
    const elsewhere = randomUUID();
    await member.client.storage.from(BUCKET).upload(pathFor('x.txt', elsewhere), 'x', { contentType: 'text/plain' });
    const wrongFolder = await member.client
      .from('message_attachments')
      .insert({ message_id: message, object_name: pathFor('x.txt', elsewhere) });
    assert.match(wrongFolder.error?.message ?? '', /must be stored under/);

    await member.client.storage
      .from(BUCKET)
      .upload(pathFor('late.txt', message), 'late', { contentType: 'text/plain' });
    const notSender = await otherMember.client
      .from('message_attachments')
      .insert({ message_id: message, object_name: pathFor('late.txt', message) });
    assert.ok(notSender.error);
    const lying = await member.client
      .from('message_attachments')
      .insert({
        message_id: message,
        object_name: pathFor('late.txt', message),
        file_name: 'virus.exe',
        mime_type: 'image/png',
        size_bytes: 1,
      })
      .select('file_name, mime_type, size_bytes')
      .single();
    assert.equal(lying.error, null, lying.error?.message);
    assert.deepEqual(lying.data, { file_name: 'late.txt', mime_type: 'text/plain', size_bytes: 4 });
  });
});

describe('Storage API: an upload cut off half way', () => {
  it('leaves no row and no file behind, and the stack keeps serving', async () => {
    const { request } = await import('node:http');
    const { readdir } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { defaultStorageDir } = await import('../../supabase/local/storage/index.js');
    const path = pathFor('cut.txt');
    const url = new URL(`${stack.url}/storage/v1/object/${BUCKET}/${path}`);
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: 'POST',
        headers: {
          apikey: stack.anonKey,
          authorization: `Bearer ${member.session.access_token}`,
          'content-type': 'text/plain',
          'content-length': String(1024 * 1024),
        },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(Buffer.alloc(256 * 1024, 97), () => setImmediate(() => req.destroy()));
    });
    const database = new URL(stack.databaseUrl).pathname.slice(1);
    const temporary = join(defaultStorageDir(), database, '.tmp');
    // The server notices the cut connection on its own time: wait for it, without a fixed delay.
    for (;;) {
      const left = await readdir(temporary).catch(() => [] as string[]);
      if (left.length === 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const rows = await stack.context.pool.query('select 1 from storage.objects where name = $1', [path]);
    assert.equal(rows.rowCount, 0);
    const after = await member.client.storage.from(BUCKET).upload(path, 'whole', { contentType: 'text/plain' });
    assert.equal(after.error, null, after.error?.message);
    assert.equal(await (await member.client.storage.from(BUCKET).download(path)).data?.text(), 'whole');
  });
});
