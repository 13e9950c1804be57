import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ChannelStatus } from '../connection/channels.js';
import { dropped, parsePayload, typingEventSchema } from '../connection/schemas.js';
import { typingTopic } from '../connection/topics.js';
import { PasabayErrorEvent, reported } from '../events/pasabay-error.js';
import type { Typist } from '../events/pasabay-typing-change.js';
import { ChannelController } from './channel-controller.js';
import { TypingRoster, TypingThrottle } from './typing-roster.js';
import { TopicEvent, isRateLimited } from '../connection/wire.js';

export interface TypingControllerOptions {
  /** The element's client; `undefined` while it has none. */
  client: () => SupabaseClient | undefined;
  conversationId: () => string | undefined;
  /** The signed-in user; nothing is joined without one (the typing topic is private). */
  identity: () => { userId: string; displayName: string } | undefined;
  /**
   * Whether to join the typing topic and keep the list of others typing (default `true`). An
   * element that only sends (the chat, whose embedded indicator listens) passes `false`.
   */
  listen?: boolean;
  /** Others' typing expires after this long without a refresh. Default 6 s. */
  expireAfterMs?: number;
  /** One's own `typing: true` is re-sent at most this often while typing. Default 2.5 s. */
  sendIntervalMs?: number;
  /** One's own typing stops by itself after this long without input. Default 4 s. */
  idleAfterMs?: number;
  /** After the database refused a typing update (rate limit, not a member), none is sent for this long. Default 30 s. */
  pauseAfterRefusalMs?: number;
  /** The list of others typing changed (including on expiry). */
  onChange?(typists: readonly Typist[]): void;
  onStatusChange?(status: ChannelStatus, error: Error | undefined): void;
}

/**
 * Typing through the database: one's own typing state goes out throttled through the RPC
 * `send_typing` (`input()` on every keystroke, `stop()` on send or blur), which puts it on
 * `conversation:<id>:typing` with the typist's profile name; the list of others typing comes from
 * that topic, which no client can write to, expiring those who go quiet. Payloads are validated
 * (shape and conversation); anything else is dropped and reported as `pasabay-error` on the host.
 * A refused update (429 rate limit, or any other refusal) is reported once and pauses sending.
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
  /** Sending is paused until this time (ms) after a refusal. */
  #pausedUntil = 0;

  constructor(host: ReactiveControllerHost & EventTarget, options: TypingControllerOptions) {
    this.#host = host;
    this.#options = options;
    this.#roster = new TypingRoster(options.expireAfterMs ?? 6000);
    this.#throttle = new TypingThrottle(options.sendIntervalMs ?? 2500);
    this.#channel = new ChannelController(host, {
      client: () => (options.listen !== false && options.identity() ? options.client() : undefined),
      topic: () => {
        const id = options.conversationId();
        return id ? typingTopic(id) : undefined;
      },
      onBroadcast: (message) => this.#receive(message.event, message.payload),
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
    this.#pausedUntil = 0;
    this.#stopTimers();
    this.#throttle.stop();
    if (this.#roster.clear()) this.#changed();
  }

  hostDisconnected(): void {
    this.#stopTimers();
    this.#throttle.stop();
    this.#roster.clear();
  }

  /** Whether typing updates are paused after a refusal. */
  get paused(): boolean {
    return Date.now() < this.#pausedUntil;
  }

  /** Call on every keystroke in the composer. */
  input(): void {
    if (!this.#options.identity() || this.paused) return;
    if (this.#throttle.input(Date.now())) this.#send(true);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.stop(), this.#options.idleAfterMs ?? 4000);
  }

  /** Call when the message is sent or the composer is left. Sends `is_typing: false` if needed. */
  stop(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#throttle.stop() && this.#options.identity() && !this.paused) this.#send(false);
  }

  #send(isTyping: boolean) {
    const client = this.#options.client();
    const conversationId = this.#options.conversationId();
    if (!client || !conversationId) return;
    void (async () => {
      let failure: { message: string; status: number; code: string };
      try {
        const { error, status } = await client.rpc('send_typing', {
          conversation_id: conversationId,
          is_typing: isTyping,
        });
        if (!error) return;
        failure = { message: error.message, status, code: error.code };
      } catch (error) {
        failure = { message: error instanceof Error ? error.message : String(error), status: 0, code: '' };
      }
      // One report per pause: the throttle would otherwise retry (and be refused) every few seconds.
      if (this.paused) return;
      this.#pausedUntil = Date.now() + (this.#options.pauseAfterRefusalMs ?? 30_000);
      this.#throttle.stop();
      const rateLimited = isRateLimited(failure);
      this.#host.dispatchEvent(
        new PasabayErrorEvent({
          code: rateLimited ? 'rate-limited' : 'request',
          message: `send_typing failed: ${failure.message}`,
          source: 'rpc send_typing',
          cause: failure,
        }),
      );
    })();
  }

  #receive(event: string, payload: unknown) {
    const source = `${this.#channel.topic ?? 'typing'} ${event}`;
    const reportTo = this.#host;
    if (event !== TopicEvent.typing) {
      reported(reportTo, dropped(`unknown event "${event}"`, payload, source));
      return;
    }
    const typing = reported(reportTo, parsePayload(typingEventSchema, payload, source));
    if (!typing) return;
    if (typing.conversation_id !== this.#options.conversationId()) {
      reported(reportTo, dropped('typing of another conversation', payload, source));
      return;
    }
    if (typing.user_id === this.#options.identity()?.userId) return;
    const change = { user_id: typing.user_id, display_name: typing.display_name, typing: typing.is_typing };
    if (this.#roster.apply(change, Date.now())) this.#changed();
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
