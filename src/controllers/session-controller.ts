import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { sessionStore, type Identity, type SessionSnapshot, type SessionStatus } from '../connection/session.js';
import { PasabayAuthRequiredEvent } from '../events/pasabay-auth-required.js';
import { PasabayErrorEvent } from '../events/pasabay-error.js';

export interface SessionControllerOptions {
  /** The element's client; `undefined` while it has none. Re-read before every host update. */
  client: () => SupabaseClient | undefined;
  /**
   * Guest mode: when nobody is signed in, sign in anonymously with this display name instead of
   * reporting `auth-required`. `undefined` or empty keeps guest mode off.
   */
  guestName?: () => string | undefined;
  onChange?(snapshot: SessionSnapshot): void;
}

/**
 * The current user of the element's client. Watches the shared per-client session store while
 * the host is connected; dispatches `pasabay-auth-required` when a user is needed and guest mode
 * is off, and `pasabay-error` (code `auth`) when a guest sign-in fails.
 */
export class SessionController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: SessionControllerOptions;
  #client: SupabaseClient | undefined;
  #stopWatching: (() => void) | undefined;
  #snapshot: SessionSnapshot = { status: 'loading' };
  #connected = false;

  constructor(host: ReactiveControllerHost & EventTarget, options: SessionControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** loading, signed-in, auth-required or error. */
  get status(): SessionStatus {
    return this.#snapshot.status;
  }

  /** The signed-in user, if any. */
  get identity(): Identity | undefined {
    return this.#snapshot.status === 'signed-in' ? this.#snapshot.identity : undefined;
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  hostConnected(): void {
    this.#connected = true;
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
  }

  /** Re-reads `client()` and watches the new client's session if it changed. */
  sync(): void {
    if (!this.#connected) return;
    const client = this.#options.client();
    if (client === this.#client && (this.#stopWatching || !client)) return;
    this.#stop();
    this.#client = client;
    if (!client) {
      this.#apply({ status: 'loading' });
      return;
    }
    const store = sessionStore(client);
    this.#stopWatching = store.watch((snapshot) => {
      if (this.#client !== client) return;
      const guestName = this.#options.guestName?.()?.trim();
      if (snapshot.status === 'auth-required' && guestName) {
        // Stay "loading" while the guest signs in; the store reports the new session itself.
        this.#apply({ status: 'loading' });
        store.signInAsGuest(guestName).catch((error: unknown) => {
          if (this.#client !== client) return;
          const message = error instanceof Error ? error.message : String(error);
          this.#apply({ status: 'error', error: message });
          this.#host.dispatchEvent(
            new PasabayErrorEvent({ code: 'auth', message: `Guest sign-in failed: ${message}`, cause: error }),
          );
        });
        return;
      }
      const previous = this.#snapshot.status;
      this.#apply(snapshot);
      if (snapshot.status === 'auth-required' && previous !== 'auth-required') {
        this.#host.dispatchEvent(new PasabayAuthRequiredEvent({ reason: snapshot.reason }));
      }
    });
  }

  #stop() {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    this.#client = undefined;
  }

  #apply(snapshot: SessionSnapshot) {
    if (snapshot === this.#snapshot) return;
    this.#snapshot = snapshot;
    this.#options.onChange?.(snapshot);
    this.#host.requestUpdate();
  }
}
