/**
 * Fault cases of `<pasabay-chat>`: real Chromium, real supabase-js over real WebSockets, the local
 * stack on real PostgreSQL. Each case ends with the same check in every open view: sent = stored =
 * shown, once each, in order, nothing marked "Not sent" (see settleAndCheck), and prints its line
 * (sent / stored / shown per view / time to recover) for the runner's summary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HTTPRequest } from 'puppeteer-core';
import {
  conversationOf,
  mountView,
  record,
  sendFrom,
  setSocket,
  settleAndCheck,
  startHarness,
  viewOf,
  waitFor,
  type Harness,
} from './support/widget-harness.js';

const CORS = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
const isMessageInsert = (request: HTTPRequest) =>
  request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/rest/v1/messages');

describe('<pasabay-chat> under faults', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  async function pair() {
    const maria = await harness.stack.createUser({ displayName: 'Maria' });
    const carlos = await harness.stack.createUser({ displayName: 'Carlos' });
    const id = await conversationOf(harness.stack, maria, carlos);
    return { maria, carlos, id };
  }

  /** Maria's backend writes `count` messages for her while Carlos's view is cut off (service_role: no rate limit). */
  async function missWhileCut(count: number, name: string, reload: boolean) {
    const { maria, carlos, id } = await pair();
    const admin = harness.stack.serviceClient();
    const write = async (bodies: string[]) => {
      for (let start = 0; start < bodies.length; start += 500) {
        const { error } = await admin
          .from('messages')
          .insert(
            bodies.slice(start, start + 500).map((body) => ({ conversation_id: id, sender_id: maria.user.id, body })),
          );
        if (error) throw new Error(error.message);
      }
    };
    await write(['before']);
    const mine = await harness.newPage();
    const theirs = await harness.newPage();
    await mountView(harness, mine, maria, id);
    await mountView(harness, theirs, carlos, id);

    // Carlos's network goes: no REST, and his socket drops.
    await theirs.setOfflineMode(true);
    await setSocket(theirs, false);
    const missed = Array.from({ length: count }, (_, i) => `missed ${String(i).padStart(5, '0')}`);
    await write(missed);
    await theirs.setOfflineMode(false);
    await setSocket(theirs, true);
    const restored = Date.now();
    await write(['after']);
    const sent = ['before', ...missed, 'after'];
    // First what the catch-up itself brought: everything (paged), or the latest page (window reloaded).
    await waitFor(
      async () => {
        const view = await viewOf(theirs);
        return reload ? view.hasOlder && view.held.includes('after') : view.held.length === sent.length;
      },
      reload ? 'the window was never reloaded' : 'the catch-up never brought everything',
    );
    const caughtUp = await viewOf(theirs);
    if (reload) {
      assert.ok(caughtUp.hasOlder && caughtUp.held.length < count, 'the window was reloaded, not paged through');
    }
    const { stored, shown } = await settleAndCheck(
      harness.stack,
      id,
      sent,
      { maria: mine, carlos: theirs },
      { loadHistory: reload, ordered: false },
    );
    await record({
      name,
      sent: sent.length,
      stored,
      shown,
      recoverMs: Date.now() - restored,
      ok: true,
      note: reload
        ? `window reloaded: latest ${caughtUp.held.length} shown at once, the rest by scrolling back`
        : `caught up by paging, ${caughtUp.held.length} held with no history load`,
    });
    await Promise.all([mine.browserContext().close(), theirs.browserContext().close()]);
  }

  it('(a) catches up after 1,500 messages missed with the socket cut', async () => {
    await missWhileCut(1500, 'catch-up 1,500 missed', false);
  });

  it('(a2) reloads the window after 3,500 missed and still shows every message once (history by scrolling)', async () => {
    await missWhileCut(3500, 'catch-up 3,500 missed (window reload)', true);
  });

  it('(b) a black-holed insert: retried after its timeout, the rest follow in order', async () => {
    const { maria, carlos, id } = await pair();
    const mine = await harness.newPage();
    const theirs = await harness.newPage();
    let held = 0;
    await mine.setRequestInterception(true);
    mine.on('request', (request) => {
      if (held === 0 && isMessageInsert(request)) {
        held++;
        return; // never continued, never answered
      }
      void request.continue();
    });
    await mountView(harness, mine, maria, id);
    await mountView(harness, theirs, carlos, id);
    const sent = Array.from({ length: 5 }, (_, i) => `black hole ${i}`);
    const started = Date.now();
    for (const body of sent) await sendFrom(mine, body);
    const { stored, shown } = await settleAndCheck(harness.stack, id, sent, { maria: mine, carlos: theirs });
    if (held !== 1) throw new Error(`expected one held insert, held ${held}`);
    await record({
      name: 'black-holed first insert',
      sent: sent.length,
      stored,
      shown,
      recoverMs: Date.now() - started,
      ok: true,
      note: 'one request never answered',
    });
    await Promise.all([mine.browserContext().close(), theirs.browserContext().close()]);
  });

  it('(c) a burst past the rate limit: all stored, none "Not sent"', async () => {
    const { maria, carlos, id } = await pair();
    const mine = await harness.newPage();
    const theirs = await harness.newPage();
    let refused = 0;
    mine.on('response', (response) => {
      if (response.status() === 429 && isMessageInsert(response.request())) refused++;
    });
    await mountView(harness, mine, maria, id);
    await mountView(harness, theirs, carlos, id);
    // The database allows 30 messages a minute per user.
    const sent = Array.from({ length: 36 }, (_, i) => `burst ${String(i).padStart(2, '0')}`);
    const started = Date.now();
    for (const body of sent) await sendFrom(mine, body);
    const { stored, shown } = await settleAndCheck(harness.stack, id, sent, { maria: mine, carlos: theirs });
    if (refused === 0) throw new Error('the rate limit never refused a send');
    await record({
      name: '429 burst (36 at 30/min)',
      sent: sent.length,
      stored,
      shown,
      recoverMs: Date.now() - started,
      ok: true,
      note: `${refused} answers 429`,
    });
    await Promise.all([mine.browserContext().close(), theirs.browserContext().close()]);
  });

  it('(d) 503 and connection-error 500 answers: retried, all stored once, in order', async () => {
    const { maria, carlos, id } = await pair();
    const mine = await harness.newPage();
    const theirs = await harness.newPage();
    const answers = [
      { status: 503, code: 'PGRST002', message: 'Could not query the database for the schema cache. Retrying.' },
      { status: 503, code: '57P01', message: 'terminating connection due to administrator command' },
      { status: 500, code: 'PGRST001', message: 'Database client error. Retrying the connection.' },
      { status: 504, code: '', message: 'Gateway timeout' },
    ];
    let faulted = 0;
    await mine.setRequestInterception(true);
    mine.on('request', (request) => {
      if (request.isInterceptResolutionHandled()) return;
      if (faulted < answers.length && isMessageInsert(request)) {
        const { status, code, message } = answers[faulted++]!;
        void request.respond({
          status,
          headers: CORS,
          body: JSON.stringify({ code, message, details: null, hint: null }),
        });
        return;
      }
      void request.continue();
    });
    await mountView(harness, mine, maria, id);
    await mountView(harness, theirs, carlos, id);
    const sent = Array.from({ length: 5 }, (_, i) => `transient ${i}`);
    const started = Date.now();
    for (const body of sent) await sendFrom(mine, body);
    const { stored, shown } = await settleAndCheck(harness.stack, id, sent, { maria: mine, carlos: theirs });
    if (faulted !== answers.length) throw new Error(`only ${faulted} faulty answers were given`);
    await record({
      name: '500/503/504 answers',
      sent: sent.length,
      stored,
      shown,
      recoverMs: Date.now() - started,
      ok: true,
      note: `${faulted} transient answers`,
    });
    await Promise.all([mine.browserContext().close(), theirs.browserContext().close()]);
  });
});
