import type { Message } from '../connection/schemas.js';

export interface PasabayMessageReceiveDetail {
  conversationId: string;
  /** The stored row, validated. */
  message: Message;
  /** `live` arrived on the channel; `catch-up` was fetched after a reconnect or wake. */
  via: 'live' | 'catch-up';
}

/** A message from another member arrived (once per message id). */
export class PasabayMessageReceiveEvent extends Event {
  static readonly eventName = 'pasabay-message-receive';
  constructor(readonly detail: PasabayMessageReceiveDetail) {
    super(PasabayMessageReceiveEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-message-receive': PasabayMessageReceiveEvent;
  }
}
