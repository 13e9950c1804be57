/**
 * Script bundle sizes (`npm run bench`, see run.ts): builds the one-file bundle
 * (`vite build --mode bundle`) and the per-element bundles (`--mode bundles`) with the project's
 * vite config, and reports gzip -9 sizes: the one-file bundle, each element's bundle with every
 * chunk it imports (what a page with only that element loads), and the floor, Lit + supabase-js's
 * `createClient` alone built the same way. "Own code" is a bundle minus the floor (zod included).
 */
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { REPO_ROOT } from '../../supabase/local/db.js';
import path from 'node:path';

export interface BundleSizes {
  /** gzip -9 bytes. */
  allInOne: number;
  floor: number;
  /** Per element: its bundle and the chunks it imports, gzip -9 bytes each summed. */
  perElement: Record<string, number>;
  /** Shared chunks, by file name. */
  chunks: Record<string, number>;
  /**
   * Per element: the chunks it may load later through a dynamic `import()` (a language, a part of
   * the chat used on demand), by file name, gzip -9 bytes each; not counted in `perElement`.
   */
  lazy: Record<string, Record<string, number>>;
}

const gzipSize = (code: string) => gzipSync(code, { level: 9 }).length;

/** The chunks of a `vite build --mode <mode>` with the project's config, in memory. */
export async function chunksOf(mode: string, extra: Parameters<typeof build>[0] = {}): Promise<Rolldown.OutputChunk[]> {
  const result = (await build({
    root: REPO_ROOT,
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    mode,
    logLevel: 'warn',
    ...extra,
    build: { write: false, sourcemap: false, ...extra.build },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const outputs = Array.isArray(result) ? result : [result];
  return outputs.flatMap((output) =>
    output.output.filter((item): item is Rolldown.OutputChunk => item.type === 'chunk'),
  );
}

/** File names of an entry and every chunk it imports statically, however deep. */
export function closure(byName: ReadonlyMap<string, Rolldown.OutputChunk>, entry: Rolldown.OutputChunk): Set<string> {
  const seen = new Set<string>();
  const visit = (chunk: Rolldown.OutputChunk) => {
    if (seen.has(chunk.fileName)) return;
    seen.add(chunk.fileName);
    for (const imported of chunk.imports) visit(byName.get(imported)!);
  };
  visit(entry);
  return seen;
}

/** gzip -9 bytes of an entry and every chunk it imports, however deep: what a page loads for it. */
function loaded(chunks: readonly Rolldown.OutputChunk[], entry: Rolldown.OutputChunk): number {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  return [...closure(byName, entry)].reduce((sum, name) => sum + gzipSize(byName.get(name)!.code), 0);
}

/**
 * The chunks an entry can reach only through dynamic `import()`s (from its static closure or from
 * another lazy chunk), each with its gzip -9 bytes alone: what the page loads when a feature is
 * first used. A lazy chunk's own static imports that the page has not loaded yet are listed too.
 */
export function lazyChunks(
  chunks: readonly Rolldown.OutputChunk[],
  entry: Rolldown.OutputChunk,
): Record<string, number> {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const initial = closure(byName, entry);
  const lazy = new Set<string>();
  const pending = [...initial];
  while (pending.length > 0) {
    const chunk = byName.get(pending.pop()!)!;
    for (const dynamic of chunk.dynamicImports) {
      for (const name of closure(byName, byName.get(dynamic)!)) {
        if (initial.has(name) || lazy.has(name)) continue;
        lazy.add(name);
        pending.push(name);
      }
    }
  }
  return Object.fromEntries([...lazy].sort().map((name) => [name, gzipSize(byName.get(name)!.code)]));
}

export async function bundleSizes(): Promise<BundleSizes> {
  const allInOne = (await chunksOf('bundle')).find((chunk) => chunk.isEntry);
  const split = await chunksOf('bundles');
  const perElement: Record<string, number> = {};
  const lazy: Record<string, Record<string, number>> = {};
  for (const entry of split.filter((chunk) => chunk.isEntry)) {
    perElement[entry.name] = loaded(split, entry);
    lazy[entry.name] = lazyChunks(split, entry);
  }
  const chunks = Object.fromEntries(
    split.filter((chunk) => !chunk.isEntry).map((chunk) => [chunk.fileName, gzipSize(chunk.code)]),
  );
  // The floor: what any Lit element on supabase-js ships, built with the same config (as one more
  // entry beside the config's own, so only its closure counts).
  const floorId = '\0pasabay-floor';
  const floorBuild = await chunksOf('bundle', {
    plugins: [
      {
        name: 'pasabay:floor',
        enforce: 'pre',
        // Library mode resolves the entry against the root first.
        resolveId: (id) => (id.endsWith('pasabay-floor.js') ? floorId : null),
        load: (id) =>
          id === floorId
            ? "export { LitElement, html, css, svg, nothing } from 'lit'; export { createClient } from '@supabase/supabase-js';"
            : null,
      },
    ],
    build: { lib: { entry: { floor: 'pasabay-floor.js' }, formats: ['es'] } },
  });
  const floor = floorBuild.find((chunk) => chunk.isEntry && chunk.name === 'floor')!;
  return { allInOne: gzipSize(allInOne!.code), floor: loaded(floorBuild, floor), perElement, chunks, lazy };
}
