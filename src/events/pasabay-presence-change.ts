import type { Participant } from '../components/meeting-participants/roster.js';

export interface PasabayPresenceChangeDetail {
  meetingId: string;
  /** Everyone recorded as in the meeting, one entry per user however many tabs they have open. */
  participants: readonly Participant[];
}

/** The roster changed: someone joined, left, changed their state or lost their connection. */
export class PasabayPresenceChangeEvent extends Event {
  static readonly eventName = 'pasabay-presence-change';
  constructor(readonly detail: PasabayPresenceChangeDetail) {
    super(PasabayPresenceChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-presence-change': PasabayPresenceChangeEvent;
  }
}
