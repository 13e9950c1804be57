/**
 * Configuration from the `<script>` tag that loads a script bundle: `data-supabase-url`,
 * `data-supabase-key` (or its other name, `data-anon-key`) and optionally `data-guest-name` and
 * `data-avatar-hosts` (space-separated origins) are passed to `configure()`. The bundle's own tag
 * wins; otherwise the first tag on the page that carries a URL and a key (a page that loads two
 * bundles may configure on either).
 *
 * A tag with `data-launcher` also puts a `<pasabay-launcher>` on the page (see
 * `launcherFromScriptTag`): the support widget from one script tag.
 */
import { parseAvatarHosts } from '../connection/avatars.js';
import { configuration, configure } from '../connection/client.js';

/** The tag that loaded `bundleUrl`, else the first tag with a URL and a key. */
function configTag(bundleUrl: string | undefined): HTMLScriptElement | undefined {
  const tagged = [...document.querySelectorAll<HTMLScriptElement>('script[data-supabase-url]')].filter(
    (tag) => tag.dataset.supabaseKey !== undefined || tag.dataset.anonKey !== undefined,
  );
  return tagged.find((tag) => bundleUrl !== undefined && tag.src === bundleUrl) ?? tagged[0];
}

/** `bundleUrl`: the entry module's `import.meta.url`, to find the tag that loaded it. */
export function configureFromScriptTag(bundleUrl?: string): void {
  if (typeof document === 'undefined' || configuration()) return;
  const script = configTag(bundleUrl);
  const supabaseUrl = script?.dataset.supabaseUrl?.trim();
  const supabaseKey = (script?.dataset.supabaseKey ?? script?.dataset.anonKey)?.trim();
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

/** `data-*` of the script tag → attribute of `<pasabay-launcher>`. */
const launcherAttributes: Record<string, string> = {
  conversationId: 'conversation-id',
  withUser: 'with-user',
  mode: 'mode',
  corner: 'corner',
  heading: 'heading',
  lang: 'lang',
  theme: 'theme',
};

/**
 * When the tag that loaded `bundleUrl` (or the first configuring tag) has `data-launcher`,
 * appends one `<pasabay-launcher>` to the body with that tag's `data-conversation-id`,
 * `data-with-user`, `data-mode`, `data-corner`, `data-heading`, `data-lang` and `data-theme`.
 * Once per page: a launcher already on it is left alone. The tag must be registered already.
 */
export function launcherFromScriptTag(bundleUrl?: string): void {
  if (typeof document === 'undefined') return;
  const script = configTag(bundleUrl);
  if (!script || script.dataset.launcher === undefined) return;
  const mount = () => {
    if (document.querySelector('pasabay-launcher')) return;
    const launcher = document.createElement('pasabay-launcher');
    for (const [key, attribute] of Object.entries(launcherAttributes)) {
      const value = script.dataset[key]?.trim();
      if (value) launcher.setAttribute(attribute, value);
    }
    document.body.append(launcher);
  };
  // Module scripts run after parsing, but a classic or async load may come before <body>.
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}
