export interface PasabayAuthRequiredDetail {
  /** `no-session`: nobody is signed in and guest mode is off. `signed-out`: the session ended. */
  reason: 'no-session' | 'signed-out';
}

/**
 * The element needs a signed-in user. The host app signs in with the same Supabase client (or
 * enables guest mode); the element picks the session up by itself.
 */
export class PasabayAuthRequiredEvent extends Event {
  static readonly eventName = 'pasabay-auth-required';
  constructor(readonly detail: PasabayAuthRequiredDetail) {
    super(PasabayAuthRequiredEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pasabay-auth-required': PasabayAuthRequiredEvent;
  }
}
