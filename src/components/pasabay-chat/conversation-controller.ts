import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import type { BroadcastMessage, PostgresChangesFilter } from '../../connection/channels.js';
import {
  messageChangeSchema,
  messageSchema,
  parsePayload,
  dropped,
  parseList,
  reactionChangeSchema,
  readReceiptSchema,
  type Conversation,
  type Message,
  type Profile,
} from '../../connection/schemas.js';
import { myConversationSchema } from '../../connection/notices.js';
import { conversationTopic } from '../../connection/topics.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import type { SessionController } from '../../controllers/session-controller.js';
import type { VisibilityController } from '../../controllers/visibility-controller.js';
import { PasabayErrorEvent, reported } from '../../events/pasabay-error.js';
import { PasabayMessageFailEvent } from '../../events/pasabay-message-fail.js';
import { PasabayMessageReceiveEvent } from '../../events/pasabay-message-receive.js';
import { PasabayUnreadChangeEvent } from '../../events/pasabay-unread-change.js';
import {
  deleteMessage,
  editMessage,
  fetchMembers,
  fetchPage,
  fetchProfiles,
  fetchAfter,
  fetchChangedSince,
  fetchReactions,
  isForbidden,
  isRateLimited,
  isTransient,
  markRead,
  overlapBefore,
  resolveConversation,
  sendMessage,
  setReaction,
  type DataContext,
  type ListCursor,
  type RequestFailure,
} from './state/chat-data.js';
import type { ChatMessage, MessageRecord, MessageStore } from './state/message-store.js';
import { timestampMicros } from '../../connection/timestamps.js';
import { Outbox } from './state/outbox.js';
import { OutboxStorage, projectUrlOf, type OutboxScope } from './state/outbox-storage.js';
import { TopicEvent } from '../../connection/wire.js';
import type { Message as MessageRow } from '../../connection/schemas.js';
import { openMeetingConversation } from './meeting-conversation.js';

/**
 * Pages of up to `CATCH_UP_PAGE_ROWS` a catch-up reads before it decides the view fell too far
 * behind: it then reloads the window (the latest page, as a fresh open does) instead.
 */
const CATCH_UP_MAX_PAGES = 3;

/** What the element is showing, besides the connection banner. */
export type ChatView = 'idle' | 'loading' | 'ready' | 'not-allowed' | 'auth-required' | 'error';
export type ChatConnection = 'online' | 'connecting' | 'reconnecting' | 'offline';
export type RealtimeMode = 'broadcast' | 'postgres-changes';
/** A write the server refused, shown to the user with its reason. */
export interface ChatNotice {
  kind: 'edit' | 'delete' | 'reaction';
  /** The server's words, e.g. "Rate limit exceeded: at most 30 edits a minute". */
  reason: string;
}

/** The element's inputs the controller reads on every update. */
export interface ConversationSource {
  conversationId: string;
  withUser: string;
  externalRef: string;
  members: string;
  realtime: RealtimeMode;
  pageSize: number;
  /** Opens the meeting's chat (RPC `open_meeting_conversation`) when nothing else is asked for. */
  meetingId?: string;
}

export interface ConversationControllerOptions {
  /** The element's client (its ClientController reports a missing one); re-read on every `sync()`. */
  client: () => SupabaseClient | undefined;
  session: SessionController;
  store: MessageStore;
  visibility: Pick<VisibilityController, 'visible'>;
  /** Whether the log follows the newest message; read after the host (and its scroller) updated. */
  pinned: () => boolean;
  /** The open conversation was forgotten: reset what the element holds for it (composer, scroll…). */
  onClosed(): void;
  /** New messages from other members arrived (live or by catching up), oldest first. */
  onArrived(messages: Message[]): void;
  /**
   * The view fell so far behind that its window was reloaded with the latest page (as a fresh
   * open): the host shows the newest messages ("jump to latest"); older ones load on scroll.
   */
  onWindowReloaded?(): void;
}

type Host = ReactiveControllerHost & HTMLElement & ConversationSource;

/**
 * The caller's unread count as the database derives it (RPC `my_conversations`), for unread
 * messages older than the loaded page. 0 when it cannot be had: the loaded page still counts.
 */
async function fetchServerUnread({ client, target }: DataContext, conversationId: string): Promise<number> {
  try {
    const { data, error } = await client.rpc('my_conversations', { conversation_id: conversationId });
    if (error) return 0;
    const rows = reported(target, parseList(myConversationSchema, data, 'rpc my_conversations'));
    return rows.find((row) => row.id === conversationId)?.unread_count ?? 0;
  } catch {
    return 0;
  }
}

/**
 * The conversation behind `<pasabay-chat>`: resolves what to open (`conversation-id`, `with-user`,
 * `external-ref`), loads history, members, profiles and reactions, holds the live channels, catches
 * up after every rejoin, wake or return online, sends through the outbox (whose unsent messages are
 * kept in localStorage for later page loads, see outbox-storage.ts) and marks the conversation read.
 * The host calls `sync()` from `willUpdate()` and renders from the getters; everything this opens in
 * `hostConnected()` it closes in `hostDisconnected()`.
 */
export class ConversationController implements ReactiveController {
  readonly #host: Host;
  readonly #options: ConversationControllerOptions;
  // `conversation:<id>`, private: Broadcast from Database, plus (in `realtime="postgres-changes"`
  // mode) the Postgres Changes of the conversation's messages on the same channel, so every
  // database event reaches the element through a topic no client can write to.
  readonly #live: ChannelController;

  #conversation: Conversation | undefined;
  #view: ChatView = 'idle';
  #online = typeof navigator === 'undefined' ? true : navigator.onLine;
  #hasOlder = true;
  #loadingOlder = false;
  #olderFailed = false;
  #outbox: Outbox | undefined;
  #openKey: string | undefined;
  #openClient: SupabaseClient | undefined;
  /** Bumped whenever the open conversation is forgotten: answers to older requests are dropped. */
  #epoch = 0;
  #everJoined = false;
  #catchUpRunning: Promise<void> | undefined;
  #catchUpAgain = false;
  /**
   * The catch-up point: every message up to it (in (created_at, id) order) is held. Set by opening
   * and by catching up; live messages move it only while the channel has stayed joined since the
   * last complete catch-up (`#inSync`), never past a gap that is not filled yet.
   */
  #syncedTo: ListCursor | undefined;
  #inSync = false;
  /** Bumped whenever events may have been missed (the channel left `joined`, a replication gap). */
  #gaps = 0;
  /** Aborts the requests in flight when the network goes away or the conversation closes. */
  #requests = new AbortController();
  #markingRead = false;
  /**
   * While a mark-read is in flight, the newest message it covers (microseconds): those count as
   * read already, so a message that arrives while the user reads never shows as unread for the
   * moment the request takes (the count went 1 → 0 and host badges flashed).
   */
  #readingUpTo = 0;
  #reportedUnread = 0;
  #profiles = new Map<string, Profile>();
  /** Read positions (microseconds) by member. */
  #members = new Map<string, number>();
  /** Unread count the server reported at load, for messages older than the loaded page. */
  #serverUnread = 0;
  #reactionWrites = new Map<string, Promise<unknown>>();
  #notice: ChatNotice | undefined;
  /** Opening failed for want of a network (e.g. a page loaded offline): it is retried when back. */
  #openFailedOffline = false;
  readonly #outboxStorage: OutboxStorage;

  constructor(host: Host, options: ConversationControllerOptions) {
    this.#host = host;
    this.#options = options;
    this.#outboxStorage = new OutboxStorage({ target: host });
    host.addController(this);
    const topic = () => (this.#conversation ? conversationTopic(this.#conversation.id) : undefined);
    this.#live = new ChannelController(host, {
      client: () => this.channelClient,
      topic,
      postgresChanges: () => (host.realtime === 'postgres-changes' ? this.#postgresChangesFilters() : undefined),
      onBroadcast: (message) => this.#onBroadcast(message),
      onPostgresChange: (payload) => this.#onPostgresChange(payload),
      onJoined: () => this.#onJoined(),
      onStatusChange: (status, error) => {
        if (status !== 'joined') this.#missedEvents();
        // A Realtime budget (ConnectionRateLimitReached, ChannelRateLimitReached…) says why no live updates come.
        if (status === 'error' && error && /^\w+RateLimitReached: /.test(error.message))
          host.dispatchEvent(
            new PasabayErrorEvent({ code: 'channel', message: error.message, source: 'realtime', cause: error }),
          );
      },
      onReplicationGap: () => {
        // The stack could not rule out lost events; it also errors the channel, which rejoins.
        this.#missedEvents();
        void this.catchUp();
      },
    });
  }

  hostConnected(): void {
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
    document.addEventListener('visibilitychange', this.#onWake);
    window.addEventListener('pageshow', this.#onWake);
    // The network may have come or gone while the element was detached.
    if (this.#online !== navigator.onLine) {
      this.#online = navigator.onLine;
      this.#host.requestUpdate();
    }
    this.#outbox?.resume();
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    document.removeEventListener('visibilitychange', this.#onWake);
    window.removeEventListener('pageshow', this.#onWake);
    // Queued messages stay in the outbox and go out when the element is attached again.
    this.#outbox?.pause();
  }

  // The host's scroller measures rows and settles `pinned` in its own hostUpdated, before this one.
  hostUpdated(): void {
    this.markReadIfSeen();
    this.#reportUnread();
  }

  // ----- what the element renders --------------------------------------------------------------

  /** The conversation open, once resolved. */
  get current(): Conversation | undefined {
    return this.#conversation;
  }

  get view(): ChatView {
    return this.#view;
  }

  get hasOlder(): boolean {
    return this.#hasOlder;
  }

  get loadingOlder(): boolean {
    return this.#loadingOlder;
  }

  get olderFailed(): boolean {
    return this.#olderFailed;
  }

  /** The client the open conversation was loaded with (also the typing indicator's). */
  get client(): SupabaseClient | undefined {
    return this.#openClient;
  }

  /** The client for channels: only while signed in and allowed in. */
  get channelClient(): SupabaseClient | undefined {
    return this.#options.session.status === 'signed-in' && this.#view !== 'not-allowed' ? this.#openClient : undefined;
  }

  get connection(): ChatConnection {
    if (!this.#online) return 'offline';
    const status = this.#live.status;
    if (status === 'joined') return 'online';
    if (status === 'idle' && !this.#conversation) return 'online';
    return this.#everJoined ? 'reconnecting' : 'connecting';
  }

  profileOf(userId: string): Profile | undefined {
    return this.#profiles.get(userId);
  }

  /** Read positions (microseconds of the last message read) by member id. */
  get readPositions(): ReadonlyMap<string, number> {
    return this.#members;
  }

  /** Messages from others after the user's read position. */
  get unreadCount(): number {
    const me = this.#options.session.identity?.userId;
    if (!me) return 0;
    const lastRead = Math.max(this.#members.get(me) ?? 0, this.#readingUpTo);
    let count = 0;
    const messages = this.#options.store.messages;
    for (let index = messages.length - 1; index >= 0; index--) {
      const message = messages[index]!;
      if (message.delivery !== 'sent') continue; // one's own unsent messages, last in the list
      if (message.sortKey <= lastRead) break;
      if (message.sender_id !== me && !message.deleted_at) count++;
    }
    // Unread messages older than the loaded page are known only from the server's count.
    const oldest = this.#options.store.oldest;
    if (this.#hasOlder && oldest && oldest.sortKey > lastRead) count = Math.max(count, this.#serverUnread);
    return count;
  }

  // ----- opening and closing -------------------------------------------------------------------

  /** Decides what to show from the host's inputs, and (re)opens the conversation when they changed. */
  sync(): void {
    const host = this.#host;
    const target = host.conversationId || host.withUser || host.externalRef || host.meetingId;
    if (!target) {
      this.#close('idle');
      return;
    }
    const client = this.#options.client();
    if (!client) {
      this.#close('error');
      return;
    }
    const session = this.#options.session.snapshot;
    if (session.status !== 'signed-in') {
      this.#close(
        session.status === 'auth-required' ? 'auth-required' : session.status === 'error' ? 'error' : 'loading',
      );
      return;
    }
    const key = `${session.identity.userId}\n${host.conversationId}\n${host.withUser}\n${host.externalRef}\n${host.members}\n${host.realtime}\n${host.meetingId ?? ''}`;
    if (key === this.#openKey && client === this.#openClient) return;
    this.#close('loading');
    this.#openKey = key;
    this.#openClient = client;
    void this.#open(client, this.#epoch, session.identity.userId);
  }

  /** Opens the same conversation again (the "try again" button of the error state). */
  reopen(): void {
    this.#openKey = undefined;
    this.#openClient = undefined;
    this.#setView('loading');
  }

  /** Forgets the open conversation (its channels are released by their controllers on the next update). */
  #close(view: ChatView) {
    if (this.#openKey !== undefined || this.#view !== view) {
      this.#epoch++;
      this.#openKey = undefined;
      this.#conversation = undefined;
      this.#options.store.clear();
      this.#members.clear();
      this.#profiles.clear();
      this.#serverUnread = 0;
      this.#everJoined = false;
      this.#hasOlder = true;
      this.#olderFailed = false;
      this.#loadingOlder = false;
      this.#reactionWrites.clear();
      this.#notice = undefined;
      this.#syncedTo = undefined;
      this.#inSync = false;
      this.#abortRequests();
      this.#outbox?.dispose();
      this.#outbox = undefined;
      this.#options.onClosed();
    }
    this.#setView(view);
  }

  async #open(client: SupabaseClient, epoch: number, userId: string) {
    const host = this.#host;
    this.#openFailedOffline = false;
    const context = this.#dataContext(client);
    const resolved =
      host.meetingId && !(host.conversationId || host.withUser || host.externalRef)
        ? await openMeetingConversation(context, host.meetingId)
        : await resolveConversation(context, {
            conversationId: host.conversationId,
            withUser: host.withUser,
            externalRef: host.externalRef,
            memberIds: host.members.split(/\s+/).filter(Boolean),
          });
    if (epoch !== this.#epoch) return;
    if (resolved.error) return this.#fail(resolved.error, 'conversation');
    if (!resolved.data) return this.#setView('not-allowed');
    const conversation = resolved.data;
    this.#conversation = conversation;
    const scope: OutboxScope = { projectUrl: projectUrlOf(client), userId, conversationId: conversation.id };
    this.#outbox = this.#createOutbox(context, epoch, scope);
    this.#restoreUnsent(this.#outbox, scope);
    host.requestUpdate();
    const pageSize = host.pageSize;
    const [members, page] = await Promise.all([
      fetchMembers(context, conversation.id),
      fetchPage(context, conversation.id, pageSize),
    ]);
    if (epoch !== this.#epoch) return;
    if (page.error) return this.#fail(page.error, 'messages');
    if (members.error) return this.#fail(members.error, 'conversation_members');
    // Only a full page may leave unread messages behind it: then the server counts them.
    const serverUnread = page.data.length >= pageSize ? await fetchServerUnread(context, conversation.id) : 0;
    if (epoch !== this.#epoch) return;
    this.#applyMembers(members.data);
    this.#serverUnread = serverUnread;
    this.#options.store.upsert(page.data);
    this.#settleSent(page.data);
    this.#hasOlder = page.data.length >= pageSize;
    this.#syncedTo = cursorOf(page.data.at(-1));
    await Promise.all([
      this.#loadProfiles(
        context,
        members.data.map((member) => member.user_id),
      ),
      this.#loadReactions(context, page.data),
    ]);
    if (epoch !== this.#epoch) return;
    this.#setView('ready');
    // Anything sent between the page query and the channel join would fall between the two.
    if (this.#live.status === 'joined') void this.catchUp();
  }

  #fail(error: RequestFailure, source: string) {
    this.#openFailedOffline = isTransient(error);
    if (isForbidden(error)) {
      this.#setView('not-allowed');
      return;
    }
    this.#setView('error');
    this.#host.dispatchEvent(new PasabayErrorEvent({ code: 'request', message: error.message, source, cause: error }));
  }

  #setView(view: ChatView) {
    if (this.#view === view) return;
    this.#view = view;
    this.#host.requestUpdate();
  }

  /** The open conversation's client and the element (for `pasabay-error` on invalid payloads). */
  #context(): DataContext | undefined {
    return this.#openClient ? this.#dataContext(this.#openClient) : undefined;
  }

  /** Requests made with this context time out, and are aborted when the network goes away. */
  #dataContext(client: SupabaseClient): DataContext {
    const requests = () => this.#requests;
    return {
      client,
      target: this.#host,
      get signal() {
        return requests().signal;
      },
    };
  }

  #abortRequests() {
    this.#requests.abort();
    this.#requests = new AbortController();
  }

  /** Events may have been missed: live messages no longer move the catch-up point until a catch-up ran. */
  #missedEvents() {
    this.#inSync = false;
    this.#gaps++;
  }

  // ----- loading -------------------------------------------------------------------------------

  #applyMembers(members: { user_id: string; last_read_at: string | null }[]) {
    for (const member of members) {
      const lastReadAt = member.last_read_at ? Date.parse(member.last_read_at) * 1000 : 0;
      const held = this.#members.get(member.user_id);
      if (held === undefined || held < lastReadAt || Number.isNaN(held)) this.#members.set(member.user_id, lastReadAt);
    }
    this.#host.requestUpdate();
  }

  async #loadProfiles(context: DataContext, userIds: string[]) {
    const missing = [...new Set(userIds)].filter((id) => !this.#profiles.has(id));
    const epoch = this.#epoch;
    const profiles = await fetchProfiles(context, missing);
    if (epoch !== this.#epoch) return;
    for (const profile of profiles.data ?? []) this.#profiles.set(profile.id, profile);
    this.#host.requestUpdate();
  }

  async #loadReactions(context: DataContext, messages: readonly { id: string }[]) {
    const store = this.#options.store;
    const ids = messages.map((message) => message.id);
    const epoch = this.#epoch;
    // Reactions that change while the request is out (live events, own toggles) are newer than its answer.
    const requestedAt = store.reactionClock;
    const reactions = await fetchReactions(context, ids);
    if (reactions.data && epoch === this.#epoch) store.setReactions(ids, reactions.data, requestedAt);
  }

  /** Loads the page before the oldest message held. */
  async loadOlder(): Promise<void> {
    const context = this.#context();
    const conversation = this.#conversation;
    const store = this.#options.store;
    const oldest = store.oldest;
    if (!context || !conversation || !oldest || this.#view !== 'ready') return;
    const epoch = this.#epoch;
    this.#loadingOlder = true;
    this.#olderFailed = false;
    this.#host.requestUpdate();
    const pageSize = this.#host.pageSize;
    const page = await fetchPage(context, conversation.id, pageSize, oldest);
    if (epoch !== this.#epoch) return;
    this.#loadingOlder = false;
    this.#host.requestUpdate();
    if (page.error) {
      this.#olderFailed = true;
      this.#host.dispatchEvent(
        new PasabayErrorEvent({ code: 'request', message: page.error.message, source: 'messages', cause: page.error }),
      );
      return;
    }
    store.upsert(page.data);
    this.#settleSent(page.data);
    this.#hasOlder = page.data.length >= pageSize;
    await this.#loadReactions(context, page.data);
  }

  // ----- live events and catching up -----------------------------------------------------------

  #postgresChangesFilters(): PostgresChangesFilter[] | undefined {
    const id = this.#conversation?.id;
    return id ? [{ event: '*', schema: 'public', table: 'messages', filter: `conversation_id=eq.${id}` }] : undefined;
  }

  #onJoined() {
    this.#everJoined = true;
    if (this.#view === 'ready') void this.catchUp();
    void this.#outbox?.flush();
  }

  readonly #onOnline = () => {
    this.#online = true;
    this.#host.requestUpdate();
    this.#reopenIfFailedOffline();
    void this.catchUp();
    void this.#outbox?.flush();
  };

  readonly #onOffline = () => {
    this.#online = false;
    // Requests in flight would hang until their timeout; give them up now and go again when back.
    this.#abortRequests();
    this.#outbox?.abort();
    this.#host.requestUpdate();
  };

  /** Back from a hidden tab, sleep or the back/forward cache: the socket may have missed events. */
  readonly #onWake = () => {
    if (document.visibilityState !== 'visible') return;
    this.#reopenIfFailedOffline();
    void this.catchUp();
    void this.#outbox?.flush();
  };

  #reopenIfFailedOffline() {
    if (this.#view === 'error' && this.#openFailedOffline) this.reopen();
  }

  /**
   * Fetches what arrived since the newest message held, plus edits, deletes, reactions and read
   * positions. Runs after every (re)join and wake; overlapping requests coalesce into one more run.
   */
  catchUp(): Promise<void> {
    if (this.#view !== 'ready' || !this.#conversation) return Promise.resolve();
    if (this.#catchUpRunning) {
      this.#catchUpAgain = true;
      return this.#catchUpRunning;
    }
    this.#catchUpRunning = (async () => {
      do {
        this.#catchUpAgain = false;
        await this.#catchUpOnce();
      } while (this.#catchUpAgain);
    })().finally(() => (this.#catchUpRunning = undefined));
    return this.#catchUpRunning;
  }

  async #catchUpOnce() {
    const context = this.#context();
    const conversation = this.#conversation;
    if (!context || !conversation) return;
    const store = this.#options.store;
    const pageSize = this.#host.pageSize;
    const epoch = this.#epoch;
    // Live messages from now on do not move the catch-up point: they may lie past what is missing.
    this.#inSync = false;
    const gaps = this.#gaps;
    const synced = this.#syncedTo;
    // Members (read positions) and profiles alongside the messages.
    const people = fetchMembers(context, conversation.id).then(async (members) => {
      if (epoch !== this.#epoch || !members.data) return;
      this.#applyMembers(members.data);
      await this.#loadProfiles(
        context,
        members.data.map((member) => member.user_id),
      );
    });
    // Edits and deletes made while away, of messages of any age.
    const changes = synced
      ? fetchChangedSince(context, conversation.id, overlapBefore(synced).created_at)
      : Promise.resolve(undefined);

    // New messages: page forward from a little before the catch-up point until all are read.
    let cursor = synced ? overlapBefore(synced) : undefined;
    const missed: MessageRow[] = [];
    let complete = false;
    for (let page = 0; page < CATCH_UP_MAX_PAGES; page++) {
      const result = await fetchAfter(context, conversation.id, cursor);
      if (epoch !== this.#epoch) return;
      if (result.error) {
        // What was read is contiguous from the cursor: keep it, and the point it reached.
        this.#applyCaughtUp(missed, synced);
        this.#catchUpFailed(result.error);
        return;
      }
      missed.push(...result.data.rows);
      cursor = cursorOf(result.data.rows.at(-1)) ?? cursor;
      if (!result.data.more) {
        complete = true;
        break;
      }
    }
    if (complete) {
      this.#applyCaughtUp(missed, synced);
    } else {
      const reloaded = await this.#reloadWindow(context, conversation.id, pageSize);
      if (!reloaded) return;
    }

    const [changed] = await Promise.all([changes, people]);
    if (epoch !== this.#epoch) return;
    if (changed?.error) {
      this.#catchUpFailed(changed.error);
      return;
    }
    if (changed) this.#receive(changed.data.rows, 'catch-up');
    // Caught up with no gap since it started: from here live messages may move the point again.
    if (this.#gaps === gaps && this.#live.status === 'joined') this.#inSync = true;
    const recent = store.messages.filter((message) => message.delivery === 'sent').slice(-pageSize);
    await this.#loadReactions(context, recent);
  }

  /** Merges rows a catch-up read (contiguous from the point it started at) and moves the point to their end. */
  #applyCaughtUp(rows: MessageRow[], synced: ListCursor | undefined) {
    this.#receive(rows, 'catch-up');
    const reached = cursorOf(rows.at(-1));
    if (reached && (!synced || compareCursors(reached, synced) > 0)) this.#syncedTo = reached;
  }

  /**
   * The view fell too far behind to page through everything: show the latest page instead, as a
   * fresh open does (older messages load on scroll). The user's unsent messages stay.
   */
  async #reloadWindow(context: DataContext, conversationId: string, pageSize: number): Promise<boolean> {
    const epoch = this.#epoch;
    const page = await fetchPage(context, conversationId, pageSize);
    if (epoch !== this.#epoch) return false;
    if (page.error) {
      this.#catchUpFailed(page.error);
      return false;
    }
    const store = this.#options.store;
    const me = this.#options.session.identity?.userId;
    const added = new Set(store.replaceStored(page.data));
    this.#settleSent(page.data);
    this.#hasOlder = page.data.length >= pageSize;
    this.#olderFailed = false;
    this.#syncedTo = cursorOf(page.data.at(-1));
    this.#options.onWindowReloaded?.();
    const fromOthers = page.data.filter((row) => added.has(row.id) && row.sender_id !== me && !row.deleted_at);
    if (fromOthers.length > 0) this.#options.onArrived(fromOthers);
    this.#host.requestUpdate();
    return true;
  }

  #catchUpFailed(error: RequestFailure) {
    // Cancelled because the network went away: the catch-up runs again when it is back.
    if (error.code === 'aborted') return;
    this.#host.dispatchEvent(
      new PasabayErrorEvent({ code: 'request', message: error.message, source: 'messages', cause: error }),
    );
  }

  /**
   * Events on `conversation:<id>`, a topic only the database writes to. Each is still validated:
   * the shape of its event, the table it names, and that its row belongs to this conversation.
   * Anything else is dropped and reported once as `pasabay-error`.
   */
  #onBroadcast(message: BroadcastMessage) {
    const host = this.#host;
    const store = this.#options.store;
    const conversationId = this.#conversation?.id;
    if (!conversationId) return;
    const source = `${this.#live.topic ?? 'conversation'} ${message.event}`;
    const reportTo = host;
    if (message.event === TopicEvent.message) {
      const change = reported(reportTo, parsePayload(messageChangeSchema, message.payload, source));
      if (!change) return;
      const row = change.operation === 'DELETE' ? change.old_record : change.record;
      if (row.conversation_id !== conversationId) {
        reported(reportTo, dropped('a message of another conversation', message.payload, source));
        return;
      }
      // In postgres-changes mode messages come from there; the same row's broadcast is redundant.
      if (host.realtime === 'postgres-changes') return;
      if (change.operation === 'DELETE') store.remove(change.old_record.id);
      else this.#receive([change.record], 'live');
    } else if (message.event === TopicEvent.reaction) {
      const change = reported(reportTo, parsePayload(reactionChangeSchema, message.payload, source));
      if (!change) return;
      const reaction = change.operation === 'DELETE' ? change.old_record : change.record;
      // A reaction row names no conversation: it belongs here only if its message does. One to a
      // message not loaded (an older page) is fetched with that page.
      const target = store.get(reaction.message_id);
      if (!target) return;
      if (target.conversation_id !== conversationId) {
        reported(reportTo, dropped('a reaction to a message of another conversation', message.payload, source));
        return;
      }
      store.applyReaction(reaction, change.operation !== 'DELETE');
    } else if (message.event === TopicEvent.read) {
      const receipt = reported(reportTo, parsePayload(readReceiptSchema, message.payload, source));
      if (!receipt) return;
      if (receipt.conversation_id !== conversationId) {
        reported(reportTo, dropped('a read receipt of another conversation', message.payload, source));
        return;
      }
      this.#applyMembers([receipt]);
    } else {
      reported(reportTo, dropped(`unknown event "${message.event}"`, message.payload, source));
    }
  }

  /** Postgres Changes of `public.messages` on this conversation's own (private) channel. */
  #onPostgresChange(payload: RealtimePostgresChangesPayload<Record<string, unknown>>) {
    const conversationId = this.#conversation?.id;
    if (!conversationId) return;
    const source = `${this.#live.topic ?? 'conversation'} postgres_changes`;
    const reportTo = this.#host;
    if (payload.schema !== 'public' || payload.table !== 'messages') {
      reported(reportTo, dropped(`a change of ${payload.schema}.${payload.table}`, payload, source));
      return;
    }
    const row = reported(
      reportTo,
      parsePayload(messageSchema, payload.eventType === 'DELETE' ? payload.old : payload.new, source),
    );
    if (!row) return;
    if (row.conversation_id !== conversationId) {
      reported(reportTo, dropped('a message of another conversation', payload, source));
      return;
    }
    if (payload.eventType === 'DELETE') this.#options.store.remove(row.id);
    else this.#receive([row], 'live');
  }

  /** Merges rows from the server; reports the ones new from other members. */
  #receive(rows: Message[], via: 'live' | 'catch-up') {
    const conversationId = this.#conversation?.id;
    if (!conversationId) return;
    const ours = this.#withinHistory(rows.filter((row) => row.conversation_id === conversationId));
    const added = new Set(this.#options.store.upsert(ours));
    if (via === 'live' && this.#inSync) {
      // Joined without a break since the last complete catch-up: nothing lies before these.
      for (const row of ours) {
        const cursor = cursorOf(row)!;
        if (!this.#syncedTo || compareCursors(cursor, this.#syncedTo) > 0) this.#syncedTo = cursor;
      }
    }
    this.#settleSent(ours);
    const me = this.#options.session.identity?.userId;
    const fromOthers = ours.filter((row) => added.has(row.id) && row.sender_id !== me && !row.deleted_at);
    if (fromOthers.length === 0) return;
    for (const message of fromOthers) {
      this.#host.dispatchEvent(new PasabayMessageReceiveEvent({ conversationId, message, via }));
    }
    this.#options.onArrived(fromOthers);
  }

  /**
   * While older pages remain, rows older than the oldest held one are left to history paging: an
   * edit of an old message, or a catch-up's overlap reaching past the first page, would otherwise
   * sit alone above a gap that paging (whose cursor is the oldest held row) would never fill.
   */
  #withinHistory(rows: Message[]): Message[] {
    const store = this.#options.store;
    const oldest = store.oldest;
    if (!this.#hasOlder || !oldest) return rows;
    return rows.filter((row) => store.get(row.id) !== undefined || timestampMicros(row.created_at) >= oldest.sortKey);
  }

  // ----- reading -------------------------------------------------------------------------------

  /** Marks the conversation read when the user can see its newest message and some are unread. */
  markReadIfSeen(): void {
    const context = this.#context();
    const conversation = this.#conversation;
    const me = this.#options.session.identity?.userId;
    if (!context || !conversation || !me || this.#view !== 'ready' || this.#markingRead) return;
    if (!this.#options.visibility.visible || !this.#options.pinned() || this.unreadCount === 0) return;
    const newest = this.#options.store.newest;
    if (!newest) return;
    this.#markingRead = true;
    this.#readingUpTo = newest.sortKey;
    const epoch = this.#epoch;
    void markRead(context, conversation.id).then((result) => {
      this.#markingRead = false;
      this.#readingUpTo = 0;
      if (epoch !== this.#epoch) return;
      if (result.error) {
        this.#host.dispatchEvent(
          new PasabayErrorEvent({
            code: 'request',
            message: result.error.message,
            source: 'rpc mark_conversation_read',
            cause: result.error,
          }),
        );
        return;
      }
      // The `read` broadcast brings the server's time; until then everything held counts as read.
      this.#members.set(me, Math.max(this.#members.get(me) ?? 0, newest.sortKey));
      this.#serverUnread = 0;
      this.#host.requestUpdate();
    });
  }

  #reportUnread() {
    const conversationId = this.#conversation?.id;
    const count = this.#view === 'ready' ? this.unreadCount : 0;
    if (count === this.#reportedUnread || !conversationId) return;
    // More arrived while a mark-read is in flight: it is re-run when that one answers; report then.
    if (this.#markingRead && count > this.#reportedUnread && this.#options.pinned()) return;
    this.#reportedUnread = count;
    this.#host.dispatchEvent(new PasabayUnreadChangeEvent({ conversationId, unreadCount: count }));
  }

  // ----- writing -------------------------------------------------------------------------------

  /** Shows a message the user wrote at once and queues it for sending. */
  send(message: Omit<MessageRecord, 'created_at' | 'edited_at' | 'deleted_at'>): void {
    const { id, conversation_id, sender_id, body, reply_to, created_at, mentions } = this.#options.store.addLocal(
      message,
      'sending',
    );
    this.#outbox?.enqueue({ id, conversation_id, sender_id, body, reply_to, created_at, mentions });
  }

  /** Sends a message that was not sent again, with the same id (so it cannot be stored twice). */
  retry(id: string): void {
    this.#outbox?.retry(id);
  }

  /** Drops a message that was not sent. */
  discard(id: string): void {
    if (this.#outbox?.discard(id)) this.#options.store.remove(id);
  }

  #createOutbox(context: DataContext, epoch: number, scope: OutboxScope): Outbox {
    const current = () => epoch === this.#epoch;
    const store = this.#options.store;
    return new Outbox({
      send: async (item, signal) => {
        const outcome = await sendMessage({ client: context.client, target: context.target, signal }, item);
        // Waited out and sent again by itself, but still reported, as every refused write is.
        if (!outcome.ok && outcome.status === 429 && current()) {
          this.#host.dispatchEvent(
            new PasabayErrorEvent({ code: 'rate-limited', message: outcome.message, source: 'messages insert' }),
          );
        }
        return outcome;
      },
      // Only under the session of the user who wrote them (never someone who signed in since).
      canSend: () => this.#online && this.#options.session.identity?.userId === scope.userId,
      persistence: this.#outboxStorage.bind(scope),
      onChange: (item) => {
        if (current() && item.state !== 'sending') store.setDelivery(item.id, item.state, item.error);
        else if (current()) store.setDelivery(item.id, 'sending');
      },
      onSent: (_item, row) => {
        if (current()) store.upsert([row]);
      },
      onFailed: (item) => {
        if (!current()) return;
        this.#host.dispatchEvent(
          new PasabayMessageFailEvent({
            id: item.id,
            conversationId: item.conversation_id,
            body: item.body,
            message: item.error ?? '',
            attempts: item.attempts,
          }),
        );
      },
    });
  }

  /**
   * Shows and takes back what the user left unsent in an earlier page load (or another tab), in its
   * state; the outbox sends the waiting ones. Ids the element already holds are skipped.
   */
  #restoreUnsent(outbox: Outbox, scope: OutboxScope) {
    const items = this.#outboxStorage.load(scope);
    if (items.length === 0) return;
    const store = this.#options.store;
    for (const item of items) {
      const { id, conversation_id, sender_id, body, reply_to, mentions } = item;
      store.addLocal({ id, conversation_id, sender_id, body, reply_to, mentions }, item.state, {
        createdAt: item.created_at,
        error: item.error,
      });
    }
    outbox.restore(items);
  }

  /** Rows the server holds: any of them still in the outbox (sent by another tab or page) is done. */
  #settleSent(rows: readonly { id: string }[]) {
    const outbox = this.#outbox;
    if (!outbox) return;
    for (const row of rows) if (outbox.has(row.id)) outbox.settle(row.id);
  }

  /** Saves an edit of one's own message, shown at once and undone if the server refuses it. */
  async edit(id: string, body: string): Promise<void> {
    const context = this.#context();
    const store = this.#options.store;
    const held = store.get(id);
    if (!context || !held || held.body === body) return;
    store.patch(id, { body, edited_at: new Date().toISOString() });
    const result = await editMessage(context, id, body);
    if (result.error) {
      store.patch(id, { body: held.body, edited_at: held.edited_at });
      this.#refused('edit', result.error);
      this.#requestFailed(result.error, 'messages update');
    } else {
      this.#accepted('edit');
      if (result.data) store.upsert([result.data]);
    }
  }

  /** Deletes one's own message (soft delete), shown at once and undone if the server refuses it. */
  async delete(message: ChatMessage): Promise<void> {
    const context = this.#context();
    if (!context) return;
    const store = this.#options.store;
    store.patch(message.id, { body: '', deleted_at: new Date().toISOString() });
    const result = await deleteMessage(context, message.id);
    if (result.error) {
      store.patch(message.id, { body: message.body, deleted_at: null });
      this.#refused('delete', result.error);
      this.#requestFailed(result.error, 'messages update');
    } else {
      this.#accepted('delete');
      if (result.data) store.upsert([result.data]);
    }
  }

  /** Adds or removes the user's reaction: shown at once, held until the server answers. */
  async toggleReaction(message: ChatMessage, emoji: string): Promise<void> {
    const context = this.#context();
    const me = this.#options.session.identity?.userId;
    if (!context || !me) return;
    const store = this.#options.store;
    const epoch = this.#epoch;
    const reaction = { message_id: message.id, user_id: me, emoji };
    const present = !store.hasReaction(reaction);
    store.beginReactionToggle(reaction, present);
    // One write per reaction at a time: two in flight could reach the database in either order.
    const key = `${message.id}\n${emoji}`;
    const write = (this.#reactionWrites.get(key) ?? Promise.resolve()).then(() =>
      setReaction(context, reaction, present),
    );
    this.#reactionWrites.set(key, write);
    const result = await write;
    if (this.#reactionWrites.get(key) === write) this.#reactionWrites.delete(key);
    if (epoch !== this.#epoch) return;
    store.settleReactionToggle(reaction, present, !result.error);
    if (result.error) {
      this.#refused('reaction', result.error);
      this.#requestFailed(result.error, 'message_reactions');
    } else {
      this.#accepted('reaction');
    }
  }

  #requestFailed(error: RequestFailure, source: string) {
    this.#host.dispatchEvent(
      new PasabayErrorEvent({
        code: isRateLimited(error) ? 'rate-limited' : 'request',
        message: error.message,
        source,
        cause: error,
      }),
    );
  }

  /** The last refused edit, delete or reaction, with the server's reason, until dismissed or a later one succeeds. */
  get notice(): ChatNotice | undefined {
    return this.#notice;
  }

  dismissNotice(): void {
    if (!this.#notice) return;
    this.#notice = undefined;
    this.#host.requestUpdate();
  }

  #refused(kind: ChatNotice['kind'], error: RequestFailure) {
    this.#notice = { kind, reason: error.message };
    this.#host.requestUpdate();
  }

  #accepted(kind: ChatNotice['kind']) {
    if (this.#notice?.kind === kind) this.dismissNotice();
  }
}

function cursorOf(row: { created_at: string; id: string } | undefined): ListCursor | undefined {
  return row ? { created_at: row.created_at, id: row.id } : undefined;
}

function compareCursors(a: ListCursor, b: ListCursor): number {
  return timestampMicros(a.created_at) - timestampMicros(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
