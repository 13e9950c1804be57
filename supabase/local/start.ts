/**
 * `npm run stack`: the local Supabase-compatible stack alone. `npm start`: the stack plus the
 * demo pages (Vite dev server). Prints the URL and keys like `supabase start`.
 */
import { startDemoServer } from './demo-server.js';
import { startStack, type Stack } from './server.js';

const withDemo = process.argv.includes('--demo');
const port = Number(process.env['PASABAY_PORT'] ?? 54321);
const demoPort = Number(process.env['PASABAY_DEMO_PORT'] ?? 5173);
const started = performance.now();

let stack: Stack | undefined;
let closeDemo: (() => Promise<void>) | undefined;

async function main(): Promise<void> {
  stack = await startStack({ port, seed: true, processMetrics: true });
  const ready = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`
Pasabay local stack is running (ready in ${ready} s).

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
  console.log('Press Ctrl+C to stop.');
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`\n${signal}: stopping…`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await closeDemo?.().catch(() => undefined);
  await stack?.stop().catch((error: unknown) => console.error(error));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (error: unknown) => {
  console.error('Could not start the local stack:', error instanceof Error ? error.message : error);
  await stack?.stop().catch(() => undefined);
  process.exit(1);
});
