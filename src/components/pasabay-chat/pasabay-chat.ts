import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { uuid } from '../../connection/ids.js';
import type { Message } from '../../connection/schemas.js';
import { TypingController } from '../../controllers/typing-controller.js';
import { VisibilityController } from '../../controllers/visibility-controller.js';
import { PasabayMessageSendEvent } from '../../events/pasabay-message-send.js';
import { PasabayErrorEvent } from '../../events/pasabay-error.js';
import { resolveChatStrings, type ChatStrings } from '../../i18n/chat.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { defineTypingIndicator } from '../typing-indicator/typing-indicator.js';
import { Composer } from './view/composer.js';
import { renderComposer, type ComposerView } from './view/composer-view.js';
import { ConversationController } from './conversation-controller.js';
import { chatFormatters, type ChatFormatters } from './view/format.js';
import { MessageStore, type ChatMessage } from './state/message-store.js';
import { renderRow, type MessageView } from './view/message-view.js';
import styles from './pasabay-chat.styles.js';
import { ScrollWindowController } from './view/scroll-window-controller.js';
import { MESSAGE_MAX_LENGTH } from '../../connection/wire.js';
import { OnlineController } from '../../controllers/online-controller.js';
import { PasabayBackEvent } from '../../events/pasabay-back.js';
import { renderHeader, type HeaderMember } from './view/header-view.js';
import type { MentionPicker } from './view/mention-picker.js';
import { mentionedIds } from './view/mentions.js';
import { plainText } from './view/rich-text.js';
import { AttachmentStore, type StoredAttachment } from './state/attachment-store.js';
import type { AttachmentUploads } from './state/uploads.js';
import type { AttachmentsView } from './view/attachments-view.js';
import { renderAttachButton } from './view/attach-button.js';
import { adoptPartStyles } from './part-styles.js';
import { loadAttachmentsPart, loadMentionsPart, type AttachmentsPart, type MentionsPart } from './lazy-parts.js';

/**
 * @summary One conversation: history, live messages, receipts, reactions and a composer.
 *
 * @tag pasabay-chat
 *
 * @slot empty - Shown while the conversation has no messages (default: the `empty` string).
 * @slot header - Replaces the conversation header (title, avatars, online status, back button).
 *
 * @csspart base - The element's layout box.
 * @csspart banner - The connection banner (connecting, reconnecting, offline). Extra tokens: `connecting`, `reconnecting`, `offline`.
 * @csspart state - A full-size state message (no conversation, not allowed, auth required, error). Extra token: the state name.
 * @csspart state-action - The button of a state message (try again).
 * @csspart viewport - The box around the history status, the log and the jump button.
 * @csspart log - The scrollable message list (`role="log"`).
 * @csspart history-status - "Loading older messages", or why that failed with a retry button.
 * @csspart loading - The loading message while the first page loads.
 * @csspart empty - The wrapper of the `empty` slot.
 * @csspart list - The rendered rows inside the log (only those near the viewport are in the DOM).
 * @csspart beginning - "Beginning of the conversation", above the oldest message.
 * @csspart day - A day heading.
 * @csspart message - One message. Extra tokens: `own`, `other`, `first`, `last`, `deleted`, `sending`, `queued`, `failed`, `active`, `highlighted` (just jumped to from a reply's quote).
 * @csspart avatar - The sender's initial or picture beside the first message of a group. Extra tokens: `avatar-other`, `avatar-first`, `avatar-last`.
 * @csspart sender - The sender's name above a group.
 * @csspart bubble - The box around a message's text. Extra tokens: `bubble-own` or `bubble-other`, `bubble-first`, `bubble-last` (in its group).
 * @csspart body - The message text.
 * @csspart link - A link in a message (http/https only; opens in a new tab without a referrer).
 * @csspart paragraph - A paragraph of a formatted message.
 * @csspart strong - Bold text (`**bold**`).
 * @csspart em - Italic text (`*italic*` or `_italic_`).
 * @csspart code - Inline code (one backtick each side).
 * @csspart code-block - A fenced code block (three backticks on the lines around it).
 * @csspart body-list - A bullet list in a message. Extra token: `ordered` for a numbered one.
 * @csspart body-list-item - One item of such a list.
 * @csspart mention - A mention of a member (`@Name`). Extra token: `own` when it mentions the signed-in user.
 * @csspart mention-list - The people offered after typing `@` in the composer (`role="listbox"`).
 * @csspart mention-option - One person in that list. Extra token: `active` for the one Enter or Tab picks.
 * @csspart edited - The "edited" marker.
 * @csspart reply-quote - The quoted message a reply refers to; a button that jumps to the original (loading older history if needed).
 * @csspart reply-sender - The quoted message's sender.
 * @csspart reply-body - The quoted message's text.
 * @csspart reactions - The list of reactions under a message.
 * @csspart reaction - One reaction chip (a toggle button). Extra token: `mine`.
 * @csspart meta - Time and delivery status line. Extra tokens: `meta-own` or `meta-other`, `meta-first`, `meta-last`.
 * @csspart time - The message time.
 * @csspart status - Delivery status. Extra token: `sending`, `queued`, `failed`, `sent` or `seen`.
 * @csspart retry - Retry button of a message that was not sent.
 * @csspart discard - Discard button of a message that was not sent.
 * @csspart actions - The toolbar of a message (react, reply, edit, delete).
 * @csspart action - A toolbar button. Extra token: `react`, `reply`, `edit`, `delete`.
 * @csspart picker - The quick reaction picker.
 * @csspart picker-option - One emoji in the picker.
 * @csspart jump - "New messages" / jump-to-latest button.
 * @csspart typing - The embedded `<typing-indicator>`.
 * @csspart typing-label - The typing indicator's sentence (its `label` part).
 * @csspart typing-dots - The typing indicator's animated dots (its `dots` part).
 * @csspart typing-dot - One of those dots (its `dot` part).
 * @csspart composer-form - The form around the composer.
 * @csspart context - The "replying to" / "editing" bar above the composer.
 * @csspart context-cancel - Its cancel button.
 * @csspart composer-row - The row holding the textarea and the send button.
 * @csspart composer - The message textarea.
 * @csspart counter - Characters left, shown near the limit. Extra token: `over` past it.
 * @csspart send - The send (or save) button.
 * @csspart notice - Why the server refused the user's last edit, delete or reaction (`role="alert"`), e.g. a rate limit.
 * @csspart notice-text - The words of the notice.
 * @csspart notice-dismiss - The button that closes the notice.
 * @csspart announcer - The visually hidden live region that announces arriving messages.
 * @csspart header - The conversation header (hidden with `no-header`; replace it through the `header` slot).
 * @csspart back - The header's back button (with `back-button`, or on a viewport up to 40rem wide); fires `pasabay-back`.
 * @csspart header-avatars - The other members' avatars in the header (the first three, then "+N").
 * @csspart header-avatar - One of them. Extra tokens: `online` (from `org-id` presence), `more` for the "+N" one.
 * @csspart header-text - The box holding the title and the status.
 * @csspart header-title - The conversation's title, or the other member's name in a direct chat.
 * @csspart header-status - "Online" / "3 of 5 online", with `org-id`.
 * @csspart unread-divider - "New messages", above the first message that was unread when the conversation opened.
 * @csspart undo - The bar shown for a few seconds after a delete, while it can be undone (`role="status"`).
 * @csspart undo-text - Its words.
 * @csspart undo-button - Its undo button.
 * @csspart attach - The attach button beside the textarea (files can also be pasted or dropped on the element).
 * @csspart uploads - The list of files attached to the message being written.
 * @csspart upload - One of them. Extra token: `uploading`, `done` or `failed`.
 * @csspart upload-name - Its file name.
 * @csspart upload-size - Its size.
 * @csspart upload-progress - Its progress bar while it uploads.
 * @csspart upload-error - Why it did not upload (too large, type refused, …), `role="alert"`.
 * @csspart upload-retry - Uploads a failed file again.
 * @csspart upload-remove - Removes the file from the message.
 * @csspart attachments - The files of a sent message, inside its bubble.
 * @csspart attachment-thumbnail - The button around an image's thumbnail; opens the image larger.
 * @csspart thumbnail - The thumbnail image (its alt text is the file name).
 * @csspart attachment-file - A file that is not an image: name, size and download link.
 * @csspart attachment-name - The file's name.
 * @csspart attachment-size - The file's size.
 * @csspart attachment-download - The file's download link.
 * @csspart attachment-unavailable - Shown instead of the link when the file cannot be reached.
 * @csspart lightbox - The modal dialog showing an image larger.
 * @csspart lightbox-image - The image in it.
 * @csspart lightbox-bar - The file name, download link and close button under it.
 * @csspart lightbox-download - Its download link.
 * @csspart lightbox-close - Its close button.
 *
 * @cssprop [--pasabay-chat-inline-size=400px] - Width of the element (never wider than its container).
 * @cssprop [--pasabay-chat-block-size=560px] - Height of the element.
 * @cssprop [--pasabay-chat-background=var(--pasabay-color-surface)] - Background of the log.
 * @cssprop [--pasabay-chat-gap=var(--pasabay-space-s)] - Space between message groups.
 * @cssprop [--pasabay-chat-bubble-radius=var(--pasabay-radius-l)] - Corner radius of bubbles. Read on the bubble itself, so it also works set in a `::part(bubble …)` or `::part(message …)` rule, like the other bubble tokens.
 * @cssprop [--pasabay-chat-bubble-tail-radius=var(--pasabay-chat-bubble-radius)] - The corner toward the sender of the last bubble of a group (one length; e.g. `0.25rem` for square tails).
 * @cssprop [--pasabay-emoji-font='Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji', 'Twemoji Mozilla'] - Emoji fonts, used after the text font for the characters it lacks.
 * @cssprop [--pasabay-chat-bubble-max-inline-size=75%] - Widest a bubble gets.
 * @cssprop [--pasabay-chat-own-bubble-background=var(--pasabay-color-accent)] - Background of one's own bubbles.
 * @cssprop [--pasabay-chat-own-bubble-color=var(--pasabay-color-on-accent)] - Text colour of one's own bubbles.
 * @cssprop [--pasabay-chat-other-bubble-background=var(--pasabay-color-surface-raised)] - Background of others' bubbles.
 * @cssprop [--pasabay-chat-other-bubble-color=var(--pasabay-color-text)] - Text colour of others' bubbles.
 * @cssprop [--pasabay-chat-composer-background=var(--pasabay-color-surface)] - Background of the composer area.
 * @cssprop [--pasabay-chat-composer-max-block-size=10rem] - Tallest the composer grows before it scrolls.
 * @cssprop [--pasabay-chat-avatar-size=2rem] - Size of avatars.
 * @cssprop [--pasabay-chat-header-background=var(--pasabay-color-surface)] - Background of the header.
 * @cssprop [--pasabay-chat-header-avatar-size=2rem] - Size of the header's avatars.
 * @cssprop [--pasabay-chat-online-color=var(--pasabay-color-success)] - The online dot on a header avatar.
 * @cssprop [--pasabay-chat-code-background=rgb(0 0 0 / 0.12)] - Shade behind inline code and code blocks.
 * @cssprop [--pasabay-chat-code-font-family=ui-monospace, monospace] - Font of inline code and code blocks.
 * @cssprop [--pasabay-chat-mention-background=rgb(0 0 0 / 0.12)] - Shade behind a mention.
 * @cssprop [--pasabay-chat-mention-own-outline=currentColor] - Outline of a mention of the signed-in user.
 * @cssprop [--pasabay-chat-thumbnail-size=10rem] - Largest side of an image attachment's thumbnail.
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
 * @fires {PasabayErrorEvent} pasabay-error - Something failed (configuration, request, rate limit, invalid or forged payload, dropped).
 * @fires {PasabayBackEvent} pasabay-back - The user pressed the header's back button (show the conversation list).
 */
export class PasabayChat extends PasabayElement<ChatStrings> {
  static override styles = [hostStyles, styles];

  /** The quick reactions offered by the picker. */
  static quickReactions: readonly string[] = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

  /** How long a delete can be undone, in milliseconds, before it is sent to the server. */
  static undoDeleteMs = 5000;

  /** How long a message jumped to from a reply's quote stays highlighted, in milliseconds. */
  static highlightMs = 2000;

  /**
   * The messages shown, oldest first. Public so a host app can seed it from its own cache (or a
   * benchmark inject thousands of rows) without the network; the element re-renders on every change.
   */
  readonly messageStore = new MessageStore();

  // Sends only: the embedded <typing-indicator> listens.
  private readonly typing = new TypingController(this, {
    client: () => this.conversation.channelClient,
    conversationId: () => this.conversation.current?.id,
    identity: () => this.session.identity,
    listen: false,
  });
  private readonly visibility = new VisibilityController(this, { onChange: () => this.requestUpdate() });
  private readonly scroller: ScrollWindowController = new ScrollWindowController(this, {
    store: this.messageStore,
    hasOlder: () => this.conversation.hasOlder,
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
    picker: () => this.pickerOnDemand(),
  });
  // `@` completion, loaded at the composer's first key (lazy-parts.ts); undefined until then.
  #mentionsPart: MentionsPart | undefined;
  #loadingMentions = false;
  private mentionPicker: MentionPicker | undefined;
  // After the scroller: its hostUpdated settles `pinned` before this one marks messages read.
  private readonly conversation: ConversationController = new ConversationController(this, {
    client: () => this.clientSource.client,
    session: this.session,
    store: this.messageStore,
    visibility: this.visibility,
    pinned: () => this.scroller.pinned,
    onClosed: () => {
      this.#dividerFor = undefined;
      this.firstUnreadId = undefined;
      this.composer.reset();
      this.activeId = undefined;
      this.pickerFor = undefined;
      this.newBelow = 0;
      this.scroller.reset();
      this.#uploads?.clear();
      this.attachmentStore.clear();
      this.openImage = undefined;
    },
    onArrived: (messages) => this.announceArrivals(messages),
    onWindowReloaded: () => this.scrollToLatest(),
  });

  // Who of the `org-id` organisation is online, for the header (only while it shows a conversation).
  private readonly online = new OnlineController(this, {
    client: () => this.clientSource.client,
    organizationId: () => (this.orgId && this.conversation.current ? this.orgId : undefined),
    userId: () => this.session.identity?.userId,
  });

  #formatters: ChatFormatters = chatFormatters();

  // Attachments (issue 12): the draft's uploads and the files of the messages shown, in a part
  // loaded on demand (attachments-part.ts); undefined until it is.
  #attachmentsPart: AttachmentsPart | undefined;
  #uploads: AttachmentUploads | undefined;
  private readonly attachmentStore = new AttachmentStore({
    client: () => this.conversation.client,
    onChange: () => this.requestUpdate(),
    onError: (problem) => this.reportAttachmentProblem(problem),
  });
  /** Loading the part failed: not tried again on every update, only when the user attaches a file. */
  #attachmentsFailed = false;

  @query('[part~="log"]') private logElement?: HTMLElement;
  @query('[part~="list"]') private listElement?: HTMLElement;
  @query('[part~="composer"]') private composerElement?: HTMLTextAreaElement;

  @state() private activeId: string | undefined;
  @state() private pickerFor: string | undefined;
  @state() private newBelow = 0;
  @state() private announcement = '';
  /** The delete the user can still undo; sent when its timer ends, the element leaves or the conversation changes. */
  @state() private pendingDelete: { message: ChatMessage; timer: ReturnType<typeof setTimeout> } | undefined;
  @state() private highlightId: string | undefined;
  /** The first message that was unread when the conversation opened (the "New messages" divider). */
  @state() private firstUnreadId: string | undefined;
  #highlightTimer: ReturnType<typeof setTimeout> | undefined;
  #focusUndo = false;
  /** The conversation whose divider was placed. */
  #dividerFor: string | undefined;
  /** The image attachment shown larger, if any. */
  @state() private openImage: StoredAttachment | undefined;
  /** Files picked, pasted or dropped while the attachments part loads: sending waits for them. */
  @state() private attachingFiles = 0;

  /** Conversation to show. A new value leaves the old channel and joins the new one. */
  @property({ attribute: 'conversation-id' }) conversationId = '';

  /** Opens (or creates) the direct conversation with this user id, through `start_direct_conversation`. */
  @property({ attribute: 'with-user' }) withUser = '';

  /**
   * Opens (or creates) the conversation tied to this host-app key, through `get_or_create_conversation`.
   * A key resolves to the conversation whose members are exactly the signed-in user and `members`,
   * so nobody can take over a key by claiming it first.
   */
  @property({ attribute: 'external-ref' }) externalRef = '';

  /** With `external-ref`: the other members' user ids, separated by spaces. */
  @property() members = '';

  /**
   * Opens the chat of this meeting, through `open_meeting_conversation`: its participants, and only
   * they, read and write it (created on first open by the host, or by a participant when allowed).
   */
  @property({ attribute: 'meeting-id' }) meetingId = '';

  /** Live transport: `broadcast` (Broadcast from Database, default) or `postgres-changes` (filtered Postgres Changes). */
  @property() realtime: 'broadcast' | 'postgres-changes' = 'broadcast';

  /** Messages per history page. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 50;

  /** Longest message accepted, in characters after trimming (at most the server's 4000). */
  @property({ type: Number, attribute: 'max-length' }) maxLength: number = MESSAGE_MAX_LENGTH;

  /** Hides the composer (read-only view). */
  @property({ type: Boolean, attribute: 'no-composer' }) noComposer = false;

  /** Organisation whose members' presence shows in the header ("Online", "3 of 5 online"). */
  @property({ attribute: 'org-id' }) orgId = '';

  /** Shows the header's back button at every width (it shows on narrow viewports anyway). */
  @property({ type: Boolean, attribute: 'back-button' }) backButton = false;

  /** Hides the conversation header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  /** Messages from others after the user's read position. */
  get unreadCount(): number {
    return this.conversation.unreadCount;
  }

  /** The id of the conversation shown (after `with-user` / `external-ref` resolved), if any. */
  get activeConversationId(): string | undefined {
    return this.conversation.current?.id;
  }

  constructor() {
    super();
    this.messageStore.onChange = () => this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    defineTypingIndicator();
    window.addEventListener('pagehide', this.onPageHide);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('pagehide', this.onPageHide);
    // Leaving is no undo: the delete the user asked for goes now.
    this.commitDelete();
    clearTimeout(this.#highlightTimer);
    super.disconnectedCallback();
  }

  protected readonly stringsTable = 'chat' as const;

  protected override resolveStrings(overrides: Partial<ChatStrings>): ChatStrings {
    return resolveChatStrings(overrides);
  }

  /** No conversation asked for: no client needed, and none missing to report. */
  protected override needsClient(): boolean {
    return Boolean(this.conversationId || this.withUser || this.externalRef || this.meetingId);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#formatters = chatFormatters(this.locale);
    if (changed.has('conversationId') || changed.has('withUser') || changed.has('externalRef')) this.commitDelete();
    this.conversation.sync();
    this.placeUnreadDivider();
    this.syncStates();
  }

  // After the controllers' hostUpdated: a mark-read started there already counts what is on screen as read.
  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.syncStates();
    this.syncAttachments();
    // The Delete button is gone with the message: keyboard focus goes to Undo.
    if (this.#focusUndo) {
      this.#focusUndo = false;
      this.renderRoot.querySelector<HTMLElement>('[part~="undo-button"]')?.focus();
    }
  }

  /** Once per opened conversation: above the first message from others after the read position it opened with. */
  private placeUnreadDivider() {
    const current = this.conversation.current;
    if (this.conversation.view !== 'ready' || !current || this.#dividerFor === current.id) return;
    this.#dividerFor = current.id;
    const me = this.session.identity?.userId;
    const lastRead = (me && this.conversation.readPositions.get(me)) || 0;
    this.firstUnreadId = this.messageStore.messages.find(
      (m) => m.sender_id !== me && m.delivery === 'sent' && !m.deleted_at && m.sortKey > lastRead,
    )?.id;
  }

  // ----- wiring -------------------------------------------------------------------------------

  /** Moves the "new messages" count and the screen-reader announcement on for new messages from others. */
  private announceArrivals(messages: Message[]) {
    if (!this.scroller.pinned) this.newBelow += messages.length;
    const last = messages.at(-1)!;
    this.announcement =
      messages.length === 1
        ? this.resolvedStrings.announceMessage(this.nameOf(last.sender_id), plainText(last.body))
        : this.resolvedStrings.announceMany(messages.length);
  }

  // ----- scrolling ------------------------------------------------------------------------------

  private readonly onScroll = () => {
    const { nearTop } = this.scroller.handleScroll();
    if (this.scroller.pinned) this.newBelow = 0;
    const conversation = this.conversation;
    if (nearTop && conversation.hasOlder && !conversation.loadingOlder && !conversation.olderFailed) {
      void conversation.loadOlder();
    }
    conversation.markReadIfSeen();
  };

  // ----- composing --------------------------------------------------------------------------

  /** Sends the composer's text (or saves the edit). Returns the new message's id, if one was sent. */
  submit(): string | undefined {
    const uploads = this.#uploads;
    const files = this.composer.editing ? [] : (uploads?.items ?? []);
    // A message of files only says their names: the body is required, and readers without
    // attachment support (notifications, previews) still see what was sent.
    const body =
      this.composer.body ||
      files
        .map((file) => file.name)
        .join(', ')
        .slice(0, this.composer.limit)
        .trim();
    if (this.attachingFiles > 0 || (files.length > 0 && uploads?.busy)) return undefined;
    const conversation = this.conversation.current;
    const me = this.session.identity?.userId;
    const ready = this.conversation.view === 'ready';
    if (!body || body.length > this.composer.limit || !conversation || !me || !ready) return undefined;
    if (this.composer.editing) {
      this.saveEdit(this.composer.editing, body);
      return undefined;
    }
    // Files were uploaded under the draft's id: the message takes it, and the database links them.
    const id = files.length > 0 && uploads ? uploads.draftId : uuid();
    const replyTo = this.composer.replyTo ?? null;
    const send = new PasabayMessageSendEvent({ id, conversationId: conversation.id, body, replyTo });
    if (!this.dispatchEvent(send)) return undefined;
    const mentions =
      this.mentionPicker?.mentionsIn(body) ?? mentionedIds(body, this.mentionCandidates(), new Set<string>());
    this.conversation.send({ id, conversation_id: conversation.id, sender_id: me, body, reply_to: replyTo, mentions });
    this.composer.clearSent();
    this.mentionPicker?.reset();
    if (files.length > 0) uploads?.sent();
    this.scroller.pin();
    this.newBelow = 0;
    this.typing.stop();
    return id;
  }

  /** Sends a message that was not sent again, with the same id (so it cannot be stored twice). */
  retry(id: string): void {
    this.conversation.retry(id);
  }

  /** Drops a message that was not sent, and the copy kept for later page loads. */
  discard(id: string): void {
    this.conversation.discard(id);
  }

  private startReply(message: ChatMessage) {
    this.pickerFor = undefined;
    this.composer.startReply(message);
  }

  private startEdit(message: ChatMessage) {
    this.pickerFor = undefined;
    this.composer.startEdit(message);
  }

  private saveEdit(id: string, body: string) {
    if (!this.conversation.client || !this.messageStore.has(id)) return;
    this.composer.finishEdit();
    void this.conversation.edit(id, body);
  }

  /**
   * Deletes at once on screen, but sends the delete only after `undoDeleteMs`: until then "Undo"
   * takes it back and the database never saw it (a soft delete is final there, and clears the
   * message's reactions). A second delete sends the first one now.
   */
  private deleteOwn(message: ChatMessage) {
    if (!this.conversation.client) return;
    this.pickerFor = undefined;
    this.commitDelete();
    const timer = setTimeout(() => this.commitDelete(), PasabayChat.undoDeleteMs);
    this.pendingDelete = { message, timer };
    this.#focusUndo = true;
  }

  /** The tab closes or navigates away: the delete the user asked for goes now, not never. */
  private readonly onPageHide = () => this.commitDelete();

  /** Sends the pending delete, if any. */
  private commitDelete() {
    const pending = this.pendingDelete;
    if (!pending) return;
    clearTimeout(pending.timer);
    const hadFocus = this.renderRoot.querySelector('[part~="undo"]')?.matches(':focus-within') ?? false;
    this.pendingDelete = undefined;
    if (this.conversation.client && this.messageStore.has(pending.message.id))
      void this.conversation.delete(pending.message);
    if (hadFocus) void this.updateComplete.then(() => this.logElement?.focus({ preventScroll: true }));
  }

  private readonly undoDelete = () => {
    const pending = this.pendingDelete;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingDelete = undefined;
    void this.focusMessage(pending.message.id);
  };

  /** Scrolls to the message `id` (loading older pages until it is held) and highlights it for a moment. */
  async jumpTo(id: string): Promise<void> {
    const conversation = this.conversation;
    while (!this.messageStore.has(id) && conversation.hasOlder && !conversation.olderFailed) {
      if (conversation.loadingOlder) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const held = this.messageStore.size;
      await conversation.loadOlder();
      // Not loaded (closed, offline, not ready): stop rather than ask again and again.
      if (this.messageStore.size === held && !conversation.loadingOlder) break;
    }
    if (!this.messageStore.has(id)) return;
    clearTimeout(this.#highlightTimer);
    this.highlightId = id;
    this.#highlightTimer = setTimeout(() => (this.highlightId = undefined), PasabayChat.highlightMs);
    await this.updateComplete;
    await this.focusMessage(id);
  }

  private toggleReaction(message: ChatMessage, emoji: string) {
    if (!this.conversation.client || !this.session.identity) return;
    this.pickerFor = undefined;
    void this.conversation.toggleReaction(message, emoji);
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

  private syncStates() {
    const set = (name: string, on: boolean) => this.toggleState(name, on);
    const view = this.conversation.view;
    const empty = view === 'ready' && this.messageStore.size === 0;
    set('loading', view === 'loading');
    set('ready', (view === 'ready' || view === 'idle') && this.messageStore.size > 0);
    set('empty', empty);
    set('not-allowed', view === 'not-allowed');
    set('auth-required', view === 'auth-required');
    set('error', view === 'error');
    const connection = view === 'ready' || view === 'loading' ? this.conversation.connection : 'online';
    set('connecting', connection === 'connecting');
    set('reconnecting', connection === 'reconnecting');
    set('offline', connection === 'offline');
    set('unread', view === 'ready' && this.unreadCount > 0);
  }

  // ----- rendering --------------------------------------------------------------------------

  private nameOf(userId: string): string {
    if (userId === this.session.identity?.userId) return this.resolvedStrings.you;
    return this.conversation.profileOf(userId)?.display_name ?? this.resolvedStrings.someone;
  }

  /** Names of the other members who have read `message`; `undefined` when nobody has. */
  private seenBy(message: ChatMessage): string[] {
    const me = this.session.identity?.userId;
    const readers: string[] = [];
    for (const [userId, lastReadAt] of this.conversation.readPositions) {
      if (userId !== me && lastReadAt >= message.sortKey) readers.push(this.nameOf(userId));
    }
    return readers;
  }

  override render(): TemplateResult {
    const strings = this.resolvedStrings;
    switch (this.conversation.view) {
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
            ? html`<button part="state-action" type="button" @click=${this.reopen}>
                ${this.resolvedStrings.retry}
              </button>`
            : nothing
        }
      </div>
    </div>`;
  }

  private readonly reopen = () => this.conversation.reopen();

  private renderChat(): TemplateResult {
    const strings = this.resolvedStrings;
    const view = this.conversation.view;
    const connection = this.conversation.connection;
    return html`<div part="base" @paste=${this.onPaste} @dragover=${this.onDragOver} @drop=${this.onDrop}>
      ${
        // The default header waits for the conversation (a seeded transcript has none); a slotted one shows at once.
        this.noHeader
          ? nothing
          : html`<slot name="header">${this.conversation.current ? this.renderHeader() : nothing}</slot>`
      }
      ${
        connection === 'online'
          ? nothing
          : html`<div part="banner ${connection}" role="status">${strings[connection]}</div>`
      }
      <div part="viewport">${this.renderHistoryStatus()} ${this.renderLog()} ${this.renderJump()}</div>
      ${this.renderTyping()} ${this.renderNotice()} ${this.renderUndo()}
      ${
        this.noComposer || view === 'idle'
          ? nothing
          : renderComposer({
              strings,
              composer: this.composer,
              ready: view === 'ready',
              replyingToName: this.nameOf(this.messageStore.get(this.composer.replyTo ?? '')?.sender_id ?? ''),
              completion: true,
              picker: this.mentionPicker,
              mentionList:
                this.mentionPicker && this.#mentionsPart
                  ? this.#mentionsPart.renderMentionPicker(this.mentionPicker, strings)
                  : nothing,
              ...this.composerAttachments(view === 'ready'),
            })
      }
      ${this.#attachmentsPart?.renderLightbox(this.attachmentsView(), this.openImage, this.closeImage) ?? nothing}
      <div class="visually-hidden" part="announcer" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    </div>`;
  }

  /** Loading older messages, or why that failed (with a retry). */
  private renderHistoryStatus() {
    const conversation = this.conversation;
    if (!conversation.loadingOlder && !conversation.olderFailed) return nothing;
    const strings = this.resolvedStrings;
    return html`<div part="history-status" role="status">
      ${
        conversation.olderFailed
          ? html`${strings.olderFailed}
              <button type="button" @click=${() => void conversation.loadOlder()}>${strings.retry}</button>`
          : strings.loadingOlder
      }
    </div>`;
  }

  /** The message log: only the rows near the viewport, between two spacers. */
  private renderLog() {
    const strings = this.resolvedStrings;
    const loading = this.conversation.view === 'loading';
    const empty = !loading && this.messageStore.size === 0;
    const messageView = this.messageView();
    return html`<div
      part="log"
      role="log"
      aria-label=${strings.log}
      aria-live="off"
      aria-busy=${loading || this.conversation.loadingOlder ? 'true' : 'false'}
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
    </div>`;
  }

  /** "New messages" / jump to the latest, while the log is not following the newest message. */
  private renderJump() {
    if (this.newBelow === 0 && (this.scroller.pinned || this.messageStore.size === 0)) return nothing;
    const strings = this.resolvedStrings;
    return html`<button part="jump" type="button" @click=${this.scrollToLatest} aria-label=${strings.jumpToLatest}>
      ${this.newBelow > 0 ? strings.newMessages(this.newBelow) : '↓'}
    </button>`;
  }

  /** The embedded typing indicator of the open conversation, on the same client. */
  private renderTyping() {
    const conversation = this.conversation;
    if (!conversation.current) return nothing;
    return html`<typing-indicator
      part="typing"
      exportparts="label: typing-label, dots: typing-dots, dot: typing-dot"
      conversation-id=${conversation.current.id}
      .client=${conversation.client}
      lang=${this.locale}
      theme=${this.theme ?? nothing}
    ></typing-indicator>`;
  }

  /** The reason the server gave for refusing the user's last edit, delete or reaction. */
  private renderNotice() {
    const notice = this.conversation.notice;
    if (!notice) return nothing;
    const strings = this.resolvedStrings;
    const text =
      notice.kind === 'edit'
        ? strings.editRefused(notice.reason)
        : notice.kind === 'delete'
          ? strings.deleteRefused(notice.reason)
          : strings.reactionRefused(notice.reason);
    return html`<div part="notice" role="alert">
      <span part="notice-text">${text}</span>
      <button part="notice-dismiss" type="button" @click=${this.dismissNotice}>${strings.dismiss}</button>
    </div>`;
  }

  private readonly dismissNotice = () => this.conversation.dismissNotice();

  /** "Message deleted. Undo", while the last delete can be taken back. */
  private renderUndo() {
    if (!this.pendingDelete) return nothing;
    const strings = this.resolvedStrings;
    return html`<div part="undo" role="status">
      <span part="undo-text">${strings.deletePending}</span>
      <button part="undo-button" type="button" @click=${this.undoDelete}>${strings.undo}</button>
    </div>`;
  }

  /** What the row templates need to know, and where their buttons report back. */
  private messageView(): MessageView {
    return {
      strings: this.resolvedStrings,
      formatters: this.#formatters,
      me: this.session.identity?.userId,
      showSenderNames: this.conversation.current?.kind !== 'direct',
      direct: this.conversation.current?.kind === 'direct',
      activeId: this.activeId,
      pickerFor: this.pickerFor,
      quickReactions: PasabayChat.quickReactions,
      nameOf: (userId) => this.nameOf(userId),
      profileNameOf: (userId) => this.conversation.profileOf(userId)?.display_name,
      avatarUrlOf: (userId) =>
        this.avatarUrl(this.conversation.profileOf(userId)?.avatar_url, this.conversation.client),
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
      pendingDeleteId: this.pendingDelete?.message.id,
      highlightId: this.highlightId,
      firstUnreadId: this.firstUnreadId,
      onJumpTo: (id) => void this.jumpTo(id),
      attachmentsOf: (message, tabindex) =>
        this.#attachmentsPart
          ? this.#attachmentsPart.renderMessageAttachments(
              this.attachmentsView(),
              this.attachmentStore.of(message.id),
              tabindex,
              (attachment) => (this.openImage = attachment),
            )
          : nothing,
    };
  }

  /** The header: the title and members from the database, who is online from `org-id` presence. */
  private renderHeader(): TemplateResult {
    const strings = this.resolvedStrings;
    const conversation = this.conversation.current;
    const me = this.session.identity?.userId;
    const memberIds = [...this.conversation.readPositions.keys()];
    const others: HeaderMember[] = memberIds
      .filter((id) => id !== me)
      .map((id) => ({
        id,
        name: this.nameOf(id),
        avatarUrl: this.avatarUrl(this.conversation.profileOf(id)?.avatar_url, this.conversation.client),
        online: this.online.isOnline(id),
      }))
      .sort((a, b) => a.name.localeCompare(b.name, this.locale || undefined));
    const direct = conversation?.kind === 'direct';
    const title = conversation?.title || (direct && others[0] ? others[0].name : strings.headerUntitled);
    let status = '';
    if (this.orgId && this.online.status === 'joined' && memberIds.length > 0) {
      const online = memberIds.filter((id) => this.online.isOnline(id)).length;
      if (!direct) status = strings.headerOnlineCount(online, memberIds.length);
      else if (others[0]?.online) status = strings.headerOnline;
    }
    return renderHeader({ strings, title, others, status, backButton: this.backButton, onBack: this.onBack });
  }

  private readonly onBack = () => {
    this.dispatchEvent(new PasabayBackEvent({ conversationId: this.conversation.current?.id }));
  };

  /**
   * The `@` picker, for the composer's keys and input; the first call loads it. A key pressed
   * meanwhile is handled as without completion, and the picker reads the text once it arrives.
   */
  private pickerOnDemand(): MentionPicker | undefined {
    if (this.mentionPicker || this.#loadingMentions) return this.mentionPicker;
    this.#loadingMentions = true;
    loadMentionsPart().then(
      (part) => {
        this.#mentionsPart = part;
        this.mentionPicker = new part.MentionPicker(this, {
          candidates: () => this.mentionCandidates(),
          textarea: () => this.composerElement,
          onDraft: (draft) => (this.composer.draft = draft),
        });
        // What was typed while it loaded (`hi @an`) is offered now.
        this.mentionPicker.update();
        this.requestUpdate();
      },
      (error: unknown) => {
        // Tried again at the next key; the text and its mentions are unaffected.
        this.#loadingMentions = false;
        this.dispatchEvent(
          new PasabayErrorEvent({
            code: 'request',
            message: `mention completion could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
            source: 'mentions',
          }),
        );
      },
    );
    return undefined;
  }

  /** The other members, by profile name, for `@` completion. */
  private mentionCandidates(): { userId: string; name: string }[] {
    const me = this.session.identity?.userId;
    const candidates: { userId: string; name: string }[] = [];
    for (const userId of this.conversation.readPositions.keys()) {
      const name = this.conversation.profileOf(userId)?.display_name.trim();
      if (userId !== me && name) candidates.push({ userId, name });
    }
    return candidates.sort((a, b) => a.name.localeCompare(b.name, this.locale));
  }

  // ----- attachments (issue 12) ------------------------------------------------------------

  /** After each update: the attachments of the stored messages shown, and the lightbox opened as a modal. */
  private syncAttachments() {
    // Stored messages only: the database knows their attachments (a sending one has none yet).
    const stored = this.messageStore.messages.filter((message) => message.delivery === 'sent').map((m) => m.id);
    if (stored.length > 0) void this.attachmentStore.load(stored);
    // A message shown has files: the part that draws them is needed. Its arrival asks for an update.
    if (this.attachmentStore.holdsAny && !this.#attachmentsPart && !this.#attachmentsFailed)
      void this.attachmentsPart();
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>('dialog[part~="lightbox"]');
    if (dialog && !dialog.open) dialog.showModal();
  }

  /** Attaches files to the message being written (as the attach button, paste and drop do). */
  attachFiles(files: Iterable<File>): void {
    if (this.noComposer || this.conversation.view !== 'ready' || this.composer.editing) return;
    if (this.#uploads) return this.#uploads.add(files);
    const waiting = [...files];
    const conversationId = this.conversation.current?.id;
    this.attachingFiles++;
    void this.attachmentsPart().then((uploads) => {
      this.attachingFiles--;
      // Into the draft they were picked for only: another conversation has another draft.
      if (uploads && this.conversation.current?.id === conversationId) uploads.add(waiting);
    });
  }

  /** This element's uploads, loading the attachments part the first time; undefined when it could not load. */
  private async attachmentsPart(): Promise<AttachmentUploads | undefined> {
    if (this.#uploads) return this.#uploads;
    try {
      const part = await loadAttachmentsPart();
      if (!this.#uploads) {
        this.#attachmentsPart = part;
        this.#uploads = new part.AttachmentUploads({
          client: () => this.conversation.client,
          conversationId: () => this.conversation.current?.id,
          onChange: () => this.requestUpdate(),
        });
        adoptPartStyles(this.renderRoot, part.attachmentStyles);
        this.requestUpdate();
      }
      return this.#uploads;
    } catch (error) {
      this.#attachmentsFailed = true;
      this.reportAttachmentProblem(
        `attachments could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  private attachmentsView(): AttachmentsView {
    return { strings: this.resolvedStrings, locale: this.locale };
  }

  private composerAttachments(
    ready: boolean,
  ): Pick<ComposerView, 'uploads' | 'attachButton' | 'attachmentsReady' | 'attachmentsBusy'> {
    const view = this.attachmentsView();
    const editing = Boolean(this.composer.editing);
    const uploads = this.#uploads;
    return {
      uploads:
        uploads && this.#attachmentsPart
          ? this.#attachmentsPart.renderPendingUploads(
              view,
              uploads.items,
              (key) => uploads.remove(key),
              (key) => uploads.retry(key),
            )
          : nothing,
      attachButton: renderAttachButton(view, !ready || editing, (files) => this.attachFiles(files)),
      attachmentsReady: uploads?.ready ?? false,
      attachmentsBusy: this.attachingFiles > 0 || (uploads?.busy ?? false),
    };
  }

  private readonly onPaste = (event: ClipboardEvent) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    // Files only: pasted text goes on into the textarea as usual.
    event.preventDefault();
    this.attachFiles(files);
  };

  private readonly onDragOver = (event: DragEvent) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  };

  private readonly onDrop = (event: DragEvent) => {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    this.attachFiles(files);
  };

  private readonly closeImage = () => {
    this.renderRoot.querySelector<HTMLDialogElement>('dialog[part~="lightbox"]')?.close();
    const id = this.openImage?.message_id;
    this.openImage = undefined;
    // Focus goes back to the message the image belongs to.
    if (id) void this.focusMessage(id);
  };

  private reportAttachmentProblem(problem: string) {
    this.dispatchEvent(new PasabayErrorEvent({ code: 'request', message: problem, source: 'attachments' }));
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
  defineElement(tag, PasabayChat);
}

declare global {
  interface HTMLElementTagNameMap {
    'pasabay-chat': PasabayChat;
  }
}
