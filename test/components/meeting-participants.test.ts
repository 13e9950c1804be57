import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { acquireChannel, channelRemovalsSettled } from '../../src/connection/channels.js';
import type { MeetingParticipant } from '../../src/connection/schemas.js';
import { meetingPresenceTopic, meetingTopic } from '../../src/connection/topics.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import {
  MeetingRoster,
  diffParticipants,
  initials,
  trackDelay,
} from '../../src/components/meeting-participants/roster.js';
import {
  accessTokenOf,
  clientFor,
  closeClients,
  meetingOf,
  newClient,
  newUser,
  restBroadcast,
  stack,
  type TestUser,
} from '../support/browser-stack.js';
import { participantRow } from './meeting-fixtures.js';
import {
  participantItems as items,
  participantName as nameOf,
  participantNames as names,
} from './meeting-participants-dom.js';

defineMeetingParticipants();

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';
const M = '44444444-4444-4444-8444-444444444444';

const row = (userId: string, extra: Partial<MeetingParticipant> = {}): MeetingParticipant =>
  participantRow(M, userId, undefined, extra);

const badgesOf = (el: MeetingParticipants, name: string) => {
  const item = items(el).find((li) => nameOf(li) === name);
  return item ? [...item.querySelectorAll('[part~="badge-label"]')].map((b) => b.textContent!.trim()) : [];
};
/** Everything a participant's entry shows: name and badges, so any forged change would show here. */
const screen = (el: MeetingParticipants) =>
  items(el)
    .map(
      (li) =>
        `${nameOf(li)}[${[...li.querySelectorAll('[part~="badge-label"]')].map((b) => b.textContent!.trim()).join(',')}]`,
    )
    .join(' ') + ` | ${el.shadowRoot!.querySelector('[part~="count"]')!.textContent}`;
const joined = (el: MeetingParticipants) => el.isConnected && !el.matches(':state(offline)');

describe('<meeting-participants>', () => {
  describe('roster (pure)', () => {
    const profiles = [
      { id: U1, display_name: 'Maria', avatar_url: null },
      { id: U2, display_name: 'Carlos', avatar_url: null },
      { id: U3, display_name: 'Ana', avatar_url: null },
    ];
    const list = (roster: MeetingRoster, graceOver = false) =>
      roster.list({ ownId: U1, fallbackName: 'Participant', presenceJoined: true, graceOver });

    it('shows only participants recorded as joined, with their recorded state and profile names', () => {
      const roster = new MeetingRoster();
      roster.load(
        [
          row(U2, { is_muted: true, joined_at: '2025-01-01T10:00:01Z' }),
          row(U1),
          row(U3, { left_at: '2025-01-01T10:05:00Z' }),
        ],
        roster.clock,
      );
      roster.addProfiles(profiles);
      const shown = list(roster);
      expect(shown.map((p) => p.display_name)).to.deep.equal(['Maria', 'Carlos']);
      expect(shown[1]!.is_muted).to.equal(true);
      roster.applyRow(row(U3, { joined_at: '2025-01-01T10:06:00Z', updated_at: '2025-01-01T10:06:00Z' }));
      expect(list(roster).map((p) => p.display_name)).to.deep.equal(['Maria', 'Carlos', 'Ana']);
    });

    it('keeps a row changed live while a load or an RPC answer was on its way, and the latest broadcast', () => {
      const roster = new MeetingRoster();
      roster.load([row(U2)], roster.clock);
      const requestedAt = roster.clock;
      // Broadcasts arrive in commit order; updated_at (a transaction's start) cannot order them.
      roster.applyRow(row(U2, { is_muted: true, updated_at: '2025-01-01T10:00:05Z' }));
      roster.applyRow(row(U2, { is_hand_raised: true, updated_at: '2025-01-01T10:00:04Z' }));
      expect(roster.row(U2)!.is_hand_raised).to.equal(true);
      expect(roster.applyRow(row(U2), requestedAt)).to.equal(false);
      roster.applyRow(row(U3));
      roster.load([row(U2)], requestedAt);
      expect(roster.row(U2)!.is_hand_raised).to.equal(true);
      expect(roster.row(U3)).to.not.equal(undefined);
      roster.load([row(U2)], roster.clock);
      expect(roster.row(U2)!.is_hand_raised).to.equal(false);
      expect(roster.row(U3)).to.equal(undefined);
    });

    it('ignores presence keys of non-participants and marks a vanished participant as connection lost', () => {
      const roster = new MeetingRoster();
      roster.load([row(U1), row(U2), row(U3)], roster.clock);
      roster.addProfiles(profiles);
      roster.notePresence([U1, U2, ...Array.from({ length: 40 }, (_, i) => `fake-${i}`)]);
      expect(list(roster).length).to.equal(3);
      expect(list(roster).filter((p) => p.connection_lost).length).to.equal(0);
      roster.notePresence([U1]);
      const after = list(roster);
      expect(after.find((p) => p.user_id === U2)!.connection_lost).to.equal(true);
      // Ana was never seen: lost only once the grace period is over. Oneself never is.
      expect(after.find((p) => p.user_id === U3)!.connection_lost).to.equal(false);
      expect(list(roster, true).find((p) => p.user_id === U3)!.connection_lost).to.equal(true);
      expect(list(roster, true).find((p) => p.user_id === U1)!.connection_lost).to.equal(false);
    });

    it('diffs joins and leaves', () => {
      const roster = new MeetingRoster();
      roster.addProfiles(profiles);
      roster.load([row(U1), row(U2)], roster.clock);
      const before = list(roster);
      roster.load([row(U1), row(U3)], roster.clock);
      const { joined, left } = diffParticipants(before, list(roster));
      expect(joined.map((p) => p.display_name)).to.deep.equal(['Ana']);
      expect(left.map((p) => p.display_name)).to.deep.equal(['Carlos']);
    });

    it('keeps presence calls under the Realtime rate limit', () => {
      expect(trackDelay([], 0)).to.equal(0);
      expect(trackDelay([0, 1000, 2000], 3000)).to.equal(0);
      expect(trackDelay([0, 1000, 2000, 3000], 4000)).to.equal(26_000);
      expect(trackDelay([0, 1000, 2000, 3000], 31_000)).to.equal(0);
    });

    it('makes initials', () => {
      expect(initials('Maria Santos')).to.equal('MS');
      expect(initials('ana')).to.equal('A');
      expect(initials('Ana de la Cruz')).to.equal('AC');
    });
  });

  describe('live', () => {
    let maria: TestUser;
    let carlos: TestUser;
    let ana: TestUser;
    let meetingId: string;
    const extraClients: SupabaseClient[] = [];

    before(async () => {
      [maria, carlos, ana] = await Promise.all([newUser('Maria'), newUser('Carlos'), newUser('Ana')]);
      meetingId = await meetingOf(maria, [carlos, ana]);
    });

    after(async () => {
      if (maria) await closeClients(maria.client, carlos.client, ana.client, ...extraClients);
    });

    async function mount(
      client: SupabaseClient,
      options: { maxVisible?: number; controls?: boolean; avatarHosts?: string } = {},
    ) {
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants
          meeting-id=${meetingId}
          .client=${client}
          max-visible=${options.maxVisible ?? 12}
          avatar-hosts=${options.avatarHosts ?? ''}
          ?controls=${options.controls ?? false}
        ></meeting-participants>`,
      );
      await waitUntil(() => joined(el), 'meeting channel joins', { timeout: 10_000 });
      return el;
    }

    async function unmountAll(...elements: MeetingParticipants[]) {
      for (const el of elements) el.remove();
      await Promise.all([maria, carlos, ana].map((u) => channelRemovalsSettled(u.client)));
    }

    async function recorded(user: TestUser) {
      const { data, error } = await maria.client
        .from('meeting_participants')
        .select('*')
        .eq('meeting_id', meetingId)
        .eq('user_id', user.user.id)
        .single();
      if (error) throw new Error(error.message);
      return data as MeetingParticipant;
    }

    it('shows two users to each other', async () => {
      const m = await mount(maria.client);
      const c = await mount(carlos.client);
      await waitUntil(() => names(m).length === 2 && names(c).length === 2, 'both see both', { timeout: 10_000 });
      expect(names(m)).to.deep.equal(['Maria', 'Carlos']);
      expect(names(c)).to.deep.equal(['Carlos', 'Maria']);
      expect(m.shadowRoot!.querySelector('[part~="count"]')!.textContent).to.equal('2 participants');
      expect(m.shadowRoot!.querySelector('[part~="self"]')).to.not.equal(null);
      await expect(m).to.be.accessible();
      await unmountAll(m, c);
    });

    it('shows state changes to others and records them, away included', async () => {
      const m = await mount(maria.client, { controls: true });
      const c = await mount(carlos.client);
      await waitUntil(() => names(c).includes('Maria'), 'Carlos sees Maria', { timeout: 10_000 });
      await m.setState({ isMuted: true, isHandRaised: true });
      await waitUntil(
        () => badgesOf(c, 'Maria').join() === 'Muted,Hand raised',
        'Carlos sees Maria muted with her hand raised',
        { timeout: 10_000 },
      );
      const data = await recorded(maria);
      expect(data).to.include({ is_muted: true, is_hand_raised: true });
      expect(data.joined_at).to.be.a('string');

      // The toolbar toggles the same state.
      const mute = m.shadowRoot!.querySelector<HTMLButtonElement>('[part~="toggle"][part~="muted"]')!;
      expect(mute.getAttribute('aria-pressed')).to.equal('true');
      await expect(m).to.be.accessible();
      mute.click();
      await waitUntil(() => badgesOf(c, 'Maria').join() === 'Hand raised', 'unmute reaches Carlos', {
        timeout: 10_000,
      });
      expect(m.muted).to.equal(false);

      // Away goes through the database at once (no presence throttle in between).
      const started = Date.now();
      m.away = true;
      await waitUntil(() => badgesOf(c, 'Maria').includes('Away'), 'away reaches Carlos', { timeout: 10_000 });
      expect(Date.now() - started).to.be.below(5000);
      expect((await recorded(maria)).is_away).to.equal(true);
      await expect(c).to.be.accessible();
      await m.setState({ isHandRaised: false, away: false });
      await unmountAll(m, c);
    });

    it("shows a rejoining participant everyone's recorded state at once", async () => {
      const c = await mount(carlos.client);
      await c.setState({ isMuted: true, isVideoOn: true, away: true });
      const started = Date.now();
      const m = await mount(maria.client);
      await waitUntil(() => badgesOf(m, 'Carlos').join() === 'Muted,Camera on,Away', "Maria sees Carlos's state", {
        timeout: 10_000,
      });
      // Recorded state comes with the roster load, not after Realtime's presence throttle (22-30 s).
      expect(Date.now() - started).to.be.below(5000);
      await c.setState({ isMuted: false, isVideoOn: false, away: false });
      await unmountAll(m, c);
    });

    it('shows a user with several tabs once, and one tab closing does not make them leave', async () => {
      const secondTab = await clientFor(carlos);
      extraClients.push(secondTab);
      const m = await mount(maria.client);
      const c1 = await mount(carlos.client);
      const c2 = await mount(secondTab);
      await waitUntil(
        () => (m['meeting'].presenceState()[carlos.user.id]?.length ?? 0) === 2,
        'two Carlos tabs connected',
        { timeout: 10_000 },
      );
      // The names come from the recorded roster, whose broadcast may land after presence.
      await waitUntil(() => names(m).join() === 'Maria,Carlos', 'Carlos listed once', { timeout: 10_000 });
      let left = false;
      m.addEventListener('pasabay-participant-leave', () => (left = true));
      c2.remove();
      await waitUntil(() => (m['meeting'].presenceState()[carlos.user.id]?.length ?? 0) === 1, 'second tab gone', {
        timeout: 10_000,
      });
      await channelRemovalsSettled(secondTab);
      expect((await recorded(carlos)).left_at).to.equal(null);
      expect(names(m)).to.deep.equal(['Maria', 'Carlos']);
      expect(badgesOf(m, 'Carlos')).to.deep.equal([]);
      expect(left).to.equal(false);
      await unmountAll(m, c1);
    });

    it('stays in the meeting through a DOM move (the leave never overtakes the join)', async () => {
      const c = await mount(carlos.client);
      const m = await mount(maria.client);
      await waitUntil(() => names(c).includes('Maria'), 'Carlos sees Maria', { timeout: 10_000 });
      const elsewhere = document.createElement('section');
      document.body.append(elsewhere);
      try {
        for (let move = 0; move < 3; move++) {
          elsewhere.append(m);
          await waitUntil(() => joined(m) && names(m).includes('Carlos'), `Maria is back after move ${move}`, {
            timeout: 10_000,
          });
        }
        await waitUntil(async () => (await recorded(maria)).left_at === null, 'Maria recorded as in the meeting', {
          timeout: 10_000,
        });
        await waitUntil(() => names(c).includes('Maria'), 'Carlos still sees Maria', { timeout: 10_000 });
      } finally {
        await unmountAll(m, c);
        elsewhere.remove();
      }
    });

    it('shows a joined participant whose connection dropped as "Connection lost"', async () => {
      const m = await mount(maria.client);
      // Carlos joins (recorded) and is connected through presence, without an element.
      const joinedRpc = await carlos.client.rpc('join_meeting', { meeting_id: meetingId });
      expect(joinedRpc.error).to.equal(null);
      const lease = acquireChannel(carlos.client, meetingPresenceTopic(meetingId), {}, { presenceKey: carlos.user.id });
      await waitUntil(() => lease.status === 'joined', "Carlos's presence joins", { timeout: 10_000 });
      expect(await lease.track({ online_at: new Date().toISOString() })).to.equal('ok');
      await waitUntil(() => names(m).includes('Carlos'), 'Maria sees Carlos', { timeout: 10_000 });
      await waitUntil(() => m['meeting'].presenceState()[carlos.user.id] !== undefined, 'Carlos is connected', {
        timeout: 10_000,
      });
      expect(badgesOf(m, 'Carlos')).to.deep.equal([]);
      await lease.release();
      await waitUntil(() => badgesOf(m, 'Carlos').includes('Connection lost'), 'connection lost shows', {
        timeout: 10_000,
      });
      const item = items(m).find((li) => nameOf(li) === 'Carlos')!;
      expect(item.getAttribute('part')).to.contain('connection-lost');
      await expect(m).to.be.accessible();
      await carlos.client.rpc('leave_meeting', { meeting_id: meetingId });
      await waitUntil(() => !names(m).includes('Carlos'), 'the leave removes Carlos', { timeout: 10_000 });
      await unmountAll(m);
    });

    it('collapses a large meeting into "+N more"', async () => {
      const m = await mount(maria.client, { maxVisible: 1 });
      const c = await mount(carlos.client);
      const a = await mount(ana.client);
      await waitUntil(() => m.participants.length === 3, 'three present', { timeout: 10_000 });
      const overflow = m.shadowRoot!.querySelector<HTMLButtonElement>('[part~="overflow"]')!;
      await waitUntil(() => overflow.textContent!.trim() === '+2 more', 'overflow counts the rest');
      expect(names(m)).to.deep.equal(['Maria']);
      await expect(m).to.be.accessible();
      overflow.click();
      await m.updateComplete;
      expect(names(m).length).to.equal(3);
      await expect(m).to.be.accessible();
      await unmountAll(m, c, a);
    });

    it('announces and reports a leave, and records it', async () => {
      const m = await mount(maria.client);
      const c = await mount(carlos.client);
      await waitUntil(() => names(m).includes('Carlos'), 'Maria sees Carlos', { timeout: 10_000 });
      const leave = oneEvent(m, 'pasabay-participant-leave');
      c.remove();
      const event = await leave;
      expect(event.detail.participant.display_name).to.equal('Carlos');
      await waitUntil(() => !names(m).includes('Carlos'), 'Carlos gone from the list');
      const status = m.shadowRoot!.querySelector('[role="status"]')!;
      await waitUntil(() => status.textContent!.includes('Carlos left'), 'leave announced', { timeout: 10_000 });
      expect((await recorded(carlos)).left_at).to.be.a('string');
      await unmountAll(m);
    });

    it('announces and reports a join', async () => {
      const m = await mount(maria.client);
      await waitUntil(() => names(m).includes('Maria'), 'Maria sees herself', { timeout: 10_000 });
      const join = oneEvent(m, 'pasabay-participant-join');
      const a = await mount(ana.client);
      const event = await join;
      expect(event.detail.participant.display_name).to.equal('Ana');
      const status = m.shadowRoot!.querySelector('[role="status"]')!;
      await waitUntil(() => status.textContent!.includes('Ana joined'), 'join announced', { timeout: 10_000 });
      await unmountAll(m, a);
    });

    describe('avatars', () => {
      async function setAvatar(user: TestUser, url: string | null) {
        const { error } = await user.client.from('profiles').update({ avatar_url: url }).eq('id', user.user.id);
        if (error) throw new Error(error.message);
      }

      it("loads only avatars from the project's public Storage or an allowed host, never with a referrer", async () => {
        const outside = 'https://tracker.example.net/pixel.png';
        const storage = `${stack.url}/storage/v1/object/public/avatars/carlos.png`;
        await setAvatar(carlos, outside);
        await setAvatar(ana, storage);
        const c = await mount(carlos.client);
        const a = await mount(ana.client);
        const m = await mount(maria.client);
        await waitUntil(() => names(m).length === 3, 'all three shown', { timeout: 10_000 });
        const avatarOf = (name: string) =>
          items(m)
            .find((li) => nameOf(li) === name)!
            .querySelector('[part~="avatar"]')!;
        expect(avatarOf('Carlos').tagName).to.equal('SPAN');
        expect(avatarOf('Carlos').textContent).to.equal('C');
        expect(m.shadowRoot!.querySelector(`img[src="${outside}"]`)).to.equal(null);
        const img = avatarOf('Ana') as HTMLImageElement;
        expect(img.tagName).to.equal('IMG');
        expect(img.getAttribute('src')).to.equal(storage);
        expect(img.getAttribute('referrerpolicy')).to.equal('no-referrer');
        expect(img.getAttribute('alt')).to.equal('');
        // A page can allow another host.
        m.setAttribute('avatar-hosts', 'https://tracker.example.net');
        await m.updateComplete;
        const allowed = avatarOf('Carlos') as HTMLImageElement;
        expect(allowed.tagName).to.equal('IMG');
        expect(allowed.getAttribute('referrerpolicy')).to.equal('no-referrer');
        await unmountAll(m, c, a);
        await setAvatar(carlos, null);
        await setAvatar(ana, null);
      });
    });

    describe('forgeries by another invited participant', () => {
      let forger: SupabaseClient;
      const raw: RealtimeChannel[] = [];

      before(async () => {
        forger = await clientFor(carlos);
        extraClients.push(forger);
      });

      afterEach(async () => {
        await Promise.all(raw.splice(0).map((channel) => forger.removeChannel(channel)));
      });

      /** A channel of the forger's, joined (or refused) before it returns. */
      async function forgerChannel(topic: string, isPrivate: boolean, presenceKey = '') {
        const channel = forger.channel(topic, { config: { private: isPrivate, presence: { key: presenceKey } } });
        raw.push(channel);
        const status = await new Promise<string>((resolve) =>
          channel.subscribe((state) => state !== 'CLOSED' && resolve(state)),
        );
        return { channel, status };
      }

      it('changes nothing on screen or in the database with forged participant and meeting events', async function () {
        this.timeout(60_000);
        const c = await mount(carlos.client);
        const m = await mount(maria.client);
        await waitUntil(() => names(m).join() === 'Maria,Carlos', 'Maria sees Carlos', { timeout: 10_000 });
        const before = screen(m);
        const errors: Event[] = [];
        m.addEventListener('pasabay-error', (event) => errors.push(event));
        const fakeRow = (userId: string) => ({
          ...row(userId, { meeting_id: meetingId, is_muted: true, is_hand_raised: true, is_away: true }),
          joined_at: new Date().toISOString(),
          updated_at: new Date(Date.now() + 3_600_000).toISOString(),
        });
        const forged = [
          {
            event: 'participant',
            payload: {
              schema: 'public',
              table: 'meeting_participants',
              operation: 'INSERT',
              record: fakeRow(ana.user.id),
              old_record: null,
            },
          },
          {
            event: 'participant',
            payload: {
              schema: 'public',
              table: 'meeting_participants',
              operation: 'UPDATE',
              record: fakeRow(maria.user.id),
              old_record: fakeRow(maria.user.id),
            },
          },
          {
            event: 'participant',
            payload: {
              schema: 'public',
              table: 'meeting_participants',
              operation: 'DELETE',
              record: null,
              old_record: fakeRow(carlos.user.id),
            },
          },
          {
            event: 'meeting',
            payload: {
              schema: 'public',
              table: 'meetings',
              operation: 'UPDATE',
              record: {
                id: meetingId,
                title: 'Hijacked',
                host_id: carlos.user.id,
                status: 'ended',
                scheduled_for: null,
                started_at: null,
                ended_at: null,
              },
              old_record: null,
            },
          },
        ];
        for (const isPrivate of [true, false]) {
          const { channel, status } = await forgerChannel(meetingTopic(meetingId), isPrivate);
          expect(status).to.equal('SUBSCRIBED');
          for (const { event, payload } of forged) await channel.send({ type: 'broadcast', event, payload });
          for (const { event, payload } of forged) {
            await restBroadcast(forger, { topic: meetingTopic(meetingId), event, payload, private: isPrivate });
          }
          // realtime-js keeps one channel per topic name: the public one needs the private one gone.
          await forger.removeChannel(channel);
        }
        // Also on the presence topic, where clients may only track presence.
        const { channel: onPresence } = await forgerChannel(meetingPresenceTopic(meetingId), true, carlos.user.id);
        for (const { event, payload } of forged) await onPresence.send({ type: 'broadcast', event, payload });
        // A real change made after the forgeries arrives; by then the forgeries would have too.
        await c.setState({ isVideoOn: true });
        await waitUntil(() => badgesOf(m, 'Carlos').join() === 'Camera on', 'the real change arrives', {
          timeout: 10_000,
        });
        expect(screen(m)).to.equal(before.replace('Carlos[]', 'Carlos[Camera on]'));
        expect(names(m)).to.deep.equal(['Maria', 'Carlos']);
        expect(errors.length).to.equal(0);
        expect(await recorded(maria)).to.include({ is_muted: false, is_hand_raised: false, is_away: false });
        // Ana (invited, not in the meeting now) was neither added nor given state.
        expect(await recorded(ana)).to.include({ is_muted: false, is_hand_raised: false, is_away: false });
        expect(names(m)).to.not.include('Ana');
        await c.setState({ isVideoOn: false });
        await unmountAll(m, c);
      });

      it("shows nothing from presence: not under another user's id, not fake names or state, not made-up keys from 40 sockets", async function () {
        this.timeout(60_000);
        const c = await mount(carlos.client);
        const m = await mount(maria.client);
        await waitUntil(() => names(m).join() === 'Maria,Carlos', 'Maria sees Carlos', { timeout: 10_000 });
        const before = screen(m);
        const errors: Event[] = [];
        m.addEventListener('pasabay-error', (event) => errors.push(event));
        const claim = {
          user_id: maria.user.id,
          display_name: 'Mallory',
          avatar_url: 'https://tracker.example.net/x.png',
          is_muted: true,
          is_hand_raised: true,
          away: true,
          online_at: new Date().toISOString(),
        };
        // Under Ana's id (invited, not joined) and Maria's id, with made-up names and state.
        const asAna = await forgerChannel(meetingPresenceTopic(meetingId), true, ana.user.id);
        expect(asAna.status).to.equal('SUBSCRIBED');
        expect(await asAna.channel.track({ ...claim, user_id: ana.user.id, display_name: 'Ana (fake)' })).to.equal(
          'ok',
        );
        // On the meeting topic itself presence is refused.
        const onMeeting = await forgerChannel(meetingTopic(meetingId), true, maria.user.id);
        expect(await onMeeting.channel.track(claim)).to.not.equal('ok');

        // 40 sockets of the same user, each tracking a made-up key.
        const token = await accessTokenOf(forger);
        const sockets = Array.from({ length: 40 }, () =>
          createClient(stack.url, stack.anonKey, { accessToken: async () => token }),
        );
        try {
          const outcomes = await Promise.all(
            sockets.map(async (socket, i) => {
              const key = crypto.randomUUID();
              await socket.realtime.setAuth(token);
              const channel = socket.channel(meetingPresenceTopic(meetingId), {
                config: { private: true, presence: { key } },
              });
              const { state, reason } = await new Promise<{ state: string; reason: string }>((resolve) =>
                channel.subscribe(
                  (state, error) => state !== 'CLOSED' && resolve({ state, reason: error?.message ?? '' }),
                ),
              );
              if (state === 'SUBSCRIBED') {
                await channel.track({ ...claim, user_id: key, display_name: `Ghost ${i}` });
                return 'tracked';
              }
              // Past the stack's per-user Realtime budgets (3 sockets, 5 channels) joins are refused.
              if (!/^(Connection|Channel)RateLimitReached: /.test(reason))
                throw new Error(`socket ${i}: ${state} ${reason}`);
              return 'refused';
            }),
          );
          const tracked = outcomes.filter((outcome) => outcome === 'tracked').length;
          expect(outcomes.filter((outcome) => outcome === 'refused').length).to.be.greaterThan(0);
          await waitUntil(
            () => Object.keys(m['meeting'].presenceState()).length >= 3 + tracked,
            "Maria's socket sees all the made-up keys",
            { timeout: 20_000 },
          );
          await m.updateComplete;
          expect(screen(m)).to.equal(before);
          expect(names(m)).to.deep.equal(['Maria', 'Carlos']);
          expect(m.participants.length).to.equal(2);
          expect(m.shadowRoot!.textContent).to.not.contain('Mallory');
          expect(m.shadowRoot!.textContent).to.not.contain('Ghost');
          expect(errors.length).to.equal(0);
          expect(await recorded(maria)).to.include({ is_muted: false, is_hand_raised: false, is_away: false });
        } finally {
          await Promise.all(sockets.map((socket) => socket.removeAllChannels()));
          for (const socket of sockets) socket.realtime.disconnect();
        }
        await unmountAll(m, c);
      });
    });

    it('shows the not-allowed state to an outsider', async () => {
      const outsider = await newUser('Outsider');
      extraClients.push(outsider.client);
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants meeting-id=${meetingId} .client=${outsider.client}></meeting-participants>`,
      );
      await waitUntil(
        () => el.matches(':state(not-allowed)') || /not invited/.test(el.shadowRoot!.textContent ?? ''),
        'not allowed',
        {
          timeout: 10_000,
        },
      );
      expect(el.shadowRoot!.querySelector('[part~="message"]')!.textContent).to.equal(
        'You are not invited to this meeting.',
      );
      await expect(el).to.be.accessible();
      el.remove();
      await channelRemovalsSettled(outsider.client);
      expect(outsider.client.getChannels().length).to.equal(0);
    });

    it('asks for auth when nobody is signed in', async () => {
      const anonymous = newClient();
      extraClients.push(anonymous);
      const required = new Promise<Event>((resolve) =>
        document.addEventListener('pasabay-auth-required', resolve, { once: true }),
      );
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants meeting-id=${meetingId} .client=${anonymous}></meeting-participants>`,
      );
      await required;
      await el.updateComplete;
      expect(el.matches(':state(auth-required)')).to.equal(true);
      expect(el.shadowRoot!.querySelector('[part~="message"]')!.textContent).to.equal('Sign in to see who is here.');
      await expect(el).to.be.accessible();
    });

    it('leaves no channels after removal, rejoins on re-append, and survives 20 cycles', async () => {
      const m = await mount(maria.client);
      const parent = m.parentElement!;
      m.remove();
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
      parent.append(m);
      await m.updateComplete;
      await waitUntil(() => joined(m) && names(m).includes('Maria'), 'rejoins and loads again', { timeout: 10_000 });
      m.remove();
      for (let cycle = 0; cycle < 20; cycle++) {
        const el = await fixture<MeetingParticipants>(
          html`<meeting-participants meeting-id=${meetingId} .client=${maria.client}></meeting-participants>`,
        );
        if (cycle % 5 === 0) await waitUntil(() => joined(el), `cycle ${cycle} joins`, { timeout: 10_000 });
        el.remove();
      }
      await channelRemovalsSettled(maria.client);
      expect(maria.client.getChannels().length).to.equal(0);
    });
  });
});
