import type { Meeting } from '../connection/schemas.js';

export interface PasabayMeetingStatusDetail {
  meetingId: string;
  /** The status the database recorded: `scheduled`, `live` or `ended`. */
  status: Meeting['status'];
  /** The status shown before; `undefined` for the first one loaded. */
  previous: Meeting['status'] | undefined;
}

/** The meeting's recorded status was loaded or changed (the host started or ended it). */
export class PasabayMeetingStatusEvent extends Event {
  static readonly eventName = 'pasabay-meeting-status';
  constructor(readonly detail: PasabayMeetingStatusDetail) {
    super(PasabayMeetingStatusEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-meeting-status': PasabayMeetingStatusEvent;
  }
}
