export interface PasabayMessageSendDetail {
  /** Client-generated id the message will be stored under. */
  id: string;
  conversationId: string;
  /** Trimmed text the user submitted. */
  body: string;
  /** Id of the message being replied to. */
  replyTo: string | null;
}

/**
 * The user submitted a message. Cancelable: `preventDefault()` keeps the text in the composer and
 * sends nothing (for example to run a host-side check first).
 */
export class PasabayMessageSendEvent extends Event {
  static readonly eventName = 'pasabay-message-send';
  constructor(readonly detail: PasabayMessageSendDetail) {
    super(PasabayMessageSendEvent.eventName, { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-message-send': PasabayMessageSendEvent;
  }
}
