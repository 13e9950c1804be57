/**
 * Configuration from the `<script>` tag that loads a script bundle: `data-supabase-url`,
 * `data-supabase-key` and optionally `data-guest-name` and `data-avatar-hosts` (space-separated
 * origins) are passed to `configure()`. The bundle's own tag wins; otherwise the first tag on the
 * page that carries both attributes (a page that loads two bundles may configure on either).
 */
import { parseAvatarHosts } from '../connection/avatars.js';
import { configuration, configure } from '../connection/client.js';

/** `bundleUrl`: the entry module's `import.meta.url`, to find the tag that loaded it. */
export function configureFromScriptTag(bundleUrl?: string): void {
  if (typeof document === 'undefined' || configuration()) return;
  const tagged = [...document.querySelectorAll<HTMLScriptElement>('script[data-supabase-url][data-supabase-key]')];
  const script = tagged.find((tag) => bundleUrl !== undefined && tag.src === bundleUrl) ?? tagged[0];
  const supabaseUrl = script?.dataset.supabaseUrl?.trim();
  const supabaseKey = script?.dataset.supabaseKey?.trim();
  if (!supabaseUrl || !supabaseKey) return;
  const guestName = script?.dataset.guestName?.trim();
  const avatarHosts = parseAvatarHosts(script?.dataset.avatarHosts);
  try {
    configure({ supabaseUrl, supabaseKey, avatarHosts, ...(guestName ? { guestName } : {}) });
  } catch (error) {
    // A bad attribute must not stop the elements from registering; they show the error state.
    console.error(error);
  }
}
