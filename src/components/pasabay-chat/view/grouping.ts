import type { ChatMessage } from '../state/message-store.js';

/** A day heading or a message, in display order. */
export type ChatRow =
  | { kind: 'day'; key: string; date: Date }
  | {
      kind: 'message';
      key: string;
      message: ChatMessage;
      /** First of a run by one sender on one day: shows the sender's name. */
      groupStart: boolean;
      /** Last of such a run: shows the time. */
      groupEnd: boolean;
    };

export interface GroupingOptions {
  /** Messages further apart than this start a new group even from the same sender. Default 5 minutes. */
  gapMs?: number;
}

const DEFAULT_GAP_MS = 5 * 60 * 1000;

/** `YYYY-MM-DD` of the local calendar day of `date`. */
export function localDayKey(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/**
 * Splits messages into day sections and runs by sender. A run ends at a change of sender, of day, at a
 * pause longer than `gapMs`, or at a deleted message (whose placeholder stands alone).
 */
export function groupMessages(messages: readonly ChatMessage[], options: GroupingOptions = {}): ChatRow[] {
  const gap = (options.gapMs ?? DEFAULT_GAP_MS) * 1000;
  const rows: ChatRow[] = [];
  let previous: ChatMessage | undefined;
  let previousDay = '';
  let previousRow: Extract<ChatRow, { kind: 'message' }> | undefined;
  for (const message of messages) {
    const date = new Date(Math.floor(message.sortKey / 1000));
    const day = localDayKey(date);
    if (day !== previousDay) {
      rows.push({ kind: 'day', key: `day:${day}`, date });
      previousDay = day;
      previous = undefined;
    }
    const continues =
      previous !== undefined &&
      previous.sender_id === message.sender_id &&
      !previous.deleted_at &&
      !message.deleted_at &&
      message.sortKey - previous.sortKey <= gap;
    if (!continues && previousRow) previousRow.groupEnd = true;
    const row = { kind: 'message' as const, key: message.id, message, groupStart: !continues, groupEnd: false };
    rows.push(row);
    previousRow = row;
    previous = message;
  }
  if (previousRow) previousRow.groupEnd = true;
  return rows;
}
