export interface PasabayParticipantRemoveDetail {
  meetingId: string;
  /** Who was removed. */
  userId: string;
  /** The current user was removed: the element has left the meeting's channels. */
  self: boolean;
}

/** The host removed a participant from the meeting (their row was deleted). */
export class PasabayParticipantRemoveEvent extends Event {
  static readonly eventName = 'pasabay-participant-remove';
  constructor(readonly detail: PasabayParticipantRemoveDetail) {
    super(PasabayParticipantRemoveEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-participant-remove': PasabayParticipantRemoveEvent;
  }
}
