/**
 * The local Storage service (`/storage/v1`): the subset of Supabase Storage's API that
 * supabase-js's storage client uses for files — upload (POST, PUT, upsert), download
 * (authenticated), signed URLs (create, fetch), remove and list. As on Supabase, every read and
 * write of `storage.objects` runs as the token's role with its JWT claims, so the bucket's row
 * level security policies decide; the bucket's `file_size_limit` and `allowed_mime_types` are
 * enforced here, while the body streams to disk (files.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type pg from 'pg';
import type { StackContext } from '../context.js';
import { REPO_ROOT } from '../db.js';
import {
  apiKeyOf,
  applyCors,
  BodyReadError,
  handlePreflight,
  headerValue,
  PayloadTooLargeError,
  readBody,
  searchParamsOf,
  sendJson,
} from '../http.js';
import { effectiveToken, isKnownApiKey, JwtError, signJwt, verifyJwt, type Claims } from '../keys.js';
import {
  duplicate,
  entityTooLarge,
  invalidJwt,
  invalidKey,
  invalidMimeType,
  invalidRequest,
  invalidSignature,
  noSuchBucket,
  noSuchKey,
  notSupported,
  rlsDenied,
  StorageError,
} from './errors.js';
import { FileStore } from './files.js';

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

/** JSON bodies (sign, remove, list) are small; file bodies stream and are not bound by this. */
const JSON_BODY_LIMIT = 1024 * 1024;
/** Without a bucket limit: Supabase's default global upload limit (50 MB). */
const GLOBAL_FILE_LIMIT = 50 * 1024 * 1024;

interface Caller {
  claims: Claims;
  role: string;
}

interface Bucket {
  id: string;
  public: boolean;
  file_size_limit: string | null;
  allowed_mime_types: string[] | null;
}

interface ObjectRow {
  id: string;
  name: string;
  version: string | null;
  metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date;
}

export function createStorageHandler(ctx: StackContext, options: { root: string }): Handler {
  const database = new URL(ctx.databaseUrl).pathname.slice(1) || 'postgres';
  const files = new FileStore(options.root, database);
  const service = { ctx, files };

  return async (req, res, path) => {
    try {
      if (handlePreflight(req, res)) return;
      await route(service, req, res, path);
    } catch (error) {
      const failure = toStorageError(error);
      if (!failure) {
        ctx.metrics.errors.inc({ service: 'storage' });
        console.error('[storage]', error);
      } else if (failure.status >= 500) ctx.metrics.errors.inc({ service: 'storage' });
      if (res.headersSent || req.socket.destroyed) res.destroy();
      else
        await answerAfterDraining(req, res, failure ?? new StorageError(500, 'InternalError', 'Internal server error'));
    } finally {
      ctx.metrics.requests.inc({ service: 'storage', status: String(res.statusCode) });
    }
  };
}

interface Service {
  ctx: StackContext;
  files: FileStore;
}

function toStorageError(error: unknown): StorageError | undefined {
  if (error instanceof StorageError) return error;
  if (error instanceof PayloadTooLargeError)
    return invalidRequest(`Request body exceeds the limit of ${error.limit} bytes`);
  if (error instanceof BodyReadError) return invalidRequest(`The request body could not be read: ${error.message}`);
  const code = (error as { code?: unknown } | null)?.code;
  // The client went away mid-upload: its temporary file is already gone (files.ts); nobody to answer.
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED') {
    return invalidRequest('The request body could not be read: the client closed the connection');
  }
  if (code === '42501') return rlsDenied();
  if (code === '23505') return duplicate();
  if (code === '22P02' || code === '22021') return invalidRequest('Malformed value in the request');
  return undefined;
}

/**
 * Answers an error while the client may still be sending its file: the rest of the body is read
 * and dropped first (up to a cap), so the client gets the JSON answer instead of a reset connection.
 */
async function answerAfterDraining(req: IncomingMessage, res: ServerResponse, failure: StorageError): Promise<void> {
  if (!req.complete && !req.destroyed) {
    await new Promise<void>((resolve) => {
      let drained = 0;
      const cap = 64 * 1024 * 1024;
      const done = () => resolve();
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > cap) {
          req.destroy();
          done();
        }
      });
      req.once('end', done);
      req.once('error', done);
      req.once('close', done);
      req.resume();
    });
  }
  if (!res.headersSent && !res.destroyed) sendJson(res, failure.status, failure.body());
}

async function route(service: Service, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  let segments: string[];
  try {
    // Empty segments inside an object name are kept, so checkKey can refuse them.
    segments = path.replace(/^\/+/, '').split('/').map(decodeURIComponent);
  } catch {
    throw invalidRequest('Invalid path in request URL');
  }
  const method = req.method ?? 'GET';
  if (segments[0] !== 'object') throw notSupported(`${method} /storage/v1${path}`);
  const rest = segments.slice(1);

  // Signed URLs are opened without any key (an <img src>, a download link): the token is the grant.
  if (rest[0] === 'sign' && (method === 'GET' || method === 'HEAD') && rest.length >= 3) {
    return fetchSigned(service, req, res, rest[1]!, rest.slice(2).join('/'));
  }
  if (!isKnownApiKey(apiKeyOf(req))) {
    throw new StorageError(401, 'InvalidJWT', apiKeyOf(req) ? 'Invalid API key' : 'No API key found in request');
  }
  const caller = await callerOf(req);

  if (rest[0] === 'sign' && method === 'POST') {
    if (rest.length === 2) return signMany(service, req, res, caller, rest[1]!);
    if (rest.length >= 3) return signOne(service, req, res, caller, rest[1]!, rest.slice(2).join('/'));
  }
  if (rest[0] === 'list' && method === 'POST' && rest.length === 2) return list(service, req, res, caller, rest[1]!);
  if (rest[0] === 'authenticated' && (method === 'GET' || method === 'HEAD') && rest.length >= 3) {
    return download(service, req, res, caller, rest[1]!, rest.slice(2).join('/'));
  }
  if (rest[0] === 'public' && (method === 'GET' || method === 'HEAD') && rest.length >= 3) {
    return downloadPublic(service, req, res, rest[1]!, rest.slice(2).join('/'));
  }
  if (['sign', 'list', 'authenticated', 'public', 'info', 'move', 'copy', 'upload'].includes(rest[0] ?? '')) {
    throw notSupported(`${method} /storage/v1${path}`);
  }
  if (method === 'DELETE' && rest.length === 1) return remove(service, req, res, caller, rest[0]!);
  if (rest.length < 2) throw invalidRequest('The path must be /object/<bucket>/<object name>');
  const bucket = rest[0]!;
  const name = rest.slice(1).join('/');
  if (method === 'POST' || method === 'PUT') return upload(service, req, res, caller, bucket, name, method);
  if (method === 'GET' || method === 'HEAD') return download(service, req, res, caller, bucket, name);
  throw new StorageError(405, 'InvalidRequest', `Method ${method} is not allowed here`);
}

/** Storage's JWT step: the token (Authorization, else the apikey) must verify. */
async function callerOf(req: IncomingMessage): Promise<Caller> {
  const token = effectiveToken(apiKeyOf(req), headerValue(req, 'authorization'));
  if (!token) return { claims: { role: 'anon' }, role: 'anon' };
  try {
    const claims = await verifyJwt(token);
    return { claims, role: claims.role || 'anon' };
  } catch (error) {
    throw invalidJwt(error instanceof JwtError ? error.message : 'invalid token');
  }
}

/**
 * Object names as Supabase Storage accepts them: not empty, no empty or dot segments, no control
 * characters, at most 1024 bytes.
 */
function checkKey(name: string): void {
  const segments = name.split('/');
  if (
    name.length === 0 ||
    Buffer.byteLength(name) > 1024 ||
    [...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw invalidKey(name);
  }
}

/** One transaction as the caller's role with its claims, as PostgREST and Storage run queries. */
async function asCaller<T>(service: Service, caller: Caller, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await service.ctx.restPool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    await client.query(
      `select set_config('search_path', '', true), set_config('role', $1, true),
              set_config('request.jwt.claims', $2, true), set_config('request.method', 'POST', true)`,
      [caller.role, JSON.stringify({ ...caller.claims, role: caller.role })],
    );
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function findBucket(service: Service, id: string): Promise<Bucket> {
  const { rows } = await service.ctx.pool.query<Bucket>(
    'select id, public, file_size_limit::text, allowed_mime_types from storage.buckets where id = $1',
    [id],
  );
  if (!rows[0]) throw noSuchBucket();
  return rows[0];
}

function mimeAllowed(bucket: Bucket, mime: string): boolean {
  const allowed = bucket.allowed_mime_types;
  if (!allowed || allowed.length === 0) return true;
  const [type] = mime.split('/');
  return allowed.some((entry) => {
    const rule = entry.trim().toLowerCase();
    return rule === mime || rule === '*/*' || (rule.endsWith('/*') && rule.slice(0, -2) === type);
  });
}

function sizeLimitOf(bucket: Bucket): number {
  const limit = bucket.file_size_limit === null ? GLOBAL_FILE_LIMIT : Number(bucket.file_size_limit);
  return Math.min(limit, GLOBAL_FILE_LIMIT);
}

/** `image/png; charset=…` → `image/png`. */
function bareMime(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

interface Incoming {
  body: Readable;
  mime: string;
  cacheControl: string;
}

/**
 * The file of an upload: the raw body (its Content-Type), or the one file part of a
 * multipart/form-data body (what storage-js sends for a Blob or File), whose own type counts.
 */
async function incomingFile(req: IncomingMessage): Promise<Incoming> {
  const contentType = headerValue(req, 'content-type') ?? '';
  if (bareMime(contentType) !== 'multipart/form-data') {
    const cache = headerValue(req, 'cache-control');
    return {
      body: req,
      mime: bareMime(contentType) || 'application/octet-stream',
      cacheControl: cache?.replace(/^max-age=/, '') ?? '3600',
    };
  }
  return new Promise<Incoming>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 64 * 1024 } });
    } catch (error) {
      reject(invalidRequest(`Malformed multipart body: ${(error as Error).message}`));
      return;
    }
    let cacheControl = '3600';
    let found = false;
    parser.on('field', (name, value) => {
      if (name === 'cacheControl') cacheControl = value;
    });
    parser.on('file', (_name, stream, info) => {
      if (found) {
        stream.resume();
        return;
      }
      found = true;
      // The part's stream goes on through a PassThrough so the rest of the form keeps parsing.
      const body = new PassThrough();
      stream.on('error', (error) => body.destroy(error));
      stream.pipe(body);
      resolve({ body, mime: bareMime(info.mimeType) || 'application/octet-stream', cacheControl });
    });
    parser.on('error', (error: Error) => reject(invalidRequest(`Malformed multipart body: ${error.message}`)));
    parser.on('close', () => {
      if (!found) reject(invalidRequest('The multipart body has no file'));
    });
    req.on('aborted', () => reject(new BodyReadError('request aborted')));
    req.pipe(parser);
  });
}

async function upload(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  bucketId: string,
  name: string,
  method: 'POST' | 'PUT',
): Promise<void> {
  checkKey(name);
  const bucket = await findBucket(service, bucketId);
  const upsert = method === 'PUT' || headerValue(req, 'x-upsert') === 'true';
  const limit = sizeLimitOf(bucket);
  const declared = Number(headerValue(req, 'content-length'));
  const multipart = bareMime(headerValue(req, 'content-type')) === 'multipart/form-data';
  // A raw body's declared length is the file's: refuse before reading it. (A multipart body
  // carries some form overhead too, so that one is measured while it streams.)
  if (!multipart && Number.isFinite(declared) && declared > limit) throw entityTooLarge();
  const owner = typeof caller.claims.sub === 'string' ? caller.claims.sub : null;

  // As Storage does, try the row first (and roll it back) so a refused caller never streams a file.
  await asCaller(service, caller, async (client) => {
    await writeRow(client, bucketId, name, owner, randomUUID(), {}, upsert, method);
    throw new DryRun();
  }).catch((error: unknown) => {
    if (!(error instanceof DryRun)) throw error;
  });

  const incoming = await incomingFile(req);
  if (!mimeAllowed(bucket, incoming.mime)) {
    incoming.body.resume();
    throw invalidMimeType(incoming.mime);
  }
  const temp = await service.files.receive(incoming.body, limit);
  const version = randomUUID();
  const metadata = {
    eTag: temp.eTag,
    size: temp.size,
    mimetype: incoming.mime,
    cacheControl: `max-age=${incoming.cacheControl}`,
    lastModified: new Date().toISOString(),
    contentLength: temp.size,
    httpStatusCode: 200,
  };
  let placed = false;
  let written: { id: string; previous: string | null };
  try {
    written = await asCaller(service, caller, async (client) => {
      const row = await writeRow(client, bucketId, name, owner, version, metadata, upsert, method);
      await service.files.commit(temp, bucketId, version);
      placed = true;
      return row;
    });
  } catch (error) {
    await service.files.discard(placed ? service.files.pathOf(bucketId, version) : temp.file);
    throw error;
  }
  if (written.previous && written.previous !== version) {
    await service.files.discard(service.files.pathOf(bucketId, written.previous));
  }
  sendJson(res, 200, { Id: written.id, Key: `${bucketId}/${name}` });
}

class DryRun extends Error {}

/**
 * Inserts the object row (POST without upsert), replaces it (PUT: it must exist) or either
 * (upsert). Returns its id and the version it replaced.
 */
async function writeRow(
  client: pg.PoolClient,
  bucketId: string,
  name: string,
  owner: string | null,
  version: string,
  metadata: Record<string, unknown>,
  upsert: boolean,
  method: 'POST' | 'PUT',
): Promise<{ id: string; previous: string | null }> {
  const { rows: existing } = await client.query<{ version: string | null }>(
    'select version from storage.objects where bucket_id = $1 and name = $2',
    [bucketId, name],
  );
  const previous = existing[0]?.version ?? null;
  if (method === 'PUT' && !upsert && existing.length === 0) throw noSuchKey();
  const values = [bucketId, name, owner, version, JSON.stringify(metadata)];
  if (existing.length > 0) {
    if (!upsert && method === 'POST') throw duplicate();
    const { rows } = await client.query<{ id: string }>(
      `update storage.objects set owner = $3::uuid, owner_id = $3, version = $4, metadata = $5::jsonb,
              updated_at = now(), last_accessed_at = now()
        where bucket_id = $1 and name = $2 returning id`,
      values,
    );
    // Visible but not updatable under the policies: refused like Storage refuses it.
    if (!rows[0]) throw rlsDenied();
    return { id: rows[0].id, previous };
  }
  const { rows } = await client.query<{ id: string }>(
    `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
     values ($1, $2, $3::uuid, $3, $4, $5::jsonb) returning id`,
    values,
  );
  return { id: rows[0]!.id, previous: null };
}

async function download(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  bucketId: string,
  name: string,
): Promise<void> {
  checkKey(name);
  await findBucket(service, bucketId);
  const row = await asCaller(service, caller, async (client) => {
    const { rows } = await client.query<ObjectRow>(
      'select id, name, version, metadata from storage.objects where bucket_id = $1 and name = $2',
      [bucketId, name],
    );
    return rows[0];
  });
  if (!row) throw noSuchKey();
  await sendFile(service, req, res, bucketId, row);
}

async function downloadPublic(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  bucketId: string,
  name: string,
): Promise<void> {
  checkKey(name);
  const bucket = await findBucket(service, bucketId);
  if (!bucket.public) throw noSuchBucket();
  const { rows } = await service.ctx.pool.query<ObjectRow>(
    'select id, name, version, metadata from storage.objects where bucket_id = $1 and name = $2',
    [bucketId, name],
  );
  if (!rows[0]) throw noSuchKey();
  await sendFile(service, req, res, bucketId, rows[0]);
}

async function sendFile(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  bucketId: string,
  row: ObjectRow,
): Promise<void> {
  if (!row.version) throw noSuchKey();
  const file = service.files.pathOf(bucketId, row.version);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw noSuchKey();
  const metadata = row.metadata ?? {};
  const mime = typeof metadata['mimetype'] === 'string' ? metadata['mimetype'] : 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': mime,
    'content-length': String(info.size),
    'cache-control': typeof metadata['cacheControl'] === 'string' ? metadata['cacheControl'] : 'no-cache',
    // A stored file never runs as a page of the API's origin.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'",
  };
  if (typeof metadata['eTag'] === 'string') headers['etag'] = metadata['eTag'];
  const wanted = searchParamsOf(req).get('download');
  if (wanted !== null) {
    const fileName = wanted || row.name.split('/').pop() || 'download';
    headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`;
  }
  applyCors(res);
  // A page that fetches a download may read its file name.
  res.setHeader('access-control-expose-headers', 'Content-Disposition, Content-Length, ETag');
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, JSON_BODY_LIMIT);
  if (raw.length === 0) return {};
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalidRequest('The body must be a JSON object');
}

function expiresInOf(body: Record<string, unknown>): number {
  const expiresIn = body['expiresIn'];
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1) {
    throw invalidRequest('expiresIn must be a positive whole number of seconds');
  }
  return expiresIn;
}

async function signedUrl(bucketId: string, name: string, expiresIn: number): Promise<string> {
  const token = await signJwt({ role: 'storage_signed_url', url: `${bucketId}/${name}` }, expiresIn);
  return `/object/sign/${encodeURI(`${bucketId}/${name}`)}?token=${token}`;
}

async function visibleNames(service: Service, caller: Caller, bucketId: string, names: string[]): Promise<Set<string>> {
  return asCaller(service, caller, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      'select name from storage.objects where bucket_id = $1 and name = any($2::text[])',
      [bucketId, names],
    );
    return new Set(rows.map((row) => row.name));
  });
}

async function signOne(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  bucketId: string,
  name: string,
): Promise<void> {
  checkKey(name);
  const expiresIn = expiresInOf(await jsonBody(req));
  await findBucket(service, bucketId);
  // Only an object the caller may read can be shared.
  if (!(await visibleNames(service, caller, bucketId, [name])).has(name)) throw noSuchKey();
  sendJson(res, 200, { signedURL: await signedUrl(bucketId, name, expiresIn) });
}

async function signMany(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  bucketId: string,
): Promise<void> {
  const body = await jsonBody(req);
  const expiresIn = expiresInOf(body);
  const paths = body['paths'];
  if (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string')) {
    throw invalidRequest('paths must be an array of object names');
  }
  await findBucket(service, bucketId);
  const visible = await visibleNames(service, caller, bucketId, paths as string[]);
  const answer = [];
  for (const path of paths as string[]) {
    answer.push(
      visible.has(path)
        ? { error: null, path, signedURL: await signedUrl(bucketId, path, expiresIn) }
        : { error: 'Either the object does not exist or you do not have access to it', path, signedURL: null },
    );
  }
  sendJson(res, 200, answer);
}

async function fetchSigned(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  bucketId: string,
  name: string,
): Promise<void> {
  const token = searchParamsOf(req).get('token');
  if (!token) throw invalidSignature('Missing token');
  let claims: Claims;
  try {
    claims = await verifyJwt(token);
  } catch (error) {
    throw invalidSignature(error instanceof JwtError ? error.message : 'invalid token');
  }
  if (claims['url'] !== `${bucketId}/${name}`)
    throw invalidSignature('Invalid signature: the token is for another object');
  const { rows } = await service.ctx.pool.query<ObjectRow>(
    'select id, name, version, metadata from storage.objects where bucket_id = $1 and name = $2',
    [bucketId, name],
  );
  if (!rows[0]) throw noSuchKey();
  await sendFile(service, req, res, bucketId, rows[0]);
}

async function remove(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  bucketId: string,
): Promise<void> {
  const prefixes = (await jsonBody(req))['prefixes'];
  if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((prefix) => typeof prefix !== 'string')) {
    throw invalidRequest('prefixes must be a non-empty array of object names');
  }
  if (prefixes.length > 1000) throw invalidRequest('At most 1000 objects can be removed at once');
  await findBucket(service, bucketId);
  const removed = await asCaller(service, caller, async (client) => {
    const { rows } = await client.query<ObjectRow & { bucket_id: string; owner: string | null }>(
      `delete from storage.objects where bucket_id = $1 and name = any($2::text[])
       returning id, name, bucket_id, owner, version, metadata, created_at, updated_at, last_accessed_at`,
      [bucketId, prefixes],
    );
    return rows;
  });
  for (const row of removed) {
    if (row.version) await service.files.discard(service.files.pathOf(bucketId, row.version));
  }
  sendJson(
    res,
    200,
    removed.map((row) => ({
      bucket_id: row.bucket_id,
      name: row.name,
      id: row.id,
      owner: row.owner,
      metadata: row.metadata,
      created_at: row.created_at,
      updated_at: row.updated_at,
      last_accessed_at: row.last_accessed_at,
    })),
  );
}

/** `list(prefix)`: the files and folders directly under a folder, as Storage's storage.search gives them. */
async function list(
  service: Service,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  bucketId: string,
): Promise<void> {
  const body = await jsonBody(req);
  const prefixValue = body['prefix'] ?? '';
  const limit = body['limit'] ?? 100;
  const offset = body['offset'] ?? 0;
  const search = body['search'] ?? '';
  if (typeof prefixValue !== 'string' || typeof search !== 'string') throw invalidRequest('prefix must be a string');
  if (typeof limit !== 'number' || typeof offset !== 'number' || limit < 0 || offset < 0) {
    throw invalidRequest('limit and offset must be non-negative numbers');
  }
  await findBucket(service, bucketId);
  const prefix = prefixValue === '' || prefixValue.endsWith('/') ? prefixValue : `${prefixValue}/`;
  const rows = await asCaller(service, caller, async (client) => {
    const { rows } = await client.query<ObjectRow>(
      `select id, name, version, metadata, created_at, updated_at, last_accessed_at from storage.objects
        where bucket_id = $1 and left(name, char_length($2)) = $2 order by name collate "C"`,
      [bucketId, prefix],
    );
    return rows;
  });
  const entries = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const rest = row.name.slice(prefix.length);
    const slash = rest.indexOf('/');
    const entryName = slash === -1 ? rest : rest.slice(0, slash);
    if (search && !entryName.toLowerCase().startsWith(search.toLowerCase())) continue;
    if (entries.has(entryName)) continue;
    entries.set(
      entryName,
      slash === -1
        ? {
            name: entryName,
            id: row.id,
            updated_at: row.updated_at,
            created_at: row.created_at,
            last_accessed_at: row.last_accessed_at,
            metadata: row.metadata,
          }
        : { name: entryName, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null },
    );
  }
  sendJson(res, 200, [...entries.values()].slice(offset, offset + limit));
}

/** `.pasabay/storage` beside the embedded database's folder, or PASABAY_STORAGE_DIR. */
export function defaultStorageDir(): string {
  return process.env['PASABAY_STORAGE_DIR'] ?? path.join(REPO_ROOT, '.pasabay', 'storage');
}
