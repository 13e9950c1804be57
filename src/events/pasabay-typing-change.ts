export interface Typist {
  userId: string;
  displayName: string;
}

export interface PasabayTypingChangeDetail {
  conversationId: string;
  /** Other people typing now, in the order they started. Never includes the current user. */
  typists: readonly Typist[];
}

/** Someone started or stopped typing (or their typing expired). */
export class PasabayTypingChangeEvent extends Event {
  static readonly eventName = 'pasabay-typing-change';
  constructor(readonly detail: PasabayTypingChangeDetail) {
    super(PasabayTypingChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-typing-change': PasabayTypingChangeEvent;
  }
}
