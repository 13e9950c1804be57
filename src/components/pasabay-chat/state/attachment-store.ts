/**
 * The attachments of the messages `<pasabay-chat>` shows (issue 12), read from
 * `message_attachments` (what the database recorded, never what a peer claims), with signed URLs
 * to show and download. In the element's first chunk: every conversation's messages are asked
 * about, and the part that draws files (attachments-part.ts) is loaded only once one has some.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import * as z from 'zod/mini';

export const ATTACHMENTS_BUCKET = 'attachments';
/** How long thumbnail and download links stay valid. The store signs again after this. */
const SIGNED_URL_SECONDS = 3600;
/** `in.(…)` filters stay well under URL length limits. */
const QUERY_BATCH = 100;

export interface AttachmentStoreHost {
  client(): SupabaseClient | undefined;
  onChange(): void;
  onError(problem: string): void;
}

const attachmentSchema = z.object({
  id: z.guid(),
  message_id: z.guid(),
  object_name: z.string().check(z.minLength(1)),
  file_name: z.string(),
  mime_type: z.string(),
  size_bytes: z.number(),
});

export type StoredAttachment = z.infer<typeof attachmentSchema> & {
  /** Signed URL to show or fetch the file; undefined until signed or when signing failed. */
  url?: string | undefined;
};

export class AttachmentStore {
  readonly #host: AttachmentStoreHost;
  readonly #byMessage = new Map<string, StoredAttachment[]>();
  /** Messages asked about (and whether the answer arrived), so each is fetched once. */
  readonly #asked = new Set<string>();
  #signedAt = 0;

  constructor(host: AttachmentStoreHost) {
    this.#host = host;
  }

  /** Some message asked about has files: the element needs the part that draws them. */
  get holdsAny(): boolean {
    return this.#byMessage.size > 0;
  }

  of(messageId: string): readonly StoredAttachment[] {
    return this.#byMessage.get(messageId) ?? [];
  }

  clear(): void {
    this.#byMessage.clear();
    this.#asked.clear();
  }

  /** Asks the database about the messages not asked about yet (only stored ones: ids it knows). */
  async load(messageIds: readonly string[]): Promise<void> {
    const client = this.#host.client();
    if (!client) return;
    const expired = this.#byMessage.size > 0 && Date.now() - this.#signedAt > (SIGNED_URL_SECONDS - 60) * 1000;
    const fresh = messageIds.filter((id) => !this.#asked.has(id));
    if (fresh.length === 0 && !expired) return;
    for (const id of fresh) this.#asked.add(id);
    for (let start = 0; start < fresh.length; start += QUERY_BATCH) {
      const batch = fresh.slice(start, start + QUERY_BATCH);
      const { data, error } = await client
        .from('message_attachments')
        .select('id, message_id, object_name, file_name, mime_type, size_bytes')
        .in('message_id', batch)
        .order('created_at')
        .order('object_name');
      if (error) {
        // Asked again next time.
        for (const id of batch) this.#asked.delete(id);
        this.#host.onError(error.message);
        continue;
      }
      for (const row of (data ?? []) as unknown[]) {
        const parsed = z.safeParse(attachmentSchema, row);
        if (!parsed.success) {
          this.#host.onError('invalid message_attachments row');
          continue;
        }
        const list = this.#byMessage.get(parsed.data.message_id) ?? [];
        if (!list.some((existing) => existing.id === parsed.data.id)) list.push(parsed.data);
        this.#byMessage.set(parsed.data.message_id, list);
      }
    }
    await this.#sign(client, expired);
    this.#host.onChange();
  }

  /** Signs the attachments without a URL (all of them when the old URLs are about to expire). */
  async #sign(client: SupabaseClient, all: boolean): Promise<void> {
    // Set before signing, so an update that comes back here meanwhile does not sign again.
    if (all || this.#signedAt === 0) this.#signedAt = Date.now();
    const unsigned = [...this.#byMessage.values()].flat().filter((attachment) => all || !attachment.url);
    if (unsigned.length === 0) return;
    const { data, error } = await client.storage.from(ATTACHMENTS_BUCKET).createSignedUrls(
      unsigned.map((attachment) => attachment.object_name),
      SIGNED_URL_SECONDS,
    );
    if (error || !data) {
      this.#host.onError(error?.message ?? 'could not sign attachment URLs');
      return;
    }
    const urls = new Map(data.map((entry) => [entry.path, entry.signedUrl]));
    for (const attachment of unsigned) attachment.url = urls.get(attachment.object_name) || undefined;
  }
}
