/**
 * Translations of the strings tables. English is built in (the tables next to this file); every
 * other language is a chunk of its own under `locales/<language>/`, imported the first time an
 * element needs it, so a page pays only for the languages it shows. A translation may lack keys
 * (a table grew after it was written): those stay English.
 */
import { chatStrings, type ChatStrings } from './chat.js';
import { launcherStrings, type LauncherStrings } from './launcher.js';
import { participantsStrings, type ParticipantsStrings } from './participants.js';
import { typingStrings, type TypingStrings } from './typing.js';
import type { Translation } from './translation.js';

export type { Translation };

/** The English tables by name; a translation has the same names, each table possibly partial. */
export const englishTables = {
  chat: chatStrings,
  typing: typingStrings,
  participants: participantsStrings,
  launcher: launcherStrings,
};
export type TableName = keyof typeof englishTables;

/** Every key of every table, flat (the keys are unique across tables). */
export type AllStrings = ChatStrings & TypingStrings & ParticipantsStrings & LauncherStrings;

export const languages = ['en', 'fil', 'es', 'ar'] as const;
export type Language = (typeof languages)[number];

// One literal import() per language: bundlers make each its own chunk.
const loaders: Record<Exclude<Language, 'en'>, () => Promise<{ default: Translation }>> = {
  fil: () => import('./locales/fil/index.js'),
  es: () => import('./locales/es/index.js'),
  ar: () => import('./locales/ar/index.js'),
};

const flat = new Map<Language, Partial<AllStrings>>([['en', {}]]);
const pending = new Map<Language, Promise<Partial<AllStrings> | undefined>>();

/** The language of ours closest to the BCP 47 tag `lang` (`es-MX` → `es`, `tl` → `fil`); else English. */
export function languageOf(lang: string | undefined): Language {
  const primary = (lang ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (primary === 'tl') return 'fil';
  return (languages as readonly string[]).includes(primary) ? (primary as Language) : 'en';
}

// Scripts written right to left, by primary language subtag.
const rightToLeft = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** `rtl` for languages written right to left (Arabic, Hebrew, Persian, Urdu…), else `ltr`. */
export function directionOf(lang: string | undefined): 'ltr' | 'rtl' {
  const primary = (lang ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return rightToLeft.has(primary) ? 'rtl' : 'ltr';
}

/** `language`'s tables as one flat object when loaded (English: empty), else `undefined`. */
export function loadedTranslation(language: Language): Partial<AllStrings> | undefined {
  return flat.get(language);
}

/**
 * Loads `language`'s chunk once. Resolves to its flat tables, or `undefined` when the chunk
 * could not be loaded (offline, moved): the elements stay in English and a later call tries again.
 */
export function loadTranslation(language: Language): Promise<Partial<AllStrings> | undefined> {
  const done = flat.get(language);
  if (done) return Promise.resolve(done);
  let loading = pending.get(language);
  if (!loading) {
    loading = loaders[language as Exclude<Language, 'en'>]()
      .then((module) => {
        const tables = module.default;
        const merged: Partial<AllStrings> = {
          ...tables.chat,
          ...tables.typing,
          ...tables.participants,
          ...tables.launcher,
        };
        flat.set(language, merged);
        return merged;
      })
      .catch((error: unknown) => {
        console.error(`[pasabay] the "${language}" strings could not be loaded; showing English.`, error);
        return undefined;
      })
      .finally(() => pending.delete(language));
    pending.set(language, loading);
  }
  return loading;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `translation` with `overrides` on top: an element's own `strings` win over its language. Values
 * that are maps (`reactionNames`) merge key by key; `undefined` overrides keep the translation.
 */
export function layerStrings<T extends object>(translation: Partial<T>, overrides: Partial<T> | undefined): Partial<T> {
  const layered: Record<string, unknown> = { ...translation };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) continue;
    const below = layered[key];
    layered[key] = isRecord(below) && isRecord(value) ? { ...below, ...value } : value;
  }
  return layered as Partial<T>;
}
