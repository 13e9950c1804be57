/**
 * The language of one element: its closest `lang` (through shadow roots, then the document's),
 * the translation for it (loaded on first use) and the text direction. Re-renders the host when
 * a `lang` above it changes or its translation arrives.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  directionOf,
  languageOf,
  layerStrings,
  loadTranslation,
  loadedTables,
  type Language,
  type TableName,
  type Translation,
} from './locales.js';
import { effectiveLang } from './strings.js';

type Host = ReactiveControllerHost & HTMLElement;

interface Watch {
  observer: MutationObserver;
  listeners: Set<() => void>;
}

// One observer per document or shadow root, shared by every element under it: `lang` changes are
// rare, and a page may hold hundreds of elements.
const watches = new WeakMap<Node, Watch>();

function watchLang(root: Node, listener: () => void): () => void {
  let watch = watches.get(root);
  if (!watch) {
    const listeners = new Set<() => void>();
    const observer = new MutationObserver(() => {
      for (const notify of [...listeners]) notify();
    });
    observer.observe(root, { attributes: true, attributeFilter: ['lang'], subtree: true });
    watch = { observer, listeners };
    watches.set(root, watch);
  }
  watch.listeners.add(listener);
  const owned = watch;
  return () => {
    owned.listeners.delete(listener);
    if (owned.listeners.size === 0) {
      owned.observer.disconnect();
      watches.delete(root);
    }
  };
}

export class LocaleController implements ReactiveController {
  readonly #host: Host;
  #lang = '';
  #applied: Translation | undefined;
  /** The language whose chunk this element asked for and has not got yet. */
  #requested: Language | undefined;
  #unwatch: (() => void)[] = [];
  /** The `dir` this controller set on the host, to tell it from one the page set. */
  #dirSet: string | undefined;

  constructor(host: Host) {
    this.#host = host;
    host.addController(this);
  }

  /** The `lang` in effect (BCP 47, as written), for `Intl`. */
  get lang(): string {
    return this.#lang;
  }

  hostConnected(): void {
    const onChange = () => {
      if (effectiveLang(this.#host) !== this.#lang) this.#host.requestUpdate();
    };
    // Every root between the host and the document: a `lang` on any ancestor may change.
    for (let root: Node | undefined = this.#host.getRootNode(); root;) {
      this.#unwatch.push(watchLang(root, onChange));
      root = root instanceof ShadowRoot ? root.host.getRootNode() : undefined;
    }
    onChange();
  }

  hostDisconnected(): void {
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
  }

  /**
   * Reads the language again (call from `willUpdate`). True when the strings must be resolved
   * again: the language changed and its translation is at hand. While a translation loads, the
   * previous strings stay and the host updates again when it arrives.
   */
  sync(): boolean {
    this.#lang = effectiveLang(this.#host);
    this.#syncDirection();
    const language = languageOf(this.#lang);
    const translation = loadedTables(language);
    if (!translation) {
      // One request per language switch: a chunk that failed to load is not asked for on every update.
      if (this.#requested !== language) {
        this.#requested = language;
        void loadTranslation(language).then((loaded) => {
          if (loaded && languageOf(this.#lang) === language) this.#host.requestUpdate();
        });
      }
      return false;
    }
    this.#requested = undefined;
    if (translation === this.#applied) return false;
    this.#applied = translation;
    return true;
  }

  /**
   * The element's `strings` overrides layered over the current translation of its table `table`
   * (only that table: two tables may use one key for different words, like `loading`).
   */
  layer<T extends object>(table: TableName, overrides: Partial<T>): Partial<T> {
    return layerStrings((this.#applied?.[table] ?? {}) as Partial<T>, overrides);
  }

  /**
   * A right-to-left language gets `dir="rtl"` on the host, so it renders right to left even on a
   * page that forgot `dir`. A `dir` the page set is left alone; an LTR language leaves the
   * direction to the page.
   */
  #syncDirection(): void {
    const host = this.#host;
    const current = host.getAttribute('dir');
    if (current !== null && current !== this.#dirSet) return;
    const wanted = directionOf(this.#lang) === 'rtl' ? 'rtl' : undefined;
    if (wanted === (current ?? undefined)) return;
    if (wanted) host.setAttribute('dir', wanted);
    else host.removeAttribute('dir');
    this.#dirSet = wanted;
  }
}
