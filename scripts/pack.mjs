/**
 * `npm pack` of this package into a fresh temporary folder. `prepack` builds first, so the
 * tarball holds exactly what a user would install from the registry.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packs the package and returns the tarball's path with npm's own report of it (file list,
 * packed `size` and `unpackedSize` in bytes).
 * @returns {{ tarball: string, report: { filename: string, size: number, unpackedSize: number, entryCount: number, files: { path: string }[] } }}
 */
export function packTarball() {
  const destination = mkdtempSync(join(tmpdir(), 'pasabay-pack-'));
  // Build output goes to stderr so that stdout is npm's JSON report alone.
  const stdout = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: packageRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  // Lifecycle scripts (prepack's build) also write to stdout, colour codes and all: npm's report
  // is the pretty-printed array that starts on a line of its own after them.
  const start = stdout.search(/^\[\s*$/m);
  if (start < 0) throw new Error(`npm pack printed no JSON report:\n${stdout}`);
  const report = JSON.parse(stdout.slice(start))[0];
  return { tarball: join(destination, report.filename), report };
}
