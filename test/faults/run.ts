/**
 * `npm run test:faults`: the fault suite. Runs every `test/faults/*.test.ts` (Node `node --test`
 * files: the stack's own fault cases and the `<pasabay-chat>` cases in Chromium) one file at a time,
 * each through test/support/run-node-tests.ts (a fresh PostgreSQL and template per file, since some
 * cases kill and restart the server), then prints the summary table of every case that reported
 * figures (sent / stored / shown per view / time to recover) and each file's outcome.
 *
 *   tsx test/faults/run.ts                       every fault file
 *   tsx test/faults/run.ts test/faults/widget.test.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from './support/widget-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAULTS = path.join(ROOT, 'test/faults');

function run(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/support/run-node-tests.ts'), file],
      { cwd: ROOT, env, stdio: 'inherit' },
    );
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<number> {
  const targets = process.argv.slice(2);
  const files =
    targets.length > 0
      ? targets.map((target) => path.relative(ROOT, path.resolve(ROOT, target)))
      : (await readdir(FAULTS))
          .filter((name) => name.endsWith('.test.ts'))
          .sort()
          .map((name) => path.join('test/faults', name));
  if (files.length === 0) {
    console.error('No test/faults/*.test.ts files');
    return 1;
  }
  const scratch = await mkdtemp(path.join(tmpdir(), 'pasabay-faults-'));
  const resultsFile = path.join(scratch, 'results.jsonl');
  const outcomes: { file: string; code: number; ms: number }[] = [];
  try {
    for (const file of files) {
      console.log(`\n# fault file ${file}`);
      const started = Date.now();
      const code = await run(file, { ...process.env, PASABAY_FAULT_RESULTS: resultsFile });
      outcomes.push({ file, code, ms: Date.now() - started });
    }
    const text = await readFile(resultsFile, 'utf8').catch(() => '');
    const results = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as CaseResult);

    console.log('\n# Fault suite summary\n');
    if (results.length > 0) {
      console.log(
        table([
          ['case', 'sent', 'stored', 'shown per view', 'time to recover', 'note'],
          ...results.map((result) => [
            result.name,
            String(result.sent),
            String(result.stored),
            Object.entries(result.shown)
              .map(([view, count]) => `${view} ${count}`)
              .join(', '),
            seconds(result.recoverMs),
            result.note ?? '',
          ]),
        ]),
      );
      console.log('');
    }
    console.log(
      table([
        ['file', 'result', 'took'],
        ...outcomes.map(({ file, code, ms }) => [file, code === 0 ? 'passed' : `FAILED (exit ${code})`, seconds(ms)]),
      ]),
    );
    return outcomes.every(({ code }) => code === 0) ? 0 : 1;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
