/**
 * Templates for the rows of `<pasabay-chat>`'s log: day headings, the beginning marker and
 * messages with their quote, reactions, delivery status and toolbar. Pure functions of the
 * `MessageView` they are given; every action goes back to the element through its callbacks.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ChatStrings } from '../../../i18n/chat.js';
import type { ChatFormatters } from './format.js';
import { renderBody } from './linkify.js';
import type { ChatMessage, ReactionSummary } from '../state/message-store.js';
import type { DisplayRow, MessageRowData } from './scroll-window-controller.js';

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
  /** Attachments (issue 12): the files a message carries, rendered inside its bubble. */
  attachmentsOf?(message: ChatMessage, tabindex: string): TemplateResult | typeof nothing;
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
  return html`<div class="row" data-key=${row.key}>${renderMessage(row, view)}</div>`;
}

function renderMessage(row: MessageRowData, view: MessageView): TemplateResult {
  const { strings, formatters } = view;
  const message = row.message;
  const own = message.sender_id === view.me;
  const deleted = Boolean(message.deleted_at);
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
  const date = new Date(Math.floor(message.sortKey / 1000));
  const reactions = view.reactionsOf(message.id);
  const canAct = message.delivery === 'sent' && !deleted;
  return html`<article
    part=${parts.join(' ')}
    data-id=${message.id}
    tabindex=${tabindex}
    aria-label=${`${sender}, ${formatters.time(date)}`}
  >
    ${!own && row.groupStart ? renderAvatar(message.sender_id, sender, view) : nothing}
    ${!own && row.groupStart && view.showSenderNames ? html`<div part="sender">${sender}</div>` : nothing}
    <div part="bubble">
      ${message.reply_to && !deleted ? renderQuote(message.reply_to, view) : nothing}
      ${
        deleted
          ? html`<p part="body">${strings.deleted}</p>`
          : html`<p part="body" dir="auto">${renderBody(message.body)}</p>`
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

function renderAvatar(userId: string, name: string, view: MessageView): TemplateResult {
  const url = view.avatarUrlOf(userId);
  if (url) return html`<img part="avatar" src=${url} alt="" loading="lazy" referrerpolicy="no-referrer" />`;
  return html`<span part="avatar" aria-hidden="true">${[...name][0]?.toLocaleUpperCase() ?? '?'}</span>`;
}

function renderQuote(replyTo: string, view: MessageView): TemplateResult {
  const original = view.messageById(replyTo);
  const strings = view.strings;
  const text = !original ? strings.originalUnavailable : original.deleted_at ? strings.deleted : original.body;
  return html`<div part="reply-quote">
    ${original ? html`<span part="reply-sender">${view.nameOf(original.sender_id)}</span>` : nothing}
    <span part="reply-body" dir="auto"
      >${text.length > QUOTE_MAX_LENGTH ? `${text.slice(0, QUOTE_MAX_LENGTH)}…` : text}</span
    >
  </div>`;
}

function renderMeta(row: MessageRowData, own: boolean, date: Date, view: MessageView) {
  const { strings, formatters } = view;
  const message = row.message;
  let status: TemplateResult | typeof nothing = nothing;
  if (own) {
    if (message.delivery === 'failed') {
      status = html`<span part="status failed" role="alert"
          >${message.error ? strings.failedBecause(message.error) : strings.failed}</span
        >
        <button part="retry" type="button" @click=${() => view.onRetry(message.id)}>${strings.retrySend}</button>
        <button part="discard" type="button" @click=${() => view.onDiscard(message.id)}>${strings.discard}</button>`;
    } else if (message.delivery === 'queued') {
      status = html`<span part="status queued"
        >${message.error ? strings.retryingBecause(message.error) : strings.queued}</span
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
  return html`<div part="meta">
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
