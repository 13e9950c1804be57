/**
 * <pasabay-chat> polish (issue 12), measured on screen in Chromium against the local stack: the
 * toolbar beside its bubble and reachable by touch, 24 px targets, delete with undo and reactions
 * cleared, the rate limit's reason, no unread flicker, jumping to a quoted message, the "New
 * messages" divider, the emoji font token, part tokens, tokens set per part, and contrast.
 */
import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendMouse, setViewport } from '@web/test-runner-commands';
import { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { setRateLimit } from '../support/browser-stack.js';
import {
  bodies,
  directPair,
  hasState,
  mountChat,
  part,
  parts,
  post,
  serviceClient,
  shadow,
  typeAndSend,
  waitForBody,
  waitForState,
  waitLive,
} from './pasabay-chat-fixtures.js';

/** The message row (`[part~=message]`) whose body is `body`. */
const messageWith = (el: PasabayChat, body: string) =>
  parts(el, 'message').find((m) => m.querySelector('[part~="body"]')?.textContent === body);

/** Distance in px between two boxes (0 when they touch or overlap). */
function gapBetween(a: DOMRect, b: DOMRect): number {
  const dx = Math.max(0, a.left - b.right, b.left - a.right);
  const dy = Math.max(0, a.top - b.bottom, b.top - a.bottom);
  return Math.hypot(dx, dy);
}

const center = (rect: DOMRect): [number, number] => [
  Math.round(rect.left + rect.width / 2),
  Math.round(rect.top + rect.height / 2),
];

// ----- contrast, from computed styles --------------------------------------------------------------

type Rgba = [number, number, number, number];

function parseColor(value: string): Rgba {
  const match = /rgba?\(([^)]+)\)/.exec(value);
  if (!match) throw new Error(`unexpected computed colour ${value}`);
  const [r, g, b, a] = match[1]!
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  return [r!, g!, b!, a ?? 1];
}

/** The opaque colour behind `el`: its background composited over its ancestors' (across the shadow root). */
function backgroundOf(el: Element): [number, number, number] {
  const layers: Rgba[] = [];
  for (let node: Element | null = el; node;) {
    const color = parseColor(getComputedStyle(node).backgroundColor);
    if (color[3] > 0) layers.push(color);
    if (color[3] >= 1) break;
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
  }
  let result: [number, number, number] = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) {
    result = [r * a + result[0] * (1 - a), g * a + result[1] * (1 - a), b * a + result[2] * (1 - a)];
  }
  return result;
}

function luminance([r, g, b]: readonly number[]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

/** WCAG contrast of `el`'s text against what is behind it. */
function contrastOf(el: Element): number {
  const [r, g, b, a] = parseColor(getComputedStyle(el).color);
  const back = backgroundOf(el);
  const text = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
  const [light, dark] = [luminance(text), luminance(back)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/** The CSS of the README's "### Theming" snippet, as documented. */
async function readmeThemingCss(): Promise<string> {
  const readme = await (await fetch('/README.md')).text();
  const section = readme.slice(readme.indexOf('### Theming'));
  const block = /```css\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no css block in the README theming section');
  return block[1]!;
}

/** The `<style>` of the demo's theming page. */
async function demoThemingCss(): Promise<string> {
  const page = await (await fetch('/demo/theming.html')).text();
  const style = /<style>([\s\S]*?)<\/style>/.exec(page);
  if (!style) throw new Error('no style in demo/theming.html');
  return style[1]!;
}

function addStyle(css: string): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  return style;
}

describe('<pasabay-chat> polish', () => {
  afterEach(async () => {
    await setViewport({ width: 800, height: 600 });
    await sendMouse({ type: 'move', position: [0, 0] });
  });

  describe('message toolbar', () => {
    it('sits against its bubble at 1280 px, shows on a tap (not only hover), every target ≥ 24 × 24 px', async () => {
      await setViewport({ width: 1280, height: 800 });
      const { maria, carlos, id } = await directPair();
      await post(carlos, id, 'ok');
      await post(maria, id, 'A longer message of mine, to have a bubble of some width');
      const el = await fixture<PasabayChat>(
        html`<pasabay-chat
          style="inline-size: 1280px; block-size: 600px"
          .client=${maria.client}
          conversation-id=${id}
        ></pasabay-chat>`,
      );
      await waitLive(el);
      await waitForBody(el, 'ok');

      for (const [body, own] of [
        ['ok', false],
        ['A longer message of mine, to have a bubble of some width', true],
      ] as const) {
        const message = messageWith(el, body)!;
        const bubble = message.querySelector<HTMLElement>('[part~="bubble"]')!;
        const actions = message.querySelector<HTMLElement>('[part~="actions"]')!;
        // A tap: a real pointer press on the bubble, then the pointer leaves (touch has no hover).
        await sendMouse({ type: 'click', position: center(bubble.getBoundingClientRect()) });
        await sendMouse({ type: 'move', position: [0, 0] });
        await el.updateComplete;
        expect(shadow(el).activeElement === message, `${body}: the tap focuses the message`).to.equal(true);
        expect(getComputedStyle(actions).visibility, `${body}: toolbar shown after a tap`).to.equal('visible');

        const b = bubble.getBoundingClientRect();
        const a = actions.getBoundingClientRect();
        expect(gapBetween(a, b), `${body}: toolbar ${gapBetween(a, b)} px from its bubble`).to.equal(0);
        // Aligned with the bubble's edge on the sender's side, not the far edge of the log.
        if (own) expect(Math.abs(a.right - b.right)).to.be.below(1);
        else expect(Math.abs(a.left - b.left)).to.be.below(1);
        // Inside the log: nothing to scroll sideways for.
        const log = part(el, 'log')!.getBoundingClientRect();
        expect(a.left).to.be.at.least(log.left);
        expect(a.right).to.be.at.most(log.right);

        for (const button of actions.querySelectorAll<HTMLElement>('button')) {
          const box = button.getBoundingClientRect();
          expect(box.width, `${button.textContent!.trim()} width`).to.be.at.least(24);
          expect(box.height, `${button.textContent!.trim()} height`).to.be.at.least(24);
        }
      }
      await expect(el).to.be.accessible();
    });

    it('keeps the toolbar of a one-word bubble on one line inside a 400 px chat', async () => {
      const { maria, carlos, id } = await directPair();
      await post(carlos, id, 'ok');
      await post(maria, id, 'k');
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitForBody(el, 'k');
      for (const body of ['ok', 'k']) {
        const message = messageWith(el, body)!;
        message.focus();
        await el.updateComplete;
        const actions = message.querySelector<HTMLElement>('[part~="actions"]')!;
        const tops = [...actions.querySelectorAll('button')].map((button) => button.getBoundingClientRect().top);
        expect(new Set(tops).size, `${body}: buttons on ${new Set(tops).size} lines`).to.equal(1);
        const box = actions.getBoundingClientRect();
        const log = part(el, 'log')!.getBoundingClientRect();
        expect(box.left).to.be.at.least(log.left);
        expect(box.right).to.be.at.most(log.right);
        expect(gapBetween(box, message.querySelector('[part~="bubble"]')!.getBoundingClientRect())).to.equal(0);
      }
    });

    it('gives reaction chips, picker options and other buttons 24 × 24 px at least', async () => {
      const { maria, carlos, id } = await directPair();
      const first = await post(carlos, id, 'react to me');
      await maria.client.from('message_reactions').insert({ message_id: first, emoji: '👍' });
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitUntil(() => part(el, 'reaction') !== null, 'reaction not loaded');
      const message = messageWith(el, 'react to me')!;
      message.focus();
      message.querySelector<HTMLButtonElement>('[part~="react"]')!.click();
      await el.updateComplete;
      expect(parts(el, 'picker-option').length).to.be.above(0);
      const buttons = [...shadow(el).querySelectorAll<HTMLElement>('button')].filter(
        (button) => button.getClientRects().length > 0,
      );
      expect(buttons.length).to.be.above(8);
      for (const button of buttons) {
        const box = button.getBoundingClientRect();
        const name = button.getAttribute('part');
        expect(box.width, `${name} width`).to.be.at.least(24);
        expect(box.height, `${name} height`).to.be.at.least(24);
      }
      await expect(el).to.be.accessible();
    });
  });

  describe('delete', () => {
    let undoDeleteMs: number;
    beforeEach(() => (undoDeleteMs = PasabayChat.undoDeleteMs));
    afterEach(() => (PasabayChat.undoDeleteMs = undoDeleteMs));

    const stored = async (messageId: string) => {
      const admin = serviceClient();
      const message = await admin.from('messages').select('deleted_at').eq('id', messageId).single();
      const reactions = await admin.from('message_reactions').select('emoji').eq('message_id', messageId);
      admin.realtime.disconnect();
      return {
        deleted: (message.data as { deleted_at: string | null }).deleted_at !== null,
        reactions: reactions.data?.length ?? -1,
      };
    };

    it('asks nothing, offers undo, and an undone delete never reaches the database', async () => {
      PasabayChat.undoDeleteMs = 400;
      const { maria, carlos, id } = await directPair();
      const messageId = await post(maria, id, 'Oops, wrong chat');
      await carlos.client.from('message_reactions').insert({ message_id: messageId, emoji: '😂' });
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitUntil(() => part(el, 'reaction') !== null, 'reaction not loaded');
      const message = messageWith(el, 'Oops, wrong chat')!;
      message.focus();
      message.querySelector<HTMLButtonElement>('[part~="delete"]')!.click();
      await el.updateComplete;

      // Shown deleted at once, with its reactions gone; focus on Undo.
      expect(parts(el, 'message')[0]!.getAttribute('part')).to.contain('deleted');
      expect(parts(el, 'reaction').length).to.equal(0);
      expect(part(el, 'undo')!.getAttribute('role')).to.equal('status');
      expect(part(el, 'undo-text')!.textContent).to.equal('Message deleted.');
      expect(shadow(el).activeElement?.getAttribute('part')).to.equal('undo-button');
      await expect(el).to.be.accessible();

      part(el, 'undo-button')!.click();
      await el.updateComplete;
      expect(bodies(el)).to.deep.equal(['Oops, wrong chat']);
      expect(part(el, 'reaction')!.textContent).to.contain('1');
      expect(parts(el, 'undo').length).to.equal(0);
      // Past the undo window: nothing was sent.
      await aTimeout(PasabayChat.undoDeleteMs * 3);
      expect(await stored(messageId)).to.deep.equal({ deleted: false, reactions: 1 });
    });

    it('sends the delete after the undo window; the database and the other member drop its reactions', async () => {
      PasabayChat.undoDeleteMs = 300;
      const { maria, carlos, id } = await directPair();
      const messageId = await post(maria, id, 'Delete me');
      await carlos.client.from('message_reactions').insert({ message_id: messageId, emoji: '👍' });
      await maria.client.from('message_reactions').insert({ message_id: messageId, emoji: '❤️' });
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      await waitUntil(() => parts(theirs, 'reaction').length === 2, 'reactions not loaded');

      const message = messageWith(mine, 'Delete me')!;
      message.focus();
      message.querySelector<HTMLButtonElement>('[part~="delete"]')!.click();
      await waitUntil(() => part(mine, 'undo') === null, 'the undo window never closed', { timeout: 5000 });
      await waitUntil(
        () => parts(theirs, 'message')[0]!.getAttribute('part')!.includes('deleted'),
        'the other member never saw the delete',
        { timeout: 10_000 },
      );
      await waitUntil(() => parts(theirs, 'reaction').length === 0, 'reactions stayed on screen', { timeout: 10_000 });
      expect(await stored(messageId)).to.deep.equal({ deleted: true, reactions: 0 });
      expect(parts(mine, 'reaction').length).to.equal(0);
      await expect(theirs).to.be.accessible();
    });

    it('sends a pending delete at once when the element leaves the page', async () => {
      PasabayChat.undoDeleteMs = 60_000;
      const { maria, id } = await directPair();
      const messageId = await post(maria, id, 'Gone when I leave');
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      const message = messageWith(el, 'Gone when I leave')!;
      message.focus();
      message.querySelector<HTMLButtonElement>('[part~="delete"]')!.click();
      await el.updateComplete;
      el.remove();
      await waitUntil(async () => (await stored(messageId)).deleted, 'the delete was lost', { timeout: 10_000 });
    });

    it('sends a pending delete at once when the page is hidden for good (pagehide)', async () => {
      PasabayChat.undoDeleteMs = 60_000;
      const { maria, id } = await directPair();
      const messageId = await post(maria, id, 'Gone when the tab closes');
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      const message = messageWith(el, 'Gone when the tab closes')!;
      message.focus();
      message.querySelector<HTMLButtonElement>('[part~="delete"]')!.click();
      await el.updateComplete;
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      await waitUntil(async () => (await stored(messageId)).deleted, 'the delete was lost', { timeout: 10_000 });
      expect(parts(el, 'undo').length).to.equal(0);
    });
  });

  describe('refused send', () => {
    it('says the rate limit is why, and when it tries again', async function () {
      this.timeout(60_000);
      const restore = await setRateLimit('message', 2);
      try {
        const { maria, id } = await directPair();
        await post(maria, id, 'one');
        await post(maria, id, 'two');
        const el = await mountChat(maria.client, id);
        await waitLive(el);
        const limited = oneEvent(el, 'pasabay-error');
        await typeAndSend(el, 'three');
        const reason = (await limited).detail.message;
        expect(reason).to.equal('Rate limit exceeded: at most 2 messages a minute');
        const status = () => messageWith(el, 'three')?.querySelector('[part~="status"]');
        await waitUntil(() => status()?.textContent?.includes('too fast'), 'no rate-limit status', { timeout: 10_000 });
        // 2 a minute: one slot is 30 s.
        expect(status()!.textContent!.trim()).to.equal('Sending too fast — trying again in 30 s');
        expect(status()!.getAttribute('title')).to.equal(reason);
        await expect(el).to.be.accessible();
      } finally {
        await restore();
      }
    });
  });

  describe('unread', () => {
    it('does not flicker 1 → 0 while the user reads: no unread-change for messages read as they arrive', async () => {
      const { maria, carlos, id } = await directPair();
      const mine = await mountChat(maria.client, id);
      const theirs = await mountChat(carlos.client, id);
      await Promise.all([waitLive(mine), waitLive(theirs)]);
      const counts: number[] = [];
      theirs.addEventListener('pasabay-unread-change', (event) => counts.push(event.detail.unreadCount));
      const unreadSeen: number[] = [];
      const probe = setInterval(() => unreadSeen.push(theirs.unreadCount), 0);
      try {
        for (const body of ['first', 'second', 'third']) {
          await typeAndSend(mine, body);
          await waitForBody(theirs, body);
          // Carlos's read position reached the message: Maria sees "Seen".
          await waitUntil(
            () => messageWith(mine, body)?.querySelector('[part~="status"]')?.textContent?.trim() === 'Seen',
            `"${body}" never seen`,
            { timeout: 10_000 },
          );
        }
      } finally {
        clearInterval(probe);
      }
      expect(counts).to.deep.equal([]);
      expect(Math.max(0, ...unreadSeen)).to.equal(0);
      expect(hasState(theirs, 'unread')).to.equal(false);
    });
  });

  describe('reply quote', () => {
    it('jumps to the original, loading older pages, and highlights it', async function () {
      this.timeout(60_000);
      const { maria, carlos, id } = await directPair();
      const original = await post(maria, id, 'The original question');
      for (let i = 0; i < 12; i++) await post(carlos, id, `filler ${i}`);
      const { error } = await carlos.client
        .from('messages')
        .insert({ conversation_id: id, body: 'The answer', reply_to: original });
      expect(error?.message ?? null).to.equal(null);

      const el = await fixture<PasabayChat>(
        html`<pasabay-chat
          style="height: 360px"
          .client=${maria.client}
          conversation-id=${id}
          page-size="5"
        ></pasabay-chat>`,
      );
      await waitLive(el);
      await waitForBody(el, 'The answer');
      expect(bodies(el)).to.not.include('The original question');
      const quote = part(el, 'reply-quote')!;
      expect(quote.tagName).to.equal('BUTTON');
      quote.click();

      await waitUntil(() => messageWith(el, 'The original question') !== undefined, 'never loaded the original', {
        timeout: 15_000,
      });
      await waitUntil(
        () => messageWith(el, 'The original question')?.getAttribute('part')?.includes('highlighted'),
        'never highlighted',
        { timeout: 5000 },
      );
      const target = messageWith(el, 'The original question')!;
      expect(shadow(el).activeElement === target, 'the original has focus').to.equal(true);
      const log = part(el, 'log')!.getBoundingClientRect();
      const box = target.getBoundingClientRect();
      expect(box.top).to.be.at.least(log.top);
      expect(box.bottom).to.be.at.most(log.bottom);
      await expect(el).to.be.accessible();
      await waitUntil(() => !target.getAttribute('part')!.includes('highlighted'), 'the highlight never faded', {
        timeout: PasabayChat.highlightMs * 3,
      });
    });
  });

  describe('"New messages" divider', () => {
    it('sits above the first message that was unread on opening, and stays after it is read', async () => {
      const { maria, carlos, id } = await directPair();
      await post(maria, id, 'already read');
      const read = await carlos.client.rpc('mark_conversation_read', { conversation_id: id });
      expect(read.error?.message ?? null).to.equal(null);
      await post(maria, id, 'new one');
      await post(maria, id, 'newer one');

      const el = await mountChat(carlos.client, id);
      await waitLive(el);
      await waitForBody(el, 'newer one');
      const dividers = parts(el, 'unread-divider');
      expect(dividers.length).to.equal(1);
      expect(dividers[0]!.textContent).to.equal('New messages');
      expect(dividers[0]!.getAttribute('role')).to.equal('separator');
      expect(dividers[0]!.nextElementSibling?.querySelector('[part~="body"]')?.textContent).to.equal('new one');
      await expect(el).to.be.accessible();
      // Read on screen; the divider stays where it was.
      await waitUntil(() => el.unreadCount === 0, 'never marked read');
      await el.updateComplete;
      expect(parts(el, 'unread-divider')[0]!.nextElementSibling?.querySelector('[part~="body"]')?.textContent).to.equal(
        'new one',
      );
    });

    it('is absent when nothing was unread', async () => {
      const { maria, carlos, id } = await directPair();
      await post(carlos, id, 'mine');
      await post(maria, id, 'hers');
      await carlos.client.rpc('mark_conversation_read', { conversation_id: id });
      const el = await mountChat(carlos.client, id);
      await waitLive(el);
      await waitForBody(el, 'hers');
      expect(parts(el, 'unread-divider')).to.have.length(0);
    });
  });

  describe('theming', () => {
    const styles: HTMLStyleElement[] = [];
    afterEach(() => {
      for (const style of styles.splice(0)) style.remove();
    });

    /** Maria's chat with one message from Carlos then two of hers (a group of two). */
    async function themedChat(className: string, theme: 'light' | 'dark' | '' = '') {
      const { maria, carlos, id } = await directPair();
      await post(carlos, id, 'From Carlos');
      await post(maria, id, 'Mine, first');
      await post(maria, id, 'Mine, last');
      const el = await fixture<PasabayChat>(
        html`<pasabay-chat
          class=${className}
          style="height: 420px"
          theme=${theme || 'light'}
          .client=${maria.client}
          conversation-id=${id}
        ></pasabay-chat>`,
      );
      if (!theme) el.removeAttribute('theme');
      await waitLive(el);
      await waitForBody(el, 'Mine, last');
      return el;
    }
    const bubbleOf = (el: PasabayChat, body: string) =>
      messageWith(el, body)!.querySelector<HTMLElement>('[part~="bubble"]')!;

    it('uses the emoji font stack, replaceable with --pasabay-emoji-font', async () => {
      const el = await themedChat('');
      expect(getComputedStyle(bubbleOf(el, 'From Carlos')).fontFamily).to.contain('Noto Color Emoji');
      el.style.setProperty('--pasabay-emoji-font', "'Test Emoji Font'");
      expect(getComputedStyle(bubbleOf(el, 'From Carlos')).fontFamily).to.contain('Test Emoji Font');
      expect(getComputedStyle(bubbleOf(el, 'From Carlos')).fontFamily).to.not.contain('Noto Color Emoji');
    });

    it('exports own / other / first / last tokens on bubble, meta and avatar', async () => {
      styles.push(
        addStyle(`
          .parts::part(bubble-own) { background: rgb(1, 2, 3); }
          .parts::part(bubble-other) { background: rgb(4, 5, 6); }
          .parts::part(meta-own meta-last) { color: rgb(7, 8, 9); }
        `),
      );
      const el = await themedChat('parts');
      expect(bubbleOf(el, 'From Carlos').getAttribute('part')).to.equal('bubble bubble-other bubble-first bubble-last');
      expect(bubbleOf(el, 'Mine, first').getAttribute('part')).to.equal('bubble bubble-own bubble-first');
      expect(bubbleOf(el, 'Mine, last').getAttribute('part')).to.equal('bubble bubble-own bubble-last');
      expect(getComputedStyle(bubbleOf(el, 'Mine, first')).backgroundColor).to.equal('rgb(1, 2, 3)');
      expect(getComputedStyle(bubbleOf(el, 'From Carlos')).backgroundColor).to.equal('rgb(4, 5, 6)');
      const meta = messageWith(el, 'Mine, last')!.querySelector('[part~="meta"]')!;
      expect(meta.getAttribute('part')).to.equal('meta meta-own meta-last');
      expect(getComputedStyle(meta).color).to.equal('rgb(7, 8, 9)');
      expect(messageWith(el, 'From Carlos')!.querySelector('[part~="avatar"]')!.getAttribute('part')).to.equal(
        'avatar avatar-other avatar-first avatar-last',
      );
    });

    it('applies a token set inside a ::part() rule, on the part and from the message', async () => {
      styles.push(
        addStyle(`
          .per-part::part(bubble-other) { --pasabay-chat-bubble-radius: 3px; --pasabay-chat-other-bubble-background: rgb(10, 20, 30); }
          .per-part::part(message own first) { --pasabay-chat-bubble-radius: 5px; }
          .per-part::part(bubble-own bubble-last) { --pasabay-chat-bubble-tail-radius: 0px; }
        `),
      );
      const el = await themedChat('per-part');
      const other = getComputedStyle(bubbleOf(el, 'From Carlos'));
      expect(other.borderStartStartRadius).to.equal('3px');
      expect(other.backgroundColor).to.equal('rgb(10, 20, 30)');
      expect(getComputedStyle(bubbleOf(el, 'Mine, first')).borderStartStartRadius).to.equal('5px');
      const last = getComputedStyle(bubbleOf(el, 'Mine, last'));
      expect(last.borderEndEndRadius).to.equal('0px');
      expect(last.borderStartStartRadius).to.equal('16px');
    });

    it("gives the demo's Jeepney theme its square tails", async () => {
      styles.push(addStyle(await demoThemingCss()));
      const el = await themedChat('jeepney', 'light');
      const last = getComputedStyle(bubbleOf(el, 'Mine, last'));
      const other = getComputedStyle(bubbleOf(el, 'From Carlos'));
      expect(last.borderStartStartRadius).to.equal('20px');
      expect(last.borderEndEndRadius).to.equal('4px');
      expect(other.borderEndStartRadius).to.equal('4px');
      expect(other.borderStartEndRadius).to.equal('20px');
    });

    for (const theme of ['light', 'dark'] as const) {
      it(`keeps the README theming snippet at 4.5:1 or more in ${theme} mode, offline banner included`, async () => {
        const css = await readmeThemingCss();
        // Scoped to the test's element instead of <body>, so it cannot leak into later tests.
        styles.push(addStyle(css.replaceAll('body {', '.readme {').replaceAll('pasabay-chat::part', '.readme::part')));
        const el = await themedChat('readme', theme);
        window.dispatchEvent(new Event('offline'));
        try {
          await waitForState(el, 'offline');
          await el.updateComplete;
          const checks: [string, Element][] = [
            ['own bubble', bubbleOf(el, 'Mine, last').querySelector('[part~="body"]')!],
            ["other's bubble", bubbleOf(el, 'From Carlos').querySelector('[part~="body"]')!],
            ['offline banner', part(el, 'banner')!],
            ['time', part(el, 'time')!],
          ];
          for (const [what, node] of checks) {
            const ratio = contrastOf(node);
            expect(ratio, `${what} in ${theme}: ${ratio.toFixed(2)}:1`).to.be.at.least(4.5);
          }
          await expect(el).to.be.accessible();
        } finally {
          window.dispatchEvent(new Event('online'));
        }
      });
    }

    for (const look of ['midnight', 'jeepney'] as const) {
      it(`keeps the demo's ${look} look at 4.5:1 or more on bubbles`, async () => {
        styles.push(addStyle(await demoThemingCss()));
        const el = await themedChat(look, look === 'midnight' ? 'dark' : 'light');
        for (const body of ['From Carlos', 'Mine, last']) {
          const ratio = contrastOf(bubbleOf(el, body).querySelector('[part~="body"]')!);
          expect(ratio, `${body}: ${ratio.toFixed(2)}:1`).to.be.at.least(4.5);
        }
        await expect(el).to.be.accessible();
      });
    }
  });
});
