/** Message rows and ids shared by the <pasabay-chat> logic tests. */
import type { MessageRecord, MessageStore } from '../../../src/components/pasabay-chat/state/message-store.js';

/** A conversation and two members, as ids (these tests make no requests). */
export const conversation = '00000000-0000-4000-8000-0000000000c0';
export const alice = '00000000-0000-4000-8000-00000000000a';
export const bob = '00000000-0000-4000-8000-00000000000b';

export function row(id: string, createdAt: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    conversation_id: conversation,
    sender_id: alice,
    body: `body ${id}`,
    reply_to: null,
    created_at: createdAt,
    edited_at: null,
    deleted_at: null,
    ...overrides,
  };
}

export const ids = (store: MessageStore) => store.messages.map((m) => m.id).join(',');
