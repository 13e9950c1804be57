/**
 * Who the current user is, per Supabase client: identity from the client's session plus the
 * user's `profiles` row. One auth-state subscription per client, opened by the first watcher and
 * closed by the last (in `#close`, the one place that closes it).
 */
import type { AuthChangeEvent, Session, SupabaseClient, User } from '@supabase/supabase-js';
import { profileSchema } from './schemas.js';

export interface Identity {
  userId: string;
  displayName: string;
  avatarUrl: string | null;
  isAnonymous: boolean;
}

export type SessionStatus = 'loading' | 'signed-in' | 'auth-required' | 'error';

export type SessionSnapshot =
  | { status: 'loading' }
  | { status: 'signed-in'; identity: Identity }
  | { status: 'auth-required'; reason: 'no-session' | 'signed-out' }
  | { status: 'error'; error: string };

export type SessionListener = (snapshot: SessionSnapshot) => void;

const stores = new WeakMap<SupabaseClient, SessionStore>();

/** The session store of `client` (one per client). */
export function sessionStore(client: SupabaseClient): SessionStore {
  let store = stores.get(client);
  if (!store) {
    store = new SessionStore(client);
    stores.set(client, store);
  }
  return store;
}

/** Display name from user metadata, as the `profiles` trigger derives it, for before the profile loads. */
function nameFromUser(user: User): string {
  const meta = user.user_metadata ?? {};
  for (const key of ['display_name', 'full_name', 'name'] as const) {
    const value: unknown = meta[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  if (user.email) return user.email.split('@')[0] ?? user.email;
  return 'Guest';
}

export class SessionStore {
  readonly #client: SupabaseClient;
  readonly #listeners = new Set<SessionListener>();
  #subscription: { unsubscribe(): void } | undefined;
  #snapshot: SessionSnapshot = { status: 'loading' };
  // Bumped on every auth event and on close, so a slow profile fetch can't overwrite newer state.
  #generation = 0;
  #guestSignIn: Promise<void> | undefined;

  constructor(client: SupabaseClient) {
    this.#client = client;
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  /** Calls `listener` now and on every change. Returns the function that stops it. */
  watch(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#open();
    listener(this.#snapshot);
    return () => {
      if (!this.#listeners.delete(listener)) return;
      if (this.#listeners.size === 0) this.#close();
    };
  }

  /**
   * Signs in anonymously with `displayName` in the user metadata (the `profiles` trigger reads
   * it). Concurrent calls share one sign-in. Resolves once signed in; rejects with the auth error.
   */
  signInAsGuest(displayName: string): Promise<void> {
    this.#guestSignIn ??= (async () => {
      try {
        const { error } = await this.#client.auth.signInAnonymously({
          options: { data: { display_name: displayName.trim().slice(0, 200) || 'Guest' } },
        });
        if (error) throw error;
      } finally {
        this.#guestSignIn = undefined;
      }
    })();
    return this.#guestSignIn;
  }

  #open() {
    let auth: SupabaseClient['auth'];
    try {
      auth = this.#client.auth;
      const { data } = auth.onAuthStateChange((event, session) => {
        // supabase-js holds its auth lock while running this callback: calling back into the
        // client from here deadlocks, so handle the event after the callback returns.
        const generation = ++this.#generation;
        setTimeout(() => void this.#apply(event, session, generation), 0);
      });
      this.#subscription = data.subscription;
    } catch (error) {
      // A client built with the `accessToken` option (third-party auth) has no `auth` namespace.
      this.#set({ status: 'error', error: error instanceof Error ? error.message : String(error) });
    }
  }

  #close() {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#generation++;
    this.#snapshot = { status: 'loading' };
  }

  async #apply(event: AuthChangeEvent, session: Session | null, generation: number) {
    if (generation !== this.#generation) return;
    if (!session) {
      this.#set({ status: 'auth-required', reason: event === 'SIGNED_OUT' ? 'signed-out' : 'no-session' });
      return;
    }
    const user = session.user;
    const current = this.#snapshot.status === 'signed-in' ? this.#snapshot.identity : undefined;
    // A token refresh keeps the same user: no need to refetch the profile.
    if (current?.userId === user.id && event === 'TOKEN_REFRESHED') return;
    const identity: Identity = {
      userId: user.id,
      displayName: current?.userId === user.id ? current.displayName : nameFromUser(user),
      avatarUrl: current?.userId === user.id ? current.avatarUrl : null,
      isAnonymous: user.is_anonymous === true,
    };
    this.#set({ status: 'signed-in', identity });
    const profile = await this.#fetchProfile(user.id);
    if (generation !== this.#generation || !profile) return;
    if (profile.display_name === identity.displayName && profile.avatar_url === identity.avatarUrl) return;
    this.#set({
      status: 'signed-in',
      identity: { ...identity, displayName: profile.display_name, avatarUrl: profile.avatar_url },
    });
  }

  async #fetchProfile(userId: string) {
    try {
      const { data, error } = await this.#client
        .from('profiles')
        .select('id, display_name, avatar_url')
        .eq('id', userId)
        .maybeSingle();
      if (error || !data) return undefined;
      const parsed = profileSchema.safeParse(data);
      return parsed.success ? parsed.data : undefined;
    } catch {
      // The metadata name stays; a missing profile is not worth an error state.
      return undefined;
    }
  }

  #set(snapshot: SessionSnapshot) {
    this.#snapshot = snapshot;
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        console.error(error);
      }
    }
  }
}
