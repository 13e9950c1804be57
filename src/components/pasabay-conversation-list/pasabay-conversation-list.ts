import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { timestampDate } from '../../connection/timestamps.js';
import { PasabayConversationSelectEvent } from '../../events/pasabay-conversation-select.js';
import { conversationListStrings, type ConversationListStrings } from '../../i18n/conversation-list.js';
import { mergeStrings, typingSentence } from '../../i18n/strings.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { VirtualWindow, type WindowRange } from '../pasabay-chat/view/virtual-window.js';
import { ConversationListController } from './conversation-list-controller.js';
import { displayTitle, foldForSearch, matchesSearch, type ConversationEntry } from './conversation-rows.js';
import { styles } from './pasabay-conversation-list.styles.js';

/** Rendered beyond the viewport on each side, in pixels. */
const OVERSCAN_PX = 400;
/** A next page loads when the rendered rows come this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 20;

/**
 * @summary The signed-in user's conversations, newest activity first: title (the other member for
 * a direct chat), avatar, last message, unread count and who is typing, live without polling.
 * Searches titles and member names, keyboard operable (a listbox), windowed for thousands of
 * conversations. Choosing one fires `pasabay-conversation-select` and, with `for`, opens it in that
 * `<pasabay-chat>`.
 * @tag pasabay-conversation-list
 *
 * @slot empty - Shown when the user has no conversations (defaults to a sentence).
 *
 * @csspart search - The search field.
 * @csspart list - The scrollable list (`role="listbox"`).
 * @csspart row - One conversation (`role="option"`). Extra tokens: `selected`, `active` (keyboard focus), `unread`, `typing`.
 * @csspart avatar - The row's picture, or its initials.
 * @csspart title - The row's title.
 * @csspart time - When the last message was sent (or the conversation made).
 * @csspart preview - The last message, or who is typing.
 * @csspart badge - The unread count.
 * @csspart message - The empty, no-match or error sentence.
 *
 * @cssprop [--pasabay-conversation-list-row-gap=var(--pasabay-space-s)] - Space inside a row.
 * @cssprop [--pasabay-conversation-list-avatar-size=2.5rem] - Avatar diameter.
 * @cssprop [--pasabay-conversation-list-selected-background=var(--pasabay-color-surface-raised)] - Background of the selected row.
 *
 * @cssstate loading - The first page is loading.
 * @cssstate offline - The user's notice channel is not joined.
 * @cssstate error - The list could not be loaded, or no client is configured.
 *
 * @fires {PasabayConversationSelectEvent} pasabay-conversation-select - The user chose a conversation. Cancelable.
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The user's notice channel joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in on the client and guest mode is off.
 * @fires {PasabayErrorEvent} pasabay-error - Missing configuration, a failed request, or an invalid payload (dropped).
 */
export class PasabayConversationList extends PasabayElement<ConversationListStrings> {
  static override styles = [hostStyles, styles];

  private readonly data = new ConversationListController(this, {
    client: () => this.clientSource.client,
    userId: () => this.session.identity?.userId,
  });
  private readonly virtual = new VirtualWindow(64, OVERSCAN_PX);
  private listScrollTop = 0;
  /** A row has been measured (its height is the estimate for the others). */
  private measured = false;
  private viewportHeight = 0;
  private resizeObserver: ResizeObserver | undefined;
  /** The rows shown (all, or those matching the search), derived in `willUpdate`. */
  private shown: ConversationEntry[] = [];
  private range: WindowRange = { start: 0, end: 0, paddingTop: 0, paddingBottom: 0, total: 0 };

  @query('[part~="list"]') private listElement?: HTMLElement;

  /** The row with keyboard focus (`aria-activedescendant`). */
  @state() private activeId = '';
  @state() private search = '';

  /** The selected conversation's id. Set by the user's choice, or by the page. */
  @property() selected = '';
  /** Id of a `<pasabay-chat>` (in the same document or shadow root) that opens what the user chooses. */
  @property() for = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // Read on the next frame: rendering inside the observer's callback could resize it again.
    this.resizeObserver = new ResizeObserver(() => requestAnimationFrame(() => this.onResize()));
    // The border box: the window's padding changes the content box on every render.
    if (this.listElement) this.resizeObserver.observe(this.listElement, { box: 'border-box' });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
  }

  protected override firstUpdated(): void {
    if (this.listElement) this.resizeObserver?.observe(this.listElement, { box: 'border-box' });
  }

  protected readonly stringsTable = 'conversationList' as const;

  protected override resolveStrings(overrides: Partial<ConversationListStrings>): ConversationListStrings {
    return mergeStrings(conversationListStrings, overrides);
  }

  /** The conversations in the order shown (loaded ones; more load as the list scrolls). */
  get conversations(): readonly ConversationEntry[] {
    return this.shown;
  }

  private onScroll = () => {
    const list = this.listElement;
    if (!list) return;
    this.listScrollTop = list.scrollTop;
    this.viewportHeight = list.clientHeight;
    this.requestUpdate();
  };

  private onResize() {
    const height = this.listElement?.clientHeight ?? 0;
    if (height === this.viewportHeight) return;
    this.viewportHeight = height;
    this.requestUpdate();
  }

  private onSearchInput(event: Event) {
    this.search = (event.target as HTMLInputElement).value;
    this.data.setSearch(this.search);
  }

  private onSearchKeydown(event: KeyboardEvent) {
    // From the search field straight into the results.
    if (event.key === 'ArrowDown' && this.shown.length > 0) {
      event.preventDefault();
      this.activeId = this.shown[0]!.id;
      this.listElement?.focus();
    }
  }

  private onListFocus() {
    if (this.activeId && this.shown.some((entry) => entry.id === this.activeId)) return;
    const selected = this.shown.find((entry) => entry.id === this.selected);
    this.activeId = (selected ?? this.shown[0])?.id ?? '';
    this.revealActive();
  }

  private onListKeydown(event: KeyboardEvent) {
    if (this.shown.length === 0) return;
    const index = Math.max(
      0,
      this.shown.findIndex((entry) => entry.id === this.activeId),
    );
    const page = Math.max(1, Math.floor(this.viewportHeight / this.virtual.estimate) - 1);
    const last = this.shown.length - 1;
    const target: Record<string, number> = {
      ArrowDown: Math.min(last, index + 1),
      ArrowUp: Math.max(0, index - 1),
      Home: 0,
      End: last,
      PageDown: Math.min(last, index + page),
      PageUp: Math.max(0, index - page),
    };
    if (event.key in target) {
      event.preventDefault();
      this.activeId = this.shown[target[event.key]!]!.id;
      this.revealActive();
    } else if ((event.key === 'Enter' || event.key === ' ') && this.activeId) {
      event.preventDefault();
      this.choose(this.activeId);
    }
  }

  private onRowClick(id: string) {
    this.activeId = id;
    this.choose(id);
  }

  /** Scrolls the active row into view, so it is rendered and `aria-activedescendant` points at it. */
  private revealActive() {
    const list = this.listElement;
    const index = this.shown.findIndex((entry) => entry.id === this.activeId);
    if (!list || index < 0) return;
    const top = this.virtual.offsetOf(index);
    const bottom = top + this.virtual.heightOf(this.activeId);
    if (top < list.scrollTop) list.scrollTop = top;
    else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
    this.onScroll();
  }

  private choose(id: string) {
    const event = new PasabayConversationSelectEvent({ conversationId: id });
    if (!this.dispatchEvent(event)) return;
    this.selected = id;
    if (!this.for) return;
    const root = this.getRootNode() as Document | ShadowRoot;
    const chat = root.getElementById?.(this.for) as (HTMLElement & { conversationId?: string }) | null;
    if (chat && 'conversationId' in chat) chat.conversationId = id;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const query = foldForSearch(this.search.trim(), this.locale);
    const matches = this.data.searchMatches;
    this.shown = query
      ? this.data.entries.filter((entry) => matchesSearch(entry, query, this.locale) || matches?.has(entry.id))
      : [...this.data.entries];
    this.virtual.setKeys(this.shown.map((entry) => entry.id));
    this.range = this.virtual.range(this.listScrollTop, this.viewportHeight || 600);
  }

  protected override updated(): void {
    // Measure what was rendered; a height that differs from the assumed one shifts the rest.
    // Rows share one height unless restyled, so the first one measured becomes the estimate.
    let remeasure = false;
    for (const row of this.renderRoot.querySelectorAll<HTMLElement>('[role="option"]')) {
      const id = row.dataset.id!;
      const height = row.getBoundingClientRect().height;
      if (!this.measured && height > 0) {
        this.measured = true;
        this.virtual.estimate = height;
      }
      const assumed = this.virtual.heightOf(id);
      this.virtual.setHeight(id, height);
      if (Math.abs(assumed - height) >= 0.5) remeasure = true;
    }
    if (remeasure) this.requestUpdate();
    if (
      !this.search.trim() &&
      this.data.hasMore &&
      !this.data.loading &&
      this.range.end >= this.shown.length - LOAD_AHEAD_ROWS
    ) {
      this.data.loadMore();
    }
    this.toggleState('loading', !this.data.loaded);
    this.toggleState('offline', this.data.status !== 'joined');
    this.toggleState('error', Boolean(this.clientSource.error) || this.session.status === 'error' || this.data.failed);
  }

  private timeOf(entry: ConversationEntry): string {
    const at = timestampDate(entry.activityAt);
    const sameDay = at.toDateString() === new Date().toDateString();
    try {
      return new Intl.DateTimeFormat(
        this.locale || undefined,
        sameDay ? { timeStyle: 'short' } : { dateStyle: 'short' },
      ).format(at);
    } catch {
      return at.toLocaleString(); // malformed language tag
    }
  }

  /** A direct chat's avatar is the other member's; `entry.otherUserId` is whom an online dot would follow. */
  private renderAvatar(entry: ConversationEntry, title: string) {
    const url = entry.kind === 'direct' ? this.avatarUrl(entry.otherAvatarUrl) : undefined;
    if (url) return html`<img part="avatar" src=${url} alt="" />`;
    const initials = title
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => [...word][0]!.toLocaleUpperCase())
      .join('');
    return html`<span part="avatar" aria-hidden="true">${initials}</span>`;
  }

  private renderRow(entry: ConversationEntry, index: number) {
    const strings = this.resolvedStrings;
    const title = displayTitle(entry, strings.untitled);
    const typists = this.data.typists(entry.id);
    const typing = typists.length
      ? entry.kind === 'direct'
        ? strings.typingDirect
        : typingSentence(
            typists.map((typist) => typist.displayName),
            strings,
            this.locale,
          )
      : '';
    const parts = ['row'];
    if (entry.id === this.selected) parts.push('selected');
    if (entry.id === this.activeId) parts.push('active');
    if (entry.unread > 0) parts.push('unread');
    if (typing) parts.push('typing');
    const unread = entry.unread > 0 ? new Intl.NumberFormat(this.locale || undefined).format(entry.unread) : '';
    return html`<div
      part=${parts.join(' ')}
      role="option"
      id=${`row-${entry.id}`}
      data-id=${entry.id}
      aria-selected=${entry.id === this.selected ? 'true' : 'false'}
      aria-setsize=${this.shown.length}
      aria-posinset=${index + 1}
      @click=${() => this.onRowClick(entry.id)}
    >
      ${this.renderAvatar(entry, title)}
      <span part="title">${title}</span>
      <span part="time">${this.timeOf(entry)}</span>
      <span part="preview">${typing || entry.preview || strings.noMessages}</span>
      ${
        unread
          ? html`<span part="badge" aria-hidden="true">${unread}</span
              ><span class="visually-hidden">${strings.unread(unread)}</span>`
          : nothing
      }
    </div>`;
  }

  private renderMessage() {
    const strings = this.resolvedStrings;
    if (this.shown.length > 0) return nothing;
    if (this.data.failed) return html`<p part="message" role="alert">${strings.loadFailed}</p>`;
    if (!this.data.loaded) return nothing;
    if (this.search.trim()) {
      return this.data.searching ? nothing : html`<p part="message">${strings.noMatches(this.search.trim())}</p>`;
    }
    return html`<p part="message"><slot name="empty">${strings.empty}</slot></p>`;
  }

  override render() {
    const strings = this.resolvedStrings;
    const rows = this.shown.slice(this.range.start, this.range.end);
    const active = rows.some((entry) => entry.id === this.activeId) ? `row-${this.activeId}` : undefined;
    const announcement = !this.data.loaded
      ? strings.loading
      : this.search.trim() && !this.data.searching
        ? strings.matches(this.shown.length)
        : '';
    return html`
      <input
        part="search"
        type="search"
        maxlength="200"
        aria-label=${strings.searchLabel}
        placeholder=${strings.searchPlaceholder}
        aria-controls="list"
        .value=${this.search}
        @input=${this.onSearchInput}
        @keydown=${this.onSearchKeydown}
      />
      <div
        part="list"
        id="list"
        role="listbox"
        tabindex="0"
        aria-label=${strings.listLabel}
        aria-busy=${this.data.loaded ? 'false' : 'true'}
        aria-activedescendant=${active ?? nothing}
        @scroll=${this.onScroll}
        @focus=${this.onListFocus}
        @keydown=${this.onListKeydown}
      >
        <!-- Padding here, not on the scroller: a scroller's own padding would make it that tall. -->
        <div
          role="none"
          style=${styleMap({ paddingBlock: `${this.range.paddingTop}px ${this.range.paddingBottom}px` })}
        >
          ${repeat(
            rows,
            (entry) => entry.id,
            (entry, offset) => this.renderRow(entry, this.range.start + offset),
          )}
        </div>
      </div>
      ${this.renderMessage()}
      <div class="visually-hidden" role="status">${announcement}</div>
    `;
  }
}

/**
 * Registers the element under `tag` (default `pasabay-conversation-list`) unless that tag is taken.
 * A second tag gets a subclass, since one class can only be defined once.
 */
export function definePasabayConversationList(tag = 'pasabay-conversation-list'): void {
  defineElement(tag, PasabayConversationList);
}

declare global {
  interface HTMLElementTagNameMap {
    'pasabay-conversation-list': PasabayConversationList;
  }
}
