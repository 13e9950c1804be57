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

const listFormats = new Map<string, Intl.ListFormat>();

function supportedLocale(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  try {
    return Intl.ListFormat.supportedLocalesOf([lang]).length > 0 ? lang : undefined;
  } catch {
    return undefined; // malformed language tag: the browser's locale
  }
}

/** "Maria", "Maria and Carlos", "Maria, Carlos, and Ana" in the language `lang`. */
export function formatList(items: readonly string[], lang?: string): string {
  const locale = supportedLocale(lang);
  const key = locale ?? '';
  let format = listFormats.get(key);
  if (!format) {
    format = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
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
