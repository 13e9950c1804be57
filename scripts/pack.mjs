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
  const report = JSON.parse(stdout.slice(stdout.indexOf('[')))[0];
  return { tarball: join(destination, report.filename), report };
}
