import type { ReactiveControllerHost } from 'lit';
import type { ChatMessage } from '../state/message-store.js';
import { MESSAGE_MAX_LENGTH } from '../../../connection/wire.js';
import type { MentionPicker } from './mention-picker.js';

export interface ComposerOptions {
  /** The element's `max-length`; clamped to 1..`MESSAGE_MAX_LENGTH`. */
  maxLength: () => number;
  /** The textarea, once rendered. */
  textarea: () => HTMLTextAreaElement | undefined;
  /** One's newest stored, not deleted message: what ArrowUp in an empty composer edits. */
  lastOwnMessage: () => ChatMessage | undefined;
  /** Enter (without Shift) or the send button. */
  onSubmit: () => void;
  /** The user is typing (true) or stopped (false); drives the typing broadcast. */
  onTyping: (typing: boolean) => void;
  /** `@` completion: it sees every input first and takes the keys it handles while open. */
  picker?: () => MentionPicker | undefined;
}

/**
 * The composer's draft and what it is for (a new message, a reply, an edit), its length limit
 * and its keyboard: Enter sends, Shift+Enter breaks a line, Escape cancels a reply or edit, Up
 * in an empty composer edits one's last message, and Enter inside an IME composition is left
 * to the IME. Sending itself belongs to the element, which owns the conversation.
 *
 * A plain class, not a registered controller: it opens nothing, so it has nothing to close; it only
 * asks its host to update when its state changes.
 */
export class Composer {
  readonly #host: ReactiveControllerHost;
  readonly #options: ComposerOptions;
  #draft = '';
  #replyTo: string | undefined;
  #editing: string | undefined;

  constructor(host: ReactiveControllerHost, options: ComposerOptions) {
    this.#host = host;
    this.#options = options;
  }

  /** The textarea's text as typed. */
  get draft(): string {
    return this.#draft;
  }

  set draft(value: string) {
    this.#draft = value;
    this.#host.requestUpdate();
  }

  /** Id of the message being replied to. */
  get replyTo(): string | undefined {
    return this.#replyTo;
  }

  /** Id of one's own message being edited. */
  get editing(): string | undefined {
    return this.#editing;
  }

  /** The text that would be sent. */
  get body(): string {
    return this.#draft.trim();
  }

  /** Longest body accepted: the element's `max-length`, never above the server's limit. */
  get limit(): number {
    return Math.min(MESSAGE_MAX_LENGTH, Math.max(1, this.#options.maxLength() || MESSAGE_MAX_LENGTH));
  }

  /** Forgets the draft's reply or edit (a different conversation is opening). */
  reset(): void {
    this.#replyTo = undefined;
    this.#editing = undefined;
    this.#host.requestUpdate();
  }

  /** Empties the composer after a send. */
  clearSent(): void {
    this.#draft = '';
    this.#replyTo = undefined;
    this.#host.requestUpdate();
  }

  /** Leaves edit mode with an empty composer (the edit is being saved). */
  finishEdit(): void {
    this.#editing = undefined;
    this.#draft = '';
    this.#host.requestUpdate();
  }

  startReply(message: ChatMessage): void {
    this.#editing = undefined;
    this.#replyTo = message.id;
    this.#host.requestUpdate();
    this.#options.textarea()?.focus();
  }

  startEdit(message: ChatMessage): void {
    this.#replyTo = undefined;
    this.#editing = message.id;
    this.#draft = message.body;
    this.#host.requestUpdate();
    // Focus once the textarea holds the text, with the caret at its end.
    void this.#host.updateComplete.then(() => {
      const textarea = this.#options.textarea();
      textarea?.focus();
      textarea?.setSelectionRange(textarea.value.length, textarea.value.length);
    });
  }

  /** Cancels a reply or edit; an edit's text goes with it. */
  readonly cancelContext = (): void => {
    if (this.#editing) this.#draft = '';
    this.#editing = undefined;
    this.#replyTo = undefined;
    this.#host.requestUpdate();
    this.#options.textarea()?.focus();
  };

  readonly onInput = (event: InputEvent): void => {
    this.draft = (event.target as HTMLTextAreaElement).value;
    this.#options.onTyping(Boolean(this.#draft.trim()) && !this.#editing);
    this.#options.picker?.()?.update();
  };

  readonly onBlur = (): void => {
    this.#options.onTyping(false);
    this.#options.picker?.()?.close();
  };

  readonly onKeydown = (event: KeyboardEvent): void => {
    // Enter confirms an IME composition; it must not send.
    if (event.isComposing || event.keyCode === 229) return;
    // While `@` completion is open, its keys (arrows, Enter, Tab, Escape) pick a person.
    if (this.#options.picker?.()?.handleKeydown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.#options.onSubmit();
    } else if (event.key === 'Escape' && (this.#replyTo || this.#editing)) {
      event.preventDefault();
      this.cancelContext();
    } else if (event.key === 'ArrowUp' && !this.#draft && !this.#editing) {
      // Up in an empty composer edits one's last message, as in most chat apps.
      const last = this.#options.lastOwnMessage();
      if (last) {
        event.preventDefault();
        this.startEdit(last);
      }
    }
  };

  readonly onFormSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    this.#options.onSubmit();
  };
}
