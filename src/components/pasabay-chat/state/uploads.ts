/**
 * Attachments of `<pasabay-chat>` (issue 12), the files of the message being written
 * (`AttachmentUploads`): each uploads at once to the private `attachments` bucket under
 * `<conversation_id>/<draft message id>/<file name>`; the message, sent later with that same id,
 * links them in the database (migration 20250604060020_message_attachments.sql), so nothing here
 * writes `message_attachments`. Loaded on demand (attachments-part.ts); what the messages shown
 * carry is attachment-store.ts.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import * as z from 'zod/mini';
import { uuid } from '../../../connection/ids.js';
import { ATTACHMENTS_BUCKET } from './attachment-store.js';

export { ATTACHMENTS_BUCKET, AttachmentStore, type StoredAttachment } from './attachment-store.js';

export type UploadStatus = 'uploading' | 'done' | 'failed';

/** Why an upload failed, as the element words it. */
export type UploadFailure =
  /** `maxBytes`: the bucket's limit, when known. */
  | { kind: 'too-large'; maxBytes?: number }
  | { kind: 'type'; mime: string }
  | { kind: 'denied' }
  | { kind: 'other'; message: string };

export interface PendingUpload {
  /** Local key of this upload (not the storage id). */
  key: string;
  file: File;
  /** The file name in the bucket, made unique within the message. */
  name: string;
  objectName: string;
  status: UploadStatus;
  /** 0..1, or undefined while unknown (no progress events). */
  progress: number | undefined;
  failure?: UploadFailure;
}

export interface UploadHost {
  client(): SupabaseClient | undefined;
  conversationId(): string | undefined;
  onChange(): void;
}

/**
 * The file name as stored: path separators and control characters become `_` (a name is one
 * path segment), at most 200 characters, and never empty, `.` or `..`.
 */
export function storedFileName(name: string): string {
  let clean = [...name]
    .map((char) => (char === '/' || char === '\\' || char.charCodeAt(0) < 0x20 ? '_' : char))
    .join('');
  clean = [...clean.trim()].slice(-200).join('');
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** The reason in a Storage error answer. */
export function failureOf(status: number, body: unknown, mime: string): UploadFailure {
  const message =
    body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : `HTTP ${status}`;
  if (status === 413) return { kind: 'too-large' };
  if (status === 415) return { kind: 'type', mime };
  if (status === 403 || status === 401) return { kind: 'denied' };
  return { kind: 'other', message };
}

/** The bucket's limits as the database states them; `null`: no limit of that kind. */
export interface AttachmentLimits {
  maxBytes: number | null;
  /** `image/png`, `image/*`…; null or empty: any type. */
  allowedTypes: readonly string[] | null;
}

// bigint may arrive as a JSON number or, from some gateways, as a string of digits.
const byteCount = z.pipe(
  z.union([z.number().check(z.int(), z.nonnegative()), z.string().check(z.regex(/^\d{1,15}$/))]),
  z.transform(Number),
);
const limitsSchema = z.array(
  z.object({
    file_size_limit: z.nullable(byteCount),
    allowed_mime_types: z.nullable(z.array(z.string().check(z.maxLength(255))).check(z.maxLength(1000))),
  }),
);
const limitsByClient = new WeakMap<SupabaseClient, Promise<AttachmentLimits | undefined>>();

/**
 * The limits in an `attachment_limits()` answer, validated like any payload: `null` when it is
 * malformed, `undefined` when there is no bucket row (Storage will say so; nothing to check here).
 */
export function limitsFromAnswer(data: unknown): AttachmentLimits | undefined | null {
  const parsed = limitsSchema.safeParse(data);
  if (!parsed.success) return null;
  const row = parsed.data[0];
  return row ? { maxBytes: row.file_size_limit, allowedTypes: row.allowed_mime_types } : undefined;
}

/**
 * The attachments bucket's limits (RPC `attachment_limits()`), read once per client, so that a file
 * Storage would refuse is refused before it is sent. `undefined` when they cannot be read (a schema
 * older than the RPC, a network error, a malformed answer: asked again next time); Storage decides
 * either way.
 */
export function attachmentLimits(client: SupabaseClient): Promise<AttachmentLimits | undefined> {
  let limits = limitsByClient.get(client);
  if (!limits) {
    const forget = () => {
      limitsByClient.delete(client);
      return undefined;
    };
    limits = Promise.resolve(client.rpc('attachment_limits')).then(({ data, error }) => {
      const read = error ? null : limitsFromAnswer(data);
      return read === null ? forget() : read;
    }, forget);
    limitsByClient.set(client, limits);
  }
  return limits;
}

/**
 * Why Storage would refuse a file of `size` bytes and type `mime` under `limits`, matching types as
 * Storage does (`image/*` covers `image/png`, parameters and case ignored), or `undefined`.
 */
export function refusalOf(size: number, mime: string, limits: AttachmentLimits | undefined): UploadFailure | undefined {
  if (!limits) return undefined;
  if (limits.maxBytes !== null && size > limits.maxBytes) return { kind: 'too-large', maxBytes: limits.maxBytes };
  const allowed = limits.allowedTypes;
  if (!allowed || allowed.length === 0) return undefined;
  const bare = mime.split(';')[0]!.trim().toLowerCase();
  const [type] = bare.split('/');
  const matches = allowed.some((entry) => {
    const rule = entry.trim().toLowerCase();
    return rule === bare || rule === '*/*' || (rule.endsWith('/*') && rule.slice(0, -2) === type);
  });
  return matches ? undefined : { kind: 'type', mime };
}

export class AttachmentUploads {
  readonly #host: UploadHost;
  #draftId = uuid();
  #items: PendingUpload[] = [];
  readonly #requests = new Map<string, XMLHttpRequest>();

  constructor(host: UploadHost) {
    this.#host = host;
  }

  /** The id the next message is sent with: its files live under it. */
  get draftId(): string {
    return this.#draftId;
  }

  get items(): readonly PendingUpload[] {
    return this.#items;
  }

  /** Files are attached and none is still uploading or failed. */
  get ready(): boolean {
    return this.#items.length > 0 && this.#items.every((item) => item.status === 'done');
  }

  get busy(): boolean {
    return this.#items.some((item) => item.status !== 'done');
  }

  /** Starts uploading each file. */
  add(files: Iterable<File>): void {
    const conversationId = this.#host.conversationId();
    const client = this.#host.client();
    if (!conversationId || !client) return;
    for (const file of files) {
      const name = this.#uniqueName(storedFileName(file.name));
      const item: PendingUpload = {
        key: uuid(),
        file,
        name,
        objectName: `${conversationId}/${this.#draftId}/${name}`,
        status: 'uploading',
        progress: 0,
      };
      this.#items = [...this.#items, item];
      void this.#upload(client, item);
    }
    this.#host.onChange();
  }

  /** Drops one file: stops its upload, or removes what was stored. */
  remove(key: string): void {
    const item = this.#items.find((candidate) => candidate.key === key);
    if (!item) return;
    this.#requests.get(key)?.abort();
    this.#requests.delete(key);
    this.#items = this.#items.filter((candidate) => candidate !== item);
    if (item.status === 'done') void this.#host.client()?.storage.from(ATTACHMENTS_BUCKET).remove([item.objectName]);
    this.#host.onChange();
  }

  /** Uploads a failed file again. */
  retry(key: string): void {
    const item = this.#items.find((candidate) => candidate.key === key);
    const client = this.#host.client();
    if (!item || item.status !== 'failed' || !client) return;
    this.#replace(item, { status: 'uploading', progress: 0, failure: undefined });
    void this.#upload(
      client,
      this.#items.find((candidate) => candidate.key === key)!,
    );
  }

  /** After the message was handed to the outbox: the next message gets a new id and no files. */
  sent(): PendingUpload[] {
    const sent = this.#items;
    this.#items = [];
    this.#draftId = uuid();
    this.#host.onChange();
    return sent;
  }

  /** A conversation change or disconnect: stops uploads in flight and forgets the draft's files. */
  clear(): void {
    for (const request of this.#requests.values()) request.abort();
    this.#requests.clear();
    if (this.#items.length === 0) return;
    this.#items = [];
    this.#draftId = uuid();
    this.#host.onChange();
  }

  #uniqueName(name: string): string {
    const taken = new Set(this.#items.map((item) => item.name));
    if (!taken.has(name)) return name;
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 2; ; n++) {
      const candidate = `${stem} (${n})${extension}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  #replace(item: PendingUpload, changes: Partial<PendingUpload>): void {
    this.#items = this.#items.map((candidate) =>
      candidate.key === item.key ? { ...candidate, ...changes } : candidate,
    );
    this.#host.onChange();
  }

  #still(item: PendingUpload): boolean {
    return this.#items.some((candidate) => candidate.key === item.key);
  }

  async #upload(client: SupabaseClient, item: PendingUpload): Promise<void> {
    const mime = item.file.type || 'application/octet-stream';
    const refusal = refusalOf(item.file.size, mime, await attachmentLimits(client));
    if (!this.#still(item)) return;
    if (refusal) {
      this.#replace(item, { status: 'failed', failure: refusal, progress: undefined });
      return;
    }
    const target = await uploadTarget(client, item.objectName);
    if (!this.#still(item)) return;
    if (!target) {
      // No way to reach the endpoint directly: supabase-js uploads, without progress events.
      this.#replace(item, { progress: undefined });
      const { error } = await client.storage
        .from(ATTACHMENTS_BUCKET)
        .upload(item.objectName, item.file, { contentType: mime, upsert: true });
      if (!this.#still(item)) return;
      const status = (error as { status?: number } | null)?.status ?? 0;
      this.#replace(
        item,
        error ? { status: 'failed', failure: failureOf(status, error, mime) } : { status: 'done', progress: 1 },
      );
      return;
    }
    await new Promise<void>((resolve) => {
      // XHR, not fetch: only XHR reports upload progress.
      const request = new XMLHttpRequest();
      this.#requests.set(item.key, request);
      request.open('POST', target.url);
      for (const [name, value] of Object.entries(target.headers)) request.setRequestHeader(name, value);
      request.setRequestHeader('content-type', mime);
      // A retry of the same file replaces what an earlier attempt may have stored.
      request.setRequestHeader('x-upsert', 'true');
      request.upload.onprogress = (event) => {
        if (event.lengthComputable && this.#still(item)) this.#replace(item, { progress: event.loaded / event.total });
      };
      const finish = (changes: Partial<PendingUpload>) => {
        this.#requests.delete(item.key);
        if (this.#still(item)) this.#replace(item, changes);
        resolve();
      };
      request.onload = () => {
        if (request.status >= 200 && request.status < 300) return finish({ status: 'done', progress: 1 });
        let body: unknown;
        try {
          body = JSON.parse(request.responseText);
        } catch {
          body = undefined;
        }
        finish({ status: 'failed', failure: failureOf(request.status, body, mime) });
      };
      request.onerror = () =>
        finish({ status: 'failed', failure: { kind: 'other', message: 'network error' }, progress: undefined });
      request.onabort = () => resolve();
      request.send(item.file);
    });
  }
}

/**
 * The Storage upload endpoint of `client` and the headers supabase-js would send: the URL comes
 * from the storage client's own public-URL builder; the key and the session token from the client.
 * supabase-js keeps its key in a protected field, so it is read defensively: undefined when it
 * cannot be found, and the caller falls back to supabase-js's own upload.
 */
async function uploadTarget(
  client: SupabaseClient,
  objectName: string,
): Promise<{ url: string; headers: Record<string, string> } | undefined> {
  const key = (client as unknown as { supabaseKey?: unknown }).supabaseKey;
  if (typeof key !== 'string' || key === '') return undefined;
  const publicUrl = client.storage.from(ATTACHMENTS_BUCKET).getPublicUrl(objectName).data.publicUrl;
  const marker = '/object/public/';
  const at = publicUrl.indexOf(marker);
  if (at < 0) return undefined;
  const url = `${publicUrl.slice(0, at)}/object/${publicUrl.slice(at + marker.length)}`;
  const { data } = await client.auth.getSession();
  const token = data.session?.access_token ?? key;
  return { url, headers: { apikey: key, authorization: `Bearer ${token}` } };
}

/** Images the browser shows as a thumbnail; any other type is a file to download. */
export function isImage(mime: string): boolean {
  return /^image\/(png|jpeg|gif|webp|avif)$/.test(mime);
}

/** `1.2 MB`-style size, with the locale's digits. */
export function formatSize(bytes: number, locale: string | undefined): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}
