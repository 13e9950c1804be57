/**
 * Where elements get their Supabase client. In order of precedence:
 * 1. the host app's own client, set as the element's `client` property (framework apps);
 * 2. the element's `supabase-url` + `supabase-key` attributes;
 * 3. one global `configure()` call (script-tag pages).
 * Elements that name the same (url, key) share one client, so a page holds one socket and one
 * session however many elements it shows.
 */
import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';

export interface ClientSource {
  /** The host app's client; wins over everything else. */
  client?: SupabaseClient | undefined;
  supabaseUrl?: string | undefined;
  supabaseKey?: string | undefined;
}

export interface ConfigureOptions {
  /** A client the app already has. */
  client?: SupabaseClient;
  /** Project URL, e.g. `https://xyz.supabase.co` or `http://127.0.0.1:54321`. */
  supabaseUrl?: string;
  /** Publishable (anon) key. Never a secret / service_role key in a browser. */
  supabaseKey?: string;
  /** Passed to `createClient` when this call creates the client. */
  clientOptions?: SupabaseClientOptions<'public'>;
  /**
   * Guest mode for support-widget pages: when nobody is signed in, sign in anonymously with this
   * display name instead of asking for auth. Off unless set.
   */
  guestName?: string;
  /**
   * Origins (e.g. `https://cdn.example.com`) avatars may be loaded from, besides the project's
   * own public Storage (`<supabaseUrl>/storage/v1/object/public/…`). Avatars elsewhere show
   * initials. Each element can add more with its `avatar-hosts` attribute.
   */
  avatarHosts?: string[];
}

/** Thrown (and reported as `pasabay-error` code `configuration`) when no client can be found. */
export class PasabayConfigurationError extends Error {
  override name = 'PasabayConfigurationError';
}

const sharedClients = new Map<string, SupabaseClient>();
interface GlobalConfiguration {
  client: SupabaseClient;
  guestName: string | undefined;
  avatarHosts: readonly string[];
}

let globalConfiguration: GlobalConfiguration | undefined;

function clientKey(url: string, key: string) {
  return `${url.replace(/\/+$/, '')}\n${key}`;
}

/**
 * The one client for (url, key) on this page, created on first use. `options` only apply when
 * this call creates it.
 */
export function sharedClient(url: string, key: string, options?: SupabaseClientOptions<'public'>): SupabaseClient {
  if (!/^https?:\/\//i.test(url)) {
    throw new PasabayConfigurationError(`supabase-url must be an http(s) URL, got "${url}".`);
  }
  if (!key) throw new PasabayConfigurationError('supabase-key is empty.');
  const cacheKey = clientKey(url, key);
  let client = sharedClients.get(cacheKey);
  if (!client) {
    client = createClient(url, key, options);
    sharedClients.set(cacheKey, client);
  }
  return client;
}

/**
 * Configures every Pasabay element on the page that has no `client` property and no
 * `supabase-url` / `supabase-key` attributes. Call once, before or after the elements appear
 * (elements created earlier pick it up on their next update). Returns the client in use.
 */
export function configure(options: ConfigureOptions): SupabaseClient {
  const client =
    options.client ??
    (options.supabaseUrl && options.supabaseKey
      ? sharedClient(options.supabaseUrl, options.supabaseKey, options.clientOptions)
      : undefined);
  if (!client) {
    throw new PasabayConfigurationError('configure() needs either `client` or both `supabaseUrl` and `supabaseKey`.');
  }
  globalConfiguration = {
    client,
    guestName: options.guestName?.trim() || undefined,
    avatarHosts: [...(options.avatarHosts ?? [])],
  };
  configurationListeners.forEach((listener) => listener());
  return client;
}

/** The client, guest name and avatar hosts from `configure()`, if it was called. */
export function configuration(): Readonly<GlobalConfiguration> | undefined {
  return globalConfiguration;
}

/** The project URL of a client (`https://xyz.supabase.co`), without a trailing slash. */
export function projectUrlOf(client: SupabaseClient): string {
  return client.realtime.httpEndpoint.replace(/\/realtime\/v1\/?$/, '').replace(/\/+$/, '');
}

const configurationListeners = new Set<() => void>();

/** Called after every `configure()`. Returns the function that stops listening. */
export function onConfigure(listener: () => void): () => void {
  configurationListeners.add(listener);
  return () => configurationListeners.delete(listener);
}

/**
 * The client an element should use, following the precedence above. Throws
 * `PasabayConfigurationError` with a message saying how to configure when there is none.
 */
export function resolveClient(source: ClientSource): SupabaseClient {
  if (source.client) return source.client;
  const url = source.supabaseUrl?.trim();
  const key = source.supabaseKey?.trim();
  if (url && key) return sharedClient(url, key);
  if (url || key) {
    throw new PasabayConfigurationError(
      `Set both supabase-url and supabase-key (only ${url ? 'supabase-url' : 'supabase-key'} is set).`,
    );
  }
  if (globalConfiguration) return globalConfiguration.client;
  throw new PasabayConfigurationError(
    "No Supabase client: set the element's `client` property, its `supabase-url` and `supabase-key` attributes, or call configure({ supabaseUrl, supabaseKey }).",
  );
}

/** `resolveClient` that returns the error instead of throwing, for use in `willUpdate`. */
export function tryResolveClient(
  source: ClientSource,
): { client: SupabaseClient; error?: undefined } | { client?: undefined; error: PasabayConfigurationError } {
  try {
    return { client: resolveClient(source) };
  } catch (error) {
    return {
      error: error instanceof PasabayConfigurationError ? error : new PasabayConfigurationError(String(error)),
    };
  }
}
