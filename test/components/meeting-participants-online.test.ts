/**
 * The online dot of `<meeting-participants org-id>`: real clients in one organisation see each
 * other's dot in the roster; it goes off when a client closes; a participant outside the
 * organisation never gets one, and the element stays accessible.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { SupabaseClient } from '@supabase/supabase-js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import { clientFor, closeClients, meetingOf, newUser, type TestUser } from '../support/browser-stack.js';
import { organizationOf } from './org-fixtures.js';
import { participantItems as items, participantName as nameOf } from './meeting-participants-dom.js';

defineMeetingParticipants();

/** Names of the participants showing the online dot, with its words. */
const online = (el: MeetingParticipants) =>
  items(el)
    .filter((li) => li.querySelector('[part~="online"]')?.textContent?.trim() === 'Online')
    .map(nameOf)
    .sort();

describe('<meeting-participants>', () => {
  describe('online dot from the organisation (org-id)', () => {
    let maria: TestUser;
    let carlos: TestUser;
    let outsider: TestUser;
    let meetingId: string;
    let organizationId: string;
    const extraClients: SupabaseClient[] = [];

    before(async () => {
      [maria, carlos, outsider] = await Promise.all([newUser('Maria'), newUser('Carlos'), newUser('Olga')]);
      meetingId = await meetingOf(maria, [carlos, outsider]);
      organizationId = await organizationOf(maria, [carlos]);
    });

    afterEach(async () => {
      await Promise.all([maria, carlos, outsider].map((u) => u.client.removeAllChannels()));
      await closeClients(...extraClients.splice(0));
    });

    after(async () => {
      if (maria) await closeClients(maria.client, carlos.client, outsider.client);
    });

    async function mount(client: SupabaseClient, orgId = organizationId) {
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants meeting-id=${meetingId} org-id=${orgId} .client=${client}></meeting-participants>`,
      );
      await waitUntil(() => el.isConnected && !el.matches(':state(offline)'), 'meeting channel joins', {
        timeout: 10_000,
      });
      return el;
    }

    it('two members on their own clients see each other online; the dot goes off when one closes', async () => {
      const m = await mount(maria.client);
      const carlosTab = await clientFor(carlos);
      extraClients.push(carlosTab);
      const c = await mount(carlosTab);
      await waitUntil(() => online(m).join() === 'Carlos,Maria', 'Maria sees both dots', { timeout: 10_000 });
      await waitUntil(() => online(c).join() === 'Carlos,Maria', 'Carlos sees both dots', { timeout: 10_000 });
      await expect(m).to.be.accessible();
      carlosTab.realtime.disconnect();
      await waitUntil(() => online(m).join() === 'Maria', "Carlos's dot goes off when his socket closes", {
        timeout: 10_000,
      });
    });

    it('gives no dot to a participant outside the organisation, and none to anyone without org-id', async () => {
      const m = await mount(maria.client);
      const o = await mount(outsider.client);
      await waitUntil(() => items(m).map(nameOf).includes('Olga'), 'Olga in the roster', { timeout: 10_000 });
      await waitUntil(() => online(m).join() === 'Maria', 'Maria online', { timeout: 10_000 });
      // Olga is connected to the meeting but not in the organisation: she is refused org:<id>.
      expect(online(m)).to.not.include('Olga');
      expect(online(o)).to.deep.equal([]);
      o.remove();
      await channelRemovalsSettled(outsider.client);
      const plain = await mount(carlos.client, '');
      await waitUntil(
        () => ['Carlos', 'Maria'].every((name) => items(plain).map(nameOf).includes(name)),
        'the roster without org-id',
        { timeout: 10_000 },
      );
      expect(online(plain)).to.deep.equal([]);
      expect(plain.shadowRoot!.querySelector('[part~="online"]')).to.equal(null);
    });
  });
});
