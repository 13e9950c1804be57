// `pasabay-chat init`: copies the package's migrations into a Supabase CLI project. Each copy gets
// a fresh timestamp (after every migration already in the folder, keeping the shipped order) and
// a marker line naming the shipped file, which is how a later run recognises it: running init
// again copies only migrations that a newer version of the package added, and never overwrites.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELP = `Usage: pasabay-chat init [--dir supabase/migrations]

Copies Pasabay Chat's SQL migrations into your Supabase project's migrations folder, with fresh
timestamps so that they run after the migrations you already have, in their shipped order. Files
are never overwritten; migrations copied before are recognised by their first line
("-- pasabay-chat migration: <name>") and skipped. Then apply them with \`supabase db push\`
(hosted) or \`supabase db reset\` (local).

Options:
  --dir <path>   Migrations folder (default: supabase/migrations)
  -h, --help     Show this help
`;

export const SHIPPED_MIGRATIONS = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));
const MARKER = '-- pasabay-chat migration: ';
const MIGRATION_FILE = /^(\d{14})_(.+)\.sql$/;

/** `{ dir, source? }` → exit code. `source` is for tests only. */
export async function init({ dir = 'supabase/migrations', source = SHIPPED_MIGRATIONS, log = console.log } = {}) {
  const target = path.resolve(dir);
  const shipped = (await readdir(source)).filter((file) => MIGRATION_FILE.test(file)).sort();
  if (shipped.length === 0) throw new Error(`no migrations found in ${source}`);

  await mkdir(target, { recursive: true });
  const existing = (await readdir(target)).filter((file) => file.endsWith('.sql')).sort();
  const copiedAs = new Map(); // shipped name → file in target
  for (const file of existing) {
    const firstLine = (await readFile(path.join(target, file), 'utf8')).split('\n', 1)[0].trim();
    if (firstLine.startsWith(MARKER)) copiedAs.set(firstLine.slice(MARKER.length).trim(), file);
  }

  const missing = shipped.filter((file) => !copiedAs.has(file));
  const already = shipped.length - missing.length;
  if (missing.length === 0) {
    log(`All ${shipped.length} Pasabay Chat migrations are already in ${dir}; nothing copied.`);
    return 0;
  }

  // One second apart, starting after now and after the newest migration already in the folder,
  // so the Supabase CLI applies them last and in order.
  const newest = existing
    .map((file) => MIGRATION_FILE.exec(file)?.[1])
    .filter(Boolean)
    .sort()
    .at(-1);
  let next = Math.max(Date.now(), newest ? timestampToMs(newest) + 1000 : 0);
  const written = [];
  for (const file of missing) {
    const name = `${msToTimestamp(next)}_${MIGRATION_FILE.exec(file)[2]}.sql`;
    next += 1000;
    const sql = await readFile(path.join(source, file), 'utf8');
    // `wx`: fail rather than overwrite should the name exist after all.
    await writeFile(path.join(target, name), `${MARKER}${file}\n${sql}`, { flag: 'wx' });
    written.push(`  ${name}  (from ${file})`);
  }
  log(`Copied ${missing.length} Pasabay Chat migration${missing.length === 1 ? '' : 's'} into ${dir}:`);
  for (const line of written) log(line);
  if (already > 0) log(`${already} copied before were left as they are.`);
  log('Next: `supabase db push` (hosted project) or `supabase db reset` (local), then `npx pasabay-chat doctor`.');
  return 0;
}

function msToTimestamp(ms) {
  return new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14);
}

function timestampToMs(stamp) {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(stamp);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}
