import type { MeetingPresence } from '../connection/schemas.js';

export interface PasabayPresenceChangeDetail {
  meetingId: string;
  /** Everyone present, one entry per user however many tabs they have open. */
  participants: readonly MeetingPresence[];
}

/** Presence in a meeting changed: someone joined, left or changed their state. */
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
