/**
 * The fault suite's widget side: one local stack (on a database cloned from the prepared template),
 * real Chromium through puppeteer-core, pages running real `<pasabay-chat>` elements, and the
 * checks every case ends with: sent = stored = shown, once each, in order, in every open view.
 */
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../../support/chromium.js';
import { startTestStack, type TestStack, type TestUser } from '../../support/stack.js';
import type { PasabayFault, ViewState } from './widget-page.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Harness {
  stack: TestStack;
  browser: Browser;
  /** A page on the harness's origin (127.0.0.1, a secure context), the element not mounted yet. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [path.join(ROOT, 'test/faults/support/widget-page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    conditions: ['browser', 'production'],
    tsconfig: path.join(ROOT, 'tsconfig.json'),
  });
  const script = bundle.outputFiles[0]!.text;
  const server: Server = createServer((request, response) => {
    if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(
      '<!doctype html><html lang="en"><head><script type="module" src="/page.js"></script></head><body></body></html>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stack = await startTestStack();
  const puppeteer = await import('puppeteer-core');
  const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  return {
    stack,
    browser,
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ width: 600, height: 700 });
      await page.goto(origin);
      await page.waitForFunction(() => 'PasabayFault' in globalThis);
      return page;
    },
    async close() {
      await browser.close().catch(() => undefined);
      server.close();
      await stack.stop();
    },
  };
}

type Fault = typeof PasabayFault;

/** A signed-in `<pasabay-chat>` of `user` on `page`, live. */
export async function mountView(harness: Harness, page: Page, user: TestUser, conversationId: string): Promise<void> {
  const { url, anonKey } = harness.stack;
  await page.evaluate(
    (stack, email, password, id) =>
      (globalThis as unknown as { PasabayFault: Fault }).PasabayFault.mount(stack, email, password, id),
    { url, anonKey },
    user.email,
    user.password,
    conversationId,
  );
  await waitFor(async () => (await viewOf(page)).live, 'the view never became live', 30_000);
}

export function viewOf(page: Page): Promise<ViewState> {
  return page.evaluate(() => (globalThis as unknown as { PasabayFault: Fault }).PasabayFault.view());
}

export async function sendFrom(page: Page, body: string): Promise<void> {
  await page.evaluate((text) => (globalThis as unknown as { PasabayFault: Fault }).PasabayFault.send(text), body);
}

export async function loadAll(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { PasabayFault: Fault }).PasabayFault.loadAll());
}

export async function setSocket(page: Page, up: boolean): Promise<void> {
  await page.evaluate((value) => (globalThis as unknown as { PasabayFault: Fault }).PasabayFault.socket(value), up);
}

/** Polls `condition` every 250 ms until it holds; fails with `why` after `timeoutMs` (a guard, not a measure). */
export async function waitFor(condition: () => Promise<boolean> | boolean, why: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${why}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Bodies stored in the conversation, in the list's order (created_at, id). */
export async function storedBodies(stack: TestStack, conversationId: string): Promise<string[]> {
  const admin = stack.serviceClient();
  const bodies: string[] = [];
  for (let from = 0; ; from += 1000) {
    const { data, error } = await admin
      .from('messages')
      .select('body')
      .eq('conversation_id', conversationId)
      .order('created_at', { ascending: true })
      .order('id', { ascending: true })
      .range(from, from + 999);
    if (error) throw new Error(error.message);
    bodies.push(...(data as { body: string }[]).map((row) => row.body));
    if (data.length < 1000) return bodies;
  }
}

/** A conversation made as a host app's backend makes one (service_role); the first user owns it. */
export async function conversationOf(stack: TestStack, owner: TestUser, ...others: TestUser[]): Promise<string> {
  const admin = stack.serviceClient();
  const created = await admin
    .from('conversations')
    .insert({ kind: 'group', title: 'Fault case', created_by: owner.user.id })
    .select('id')
    .single();
  if (created.error) throw new Error(created.error.message);
  const id = (created.data as { id: string }).id;
  const members = await admin
    .from('conversation_members')
    .insert([
      { conversation_id: id, user_id: owner.user.id, role: 'owner' },
      ...others.map((other) => ({ conversation_id: id, user_id: other.user.id, role: 'member' })),
    ]);
  if (members.error) throw new Error(members.error.message);
  return id;
}

export interface CaseResult {
  name: string;
  sent: number;
  stored: number;
  /** Messages each view holds, by view name. */
  shown: Record<string, number>;
  recoverMs: number;
  ok: boolean;
  note?: string;
}

/**
 * Waits until every view holds what the table holds with nothing pending, then asserts
 * sent = stored = shown, once each and in order, with no message marked "Not sent". Returns the counts.
 * Views are always compared with the table's order; `ordered: false` compares sent and stored as sets.
 */
export async function settleAndCheck(
  stack: TestStack,
  conversationId: string,
  sent: string[],
  views: Record<string, Page>,
  options: { timeoutMs?: number; loadHistory?: boolean; ordered?: boolean } = {},
): Promise<{ stored: number; shown: Record<string, number> }> {
  const { timeoutMs = 180_000 } = options;
  let stored: string[] = [];
  await waitFor(
    async () => {
      stored = await storedBodies(stack, conversationId);
      if (stored.length < sent.length) return false;
      for (const page of Object.values(views)) {
        const view = await viewOf(page);
        if (view.pending > 0 || view.failed > 0) return false;
        if (view.held.length < stored.length && !view.hasOlder) return false;
        if (view.held.length < stored.length && options.loadHistory) await loadAll(page);
        else if (view.held.length < stored.length) return false;
      }
      return true;
    },
    'views never settled',
    timeoutMs,
  );
  if (options.ordered === false) {
    // Written in batches (one transaction each share created_at, ordered by id): same set, once each.
    assert.deepEqual([...stored].sort(), [...sent].sort(), 'stored = sent, once each');
  } else {
    assert.deepEqual(stored, sent, 'stored = sent, once each, in order');
  }
  const shown: Record<string, number> = {};
  for (const [name, page] of Object.entries(views)) {
    const view = await viewOf(page);
    assert.deepEqual(view.held, stored, `view ${name}: shown = stored, once each, in order`);
    assert.equal(view.failed, 0, `view ${name}: nothing marked Not sent`);
    assert.deepEqual(view.failures, [], `view ${name}: no pasabay-message-fail`);
    // The DOM window is a run of consecutive messages of that list.
    const start = view.held.indexOf(view.dom[0]!);
    assert.ok(view.dom.length > 0 && start >= 0, `view ${name}: the DOM shows messages`);
    assert.deepEqual(view.dom, view.held.slice(start, start + view.dom.length), `view ${name}: DOM rows in order`);
    shown[name] = view.held.length;
  }
  return { stored: stored.length, shown };
}

/** Prints one case's line, and keeps it for the runner's summary (PASABAY_FAULT_RESULTS). */
export async function record(result: CaseResult): Promise<void> {
  const shown = Object.entries(result.shown)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  console.log(
    `# fault ${result.name}: sent ${result.sent} / stored ${result.stored} / shown ${shown} / recovered in ${(result.recoverMs / 1000).toFixed(1)} s${result.note ? ` (${result.note})` : ''}`,
  );
  const file = process.env['PASABAY_FAULT_RESULTS'];
  if (file) await appendFile(file, `${JSON.stringify(result)}\n`);
}
