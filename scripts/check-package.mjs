/**
 * Checks the package as users get it: packs it (building first), prints what the tarball holds,
 * then lints the tarball with publint (strict: warnings fail) and checks every entry point's
 * types with Are the Types Wrong (`esm-only` profile: the package has no CommonJS build, so only
 * resolution under `node16` ESM and `bundler` counts).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { packageRoot, packTarball } from './pack.mjs';

const { tarball, report } = packTarball();
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `${report.filename}: ${report.entryCount} files, ${kb(report.size)} packed, ${kb(report.unpackedSize)} unpacked`,
);
const maps = report.files.filter((file) => file.path.endsWith('.bundle.js.map'));
if (maps.length > 0) throw new Error(`bundle source maps in the tarball: ${maps.map((f) => f.path).join(', ')}`);

try {
  const run = (command, args) => execFileSync(command, args, { cwd: packageRoot, stdio: 'inherit' });
  run('npx', ['--no-install', 'publint', 'run', tarball, '--strict']);
  run('npx', ['--no-install', 'attw', tarball, '--profile', 'esm-only']);
} finally {
  rmSync(dirname(tarball), { recursive: true, force: true });
}
