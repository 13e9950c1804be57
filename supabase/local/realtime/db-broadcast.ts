/**
 * Broadcast from Database: each row inserted into `realtime.messages` (by `realtime.send` or
 * `realtime.broadcast_changes`) becomes a user broadcast with metadata `{"id"}` to the room of its
 * topic and private flag — kind 4 binary for vsn 2 sockets, JSON for vsn 1 — read by members only.
 */
import type { Hub } from './hub.js';
import { roomKey } from './hub.js';
import type { RowChange } from './postgres-changes.js';
import type { UserBroadcast } from './serializer.js';

/** `realtime.messages`, or one of its daily partitions on a real Supabase database. */
export function isMessagesTable(schema: string, name: string): boolean {
  return schema === 'realtime' && (name === 'messages' || /^messages_\d{4}_\d{2}_\d{2}$/.test(name));
}

function decodeBytea(text: string): Buffer {
  return text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : Buffer.from(text, 'utf8');
}

export function dispatchDatabaseBroadcast(hub: Hub, change: RowChange, committedAt: bigint): void {
  const row = change.new;
  if (change.kind !== 'INSERT' || !row || row['extension'] !== 'broadcast' || !row['topic']) return;
  // Realtime skips rows without an event or a private flag (its probe rows are such rows).
  const event = row['event'];
  const privateFlag = row['private'];
  if (event === null || event === undefined || privateFlag === null || privateFlag === undefined) return;
  const isPrivate = privateFlag === 't' || privateFlag === 'true';
  let broadcast: UserBroadcast;
  if (row['binary_payload']) {
    broadcast = { userEvent: event, encoding: 'binary', payload: decodeBytea(row['binary_payload']) };
  } else {
    broadcast = {
      userEvent: event,
      encoding: 'json',
      payload: Buffer.from(row['payload'] ?? 'null', 'utf8'),
    };
  }
  if (row['id']) broadcast.metadata = { id: row['id'] };
  hub.broadcastUser(roomKey(isPrivate, row['topic']), broadcast, undefined, committedAt);
}
