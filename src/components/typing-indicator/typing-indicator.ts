import { LitElement, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { configuration } from '../../connection/client.js';
import { ClientController } from '../../controllers/client-controller.js';
import { SessionController } from '../../controllers/session-controller.js';
import { TypingController } from '../../controllers/typing-controller.js';
import { PasabayTypingChangeEvent, type Typist } from '../../events/pasabay-typing-change.js';
import { effectiveLang, mergeStrings, typingSentence } from '../../i18n/strings.js';
import { typingStrings, type TypingStrings } from '../../i18n/typing.js';
import { hostStyles } from '../../styles/host.js';
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
export class TypingIndicator extends LitElement {
  static override styles = [hostStyles, styles];

  private readonly internals = this.attachInternals();
  private readonly clientSource = new ClientController(this, () => ({
    client: this.client,
    supabaseUrl: this.supabaseUrl,
    supabaseKey: this.supabaseKey,
  }));
  private readonly session = new SessionController(this, {
    client: () => this.clientSource.client,
    guestName: () => this.guestName || configuration()?.guestName,
  });
  private readonly typing = new TypingController(this, {
    client: () => this.clientSource.client,
    conversationId: () => this.conversationId || undefined,
    identity: () => this.session.identity,
    onChange: (typists) => this.onTypistsChange(typists),
  });
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAnnouncedAt = -Infinity;
  private resolvedStrings: TypingStrings = typingStrings;
  private locale = '';

  /** The sentence in the status region: lags the visible one by up to a few seconds. */
  @state() private announcement = '';

  /** Conversation whose typing to show; a new value leaves the old channel and joins the new one. */
  @property({ attribute: 'conversation-id' }) conversationId = '';
  /** Supabase client of the host app; wins over `supabase-url` / `supabase-key` and `configure()`. */
  @property({ attribute: false }) client?: SupabaseClient;
  /** Supabase project URL, used with `supabase-key` when no `client` is set. */
  @property({ attribute: 'supabase-url' }) supabaseUrl?: string;
  /** Supabase publishable (anon) key, used with `supabase-url`. */
  @property({ attribute: 'supabase-key' }) supabaseKey?: string;
  /** Guest mode: when nobody is signed in, sign in anonymously under this display name. */
  @property({ attribute: 'guest-name' }) guestName?: string;
  /** Overrides for any of the element's strings (see `TypingStrings`). */
  @property({ attribute: false }) strings: Partial<TypingStrings> = {};
  /** Pins the colour scheme; otherwise it follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme?: 'light' | 'dark';

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

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('strings')) this.resolvedStrings = mergeStrings(typingStrings, this.strings);
    this.locale = effectiveLang(this);
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
    const states = this.internals.states;
    const toggle = (name: string, on: boolean) => (on ? states.add(name) : states.delete(name));
    toggle('typing', this.typing.typists.length > 0);
    toggle('offline', this.typing.status !== 'joined');
    toggle(
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
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    customElements.getName(TypingIndicator) ? class extends TypingIndicator {} : TypingIndicator,
  );
}

declare global {
  interface HTMLElementTagNameMap {
    'typing-indicator': TypingIndicator;
  }
}
