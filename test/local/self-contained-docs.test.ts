/**
 * The repository explains itself: no comment or document points at a file that is not in it (the
 * team's working notes live outside the repository and are restated in ARCHITECTURE.md,
 * CONTRIBUTING.md and SECURITY.md).
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../supabase/local/db.js';

const FOLDERS = ['src', 'supabase', 'test', 'demo', 'scripts', 'bin', 'examples', '.ci'];
const TOP_LEVEL = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'SECURITY.md', 'vite.config.ts'];
const TEXT = /\.(ts|mts|mjs|js|sql|md|html|vue|svelte|toml|sh|json)$|^run$/;
// Names of the outside notes, and any path climbing out of the repository to a sibling folder.
const OUTSIDE = /supabase-protocol\.md|toolchain\.md|chat-kits\.md|STYLE(\.md)? ?§|\.\.\/shared\//;

async function files(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await files(full)));
    else if (TEXT.test(entry.name)) found.push(full);
  }
  return found;
}

describe('documentation stays inside the repository', () => {
  it('no file cites a document outside it', async () => {
    const candidates = [
      ...TOP_LEVEL.map((name) => path.join(REPO_ROOT, name)),
      ...(await Promise.all(FOLDERS.map((folder) => files(path.join(REPO_ROOT, folder))))).flat(),
    ];
    const offenders: string[] = [];
    for (const file of candidates) {
      if (file.endsWith('self-contained-docs.test.ts')) continue;
      const text = await readFile(file, 'utf8').catch(() => '');
      text.split('\n').forEach((line, index) => {
        if (OUTSIDE.test(line)) offenders.push(`${path.relative(REPO_ROOT, file)}:${index + 1}: ${line.trim()}`);
      });
    }
    assert.ok(candidates.length > 100, `only ${candidates.length} files scanned`);
    assert.deepEqual(offenders, []);
  });
});
