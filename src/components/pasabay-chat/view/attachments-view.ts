/**
 * Templates for `<pasabay-chat>`'s attachments (issue 12): the files being uploaded (composer),
 * the files of a message (thumbnails that open larger, and downloads), and the image dialog. Pure
 * functions; actions go back through the callbacks. Loaded on demand with attachments-part.ts;
 * the attach button, shown before that, is attach-button.ts.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ChatStrings } from '../../../i18n/chat.js';
import {
  formatSize,
  isImage,
  type PendingUpload,
  type StoredAttachment,
  type UploadFailure,
} from '../state/uploads.js';

export interface AttachmentsView {
  strings: ChatStrings;
  locale: string | undefined;
}

function reasonOf(strings: ChatStrings, failure: UploadFailure | undefined, locale: string | undefined): string {
  switch (failure?.kind) {
    case 'too-large':
      return failure.maxBytes === undefined
        ? strings.attachmentTooLarge
        : strings.attachmentTooLargeLimit(formatSize(failure.maxBytes, locale));
    case 'type':
      return strings.attachmentTypeRefused(failure.mime);
    case 'denied':
      return strings.attachmentDenied;
    default:
      return failure?.message ?? '';
  }
}

/** The files of the message being written: name, size, progress, or why the upload failed. */
export function renderPendingUploads(
  { strings, locale }: AttachmentsView,
  items: readonly PendingUpload[],
  onRemove: (key: string) => void,
  onRetry: (key: string) => void,
): TemplateResult | typeof nothing {
  if (items.length === 0) return nothing;
  return html`<ul part="uploads" aria-label=${strings.attachments}>
    ${items.map(
      (item) =>
        html`<li part="upload ${item.status}" data-key=${item.key}>
          <span part="upload-name" dir="auto">${item.name}</span>
          <span part="upload-size">${formatSize(item.file.size, locale)}</span>
          ${
            item.status === 'uploading'
              ? html`<progress
                  part="upload-progress"
                  max="1"
                  .value=${item.progress ?? 0}
                  aria-label=${strings.uploading(item.name)}
                ></progress>`
              : nothing
          }
          ${
            item.status === 'failed'
              ? html`<span part="upload-error" role="alert"
                    >${strings.uploadFailed(item.name, reasonOf(strings, item.failure, locale))}</span
                  >
                  <button part="upload-retry" type="button" @click=${() => onRetry(item.key)}>
                    ${strings.retrySend}
                  </button>`
              : nothing
          }
          <button
            part="upload-remove"
            type="button"
            aria-label=${strings.removeAttachment(item.name)}
            @click=${() => onRemove(item.key)}
          >
            ×
          </button>
        </li>`,
    )}
  </ul>`;
}

/** The files a stored message carries: image thumbnails (buttons that open the dialog) and downloads. */
export function renderMessageAttachments(
  { strings, locale }: AttachmentsView,
  attachments: readonly StoredAttachment[],
  tabindex: string,
  onOpen: (attachment: StoredAttachment) => void,
): TemplateResult | typeof nothing {
  if (attachments.length === 0) return nothing;
  return html`<ul part="attachments" aria-label=${strings.attachments}>
    ${attachments.map((attachment) => {
      const size = formatSize(attachment.size_bytes, locale);
      if (isImage(attachment.mime_type) && attachment.url) {
        return html`<li>
          <button
            part="attachment-thumbnail"
            type="button"
            tabindex=${tabindex}
            title=${strings.openImage(attachment.file_name)}
            @click=${() => onOpen(attachment)}
          >
            <img part="thumbnail" src=${attachment.url} alt=${attachment.file_name} loading="lazy" />
          </button>
        </li>`;
      }
      return html`<li part="attachment-file">
        <span part="attachment-name" dir="auto">${attachment.file_name}</span>
        <span part="attachment-size">${size}</span>
        ${
          attachment.url
            ? html`<a
                part="attachment-download"
                tabindex=${tabindex}
                href=${`${attachment.url}&download=${encodeURIComponent(attachment.file_name)}`}
                download=${attachment.file_name}
                aria-label=${strings.download(attachment.file_name, size)}
                >${strings.downloadShort}</a
              >`
            : html`<span part="attachment-unavailable">${strings.attachmentUnavailable}</span>`
        }
      </li>`;
    })}
  </ul>`;
}

/** The larger image, in a modal `<dialog>` (focus stays inside; Escape closes it). */
export function renderLightbox(
  { strings }: AttachmentsView,
  attachment: StoredAttachment | undefined,
  onClose: () => void,
): TemplateResult | typeof nothing {
  if (!attachment?.url) return nothing;
  return html`<dialog part="lightbox" aria-label=${attachment.file_name} @close=${onClose}>
    <img part="lightbox-image" src=${attachment.url} alt=${attachment.file_name} />
    <div part="lightbox-bar">
      <span dir="auto">${attachment.file_name}</span>
      <a
        part="lightbox-download"
        href=${`${attachment.url}&download=${encodeURIComponent(attachment.file_name)}`}
        download=${attachment.file_name}
        >${strings.downloadShort}</a
      >
      <button part="lightbox-close" type="button" @click=${onClose}>${strings.closeImage}</button>
    </div>
  </dialog>`;
}
