import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import type { BroadcastMessage } from '../../connection/channels.js';
import { conversationChangeSchema, isPostgresChangesReady, USER_CHANNEL_CHANGES } from '../../connection/notices.js';
import {
  conversationNoticeSchema,
  dropped,
  parseList,
  parsePayload,
  typingEventSchema,
  unreadNoticeSchema,
} from '../../connection/schemas.js';
import { timestampMicros } from '../../connection/timestamps.js';
import { userTopic } from '../../connection/topics.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { TypingRoster } from '../../controllers/typing-roster.js';
import { PasabayErrorEvent, reported } from '../../events/pasabay-error.js';
import type { Typist } from '../../events/pasabay-typing-change.js';
import {
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
/** The newest this many rows are read again after a rejoin. */
export const LIVE_TOP = 20;
/** Typing expires after this long without a refresh, as in `<typing-indicator>`. */
const TYPING_EXPIRY_MS = 6000;
/** Changes that arrive within this long are re-read with one request. */
const REFRESH_BATCH_MS = 100;
/** A search goes to the database once typing pauses for this long. */
const SEARCH_DELAY_MS = 250;

export interface ConversationListControllerOptions {
  client: () => SupabaseClient | undefined;
  /** The signed-in user; nothing loads without one. */
  userId: () => string | undefined;
}

/**
 * The data of `<pasabay-conversation-list>`: pages of `conversation_list()`, kept live without
 * polling, on ONE channel, the user's own `user:<id>` (shared with the launcher and the mention
 * listener on the same client), whatever the number of conversations:
 * - Postgres Changes of `public.conversations` (INSERT / UPDATE; RLS passes only the user's own)
 *   bring last activity, preview and title: order and preview at once, then the changed rows'
 *   unread counts in one batched, debounced `conversation_list(conversation_ids => …)`;
 * - broadcast `conversation` (added to a conversation) and `unread` (own read position moved, with
 *   the database's count);
 * - broadcast `typing`: typing-now, which `send_typing` fans out to members' `user:<id>` only in
 *   conversations of at most 5 members (larger groups show no typing in the list).
 * After a rejoin the newest rows are read again (what was missed while disconnected).
 */
export class ConversationListController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: ConversationListControllerOptions;
  readonly #notices: ChannelController;
  readonly #entries = new Map<string, ConversationEntry>();
  readonly #typing = new Map<string, TypingRoster>();
  #order: ConversationEntry[] = [];
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
      postgresChanges: () => [...USER_CHANNEL_CHANGES],
      onBroadcast: (message) => this.#onNotice(message),
      onPostgresChange: (payload) => this.#onConversationChange(payload),
      // Changes flow from here on: what changed since the join (or the first page) is read again.
      onSystem: (payload) => {
        if (isPostgresChangesReady(payload) && this.#loaded) void this.#refreshTop();
      },
      onStatusChange: (status) => {
        if (status !== 'joined' && this.#typing.size > 0) {
          this.#typing.clear();
          this.#host.requestUpdate();
        }
      },
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
    return this.#typing.get(conversationId)?.typists ?? [];
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
    this.#typing.clear();
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

  /** Re-sorts and renders. */
  #changed(): void {
    this.#order = [...this.#entries.values()].sort(compareEntries);
    this.#host.requestUpdate();
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
    } else if (message.event === 'typing') {
      this.#onTyping(message, source);
    } else if (message.event !== 'mention') {
      // `mention` is for the mention listener sharing this channel.
      reported(this.#host, dropped(`unknown event "${message.event}"`, message.payload, source));
    }
  }

  /**
   * A row of `public.conversations` changed (a message, an edit of the last one, a rename) or
   * appeared: order and preview follow at once; the unread count with the batched re-read.
   */
  #onConversationChange(payload: RealtimePostgresChangesPayload<Record<string, unknown>>): void {
    if (payload.eventType === 'DELETE') return;
    const userId = this.#options.userId();
    if (!userId) return;
    const source = `${userTopic(userId)} postgres_changes conversations`;
    const row = reported(this.#host, parsePayload(conversationChangeSchema, payload.new, source));
    if (!row) return;
    const entry = this.#entries.get(row.id);
    if (entry) {
      entry.title = row.title;
      const activityAt = row.last_message_at ?? row.created_at;
      const at = timestampMicros(activityAt);
      if (at > entry.activityMicros) {
        entry.activityAt = activityAt;
        entry.activityMicros = at;
        entry.preview = row.last_message_preview;
      } else if (at === entry.activityMicros) {
        // An edit or deletion of the last message.
        entry.preview = row.last_message_preview;
      }
      this.#changed();
    }
    this.#queueRefresh(row.id);
  }

  #onTyping(message: BroadcastMessage, source: string): void {
    const userId = this.#options.userId();
    const typing = reported(this.#host, parsePayload(typingEventSchema, message.payload, source));
    if (!typing || typing.user_id === userId || !this.#entries.has(typing.conversation_id)) return;
    let roster = this.#typing.get(typing.conversation_id);
    if (!roster) {
      roster = new TypingRoster(TYPING_EXPIRY_MS);
      this.#typing.set(typing.conversation_id, roster);
    }
    const change = { user_id: typing.user_id, display_name: typing.display_name, typing: typing.is_typing };
    if (roster.apply(change, Date.now())) this.#host.requestUpdate();
    this.#scheduleTypingExpiry();
  }

  #scheduleTypingExpiry(): void {
    clearTimeout(this.#typingTimer);
    let next: number | undefined;
    for (const roster of this.#typing.values()) {
      const at = roster.nextExpiry();
      if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
    }
    if (next === undefined) return;
    this.#typingTimer = setTimeout(
      () => {
        let changed = false;
        for (const roster of this.#typing.values()) changed = roster.expire(Date.now()) || changed;
        if (changed) this.#host.requestUpdate();
        this.#scheduleTypingExpiry();
      },
      Math.max(0, next - Date.now()),
    );
  }
}
