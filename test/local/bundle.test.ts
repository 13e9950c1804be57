/**
 * The built script-tag bundle, not the sources the browser suite imports: the build minifies
 * Lit's `css` and `html` templates, and a minifier slip shows up only in built code. Builds with
 * the project's vite config into a temporary folder, serves it on 127.0.0.1 and loads it in
 * headless Chromium (CHROME_PATH, or Debian's). The elements are not configured, so nothing
 * connects anywhere.
 */
import assert from 'node:assert/strict';
import { readFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { REPO_ROOT } from '../../supabase/local/db.js';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';

const BUNDLE = 'pasabay-chat.bundle.js';
const TAGS = [
  'pasabay-chat',
  'typing-indicator',
  'meeting-participants',
  'pasabay-launcher',
  'pasabay-conversation-list',
  'meeting-reactions',
] as const;
const PAGE = `<!doctype html>
<html lang="en">
  <head><script type="module" src="/${BUNDLE}"></script></head>
  <body></body>
</html>`;

/** The `css` templates as written (none has expressions), to compare with what the bundle ships. */
async function sourceStyles(): Promise<string[]> {
  const files = [path.join(REPO_ROOT, 'src/styles/host.ts')];
  const components = path.join(REPO_ROOT, 'src/components');
  for (const folder of await readdir(components)) {
    for (const file of await readdir(path.join(components, folder))) {
      if (file.endsWith('.styles.ts')) files.push(path.join(components, folder, file));
    }
  }
  const texts: string[] = [];
  for (const file of files) {
    for (const match of (await readFile(file, 'utf8')).matchAll(/\bcss`([^`]*)`/g)) texts.push(match[1]!);
  }
  return texts;
}

/**
 * Runs in the page: each rule as depth + kind + selector or condition, sorted. No inner named
 * functions: the page does not have the helpers the TypeScript loader would wrap them in.
 */
function describeRules(sheets: CSSStyleSheet[]): string[] {
  const lines: string[] = [];
  const pending: [CSSRule, number][] = sheets.flatMap((sheet) =>
    Array.from(sheet.cssRules, (rule) => [rule, 0] as [CSSRule, number]),
  );
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [rule, depth] = next;
    if (rule instanceof CSSStyleRule) lines.push(`${depth} style ${rule.selectorText}`);
    else if (rule instanceof CSSMediaRule) lines.push(`${depth} media ${rule.conditionText}`);
    else if (rule instanceof CSSKeyframesRule) lines.push(`${depth} keyframes ${rule.name}`);
    else lines.push(`${depth} ${rule.constructor.name}`);
    if (rule instanceof CSSGroupingRule || rule instanceof CSSStyleRule) {
      for (const child of Array.from(rule.cssRules)) pending.push([child, depth + 1]);
    }
  }
  return lines.sort();
}

describe('script-tag bundle (built)', () => {
  let outDir: string;
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bundle-'));
    await build({
      root: REPO_ROOT,
      configFile: path.join(REPO_ROOT, 'vite.config.ts'),
      mode: 'bundle',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    const bundle = await readFile(path.join(outDir, BUNDLE));
    server = createServer((req, res) => {
      if (req.url === `/${BUNDLE}`) res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction((tags) => tags.every((tag) => customElements.get(tag)), {}, TAGS);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('defines the elements and renders each into a styled shadow root', async () => {
    const rendered = await page.evaluate(async (tags) => {
      const results = [];
      for (const tag of tags) {
        const element = document.createElement(tag) as HTMLElement & { updateComplete: Promise<unknown> };
        document.body.append(element);
        await element.updateComplete;
        const root = element.shadowRoot;
        results.push({
          tag,
          sheets: root?.adoptedStyleSheets.length ?? 0,
          rules: root?.adoptedStyleSheets.reduce((sum, sheet) => sum + sheet.cssRules.length, 0) ?? 0,
          children: root?.querySelectorAll('*').length ?? 0,
          // Declared on :host by the shared host styles: present only if the sheet applies.
          textColor: getComputedStyle(element).getPropertyValue('--_color-text').trim(),
        });
      }
      return results;
    }, TAGS);
    for (const element of rendered) {
      assert.equal(element.sheets, 2, `${element.tag}: host styles + its own`);
      assert.ok(element.rules > 5, `${element.tag}: ${element.rules} CSS rules`);
      assert.ok(element.children > 0, `${element.tag}: rendered nothing`);
      assert.notEqual(element.textColor, '', `${element.tag}: host styles not applied`);
    }
    assert.deepEqual(pageErrors, []);
  });

  it('ships every CSS rule the sources declare', async () => {
    const sources = await sourceStyles();
    const shippedSheets = await page.evaluateHandle((tags) => {
      const sheets = new Set<CSSStyleSheet>();
      for (const tag of tags) {
        for (const sheet of document.querySelector(tag)!.shadowRoot!.adoptedStyleSheets) sheets.add(sheet);
      }
      return [...sheets];
    }, TAGS);
    const declaredSheets = await page.evaluateHandle(
      (texts) =>
        texts.map((text) => {
          const sheet = new CSSStyleSheet();
          sheet.replaceSync(text);
          return sheet;
        }),
      sources,
    );
    const shipped = await page.evaluate(describeRules, shippedSheets);
    const declared = await page.evaluate(describeRules, declaredSheets);
    assert.ok(declared.length > 20, `found ${declared.length} source rules`);
    assert.deepEqual(shipped, declared);
  });
});

describe('library build (built)', () => {
  let outDir: string;

  before(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'pasabay-library-'));
    await build({
      root: REPO_ROOT,
      configFile: path.join(REPO_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    // The published package.json's `sideEffects`, relative to the built folder as it is in dist/.
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { sideEffects: string[] };
    const sideEffects = pkg.sideEffects.map((file) => file.replace('./dist/', './'));
    await writeFile(path.join(outDir, 'package.json'), JSON.stringify({ type: 'module', sideEffects }));
  });

  after(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  /** What an app's bundler ships for `entry` (Lit, supabase-js and zod are the app's own). */
  async function appBundleBytes(entry: string): Promise<number> {
    const { build: esbuild } = await import('esbuild');
    const result = await esbuild({
      stdin: { contents: entry, resolveDir: outDir, loader: 'js' },
      bundle: true,
      minify: true,
      write: false,
      format: 'esm',
      external: ['lit', 'lit/*', '@lit/*', '@supabase/*', 'zod', 'zod/*'],
    });
    return result.outputFiles[0]!.contents.length;
  }

  it('keeps the entry points of package.json', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types?: string; default?: string }>;
    };
    const files = await readdir(outDir);
    assert.ok(
      pkg.exports['.'] && pkg.exports['./elements'] && pkg.exports['./react'],
      'the JS entry points are exported',
    );
    // Type-only entries (the framework declarations) and root files are checked on the packed
    // tarball by `npm run check:package`; this build makes the JavaScript.
    const scripts = Object.values(pkg.exports)
      .map((target) => (typeof target === 'string' ? target : target.default))
      .filter((target): target is string => target?.startsWith('./dist/') === true);
    assert.ok(scripts.length >= 3, 'three JavaScript entry points');
    for (const target of scripts) assert.ok(files.includes(path.basename(target)), target);
  });

  it('lets an app that registers one element leave the other two out', async () => {
    const all = await appBundleBytes(`import './pasabay-chat.js';`);
    const typingOnly = await appBundleBytes(
      `import { defineTypingIndicator } from './elements.js'; defineTypingIndicator();`,
    );
    assert.ok(typingOnly < all * 0.6, `typing-indicator alone ships ${typingOnly} B of ${all} B`);
  });
});

describe('per-element script bundles (built)', () => {
  let outDir: string;
  let server: Server;
  let browser: Browser;
  let origin: string;

  before(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bundles-'));
    await build({
      root: REPO_ROOT,
      configFile: path.join(REPO_ROOT, 'vite.config.ts'),
      mode: 'bundles',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const tag = url.searchParams.get('tag');
      if (url.pathname === '/' && tag) {
        // The page of a site that shows one element: only its bundle, configured from its own tag.
        const page = `<!doctype html><html lang="en"><head>
          <script type="module" src="/bundles/${tag}.js" data-supabase-url="http://127.0.0.1:9"
            data-supabase-key="key-of-${tag}" data-guest-name="Guest of ${tag}"></script>
          </head><body></body></html>`;
        res.writeHead(200, { 'content-type': 'text/html' }).end(page);
        return;
      }
      const file = path.join(outDir, path.normalize(url.pathname));
      if (!file.startsWith(outDir + path.sep) || !file.endsWith('.js')) {
        res.writeHead(404).end();
        return;
      }
      readFile(file).then(
        (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('writes one bundle per element, sharing chunks', async () => {
    const files = await readdir(path.join(outDir, 'bundles'));
    for (const tag of TAGS) assert.ok(files.includes(`${tag}.js`), `${tag}.js`);
    assert.ok((await readdir(path.join(outDir, 'bundles/chunks'))).length > 0, 'shared chunks');
  });

  for (const tag of TAGS) {
    it(`${tag}.js registers its element (and what it embeds) only, renders it and configures from its own script tag`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      const scripts: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('response', (response) => {
        if (response.url().endsWith('.js')) scripts.push(response.url());
      });
      try {
        await page.goto(`${origin}/?tag=${tag}`);
        await page.waitForFunction((name) => customElements.get(name), {}, tag);
        const registered = await page.evaluate((tags) => tags.filter((name) => customElements.get(name)), TAGS);
        // <pasabay-chat> also registers the <typing-indicator> it embeds; <pasabay-launcher>, the chat.
        const embeds: Record<string, string[]> = {
          'pasabay-chat': ['pasabay-chat', 'typing-indicator'],
          'pasabay-launcher': ['pasabay-chat', 'typing-indicator', 'pasabay-launcher'],
        };
        assert.deepEqual(registered, embeds[tag] ?? [tag]);
        const shown = await page.evaluate(async (name) => {
          const element = document.createElement(name) as HTMLElement & { updateComplete: Promise<unknown> };
          document.body.append(element);
          await element.updateComplete;
          const module = (await import(`/bundles/${name}.js`)) as {
            configuration(): { guestName?: string; client: { supabaseUrl?: string } } | undefined;
          };
          return {
            children: element.shadowRoot?.querySelectorAll('*').length ?? 0,
            sheets: element.shadowRoot?.adoptedStyleSheets.length ?? 0,
            guestName: module.configuration()?.guestName,
            registered: ['pasabay-chat', 'typing-indicator', 'meeting-participants'].filter((t) =>
              customElements.get(t),
            ),
          };
        }, tag);
        assert.ok(shown.children > 0, `${tag} rendered nothing`);
        assert.equal(shown.sheets, 2, `${tag}: host styles + its own`);
        assert.equal(shown.guestName, `Guest of ${tag}`);
        if (tag !== 'meeting-participants') assert.ok(!shown.registered.includes('meeting-participants'));
        // What the page loaded: this bundle and shared chunks, never another element's bundle.
        for (const other of TAGS.filter((name) => name !== tag)) {
          assert.ok(!scripts.some((url) => url.endsWith(`/bundles/${other}.js`)), `${tag} page loaded ${other}.js`);
        }
        if (tag !== 'meeting-participants') {
          const loaded = await Promise.all(
            scripts.map((url) => readFile(path.join(outDir, new URL(url).pathname), 'utf8')),
          );
          assert.ok(
            !loaded.some((code) => code.includes('update_meeting_state')),
            `${tag} page loaded the meeting element's code`,
          );
        }
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});
