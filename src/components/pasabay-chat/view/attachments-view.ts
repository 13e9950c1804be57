/**
 * Templates for `<pasabay-chat>`'s attachments (issue 12): the attach button and the files being
 * uploaded (composer), the files of a message (thumbnails that open larger, and downloads), and
 * the image dialog. Pure functions; actions go back through the callbacks.
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

function reasonOf(strings: ChatStrings, failure: UploadFailure | undefined): string {
  switch (failure?.kind) {
    case 'too-large':
      return strings.attachmentTooLarge;
    case 'type':
      return strings.attachmentTypeRefused(failure.mime);
    case 'denied':
      return strings.attachmentDenied;
    default:
      return failure?.message ?? '';
  }
}

/** The paperclip button and its hidden file input (the button opens the browser's picker). */
export function renderAttachButton(
  { strings }: AttachmentsView,
  disabled: boolean,
  onFiles: (files: File[]) => void,
): TemplateResult {
  return html`<input
      class="file-input"
      type="file"
      multiple
      hidden
      tabindex="-1"
      aria-hidden="true"
      @change=${(event: Event) => {
        const input = event.target as HTMLInputElement;
        onFiles([...(input.files ?? [])]);
        // The same file can be picked again after it was removed.
        input.value = '';
      }}
    /><button
      part="attach"
      type="button"
      aria-label=${strings.attach}
      title=${strings.attach}
      ?disabled=${disabled}
      @click=${(event: Event) =>
        ((event.currentTarget as HTMLElement).previousElementSibling as HTMLInputElement | null)?.click()}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <path
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          stroke-linecap="round"
          d="M21 11.5l-8.5 8.5a5 5 0 0 1-7-7l9-9a3.5 3.5 0 0 1 5 5l-9 9a2 2 0 0 1-3-3l8-8"
        />
      </svg>
    </button>`;
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
                    >${strings.uploadFailed(item.name, reasonOf(strings, item.failure))}</span
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
