/**
 * A burst of changes by others reaches `<meeting-participants>` as one list: the roster update,
 * the render and `pasabay-presence-change` run once per flush, not once per Realtime message,
 * while every participant still gets their own join / leave event. The bursts are real: one
 * statement of a host app's backend (service role) changes 30 rows, so the database broadcasts
 * 30 `participant` events from one commit.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import type { PasabayParticipantJoinEvent } from '../../src/events/pasabay-participant-join.js';
import type { PasabayParticipantLeaveEvent } from '../../src/events/pasabay-participant-leave.js';
import type { PasabayPresenceChangeEvent } from '../../src/events/pasabay-presence-change.js';
import {
  closeClients,
  meetingOf,
  newUser,
  newUsers,
  setParticipants,
  type TestUser,
} from '../support/browser-stack.js';
import { participantNames as names } from './meeting-participants-dom.js';

defineMeetingParticipants();

const BURST = 30;

describe('<meeting-participants>', () => {
  describe('a burst of changes by others', () => {
    let host: TestUser;
    let guests: TestUser[];
    let meetingId: string;

    before(async () => {
      host = await newUser('Host');
      guests = await newUsers('Burst', BURST);
      meetingId = await meetingOf(host, guests);
    });

    after(async () => {
      if (host) await closeClients(host.client, ...guests.map((g) => g.client));
    });

    /** One statement for every guest: one commit, one broadcast per row. */
    const setGuests = (change: { joined_at?: string; left_at: string | null }) =>
      setParticipants(meetingId, guests, change);

    it('gives each join and leave its event, and far fewer list changes than changes, ending complete and in order', async () => {
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants
          meeting-id=${meetingId}
          .client=${host.client}
          max-visible="100"
        ></meeting-participants>`,
      );
      await waitUntil(() => names(el).join() === 'Host', 'the host sees themself', { timeout: 10_000 });
      const joins: string[] = [];
      const leaves: string[] = [];
      const lists: string[][] = [];
      el.addEventListener('pasabay-participant-join', (e: PasabayParticipantJoinEvent) =>
        joins.push(e.detail.participant.display_name),
      );
      el.addEventListener('pasabay-participant-leave', (e: PasabayParticipantLeaveEvent) =>
        leaves.push(e.detail.participant.display_name),
      );
      el.addEventListener('pasabay-presence-change', (e: PasabayPresenceChangeEvent) =>
        lists.push(e.detail.participants.map((p) => p.display_name)),
      );
      // All at one time, so the order after the host is by name (the comparator's tie-break).
      const everyone = ['Host', ...guests.map((g) => g.name).sort()];

      // First arrival: the profiles load (a few requests), so the entries come in a few steps.
      await setGuests({ joined_at: new Date().toISOString(), left_at: null });
      await waitUntil(() => names(el).length === BURST + 1, 'everyone shows', { timeout: 20_000 });
      expect(names(el).join()).to.equal(everyone.join());
      expect([...joins].sort().join()).to.equal(everyone.slice(1).join());

      // Everyone leaves in one commit: each leave is an event, the list changes in far fewer steps.
      lists.length = 0;
      await setGuests({ left_at: new Date().toISOString() });
      await waitUntil(() => names(el).length === 1, 'everyone left', { timeout: 20_000 });
      expect([...leaves].sort().join()).to.equal(everyone.slice(1).join());
      expect(lists.length).to.be.greaterThan(0);
      expect(lists.length, 'list changes for 30 leaves').to.be.lessThan(BURST / 2);
      expect(lists.at(-1)!.join()).to.equal('Host');

      // They rejoin in one commit, their profiles known: without coalescing each broadcast would
      // change the list on its own (30 events); with it, the burst is a few.
      lists.length = 0;
      joins.length = 0;
      await setGuests({ joined_at: new Date().toISOString(), left_at: null });
      await waitUntil(() => names(el).length === BURST + 1, 'everyone is back', { timeout: 20_000 });
      expect([...joins].sort().join()).to.equal(everyone.slice(1).join());
      expect(lists.length).to.be.greaterThan(0);
      expect(lists.length, 'list changes for 30 joins').to.be.lessThan(BURST / 2);
      // The last event carries the final list, as shown and as the property holds it.
      expect(lists.at(-1)!.join()).to.equal(everyone.join());
      expect(names(el).join()).to.equal(everyone.join());
      expect(el.participants.map((p) => p.display_name).join()).to.equal(everyone.join());
      expect(el.shadowRoot!.querySelector('[part~="count"]')!.textContent).to.equal(`${BURST + 1} participants`);
      await expect(el).to.be.accessible();
      el.remove();
      await channelRemovalsSettled(host.client);
    });
  });
});
