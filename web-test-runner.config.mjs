/**
 * Browser tests: real Chromium (Debian's, or CHROME_PATH), TypeScript through esbuild with the
 * project's tsconfig, and ONE local Supabase stack for the run on a throwaway embedded database.
 * Tests read its URL and keys from `test/support/browser-stack.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { register } from 'tsx/esm/api';

// TypeScript modules of the project (the Chromium flags, the local stack) load through tsx.
const unregister = register();
const { chromiumArgs, chromiumPath } = await import('./test/support/chromium.ts');
const { reactAsModules } = await import('./test/support/react-as-modules.mjs');

/** Starts the stack when the test server starts and stops it (and its database) when it stops. */
function localStackPlugin() {
  let stack;
  let dataDir;
  return {
    name: 'pasabay-local-stack',
    async serverStart() {
      const { startStack } = await import('./supabase/local/server.ts');
      dataDir = await mkdtemp(join(tmpdir(), 'pasabay-wtr-'));
      // Realtime delays a refused join's reply by 5 s (Supabase's default); tests of the
      // not-allowed state need not wait that long.
      process.env.CHANNEL_ERROR_BACKOFF_MS ??= '200';
      // The suite signs up hundreds of users from 127.0.0.1, far past GoTrue's per-client limits.
      process.env.GOTRUE_RATE_LIMIT_OTP ??= '100000';
      process.env.GOTRUE_RATE_LIMIT_ANONYMOUS_USERS ??= '100000';
      // DATABASE_URL is for the Node suites; the browser suite always gets its own fresh database.
      stack = await startStack({ port: 0, dataDir, databaseUrl: '', seed: false });
    },
    async serverStop() {
      await stack?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      await unregister();
    },
    transform(context) {
      if (context.response.is('html') && stack) {
        const config = { url: stack.url, anonKey: stack.anonKey, serviceRoleKey: stack.serviceRoleKey };
        return {
          body: context.body.replace(
            '<head>',
            `<head><script>globalThis.__PASABAY_STACK__ = ${JSON.stringify(config)};</script>`,
          ),
        };
      }
      return undefined;
    },
  };
}

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  files: [
    'test/components/**/*.test.ts',
    'test/connection/**/*.test.ts',
    'test/controllers/**/*.test.ts',
    'test/react/**/*.test.ts',
  ],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 600_000,
  browserStartTimeout: 60_000,
  testFramework: { config: { timeout: 20_000 } },
  // A failure whose values the runner cannot send (a DOM node) would otherwise hang the file.
  testRunnerHtml: (testFramework) =>
    `<!doctype html><html><head></head><body>` +
    `<script type="module" src="/test/support/reportable-failures.ts"></script>` +
    `<script type="module" src="${testFramework}"></script></body></html>`,
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
    localStackPlugin(),
    reactAsModules(),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
      },
    }),
  ],
};
