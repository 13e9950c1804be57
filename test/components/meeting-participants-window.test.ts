/**
 * An expanded `<meeting-participants>` of a large room (more than 50) scrolls within the element and
 * keeps only the rows near the view in the DOM, as the chat's history does: every row still says
 * its place among all (aria-posinset / aria-setsize), scrolling brings the others in, and a small
 * room or a collapsed list renders as before. Real users, real meeting rows, real Realtime.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import {
  closeClients,
  meetingOf,
  newUser,
  newUsers,
  setParticipants,
  type TestUser,
} from '../support/browser-stack.js';
import { participantItems as rows, participantName as nameOf } from './meeting-participants-dom.js';

defineMeetingParticipants();

const GUESTS = 70;
const scroller = (el: MeetingParticipants) => el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
const button = (el: MeetingParticipants, label: RegExp) =>
  [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="overflow"]')].find((b) =>
    label.test(b.textContent!),
  )!;

describe('<meeting-participants> in a large room', () => {
  let host: TestUser;
  let guests: TestUser[];
  let meetingId: string;

  before(async () => {
    host = await newUser('Host');
    guests = await newUsers('Guest', GUESTS);
    meetingId = await meetingOf(host, guests);
    // All join in one statement of the host app's backend (the same moment: ordered by name).
    await setParticipants(meetingId, guests, { joined_at: new Date().toISOString(), left_at: null });
  });

  after(async () => {
    if (host) await closeClients(host.client, ...guests.map((g) => g.client));
  });

  it('expanded, it renders the rows in view, each with its place among all, and scrolls to the rest', async () => {
    const el = await fixture<MeetingParticipants>(
      html`<meeting-participants
        meeting-id=${meetingId}
        .client=${host.client}
        max-visible="10"
      ></meeting-participants>`,
    );
    const total = GUESTS + 1;
    await waitUntil(() => el.participants.length === total, 'everyone is listed', { timeout: 30_000 });
    const everyone = el.participants.map((p) => p.display_name);
    // Collapsed: the first ten and "+61 more", as before.
    await el.updateComplete;
    expect(rows(el).map(nameOf)).to.deep.equal(everyone.slice(0, 10));
    expect(rows(el)[0]!.hasAttribute('aria-setsize')).to.equal(false);

    button(el, /more/).click();
    await el.updateComplete;
    await waitUntil(() => rows(el).length > 0 && rows(el).length < total, 'a window of the rows', { timeout: 5_000 });
    const first = rows(el);
    expect(first.length, 'rows in the DOM').to.be.lessThan(40);
    expect(nameOf(first[0]!)).to.equal(everyone[0]);
    first.forEach((row, i) => {
      expect(row.getAttribute('aria-posinset')).to.equal(String(i + 1));
      expect(row.getAttribute('aria-setsize')).to.equal(String(total));
    });
    const box = scroller(el);
    expect(box.scrollHeight, 'the scroller is as tall as every row').to.be.greaterThan(box.clientHeight * 2);

    box.scrollTop = box.scrollHeight;
    await waitUntil(
      () => rows(el).some((row) => nameOf(row) === everyone.at(-1)),
      'the last participant comes into view',
      { timeout: 5_000 },
    );
    const last = rows(el);
    expect(last.length).to.be.lessThan(40);
    expect(
      last.some((row) => nameOf(row) === everyone[0]),
      'the first left the DOM',
    ).to.equal(false);
    expect(last.at(-1)!.getAttribute('aria-posinset')).to.equal(String(total));
    // What is rendered is the list's own order, contiguous.
    const start = everyone.indexOf(nameOf(last[0]!));
    expect(last.map(nameOf)).to.deep.equal(everyone.slice(start, start + last.length));
    await expect(el).to.be.accessible();

    // Collapsed again: the first ten, from the top.
    button(el, /fewer/).click();
    await el.updateComplete;
    expect(rows(el).map(nameOf)).to.deep.equal(everyone.slice(0, 10));
    el.remove();
    await channelRemovalsSettled(host.client);
  });
});
