/**
 * Render benchmark for <pasabay-chat>: a 10,000-message history injected through the element's
 * message store (no network), timed from injection to the first painted frame, against a baseline
 * of 100 messages in the same run and browser. Runs in a browser page; `npm run bench` (see
 * test/bench/run.ts) loads this module and reads the result from `runRenderHistoryBenchmark()`.
 */
import { definePasabayChat, type PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import type { MessageRecord } from '../../src/components/pasabay-chat/state/message-store.js';

definePasabayChat();

export interface RenderSample {
  messages: number;
  /** Merging the rows into the store (sorting, de-duplication). */
  injectMs: number;
  /** From mounting to the first frame painted with the newest messages on screen. */
  firstRenderMs: number;
  /** Message elements actually in the DOM (the window). */
  renderedMessages: number;
}

export interface RenderHistoryResult {
  baseline: RenderSample;
  large: RenderSample;
  /** large.firstRenderMs / baseline.firstRenderMs */
  ratio: number;
}

const senders = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const conversation = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

function history(count: number): MessageRecord[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    conversation_id: conversation,
    sender_id: senders[Math.floor(index / 3) % 2]!,
    body:
      index % 7 === 0
        ? `Message ${index}: see https://example.com/trip/${index} for the details of the plan`
        : `Message ${index}${index % 5 === 0 ? '\nwith a second line' : ''}`,
    reply_to: null,
    // A few messages a minute, so the history spans many days and groups.
    created_at: new Date(start + index * 97_000).toISOString(),
    edited_at: null,
    deleted_at: null,
  }));
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

async function settled(el: PasabayChat) {
  // The windowed list measures rows and may render again; wait until no update is pending.
  while (!(await el.updateComplete)) {
    /* another update was queued while this one ran */
  }
}

async function sample(count: number): Promise<RenderSample> {
  const rows = history(count);
  const el = document.createElement('pasabay-chat');
  el.style.cssText = 'display:block;block-size:600px;inline-size:420px';
  const injectStart = performance.now();
  el.messageStore.upsert(rows);
  const injectMs = performance.now() - injectStart;
  const start = performance.now();
  document.body.append(el);
  await settled(el);
  await nextFrame();
  await settled(el);
  await nextFrame();
  const firstRenderMs = performance.now() - start;
  const rendered = el.shadowRoot!.querySelectorAll('[part~="message"]');
  const last = rendered[rendered.length - 1]?.textContent ?? '';
  if (!last.includes(`Message ${count - 1}`)) throw new Error(`newest message not on screen after rendering ${count}`);
  const result = { messages: count, injectMs, firstRenderMs, renderedMessages: rendered.length };
  el.remove();
  return result;
}

/** Runs the baseline, then the large history, in the same page. */
export async function runRenderHistoryBenchmark(large = 10_000, baseline = 100): Promise<RenderHistoryResult> {
  // Warm-up: first-use costs (style parsing, Intl formatters) must not land on the baseline.
  await sample(baseline);
  const small = await sample(baseline);
  const big = await sample(large);
  return { baseline: small, large: big, ratio: big.firstRenderMs / small.firstRenderMs };
}
