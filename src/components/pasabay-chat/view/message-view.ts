/**
 * Templates for the rows of `<pasabay-chat>`'s log: day headings, the beginning marker and
 * messages with their quote, reactions, delivery status and toolbar. Pure functions of the
 * `MessageView` they are given; every action goes back to the element through its callbacks.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ChatStrings } from '../../../i18n/chat.js';
import type { ChatFormatters } from './format.js';
import { parseRichText, plainText, renderRichText, type Block } from './rich-text.js';
import type { ChatMessage, ReactionSummary } from '../state/message-store.js';
import type { DisplayRow, MessageRowData } from './scroll-window-controller.js';
import { rateLimitWaitSeconds } from './refusal.js';

/** Quotes longer than this are cut, so a reply never repeats a whole essay. */
const QUOTE_MAX_LENGTH = 140;

export interface MessageView {
  strings: ChatStrings;
  formatters: ChatFormatters;
  /** The signed-in user's id. */
  me: string | undefined;
  /** In a two-person conversation the sender's name adds nothing; the avatar is enough. */
  showSenderNames: boolean;
  /** Direct conversations say "Seen", groups say who. */
  direct: boolean;
  /** The message in the tab order (roving focus). */
  activeId: string | undefined;
  /** The message whose reaction picker is open. */
  pickerFor: string | undefined;
  quickReactions: readonly string[];
  nameOf(userId: string): string;
  /** A user's profile name (never "You"): what follows the `@` of a mention. */
  profileNameOf?(userId: string): string | undefined;
  /** The sender's avatar URL when it may be loaded (see connection/avatars.ts). */
  avatarUrlOf(userId: string): string | undefined;
  messageById(id: string): ChatMessage | undefined;
  reactionsOf(messageId: string): ReactionSummary[];
  /** The newest of one's own stored messages carries the sent / seen status. */
  isLastOwn(message: ChatMessage): boolean;
  seenBy(message: ChatMessage): string[];
  onTogglePicker(message: ChatMessage): void;
  onToggleReaction(message: ChatMessage, emoji: string): void;
  onReply(message: ChatMessage): void;
  onEdit(message: ChatMessage): void;
  onDelete(message: ChatMessage): void;
  onRetry(id: string): void;
  onDiscard(id: string): void;
  /** A delete the user can still undo: shown as deleted, not yet sent to the server. */
  pendingDeleteId?: string | undefined;
  /** The message just jumped to from a reply quote, briefly highlighted. */
  highlightId?: string | undefined;
  /** The first message that was unread when the conversation opened: the "New messages" divider goes above it. */
  firstUnreadId?: string | undefined;
  /** Jumps to a quoted message (loading older history if needed). */
  onJumpTo?(id: string): void;
  /** Attachments (issue 12): the files a message carries, rendered inside its bubble. */
  attachmentsOf?(message: ChatMessage, tabindex: string): TemplateResult | typeof nothing;
}

/**
 * Part tokens for one part of a message (`bubble`, `meta`, `avatar`), so designers can style own and
 * others', first and last of a group apart: e.g. `bubble bubble-own bubble-first`.
 */
export function groupParts(name: string, own: boolean, first: boolean, last: boolean): string {
  const tokens = [name, `${name}-${own ? 'own' : 'other'}`];
  if (first) tokens.push(`${name}-first`);
  if (last) tokens.push(`${name}-last`);
  return tokens.join(' ');
}

export function renderRow(row: DisplayRow, view: MessageView): TemplateResult {
  if (row.kind === 'start') {
    return html`<div class="row" data-key=${row.key}><p part="beginning">${view.strings.beginning}</p></div>`;
  }
  if (row.kind === 'day') {
    return html`<div class="row" data-key=${row.key}>
      <h3 part="day">
        <time datetime=${row.date.toISOString().slice(0, 10)}>${view.formatters.day(row.date)}</time>
      </h3>
    </div>`;
  }
  return html`<div class="row" data-key=${row.key}>
    ${
      view.firstUnreadId === row.message.id
        ? html`<p part="unread-divider" role="separator">${view.strings.unreadDivider}</p>`
        : nothing
    }${renderMessage(row, view)}
  </div>`;
}

function renderMessage(row: MessageRowData, view: MessageView): TemplateResult {
  const { strings, formatters } = view;
  const message = row.message;
  const own = message.sender_id === view.me;
  const deleted = Boolean(message.deleted_at) || view.pendingDeleteId === message.id;
  const active = view.activeId === message.id;
  // Roving focus: only the active message (and its buttons) is in the tab order.
  const tabindex = active ? '0' : '-1';
  const sender = view.nameOf(message.sender_id);
  const parts = ['message', own ? 'own' : 'other'];
  if (row.groupStart) parts.push('first');
  if (row.groupEnd) parts.push('last');
  if (deleted) parts.push('deleted');
  if (message.delivery !== 'sent') parts.push(message.delivery);
  if (active) parts.push('active');
  if (view.highlightId === message.id) parts.push('highlighted');
  const date = new Date(Math.floor(message.sortKey / 1000));
  // A deleted message's reactions are gone (the database clears them too).
  const reactions = deleted ? [] : view.reactionsOf(message.id);
  const canAct = message.delivery === 'sent' && !deleted;
  return html`<article
    part=${parts.join(' ')}
    data-id=${message.id}
    tabindex=${tabindex}
    aria-label=${`${sender}, ${formatters.time(date)}`}
  >
    ${!own && row.groupStart ? renderAvatar(message.sender_id, sender, view, row.groupEnd) : nothing}
    ${!own && row.groupStart && view.showSenderNames ? html`<div part="sender">${sender}</div>` : nothing}
    <div part=${groupParts('bubble', own, row.groupStart, row.groupEnd)}>
      ${message.reply_to && !deleted ? renderQuote(message.reply_to, view, tabindex) : nothing}
      ${
        deleted
          ? html`<p part="body">${strings.deleted}</p>`
          : html`<div part="body" dir="auto">${renderRichText(parsedBody(message, view), view)}</div>`
      }
      ${message.edited_at && !deleted ? html`<span part="edited">(${strings.edited})</span>` : nothing}
      ${!deleted && view.attachmentsOf ? view.attachmentsOf(message, tabindex) : nothing}
    </div>
    ${
      reactions.length > 0
        ? html`<div part="reactions" role="group" aria-label=${strings.react}>
            ${reactions.map(
              (reaction) =>
                html`<button
                  part=${reaction.mine ? 'reaction mine' : 'reaction'}
                  type="button"
                  tabindex=${tabindex}
                  aria-pressed=${reaction.mine ? 'true' : 'false'}
                  aria-label=${strings.reaction(reaction.emoji, strings.reactionNames[reaction.emoji] ?? reaction.emoji, reaction.count, reaction.mine)}
                  ?disabled=${!canAct}
                  @click=${() => view.onToggleReaction(message, reaction.emoji)}
                >
                  <span class="emoji" aria-hidden="true">${reaction.emoji}</span> ${reaction.count}
                </button>`,
            )}
          </div>`
        : nothing
    }
    ${renderMeta(row, own, date, view)} ${canAct ? renderActions(message, own, sender, tabindex, view) : nothing}
  </article>`;
}

/** Parsed bodies by message object: a row re-renders often, its message object changes only with it. */
const parsed = new WeakMap<ChatMessage, { key: string; blocks: Block[] }>();

function parsedBody(message: ChatMessage, view: MessageView): Block[] {
  const targets = (message.mentions ?? []).flatMap((userId) => {
    const name = view.profileNameOf?.(userId)?.trim();
    return name ? [{ userId, name }] : [];
  });
  // Names arrive with profiles, after the message may first have been drawn.
  const key = targets.map((target) => target.name).join('\n');
  const held = parsed.get(message);
  if (held && held.key === key) return held.blocks;
  const blocks = parseRichText(message.body, targets);
  parsed.set(message, { key, blocks });
  return blocks;
}

function renderAvatar(userId: string, name: string, view: MessageView, last: boolean): TemplateResult {
  const url = view.avatarUrlOf(userId);
  const part = groupParts('avatar', false, true, last);
  if (url) return html`<img part=${part} src=${url} alt="" loading="lazy" referrerpolicy="no-referrer" />`;
  return html`<span part=${part} aria-hidden="true">${[...name][0]?.toLocaleUpperCase() ?? '?'}</span>`;
}

function renderQuote(replyTo: string, view: MessageView, tabindex: string): TemplateResult {
  const original = view.messageById(replyTo);
  const strings = view.strings;
  const text = !original
    ? strings.originalUnavailable
    : original.deleted_at
      ? strings.deleted
      : plainText(original.body);
  // A button: clicking the quote (or Enter on it) jumps to the original, loading older history if needed.
  return html`<button
    part="reply-quote"
    type="button"
    tabindex=${tabindex}
    title=${strings.jumpToOriginal}
    @click=${() => view.onJumpTo?.(replyTo)}
  >
    ${original ? html`<span part="reply-sender">${view.nameOf(original.sender_id)}</span>` : nothing}
    <span part="reply-body" dir="auto"
      >${text.length > QUOTE_MAX_LENGTH ? `${text.slice(0, QUOTE_MAX_LENGTH)}…` : text}</span
    >
  </button>`;
}

function renderMeta(row: MessageRowData, own: boolean, date: Date, view: MessageView) {
  const { strings, formatters } = view;
  const message = row.message;
  let status: TemplateResult | typeof nothing = nothing;
  if (own) {
    const tooFast = message.error ? rateLimitWaitSeconds(message.error) : undefined;
    if (message.delivery === 'failed') {
      status = html`<span part="status failed" role="alert" title=${message.error ?? nothing}
          >${
            tooFast !== undefined
              ? strings.sendingTooFast(tooFast)
              : message.error
                ? strings.failedBecause(message.error)
                : strings.failed
          }</span
        >
        <button part="retry" type="button" @click=${() => view.onRetry(message.id)}>${strings.retrySend}</button>
        <button part="discard" type="button" @click=${() => view.onDiscard(message.id)}>${strings.discard}</button>`;
    } else if (message.delivery === 'queued') {
      status = html`<span part="status queued" title=${message.error ?? nothing}
        >${
          tooFast !== undefined
            ? strings.sendingTooFast(tooFast)
            : message.error
              ? strings.retryingBecause(message.error)
              : strings.queued
        }</span
      >`;
    } else if (message.delivery === 'sending') {
      status = html`<span part="status sending">${strings.sending}</span>`;
    } else if (view.isLastOwn(message)) {
      const readers = view.seenBy(message);
      status =
        readers.length === 0
          ? html`<span part="status sent">${strings.sent}</span>`
          : html`<span part="status seen">${view.direct ? strings.seen : strings.seenBy(readers.join(', '))}</span>`;
    }
  }
  if (!row.groupEnd && status === nothing) return nothing;
  return html`<div part=${groupParts('meta', own, row.groupStart, row.groupEnd)}>
    ${
      row.groupEnd || own
        ? html`<time part="time" datetime=${date.toISOString()} title=${formatters.full(date)}
            >${formatters.time(date)}</time
          >`
        : nothing
    }
    ${status}
  </div>`;
}

function renderActions(
  message: ChatMessage,
  own: boolean,
  sender: string,
  tabindex: string,
  view: MessageView,
): TemplateResult {
  const strings = view.strings;
  const picking = view.pickerFor === message.id;
  return html`<div part="actions" role="toolbar" aria-label=${strings.messageActions(sender)}>
    <button
      part="action react"
      type="button"
      tabindex=${tabindex}
      aria-expanded=${picking ? 'true' : 'false'}
      @click=${() => view.onTogglePicker(message)}
    >
      ${strings.react}
    </button>
    <button part="action reply" type="button" tabindex=${tabindex} @click=${() => view.onReply(message)}>
      ${strings.reply}
    </button>
    ${
      own
        ? html`<button part="action edit" type="button" tabindex=${tabindex} @click=${() => view.onEdit(message)}>
              ${strings.edit}
            </button>
            <button part="action delete" type="button" tabindex=${tabindex} @click=${() => view.onDelete(message)}>
              ${strings.delete}
            </button>`
        : nothing
    }
    ${
      picking
        ? html`<div part="picker" role="group" aria-label=${strings.react}>
            ${view.quickReactions.map(
              (emoji) =>
                html`<button
                  part="picker-option"
                  type="button"
                  aria-label=${strings.reactionNames[emoji] ?? emoji}
                  @click=${() => view.onToggleReaction(message, emoji)}
                >
                  ${emoji}
                </button>`,
            )}
          </div>`
        : nothing
    }
  </div>`;
}
