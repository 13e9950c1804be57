import type { Participant } from '../components/meeting-participants/roster.js';

export interface PasabayParticipantLeaveDetail {
  meetingId: string;
  /** The participant's last known state. */
  participant: Participant;
}

/** A participant left the meeting (recorded by `leave_meeting`) or is no longer invited. */
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
