/**
 * Builds every example app against the packed tarball, as a user would install the package.
 *
 * Convention for `examples/<name>/`: a `package.json` with pinned dependencies, one of them
 * `"pasabay-chat": "file:<tarball>"` (this script substitutes the packed tarball's path), and a
 * `build` script that fails on any problem: a strict type-check first for typed examples
 * (`tsc --noEmit`, `vue-tsc`, `svelte-check`), then the app's own build or check. Each example
 * is copied to a temporary folder (without node_modules), installed with
 * `npm install --no-audit --no-fund` and built there; the repo's own node_modules never leak in.
 *
 * Prints one line per example with its result and time; exits non-zero if any example failed.
 * Also checks that the README's "In a framework app" snippet is the one examples/react type-checks.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot, packTarball } from './pack.mjs';

const examplesDir = join(packageRoot, 'examples');
const placeholder = 'file:<tarball>';

/** The README snippet and the one examples/react compiles must be the same text. */
function readmeSnippetMatches() {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const section = readme.split('### In a framework app')[1] ?? '';
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const example = readFileSync(join(examplesDir, 'react/src/framework-snippet.ts'), 'utf8');
  const compiled = /\/\/ --- README snippet\n([\s\S]*?)\/\/ --- end of README snippet/.exec(example)?.[1];
  return block !== undefined && block === compiled;
}

function buildExample(name, tarball) {
  const dir = join(mkdtempSync(join(tmpdir(), `pasabay-example-${name}-`)), name);
  try {
    cpSync(join(examplesDir, name), dir, {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
    });
    const manifestPath = join(dir, 'package.json');
    const manifest = readFileSync(manifestPath, 'utf8');
    if (!manifest.includes(placeholder)) throw new Error(`package.json does not depend on "${placeholder}"`);
    writeFileSync(manifestPath, manifest.replace(placeholder, `file:${tarball}`));
    const run = (args) => execFileSync('npm', args, { cwd: dir, stdio: 'inherit' });
    run(['install', '--no-audit', '--no-fund']);
    run(['run', 'build']);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

const { tarball, report } = packTarball();
console.log(`packed ${report.filename}: ${report.entryCount} files`);
const results = [];
try {
  const names = readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, 'package.json')));
  for (const name of names.sort()) {
    const started = Date.now();
    console.log(`\n--- examples/${name}`);
    try {
      buildExample(name, tarball);
      results.push({ name, ok: true, seconds: (Date.now() - started) / 1000 });
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      results.push({ name, ok: false, seconds: (Date.now() - started) / 1000 });
    }
  }
} finally {
  rmSync(join(tarball, '..'), { recursive: true, force: true });
}

const snippetOk = readmeSnippetMatches();
console.log('\nexample apps from the packed tarball:');
for (const { name, ok, seconds } of results) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} examples/${name} (${seconds.toFixed(1)} s)`);
}
console.log(
  `  ${snippetOk ? 'ok  ' : 'FAIL'} README "In a framework app" snippet is examples/react/src/framework-snippet.ts`,
);
const failed = results.filter((result) => !result.ok).length + (snippetOk ? 0 : 1);
console.log(`${results.length + 1 - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
