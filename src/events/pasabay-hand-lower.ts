export interface PasabayHandLowerDetail {
  meetingId: string;
  /** Whose hand went down (the current user's). */
  userId: string;
}

/**
 * Someone else (the host, with `lower_hand`) lowered the current user's raised hand; the
 * `hand-raised` property follows the recorded state.
 */
export class PasabayHandLowerEvent extends Event {
  static readonly eventName = 'pasabay-hand-lower';
  constructor(readonly detail: PasabayHandLowerDetail) {
    super(PasabayHandLowerEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-hand-lower': PasabayHandLowerEvent;
  }
}
