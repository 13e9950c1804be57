/**
 * The attachments of `<pasabay-chat>` (issue 12) the element loads on demand (`import()` in
 * lazy-parts.ts, a chunk of its own in the script bundles): uploading the draft's files, the
 * templates of files (uploads, a message's files, the image dialog) and their styles. Loaded when
 * the user first attaches a file, or when a message shown has files (state/attachment-store.ts,
 * in the first chunk, asks); until then the element shows the attach button alone
 * (view/attach-button.ts).
 */
export { AttachmentUploads } from './state/uploads.js';
export { default as attachmentStyles } from './view/attachments.styles.js';
export { renderLightbox, renderMessageAttachments, renderPendingUploads } from './view/attachments-view.js';
