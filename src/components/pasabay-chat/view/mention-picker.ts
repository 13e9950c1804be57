/**
 * `@` completion in `<pasabay-chat>`'s composer: after an `@` the composer offers the conversation's
 * members whose name matches what follows; arrows move, Enter or Tab inserts `@Name `, Escape
 * closes. The textarea keeps focus and points at the active option with `aria-activedescendant`.
 *
 * What is sent as `mentions` is worked out from the final text (`mentionsIn`): members whose
 * `@Name` is in it. The database checks the same thing again, and refuses anyone who is not a
 * member. `<pasabay-chat>` loads this module on demand (lazy-parts.ts), at the first key in its
 * composer.
 */
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ChatStrings } from '../../../i18n/chat.js';
import type { MentionTarget } from './rich-text.js';
import { MENTION_LIST_ID, mentionedIds } from './mentions.js';

/** Options shown at most; typing more narrows them. */
const MAX_OPTIONS = 8;
/** An `@` and up to 40 characters of a name with no line break or second `@`, just before the caret. */
const QUERY = /(?:^|[^\p{L}\p{N}_])@([^@\n]{0,40})$/u;

const optionId = (index: number) => `mention-option-${index}`;

export interface MentionPickerOptions {
  /** The members one may mention (not oneself), with their profile names. */
  candidates: () => readonly MentionTarget[];
  textarea: () => HTMLTextAreaElement | undefined;
  /** The draft changed by an insertion. */
  onDraft: (draft: string) => void;
}

/** A plain class like `Composer`: it opens nothing, and asks its host to update on change. */
export class MentionPicker {
  readonly #host: ReactiveControllerHost;
  readonly #options: MentionPickerOptions;
  #matches: MentionTarget[] = [];
  #active = 0;
  /** Where the `@` of the query is in the draft. */
  #start = -1;
  /** Ids picked in this draft: when two members share a name, only the one picked is mentioned. */
  #picked = new Set<string>();

  constructor(host: ReactiveControllerHost, options: MentionPickerOptions) {
    this.#host = host;
    this.#options = options;
  }

  get open(): boolean {
    return this.#matches.length > 0;
  }

  get matches(): readonly MentionTarget[] {
    return this.#matches;
  }

  get active(): number {
    return this.#active;
  }

  /** The id of the active option, for the textarea's `aria-activedescendant`. */
  get activeOptionId(): string | undefined {
    return this.open ? optionId(this.#active) : undefined;
  }

  /** Reads the query before the caret after each input or caret move. */
  update(): void {
    const textarea = this.#options.textarea();
    const before = textarea ? textarea.value.slice(0, textarea.selectionStart ?? textarea.value.length) : '';
    const match = textarea && textarea.selectionStart === textarea.selectionEnd ? QUERY.exec(before) : null;
    if (!match) return this.close();
    const query = match[1]!.toLocaleLowerCase();
    const matches = this.#options
      .candidates()
      .filter((candidate) =>
        candidate.name
          .toLocaleLowerCase()
          .split(/\s+/)
          .some((_, index, words) => words.slice(index).join(' ').startsWith(query)),
      )
      .slice(0, MAX_OPTIONS);
    const start = before.length - match[1]!.length - 1;
    if (start !== this.#start || matches.length !== this.#matches.length) this.#active = 0;
    this.#start = start;
    this.#matches = matches;
    this.#active = Math.min(this.#active, Math.max(0, matches.length - 1));
    this.#host.requestUpdate();
  }

  close(): void {
    if (!this.open && this.#start === -1) return;
    this.#matches = [];
    this.#start = -1;
    this.#active = 0;
    this.#host.requestUpdate();
  }

  /** Forgets what was picked (the draft was sent or discarded). */
  reset(): void {
    this.#picked.clear();
    this.close();
  }

  /** Handles the key when the list is open; returns whether it did. */
  handleKeydown(event: KeyboardEvent): boolean {
    if (!this.open || event.isComposing) return false;
    const count = this.#matches.length;
    switch (event.key) {
      case 'ArrowDown':
        this.#active = (this.#active + 1) % count;
        break;
      case 'ArrowUp':
        this.#active = (this.#active - 1 + count) % count;
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        this.choose(this.#active);
        break;
      case 'Escape':
        this.close();
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'Home':
      case 'End':
        // The caret leaves the name being typed: what would be replaced is no longer known.
        this.close();
        return false;
      default:
        return false;
    }
    event.preventDefault();
    this.#host.requestUpdate();
    return true;
  }

  /** Replaces the `@query` before the caret with `@Name ` and closes the list. */
  choose(index: number): void {
    const target = this.#matches[index];
    const textarea = this.#options.textarea();
    if (!target || !textarea || this.#start < 0) return;
    const caret = textarea.selectionStart ?? textarea.value.length;
    const inserted = `@${target.name} `;
    const draft = textarea.value.slice(0, this.#start) + inserted + textarea.value.slice(caret);
    const at = this.#start + inserted.length;
    this.#picked.add(target.userId);
    this.close();
    textarea.value = draft;
    textarea.setSelectionRange(at, at);
    this.#options.onDraft(draft);
    textarea.focus();
  }

  /**
   * Ids of the members whose `@Name` (not followed by a letter or digit) is in `body`. Of members
   * sharing a name, those picked in this draft, or all of them when none was picked.
   */
  mentionsIn(body: string): string[] {
    return mentionedIds(body, this.#options.candidates(), this.#picked);
  }
}

/** The listbox above the composer while `@` completion is open. */
export function renderMentionPicker(picker: MentionPicker, strings: ChatStrings): TemplateResult | typeof nothing {
  if (!picker.open) return nothing;
  return html`<ul part="mention-list" id=${MENTION_LIST_ID} role="listbox" aria-label=${strings.mentionList}>
    ${picker.matches.map(
      (candidate, index) =>
        html`<li
          part=${index === picker.active ? 'mention-option active' : 'mention-option'}
          id=${optionId(index)}
          role="option"
          aria-selected=${index === picker.active ? 'true' : 'false'}
          @mousedown=${(event: MouseEvent) => event.preventDefault()}
          @click=${() => picker.choose(index)}
        >
          ${candidate.name}
        </li>`,
    )}
  </ul>`;
}
