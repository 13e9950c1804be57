/**
 * `npm run stack`: the local Supabase-compatible stack alone. `npm start`: the stack plus the
 * demo pages (Vite dev server). Prints the URL and keys like `supabase start`.
 *
 * PASABAY_PORT, PASABAY_DEMO_PORT and PASABAY_DATA_DIR (default `.pasabay/postgres`) move it.
 * Every failure to start is said in one clear line and exits non-zero, never silently. The
 * embedded PostgreSQL lives no longer than this process (see db.ts), and this process no longer
 * than the one that launched it (tsx, npm): once that parent is gone it stops.
 */
import { createServer } from 'node:net';
import { startDemoServer } from './demo-server.js';
import { startStack, type Stack } from './server.js';

const withDemo = process.argv.includes('--demo');
const started = performance.now();

let stack: Stack | undefined;
let closeDemo: (() => Promise<void>) | undefined;
let ready = false;

class StartError extends Error {}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new StartError(`${name}=${raw} is not a port number (0–65535)`);
  return value;
}

/** Fails fast, before the database starts, when the API port is taken. */
async function checkPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portInUse(port) : error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function portInUse(port: number): StartError {
  return new StartError(
    `port ${port} is in use (a running \`supabase start\`, or another Pasabay stack?) — set PASABAY_PORT=<free port>` +
      ` (and PASABAY_DEMO_PORT for the demo)`,
  );
}

async function main(): Promise<void> {
  const port = portFromEnv('PASABAY_PORT', 54321);
  const demoPort = portFromEnv('PASABAY_DEMO_PORT', 5173);
  await checkPortFree(port);
  try {
    stack = await startStack({
      port,
      seed: true,
      processMetrics: true,
      dataDir: process.env['PASABAY_DATA_DIR'] || undefined,
    });
  } catch (error) {
    // Another process took the port between the check and the listen.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(port);
    throw error;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`
Pasabay local stack is running (ready in ${seconds} s).

         API URL: ${stack.url}
          DB URL: ${redact(stack.databaseUrl)}
         anon key: ${stack.anonKey}
service_role key: ${stack.serviceRoleKey}
  Publishable key: ${stack.publishableKey}
       Secret key: ${stack.secretKey}
      Metrics URL: ${stack.url}/metrics
`);
  if (withDemo) {
    const demo = await startDemoServer({ stackUrl: stack.url, port: demoPort });
    closeDemo = () => demo.close();
    const address = demo.url;
    console.log(`            Demo: ${address}
                  Sign in as maria@example.com, carlos@example.com or ana@example.com, password "pasabay-demo".
`);
  }
  ready = true;
  console.log('Press Ctrl+C to stop.');
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}

let shuttingDown = false;
async function shutdown(reason: string, code = 0): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`\n${reason}: stopping…`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await closeDemo?.().catch(() => undefined);
  await stack?.stop().catch((error: unknown) => console.error(error));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));

// Launched through tsx or npm, this process outlives a parent killed with SIGKILL (it is
// re-parented); it then stops by itself rather than keep the ports and the database.
const launcher = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid !== launcher) void shutdown('the process that started the stack is gone', 1);
}, 1000);
parentWatch.unref();

// A start that can neither finish nor fail (something awaited that can never settle) would let
// Node exit 0 with nothing said.
process.on('beforeExit', () => {
  if (ready || shuttingDown) return;
  console.error('Could not start the local stack: the start stopped without finishing (this is a bug).');
  process.exit(1);
});

main().catch(async (error: unknown) => {
  console.error('Could not start the local stack:', error instanceof Error ? error.message : error);
  shuttingDown = true;
  await stack?.stop().catch(() => undefined);
  process.exit(1);
});
