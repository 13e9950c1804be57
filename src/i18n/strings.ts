/**
 * The strings table: every user-visible string of every element, overridable per element
 * through its `strings` property, plus Intl-based list formatting shared by the elements.
 */
import { chatStrings, type ChatStrings } from './chat.js';
import { participantsStrings, type ParticipantsStrings } from './participants.js';
import { typingStrings, type TypingStrings } from './typing.js';

export type { ChatStrings, ParticipantsStrings, TypingStrings };

export type Strings = ChatStrings & TypingStrings & ParticipantsStrings;

/** English defaults for all elements. */
export const defaultStrings: Strings = { ...chatStrings, ...typingStrings, ...participantsStrings };

/** `defaults` with the keys of `overrides` replaced; keys set to `undefined` keep the default. */
export function mergeStrings<T extends object>(defaults: T, overrides?: Partial<T> | null): T {
  if (!overrides) return defaults;
  const merged = { ...defaults };
  for (const key of Object.keys(overrides) as (keyof T)[]) {
    const value = overrides[key];
    if (value !== undefined && key in defaults) merged[key] = value as T[keyof T];
  }
  return merged;
}

/** One formatter per requested language: creating one (and checking the tag) costs far more than formatting. */
const listFormats = new Map<string, Intl.ListFormat>();

function listFormatFor(lang: string | undefined): Intl.ListFormat {
  const options: Intl.ListFormatOptions = { style: 'long', type: 'conjunction' };
  try {
    // An unsupported language falls back to the browser's by itself; only a malformed tag throws.
    return new Intl.ListFormat(lang || undefined, options);
  } catch {
    return new Intl.ListFormat(undefined, options);
  }
}

/** "Maria", "Maria and Carlos", "Maria, Carlos, and Ana" in the language `lang`. */
export function formatList(items: readonly string[], lang?: string): string {
  const key = lang ?? '';
  let format = listFormats.get(key);
  if (!format) {
    format = listFormatFor(lang);
    listFormats.set(key, format);
  }
  return format.format(items);
}

/** Up to this many typists are named; more are counted. */
export const maxNamedTypists = 2;

/**
 * "Maria is typing…", "Maria and Carlos are typing…", "3 people are typing…", or '' when
 * nobody is typing.
 */
export function typingSentence(names: readonly string[], strings: TypingStrings, lang?: string): string {
  if (names.length === 0) return '';
  if (names.length > maxNamedTypists) return strings.typingMany(names.length);
  const named = names.map((name) => name.trim() || strings.typingSomeone);
  return strings.typingNamed(formatList(named, lang), named.length);
}

/**
 * The language that applies to `element`: its own or its nearest ancestor's `lang`, looking
 * through shadow roots, then the document's, then the browser's.
 */
export function effectiveLang(element: Element): string {
  let node: Element | null = element;
  while (node) {
    const lang = node.getAttribute('lang');
    if (lang) return lang;
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
  }
  return document.documentElement.lang || navigator.language;
}
