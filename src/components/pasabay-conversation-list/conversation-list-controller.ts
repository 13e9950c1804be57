import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { acquireChannel, type BroadcastMessage, type ChannelLease } from '../../connection/channels.js';
import {
  conversationNoticeSchema,
  dropped,
  messageChangeSchema,
  parseList,
  parsePayload,
  readReceiptSchema,
  typingEventSchema,
  unreadNoticeSchema,
} from '../../connection/schemas.js';
import { conversationTopic, typingTopic, userTopic } from '../../connection/topics.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { TypingRoster } from '../../controllers/typing-roster.js';
import { PasabayErrorEvent, reported } from '../../events/pasabay-error.js';
import type { Typist } from '../../events/pasabay-typing-change.js';
import {
  applyMessage,
  applyRead,
  applyUnreadNotice,
  compareEntries,
  conversationListRowSchema,
  entryOf,
  mergeEntry,
  type ConversationEntry,
  type ConversationListRow,
} from './conversation-rows.js';

/** Rows per request (the RPC allows up to 200). */
export const PAGE_SIZE = 100;
/** The newest this many conversations are always live, wherever the list is scrolled. */
export const LIVE_TOP = 20;
/** Typing expires after this long without a refresh, as in `<typing-indicator>`. */
const TYPING_EXPIRY_MS = 6000;
/** Joins that arrive within this long are refreshed with one request. */
const REFRESH_BATCH_MS = 50;
/** A search goes to the database once typing pauses for this long. */
const SEARCH_DELAY_MS = 250;

export interface ConversationListControllerOptions {
  client: () => SupabaseClient | undefined;
  /** The signed-in user; nothing loads without one. */
  userId: () => string | undefined;
}

/**
 * The data of `<pasabay-conversation-list>`: pages of `conversation_list()`, kept live without
 * polling and without any per-member work per message:
 * - `user:<id>` (the user's own topic) brings what is theirs alone: added to a conversation
 *   (`conversation`) and their read position moved (`unread`, with the database's count);
 * - `conversation:<id>` of the newest `LIVE_TOP` rows and of the rows on screen brings each new
 *   message once for all members (preview, order, unread counted here);
 * - `conversation:<id>:typing` of the rows on screen only brings typing-now.
 * A row that becomes live is refreshed from the database once its channel joins (what it missed
 * while not watched), as is everything after a reconnect.
 */
export class ConversationListController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: ConversationListControllerOptions;
  readonly #notices: ChannelController;
  readonly #entries = new Map<string, ConversationEntry>();
  readonly #watches = new Map<string, ChannelLease>();
  readonly #typingWatches = new Map<string, { lease: ChannelLease; roster: TypingRoster }>();
  #order: ConversationEntry[] = [];
  #visible: readonly string[] = [];
  #key: string | undefined;
  /** Bumped whenever the user or client changes: answers for an older one are dropped. */
  #epoch = 0;
  #cursor: { before_activity: string; before_id: string } | undefined;
  #hasMore = false;
  /** A page after the first failed: paging resumes after the next rejoin. */
  #pageFailed = false;
  #loading = false;
  #loaded = false;
  #failed = false;
  #connected = false;
  #pendingRefresh = new Set<string>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #search = '';
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #searchMatches: ReadonlySet<string> | undefined;
  #searching = false;

  constructor(host: ReactiveControllerHost & EventTarget, options: ConversationListControllerOptions) {
    this.#host = host;
    this.#options = options;
    this.#notices = new ChannelController(host, {
      client: options.client,
      topic: () => {
        const userId = options.userId();
        return userId ? userTopic(userId) : undefined;
      },
      onBroadcast: (message) => this.#onNotice(message),
      // A notice may have been missed before the join or while disconnected.
      onJoined: (first) => {
        if (!first || this.#loaded) void this.#refreshTop();
      },
    });
    host.addController(this);
  }

  /** All loaded conversations, newest activity first. */
  get entries(): readonly ConversationEntry[] {
    return this.#order;
  }

  get status() {
    return this.#notices.status;
  }

  /** The first page has arrived (or failed). */
  get loaded(): boolean {
    return this.#loaded;
  }

  get loading(): boolean {
    return this.#loading;
  }

  get failed(): boolean {
    return this.#failed;
  }

  get hasMore(): boolean {
    return this.#hasMore;
  }

  /** Ids the database matched for the current search (beyond what is loaded); `undefined` until it answers. */
  get searchMatches(): ReadonlySet<string> | undefined {
    return this.#searchMatches;
  }

  /** The database is being asked about the current search. */
  get searching(): boolean {
    return this.#searching;
  }

  /** Others typing now in a conversation on screen. */
  typists(conversationId: string): readonly Typist[] {
    return this.#typingWatches.get(conversationId)?.roster.typists ?? [];
  }

  hostConnected(): void {
    this.#connected = true;
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#reset();
  }

  /** The rows on screen now: they, and the newest `LIVE_TOP`, are live. */
  setVisible(ids: readonly string[]): void {
    this.#visible = ids;
    this.#updateWatches();
  }

  /** Loads the next page, if there is one and none is loading. */
  loadMore(): void {
    if (!this.#hasMore || this.#loading) return;
    void this.#loadPage();
  }

  /** Asks the database for conversations matching `query` (after a pause in typing). */
  setSearch(query: string): void {
    // The database takes up to 200 characters; more could not narrow a title or a name further.
    const trimmed = query.trim().slice(0, 200);
    if (trimmed === this.#search) return;
    this.#search = trimmed;
    this.#searchMatches = undefined;
    clearTimeout(this.#searchTimer);
    this.#searching = Boolean(trimmed);
    if (trimmed) this.#searchTimer = setTimeout(() => void this.#runSearch(trimmed), SEARCH_DELAY_MS);
    this.#host.requestUpdate();
  }

  #sync(): void {
    if (!this.#connected) return;
    const client = this.#options.client();
    const userId = this.#options.userId();
    const key = client && userId ? userId : undefined;
    if (key === this.#key && this.#client === client) return;
    this.#reset();
    this.#key = key;
    this.#client = client;
    if (key) void this.#loadPage();
  }

  #client: SupabaseClient | undefined;

  #reset(): void {
    this.#epoch++;
    this.#key = undefined;
    this.#client = undefined;
    for (const id of [...this.#watches.keys()]) this.#unwatch(id);
    for (const id of [...this.#typingWatches.keys()]) this.#unwatchTyping(id);
    this.#entries.clear();
    this.#order = [];
    this.#cursor = undefined;
    this.#hasMore = false;
    this.#pageFailed = false;
    this.#loading = false;
    this.#loaded = false;
    this.#failed = false;
    this.#pendingRefresh.clear();
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#typingTimer);
    clearTimeout(this.#searchTimer);
    this.#searchMatches = undefined;
    this.#searching = Boolean(this.#search);
    if (this.#search && this.#connected) {
      const search = this.#search;
      this.#searchTimer = setTimeout(() => void this.#runSearch(search), 0);
    }
  }

  /** One call of the RPC; rows merged, problems reported. `undefined` when it failed or went stale. */
  async #fetch(args: Record<string, unknown>, source: string): Promise<ConversationListRow[] | undefined> {
    const client = this.#client;
    const epoch = this.#epoch;
    if (!client) return undefined;
    let result: { data: unknown; error: { message: string } | null };
    try {
      result = await client.rpc('conversation_list', args);
    } catch (error) {
      result = { data: null, error: { message: error instanceof Error ? error.message : String(error) } };
    }
    if (epoch !== this.#epoch) return undefined;
    if (result.error) {
      this.#host.dispatchEvent(
        new PasabayErrorEvent({ code: 'request', message: result.error.message, source, cause: result.error }),
      );
      return undefined;
    }
    const rows = reported(this.#host, parseList(conversationListRowSchema, result.data, source));
    for (const row of rows) this.#entries.set(row.id, mergeEntry(this.#entries.get(row.id), entryOf(row)));
    return rows;
  }

  async #loadPage(): Promise<void> {
    const epoch = this.#epoch;
    this.#loading = true;
    this.#host.requestUpdate();
    const rows = await this.#fetch({ max_rows: PAGE_SIZE, ...this.#cursor }, 'rpc conversation_list');
    if (epoch !== this.#epoch) return;
    this.#loading = false;
    if (rows) {
      const last = rows.at(-1);
      if (last) this.#cursor = { before_activity: last.activity_at, before_id: last.id };
      this.#hasMore = rows.length === PAGE_SIZE;
    } else if (!this.#loaded) {
      this.#failed = true;
    } else {
      // Not again on every render: the next rejoin of user:<id> tries again (see #refreshTop).
      this.#hasMore = false;
      this.#pageFailed = true;
    }
    this.#loaded = true;
    this.#changed();
  }

  /** The newest page again (after a reconnect or a new conversation), merged into what is loaded. */
  async #refreshTop(): Promise<void> {
    if (!this.#client) return;
    // Nothing paged yet (the first page failed, or there was none): this is the first page.
    if (!this.#cursor) return this.#loadPage();
    if (this.#pageFailed) {
      this.#pageFailed = false;
      this.#hasMore = true;
    }
    const rows = await this.#fetch(
      { max_rows: Math.min(PAGE_SIZE, Math.max(LIVE_TOP, this.#order.length)) },
      'rpc conversation_list',
    );
    if (rows) {
      this.#failed = false;
      this.#loaded = true;
      this.#changed();
    }
  }

  #queueRefresh(id: string): void {
    this.#pendingRefresh.add(id);
    if (this.#refreshTimer !== undefined) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      const ids = [...this.#pendingRefresh];
      this.#pendingRefresh.clear();
      // The RPC takes up to 200 ids a call.
      for (let from = 0; from < ids.length; from += 200) void this.#refreshRows(ids.slice(from, from + 200));
    }, REFRESH_BATCH_MS);
  }

  async #refreshRows(ids: string[]): Promise<void> {
    const rows = await this.#fetch({ conversation_ids: ids, max_rows: ids.length }, 'rpc conversation_list');
    if (!rows) return;
    // Not among the answers: the user is no longer a member.
    const present = new Set(rows.map((row) => row.id));
    for (const id of ids) if (!present.has(id)) this.#entries.delete(id);
    this.#changed();
  }

  async #runSearch(query: string): Promise<void> {
    const rows = await this.#fetch({ search: query, max_rows: PAGE_SIZE }, 'rpc conversation_list (search)');
    if (query !== this.#search) return;
    this.#searching = false;
    this.#searchMatches = new Set((rows ?? []).map((row) => row.id));
    this.#changed();
  }

  /** Re-sorts, re-picks the live rows, and renders. */
  #changed(): void {
    this.#order = [...this.#entries.values()].sort(compareEntries);
    this.#updateWatches();
    this.#host.requestUpdate();
  }

  #updateWatches(): void {
    const client = this.#client;
    if (!client || !this.#connected) return;
    const visible = this.#visible.filter((id) => this.#entries.has(id));
    const live = new Set([...this.#order.slice(0, LIVE_TOP).map((entry) => entry.id), ...visible]);
    for (const id of [...this.#watches.keys()]) if (!live.has(id)) this.#unwatch(id);
    for (const id of live) if (!this.#watches.has(id)) this.#watch(client, id);
    const typing = new Set(visible);
    for (const id of [...this.#typingWatches.keys()]) if (!typing.has(id)) this.#unwatchTyping(id);
    for (const id of typing) if (!this.#typingWatches.has(id)) this.#watchTyping(client, id);
  }

  #watch(client: SupabaseClient, id: string): void {
    const lease = acquireChannel(client, conversationTopic(id), {
      onBroadcast: (message) => this.#onConversationEvent(id, message),
      onStatus: (status) => {
        // Whatever happened before this channel listened (or while it was down) is in the database.
        if (status === 'joined') this.#queueRefresh(id);
      },
    });
    this.#watches.set(id, lease);
  }

  #unwatch(id: string): void {
    void this.#watches.get(id)?.release();
    this.#watches.delete(id);
  }

  #watchTyping(client: SupabaseClient, id: string): void {
    const roster = new TypingRoster(TYPING_EXPIRY_MS);
    const lease = acquireChannel(client, typingTopic(id), {
      onBroadcast: (message) => this.#onTyping(id, roster, message),
      onStatus: (status) => {
        if (status !== 'joined' && roster.clear()) this.#host.requestUpdate();
      },
    });
    this.#typingWatches.set(id, { lease, roster });
  }

  #unwatchTyping(id: string): void {
    void this.#typingWatches.get(id)?.lease.release();
    this.#typingWatches.delete(id);
  }

  #onNotice(message: BroadcastMessage): void {
    const userId = this.#options.userId();
    if (!userId) return;
    const source = `${userTopic(userId)} ${message.event}`;
    if (message.event === 'conversation') {
      const notice = reported(this.#host, parsePayload(conversationNoticeSchema, message.payload, source));
      if (notice) this.#queueRefresh(notice.conversation_id);
    } else if (message.event === 'unread') {
      const notice = reported(this.#host, parsePayload(unreadNoticeSchema, message.payload, source));
      if (!notice) return;
      const entry = this.#entries.get(notice.conversation_id);
      if (!entry) this.#queueRefresh(notice.conversation_id);
      else if (applyUnreadNotice(entry, notice)) this.#changed();
    } else {
      reported(this.#host, dropped(`unknown event "${message.event}"`, message.payload, source));
    }
  }

  #onConversationEvent(id: string, message: BroadcastMessage): void {
    const entry = this.#entries.get(id);
    const userId = this.#options.userId();
    if (!entry || !userId) return;
    const source = `${conversationTopic(id)} ${message.event}`;
    if (message.event === 'message') {
      const change = reported(this.#host, parsePayload(messageChangeSchema, message.payload, source));
      if (!change) return;
      const row = change.operation === 'DELETE' ? change.old_record : change.record;
      if (row.conversation_id !== id) {
        reported(this.#host, dropped('a message of another conversation', message.payload, source));
        return;
      }
      if (applyMessage(entry, change, userId)) this.#changed();
    } else if (message.event === 'read') {
      const receipt = reported(this.#host, parsePayload(readReceiptSchema, message.payload, source));
      if (receipt && receipt.conversation_id === id && receipt.user_id === userId) applyRead(entry, receipt);
    }
    // `reaction` and receipts of others change nothing in the list.
  }

  #onTyping(id: string, roster: TypingRoster, message: BroadcastMessage): void {
    const userId = this.#options.userId();
    const source = `${typingTopic(id)} ${message.event}`;
    if (message.event !== 'typing') {
      reported(this.#host, dropped(`unknown event "${message.event}"`, message.payload, source));
      return;
    }
    const typing = reported(this.#host, parsePayload(typingEventSchema, message.payload, source));
    if (!typing || typing.user_id === userId) return;
    if (typing.conversation_id !== id) {
      reported(this.#host, dropped('typing of another conversation', message.payload, source));
      return;
    }
    const change = { user_id: typing.user_id, display_name: typing.display_name, typing: typing.is_typing };
    if (roster.apply(change, Date.now())) this.#host.requestUpdate();
    this.#scheduleTypingExpiry();
  }

  #scheduleTypingExpiry(): void {
    clearTimeout(this.#typingTimer);
    let next: number | undefined;
    for (const { roster } of this.#typingWatches.values()) {
      const at = roster.nextExpiry();
      if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
    }
    if (next === undefined) return;
    this.#typingTimer = setTimeout(
      () => {
        let changed = false;
        for (const { roster } of this.#typingWatches.values()) changed = roster.expire(Date.now()) || changed;
        if (changed) this.#host.requestUpdate();
        this.#scheduleTypingExpiry();
      },
      Math.max(0, next - Date.now()),
    );
  }
}
