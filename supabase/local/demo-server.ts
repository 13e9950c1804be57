/**
 * The Vite dev server behind `npm start`'s demo pages, locked to what the pages need: the demo
 * folder, the library sources and node_modules. Everything else in the repository (the database
 * folder `.pasabay/`, `.git`, `.env*`, the stack's own code and keys) is refused, and so is any
 * request another origin makes for a resource, even one on another localhost port: a page there
 * could otherwise read files through `/@fs/` with the CORS Vite grants localhost by default.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin, ServerOptions } from 'vite';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_ROOT = path.join(REPO_ROOT, 'demo');
// custom-elements.json: the API page (demo/docs.html) reads the elements' documentation from it.
const SERVED_FOLDERS = [
  DEMO_ROOT,
  path.join(REPO_ROOT, 'src'),
  path.join(REPO_ROOT, 'node_modules'),
  path.join(REPO_ROOT, 'custom-elements.json'),
];

/** Refused even inside the served folders (Vite matches these against absolute file paths). */
const DENIED_FILES = [
  '**/.pasabay/**',
  '**/.git/**',
  '**/.env',
  '**/.env.*',
  '**/*.{crt,pem,key,p12,pfx}',
  '**/supabase/local/**',
  '**/.npmrc',
];

/** Server options shared by `npm start` and a bare `vite` dev run (vite.config.ts). */
export function hardenedServerOptions(): ServerOptions {
  return {
    host: '127.0.0.1',
    // No CORS headers at all: Vite's default allows every localhost origin, any port.
    cors: false,
    // DNS rebinding: only these Host headers are answered.
    allowedHosts: ['localhost', '127.0.0.1'],
    fs: { strict: true, allow: SERVED_FOLDERS, deny: DENIED_FILES },
  };
}

const DOT_SEGMENT = /(^|\/)\.[^/]*/;
// Vite's pre-bundled dependencies are the one dot folder the pages load.
const VITE_DEPS = /\/node_modules\/\.vite\/deps(_temp_[0-9a-f]+)?\//;

/** Why a request is refused before Vite sees it, or undefined. */
export function refusalReason(req: IncomingMessage, ownOrigins: Set<string>): string | undefined {
  let pathname: string;
  try {
    // Decoded twice: `%252e` must not slip past as a literal dot once Vite decodes it again.
    pathname = decodeURIComponent(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  } catch {
    return 'malformed path';
  }
  const raw = req.url ?? '/';
  if (raw.includes('..') || pathname.includes('..') || pathname.includes('\\') || pathname.includes('\0'))
    return 'path traversal';
  // `/@fs/<absolute path>` must stay inside the repository; the rest is judged relative to it.
  let relative = pathname;
  if (pathname.startsWith('/@fs/')) {
    const absolute = pathname.slice('/@fs'.length);
    if (!absolute.startsWith(REPO_ROOT)) return 'outside the served folders';
    relative = `/${absolute.slice(REPO_ROOT.length)}`;
  }
  // Dot folders and files: .pasabay, .git, .env…
  if (DOT_SEGMENT.test(relative.replace(VITE_DEPS, '/node_modules/vite-deps/'))) return 'hidden file';
  const origin = req.headers.origin;
  if (origin !== undefined && !ownOrigins.has(origin)) return 'cross-origin request';
  const site = req.headers['sec-fetch-site'];
  if ((site === 'cross-site' || site === 'same-site') && req.headers['sec-fetch-mode'] !== 'navigate')
    return 'cross-origin request';
  return undefined;
}

function guard(ownOrigins: Set<string>): Plugin {
  return {
    name: 'pasabay:demo-guard',
    configureServer(server) {
      const middleware: Connect.NextHandleFunction = (req, res: ServerResponse, next) => {
        const reason = refusalReason(req, ownOrigins);
        if (!reason) return next();
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`Forbidden: ${reason}\n`);
      };
      // Before Vite's own middlewares (transform, /@fs/, static files).
      server.middlewares.use(middleware);
    },
  };
}

export interface DemoServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the demo pages against a running stack; port 0 picks a free one. */
export async function startDemoServer(options: {
  stackUrl: string;
  port?: number;
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}): Promise<DemoServer> {
  const { createServer } = await import('vite');
  const ownOrigins = new Set<string>();
  const server = await createServer({
    configFile: false,
    root: DEMO_ROOT,
    // No SPA fallback: an unknown path is a 404, never index.html.
    appType: 'mpa',
    plugins: [guard(ownOrigins)],
    server: { ...hardenedServerOptions(), port: options.port ?? 5173, strictPort: false },
    define: { 'import.meta.env.VITE_SUPABASE_URL': JSON.stringify(options.stackUrl) },
    esbuild: { target: 'es2022' },
    logLevel: options.logLevel ?? 'warn',
  });
  await server.listen();
  const port = (server.httpServer!.address() as AddressInfo).port;
  for (const host of ['127.0.0.1', 'localhost']) ownOrigins.add(`http://${host}:${port}`);
  return { url: `http://127.0.0.1:${port}/`, port, close: () => server.close() };
}
