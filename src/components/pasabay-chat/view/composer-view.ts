/** The template of `<pasabay-chat>`'s composer: context bar, textarea, send button and counter. */
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { ChatStrings } from '../../../i18n/chat.js';
import type { Composer } from './composer.js';
import type { MentionPicker } from './mention-picker.js';
import { MENTION_LIST_ID } from './mentions.js';

/** The counter appears this many characters before the limit. */
const COUNTER_WARNING = 200;

export interface ComposerView {
  strings: ChatStrings;
  composer: Composer;
  /** The conversation is loaded: the composer can be used. */
  ready: boolean;
  /** Display name of the sender of the message being replied to. */
  replyingToName: string;
  /** The element offers `@` completion (its picker may still be loading). */
  completion?: boolean;
  /** `@` completion, once loaded. */
  picker?: MentionPicker | undefined;
  /** Its list, rendered by the picker's module. */
  mentionList?: TemplateResult | typeof nothing;
  /** Attachments (issue 12): the files being uploaded, shown above the textarea. */
  uploads?: TemplateResult | typeof nothing;
  /** Attachments: the attach button, before the textarea. */
  attachButton?: TemplateResult | typeof nothing;
  /** Attachments: every file is uploaded, so the message may be sent without text. */
  attachmentsReady?: boolean;
  /** Attachments: a file is still uploading or failed, so the message waits. */
  attachmentsBusy?: boolean;
}

export function renderComposer({
  strings,
  composer,
  ready,
  replyingToName,
  completion = false,
  picker,
  mentionList = nothing,
  uploads = nothing,
  attachButton = nothing,
  attachmentsReady = false,
  attachmentsBusy = false,
}: ComposerView): TemplateResult {
  const length = [...composer.body].length;
  const limit = composer.limit;
  const over = length > limit;
  const showCounter = over || length > limit - COUNTER_WARNING;
  const context = composer.editing ? strings.editing : composer.replyTo ? strings.replyingTo(replyingToName) : '';
  return html`<form part="composer-form" @submit=${composer.onFormSubmit}>
    ${
      context
        ? html`<div part="context">
            <span>${context}</span>
            <button part="context-cancel" type="button" @click=${composer.cancelContext}>${strings.cancel}</button>
          </div>`
        : nothing
    }
    ${mentionList} ${uploads}
    <div part="composer-row">
      ${attachButton}
      <textarea
        part="composer"
        rows="1"
        aria-label=${strings.composer}
        aria-describedby="composer-hint composer-counter"
        aria-invalid=${over ? 'true' : 'false'}
        aria-autocomplete=${completion || picker ? 'list' : nothing}
        aria-controls=${picker?.open ? MENTION_LIST_ID : nothing}
        aria-activedescendant=${picker?.activeOptionId ?? nothing}
        placeholder=${strings.composerPlaceholder}
        .value=${live(composer.draft)}
        ?disabled=${!ready}
        @input=${composer.onInput}
        @keydown=${composer.onKeydown}
        @blur=${composer.onBlur}
      ></textarea>
      <button
        part="send"
        type="submit"
        ?disabled=${!ready || (length === 0 && !attachmentsReady) || over || attachmentsBusy}
      >
        ${composer.editing ? strings.save : strings.send}
      </button>
    </div>
    <span id="composer-hint" class="visually-hidden">${strings.composerHint}</span>
    <span id="composer-counter" part=${over ? 'counter over' : 'counter'} aria-live="polite" ?hidden=${!showCounter}>
      ${showCounter ? (over ? strings.charactersOver(length - limit) : strings.charactersLeft(limit - length)) : ''}
    </span>
  </form>`;
}
