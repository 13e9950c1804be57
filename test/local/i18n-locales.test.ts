/**
 * Every key of every English strings table exists, with the same kind of value, in every
 * translation; and every English table under src/i18n is one the translations know. A failure
 * names the language, the table and the missing keys, so a table that grew is easy to finish.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { englishTables, languages, loadTranslation, type Language, type TableName } from '../../src/i18n/locales.js';
import { REPO_ROOT } from '../../supabase/local/db.js';

const translated = languages.filter((language): language is Exclude<Language, 'en'> => language !== 'en');

async function tablesOf(language: Exclude<Language, 'en'>): Promise<Record<TableName, Record<string, unknown>>> {
  const module = (await import(`../../src/i18n/locales/${language}/index.ts`)) as {
    default: Record<TableName, Record<string, unknown>>;
  };
  return module.default;
}

describe('translations', () => {
  it('know every English table under src/i18n', async () => {
    const folder = path.join(REPO_ROOT, 'src/i18n');
    const known = new Set<unknown>(Object.values(englishTables));
    const unknown: string[] = [];
    for (const file of (await readdir(folder)).filter((name) => name.endsWith('.ts'))) {
      const module = (await import(path.join(folder, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        // A table is an exported `…Strings` object; `defaultStrings` is several merged.
        if (!name.endsWith('Strings') || name === 'defaultStrings' || typeof value !== 'object') continue;
        if (!known.has(value)) unknown.push(`${file}: ${name}`);
      }
    }
    assert.deepEqual(unknown, [], 'add these tables to englishTables (src/i18n/locales.ts) and translate them');
  });

  for (const language of translated) {
    it(`${language} has every English key`, async () => {
      const tables = await tablesOf(language);
      const problems: string[] = [];
      for (const [name, english] of Object.entries(englishTables) as unknown as [
        TableName,
        Record<string, unknown>,
      ][]) {
        const table = tables[name];
        if (!table) {
          problems.push(`${language}/${name}: the whole table`);
          continue;
        }
        const missing = Object.keys(english).filter((key) => !(key in table));
        if (missing.length > 0) problems.push(`${language}/${name} lacks: ${missing.join(', ')}`);
        const stale = Object.keys(table).filter((key) => !(key in english));
        if (stale.length > 0) problems.push(`${language}/${name} has keys English no longer has: ${stale.join(', ')}`);
        for (const key of Object.keys(english).filter((key) => key in table)) {
          if (typeof table[key] !== typeof english[key]) {
            problems.push(`${language}/${name}.${key} is a ${typeof table[key]}, English a ${typeof english[key]}`);
          }
        }
        const englishNames = english.reactionNames as Record<string, string> | undefined;
        const names = table.reactionNames as Record<string, string> | undefined;
        if (englishNames && names) {
          const lacking = Object.keys(englishNames).filter((emoji) => !(emoji in names));
          if (lacking.length > 0) problems.push(`${language}/${name}.reactionNames lacks: ${lacking.join(' ')}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it(`${language} strings are non-empty and its functions answer for 0, 1, 2, 3, 11 and 100`, async () => {
      const strings = (await loadTranslation(language)) as Record<string, unknown>;
      const empty: string[] = [];
      for (const [key, value] of Object.entries(strings)) {
        if (typeof value === 'string' && value.trim() === '') empty.push(key);
        if (typeof value !== 'function') continue;
        for (const count of [0, 1, 2, 3, 11, 100]) {
          const args = Array.from({ length: (value as (...args: unknown[]) => string).length }, (_, i) =>
            i === 0 ? count : i === 1 ? count : i === 2 ? count : false,
          );
          const text = (value as (...args: unknown[]) => unknown)(...args);
          if (typeof text !== 'string' || text.trim() === '') empty.push(`${key}(${count})`);
        }
      }
      assert.deepEqual(empty, []);
    });
  }
});
