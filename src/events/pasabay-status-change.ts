import type { ChannelStatus } from '../connection/channels.js';

export interface PasabayStatusChangeDetail {
  /** Realtime topic, e.g. `conversation:<id>:typing`. */
  topic: string;
  status: ChannelStatus;
  /** Set when `status` is `error`. */
  error?: string;
}

/** An element's realtime channel changed state (joining, joined, error, idle). */
export class PasabayStatusChangeEvent extends Event {
  static readonly eventName = 'pasabay-status-change';
  constructor(readonly detail: PasabayStatusChangeDetail) {
    super(PasabayStatusChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-status-change': PasabayStatusChangeEvent;
  }
}
