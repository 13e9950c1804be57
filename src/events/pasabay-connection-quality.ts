import type { ConnectionQuality } from '../components/meeting-participants/participant-schema.js';

export interface PasabayConnectionQualityDetail {
  meetingId: string;
  /** The current user's connection as measured here. */
  quality: ConnectionQuality;
  /** The last heartbeat's round trip in milliseconds; `undefined` when it failed or timed out. */
  roundTripMs: number | undefined;
}

/**
 * The current user's measured connection quality changed (Realtime heartbeat round trips,
 * failures and reconnects); the element records it with `report_connection_quality`.
 */
export class PasabayConnectionQualityEvent extends Event {
  static readonly eventName = 'pasabay-connection-quality';
  constructor(readonly detail: PasabayConnectionQualityDetail) {
    super(PasabayConnectionQualityEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-connection-quality': PasabayConnectionQualityEvent;
  }
}
