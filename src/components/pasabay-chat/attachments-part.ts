/**
 * The attachments of `<pasabay-chat>` (issue 12) as one part the element loads on demand
 * (`import()` in lazy-parts.ts, a chunk of its own in the script bundles): the draft's uploads,
 * the stored files of the messages shown, their templates and their styles. The element loads it
 * when it shows stored messages (whose files it must ask about) or when the user first attaches
 * a file; until then it shows the attach button alone (view/attach-button.ts).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { AttachmentStore, AttachmentUploads } from './state/uploads.js';

export { default as attachmentStyles } from './view/attachments.styles.js';
export { renderLightbox, renderMessageAttachments, renderPendingUploads } from './view/attachments-view.js';

export interface ChatAttachmentsHost {
  client(): SupabaseClient | undefined;
  conversationId(): string | undefined;
  onChange(): void;
  onError(problem: string): void;
}

/** One element's attachments: what it is uploading and what the messages it shows carry. */
export class ChatAttachments {
  readonly uploads: AttachmentUploads;
  readonly store: AttachmentStore;

  constructor(host: ChatAttachmentsHost) {
    this.uploads = new AttachmentUploads(host);
    this.store = new AttachmentStore(host);
  }

  /** Another conversation (or none): stops uploads in flight and forgets every file. */
  clear(): void {
    this.uploads.clear();
    this.store.clear();
  }
}
