import { html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { TypingController } from '../../controllers/typing-controller.js';
import { PasabayTypingChangeEvent, type Typist } from '../../events/pasabay-typing-change.js';
import { mergeStrings, typingSentence } from '../../i18n/strings.js';
import { typingStrings, type TypingStrings } from '../../i18n/typing.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { styles } from './typing-indicator.styles.js';

/** The status sentence changes at most this often, so screen readers aren't flooded. */
const ANNOUNCE_INTERVAL_MS = 3000;

/**
 * @summary Who else is typing in a conversation: "Maria is typing…", "Maria and Carlos are
 * typing…", "3 people are typing…". Joins its own channel `conversation:<id>:typing`, so it works
 * anywhere on the page; entries expire when typing stops. Only the database sends there (RPC
 * `send_typing`, with the typist's profile name), and each event is checked for this conversation.
 * @tag typing-indicator
 *
 * @csspart base - The row holding the dots and the sentence. Has `data-idle` while nobody types.
 * @csspart dots - The animated dots (`aria-hidden`; still under reduced motion).
 * @csspart dot - One of the three dots.
 * @csspart label - The visible sentence.
 *
 * @cssprop [--pasabay-typing-indicator-color=var(--pasabay-color-text-muted)] - Text colour.
 * @cssprop [--pasabay-typing-indicator-dot-color=var(--pasabay-typing-indicator-color)] - Dot colour.
 * @cssprop [--pasabay-typing-indicator-dot-size=0.375rem] - Dot diameter.
 * @cssprop [--pasabay-typing-indicator-gap=var(--pasabay-space-s)] - Space between dots and sentence.
 *
 * @cssstate typing - Someone other than the current user is typing.
 * @cssstate offline - The typing channel is not joined (connecting, reconnecting, or no session).
 * @cssstate error - No client is configured, the session failed, or the channel was refused.
 *
 * @fires {PasabayTypingChangeEvent} pasabay-typing-change - Someone started or stopped typing, or their typing expired.
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The typing channel joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in on the client and guest mode is off.
 * @fires {PasabayErrorEvent} pasabay-error - Missing configuration, refused channel, or an invalid or foreign payload (dropped).
 */
export class TypingIndicator extends PasabayElement<TypingStrings> {
  static override styles = [hostStyles, styles];

  private readonly typing = new TypingController(this, {
    client: () => this.clientSource.client,
    conversationId: () => this.conversationId || undefined,
    identity: () => this.session.identity,
    onChange: (typists) => this.onTypistsChange(typists),
  });
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAnnouncedAt = -Infinity;

  /** The sentence in the status region: lags the visible one by up to a few seconds. */
  @state() private announcement = '';

  /** Conversation whose typing to show; a new value leaves the old channel and joins the new one. */
  @property({ attribute: 'conversation-id' }) conversationId = '';

  /** Others typing now, in the order they started. */
  get typists(): readonly Typist[] {
    return this.typing.typists;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
    this.announcement = '';
  }

  private onTypistsChange(typists: readonly Typist[]) {
    this.dispatchEvent(new PasabayTypingChangeEvent({ conversationId: this.conversationId, typists }));
  }

  protected readonly stringsTable = 'typing' as const;

  protected override resolveStrings(overrides: Partial<TypingStrings>): TypingStrings {
    return mergeStrings(typingStrings, overrides);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.scheduleAnnouncement();
  }

  /** Moves the status sentence towards the visible one, at most once per interval. */
  private scheduleAnnouncement() {
    const sentence = this.sentence();
    if (sentence === this.announcement) {
      clearTimeout(this.announceTimer);
      this.announceTimer = undefined;
      return;
    }
    if (!this.isConnected || this.announceTimer !== undefined) return;
    const wait = this.lastAnnouncedAt + ANNOUNCE_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.announcement = sentence;
      // Clearing the region is silent, so it doesn't use up the interval.
      if (sentence) this.lastAnnouncedAt = Date.now();
      return;
    }
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined;
      this.requestUpdate();
    }, wait);
  }

  private sentence(): string {
    return typingSentence(
      this.typing.typists.map((typist) => typist.displayName),
      this.resolvedStrings,
      this.locale,
    );
  }

  protected override updated(): void {
    this.toggleState('typing', this.typing.typists.length > 0);
    this.toggleState('offline', this.typing.status !== 'joined');
    this.toggleState(
      'error',
      Boolean(this.clientSource.error) || this.session.status === 'error' || this.typing.status === 'error',
    );
  }

  override render() {
    const sentence = this.sentence();
    return html`
      <div part="base" ?data-idle=${!sentence}>
        <span part="dots" aria-hidden="true"
          ><span part="dot"></span><span part="dot"></span><span part="dot"></span
        ></span>
        <span part="label" aria-hidden="true">${sentence}</span>
      </div>
      <div class="visually-hidden" role="status">${this.announcement}</div>
    `;
  }
}

/**
 * Registers the element under `tag` (default `typing-indicator`) unless that tag is taken.
 * A second tag gets a subclass, since one class can only be defined once.
 */
export function defineTypingIndicator(tag = 'typing-indicator'): void {
  defineElement(tag, TypingIndicator);
}

declare global {
  interface HTMLElementTagNameMap {
    'typing-indicator': TypingIndicator;
  }
}
