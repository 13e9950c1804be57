/**
 * Translations of the strings tables. English is built in (the tables next to this file); every
 * other language is a chunk of its own under `locales/<language>/`, imported the first time an
 * element needs it, so a page pays only for the languages it shows. A translation may lack keys
 * (a table grew after it was written): those stay English.
 */
import { chatStrings, type ChatStrings } from './chat.js';
import { conversationListStrings, type ConversationListStrings } from './conversation-list.js';
import { launcherStrings, type LauncherStrings } from './launcher.js';
import { participantsStrings, type ParticipantsStrings } from './participants.js';
import { reactionsStrings, type ReactionsStrings } from './reactions.js';
import { typingStrings, type TypingStrings } from './typing.js';
import type { Translation } from './translation.js';

export type { Translation };

/** The English tables by name; a translation has the same names, each table possibly partial. */
export const englishTables = {
  chat: chatStrings,
  typing: typingStrings,
  participants: participantsStrings,
  launcher: launcherStrings,
  conversationList: conversationListStrings,
  reactions: reactionsStrings,
};
export type TableName = keyof typeof englishTables;

/**
 * Every key of every table, flat. Keys are unique across tables except where one table reuses
 * another's (`conversationList` carries the typing sentences) and three keys of `conversationList`
 * that `chat` has too (`loading`, `empty`, `unread`): in the flat object `chat`'s win. Elements
 * read their own table (`tablesOf`), never the flat object.
 */
export type AllStrings = ChatStrings &
  TypingStrings &
  ParticipantsStrings &
  LauncherStrings &
  Omit<ConversationListStrings, 'loading' | 'empty' | 'unread'> &
  ReactionsStrings;

export const languages = ['en', 'fil', 'es', 'ar'] as const;
export type Language = (typeof languages)[number];

// One literal import() per language: bundlers make each its own chunk.
const loaders: Record<Exclude<Language, 'en'>, () => Promise<{ default: Translation }>> = {
  fil: () => import('./locales/fil/index.js'),
  es: () => import('./locales/es/index.js'),
  ar: () => import('./locales/ar/index.js'),
};

const english: Translation = {
  chat: {},
  typing: {},
  participants: {},
  launcher: {},
  conversationList: {},
  reactions: {},
};
const flat = new Map<Language, Partial<AllStrings>>([['en', {}]]);
const byTable = new Map<Language, Translation>([['en', english]]);
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

/** `language`'s tables, each on its own, when loaded (English: all empty), else `undefined`. */
export function loadedTables(language: Language): Translation | undefined {
  return byTable.get(language);
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
        // `chat` last: its `loading`, `empty` and `unread` win over the conversation list's.
        const merged = {
          ...tables.reactions,
          ...tables.conversationList,
          ...tables.chat,
          ...tables.typing,
          ...tables.participants,
          ...tables.launcher,
        } as Partial<AllStrings>;
        byTable.set(language, tables);
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
