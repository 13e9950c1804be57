/**
 * The conversation header of <pasabay-chat> against the local stack: title and members from the
 * database, online status from the `org-id` organisation's presence (two real clients), the back
 * button and its event, the `header` slot and `no-header`.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { orgTopic } from '../../src/connection/topics.js';
import type { PasabayStatusChangeEvent } from '../../src/events/pasabay-status-change.js';
import {
  directBetween,
  groupOf,
  newUser,
  part,
  parts,
  removeAndSettle,
  waitLive,
  type TestUser,
} from './pasabay-chat-fixtures.js';
import { organizationOf } from './org-fixtures.js';
import { closeClients } from '../support/browser-stack.js';

async function mount(
  client: SupabaseClient,
  conversationId: string,
  attributes: { orgId?: string; back?: boolean } = {},
) {
  const el = await fixture<PasabayChat>(
    html`<pasabay-chat
      style="height: 360px"
      .client=${client}
      conversation-id=${conversationId}
      org-id=${attributes.orgId ?? ''}
      ?back-button=${attributes.back ?? false}
    ></pasabay-chat>`,
  );
  await waitLive(el);
  return el;
}

const title = (el: PasabayChat) => part(el, 'header-title')?.textContent?.trim();
const status = (el: PasabayChat) => part(el, 'header-status')?.textContent?.trim() ?? '';
const avatars = (el: PasabayChat) => parts(el, 'header-avatar').map((a) => a.textContent!.trim());
const onlineAvatars = (el: PasabayChat) =>
  parts(el, 'header-avatar')
    .filter((a) => a.part.contains('online'))
    .map((a) => a.dataset['userId']);
const shown = (el: HTMLElement | null) => Boolean(el && el.getClientRects().length > 0);

describe('<pasabay-chat> header', () => {
  let maria: TestUser;
  let carlos: TestUser;
  let ana: TestUser;
  let ben: TestUser;
  let dina: TestUser;
  let stranger: TestUser;
  let organizationId: string;
  const extraClients: SupabaseClient[] = [];

  before(async () => {
    [maria, carlos, ana, ben, dina, stranger] = await Promise.all([
      newUser('Maria'),
      newUser('Carlos'),
      newUser('Ana'),
      newUser('Ben'),
      newUser('Dina'),
      newUser('Stranger'),
    ]);
    organizationId = await organizationOf(maria, [carlos, ana, ben, dina]);
  });

  afterEach(async () => {
    await setViewport({ width: 800, height: 600 });
    await Promise.all([maria, carlos, ana, ben, dina, stranger].map((u) => u.client.removeAllChannels()));
    await closeClients(...extraClients.splice(0));
  });

  describe('title and members', () => {
    it("shows a group's title from the database and its other members: three avatars, then +N", async () => {
      const id = await groupOf(maria, carlos, ana, ben, dina);
      const el = await mount(maria.client, id);
      await waitUntil(() => avatars(el).length === 4, 'avatars of the four others', { timeout: 10_000 });
      expect(title(el)).to.equal('Test group');
      // Sorted by name; Maria (the user) is not among them.
      expect(avatars(el)).to.deep.equal(['A', 'B', 'C', '+1']);
      expect(part(el, 'header-avatars')!.getAttribute('aria-label')).to.equal('Ana, Ben, Carlos and 1 more');
      expect(parts(el, 'header-avatar').at(-1)!.part.contains('more')).to.equal(true);
      expect(status(el)).to.equal('');
      await expect(el).to.be.accessible();
    });

    it("titles a direct chat with the other member's name", async () => {
      const id = await directBetween(maria, carlos);
      const el = await mount(maria.client, id);
      await waitUntil(() => title(el) === 'Carlos', "Carlos's name as the title", { timeout: 10_000 });
      expect(avatars(el)).to.deep.equal(['C']);
      expect(part(el, 'header-avatars')!.getAttribute('aria-label')).to.equal('Carlos');
      await expect(el).to.be.accessible();
    });
  });

  describe('back button', () => {
    it('is hidden on a wide viewport, shown with back-button, and fires pasabay-back with the conversation', async () => {
      const id = await directBetween(maria, ana);
      const plain = await mount(maria.client, id);
      expect(shown(part(plain, 'back'))).to.equal(false);
      plain.remove();

      const el = await mount(maria.client, id, { back: true });
      const back = part(el, 'back')!;
      expect(shown(back)).to.equal(true);
      expect(back.getAttribute('aria-label')).to.equal('Back to conversations');
      const rect = back.getBoundingClientRect();
      expect(rect.width).to.be.at.least(24);
      expect(rect.height).to.be.at.least(24);
      const fired = oneEvent(el, 'pasabay-back');
      back.click();
      const event = await fired;
      expect(event.detail.conversationId).to.equal(id);
      expect(event.bubbles && event.composed).to.equal(true);
      await expect(el).to.be.accessible();
    });

    it('shows on a narrow viewport without the attribute', async () => {
      const id = await directBetween(maria, ben);
      const el = await mount(maria.client, id);
      expect(shown(part(el, 'back'))).to.equal(false);
      await setViewport({ width: 360, height: 640 });
      await waitUntil(() => shown(part(el, 'back')), 'back button on a phone-sized viewport');
      await expect(el).to.be.accessible();
    });
  });

  describe('slot and no-header', () => {
    it('no-header hides it; content in the header slot replaces it', async () => {
      const id = await directBetween(maria, dina);
      const el = await mount(maria.client, id);
      expect(shown(part(el, 'header'))).to.equal(true);
      el.noHeader = true;
      await el.updateComplete;
      expect(part(el, 'header')).to.equal(null);
      el.noHeader = false;
      const custom = document.createElement('div');
      custom.slot = 'header';
      custom.textContent = 'My own header';
      el.append(custom);
      await el.updateComplete;
      expect(shown(custom)).to.equal(true);
      expect(shown(part(el, 'header'))).to.equal(false);
      await expect(el).to.be.accessible();
    });
  });

  describe('online status from the organisation (org-id)', () => {
    it('two members on their own clients see each other online in a direct chat, until one closes', async () => {
      const id = await directBetween(maria, carlos);
      const m = await mount(maria.client, id, { orgId: organizationId });
      const c = await mount(carlos.client, id, { orgId: organizationId });
      await waitUntil(() => status(m) === 'Online', 'Maria sees Carlos online', { timeout: 10_000 });
      await waitUntil(() => status(c) === 'Online', 'Carlos sees Maria online', { timeout: 10_000 });
      expect(onlineAvatars(m)).to.deep.equal([carlos.user.id]);
      await expect(m).to.be.accessible();
      await removeAndSettle(c, carlos.client);
      await waitUntil(() => status(m) === '', 'Carlos goes off when his chat closes', { timeout: 10_000 });
      expect(onlineAvatars(m)).to.deep.equal([]);
    });

    it('counts the members online in a group: "2 of 4 online"', async () => {
      const id = await groupOf(maria, carlos, ana, ben);
      const m = await mount(maria.client, id, { orgId: organizationId });
      await waitUntil(() => status(m) === '1 of 4 online', 'only Maria at first', { timeout: 10_000 });
      const a = await mount(ana.client, id, { orgId: organizationId });
      await waitUntil(() => status(m) === '2 of 4 online', 'Ana comes online', { timeout: 10_000 });
      await waitUntil(() => status(a) === '2 of 4 online', 'Ana counts Maria and herself', { timeout: 10_000 });
      expect(onlineAvatars(m)).to.deep.equal([ana.user.id]);
    });

    it('a non-member of the organisation is refused its channel and shows no online status', async () => {
      const id = await directBetween(stranger, maria);
      await mount(maria.client, id, { orgId: organizationId });
      const statuses: { topic: string; status: string }[] = [];
      const listener = (event: PasabayStatusChangeEvent) => statuses.push(event.detail);
      document.addEventListener('pasabay-status-change', listener);
      try {
        const s = await mount(stranger.client, id, { orgId: organizationId });
        await waitUntil(
          () => statuses.some((d) => d.topic === orgTopic(organizationId) && d.status === 'error'),
          'the stranger is refused org:<id>',
          { timeout: 10_000 },
        );
        expect(status(s)).to.equal('');
        expect(onlineAvatars(s)).to.deep.equal([]);
        // The conversation itself still works for the stranger: only the organisation is refused.
        expect(title(s)).to.equal('Maria');
        await expect(s).to.be.accessible();
      } finally {
        document.removeEventListener('pasabay-status-change', listener);
      }
    });
  });
});
