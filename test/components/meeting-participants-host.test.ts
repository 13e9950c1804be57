/**
 * `<meeting-participants>`'s meeting features (issue 11, part A) with several real clients on the
 * local stack: the hands queue, the host's controls (start / end, lower a hand, remove someone)
 * and their refusal to anyone else, the status reaching every element, and the self-reported
 * connection quality next to the presence-based "connection lost".
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import { classifyQuality } from '../../src/components/meeting-participants/connection-quality.js';
import type { PasabayErrorEvent } from '../../src/events/pasabay-error.js';
import type { PasabayMeetingStatusEvent } from '../../src/events/pasabay-meeting-status.js';
import type {
  PasabayConnectionQualityDetail,
  PasabayConnectionQualityEvent,
} from '../../src/events/pasabay-connection-quality.js';
import { closeClients, newUser, serviceClient, stack, type TestUser } from '../support/browser-stack.js';
import {
  participantItems as items,
  participantName as nameOf,
  participantNames as names,
} from './meeting-participants-dom.js';

defineMeetingParticipants();

const PASSWORD = 'correct horse battery staple';

const shadow = (el: MeetingParticipants) => el.shadowRoot!;
const itemOf = (el: MeetingParticipants, name: string) => items(el).find((li) => nameOf(li) === name);
/** The visible place of someone's hand ("Hand 2"), '' when down. */
const handOf = (el: MeetingParticipants, name: string) =>
  itemOf(el, name)?.querySelector('[part~="hand-position"] [aria-hidden="true"]')?.textContent?.trim() ?? '';
/** What a screen reader hears of someone's hand badge. */
const handBadgeText = (el: MeetingParticipants, name: string) =>
  [
    ...(itemOf(el, name)
      ?.querySelector('[part~="badge"][part~="hand"]')
      ?.querySelectorAll('[part~="badge-label"], .visually-hidden') ?? []),
  ]
    .map((node) => node.textContent)
    .join('');
const qualityOf = (el: MeetingParticipants, name: string) =>
  itemOf(el, name)?.querySelector('[part~="quality"]')?.getAttribute('part') ?? '';
const statusText = (el: MeetingParticipants) => shadow(el).querySelector('[part~="status"]')?.textContent?.trim();
const message = (el: MeetingParticipants) => shadow(el).querySelector('[part~="message"]')?.textContent?.trim();
const joined = (el: MeetingParticipants) => el.isConnected && !el.matches(':state(offline)');

/** A meeting hosted by `host` in status `status`, with `invited` invited (as meetingOf, any status). */
async function meetingWith(host: TestUser, invited: TestUser[], status: 'scheduled' | 'live'): Promise<string> {
  const { data, error } = await host.client
    .from('meetings')
    .insert({ title: 'Host test', status })
    .select('id')
    .single();
  if (error) throw new Error(`insert meeting: ${error.message}`);
  const id = (data as { id: string }).id;
  const admin = serviceClient();
  try {
    const inserted = await admin
      .from('meeting_participants')
      .insert(invited.map((user) => ({ meeting_id: id, user_id: user.user.id, role: 'participant' })));
    if (inserted.error) throw new Error(`invite: ${inserted.error.message}`);
  } finally {
    admin.realtime.disconnect();
  }
  return id;
}

/** The same user on a second client whose Realtime heartbeats come every `intervalMs`. */
async function fastHeartbeatClient(user: TestUser, intervalMs = 300): Promise<SupabaseClient> {
  const client = createClient(stack.url, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `pasabay-host-test-${crypto.randomUUID()}` },
    realtime: { heartbeatIntervalMs: intervalMs },
  });
  const { error } = await client.auth.signInWithPassword({ email: user.user.email!, password: PASSWORD });
  if (error) throw new Error(`sign-in: ${error.message}`);
  return client;
}

describe('<meeting-participants> host and meeting features', () => {
  let host: TestUser;
  let carlos: TestUser;
  let ana: TestUser;
  const mounted: MeetingParticipants[] = [];

  before(async () => {
    [host, carlos, ana] = await Promise.all([newUser('Hosting Helen'), newUser('Carlos'), newUser('Ana')]);
  });

  after(async () => {
    if (host) await closeClients(host.client, carlos.client, ana.client);
  });

  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    await Promise.all([host, carlos, ana].map((u) => channelRemovalsSettled(u.client)));
  });

  async function mount(
    client: SupabaseClient,
    meetingId: string,
    options: { controls?: boolean; poorRoundTrip?: number } = {},
  ): Promise<MeetingParticipants> {
    const el = await fixture<MeetingParticipants>(
      html`<meeting-participants
        meeting-id=${meetingId}
        .client=${client}
        ?controls=${options.controls ?? true}
        poor-round-trip=${options.poorRoundTrip ?? 1000}
      ></meeting-participants>`,
    );
    mounted.push(el);
    await waitUntil(() => joined(el), 'meeting channel joins', { timeout: 10_000 });
    return el;
  }

  describe('raised hands', () => {
    it('lists raised hands first in the order raised, with their place in words', async () => {
      const meetingId = await meetingWith(host, [carlos, ana], 'live');
      const h = await mount(host.client, meetingId);
      const c = await mount(carlos.client, meetingId);
      const a = await mount(ana.client, meetingId);
      await waitUntil(() => names(h).length === 3, 'everyone shows', { timeout: 10_000 });
      await a.setState({ isHandRaised: true });
      await c.setState({ isHandRaised: true });
      await waitUntil(() => names(h).slice(0, 2).join() === 'Ana,Carlos', 'hands first, Ana first', {
        timeout: 10_000,
      });
      await waitUntil(() => handOf(h, 'Carlos') !== '', "Carlos's place shows", { timeout: 10_000 });
      expect(handOf(h, 'Ana')).to.equal('Hand 1');
      expect(handOf(h, 'Carlos')).to.equal('Hand 2');
      expect(handBadgeText(h, 'Carlos')).to.equal('Hand raised (number 2 of 2 in the hands queue)');
      expect(handOf(h, 'Hosting Helen')).to.equal('');
      // Every element orders by the time the database recorded, not by who saw what first.
      await waitUntil(() => names(c).slice(0, 2).join() === 'Ana,Carlos', "Carlos's element agrees", {
        timeout: 10_000,
      });
      await expect(h).to.be.accessible();

      // Ana lowers her own hand: Carlos moves up.
      await a.setState({ isHandRaised: false });
      await waitUntil(() => handOf(h, 'Carlos') === 'Hand 1', 'Carlos is first now', { timeout: 10_000 });
      expect(names(h)[0]).to.equal('Carlos');
    });

    it('the host lowers a hand; that user sees it lowered and is told', async () => {
      const meetingId = await meetingWith(host, [carlos], 'live');
      const h = await mount(host.client, meetingId);
      const c = await mount(carlos.client, meetingId);
      await c.setState({ isHandRaised: true });
      await waitUntil(() => handOf(h, 'Carlos') === 'Hand 1', 'the host sees the hand', { timeout: 10_000 });
      const lowerButton = itemOf(h, 'Carlos')!.querySelector<HTMLButtonElement>('[part~="lower-hand"]')!;
      expect(lowerButton.getAttribute('aria-label')).to.equal('Lower hand of Carlos');
      await expect(h).to.be.accessible();

      const lowered = oneEvent(c, 'pasabay-hand-lower');
      lowerButton.click();
      expect((await lowered).detail.userId).to.equal(carlos.user.id);
      await waitUntil(() => !c.handRaised, "Carlos's property follows the record", { timeout: 10_000 });
      const toggle = shadow(c).querySelector('[part~="toggle"][part~="hand"]')!;
      await waitUntil(() => toggle.getAttribute('aria-pressed') === 'false', 'his toggle is up again');
      await waitUntil(
        () => itemOf(c, 'Carlos')!.querySelector('[part~="badge"][part~="hand"]') === null,
        'his own entry shows the hand down',
      );
      await waitUntil(
        () => shadow(c).querySelector('[role="status"]')!.textContent!.includes('The host lowered your hand'),
        'announced to him',
        { timeout: 10_000 },
      );
      const { data } = await carlos.client
        .from('meeting_participants')
        .select('is_hand_raised, hand_raised_at')
        .eq('meeting_id', meetingId)
        .eq('user_id', carlos.user.id)
        .single();
      expect(data).to.deep.equal({ is_hand_raised: false, hand_raised_at: null });
      await expect(c).to.be.accessible();
    });
    it('a hand the host lowered while its owner was offline is down when they reconnect', async () => {
      const meetingId = await meetingWith(host, [carlos], 'live');
      const h = await mount(host.client, meetingId);
      const c = await mount(carlos.client, meetingId);
      await c.setState({ isHandRaised: true });
      await waitUntil(() => handOf(h, 'Carlos') === 'Hand 1', 'the host sees the hand', { timeout: 10_000 });

      carlos.client.realtime.disconnect();
      await waitUntil(() => !joined(c), "Carlos's element sees the connection gone", { timeout: 10_000 });
      const { error } = await host.client.rpc('lower_hand', { meeting_id: meetingId, user_id: carlos.user.id });
      expect(error).to.equal(null);
      await waitUntil(() => handOf(h, 'Carlos') === '', 'the host sees it lowered', { timeout: 10_000 });
      expect(c.handRaised, 'missed while offline').to.equal(true);

      const lowered = oneEvent(c, 'pasabay-hand-lower');
      carlos.client.realtime.connect();
      expect((await lowered).detail.userId).to.equal(carlos.user.id);
      await waitUntil(() => !c.handRaised, "Carlos's property follows the record", { timeout: 10_000 });
      const toggle = shadow(c).querySelector('[part~="toggle"][part~="hand"]')!;
      await waitUntil(() => toggle.getAttribute('aria-pressed') === 'false', 'his toggle is up again');
      // Following the record writes nothing back: the row stays down.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { data } = await carlos.client
        .from('meeting_participants')
        .select('is_hand_raised')
        .eq('meeting_id', meetingId)
        .eq('user_id', carlos.user.id)
        .single();
      expect(data).to.deep.equal({ is_hand_raised: false });
    });
  });

  describe('refusals', () => {
    it('a participant gets no host controls, and the database refuses their host actions with a clear error', async () => {
      const meetingId = await meetingWith(host, [carlos, ana], 'live');
      const h = await mount(host.client, meetingId);
      const c = await mount(carlos.client, meetingId);
      const a = await mount(ana.client, meetingId);
      await a.setState({ isHandRaised: true });
      await waitUntil(() => handOf(c, 'Ana') === 'Hand 1', 'Carlos sees the hand', { timeout: 10_000 });
      await waitUntil(() => names(h).length === 3, 'the host lists all three', { timeout: 10_000 });
      expect(c.isHost).to.equal(false);
      expect(h.isHost).to.equal(true);
      expect(c.matches(':state(host)')).to.equal(false);
      expect(shadow(c).querySelector('[part~="host-controls"]')).to.equal(null);
      expect(shadow(c).querySelector('[part~="host-action"]')).to.equal(null);
      expect(shadow(h).querySelector('[part~="host-controls"]')).to.not.equal(null);

      const errors: string[] = [];
      c.addEventListener('pasabay-error', (e: PasabayErrorEvent) => errors.push(e.detail.message));
      expect(await c.lowerHand(ana.user.id)).to.equal(false);
      expect(await c.removeParticipant(ana.user.id)).to.equal(false);
      expect(await c.endMeeting()).to.equal(false);
      expect(errors).to.deep.equal([
        'lower_hand failed: Only the host can lower hands in this meeting',
        'remove_participant failed: Only the host can remove participants from this meeting',
        'end_meeting failed: Only the host can end this meeting',
      ]);
      // Nothing changed: Ana's hand is up, she is in, the meeting is live.
      const { data } = await host.client
        .from('meeting_participants')
        .select('is_hand_raised')
        .eq('meeting_id', meetingId)
        .eq('user_id', ana.user.id);
      expect(data).to.deep.equal([{ is_hand_raised: true }]);
      expect(c.meetingStatus).to.equal('live');
      expect(names(h).length).to.equal(3);
    });
  });

  describe('meeting status', () => {
    it('reaches every element at once; "ended" stops tracking and disables the controls', async () => {
      const meetingId = await meetingWith(host, [carlos, ana], 'scheduled');
      const h = await mount(host.client, meetingId);
      const c = await mount(carlos.client, meetingId);
      const a = await mount(ana.client, meetingId);
      await waitUntil(() => [h, c, a].every((el) => statusText(el) === 'Not started'), 'scheduled everywhere', {
        timeout: 10_000,
      });
      await expect(h).to.be.accessible();
      const statuses: string[] = [];
      for (const el of [h, c, a]) {
        el.addEventListener('pasabay-meeting-status', (e: PasabayMeetingStatusEvent) =>
          statuses.push(`${e.detail.previous}->${e.detail.status}`),
        );
      }

      shadow(h).querySelector<HTMLButtonElement>('[part~="host-action"][part~="start"]')!.click();
      await waitUntil(() => [h, c, a].every((el) => el.matches(':state(live)')), 'live everywhere', {
        timeout: 10_000,
      });
      expect([h, c, a].map(statusText)).to.deep.equal(['Live', 'Live', 'Live']);
      expect(shadow(h).querySelector('[part~="host-action"][part~="start"]')).to.equal(null);
      await expect(c).to.be.accessible();
      await waitUntil(() => Object.keys(h['meeting'].presenceState()).length === 3, 'everyone tracked while live', {
        timeout: 10_000,
      });

      shadow(h).querySelector<HTMLButtonElement>('[part~="host-action"][part~="end"]')!.click();
      await waitUntil(() => [h, c, a].every((el) => el.matches(':state(ended)')), 'ended everywhere', {
        timeout: 10_000,
      });
      expect(statuses.sort()).to.deep.equal([
        'live->ended',
        'live->ended',
        'live->ended',
        'scheduled->live',
        'scheduled->live',
        'scheduled->live',
      ]);
      for (const el of [h, c, a]) {
        expect(statusText(el)).to.equal('Ended');
        expect(message(el)).to.equal('This meeting has ended.');
        const toggles = [...shadow(el).querySelectorAll<HTMLButtonElement>('[part~="toggle"]')];
        expect(toggles.length).to.equal(5);
        expect(toggles.every((b) => b.disabled)).to.equal(true);
        expect(shadow(el).querySelector('[part~="host-action"]')).to.equal(null);
      }
      // Presence tracking stopped: the presence channels are gone.
      const presenceTopic = `realtime:meeting:${meetingId}:presence`;
      await waitUntil(
        () => [host, carlos, ana].every((u) => !u.client.getChannels().some((ch) => ch.topic === presenceTopic)),
        'presence channels released',
        { timeout: 10_000 },
      );
      // The database refuses state changes now, whatever a client tries.
      const refused = await carlos.client.rpc('update_meeting_state', { meeting_id: meetingId, is_muted: true });
      expect(refused.error?.message).to.equal('This meeting has ended');
      await expect(c).to.be.accessible();
    });
  });

  describe('remove a participant', () => {
    it('the removed user leaves the channels, loses the roster and the meeting chat, and cannot rejoin', async () => {
      const meetingId = await meetingWith(host, [carlos, ana], 'live');
      const admin = serviceClient();
      const chat = await admin
        .from('conversations')
        .insert({ kind: 'meeting', title: 'Host test chat', meeting_id: meetingId })
        .select('id')
        .single();
      admin.realtime.disconnect();
      if (chat.error) throw new Error(chat.error.message);
      const chatId = (chat.data as { id: string }).id;
      const before = await carlos.client.from('conversations').select('id').eq('id', chatId);
      expect(before.data?.length).to.equal(1);

      const h = await mount(host.client, meetingId);
      const c = await mount(carlos.client, meetingId);
      const a = await mount(ana.client, meetingId);
      await waitUntil(() => [h, c, a].every((el) => names(el).length === 3), 'everyone sees everyone', {
        timeout: 10_000,
      });
      const removeButton = itemOf(h, 'Carlos')!.querySelector<HTMLButtonElement>('[part~="remove"]')!;
      expect(removeButton.getAttribute('aria-label')).to.equal('Remove Carlos from the meeting');
      expect(itemOf(h, 'Hosting Helen')!.querySelector('[part~="remove"]')).to.equal(null);

      const removed = oneEvent(c, 'pasabay-participant-remove');
      removeButton.click();
      expect((await removed).detail).to.deep.equal({ meetingId, userId: carlos.user.id, self: true });
      await waitUntil(() => c.matches(':state(removed)'), 'Carlos sees he was removed', { timeout: 10_000 });
      expect(message(c)).to.equal('The host removed you from this meeting.');
      expect(names(c)).to.deep.equal([]);
      expect(c.participants.length).to.equal(0);
      expect([...shadow(c).querySelectorAll<HTMLButtonElement>('[part~="toggle"]')].every((b) => b.disabled)).to.equal(
        true,
      );
      await waitUntil(
        () => !carlos.client.getChannels().some((ch) => ch.topic.startsWith(`realtime:meeting:${meetingId}`)),
        "Carlos's element left both meeting channels",
        { timeout: 10_000 },
      );
      await waitUntil(() => !names(h).includes('Carlos') && !names(a).includes('Carlos'), 'gone for the others', {
        timeout: 10_000,
      });
      await expect(c).to.be.accessible();

      // The chat is gone for him, and he cannot write to it or rejoin the meeting.
      const after = await carlos.client.from('conversations').select('id').eq('id', chatId);
      expect(after.data).to.deep.equal([]);
      const write = await carlos.client.from('messages').insert({ conversation_id: chatId, body: 'still here?' });
      expect(write.error?.code).to.equal('42501');
      const rejoin = await carlos.client.rpc('join_meeting', { meeting_id: meetingId });
      expect(rejoin.error?.message).to.equal('Only the host and invited participants can join this meeting');
      const stillAna = await ana.client.from('conversations').select('id').eq('id', chatId);
      expect(stillAna.data?.length).to.equal(1);
    });
  });

  describe('connection quality', () => {
    it('classifies a heartbeat: failures and slow round trips are poor, and trouble lingers for a minute', () => {
      expect(classifyQuality({ status: 'ok', latency: 20 }, 0, undefined, 1000)).to.equal('good');
      expect(classifyQuality({ status: 'ok', latency: 1000 }, 0, undefined, 1000)).to.equal('poor');
      expect(classifyQuality({ status: 'timeout' }, 0, undefined, 1000)).to.equal('poor');
      expect(classifyQuality({ status: 'error' }, 0, undefined, 1000)).to.equal('poor');
      expect(classifyQuality({ status: 'ok', latency: 20 }, 59_999, 0, 1000)).to.equal('poor');
      expect(classifyQuality({ status: 'ok', latency: 20 }, 60_000, 0, 1000)).to.equal('good');
    });

    it("shows each participant's measured, self-reported quality; lost when presence goes without a leave", async () => {
      const meetingId = await meetingWith(host, [carlos], 'live');
      const hostFast = await fastHeartbeatClient(host);
      const carlosFast = await fastHeartbeatClient(carlos);
      // Heartbeats start with the join: listen before mounting, so the first report is not missed.
      const qualities: { target: EventTarget | null; detail: PasabayConnectionQualityDetail }[] = [];
      const onQuality = (e: PasabayConnectionQualityEvent) => qualities.push({ target: e.target, detail: e.detail });
      document.addEventListener('pasabay-connection-quality', onQuality);
      try {
        const h = await mount(hostFast, meetingId);
        // Any round trip counts as poor for Carlos: his report is "poor", whatever the machine's speed.
        const c = await mount(carlosFast, meetingId, { poorRoundTrip: 0 });
        await waitUntil(() => qualityOf(h, 'Carlos') === 'quality poor', "the host sees Carlos's poor report", {
          timeout: 10_000,
        });
        const badge = itemOf(h, 'Carlos')!.querySelector('[part~="quality"]')!;
        expect(badge.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
          'Poor connection (as reported by their device)',
        );
        expect(itemOf(h, 'Carlos')!.getAttribute('part')).to.include('poor-connection');
        expect(c.connectionQuality).to.equal('poor');

        // The host's own measurement is recorded and shown as the database has it.
        await waitUntil(() => qualities.some((q) => q.target === h), "the host's first measurement", {
          timeout: 10_000,
        });
        const own = qualities.find((q) => q.target === h)!.detail;
        expect(own.roundTripMs).to.be.a('number');
        expect(qualities.filter((q) => q.target === c).map((q) => q.detail.quality)).to.deep.equal(['poor']);
        await waitUntil(() => qualityOf(c, 'Hosting Helen') === `quality ${own.quality}`, 'Carlos sees the host', {
          timeout: 10_000,
        });
        const { data } = await hostFast
          .from('meeting_participants')
          .select('connection_quality')
          .eq('meeting_id', meetingId)
          .eq('user_id', carlos.user.id)
          .single();
        expect(data).to.deep.equal({ connection_quality: 'poor' });
        await expect(h).to.be.accessible();

        // Carlos's connection drops without a leave: his presence goes, his row says joined.
        await waitUntil(
          () => h['meeting'].presenceState()[carlos.user.id] !== undefined,
          "the host sees Carlos's presence",
          { timeout: 10_000 },
        );
        carlosFast.realtime.disconnect();
        await waitUntil(
          () => itemOf(h, 'Carlos')?.getAttribute('part')?.split(' ').includes('connection-lost') === true,
          'Carlos shows as lost',
          { timeout: 15_000 },
        );
        // "Lost" is what the others conclude; his last self-report is not shown over it.
        expect(qualityOf(h, 'Carlos')).to.equal('');
        const labels = [...itemOf(h, 'Carlos')!.querySelectorAll('[part~="badge-label"]')].map((b) => b.textContent);
        expect(labels).to.include('Connection lost');
        const left = await hostFast
          .from('meeting_participants')
          .select('left_at')
          .eq('meeting_id', meetingId)
          .eq('user_id', carlos.user.id)
          .single();
        expect(left.data).to.deep.equal({ left_at: null });
        await expect(h).to.be.accessible();
      } finally {
        document.removeEventListener('pasabay-connection-quality', onQuality);
        for (const el of mounted.splice(0)) el.remove();
        await Promise.all([hostFast, carlosFast].map((client) => channelRemovalsSettled(client)));
        await closeClients(hostFast, carlosFast);
      }
    });
  });
});
