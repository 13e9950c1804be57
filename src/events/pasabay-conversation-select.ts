export interface PasabayConversationSelectDetail {
  conversationId: string;
}

/**
 * The user chose a conversation in `<pasabay-conversation-list>` (click, Enter or Space).
 * Cancelable: a cancelled selection changes neither the list nor the chat named by `for`.
 */
export class PasabayConversationSelectEvent extends Event {
  static readonly eventName = 'pasabay-conversation-select';
  constructor(readonly detail: PasabayConversationSelectDetail) {
    super(PasabayConversationSelectEvent.eventName, { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-conversation-select': PasabayConversationSelectEvent;
  }
}
