/**
 * The signed-in user's unread messages over all their conversations, as the database derives
 * them (RPC `my_conversations()`), kept live without polling on ONE channel, the user's own
 * `user:<id>` (shared with the conversation list and the mention listener on the same client):
 * Postgres Changes of `public.conversations` say which conversations had activity, and their
 * counts are read again in one batched, debounced `conversation_list(conversation_ids => …)`; the
 * broadcast `unread` brings the count after the user's read position moved, `conversation` a
 * conversation they were added to. After any rejoin the total is fetched again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import type { BroadcastMessage, ChannelLease } from '../../connection/channels.js';
import {
  acquireUserChannel,
  conversationChangeSchema,
  isPostgresChangesReady,
  myConversationSchema,
} from '../../connection/notices.js';
import { parseList, parsePayload, unreadNoticeSchema } from '../../connection/schemas.js';
import * as z from 'zod/mini';
import { userTopic } from '../../connection/topics.js';
import { reported } from '../../events/pasabay-error.js';

/** Changes that arrive within this long are re-read with one request. */
const REFRESH_BATCH_MS = 100;

/** What of a `conversation_list()` row the badge reads. */
const unreadRowSchema = z.object({
  id: z.guid(),
  unread_count: z.number().check(z.int(), z.nonnegative()),
});

export interface UnreadTotalOptions {
  client: () => SupabaseClient | undefined;
  /** The signed-in user; `undefined` while nobody is. */
  userId: () => string | undefined;
}

interface Entry {
  unread: number;
}

export class UnreadTotalController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: UnreadTotalOptions;
  readonly #entries = new Map<string, Entry>();
  #lease: ChannelLease | undefined;
  #pending = new Set<string>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
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
    this.#lease = acquireUserChannel(client, userId, {
      onBroadcast: (message) => epoch === this.#epoch && this.#onNotice(message),
      onPostgresChange: (payload) => epoch === this.#epoch && this.#onConversationChange(payload),
      // Changes flow from here on: a message committed since the join is counted by loading again.
      onSystem: (payload) => {
        if (epoch === this.#epoch && isPostgresChangesReady(payload)) void this.#load(epoch);
      },
      onStatus: (status) => {
        if (status !== 'joined' || epoch !== this.#epoch) return;
        // The first join loads; a rejoin loads again what may have changed meanwhile.
        void this.#load(epoch);
      },
    });
  }

  #stop(): void {
    this.#epoch++;
    void this.#lease?.release();
    this.#lease = undefined;
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#pending.clear();
    this.#entries.clear();
    this.#client = undefined;
    this.#userId = undefined;
    this.#host.requestUpdate();
  }

  /** The counts as the database derives them. */
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
    for (const row of rows) this.#entries.set(row.id, { unread: row.unread_count });
    this.#host.requestUpdate();
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
      this.#host.requestUpdate();
    }
  }

  /** A conversation of the user had activity: its count is read again (batched with others). */
  #onConversationChange(payload: RealtimePostgresChangesPayload<Record<string, unknown>>): void {
    if (payload.eventType === 'DELETE') return;
    const source = `${userTopic(this.#userId ?? '')} postgres_changes conversations`;
    const row = reported(this.#host, parsePayload(conversationChangeSchema, payload.new, source));
    if (!row) return;
    this.#pending.add(row.id);
    if (this.#refreshTimer !== undefined) return;
    const epoch = this.#epoch;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      const ids = [...this.#pending];
      this.#pending.clear();
      // The RPC takes up to 200 ids a call.
      for (let from = 0; from < ids.length; from += 200) void this.#refresh(ids.slice(from, from + 200), epoch);
    }, REFRESH_BATCH_MS);
  }

  async #refresh(ids: string[], epoch: number): Promise<void> {
    const client = this.#client;
    if (!client) return;
    let rows;
    try {
      const { data, error } = await client.rpc('conversation_list', { conversation_ids: ids, max_rows: ids.length });
      if (epoch !== this.#epoch || error) return;
      rows = reported(this.#host, parseList(unreadRowSchema, data, 'rpc conversation_list'));
    } catch {
      return;
    }
    const present = new Set(rows.map((row) => row.id));
    // Not among the answers: the user is no longer a member.
    for (const id of ids) if (!present.has(id)) this.#entries.delete(id);
    for (const row of rows) this.#entries.set(row.id, { unread: row.unread_count });
    this.#host.requestUpdate();
  }
}
