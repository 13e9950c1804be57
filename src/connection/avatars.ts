/**
 * Which avatar URLs an element may load. An avatar URL is user-supplied (profiles.avatar_url), and
 * loading it tells its host who is looking at which conversation or meeting, when. So an image is
 * loaded only from an allowed place: by default the project's own public Storage
 * (`<supabase url>/storage/v1/object/public/…`), plus origins the page allows through
 * `configure({ avatarHosts })` or an element's `avatar-hosts` attribute. Anything else shows the
 * initials instead.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { configuration, projectUrlOf } from './client.js';

const PUBLIC_STORAGE_PATH = '/storage/v1/object/public/';

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Origins from a space-separated list (the `avatar-hosts` attribute); invalid entries are skipped. */
export function parseAvatarHosts(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(/\s+/u)
    .map((entry) => (entry ? originOf(entry) : undefined))
    .filter((origin): origin is string => origin !== undefined);
}

/**
 * `url` normalised when an element may load it: an http(s) URL in the project's public Storage,
 * or on one of the allowed origins (`configure({ avatarHosts })` and `extraHosts`).
 * `undefined` otherwise.
 */
export function allowedAvatarUrl(
  url: string | null | undefined,
  client: SupabaseClient | undefined,
  extraHosts: readonly string[] = [],
): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  // Credentials in an image URL have no business there.
  if (parsed.username || parsed.password) return undefined;
  const project = client ? originOf(projectUrlOf(client)) : undefined;
  if (project && parsed.origin === project && parsed.pathname.startsWith(PUBLIC_STORAGE_PATH)) return parsed.href;
  const allowed = [...parseAvatarHosts((configuration()?.avatarHosts ?? []).join(' ')), ...extraHosts];
  return allowed.includes(parsed.origin) ? parsed.href : undefined;
}
