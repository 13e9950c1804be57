import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { SupabaseClient } from '@supabase/supabase-js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import type { MeetingPresence } from '../../src/connection/schemas.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import {
  RecordedStates,
  diffRosters,
  initials,
  rosterFromPresence,
  safeAvatarUrl,
  trackDelay,
} from '../../src/components/meeting-participants/roster.js';
import { meetingPresenceSchema } from '../../src/connection/schemas.js';
import { closeClients, newClient, newUser, type TestUser } from '../support/browser-stack.js';

defineMeetingParticipants();

const presence = (userId: string, name: string, extra: Partial<MeetingPresence> = {}): MeetingPresence => ({
  user_id: userId,
  display_name: name,
  avatar_url: null,
  is_muted: false,
  is_video_on: false,
  is_screen_sharing: false,
  is_hand_raised: false,
  away: false,
  online_at: '2025-01-01T10:00:00.000Z',
  ...extra,
});

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

const nameOf = (item: Element) => item.querySelector('[part~="name"]')!.textContent!.replace('(you)', '').trim();
const names = (el: MeetingParticipants) =>
  [...el.shadowRoot!.querySelectorAll('[part~="participant"]:not([part~="more"])')].map(nameOf);
const badgesOf = (el: MeetingParticipants, name: string) => {
  const item = [...el.shadowRoot!.querySelectorAll('[part~="participant"]')].find(
    (li) => !li.matches('[part~="more"]') && nameOf(li) === name,
  );
  return item ? [...item.querySelectorAll('[part~="badge-label"]')].map((b) => b.textContent!.trim()) : [];
};
const joined = (el: MeetingParticipants) => el.isConnected && !el.matches(':state(offline)');

describe('<meeting-participants>', () => {
  describe('roster (pure)', () => {
    const parse = (meta: unknown) => {
      const result = meetingPresenceSchema.safeParse(meta);
      return result.success ? result.data : undefined;
    };

    it('shows several tabs of one user once, the latest state winning', () => {
      const roster = rosterFromPresence(
        {
          [U1]: [presence(U1, 'Maria'), { ...presence(U1, 'Maria', { is_muted: true }), presence_ref: 'b' }],
          [U2]: [presence(U2, 'Carlos')],
        },
        parse,
      );
      expect([...roster.keys()]).to.deep.equal([U1, U2]);
      expect(roster.get(U1)!.is_muted).to.equal(true);
    });

    it('skips invalid metas and metas claiming another user', () => {
      const roster = rosterFromPresence({ [U1]: [presence(U2, 'Impostor')], [U2]: [{ user_id: U2 }] }, parse);
      expect(roster.size).to.equal(0);
    });

    it('diffs joins and leaves', () => {
      const before = new Map([[U1, presence(U1, 'Maria')]]);
      const after = new Map([[U2, presence(U2, 'Carlos')]]);
      const { joined, left } = diffRosters(before, after);
      expect(joined.map((p) => p.display_name)).to.deep.equal(['Carlos']);
      expect(left.map((p) => p.display_name)).to.deep.equal(['Maria']);
    });

    it('applies a recorded state newer than the presence meta', () => {
      const recorded = new RecordedStates();
      const roster = new Map([[U1, presence(U1, 'Maria')]]);
      recorded.notePresence(roster);
      recorded.noteRow({
        meeting_id: U2,
        user_id: U1,
        role: 'host',
        joined_at: null,
        left_at: null,
        is_muted: true,
        is_video_on: false,
        is_screen_sharing: false,
        is_hand_raised: true,
      });
      expect(recorded.apply(roster)[0]!.is_hand_raised).to.equal(true);
      const newer = new Map([[U1, presence(U1, 'Maria', { is_video_on: true })]]);
      recorded.notePresence(newer);
      const applied = recorded.apply(newer)[0]!;
      expect(applied.is_video_on).to.equal(true);
      expect(applied.is_hand_raised).to.equal(false);
    });

    it('keeps presence calls under the Realtime rate limit', () => {
      expect(trackDelay([], 0)).to.equal(0);
      expect(trackDelay([0, 1000, 2000], 3000)).to.equal(0);
      expect(trackDelay([0, 1000, 2000, 3000], 4000)).to.equal(26_000);
      expect(trackDelay([0, 1000, 2000, 3000], 31_000)).to.equal(0);
    });

    it('makes initials and accepts only http(s) avatars', () => {
      expect(initials('Maria Santos')).to.equal('MS');
      expect(initials('ana')).to.equal('A');
      expect(initials('Ana de la Cruz')).to.equal('AC');
      expect(safeAvatarUrl('javascript:alert(1)')).to.equal(undefined);
      expect(safeAvatarUrl('https://example.com/a.png')).to.equal('https://example.com/a.png');
      expect(safeAvatarUrl('not a url')).to.equal(undefined);
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
      const { data, error } = await maria.client
        .from('meetings')
        .insert({ title: 'Test sync', status: 'live' })
        .select()
        .single();
      if (error) throw new Error(error.message);
      meetingId = (data as { id: string }).id;
      const invite = await maria.client.rpc('invite_to_meeting', {
        meeting_id: meetingId,
        user_ids: [carlos.user.id, ana.user.id],
      });
      if (invite.error) throw new Error(invite.error.message);
    });

    after(async () => {
      if (maria) await closeClients(maria.client, carlos.client, ana.client, ...extraClients);
    });

    async function mount(client: SupabaseClient, options: { maxVisible?: number; controls?: boolean } = {}) {
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants
          meeting-id=${meetingId}
          .client=${client}
          max-visible=${options.maxVisible ?? 12}
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

    it('shows state changes to others and records them', async () => {
      const m = await mount(maria.client, { controls: true });
      const c = await mount(carlos.client);
      await waitUntil(() => names(c).includes('Maria'), 'Carlos sees Maria', { timeout: 10_000 });
      await m.setState({ isMuted: true, isHandRaised: true });
      await waitUntil(
        () => badgesOf(c, 'Maria').join() === 'Muted,Hand raised',
        'Carlos sees Maria muted with her hand raised',
        { timeout: 10_000 },
      );
      const { data } = await carlos.client
        .from('meeting_participants')
        .select('is_muted, is_hand_raised, joined_at')
        .eq('meeting_id', meetingId)
        .eq('user_id', maria.user.id)
        .single();
      expect(data).to.include({ is_muted: true, is_hand_raised: true });
      expect((data as { joined_at: string | null }).joined_at).to.be.a('string');

      // The toolbar toggles the same state.
      const mute = m.shadowRoot!.querySelector<HTMLButtonElement>('[part~="toggle"][part~="muted"]')!;
      expect(mute.getAttribute('aria-pressed')).to.equal('true');
      await expect(m).to.be.accessible();
      mute.click();
      await waitUntil(() => badgesOf(c, 'Maria').join() === 'Hand raised', 'unmute reaches Carlos', {
        timeout: 10_000,
      });
      expect(m.muted).to.equal(false);

      m.away = true;
      await waitUntil(() => badgesOf(c, 'Maria').includes('Away'), 'away reaches Carlos', { timeout: 10_000 });
      await expect(c).to.be.accessible();
      await m.setState({ isHandRaised: false, away: false });
      await unmountAll(m, c);
    });

    it('shows a user with several tabs once', async () => {
      const secondTab = newClient();
      extraClients.push(secondTab);
      const signIn = await secondTab.auth.signInWithPassword({
        email: carlos.user.email!,
        password: 'correct horse battery staple',
      });
      if (signIn.error) throw new Error(signIn.error.message);
      const m = await mount(maria.client);
      const c1 = await mount(carlos.client);
      const c2 = await mount(secondTab);
      await waitUntil(
        () => Object.values(m['live'].presenceState()).some((metas) => metas.length === 2),
        'two Carlos tabs tracked',
        {
          timeout: 10_000,
        },
      );
      expect(names(m)).to.deep.equal(['Maria', 'Carlos']);
      // One tab closing doesn't make Carlos leave.
      let left = false;
      m.addEventListener('pasabay-participant-leave', () => (left = true));
      c2.remove();
      await waitUntil(
        () => Object.values(m['live'].presenceState()).every((metas) => metas.length === 1),
        'second tab gone',
        {
          timeout: 10_000,
        },
      );
      expect(names(m)).to.deep.equal(['Maria', 'Carlos']);
      expect(left).to.equal(false);
      await unmountAll(m, c1);
      await channelRemovalsSettled(secondTab);
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
      await waitUntil(
        async () => {
          const { data } = await maria.client
            .from('meeting_participants')
            .select('left_at')
            .eq('meeting_id', meetingId)
            .eq('user_id', carlos.user.id)
            .single();
          return Boolean((data as { left_at: string | null } | null)?.left_at);
        },
        'left_at recorded',
        { timeout: 10_000 },
      );
      await unmountAll(m);
    });

    it('announces and reports a join', async () => {
      const m = await mount(maria.client);
      const join = oneEvent(m, 'pasabay-participant-join');
      const a = await mount(ana.client);
      const event = await join;
      expect(event.detail.participant.display_name).to.equal('Ana');
      const status = m.shadowRoot!.querySelector('[role="status"]')!;
      await waitUntil(() => status.textContent!.includes('Ana joined'), 'join announced', { timeout: 10_000 });
      await unmountAll(m, a);
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
      await waitUntil(() => joined(m) && names(m).includes('Maria'), 'rejoins and tracks again', { timeout: 10_000 });
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
