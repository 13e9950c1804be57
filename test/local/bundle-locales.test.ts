/**
 * The built one-file bundle and its language chunks: a page in Arabic loads the Arabic chunk and
 * no other, from `locales/` beside the bundle, and renders right to left; switching the page to
 * Spanish loads that chunk and re-renders. The script tag's `data-launcher` puts the launcher on
 * the page. Built with the project's vite config into a temporary folder, served on 127.0.0.1,
 * loaded in headless Chromium. The configured project URL answers nothing (port 9): nothing here
 * needs a server.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { REPO_ROOT } from '../../supabase/local/db.js';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';

const PAGE = `<!doctype html>
<html lang="ar">
  <head>
    <script type="module" src="/pasabay-chat.bundle.js"
      data-supabase-url="http://127.0.0.1:9" data-anon-key="not-a-key" data-with-user="11111111-1111-4111-8111-111111111111"
      data-launcher></script>
  </head>
  <body><pasabay-chat></pasabay-chat></body>
</html>`;

describe('script-tag bundle languages (built)', () => {
  let outDir: string;
  let server: Server;
  let browser: Browser;
  let page: Page;
  const scripts: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'pasabay-bundle-locales-'));
    await build({
      root: REPO_ROOT,
      configFile: path.join(REPO_ROOT, 'vite.config.ts'),
      mode: 'bundle',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        return;
      }
      const file = path.join(outDir, path.normalize(url.pathname));
      if (!file.startsWith(outDir) || !file.endsWith('.js')) {
        res.writeHead(404).end();
        return;
      }
      readFile(file).then(
        (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('response', (response) => {
      if (response.url().endsWith('.js')) scripts.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  const chatText = () => page.evaluate(() => document.querySelector('pasabay-chat')!.shadowRoot!.textContent ?? '');

  it('loads only the language the page shows, and renders it right to left', async () => {
    await page.waitForFunction(
      () => document.querySelector('pasabay-chat')?.shadowRoot?.textContent?.includes('لم تُحدَّد أي محادثة.'),
      { timeout: 15_000 },
    );
    const locales = scripts.filter((line) => line.includes('/locales/'));
    assert.equal(locales.length, 1, locales.join(', '));
    assert.match(locales[0]!, /^200 \/locales\/ar-[\w-]+\.js$/);
    const direction = await page.evaluate(() => getComputedStyle(document.querySelector('pasabay-chat')!).direction);
    assert.equal(direction, 'rtl');
  });

  it('puts the launcher on the page from data-launcher, in the page language', async () => {
    await page.waitForFunction(
      () =>
        document
          .querySelector('pasabay-launcher')
          ?.shadowRoot?.querySelector('[part~="button"]')
          ?.textContent?.includes('فتح المحادثة'),
      { timeout: 15_000 },
    );
    const launcher = await page.evaluate(() => {
      const element = document.querySelector('pasabay-launcher')!;
      return {
        count: document.querySelectorAll('pasabay-launcher').length,
        withUser: element.getAttribute('with-user'),
      };
    });
    assert.deepEqual(launcher, { count: 1, withUser: '11111111-1111-4111-8111-111111111111' });
  });

  it('loads the next language when the page changes its lang, and re-renders', async () => {
    await page.evaluate(() => (document.documentElement.lang = 'es'));
    await page.waitForFunction(
      () =>
        document.querySelector('pasabay-chat')?.shadowRoot?.textContent?.includes('Ninguna conversación seleccionada.'),
      { timeout: 15_000 },
    );
    assert.ok((await chatText()).includes('Ninguna conversación seleccionada.'));
    const locales = scripts.filter((line) => line.includes('/locales/'));
    assert.equal(locales.length, 2, locales.join(', '));
    assert.match(locales[1]!, /^200 \/locales\/es-[\w-]+\.js$/);
    assert.deepEqual(pageErrors, []);
  });
});
