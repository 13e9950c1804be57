import type { Participant } from '../components/meeting-participants/roster.js';

export interface PasabayParticipantJoinDetail {
  meetingId: string;
  participant: Participant;
}

/** A participant joined the meeting (recorded by `join_meeting`). */
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
