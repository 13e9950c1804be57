import { html, nothing, svg, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { launcherStrings, type LauncherStrings } from '../../i18n/launcher.js';
import { mergeStrings } from '../../i18n/strings.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { definePasabayChat } from '../pasabay-chat/pasabay-chat.js';
import { styles } from './pasabay-launcher.styles.js';
import { UnreadTotalController } from './unread-total-controller.js';

/** Where the open / closed state is kept between page loads, per conversation (or agent inbox). */
const STORAGE_PREFIX = 'pasabay-launcher:open:';

const chatIcon = svg`<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/>`;

/**
 * @summary A support widget: a floating button with the user's unread count that opens a panel
 * with a `<pasabay-chat>` (and, with `mode="agent"`, a `<pasabay-conversation-list>` driving it).
 * The panel has a fixed size, is not modal and covers only itself: the page behind stays usable.
 * Escape closes it and returns focus to the button; whether it was open is remembered per
 * conversation across page loads. The badge counts unread messages from others over all the
 * user's conversations, as the database derives them (`my_conversations()`), kept live on one
 * channel, the user's own `user:<id>` (shared with a conversation list on the same client).
 * @tag pasabay-launcher
 *
 * @csspart button - The floating button. Its accessible name says open or close, and the unread count.
 * @csspart icon - The button's icon.
 * @csspart badge - The unread count on the button (absent at 0).
 * @csspart panel - The panel (`role="dialog"`, not modal), labelled by its heading.
 * @csspart header - The panel's top row: heading and close button.
 * @csspart heading - The panel's heading (`heading` attribute, or the strings table's title).
 * @csspart close - The close button in the panel.
 * @csspart body - Holds the list (agents) and the chat.
 * @csspart list - The `<pasabay-conversation-list>` (`mode="agent"` only).
 * @csspart chat - The `<pasabay-chat>`.
 *
 * @cssprop [--pasabay-launcher-offset=1.25rem] - Distance from the viewport's edges (both axes).
 * @cssprop [--pasabay-launcher-offset-block=var(--pasabay-launcher-offset, 1.25rem)] - Distance from the top or bottom edge.
 * @cssprop [--pasabay-launcher-offset-inline=var(--pasabay-launcher-offset, 1.25rem)] - Distance from the start or end edge.
 * @cssprop [--pasabay-launcher-button-size=3.5rem] - Diameter of the button.
 * @cssprop [--pasabay-launcher-panel-width=24rem] - Width of the panel (capped by the viewport).
 * @cssprop [--pasabay-launcher-panel-height=36rem] - Height of the panel (capped by the viewport).
 * @cssprop [--pasabay-launcher-panel-gap=var(--pasabay-space-m)] - Space between button and panel.
 * @cssprop [--pasabay-launcher-z-index=2147483000] - Stacking order over the page.
 * @cssprop [--pasabay-launcher-badge-color=var(--pasabay-color-danger)] - Background of the unread badge.
 * @cssprop [--pasabay-launcher-shadow=0 0.5rem 2rem rgb(0 0 0 / 0.25)] - Shadow of button and panel.
 *
 * @cssstate open - The panel is open.
 * @cssstate unread - The user has unread messages.
 *
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - A notice channel (`user:<id>`, a conversation) joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in on the client and guest mode is off.
 * @fires {PasabayErrorEvent} pasabay-error - Missing configuration, or an invalid notice (dropped).
 */
export class PasabayLauncher extends PasabayElement<LauncherStrings> {
  static override styles = [hostStyles, styles];

  private readonly unread = new UnreadTotalController(this, {
    client: () => this.clientSource.client,
    userId: () => this.session.identity?.userId,
  });
  /** The key `open` was last read from; the state is read again when the conversation changes. */
  private storedKey: string | undefined;
  /** Move focus into the panel after the next render (it was opened by the user). */
  private focusPanel = false;

  @query('[part~="button"]') private button?: HTMLButtonElement;
  @query('[part~="panel"]') private panel?: HTMLElement;

  /** The panel is open. Set by the user's clicks and restored from the last visit. */
  @state() private isOpen = false;

  /** Conversation to show; with `with-user` unset, the visitor's chat with the site. */
  @property({ attribute: 'conversation-id' }) conversationId = '';
  /** Opens (or starts) the user's direct conversation with this user, e.g. the support agent. */
  @property({ attribute: 'with-user' }) withUser = '';
  /** `visitor` (default): one chat. `agent`: the conversation list beside the chat. */
  @property({ reflect: true }) mode: 'visitor' | 'agent' = 'visitor';
  /** The corner of the viewport: `bottom-end` (default), `bottom-start`, `top-end` or `top-start`. */
  @property({ reflect: true }) corner: 'bottom-end' | 'bottom-start' | 'top-end' | 'top-start' = 'bottom-end';
  /** Visible heading of the panel; defaults to the strings table's `launcherTitle`. */
  @property() heading = '';

  /** Unread messages from others over all the user's conversations (the badge). */
  get unreadCount(): number {
    return this.unread.total;
  }

  /** Whether the panel is open. */
  get open(): boolean {
    return this.isOpen;
  }

  protected readonly stringsTable = 'launcher' as const;

  protected override resolveStrings(overrides: Partial<LauncherStrings>): LauncherStrings {
    return mergeStrings(launcherStrings, overrides);
  }

  constructor() {
    super();
    // On the host itself, so it lives and goes with the element: nothing to remove.
    this.addEventListener('keydown', this.onKeydown);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    definePasabayChat();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.unread.sync();
    const key = this.storageKey();
    if (key !== this.storedKey) {
      this.storedKey = key;
      this.isOpen = readStored(key);
    }
  }

  protected override updated(): void {
    this.toggleState('open', this.isOpen);
    this.toggleState('unread', this.unread.total > 0);
    if (this.focusPanel && this.isOpen) this.panel?.focus();
    this.focusPanel = false;
  }

  private storageKey(): string {
    if (this.mode === 'agent') return `${STORAGE_PREFIX}agent`;
    if (this.conversationId) return `${STORAGE_PREFIX}conversation:${this.conversationId}`;
    return `${STORAGE_PREFIX}with:${this.withUser}`;
  }

  private setOpen(open: boolean, focus: 'panel' | 'button' | 'none'): void {
    this.isOpen = open;
    writeStored(this.storageKey(), open);
    this.focusPanel = focus === 'panel';
    if (focus === 'button') void this.updateComplete.then(() => this.button?.focus());
  }

  private readonly onButtonClick = () => this.setOpen(!this.isOpen, this.isOpen ? 'none' : 'panel');
  private readonly onCloseClick = () => this.setOpen(false, 'button');

  /** Escape anywhere in the launcher closes it, unless something inside used it (a reply being cancelled). */
  private readonly onKeydown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented || !this.isOpen) return;
    event.preventDefault();
    this.setOpen(false, 'button');
  };

  /** Opens the panel (as a click on the button would, without moving focus). */
  show(): void {
    this.setOpen(true, 'none');
  }

  /** Closes the panel. */
  hide(): void {
    this.setOpen(false, 'none');
  }

  override render() {
    const strings = this.resolvedStrings;
    const total = this.unread.total;
    return html`${this.isOpen ? this.renderPanel(strings) : nothing}
      <button
        part="button"
        type="button"
        aria-expanded=${this.isOpen ? 'true' : 'false'}
        aria-controls=${this.isOpen ? 'panel' : nothing}
        @click=${this.onButtonClick}
      >
        <svg part="icon" viewBox="0 0 24 24" aria-hidden="true">${chatIcon}</svg>
        <span class="visually-hidden">${this.isOpen ? strings.launcherClose : strings.launcherOpen}</span>
        ${
          total > 0
            ? html`<span part="badge"
                ><span aria-hidden="true">${total > 99 ? '99+' : total}</span
                ><span class="visually-hidden">${strings.launcherUnread(total)}</span></span
              >`
            : nothing
        }
      </button>`;
  }

  private renderPanel(strings: LauncherStrings) {
    const agent = this.mode === 'agent';
    return html`<section id="panel" part="panel" role="dialog" aria-labelledby="heading" tabindex="-1">
      <div part="header">
        <h2 part="heading" id="heading">${this.heading || strings.launcherTitle}</h2>
        <button part="close" type="button" @click=${this.onCloseClick}>${strings.launcherCloseButton}</button>
      </div>
      <div part="body">
        ${
          agent
            ? html`<pasabay-conversation-list
                part="list"
                for="chat"
                .client=${this.clientSource.client}
                theme=${this.theme ?? nothing}
              ></pasabay-conversation-list>`
            : nothing
        }
        <pasabay-chat
          id="chat"
          part="chat"
          conversation-id=${this.conversationId || nothing}
          with-user=${agent ? nothing : this.withUser || nothing}
          guest-name=${this.guestName || nothing}
          .client=${this.clientSource.client}
          theme=${this.theme ?? nothing}
        ></pasabay-chat>
      </div>
    </section>`;
  }
}

function readStored(key: string): boolean {
  try {
    return localStorage.getItem(key) === 'open';
  } catch {
    return false; // storage blocked (private mode, sandboxed frame): start closed
  }
}

function writeStored(key: string, open: boolean): void {
  try {
    if (open) localStorage.setItem(key, 'open');
    else localStorage.removeItem(key);
  } catch {
    // Storage blocked: the state lasts for this page only.
  }
}

/**
 * Registers the element under `tag` (default `pasabay-launcher`) unless that tag is taken, and
 * `<pasabay-chat>`, which it shows. `<pasabay-conversation-list>` (agent mode) is registered by
 * the bundles that include it.
 */
export function definePasabayLauncher(tag = 'pasabay-launcher'): void {
  definePasabayChat();
  defineElement(tag, PasabayLauncher);
}

declare global {
  interface HTMLElementTagNameMap {
    'pasabay-launcher': PasabayLauncher;
  }
}
