import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { SupabaseClient } from '@supabase/supabase-js';
import { definePasabayLauncher, type PasabayLauncher } from '../../src/components/pasabay-launcher/pasabay-launcher.js';
import type { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import {
  closeClients,
  conversationOf,
  newUser,
  openToContact,
  stack,
  type TestUser,
} from '../support/browser-stack.js';
import { post } from './pasabay-chat-fixtures.js';

definePasabayLauncher();

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const badgeText = (el: Element) => part(el, 'badge')?.querySelector('[aria-hidden="true"]')?.textContent?.trim() ?? '';
/** What a screen reader reads for the button: its text without the `aria-hidden` parts. */
const buttonName = (el: Element) =>
  [...part(el, 'button')!.querySelectorAll('.visually-hidden')].map((span) => span.textContent!.trim()).join(' ');
const chatOf = (el: Element) => part(el, 'chat') as PasabayChat | null;
const settled = { timeout: 15_000 };
const userChannelJoined = (user: TestUser) =>
  user.client
    .getChannels()
    .some((channel) => channel.topic.endsWith(`user:${user.user.id}`) && channel.state === 'joined');

/** Whether the chat in the panel shows live, loaded content. */
const chatLive = (chat: PasabayChat | null) =>
  !!chat && (chat.matches(':state(ready)') || chat.matches(':state(empty)')) && !chat.matches(':state(connecting)');

describe('<pasabay-launcher>', () => {
  beforeEach(() => {
    for (const key of Object.keys(localStorage)) if (key.startsWith('pasabay-launcher:')) localStorage.removeItem(key);
  });

  describe('in a page, with a client', () => {
    let visitor: TestUser;
    let agent: TestUser;
    let id: string;
    beforeEach(async () => {
      [visitor, agent] = await Promise.all([newUser('Visitor'), newUser('Agent')]);
      id = await conversationOf(agent, [visitor], { kind: 'direct' });
    });
    afterEach(async () => {
      await closeClients(visitor.client, agent.client);
    });

    async function mount(client: SupabaseClient, conversationId: string) {
      return fixture<PasabayLauncher>(
        html`<pasabay-launcher .client=${client} conversation-id=${conversationId}></pasabay-launcher>`,
      );
    }

    it('counts a real unread message on its badge, and clears it once read in the panel', async () => {
      const el = await mount(visitor.client, id);
      expect(part(el, 'panel')).to.equal(null);
      expect(part(el, 'badge')).to.equal(null);
      await expect(el).to.be.accessible();
      // The badge follows what the database records; the message arrives once the topics are joined.
      await waitUntil(() => userChannelJoined(visitor), 'user:<id> never joined', settled);
      // The badge holds one channel, whatever the number of conversations.
      expect(visitor.client.getChannels().length).to.equal(1);
      await post(agent, id, 'Hello from support');
      await waitUntil(() => badgeText(el) === '1', 'the badge never showed the unread message', settled);
      expect(el.unreadCount).to.equal(1);
      expect(el.matches(':state(unread)')).to.equal(true);
      expect(buttonName(el)).to.equal('Open chat 1 unread message');
      await expect(el).to.be.accessible();

      part(el, 'button')!.click();
      await el.updateComplete;
      expect(el.open).to.equal(true);
      expect(part(el, 'button')!.getAttribute('aria-expanded')).to.equal('true');
      await waitUntil(() => chatLive(chatOf(el)), 'the chat in the panel never loaded', settled);
      // Read in the panel: the database moves the read position and says so on user:<id>.
      await waitUntil(() => part(el, 'badge') === null, 'the badge stayed after reading', settled);
      await expect(el).to.be.accessible();
    });

    it('has a labelled, non-modal panel: Escape closes it and focus returns to the button', async () => {
      const el = await mount(visitor.client, id);
      part(el, 'button')!.click();
      await el.updateComplete;
      const panel = part(el, 'panel')!;
      expect(panel.getAttribute('role')).to.equal('dialog');
      expect(panel.hasAttribute('aria-modal')).to.equal(false);
      expect(el.shadowRoot!.getElementById(panel.getAttribute('aria-labelledby')!)!.textContent).to.equal('Chat');
      expect(el.shadowRoot!.activeElement).to.equal(panel);
      await waitUntil(() => chatLive(chatOf(el)), 'the chat in the panel never loaded', settled);
      await expect(el).to.be.accessible();

      // Escape from inside the chat (its composer) closes the panel.
      const composer = chatOf(el)!.shadowRoot!.querySelector<HTMLTextAreaElement>('[part~="composer"]')!;
      composer.focus();
      composer.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true }),
      );
      await el.updateComplete;
      await el.updateComplete;
      expect(el.open).to.equal(false);
      expect(part(el, 'panel')).to.equal(null);
      expect(el.shadowRoot!.activeElement).to.equal(part(el, 'button'));
      expect(part(el, 'button')!.getAttribute('aria-expanded')).to.equal('false');
    });

    it('is sized by its tokens, covers only itself and leaves the page clickable', async () => {
      const page = await fixture<HTMLDivElement>(
        html`<div>
          <button id="behind" type="button" style="position: fixed; inset: 0 auto auto 0; width: 100px; height: 40px">
            Behind
          </button>
          <pasabay-launcher
            style="--pasabay-launcher-panel-width: 300px; --pasabay-launcher-panel-height: 320px; --pasabay-launcher-offset: 10px"
            .client=${visitor.client}
            conversation-id=${id}
          ></pasabay-launcher>
        </div>`,
      );
      const el = page.querySelector('pasabay-launcher')!;
      part(el, 'button')!.click();
      await el.updateComplete;
      const panel = part(el, 'panel')!.getBoundingClientRect();
      expect(Math.round(panel.width)).to.equal(300);
      expect(Math.round(panel.height)).to.equal(320);
      const button = part(el, 'button')!.getBoundingClientRect();
      expect(Math.round(innerWidth - button.right)).to.equal(10);
      expect([Math.round(button.width), Math.round(button.height)]).to.deep.equal([56, 56]);
      // Many messages later the panel is the same size: the chat scrolls inside it.
      await waitUntil(() => chatLive(chatOf(el)), 'the chat in the panel never loaded', settled);
      for (let i = 0; i < 15; i++) await post(agent, id, `line ${i}`);
      // The chat windows its rows (only those near the viewport are in the DOM): the newest one
      // arriving, scrolled into view, with older ones above it, is what says they all came.
      const shown = () =>
        [...chatOf(el)!.shadowRoot!.querySelectorAll('[part~="body"]')].map((body) => body.textContent?.trim());
      await waitUntil(
        () => shown().includes('line 14') && shown().filter((text) => text?.startsWith('line ')).length >= 10,
        'messages never arrived',
        settled,
      );
      expect(Math.round(part(el, 'panel')!.getBoundingClientRect().height)).to.equal(320);
      // The chat fits the panel: its composer is inside the panel's box, not clipped below it.
      const composer = chatOf(el)!.shadowRoot!.querySelector('[part~="composer"]')!.getBoundingClientRect();
      expect(composer.bottom).to.be.at.most(panel.bottom);
      expect(composer.top).to.be.at.least(panel.top);
      expect(composer.height).to.be.greaterThan(0);
      // No overlay: the page answers clicks everywhere but on the launcher's own boxes.
      const behind = page.querySelector<HTMLButtonElement>('#behind')!;
      expect(document.elementFromPoint(50, 20)).to.equal(behind);
      expect(document.elementFromPoint(panel.left - 5, panel.top + 10)).not.to.equal(el);
      expect(document.elementFromPoint(panel.left + 10, panel.top + 10)).to.equal(el);
      let clicked = false;
      behind.addEventListener('click', () => (clicked = true));
      (document.elementFromPoint(50, 20) as HTMLElement).click();
      expect(clicked).to.equal(true);
      expect(el.open).to.equal(true);
    });

    it('leaves its channels on remove, rejoins on re-append, and 20 mount / remove cycles leave none', async () => {
      const el = await mount(visitor.client, id);
      const opened = () => userChannelJoined(visitor);
      await waitUntil(opened, 'notice channels never opened', settled);
      const parent = el.parentElement!;
      el.remove();
      await channelRemovalsSettled(visitor.client);
      expect(visitor.client.getChannels().length).to.equal(0);
      parent.append(el);
      await waitUntil(opened, 'notice channels never reopened', settled);
      await post(agent, id, 'After the move');
      await waitUntil(() => badgeText(el) === '1', 'the badge missed a message after re-append', settled);
      el.remove();
      for (let i = 0; i < 20; i++) {
        const next = await mount(visitor.client, id);
        next.remove();
      }
      await channelRemovalsSettled(visitor.client);
      expect(visitor.client.getChannels().length).to.equal(0);
    });

    it('shows the conversation list beside the chat for agents, and remembers that panel apart', async () => {
      const el = await fixture<PasabayLauncher>(
        html`<pasabay-launcher mode="agent" .client=${agent.client}></pasabay-launcher>`,
      );
      part(el, 'button')!.click();
      await el.updateComplete;
      const list = part(el, 'list')!;
      expect(list.localName).to.equal('pasabay-conversation-list');
      expect(list.getAttribute('for')).to.equal(chatOf(el)!.id);
      expect(chatOf(el)!.hasAttribute('conversation-id')).to.equal(false);
      expect(localStorage.getItem('pasabay-launcher:open:agent')).to.equal('open');
      expect(localStorage.getItem(`pasabay-launcher:open:conversation:${id}`)).to.equal(null);
      await expect(el).to.be.accessible();
    });
  });

  describe('from one script tag', () => {
    let agent: TestUser;
    let frame: HTMLIFrameElement;
    beforeEach(async () => {
      agent = await newUser('Support Agent');
      await openToContact(agent);
    });
    afterEach(async () => {
      frame?.remove();
      await closeClients(agent.client);
    });

    /** A plain page whose only script is the bundle's entry with data-* configuration. */
    function page(): string {
      return `<!doctype html>
<html lang="en">
  <head>
    <script type="module" src="/src/index.ts"
      data-supabase-url="${stack.url}"
      data-anon-key="${stack.anonKey}"
      data-guest-name="Visitor"
      data-with-user="${agent.user.id}"
      data-heading="Support"
      data-launcher></script>
  </head>
  <body><h1>Bookings</h1><a id="behind" href="#booked">Book a trip</a></body>
</html>`;
    }

    async function load(): Promise<{ doc: Document; el: PasabayLauncher }> {
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      frame.srcdoc = page();
      await loaded;
      const doc = frame.contentDocument!;
      await waitUntil(
        () => doc.querySelector('pasabay-launcher')?.shadowRoot?.querySelector('[part~="button"]'),
        'no launcher on the page',
        settled,
      );
      return { doc, el: doc.querySelector('pasabay-launcher') as PasabayLauncher };
    }

    it('configures from data-*, opens a guest chat, counts a reply and remembers open / closed across loads', async () => {
      frame = document.createElement('iframe');
      frame.style.cssText = 'width: 800px; height: 700px; border: 0';
      document.body.append(frame);
      const first = await load();
      const doc = first.doc;
      let el = first.el;
      expect(el.getAttribute('with-user')).to.equal(agent.user.id);
      expect(el.open).to.equal(false);

      part(el, 'button')!.click();
      await el.updateComplete;
      expect(part(el, 'heading')!.textContent).to.equal('Support');
      await waitUntil(() => chatLive(chatOf(el)), 'the guest chat never loaded', settled);
      // The guest's conversation with the agent now exists; the agent can see it.
      let conversationId = '';
      await waitUntil(
        async () => {
          const { data } = await agent.client
            .from('conversation_members')
            .select('conversation_id')
            .eq('user_id', agent.user.id);
          conversationId = (data?.[0]?.conversation_id as string | undefined) ?? '';
          return conversationId !== '';
        },
        'the guest conversation was never created',
        settled,
      );

      // Escape closes and puts focus back on the button, in the page's own document.
      part(el, 'panel')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true }),
      );
      await el.updateComplete;
      await el.updateComplete;
      expect(el.open).to.equal(false);
      expect(doc.activeElement).to.equal(el);
      expect(el.shadowRoot!.activeElement).to.equal(part(el, 'button'));

      await post(agent, conversationId, 'How can we help?');
      await waitUntil(() => badgeText(el) === '1', 'the reply never reached the badge', settled);

      // A new page load: still closed, and the count comes from the database.
      ({ el } = await load());
      expect(el.open).to.equal(false);
      await waitUntil(() => badgeText(el) === '1', 'the badge was not restored from the database', settled);

      part(el, 'button')!.click();
      await el.updateComplete;
      ({ el } = await load());
      expect(el.open).to.equal(true);
      await waitUntil(() => chatLive(chatOf(el)), 'the reopened chat never loaded', settled);
      const bodies = () =>
        [...chatOf(el)!.shadowRoot!.querySelectorAll('[part~="body"]')].map((body) => body.textContent);
      await waitUntil(() => bodies().includes('How can we help?'), 'the reply is not in the reopened chat', settled);
      // The page behind still answers where the launcher is not.
      const page = frame.contentDocument!;
      const link = page.querySelector('#behind')!.getBoundingClientRect();
      expect(page.elementFromPoint(link.left + 2, link.top + 2)).to.equal(page.querySelector('#behind'));
    });
  });
});
