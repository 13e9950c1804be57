/**
 * The roster benchmark alone (`npx tsx test/bench/roster-run.ts`): starts the local stack as
 * run.ts does and prints `<meeting-participants>` against a bare presence subscriber for join
 * waves of 100 and 400, each run's figures and their medians. BENCH_ROSTER_RUNS (default 3) sets
 * the runs, BENCH_ROSTER_SIZES (e.g. `400`) the wave sizes; BENCH_ROSTER_PROFILE=element prints
 * the element page's hottest functions (see roster.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack } from '../../supabase/local/server.js';
import { benchRoster } from './roster.js';

const runs = Number(process.env['BENCH_ROSTER_RUNS'] ?? 3);
const sizes = (process.env['BENCH_ROSTER_SIZES'] ?? '100,400').split(',').map(Number);

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pasabay-roster-bench-'));
  const stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
  try {
    console.log(`# roster wave: element / bare presence subscriber, main-thread script ms, ${runs} runs, medians`);
    for (const result of await benchRoster(stack, sizes, runs)) {
      const runsText = result.elementRuns
        .map((element, i) => `${element.toFixed(0)}/${result.bareRuns[i]!.toFixed(0)}`)
        .join(' ');
      console.log(
        `roster-${result.size}`.padEnd(12),
        `element ${result.elementMs.toFixed(1).padStart(7)} ms`,
        `bare ${result.bareMs.toFixed(1).padStart(7)} ms`,
        `ratio ${(result.elementMs / result.bareMs).toFixed(2)}`,
        `  (runs element/bare: ${runsText})`,
      );
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
