import type { MeetingPresence } from '../connection/schemas.js';

export interface PasabayParticipantLeaveDetail {
  meetingId: string;
  /** The participant's last known state. */
  participant: MeetingPresence;
}

/** A user is no longer present in the meeting (their last tab left). */
export class PasabayParticipantLeaveEvent extends Event {
  static readonly eventName = 'pasabay-participant-leave';
  constructor(readonly detail: PasabayParticipantLeaveDetail) {
    super(PasabayParticipantLeaveEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-participant-leave': PasabayParticipantLeaveEvent;
  }
}
