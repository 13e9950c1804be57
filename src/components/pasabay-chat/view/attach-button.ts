/**
 * `<pasabay-chat>`'s attach button (issue 12). In the element's first chunk, unlike the rest of
 * the attachments (attachments-part.ts, loaded on demand): the button shows at once, and a file
 * picked before that chunk arrives waits for it.
 */
import { html, type TemplateResult } from 'lit';
import type { ChatStrings } from '../../../i18n/chat.js';

/** The paperclip button and its hidden file input (the button opens the browser's picker). */
export function renderAttachButton(
  { strings }: { strings: ChatStrings },
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
