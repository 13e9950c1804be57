/**
 * The signed-in user's unread messages over all their conversations, as the database derives
 * them (RPC `my_conversations()`), kept live without polling: each conversation's topic brings
 * new messages (counted here when they are from others and after the read position), the user's
 * own `user:<id>` topic brings a conversation they were added to and their read position moving
 * (with the count the database derives for it). After any rejoin the total is fetched again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { acquireChannel, type BroadcastMessage, type ChannelLease } from '../../connection/channels.js';
import { myConversationSchema } from '../../connection/notices.js';
import {
  messageChangeSchema,
  parseList,
  parsePayload,
  readReceiptSchema,
  unreadNoticeSchema,
} from '../../connection/schemas.js';
import { timestampMicros } from '../../connection/timestamps.js';
import { conversationTopic, userTopic } from '../../connection/topics.js';
import { reported } from '../../events/pasabay-error.js';

export interface UnreadTotalOptions {
  client: () => SupabaseClient | undefined;
  /** The signed-in user; `undefined` while nobody is. */
  userId: () => string | undefined;
}

interface Entry {
  unread: number;
  /** Read position, microseconds (0: never read). */
  lastRead: number;
  /** Messages counted live, so a repeated or deleted one is counted right. */
  counted: Set<string>;
}

export class UnreadTotalController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: UnreadTotalOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #leases = new Map<string, ChannelLease>();
  #client: SupabaseClient | undefined;
  #userId: string | undefined;
  #connected = false;
  // Bumped whenever the client or user changes: a late answer for the previous one is dropped.
  #epoch = 0;

  constructor(host: ReactiveControllerHost & EventTarget, options: UnreadTotalOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** Unread messages from others over all the user's conversations. */
  get total(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.unread;
    return total;
  }

  hostConnected(): void {
    this.#connected = true;
    this.sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
  }

  /** Follows the client and the user (call from `willUpdate`). */
  sync(): void {
    const client = this.#connected ? this.#options.client() : undefined;
    const userId = client ? this.#options.userId() : undefined;
    if (client === this.#client && userId === this.#userId) return;
    this.#stop();
    this.#client = client;
    this.#userId = userId;
    if (!client || !userId) return;
    const epoch = this.#epoch;
    this.#leases.set(
      userTopic(userId),
      acquireChannel(client, userTopic(userId), {
        onBroadcast: (message) => epoch === this.#epoch && this.#onNotice(message),
        onStatus: (status) => {
          if (status !== 'joined' || epoch !== this.#epoch) return;
          // The first join loads; a rejoin loads again what may have changed meanwhile.
          void this.#load(epoch);
        },
      }),
    );
  }

  #stop(): void {
    this.#epoch++;
    for (const lease of this.#leases.values()) lease.release();
    this.#leases.clear();
    this.#entries.clear();
    this.#client = undefined;
    this.#userId = undefined;
    this.#host.requestUpdate();
  }

  /** The counts as the database derives them; watches every conversation listed. */
  async #load(epoch: number): Promise<void> {
    const client = this.#client;
    if (!client) return;
    let rows;
    try {
      const { data, error } = await client.rpc('my_conversations');
      if (epoch !== this.#epoch) return;
      if (error) return; // keeps the last counts; the next notice or rejoin loads again
      rows = reported(this.#host, parseList(myConversationSchema, data, 'rpc my_conversations'));
    } catch {
      return;
    }
    if (epoch !== this.#epoch) return;
    this.#entries.clear();
    for (const row of rows) {
      this.#entries.set(row.id, {
        unread: row.unread_count,
        lastRead: row.last_read_at ? timestampMicros(row.last_read_at) : 0,
        counted: new Set(),
      });
      if (!this.#leases.has(conversationTopic(row.id))) this.#watch(client, row.id, epoch);
    }
    this.#host.requestUpdate();
  }

  #watch(client: SupabaseClient, conversationId: string, epoch: number): void {
    let joinedBefore = false;
    const topic = conversationTopic(conversationId);
    this.#leases.set(
      topic,
      acquireChannel(client, topic, {
        onBroadcast: (message) => epoch === this.#epoch && this.#onConversationEvent(conversationId, message),
        onStatus: (status) => {
          if (status !== 'joined' || epoch !== this.#epoch) return;
          // Back after a gap: what was missed is in the database's count.
          if (joinedBefore) void this.#load(epoch);
          joinedBefore = true;
        },
      }),
    );
  }

  #onNotice(message: BroadcastMessage): void {
    const source = `${userTopic(this.#userId ?? '')} ${message.event}`;
    if (message.event === 'conversation') {
      void this.#load(this.#epoch);
    } else if (message.event === 'unread') {
      const notice = reported(this.#host, parsePayload(unreadNoticeSchema, message.payload, source));
      const entry = notice && this.#entries.get(notice.conversation_id);
      if (!notice || !entry) return;
      entry.unread = notice.unread_count;
      entry.counted.clear();
      this.#host.requestUpdate();
    }
  }

  #onConversationEvent(conversationId: string, message: BroadcastMessage): void {
    const entry = this.#entries.get(conversationId);
    if (!entry) return;
    const source = `${conversationTopic(conversationId)} ${message.event}`;
    if (message.event === 'message') {
      const change = reported(this.#host, parsePayload(messageChangeSchema, message.payload, source));
      if (!change || change.operation === 'DELETE' || change.record.conversation_id !== conversationId) return;
      const row = change.record;
      const fromOthers = row.sender_id !== this.#userId && timestampMicros(row.created_at) > entry.lastRead;
      if (fromOthers && !row.deleted_at && change.operation === 'INSERT' && !entry.counted.has(row.id)) {
        entry.counted.add(row.id);
        entry.unread++;
      } else if (row.deleted_at && entry.counted.delete(row.id)) {
        entry.unread = Math.max(0, entry.unread - 1);
      } else {
        return;
      }
      this.#host.requestUpdate();
    } else if (message.event === 'read') {
      const receipt = reported(this.#host, parsePayload(readReceiptSchema, message.payload, source));
      if (!receipt || receipt.user_id !== this.#userId || receipt.conversation_id !== conversationId) return;
      // The exact count follows as the `unread` notice on user:<id>; until then, what came before is read.
      const lastRead = timestampMicros(receipt.last_read_at);
      if (lastRead > entry.lastRead) entry.lastRead = lastRead;
    }
  }
}
