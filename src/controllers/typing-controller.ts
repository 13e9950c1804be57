import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChannelClient, ChannelStatus } from '../connection/channels.js';
import { parsePayload, typingEventSchema } from '../connection/schemas.js';
import { typingTopic } from '../connection/topics.js';
import type { Typist } from '../events/pasabay-typing-change.js';
import { ChannelController } from './channel-controller.js';
import { TypingRoster, TypingThrottle } from './typing-roster.js';

export interface TypingControllerOptions {
  /** The element's client; `undefined` while it has none. */
  client: () => ChannelClient | undefined;
  conversationId: () => string | undefined;
  /** The signed-in user; nothing is joined without one (the typing topic is private). */
  identity: () => { userId: string; displayName: string } | undefined;
  /** Others' typing expires after this long without a refresh. Default 6 s. */
  expireAfterMs?: number;
  /** One's own `typing: true` is re-sent at most this often while typing. Default 2.5 s. */
  sendIntervalMs?: number;
  /** One's own typing stops by itself after this long without input. Default 4 s. */
  idleAfterMs?: number;
  /** The list of others typing changed (including on expiry). */
  onChange?(typists: readonly Typist[]): void;
  onStatusChange?(status: ChannelStatus, error: Error | undefined): void;
}

/**
 * Typing on `conversation:<id>:typing`: sends one's own typing state throttled (`input()` on
 * every keystroke, `stop()` on send or blur) and keeps the list of others typing, expiring
 * those who go quiet. Payloads are validated; a bad one is reported as `pasabay-error` on the host.
 */
export class TypingController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: TypingControllerOptions;
  readonly #channel: ChannelController;
  readonly #roster: TypingRoster;
  readonly #throttle: TypingThrottle;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #conversationId: string | undefined;

  constructor(host: ReactiveControllerHost & EventTarget, options: TypingControllerOptions) {
    this.#host = host;
    this.#options = options;
    this.#roster = new TypingRoster(options.expireAfterMs ?? 6000);
    this.#throttle = new TypingThrottle(options.sendIntervalMs ?? 2500);
    this.#channel = new ChannelController(host, {
      client: () => (options.identity() ? options.client() : undefined),
      topic: () => {
        const id = options.conversationId();
        return id ? typingTopic(id) : undefined;
      },
      onBroadcast: (message) => {
        if (message.event === 'typing') this.#receive(message.payload);
      },
      onStatusChange: (status, error) => options.onStatusChange?.(status, error),
    });
    host.addController(this);
  }

  /** Others typing now, in the order they started. */
  get typists(): readonly Typist[] {
    return this.#roster.typists;
  }

  /** Status of the typing channel. */
  get status(): ChannelStatus {
    return this.#channel.status;
  }

  get error(): Error | undefined {
    return this.#channel.error;
  }

  hostConnected(): void {
    this.#conversationId = this.#options.conversationId();
  }

  hostUpdate(): void {
    const id = this.#options.conversationId();
    if (id === this.#conversationId) return;
    // Another conversation: its typists are not this one's, and our own typing ended.
    this.#conversationId = id;
    this.#stopTimers();
    this.#throttle.stop();
    if (this.#roster.clear()) this.#changed();
  }

  hostDisconnected(): void {
    this.#stopTimers();
    this.#throttle.stop();
    this.#roster.clear();
  }

  /** Call on every keystroke in the composer. */
  input(): void {
    const identity = this.#options.identity();
    if (!identity) return;
    if (this.#throttle.input(Date.now())) {
      void this.#channel.send('typing', { user_id: identity.userId, display_name: identity.displayName, typing: true });
    }
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.stop(), this.#options.idleAfterMs ?? 4000);
  }

  /** Call when the message is sent or the composer is left. Sends `typing: false` if needed. */
  stop(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const identity = this.#options.identity();
    if (this.#throttle.stop() && identity) {
      void this.#channel.send('typing', {
        user_id: identity.userId,
        display_name: identity.displayName,
        typing: false,
      });
    }
  }

  #receive(payload: unknown) {
    const event = parsePayload(typingEventSchema, payload, {
      source: `${this.#channel.topic ?? 'typing'} typing`,
      target: this.#host,
    });
    if (!event || event.user_id === this.#options.identity()?.userId) return;
    if (this.#roster.apply(event, Date.now())) this.#changed();
    this.#scheduleExpiry();
  }

  #scheduleExpiry() {
    clearTimeout(this.#expiryTimer);
    const next = this.#roster.nextExpiry();
    if (next === undefined) {
      this.#expiryTimer = undefined;
      return;
    }
    this.#expiryTimer = setTimeout(
      () => {
        if (this.#roster.expire(Date.now())) this.#changed();
        this.#scheduleExpiry();
      },
      Math.max(0, next - Date.now()),
    );
  }

  #stopTimers() {
    clearTimeout(this.#expiryTimer);
    clearTimeout(this.#idleTimer);
    this.#expiryTimer = undefined;
    this.#idleTimer = undefined;
  }

  #changed() {
    this.#options.onChange?.(this.#roster.typists);
    this.#host.requestUpdate();
  }
}
