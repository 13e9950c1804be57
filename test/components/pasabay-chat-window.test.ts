/**
 * A 10,000-message history through the element's store (no network): windowed rendering keeps the
 * DOM small and the newest messages on screen, and scrolling to the top shows the oldest. The timing
 * figure is printed for information; `npm run bench` (test/bench/render-history.ts) is the benchmark.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { runRenderHistoryBenchmark } from '../bench/render-history.js';
import { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import type { MessageRecord } from '../../src/components/pasabay-chat/state/message-store.js';

const seeded = (from: number, count: number): MessageRecord[] =>
  Array.from({ length: count }, (_, index) => {
    const i = from + index;
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      conversation_id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
      sender_id: '11111111-1111-4111-8111-111111111111',
      body: `Message ${i}`,
      reply_to: null,
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      edited_at: null,
      deleted_at: null,
    };
  });

/** Counts updates scheduled while an update was finishing (what Lit's dev mode warns about). */
class UpdateProbe extends PasabayChat {
  rescheduled = 0;
  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (this.isUpdatePending) this.rescheduled++;
  }
}
customElements.define('pasabay-chat-update-probe', UpdateProbe);

describe('<pasabay-chat> windowed rendering', () => {
  it('renders 10,000 messages as a small window and scrolls through them', async () => {
    const result = await runRenderHistoryBenchmark();
    console.log(
      `render-history: 100 messages ${result.baseline.firstRenderMs.toFixed(1)} ms, 10,000 messages ${result.large.firstRenderMs.toFixed(1)} ms` +
        ` (store merge ${result.large.injectMs.toFixed(1)} ms, ${result.large.renderedMessages} in the DOM)`,
    );
    expect(result.large.renderedMessages).to.be.below(200);
    expect(result.baseline.renderedMessages).to.be.at.most(100);
  });

  it('shows the oldest message after scrolling to the top of a long history', async () => {
    const el = await fixture<PasabayChat>(html`<pasabay-chat style="height: 400px"></pasabay-chat>`);
    el.messageStore.upsert(seeded(0, 2000));
    await el.updateComplete;
    const log = el.shadowRoot!.querySelector<HTMLElement>('[part~="log"]')!;
    await waitUntil(() => log.scrollHeight > 10_000, 'list never grew');
    for (let i = 0; i < 10 && !el.shadowRoot!.textContent!.includes('Message 0'); i++) {
      log.scrollTop = 0;
      log.dispatchEvent(new Event('scroll'));
      await el.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const messages = [...el.shadowRoot!.querySelectorAll('[part~="message"]')].map((m) => m.textContent!.trim());
    expect(messages[0]).to.contain('Message 0');
    expect(messages.length).to.be.below(200);
  });

  it('measures new rows without scheduling another update when the window stays the same', async () => {
    const el = await fixture<UpdateProbe>(
      html`<pasabay-chat-update-probe style="height: 400px"></pasabay-chat-update-probe>`,
    );
    el.messageStore.upsert(seeded(0, 4));
    await el.updateComplete;
    el.messageStore.upsert(seeded(4, 1));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[part~="message"]').length).to.equal(5);
    expect(el.rescheduled).to.equal(0);
    const log = el.shadowRoot!.querySelector<HTMLElement>('[part~="log"]')!;
    // Still pinned to the newest message after measuring.
    expect(log.scrollHeight - log.scrollTop - log.clientHeight).to.be.below(1);
  });
});
