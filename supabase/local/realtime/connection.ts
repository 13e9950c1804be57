/**
 * One WebSocket session: decodes frames with the negotiated serializer, answers heartbeats, closes
 * idle sockets, and routes each message to its channel. Messages of one topic run in order; topics
 * run independently, so a slow join never holds up heartbeats or other channels.
 * A frame Phoenix could not decode fails this connection alone (close 1007).
 */
import type { WebSocket } from 'ws';
import { Channel, joinChannel, type ChannelHost } from './channel.js';
import type { Hub, HubConnection } from './hub.js';
import type { ConnectionIdentity } from './identity.js';
import {
  decodeFrame,
  encodeMessage,
  encodeUserBroadcast,
  ProtocolError,
  type PhxMessage,
  type UserBroadcast,
  type UserBroadcastPush,
  type Vsn,
} from './serializer.js';

const KNOWN_EVENTS = new Set(['heartbeat', 'phx_join', 'phx_leave', 'broadcast', 'presence', 'access_token']);

export type { ConnectionIdentity } from './identity.js';

export class Connection implements ChannelHost, HubConnection {
  readonly channels = new Map<string, Channel>();
  /** Joins admitted under the channel limit and still being authorized. */
  pendingJoins = 0;
  readonly #queues = new Map<string, Promise<void>>();
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly hub: Hub,
    readonly ws: WebSocket,
    readonly vsn: Vsn,
    readonly identity: ConnectionIdentity,
  ) {
    hub.connections.add(this);
    hub.ctx.metrics.connections.inc();
    ws.on('message', (data, isBinary) => this.#onFrame(toBuffer(data), isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => this.#onClose());
    this.#armIdleTimer();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes a text message; false when the socket is gone. */
  send(message: PhxMessage): boolean {
    if (this.#closed || this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(encodeMessage(this.vsn, message));
    this.hub.ctx.metrics.messagesOut.inc({ kind: message.event });
    return true;
  }

  sendUserBroadcast(topic: string, broadcast: UserBroadcast): boolean {
    if (this.#closed || this.ws.readyState !== this.ws.OPEN) return false;
    const frame = encodeUserBroadcast(this.vsn, topic, broadcast);
    if (frame === undefined) return false;
    this.ws.send(frame);
    this.hub.ctx.metrics.messagesOut.inc({ kind: 'broadcast' });
    return true;
  }

  reply(
    message: { joinRef: string | null; ref: string | null; topic: string },
    status: 'ok' | 'error',
    response: Record<string, unknown>,
  ): void {
    this.send({
      joinRef: message.joinRef,
      ref: message.ref,
      topic: message.topic,
      event: 'phx_reply',
      payload: { status, response },
    });
  }

  /** Closes the socket (channels end in #onClose). */
  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    this.#onClose();
  }

  /** One timer per socket for its whole life: each frame pushes its deadline back (`refresh`). */
  #armIdleTimer(): void {
    if (this.#closed) return;
    if (this.#idleTimer) {
      this.#idleTimer.refresh();
      return;
    }
    this.#idleTimer = setTimeout(() => this.close(1000, 'idle timeout'), this.hub.options.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    this.#armIdleTimer();
    let incoming;
    try {
      incoming = decodeFrame(this.vsn, data, isBinary);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.hub.ctx.metrics.messagesIn.inc({ kind: 'malformed' });
      this.hub.ctx.metrics.errors.inc({ service: 'realtime' });
      this.close(1007, error.message.slice(0, 120));
      return;
    }
    if (incoming.kind === 'user_broadcast') {
      this.hub.ctx.metrics.messagesIn.inc({ kind: 'broadcast' });
      this.#enqueue(incoming.push.topic, () => this.#onUserBroadcast(incoming.push));
      return;
    }
    const message = incoming.message;
    this.hub.ctx.metrics.messagesIn.inc({ kind: KNOWN_EVENTS.has(message.event) ? message.event : 'unknown' });
    if (message.topic === 'phoenix' && message.event === 'heartbeat') {
      this.reply({ joinRef: null, ref: message.ref, topic: 'phoenix' }, 'ok', {});
      return;
    }
    this.#enqueue(message.topic, () => this.#onMessage(message));
  }

  #enqueue(topic: string, work: () => Promise<void>): void {
    const previous = this.#queues.get(topic) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.hub.ctx.metrics.errors.inc({ service: 'realtime' });
      console.error('[realtime]', error);
    });
    this.#queues.set(topic, next);
    void next.then(() => {
      if (this.#queues.get(topic) === next) this.#queues.delete(topic);
    });
  }

  async #onMessage(message: PhxMessage): Promise<void> {
    if (this.#closed) return;
    const channel = this.channels.get(message.topic);
    if (message.event === 'phx_join') {
      if (channel) channel.close('replaced');
      await joinChannel(this, message);
      return;
    }
    if (!channel) {
      // Phoenix: leave of an unknown topic is fine; anything else was for a channel that isn't there.
      if (message.event === 'phx_leave') this.reply(message, 'ok', {});
      else
        this.reply({ joinRef: null, ref: message.ref, topic: message.topic }, 'error', { reason: 'unmatched topic' });
      return;
    }
    await channel.handle(message);
  }

  async #onUserBroadcast(push: UserBroadcastPush): Promise<void> {
    if (this.#closed) return;
    const channel = this.channels.get(push.topic);
    if (!channel) {
      this.reply({ joinRef: null, ref: push.ref, topic: push.topic }, 'error', { reason: 'unmatched topic' });
      return;
    }
    await channel.handleUserBroadcast(push);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    for (const channel of [...this.channels.values()]) channel.close('socket closed');
    this.hub.connections.delete(this);
    this.hub.ctx.metrics.connections.dec();
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
