/**
 * <meeting-reactions> against the local stack with several real clients: reactions float for
 * every participant with the sender's profile name in the live region; an outsider can neither
 * send nor see them; the rate limit and an ended meeting show as refusals; reduced motion; the
 * channel is released on remove.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  defineMeetingReactions,
  type MeetingReactions,
} from '../../src/components/meeting-reactions/meeting-reactions.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import type { PasabayErrorEvent } from '../../src/events/pasabay-error.js';
import { meetingOf, newUser, setRateLimit, type TestUser } from '../support/browser-stack.js';

defineMeetingReactions();
defineMeetingParticipants();

const shadow = (el: Element) => el.shadowRoot!;
const parts = (el: Element, name: string) => [...shadow(el).querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
const part = (el: Element, name: string) => parts(el, name)[0];
const hasState = (el: Element, name: string) => el.matches(`:state(${name})`);
const floats = (el: Element) => parts(el, 'float').map((f) => f.textContent?.replace(/\s+/g, ' ').trim() ?? '');
const spoken = (el: Element) =>
  [...shadow(el).querySelectorAll('[role="log"] p')].map((p) => p.textContent?.trim() ?? '');

async function mount(client: SupabaseClient, meetingId: string, extra: { reactions?: string } = {}) {
  const errors: PasabayErrorEvent['detail'][] = [];
  const el = await fixture<MeetingReactions>(
    html`<meeting-reactions
      .client=${client}
      meeting-id=${meetingId}
      reactions=${extra.reactions ?? '👍 👏 🎉'}
      @pasabay-error=${(event: PasabayErrorEvent) => errors.push(event.detail)}
    ></meeting-reactions>`,
  );
  return { el, errors };
}

const joined = (el: MeetingReactions) =>
  waitUntil(() => !hasState(el, 'offline'), 'the meeting channel never joined', { timeout: 15_000 });

async function remove(el: Element, client: SupabaseClient) {
  el.remove();
  await channelRemovalsSettled(client);
}

describe('<meeting-reactions>', () => {
  let host: TestUser;
  let guest: TestUser;
  let other: TestUser;
  let outsider: TestUser;
  let meeting: string;

  beforeEach(async () => {
    [host, guest, other, outsider] = await Promise.all([
      newUser('Hana Host'),
      newUser('Gabe Guest'),
      newUser('Ola Other'),
      newUser('Otto Outsider'),
    ]);
    meeting = await meetingOf(host, [guest, other]);
  });

  describe('between participants', () => {
    it('a reaction floats for every participant, named from the profile in the live region', async () => {
      const mounted = await Promise.all([
        mount(host.client, meeting),
        mount(guest.client, meeting),
        mount(other.client, meeting),
      ]);
      const [hosts, guests, others] = mounted.map((m) => m.el) as [
        MeetingReactions,
        MeetingReactions,
        MeetingReactions,
      ];
      await Promise.all([joined(hosts), joined(guests), joined(others)]);
      await expect(guests).to.be.accessible();

      const button = parts(guests, 'button').find((b) => b.textContent?.trim() === '👏')!;
      expect(button.getAttribute('aria-label')).to.equal('React with 👏');
      button.click();
      for (const el of [hosts, guests, others])
        await waitUntil(() => floats(el).length === 1, 'the reaction reached every participant', { timeout: 10_000 });
      expect(floats(hosts)).to.deep.equal(['👏Gabe Guest']);
      expect(floats(others)).to.deep.equal(['👏Gabe Guest']);
      expect(floats(guests)).to.deep.equal(['👏You']);
      expect(spoken(hosts)).to.deep.equal(['Gabe Guest reacted 👏']);
      expect(spoken(guests)).to.deep.equal(['You reacted 👏']);
      expect(part(hosts, 'stage')!.getAttribute('aria-hidden')).to.equal('true');
      expect(part(guests, 'float')!.getAttribute('part')).to.equal('float own');
      await expect(hosts).to.be.accessible();
      // It floats for a moment, then goes.
      await waitUntil(() => floats(hosts).length === 0, 'the reaction left the stage', { timeout: 10_000 });
      expect(mounted.every((m) => m.errors.length === 0)).to.equal(true);
      for (const [el, user] of [
        [hosts, host],
        [guests, guest],
        [others, other],
      ] as const)
        await remove(el, user.client);
    });

    it('shares meeting:<id> with <meeting-participants> on one client, which ignores the reactions', async () => {
      const rosterErrors: string[] = [];
      const roster = await fixture<MeetingParticipants>(
        html`<meeting-participants
          .client=${host.client}
          meeting-id=${meeting}
          @pasabay-error=${(event: PasabayErrorEvent) => rosterErrors.push(event.detail.message)}
        ></meeting-participants>`,
      );
      const { el } = await mount(host.client, meeting);
      await joined(el);
      await waitUntil(() => roster.participants.length > 0, 'the roster loaded', { timeout: 15_000 });
      const topics = host.client.getChannels().map((channel) => channel.topic);
      expect(topics.filter((topic) => topic === `realtime:meeting:${meeting}`).length).to.equal(1);
      expect(await el.react('👍')).to.equal(true);
      await waitUntil(() => floats(el).length === 1, 'the reaction arrived', { timeout: 10_000 });
      expect(rosterErrors).to.deep.equal([]);
      el.remove();
      roster.remove();
      await channelRemovalsSettled(host.client);
    });

    it('offers the configured reactions, each a button of at least 24px', async () => {
      const { el } = await mount(host.client, meeting, { reactions: '🚀  ✅ 🙌' });
      await joined(el);
      const buttons = parts(el, 'button');
      expect(buttons.map((b) => b.textContent?.trim())).to.deep.equal(['🚀', '✅', '🙌']);
      for (const button of buttons) {
        const box = button.getBoundingClientRect();
        expect(box.width).to.be.at.least(24);
        expect(box.height).to.be.at.least(24);
      }
      expect(part(el, 'picker')!.getAttribute('role')).to.equal('group');
      await remove(el, host.client);
    });

    it('under prefers-reduced-motion a reaction appears without floating', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      try {
        const { el } = await mount(host.client, meeting);
        await joined(el);
        expect(await el.react('🎉')).to.equal(true);
        await waitUntil(() => floats(el).length === 1, 'own reaction shown', { timeout: 10_000 });
        expect(getComputedStyle(part(el, 'float')!).animationName).to.equal('none');
        await remove(el, host.client);
      } finally {
        await emulateMedia({ reducedMotion: 'no-preference' });
      }
      const { el } = await mount(host.client, meeting);
      await joined(el);
      await el.react('🎉');
      await waitUntil(() => floats(el).length === 1, 'own reaction shown', { timeout: 10_000 });
      expect(getComputedStyle(part(el, 'float')!).animationName).to.equal('pasabay-reaction-float');
      await remove(el, host.client);
    });
  });

  describe('refusals', () => {
    it('an outsider cannot join the channel, cannot send, and sees none of the reactions', async () => {
      const outsiders = await mount(outsider.client, meeting);
      const hosts = await mount(host.client, meeting);
      await joined(hosts.el);
      await waitUntil(() => hasState(outsiders.el, 'not-allowed'), 'the outsider was refused', { timeout: 15_000 });
      expect(part(outsiders.el, 'state')!.textContent).to.contain('Only the meeting’s participants');
      expect(parts(outsiders.el, 'button').every((b) => (b as HTMLButtonElement).disabled)).to.equal(true);
      expect(outsiders.errors.some((e) => e.code === 'channel')).to.equal(true);
      await expect(outsiders.el).to.be.accessible();

      // The database refuses the send itself, and the element says so.
      expect(await outsiders.el.react('👍')).to.equal(false);
      await outsiders.el.updateComplete;
      expect(part(outsiders.el, 'notice')!.textContent).to.contain(
        "Reaction not sent: Only the meeting's participants can send reactions",
      );
      expect(hasState(outsiders.el, 'refused')).to.equal(true);
      expect(outsiders.errors.some((e) => e.code === 'request' && e.source === 'rpc send_meeting_reaction')).to.equal(
        true,
      );

      await hosts.el.react('👍');
      await waitUntil(() => floats(hosts.el).length === 1, 'the host sees their reaction', { timeout: 10_000 });
      expect(floats(outsiders.el)).to.deep.equal([]);
      expect(spoken(outsiders.el)).to.deep.equal([]);
      await remove(outsiders.el, outsider.client);
      await remove(hosts.el, host.client);
    });

    it('over the rate limit the element shows the refusal and fires pasabay-error (rate-limited)', async () => {
      const restore = await setRateLimit('reaction', 2);
      try {
        const { el, errors } = await mount(guest.client, meeting);
        await joined(el);
        expect(await el.react('👍')).to.equal(true);
        expect(await el.react('👍')).to.equal(true);
        expect(await el.react('👍')).to.equal(false);
        await el.updateComplete;
        expect(part(el, 'notice')!.textContent).to.contain(
          'Reaction not sent: Rate limit exceeded: at most 2 reactions a minute',
        );
        expect(part(el, 'notice')!.getAttribute('role')).to.equal('alert');
        expect(errors.filter((e) => e.code === 'rate-limited').length).to.equal(1);
        await waitUntil(() => floats(el).length === 2, 'the two accepted ones arrived', { timeout: 10_000 });
        await expect(el).to.be.accessible();
        (part(el, 'dismiss') as HTMLButtonElement).click();
        await el.updateComplete;
        expect(part(el, 'notice')).to.equal(undefined);
        await remove(el, guest.client);
      } finally {
        await restore();
      }
    });

    it('once the meeting has ended reactions are refused with that reason', async () => {
      const { el } = await mount(guest.client, meeting);
      await joined(el);
      const ended = await host.client.from('meetings').update({ status: 'ended' }).eq('id', meeting);
      expect(ended.error).to.equal(null);
      expect(await el.react('🎉')).to.equal(false);
      await el.updateComplete;
      expect(part(el, 'notice')!.textContent).to.contain('Reaction not sent: This meeting has ended');
      await remove(el, guest.client);
    });
  });

  describe('channel lifecycle', () => {
    it('leaves on remove, rejoins on re-append, and 20 mount / remove cycles leave no channel', async () => {
      const { el } = await mount(host.client, meeting);
      await joined(el);
      const parent = el.parentElement!;
      await remove(el, host.client);
      expect(host.client.getChannels().length).to.equal(0);
      parent.append(el);
      await joined(el);
      expect(host.client.getChannels().length).to.equal(1);
      await remove(el, host.client);
      for (let i = 0; i < 20; i++) {
        const mounted = await mount(host.client, meeting);
        mounted.el.remove();
      }
      await channelRemovalsSettled(host.client);
      expect(host.client.getChannels().length).to.equal(0);
    });
  });
});
