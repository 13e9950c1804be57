import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { groupMessages, type ChatRow } from './grouping.js';
import type { MessageStore } from '../state/message-store.js';
import { VirtualWindow, type WindowRange } from './virtual-window.js';

export type MessageRowData = Extract<ChatRow, { kind: 'message' }>;
/** The "beginning of the conversation" marker, shown once the oldest page is loaded. */
export type StartRow = { kind: 'start'; key: string };
export type DisplayRow = ChatRow | StartRow;

/** Distance from the bottom (px) within which the view follows new messages. */
const PIN_THRESHOLD = 48;
/** Distance from the top (px) at which the next older page is requested. */
const LOAD_OLDER_THRESHOLD = 600;
const START_KEY = 'start';

export interface ScrollWindowOptions {
  store: MessageStore;
  /** More history exists on the server (no "beginning" row yet). */
  hasOlder: () => boolean;
  /** The scrollable log and the list inside it, once rendered. */
  log: () => HTMLElement | undefined;
  list: () => HTMLElement | undefined;
}

/**
 * Windowed rendering of the log and its scroll position: which rows are in the DOM, whether the
 * view follows the newest message ("pinned"), and keeping the message the user reads in place
 * while rows above it are added or measured.
 *
 * Rows are rebuilt and the window recomputed in `hostUpdate`; rendered rows are measured and the
 * scroll position restored in `hostUpdated`, which asks for another update only when the measured
 * heights call for other rows or spacers than those rendered (a new height of a rendered row changes
 * neither). The ResizeObserver opens in `hostConnected` and closes in `hostDisconnected`.
 */
export class ScrollWindowController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #options: ScrollWindowOptions;
  readonly #window = new VirtualWindow();
  #rows: DisplayRow[] = [];
  #rowsRevision = -1;
  #rowsHasOlder = true;
  #range: WindowRange = { start: 0, end: 0, paddingTop: 0, paddingBottom: 0, total: 0 };
  #viewport = { top: 0, height: 0 };
  #pinned = true;
  #anchor: { key: string; delta: number } | undefined;
  #resizeObserver: ResizeObserver | undefined;

  constructor(host: ReactiveControllerHost, options: ScrollWindowOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The view follows the newest message. */
  get pinned(): boolean {
    return this.#pinned;
  }

  /** Every row (day headings, messages, the beginning marker), oldest first. */
  get rows(): readonly DisplayRow[] {
    return this.#rows;
  }

  /** The rows to put in the DOM. */
  get visibleRows(): DisplayRow[] {
    return this.#rows.slice(this.#range.start, this.#range.end);
  }

  /** Space standing in for the rows above and below the window. */
  get paddingTop(): number {
    return this.#range.paddingTop;
  }

  get paddingBottom(): number {
    return this.#range.paddingBottom;
  }

  hostConnected(): void {
    this.#resizeObserver = new ResizeObserver(() => this.#host.requestUpdate());
    this.#pinned = true;
  }

  hostDisconnected(): void {
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = undefined;
  }

  hostUpdate(): void {
    this.#captureAnchor();
    this.#buildRows();
    this.#range = this.#computeRange();
  }

  hostUpdated(): void {
    const log = this.#options.log();
    if (!log) return;
    this.#resizeObserver?.observe(log);
    // Detached or `display: none`: every row would measure 0 px. The ResizeObserver brings the next
    // update once the log has a box again.
    if (log.getClientRects().length === 0) return;
    this.#settleLayout(log);
  }

  /** Forgets the position (a different conversation is opening). */
  reset(): void {
    this.#pinned = true;
    this.#anchor = undefined;
  }

  /** Follows the newest message again (after sending, or "jump to latest"). */
  pin(): void {
    this.#pinned = true;
    this.#host.requestUpdate();
  }

  /**
   * Reads the scroll position after a scroll event. Returns whether the top is near enough to
   * ask for older messages.
   */
  handleScroll(): { nearTop: boolean } {
    const log = this.#options.log();
    if (!log) return { nearTop: false };
    const distance = log.scrollHeight - log.scrollTop - log.clientHeight;
    this.#pinned = distance < PIN_THRESHOLD;
    this.#viewport = { top: log.scrollTop, height: log.clientHeight };
    const range = this.#window.range(Math.max(0, log.scrollTop - this.#listTop()), log.clientHeight);
    if (!sameWindow(range, this.#range)) this.#host.requestUpdate();
    return { nearTop: log.scrollTop < LOAD_OLDER_THRESHOLD };
  }

  /** The message rows, oldest first (for keyboard navigation). */
  messageRows(): MessageRowData[] {
    return this.#rows.filter((row): row is MessageRowData => row.kind === 'message');
  }

  /** Index in `messages` of the first message at or below the top of the log. */
  firstVisibleMessage(messages: MessageRowData[]): number {
    const log = this.#options.log();
    if (!log) return messages.length - 1;
    const index = this.#window.indexAt(Math.max(0, log.scrollTop - this.#listTop()));
    const found = messages.findIndex((row) => this.#window.indexOf(row.key) >= index);
    return found < 0 ? messages.length - 1 : found;
  }

  /** Scrolls the row with `key` into view (a third from the top) when it is not already on screen. */
  reveal(key: string): void {
    const log = this.#options.log();
    const index = this.#window.indexOf(key);
    if (!log || index < 0) return;
    const top = this.#listTop() + this.#window.offsetOf(index);
    const bottom = top + this.#window.heightOf(key);
    if (top < log.scrollTop || bottom > log.scrollTop + log.clientHeight) {
      this.#pinned = false;
      log.scrollTop = Math.max(0, top - log.clientHeight / 3);
      this.#viewport = { top: log.scrollTop, height: log.clientHeight };
      this.#anchor = undefined;
      this.#host.requestUpdate();
    }
  }

  #buildRows() {
    const store = this.#options.store;
    const hasOlder = this.#options.hasOlder();
    if (store.revision === this.#rowsRevision && hasOlder === this.#rowsHasOlder) return;
    this.#rowsRevision = store.revision;
    this.#rowsHasOlder = hasOlder;
    const rows: DisplayRow[] = groupMessages(store.messages);
    if (!hasOlder && rows.length > 0) rows.unshift({ kind: 'start', key: START_KEY });
    this.#rows = rows;
    this.#window.setKeys(rows.map((row) => row.key));
  }

  #listTop(): number {
    return this.#options.list()?.offsetTop ?? 0;
  }

  /**
   * Remembers the first message on screen and its distance from the top of the log, read from the
   * DOM, so the next update can put it back exactly there (estimated heights of rows not yet
   * measured cannot move what the user is reading).
   */
  #captureAnchor() {
    const log = this.#options.log();
    if (!log || this.#pinned || this.#window.length === 0) {
      this.#anchor = undefined;
      return;
    }
    const logTop = log.getBoundingClientRect().top;
    for (const row of log.querySelectorAll<HTMLElement>('[data-key]')) {
      const key = row.dataset.key!;
      if (!isMessageKey(key)) continue;
      const rect = row.getBoundingClientRect();
      if (rect.bottom > logTop) {
        this.#anchor = { key, delta: rect.top - logTop };
        return;
      }
    }
    this.#anchor = undefined;
  }

  #computeRange(): WindowRange {
    const height = this.#viewport.height || this.#options.log()?.clientHeight || 800;
    if (this.#pinned) return this.#window.range(Math.max(0, this.#window.total - height), height);
    if (this.#anchor) {
      const index = this.#window.indexOf(this.#anchor.key);
      if (index >= 0) return this.#window.range(Math.max(0, this.#window.offsetOf(index) - this.#anchor.delta), height);
    }
    return this.#window.range(Math.max(0, this.#viewport.top - this.#listTop()), height);
  }

  /**
   * Measures rendered rows and restores the scroll position, both straight on the DOM, and renders
   * again only when the window moved. The rows measured are the window's own, so their heights move
   * neither spacer: another render for them alone would change nothing (and Lit warns about it).
   */
  #settleLayout(log: HTMLElement) {
    for (const row of log.querySelectorAll<HTMLElement>('[data-key]')) {
      this.#window.setHeight(row.dataset.key!, row.getBoundingClientRect().height);
    }
    if (this.#pinned) {
      log.scrollTop = log.scrollHeight;
    } else if (this.#anchor) {
      const anchor = this.#anchor;
      const row = log.querySelector<HTMLElement>(`[data-key="${CSS.escape(anchor.key)}"]`);
      if (row) {
        const shift = row.getBoundingClientRect().top - log.getBoundingClientRect().top - anchor.delta;
        if (Math.abs(shift) >= 0.5) log.scrollTop += shift;
      } else {
        const index = this.#window.indexOf(anchor.key);
        if (index >= 0) log.scrollTop = this.#listTop() + this.#window.offsetOf(index) - anchor.delta;
      }
    }
    this.#viewport = { top: log.scrollTop, height: log.clientHeight };
    if (!sameWindow(this.#computeRange(), this.#range)) this.#host.requestUpdate();
  }
}

/** Whether two ranges render the same rows and spacers. */
function sameWindow(a: WindowRange, b: WindowRange): boolean {
  return (
    a.start === b.start &&
    a.end === b.end &&
    Math.abs(a.paddingTop - b.paddingTop) < 0.5 &&
    Math.abs(a.paddingBottom - b.paddingBottom) < 0.5
  );
}

function isMessageKey(key: string): boolean {
  return key !== START_KEY && !key.startsWith('day:');
}
