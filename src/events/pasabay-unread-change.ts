export interface PasabayUnreadChangeDetail {
  conversationId: string;
  /** Messages from others after the user's read position. */
  unreadCount: number;
}

/** The number of unread messages changed (a message arrived, or the conversation was marked read). */
export class PasabayUnreadChangeEvent extends Event {
  static readonly eventName = 'pasabay-unread-change';
  constructor(readonly detail: PasabayUnreadChangeDetail) {
    super(PasabayUnreadChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-unread-change': PasabayUnreadChangeEvent;
  }
}
