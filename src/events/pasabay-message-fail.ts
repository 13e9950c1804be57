export interface PasabayMessageFailDetail {
  id: string;
  conversationId: string;
  body: string;
  /** The server's reason, e.g. "Rate limit exceeded: at most 30 messages a minute". */
  message: string;
  /** Attempts made so far; the message stays visible with a retry button. */
  attempts: number;
}

/** The server refused a message. It stays in the list, marked failed, until retried or discarded. */
export class PasabayMessageFailEvent extends Event {
  static readonly eventName = 'pasabay-message-fail';
  constructor(readonly detail: PasabayMessageFailDetail) {
    super(PasabayMessageFailEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-message-fail': PasabayMessageFailEvent;
  }
}
