import type { MeetingPresence } from '../connection/schemas.js';

export interface PasabayParticipantJoinDetail {
  meetingId: string;
  participant: MeetingPresence;
}

/** A user became present in the meeting (their first tab joined). */
export class PasabayParticipantJoinEvent extends Event {
  static readonly eventName = 'pasabay-participant-join';
  constructor(readonly detail: PasabayParticipantJoinDetail) {
    super(PasabayParticipantJoinEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-participant-join': PasabayParticipantJoinEvent;
  }
}
