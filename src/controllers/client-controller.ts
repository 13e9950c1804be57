import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  onConfigure,
  tryResolveClient,
  type ClientSource,
  type PasabayConfigurationError,
} from '../connection/client.js';
import { PasabayErrorEvent } from '../events/pasabay-error.js';

export interface ClientControllerOptions {
  /** The element's `client`, `supabase-url` and `supabase-key`. */
  source: () => ClientSource;
  /** Whether the element needs a client now; while it doesn't, none is resolved or reported. */
  needed?: () => boolean;
}

/**
 * The Supabase client of an element: its `client` property, else its `supabase-url` /
 * `supabase-key` attributes, else the page's `configure()`. Re-resolved before every update and
 * after every `configure()` call; a missing configuration is reported once as `pasabay-error`
 * (code `configuration`). Add it before the controllers that read `client`.
 */
export class ClientController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: ClientControllerOptions;
  #client: SupabaseClient | undefined;
  #error: PasabayConfigurationError | undefined;
  #stopListening: (() => void) | undefined;

  constructor(host: ReactiveControllerHost & EventTarget, options: ClientControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get client(): SupabaseClient | undefined {
    return this.#client;
  }

  /** Why there is no client. */
  get error(): PasabayConfigurationError | undefined {
    return this.#error;
  }

  hostConnected(): void {
    this.#stopListening = onConfigure(() => this.#host.requestUpdate());
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.#stopListening?.();
    this.#stopListening = undefined;
  }

  /** Resolves the client again (the host calls it from `willUpdate` when it decides from it). */
  sync(): void {
    if (this.#options.needed && !this.#options.needed()) {
      this.#client = undefined;
      this.#error = undefined;
      return;
    }
    const resolved = tryResolveClient(this.#options.source());
    this.#client = resolved.client;
    const error = resolved.error;
    if (error?.message === this.#error?.message) return;
    this.#error = error;
    if (error) {
      // Reported after the update that found it, not from inside it.
      queueMicrotask(() => {
        if (this.#error !== error) return;
        this.#host.dispatchEvent(
          new PasabayErrorEvent({ code: 'configuration', message: error.message, cause: error }),
        );
      });
    }
  }
}
