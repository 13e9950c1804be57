import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { configuration, onConfigure, tryResolveClient } from '../../connection/client.js';
import type { BroadcastMessage, PostgresChangesFilter } from '../../connection/channels.js';
import { uuid } from '../../connection/ids.js';
import {
  messageChangeSchema,
  messageSchema,
  parsePayload,
  reactionChangeSchema,
  readReceiptSchema,
  type Conversation,
  type Message,
  type Profile,
} from '../../connection/schemas.js';
import { conversationTopic } from '../../connection/topics.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { SessionController } from '../../controllers/session-controller.js';
import { TypingController } from '../../controllers/typing-controller.js';
import { VisibilityController } from '../../controllers/visibility-controller.js';
import { PasabayErrorEvent } from '../../events/pasabay-error.js';
import { PasabayMessageFailEvent } from '../../events/pasabay-message-fail.js';
import { PasabayMessageReceiveEvent } from '../../events/pasabay-message-receive.js';
import { PasabayMessageSendEvent } from '../../events/pasabay-message-send.js';
import { PasabayUnreadChangeEvent } from '../../events/pasabay-unread-change.js';
import { resolveChatStrings, type ChatStrings } from '../../i18n/chat.js';
import { effectiveLang } from '../../i18n/strings.js';
import { hostStyles } from '../../styles/host.js';
import { defineTypingIndicator } from '../typing-indicator/typing-indicator.js';
import {
  deleteMessage,
  editMessage,
  fetchMembers,
  fetchPage,
  fetchProfiles,
  fetchReactions,
  fetchSince,
  isForbidden,
  markRead,
  resolveConversation,
  sendMessage,
  setReaction,
  type DataContext,
  type RequestFailure,
} from './chat-data.js';
import { Composer, SERVER_MAX_LENGTH } from './composer.js';
import { renderComposer } from './composer-view.js';
import { chatFormatters, type ChatFormatters } from './format.js';
import { MessageStore, type ChatMessage } from './message-store.js';
import { renderRow, type MessageView } from './message-view.js';
import { Outbox } from './outbox.js';
import styles from './pasabay-chat.styles.js';
import { ScrollWindowController } from './scroll-window-controller.js';

/** What the element is showing, besides the connection banner. */
type View = 'idle' | 'loading' | 'ready' | 'not-allowed' | 'auth-required' | 'error';
type Connection = 'online' | 'connecting' | 'reconnecting' | 'offline';

interface MemberState {
  lastReadAt: number;
}

/**
 * @summary One conversation: history, live messages, receipts, reactions and a composer.
 *
 * @tag pasabay-chat
 *
 * @slot empty - Shown while the conversation has no messages (default: the `empty` string).
 *
 * @csspart base - The element's layout box.
 * @csspart banner - The connection banner (connecting, reconnecting, offline). Extra tokens: `connecting`, `reconnecting`, `offline`.
 * @csspart state - A full-size state message (no conversation, not allowed, auth required, error). Extra token: the state name.
 * @csspart state-action - The button of a state message (try again).
 * @csspart log - The scrollable message list (`role="log"`).
 * @csspart history-status - Loading / failed / beginning indicator for older messages.
 * @csspart loading - The loading message while the first page loads.
 * @csspart empty - The wrapper of the `empty` slot.
 * @csspart day - A day heading.
 * @csspart message - One message. Extra tokens: `own`, `other`, `first`, `last`, `deleted`, `sending`, `queued`, `failed`, `active`.
 * @csspart avatar - The sender's initial or picture beside the first message of a group.
 * @csspart sender - The sender's name above a group.
 * @csspart bubble - The box around a message's text.
 * @csspart body - The message text.
 * @csspart link - A link in a message (http/https only).
 * @csspart edited - The "edited" marker.
 * @csspart reply-quote - The quoted message a reply refers to.
 * @csspart reactions - The list of reactions under a message.
 * @csspart reaction - One reaction chip (a toggle button). Extra token: `mine`.
 * @csspart meta - Time and delivery status line.
 * @csspart time - The message time.
 * @csspart status - Delivery status (sending, waiting, not sent, sent, seen). Extra token: the status.
 * @csspart retry - Retry button of a message that was not sent.
 * @csspart discard - Discard button of a message that was not sent.
 * @csspart actions - The toolbar of a message (react, reply, edit, delete).
 * @csspart action - A toolbar button. Extra token: `react`, `reply`, `edit`, `delete`.
 * @csspart picker - The quick reaction picker.
 * @csspart picker-option - One emoji in the picker.
 * @csspart jump - "New messages" / jump-to-latest button.
 * @csspart typing - The embedded `<typing-indicator>` (its parts are exported as `typing-label`, `typing-dots`, `typing-dot`).
 * @csspart composer-form - The form around the composer.
 * @csspart context - The "replying to" / "editing" bar above the composer.
 * @csspart context-cancel - Its cancel button.
 * @csspart composer - The message textarea.
 * @csspart counter - Characters left / over the limit.
 * @csspart send - The send (or save) button.
 *
 * @cssprop [--pasabay-chat-block-size=100%] - Height of the element.
 * @cssprop [--pasabay-chat-background=var(--pasabay-color-surface)] - Background of the log.
 * @cssprop [--pasabay-chat-gap=var(--pasabay-space-s)] - Space between message groups.
 * @cssprop [--pasabay-chat-bubble-radius=var(--pasabay-radius-l)] - Corner radius of bubbles.
 * @cssprop [--pasabay-chat-bubble-max-inline-size=75%] - Widest a bubble gets.
 * @cssprop [--pasabay-chat-own-bubble-background=var(--pasabay-color-accent)] - Background of one's own bubbles.
 * @cssprop [--pasabay-chat-own-bubble-color=var(--pasabay-color-on-accent)] - Text colour of one's own bubbles.
 * @cssprop [--pasabay-chat-other-bubble-background=var(--pasabay-color-surface-raised)] - Background of others' bubbles.
 * @cssprop [--pasabay-chat-other-bubble-color=var(--pasabay-color-text)] - Text colour of others' bubbles.
 * @cssprop [--pasabay-chat-composer-background=var(--pasabay-color-surface)] - Background of the composer area.
 * @cssprop [--pasabay-chat-composer-max-block-size=10rem] - Tallest the composer grows before it scrolls.
 * @cssprop [--pasabay-chat-avatar-size=2rem] - Size of avatars.
 *
 * @cssstate loading - The first page of history is loading.
 * @cssstate empty - Loaded, and there are no messages.
 * @cssstate ready - Messages are shown.
 * @cssstate connecting - Joining the live channel for the first time.
 * @cssstate reconnecting - The live channel dropped and is rejoining.
 * @cssstate offline - The browser is offline; new messages are queued.
 * @cssstate not-allowed - The user is not a member of the conversation.
 * @cssstate auth-required - Nobody is signed in.
 * @cssstate error - Loading failed (or the element is not configured).
 * @cssstate unread - There are unread messages.
 *
 * @fires {PasabayMessageSendEvent} pasabay-message-send - The user submitted a message. Cancelable.
 * @fires {PasabayMessageReceiveEvent} pasabay-message-receive - A message from another member arrived.
 * @fires {PasabayMessageFailEvent} pasabay-message-fail - The server refused a message; it stays visible with a retry button.
 * @fires {PasabayUnreadChangeEvent} pasabay-unread-change - The unread count changed.
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The live channel changed state.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - A signed-in user is needed.
 * @fires {PasabayErrorEvent} pasabay-error - Something failed (configuration, request, invalid payload).
 */
export class PasabayChat extends LitElement {
  static override styles = [hostStyles, styles];

  /** The quick reactions offered by the picker. */
  static quickReactions: readonly string[] = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

  private readonly internals = this.attachInternals();

  /**
   * The messages shown, oldest first. Public so a host app can seed it from its own cache (or a
   * benchmark inject thousands of rows) without the network; the element re-renders on every change.
   */
  readonly messageStore = new MessageStore();

  private readonly session = new SessionController(this, {
    client: () => this.currentClient(),
    guestName: () => this.guestName || configuration()?.guestName,
  });
  private readonly live = new ChannelController(this, {
    client: () => this.channelClient(),
    topic: () => (this.conversation ? conversationTopic(this.conversation.id) : undefined),
    onBroadcast: (message) => this.onBroadcast(message),
    onJoined: () => this.onJoined(),
  });
  // Only in `realtime="postgres-changes"` mode: messages then come from filtered Postgres Changes,
  // while reactions and read receipts still come from the broadcast channel above.
  private readonly changes = new ChannelController(this, {
    client: () => (this.realtime === 'postgres-changes' ? this.channelClient() : undefined),
    topic: () => (this.conversation ? conversationTopic(this.conversation.id) : undefined),
    private: false,
    postgresChanges: () => this.postgresChangesFilters(),
    onPostgresChange: (payload) => this.onPostgresChange(payload),
    onJoined: () => this.onJoined(),
  });
  private readonly typing = new TypingController(this, {
    client: () => this.channelClient(),
    conversationId: () => this.conversation?.id,
    identity: () => this.session.identity,
  });
  private readonly visibility = new VisibilityController(this, { onChange: () => this.requestUpdate() });
  private readonly scroller = new ScrollWindowController(this, {
    store: this.messageStore,
    hasOlder: () => this.hasOlder,
    log: () => this.logElement,
    list: () => this.listElement,
  });
  private readonly composer = new Composer(this, {
    maxLength: () => this.maxLength,
    textarea: () => this.composerElement,
    lastOwnMessage: () => {
      const me = this.session.identity?.userId;
      return [...this.messageStore.messages]
        .reverse()
        .find((m) => m.sender_id === me && m.delivery === 'sent' && !m.deleted_at);
    },
    onSubmit: () => this.submit(),
    onTyping: (typing) => (typing ? this.typing.input() : this.typing.stop()),
  });

  #strings: ChatStrings = resolveChatStrings(undefined);
  #formatters: ChatFormatters = chatFormatters();
  #outbox: Outbox | undefined;
  #openKey: string | undefined;
  #openClient: SupabaseClient | undefined;
  #epoch = 0;
  #everJoined = false;
  #catchUpRunning: Promise<void> | undefined;
  #catchUpAgain = false;
  #markingRead = false;
  #reportedUnread = 0;
  #reportedConfigurationError: string | undefined;
  #stopConfigure: (() => void) | undefined;
  #profiles = new Map<string, Profile>();
  #members = new Map<string, MemberState>();
  /** Unread count the server reported at load, for messages older than the loaded page. */
  #serverUnread = 0;

  @query('[part~="log"]') private logElement?: HTMLElement;
  @query('[part~="list"]') private listElement?: HTMLElement;
  @query('[part~="composer"]') private composerElement?: HTMLTextAreaElement;

  @state() private conversation: Conversation | undefined;
  @state() private view: View = 'idle';
  @state() private online = typeof navigator === 'undefined' ? true : navigator.onLine;
  @state() private hasOlder = true;
  @state() private loadingOlder = false;
  @state() private olderFailed = false;
  @state() private activeId: string | undefined;
  @state() private pickerFor: string | undefined;
  @state() private newBelow = 0;
  @state() private announcement = '';
  @state() private membersRevision = 0;

  /** Conversation to show. A new value leaves the old channel and joins the new one. */
  @property({ attribute: 'conversation-id' }) conversationId = '';

  /** Opens (or creates) the direct conversation with this user id, through `start_direct_conversation`. */
  @property({ attribute: 'with-user' }) withUser = '';

  /** Opens (or creates) the conversation tied to this host-app key, through `get_or_create_conversation`. */
  @property({ attribute: 'external-ref' }) externalRef = '';

  /** Supabase client of the host app; wins over `supabase-url` / `supabase-key` and `configure()`. */
  @property({ attribute: false }) client?: SupabaseClient;

  /** Project URL, used with `supabase-key` when no `client` is set. */
  @property({ attribute: 'supabase-url' }) supabaseUrl = '';

  /** Publishable (anon) key, used with `supabase-url`. */
  @property({ attribute: 'supabase-key' }) supabaseKey = '';

  /** Guest mode: sign in anonymously with this display name when nobody is signed in. */
  @property({ attribute: 'guest-name' }) guestName = '';

  /** Live transport: `broadcast` (Broadcast from Database, default) or `postgres-changes` (filtered Postgres Changes). */
  @property() realtime: 'broadcast' | 'postgres-changes' = 'broadcast';

  /** Messages per history page. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 50;

  /** Longest message accepted, in characters after trimming (at most the server's 4000). */
  @property({ type: Number, attribute: 'max-length' }) maxLength = SERVER_MAX_LENGTH;

  /** Hides the composer (read-only view). */
  @property({ type: Boolean, attribute: 'no-composer' }) noComposer = false;

  /** `light` or `dark` pins the colour scheme; unset follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined;

  /** Overrides for any of the visible strings (see `ChatStrings`). */
  @property({ attribute: false }) strings: Partial<ChatStrings> = {};

  /** Messages from others after the user's read position. */
  get unreadCount(): number {
    const me = this.session.identity?.userId;
    if (!me) return 0;
    const lastRead = this.#members.get(me)?.lastReadAt ?? 0;
    let count = 0;
    const messages = this.messageStore.messages;
    for (let index = messages.length - 1; index >= 0; index--) {
      const message = messages[index]!;
      if (message.delivery !== 'sent') continue; // one's own unsent messages, last in the list
      if (message.sortKey <= lastRead) break;
      if (message.sender_id !== me && !message.deleted_at) count++;
    }
    // Unread messages older than the loaded page are known only from the server's count.
    const oldest = this.messageStore.oldest;
    if (this.hasOlder && oldest && oldest.sortKey > lastRead) count = Math.max(count, this.#serverUnread);
    return count;
  }

  /** The id of the conversation shown (after `with-user` / `external-ref` resolved), if any. */
  get activeConversationId(): string | undefined {
    return this.conversation?.id;
  }

  constructor() {
    super();
    this.messageStore.onChange = () => this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    defineTypingIndicator();
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onWake);
    window.addEventListener('pageshow', this.onWake);
    this.#stopConfigure = onConfigure(() => this.requestUpdate());
    this.online = navigator.onLine;
    this.#outbox?.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    document.removeEventListener('visibilitychange', this.onWake);
    window.removeEventListener('pageshow', this.onWake);
    this.#stopConfigure?.();
    this.#stopConfigure = undefined;
    // Queued messages stay in the outbox and go out when the element is attached again.
    this.#outbox?.pause();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('strings')) this.#strings = resolveChatStrings(this.strings);
    this.#formatters = chatFormatters(effectiveLang(this));
    this.syncOpen();
    this.syncStates();
  }

  // The scroller measures rows and restores the scroll position in its hostUpdated, before this.
  protected override updated(): void {
    this.maybeMarkRead();
    this.reportUnread();
  }

  // ----- opening a conversation -------------------------------------------------------------

  private currentClient(): SupabaseClient | undefined {
    if (!this.conversationId && !this.withUser && !this.externalRef) return undefined;
    const resolved = tryResolveClient({
      client: this.client,
      supabaseUrl: this.supabaseUrl,
      supabaseKey: this.supabaseKey,
    });
    return resolved.client;
  }

  private channelClient(): SupabaseClient | undefined {
    return this.session.status === 'signed-in' && this.view !== 'not-allowed' ? this.#openClient : undefined;
  }

  private postgresChangesFilters(): PostgresChangesFilter[] | undefined {
    const id = this.conversation?.id;
    return id ? [{ event: '*', schema: 'public', table: 'messages', filter: `conversation_id=eq.${id}` }] : undefined;
  }

  /** Decides what to show from the inputs, and (re)opens the conversation when they changed. */
  private syncOpen() {
    const target = this.conversationId || this.withUser || this.externalRef;
    if (!target) {
      this.close('idle');
      return;
    }
    const resolved = tryResolveClient({
      client: this.client,
      supabaseUrl: this.supabaseUrl,
      supabaseKey: this.supabaseKey,
    });
    if (!resolved.client) {
      this.close('error');
      if (this.#reportedConfigurationError !== resolved.error.message) {
        this.#reportedConfigurationError = resolved.error.message;
        this.dispatchEvent(
          new PasabayErrorEvent({ code: 'configuration', message: resolved.error.message, cause: resolved.error }),
        );
      }
      return;
    }
    this.#reportedConfigurationError = undefined;
    const session = this.session.snapshot;
    if (session.status !== 'signed-in') {
      this.close(
        session.status === 'auth-required' ? 'auth-required' : session.status === 'error' ? 'error' : 'loading',
      );
      return;
    }
    const key = `${session.identity.userId}\n${this.conversationId}\n${this.withUser}\n${this.externalRef}\n${this.realtime}`;
    if (key === this.#openKey && resolved.client === this.#openClient) return;
    this.close('loading');
    this.#openKey = key;
    this.#openClient = resolved.client;
    void this.open(resolved.client, this.#epoch);
  }

  /** Forgets the open conversation (its channel is released by the controllers on the next update). */
  private close(view: View) {
    if (this.#openKey !== undefined || this.view !== view) {
      this.#epoch++;
      this.#openKey = undefined;
      this.conversation = undefined;
      this.messageStore.clear();
      this.#members.clear();
      this.#profiles.clear();
      this.#serverUnread = 0;
      this.#everJoined = false;
      this.hasOlder = true;
      this.olderFailed = false;
      this.loadingOlder = false;
      this.composer.reset();
      this.activeId = undefined;
      this.pickerFor = undefined;
      this.newBelow = 0;
      this.scroller.reset();
      this.#outbox?.dispose();
      this.#outbox = undefined;
    }
    this.view = view;
  }

  private context(): DataContext | undefined {
    return this.#openClient ? { client: this.#openClient, target: this } : undefined;
  }

  private async open(client: SupabaseClient, epoch: number) {
    const context: DataContext = { client, target: this };
    const resolved = await resolveConversation(context, {
      conversationId: this.conversationId,
      withUser: this.withUser,
      externalRef: this.externalRef,
    });
    if (epoch !== this.#epoch) return;
    if (resolved.error) return this.fail(resolved.error, 'conversation');
    if (!resolved.data) {
      this.view = 'not-allowed';
      return;
    }
    const conversation = resolved.data;
    this.conversation = conversation;
    this.#outbox = this.createOutbox(context, epoch);
    const [members, page] = await Promise.all([
      fetchMembers(context, conversation.id),
      fetchPage(context, conversation.id, this.pageSize),
    ]);
    if (epoch !== this.#epoch) return;
    if (page.error) return this.fail(page.error, 'messages');
    if (members.error) return this.fail(members.error, 'conversation_members');
    this.applyMembers(members.data);
    const me = this.session.identity?.userId;
    this.#serverUnread = members.data.find((member) => member.user_id === me)?.unread_count ?? 0;
    this.messageStore.upsert(page.data);
    this.hasOlder = page.data.length >= this.pageSize;
    await Promise.all([
      this.loadProfiles(
        context,
        members.data.map((member) => member.user_id),
      ),
      this.loadReactions(context, page.data),
    ]);
    if (epoch !== this.#epoch) return;
    this.view = 'ready';
    // Anything sent between the page query and the channel join would fall between the two.
    if (this.live.status === 'joined') void this.catchUp();
  }

  private fail(error: RequestFailure, source: string) {
    if (isForbidden(error)) {
      this.view = 'not-allowed';
      return;
    }
    this.view = 'error';
    this.dispatchEvent(new PasabayErrorEvent({ code: 'request', message: error.message, source, cause: error }));
  }

  private applyMembers(members: { user_id: string; last_read_at: string | null }[]) {
    for (const member of members) {
      const lastReadAt = member.last_read_at ? Date.parse(member.last_read_at) * 1000 : 0;
      const held = this.#members.get(member.user_id);
      if (!held || held.lastReadAt < lastReadAt || Number.isNaN(held.lastReadAt))
        this.#members.set(member.user_id, { lastReadAt });
    }
    this.membersRevision++;
  }

  private async loadProfiles(context: DataContext, userIds: string[]) {
    const missing = [...new Set(userIds)].filter((id) => !this.#profiles.has(id));
    const profiles = await fetchProfiles(context, missing);
    for (const profile of profiles.data ?? []) this.#profiles.set(profile.id, profile);
    this.membersRevision++;
  }

  private async loadReactions(context: DataContext, messages: readonly { id: string }[]) {
    const ids = messages.map((message) => message.id);
    const reactions = await fetchReactions(context, ids);
    if (reactions.data) this.messageStore.setReactions(ids, reactions.data);
  }

  private createOutbox(context: DataContext, epoch: number): Outbox {
    const current = () => epoch === this.#epoch;
    return new Outbox({
      send: (item) => sendMessage(context, item),
      canSend: () => this.online && this.session.status === 'signed-in',
      onChange: (item) => {
        if (current() && item.state !== 'sending') this.messageStore.setDelivery(item.id, item.state, item.error);
        else if (current()) this.messageStore.setDelivery(item.id, 'sending');
      },
      onSent: (_item, row) => {
        if (current()) this.messageStore.upsert([row]);
      },
      onFailed: (item) => {
        if (!current()) return;
        this.dispatchEvent(
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

  // ----- live events and catching up ---------------------------------------------------------

  private onJoined() {
    this.#everJoined = true;
    if (this.view === 'ready') void this.catchUp();
    void this.#outbox?.flush();
  }

  private readonly onOnline = () => {
    this.online = true;
    void this.catchUp();
    void this.#outbox?.flush();
  };

  private readonly onOffline = () => {
    this.online = false;
  };

  /** Back from a hidden tab, sleep or the back/forward cache: the socket may have missed events. */
  private readonly onWake = () => {
    if (document.visibilityState !== 'visible') return;
    void this.catchUp();
    void this.#outbox?.flush();
  };

  /**
   * Fetches what arrived since the newest message held, plus edits, deletes, reactions and read
   * positions. Runs after every (re)join and wake; overlapping requests coalesce into one more run.
   */
  private catchUp(): Promise<void> {
    if (this.view !== 'ready' || !this.conversation) return Promise.resolve();
    if (this.#catchUpRunning) {
      this.#catchUpAgain = true;
      return this.#catchUpRunning;
    }
    this.#catchUpRunning = (async () => {
      do {
        this.#catchUpAgain = false;
        await this.catchUpOnce();
      } while (this.#catchUpAgain);
    })().finally(() => (this.#catchUpRunning = undefined));
    return this.#catchUpRunning;
  }

  private async catchUpOnce() {
    const context = this.context();
    const conversation = this.conversation;
    if (!context || !conversation) return;
    const epoch = this.#epoch;
    const since = this.messageStore.serverClock;
    const [rows, members] = await Promise.all([
      since ? fetchSince(context, conversation.id, since) : fetchPage(context, conversation.id, this.pageSize),
      fetchMembers(context, conversation.id),
    ]);
    if (epoch !== this.#epoch) return;
    if (members.data) {
      this.applyMembers(members.data);
      await this.loadProfiles(
        context,
        members.data.map((member) => member.user_id),
      );
    }
    if (rows.error) {
      this.dispatchEvent(
        new PasabayErrorEvent({ code: 'request', message: rows.error.message, source: 'messages', cause: rows.error }),
      );
      return;
    }
    this.receive(rows.data, 'catch-up');
    const recent = this.messageStore.messages.filter((message) => message.delivery === 'sent').slice(-this.pageSize);
    await this.loadReactions(context, recent);
  }

  private onBroadcast(message: BroadcastMessage) {
    const source = `${this.live.topic ?? 'conversation'} ${message.event}`;
    if (message.event === 'message') {
      if (this.realtime === 'postgres-changes') return;
      const change = parsePayload(messageChangeSchema, message.payload, { source, target: this });
      if (!change) return;
      if (change.operation === 'DELETE') this.messageStore.remove(change.old_record.id);
      else this.receive([change.record], 'live');
    } else if (message.event === 'reaction') {
      const change = parsePayload(reactionChangeSchema, message.payload, { source, target: this });
      if (!change) return;
      if (change.operation === 'DELETE') this.messageStore.applyReaction(change.old_record, false);
      else this.messageStore.applyReaction(change.record, true);
    } else if (message.event === 'read') {
      const receipt = parsePayload(readReceiptSchema, message.payload, { source, target: this });
      if (!receipt || receipt.conversation_id !== this.conversation?.id) return;
      this.applyMembers([receipt]);
    }
  }

  private onPostgresChange(payload: RealtimePostgresChangesPayload<Record<string, unknown>>) {
    const source = `postgres_changes messages`;
    if (payload.eventType === 'DELETE') {
      const id = (payload.old as { id?: unknown }).id;
      if (typeof id === 'string') this.messageStore.remove(id);
      return;
    }
    const row = parsePayload(messageSchema, payload.new, { source, target: this });
    if (row) this.receive([row], 'live');
  }

  /** Merges rows from the server; announces and reports the ones new from other members. */
  private receive(rows: Message[], via: 'live' | 'catch-up') {
    const conversationId = this.conversation?.id;
    if (!conversationId) return;
    const ours = rows.filter((row) => row.conversation_id === conversationId);
    const added = new Set(this.messageStore.upsert(ours));
    const me = this.session.identity?.userId;
    const fromOthers = ours.filter((row) => added.has(row.id) && row.sender_id !== me && !row.deleted_at);
    if (fromOthers.length === 0) return;
    for (const message of fromOthers) {
      this.dispatchEvent(new PasabayMessageReceiveEvent({ conversationId, message, via }));
    }
    if (!this.scroller.pinned) this.newBelow += fromOthers.length;
    const last = fromOthers.at(-1)!;
    this.announcement =
      fromOthers.length === 1
        ? this.#strings.announceMessage(this.nameOf(last.sender_id), last.body)
        : this.#strings.announceMany(fromOthers.length);
  }

  // ----- reading ----------------------------------------------------------------------------

  private maybeMarkRead() {
    const context = this.context();
    const conversation = this.conversation;
    const me = this.session.identity?.userId;
    if (!context || !conversation || !me || this.view !== 'ready' || this.#markingRead) return;
    if (!this.visibility.visible || !this.scroller.pinned || this.unreadCount === 0) return;
    const newest = this.messageStore.newest;
    if (!newest) return;
    this.#markingRead = true;
    const epoch = this.#epoch;
    void markRead(context, conversation.id).then((result) => {
      this.#markingRead = false;
      if (epoch !== this.#epoch) return;
      if (result.error) {
        this.dispatchEvent(
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
      const held = this.#members.get(me);
      this.#members.set(me, { lastReadAt: Math.max(held?.lastReadAt ?? 0, newest.sortKey) });
      this.#serverUnread = 0;
      this.membersRevision++;
    });
  }

  private reportUnread() {
    const conversationId = this.conversation?.id;
    const count = this.view === 'ready' ? this.unreadCount : 0;
    if (count === this.#reportedUnread || !conversationId) return;
    this.#reportedUnread = count;
    this.dispatchEvent(new PasabayUnreadChangeEvent({ conversationId, unreadCount: count }));
  }

  // ----- scrolling ------------------------------------------------------------------------------

  private readonly onScroll = () => {
    const { nearTop } = this.scroller.handleScroll();
    if (this.scroller.pinned) this.newBelow = 0;
    if (nearTop && this.hasOlder && !this.loadingOlder && !this.olderFailed) void this.loadOlder();
    this.maybeMarkRead();
  };

  private async loadOlder() {
    const context = this.context();
    const conversation = this.conversation;
    const oldest = this.messageStore.oldest;
    if (!context || !conversation || !oldest || this.view !== 'ready') return;
    const epoch = this.#epoch;
    this.loadingOlder = true;
    this.olderFailed = false;
    const page = await fetchPage(context, conversation.id, this.pageSize, oldest);
    if (epoch !== this.#epoch) return;
    this.loadingOlder = false;
    if (page.error) {
      this.olderFailed = true;
      this.dispatchEvent(
        new PasabayErrorEvent({ code: 'request', message: page.error.message, source: 'messages', cause: page.error }),
      );
      return;
    }
    this.messageStore.upsert(page.data);
    this.hasOlder = page.data.length >= this.pageSize;
    await this.loadReactions(context, page.data);
  }

  // ----- composing --------------------------------------------------------------------------

  /** Sends the composer's text (or saves the edit). Returns the new message's id, if one was sent. */
  submit(): string | undefined {
    const body = this.composer.body;
    const conversation = this.conversation;
    const me = this.session.identity?.userId;
    if (!body || body.length > this.composer.limit || !conversation || !me || this.view !== 'ready') return undefined;
    if (this.composer.editing) {
      void this.saveEdit(this.composer.editing, body);
      return undefined;
    }
    const id = uuid();
    const replyTo = this.composer.replyTo ?? null;
    const send = new PasabayMessageSendEvent({ id, conversationId: conversation.id, body, replyTo });
    if (!this.dispatchEvent(send)) return undefined;
    this.messageStore.addLocal(
      { id, conversation_id: conversation.id, sender_id: me, body, reply_to: replyTo },
      'sending',
    );
    this.composer.clearSent();
    this.scroller.pin();
    this.newBelow = 0;
    this.typing.stop();
    this.#outbox?.enqueue({ id, conversation_id: conversation.id, body, reply_to: replyTo });
    return id;
  }

  /** Sends a message that was not sent again, with the same id (so it cannot be stored twice). */
  retry(id: string): void {
    this.#outbox?.retry(id);
  }

  /** Drops a message that was not sent. */
  discard(id: string): void {
    if (this.#outbox?.discard(id)) this.messageStore.remove(id);
  }

  private startReply(message: ChatMessage) {
    this.pickerFor = undefined;
    this.composer.startReply(message);
  }

  private startEdit(message: ChatMessage) {
    this.pickerFor = undefined;
    this.composer.startEdit(message);
  }

  private async saveEdit(id: string, body: string) {
    const context = this.context();
    const held = this.messageStore.get(id);
    if (!context || !held) return;
    this.composer.finishEdit();
    if (held.body === body) return;
    this.messageStore.patch(id, { body, edited_at: new Date().toISOString() });
    const result = await editMessage(context, id, body);
    if (result.error) {
      this.messageStore.patch(id, { body: held.body, edited_at: held.edited_at });
      this.dispatchEvent(
        new PasabayErrorEvent({
          code: 'request',
          message: result.error.message,
          source: 'messages update',
          cause: result.error,
        }),
      );
    } else if (result.data) {
      this.messageStore.upsert([result.data]);
    }
  }

  private async deleteOwn(message: ChatMessage) {
    const context = this.context();
    if (!context) return;
    this.pickerFor = undefined;
    this.messageStore.patch(message.id, { body: '', deleted_at: new Date().toISOString() });
    const result = await deleteMessage(context, message.id);
    if (result.error) {
      this.messageStore.patch(message.id, { body: message.body, deleted_at: null });
      this.dispatchEvent(
        new PasabayErrorEvent({
          code: 'request',
          message: result.error.message,
          source: 'messages update',
          cause: result.error,
        }),
      );
    } else if (result.data) {
      this.messageStore.upsert([result.data]);
    }
  }

  private async toggleReaction(message: ChatMessage, emoji: string) {
    const context = this.context();
    const me = this.session.identity?.userId;
    if (!context || !me) return;
    this.pickerFor = undefined;
    const reaction = { message_id: message.id, user_id: me, emoji };
    const present = !this.messageStore.hasReaction(reaction);
    this.messageStore.applyReaction(reaction, present);
    const result = await setReaction(context, reaction, present);
    if (result.error) {
      this.messageStore.applyReaction(reaction, !present);
      this.dispatchEvent(
        new PasabayErrorEvent({
          code: 'request',
          message: result.error.message,
          source: 'message_reactions',
          cause: result.error,
        }),
      );
    }
  }

  /** Scrolls to the newest message. */
  scrollToLatest(): void {
    this.scroller.pin();
    this.newBelow = 0;
  }

  // ----- keyboard in the log ----------------------------------------------------------------

  private readonly onLogKeydown = (event: KeyboardEvent) => {
    const messages = this.scroller.messageRows();
    if (messages.length === 0) return;
    const current = messages.findIndex((row) => row.key === this.activeId);
    let next: number | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = current < 0 ? this.scroller.firstVisibleMessage(messages) : Math.min(messages.length - 1, current + 1);
        break;
      case 'ArrowUp':
        next = current < 0 ? this.scroller.firstVisibleMessage(messages) : Math.max(0, current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = messages.length - 1;
        break;
      case 'Escape':
        if (this.pickerFor) {
          const id = this.pickerFor;
          this.pickerFor = undefined;
          event.preventDefault();
          void this.focusMessage(id);
          return;
        }
        if (!this.noComposer) {
          event.preventDefault();
          this.composerElement?.focus();
        }
        return;
      default:
        return;
    }
    // Only when a message or the log itself has focus: arrows inside buttons still move between messages.
    event.preventDefault();
    void this.focusMessage(messages[next]!.key);
  };

  private async focusMessage(id: string) {
    this.activeId = id;
    this.scroller.reveal(id);
    await this.updateComplete;
    this.renderRoot
      .querySelector<HTMLElement>(`[data-key="${CSS.escape(id)}"] [part~="message"]`)
      ?.focus({ preventScroll: true });
  }

  private readonly onLogFocusIn = (event: FocusEvent) => {
    const article = (event.target as HTMLElement).closest?.<HTMLElement>('[part~="message"]');
    const id = article?.dataset.id;
    if (id && id !== this.activeId) this.activeId = id;
  };

  // ----- states -----------------------------------------------------------------------------

  private get connection(): Connection {
    if (!this.online) return 'offline';
    const status = this.live.status;
    const changesJoined = this.realtime !== 'postgres-changes' || this.changes.status === 'joined';
    if (status === 'joined' && changesJoined) return 'online';
    if (status === 'idle' && !this.conversation) return 'online';
    return this.#everJoined ? 'reconnecting' : 'connecting';
  }

  private syncStates() {
    const states = this.internals.states;
    const set = (name: string, on: boolean) => {
      try {
        if (on) states.add(name);
        else states.delete(name);
      } catch {
        // Browsers that only accept `--name` custom states: the parts still carry the state.
      }
    };
    const view = this.view;
    const empty = view === 'ready' && this.messageStore.size === 0;
    set('loading', view === 'loading');
    set('ready', (view === 'ready' || view === 'idle') && this.messageStore.size > 0);
    set('empty', empty);
    set('not-allowed', view === 'not-allowed');
    set('auth-required', view === 'auth-required');
    set('error', view === 'error');
    const connection = view === 'ready' || view === 'loading' ? this.connection : 'online';
    set('connecting', connection === 'connecting');
    set('reconnecting', connection === 'reconnecting');
    set('offline', connection === 'offline');
    set('unread', view === 'ready' && this.unreadCount > 0);
  }

  // ----- rendering --------------------------------------------------------------------------

  private nameOf(userId: string): string {
    if (userId === this.session.identity?.userId) return this.#strings.you;
    return this.#profiles.get(userId)?.display_name ?? this.#strings.someone;
  }

  /** Names of the other members who have read `message`; `undefined` when nobody has. */
  private seenBy(message: ChatMessage): string[] {
    const me = this.session.identity?.userId;
    const readers: string[] = [];
    for (const [userId, member] of this.#members) {
      if (userId !== me && member.lastReadAt >= message.sortKey) readers.push(this.nameOf(userId));
    }
    return readers;
  }

  override render(): TemplateResult {
    const strings = this.#strings;
    switch (this.view) {
      case 'idle':
        // Messages a host seeded into `messageStore` without a conversation: a read-only transcript.
        return this.messageStore.size > 0 ? this.renderChat() : this.renderState('idle', strings.noConversation);
      case 'not-allowed':
        return this.renderState('not-allowed', strings.notAllowed);
      case 'auth-required':
        return this.renderState('auth-required', strings.authRequired);
      case 'error':
        return this.renderState('error', strings.error, true);
      default:
        return this.renderChat();
    }
  }

  private renderState(name: string, message: string, canRetry = false): TemplateResult {
    return html`<div part="base">
      <div part="state ${name}" role=${name === 'idle' ? 'status' : 'alert'}>
        <p>${message}</p>
        ${
          canRetry
            ? html`<button part="state-action" type="button" @click=${this.reopen}>${this.#strings.retry}</button>`
            : nothing
        }
      </div>
    </div>`;
  }

  private readonly reopen = () => {
    this.#openKey = undefined;
    this.#openClient = undefined;
    this.view = 'loading';
    this.requestUpdate();
  };

  private renderChat(): TemplateResult {
    const strings = this.#strings;
    const loading = this.view === 'loading';
    const connection = this.connection;
    const empty = !loading && this.messageStore.size === 0;
    const messageView = this.messageView();
    return html`<div part="base">
      ${
        connection === 'online'
          ? nothing
          : html`<div part="banner ${connection}" role="status">${strings[connection]}</div>`
      }
      <div part="viewport">
        ${
          this.loadingOlder || this.olderFailed
            ? html`<div part="history-status" role="status">
                ${
                  this.olderFailed
                    ? html`${strings.olderFailed}
                        <button type="button" @click=${() => void this.loadOlder()}>${strings.retry}</button>`
                    : strings.loadingOlder
                }
              </div>`
            : nothing
        }
        <div
          part="log"
          role="log"
          aria-label=${strings.log}
          aria-live="off"
          aria-busy=${loading || this.loadingOlder ? 'true' : 'false'}
          tabindex="0"
          @scroll=${this.onScroll}
          @keydown=${this.onLogKeydown}
          @focusin=${this.onLogFocusIn}
        >
          ${loading ? html`<p part="loading">${strings.loading}</p>` : nothing}
          ${empty ? html`<div part="empty"><slot name="empty">${strings.empty}</slot></div>` : nothing}
          <div part="list">
            <div class="spacer" style=${styleMap({ blockSize: `${this.scroller.paddingTop}px` })}></div>
            ${repeat(
              this.scroller.visibleRows,
              (row) => row.key,
              (row) => renderRow(row, messageView),
            )}
            <div class="spacer" style=${styleMap({ blockSize: `${this.scroller.paddingBottom}px` })}></div>
          </div>
        </div>
        ${
          this.newBelow > 0 || (!this.scroller.pinned && this.messageStore.size > 0)
            ? html`<button part="jump" type="button" @click=${this.scrollToLatest} aria-label=${strings.jumpToLatest}>
                ${this.newBelow > 0 ? strings.newMessages(this.newBelow) : '↓'}
              </button>`
            : nothing
        }
      </div>
      ${
        this.conversation
          ? html`<typing-indicator
              part="typing"
              exportparts="label: typing-label, dots: typing-dots, dot: typing-dot"
              conversation-id=${this.conversation.id}
              .client=${this.#openClient}
              lang=${effectiveLang(this)}
              theme=${this.theme ?? nothing}
            ></typing-indicator>`
          : nothing
      }
      ${
        this.noComposer || this.view === 'idle'
          ? nothing
          : renderComposer({
              strings,
              composer: this.composer,
              ready: this.view === 'ready',
              replyingToName: this.nameOf(this.messageStore.get(this.composer.replyTo ?? '')?.sender_id ?? ''),
            })
      }
      <div class="visually-hidden" part="announcer" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    </div>`;
  }

  /** What the row templates need to know, and where their buttons report back. */
  private messageView(): MessageView {
    return {
      strings: this.#strings,
      formatters: this.#formatters,
      me: this.session.identity?.userId,
      showSenderNames: this.conversation?.kind !== 'direct',
      direct: this.conversation?.kind === 'direct',
      activeId: this.activeId,
      pickerFor: this.pickerFor,
      quickReactions: PasabayChat.quickReactions,
      nameOf: (userId) => this.nameOf(userId),
      avatarUrlOf: (userId) => this.#profiles.get(userId)?.avatar_url,
      messageById: (id) => this.messageStore.get(id),
      reactionsOf: (messageId) => this.messageStore.reactionsOf(messageId, this.session.identity?.userId),
      isLastOwn: (message) => this.isLastOwn(message),
      seenBy: (message) => this.seenBy(message),
      onTogglePicker: (message) => (this.pickerFor = this.pickerFor === message.id ? undefined : message.id),
      onToggleReaction: (message, emoji) => void this.toggleReaction(message, emoji),
      onReply: (message) => this.startReply(message),
      onEdit: (message) => this.startEdit(message),
      onDelete: (message) => void this.deleteOwn(message),
      onRetry: (id) => this.retry(id),
      onDiscard: (id) => this.discard(id),
    };
  }

  private isLastOwn(message: ChatMessage): boolean {
    const me = this.session.identity?.userId;
    const messages = this.messageStore.messages;
    for (let index = messages.length - 1; index >= 0; index--) {
      const candidate = messages[index]!;
      if (candidate.sender_id === me && candidate.delivery === 'sent') return candidate.id === message.id;
    }
    return false;
  }
}

/** Registers `<pasabay-chat>` (and the `<typing-indicator>` it embeds) under `tag`, once. */
export function definePasabayChat(tag = 'pasabay-chat'): void {
  defineTypingIndicator();
  if (customElements.get(tag)) return;
  // One class can be defined once; a second tag gets a subclass.
  customElements.define(tag, customElements.getName(PasabayChat) ? class extends PasabayChat {} : PasabayChat);
}

declare global {
  interface HTMLElementTagNameMap {
    'pasabay-chat': PasabayChat;
  }
}
