import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { allowedAvatarUrl, parseAvatarHosts } from '../../connection/avatars.js';
import { configuration } from '../../connection/client.js';
import { ClientController } from '../../controllers/client-controller.js';
import { SessionController } from '../../controllers/session-controller.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { TableName } from '../../i18n/locales.js';

/**
 * The shell every Pasabay element shares: where its Supabase client comes from (`client`,
 * `supabase-url` / `supabase-key`, else `configure()`), who is signed in (`guest-name`), its
 * theme, its strings and language, which avatars it may load, and its custom states.
 *
 * One shallow base rather than the house rule's "controllers or functions only": the shared part
 * is public API (seven properties with their attributes and docs), which a controller cannot
 * declare, and writing it three times let the elements drift apart. Behaviour still lives in
 * controllers; this class only wires the two every element needs (client, session) and must
 * stay one level deep, with nothing element-specific in it.
 *
 * `S` is the element's strings table; a subclass says how overrides merge into its defaults.
 */
export abstract class PasabayElement<S extends object> extends LitElement {
  private readonly internals = this.attachInternals();

  /** Resolves `client` / `supabase-url` / `supabase-key` / `configure()`; reports a missing one once. */
  protected readonly clientSource = new ClientController(this, {
    source: () => ({ client: this.client, supabaseUrl: this.supabaseUrl, supabaseKey: this.supabaseKey }),
    needed: () => this.needsClient(),
  });
  /** The signed-in user of that client (guest sign-in with `guest-name`). */
  protected readonly session = new SessionController(this, {
    client: () => this.clientSource.client,
    guestName: () => this.guestName || configuration()?.guestName,
  });

  /** The closest `lang`, its translation (loaded on first use) and the text direction. */
  protected readonly localization = new LocaleController(this);

  /** The element's strings: defaults with `strings` applied (kept in step by `willUpdate`). */
  protected resolvedStrings: S;
  /** The `lang` in effect for this element (its own, an ancestor's, or the document's). */
  protected locale = '';
  #avatarHostList: string[] = [];

  /** Supabase client of the host app; wins over `supabase-url` / `supabase-key` and `configure()`. */
  @property({ attribute: false }) client?: SupabaseClient;
  /** Supabase project URL, used with `supabase-key` when no `client` is set. */
  @property({ attribute: 'supabase-url' }) supabaseUrl = '';
  /** Supabase publishable (anon) key, used with `supabase-url`. */
  @property({ attribute: 'supabase-key' }) supabaseKey = '';
  /** Guest mode: when nobody is signed in, sign in anonymously under this display name. */
  @property({ attribute: 'guest-name' }) guestName = '';
  /**
   * Space-separated origins avatars may be loaded from, besides the project's public Storage and
   * `configure({ avatarHosts })`. Other avatars show initials.
   */
  @property({ attribute: 'avatar-hosts' }) avatarHosts = '';
  /** Pins the colour scheme (`light` or `dark`); otherwise it follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme?: 'light' | 'dark';
  /** Overrides for any of the element's strings. */
  @property({ attribute: false }) strings: Partial<S> = {};

  constructor() {
    super();
    this.resolvedStrings = this.resolveStrings({});
  }

  /** The strings table (`englishTables` in i18n/locales.ts) whose translation the element shows. */
  protected abstract readonly stringsTable: TableName;

  /** The element's defaults with `overrides` applied. */
  protected abstract resolveStrings(overrides: Partial<S>): S;

  /**
   * Whether the element needs a client now. An element with nothing to show yet (no
   * conversation) neither resolves one nor reports that it has none.
   */
  protected needsClient(): boolean {
    return true;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Translation first, then the element's own `strings` on top; missing keys stay English.
    const translated = this.localization.sync();
    if (changed.has('strings') || translated)
      this.resolvedStrings = this.resolveStrings(this.localization.layer(this.stringsTable, this.strings));
    if (changed.has('avatarHosts')) this.#avatarHostList = parseAvatarHosts(this.avatarHosts);
    this.locale = this.localization.lang;
    // Subclasses decide from the client in their own willUpdate: resolve it before they do.
    this.clientSource.sync();
  }

  /** `url` when this element may load it as an avatar (see connection/avatars.ts), else `undefined`. */
  protected avatarUrl(url: string | null | undefined, client = this.clientSource.client): string | undefined {
    return allowedAvatarUrl(url, client, this.#avatarHostList);
  }

  /**
   * Sets or clears the custom state `name` (`:state(name)`). Browsers that only know the older
   * `--name` form get that one; none of this ever throws, and parts carry the states as well.
   */
  protected toggleState(name: string, on: boolean): void {
    const states = this.internals.states as CustomStateSet | undefined;
    if (!states) return;
    for (const candidate of [name, `--${name}`]) {
      try {
        if (on) states.add(candidate);
        else states.delete(candidate);
        return;
      } catch {
        // Not accepted in this form: try the next one.
      }
    }
  }
}

/**
 * Registers `element` under `tag` unless the tag is taken. A class can be defined only once, so a
 * second tag gets a subclass.
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  if (customElements.get(tag)) return;
  customElements.define(tag, customElements.getName(element) ? class extends element {} : element);
}
