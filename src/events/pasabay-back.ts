export interface PasabayBackDetail {
  /** The conversation shown when the user asked to go back, if any. */
  conversationId: string | undefined;
}

/**
 * The user pressed the header's back button: the host app should show its conversation list
 * (on a narrow layout, where the list and the chat cannot sit side by side). The element itself
 * does nothing else.
 */
export class PasabayBackEvent extends Event {
  static readonly eventName = 'pasabay-back';
  constructor(readonly detail: PasabayBackDetail) {
    super(PasabayBackEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-back': PasabayBackEvent;
  }
}
