/**
 * The roster of `<meeting-participants>` is kept by change (each row, profile and presence change
 * moves one entry to its place). These tests hold it to what the database recorded: against a
 * from-scratch rebuild through any sequence of changes, and live through a join wave, state
 * changes, leaves and rejoins (which move a participant to the end).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { acquireChannel, channelRemovalsSettled } from '../../src/connection/channels.js';
import type { MeetingParticipant } from '../../src/connection/schemas.js';
import { meetingPresenceTopic } from '../../src/connection/topics.js';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../../src/components/meeting-participants/meeting-participants.js';
import { MeetingRoster, type ListOptions } from '../../src/components/meeting-participants/roster.js';
import type { PasabayParticipantJoinEvent } from '../../src/events/pasabay-participant-join.js';
import type { PasabayParticipantLeaveEvent } from '../../src/events/pasabay-participant-leave.js';
import { closeClients, meetingOf, newUser, type TestUser } from '../support/browser-stack.js';
import { participantRow } from './meeting-fixtures.js';
import {
  participantItems as items,
  participantName as nameOf,
  participantNames as names,
} from './meeting-participants-dom.js';

defineMeetingParticipants();

const M = '44444444-4444-4444-8444-444444444444';
const ids = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

/** A small deterministic generator, so a failure replays. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Badges other than "Connection lost" (the wave's clients have no presence unless a test gives them one). */
const badgesOf = (el: MeetingParticipants, name: string) => {
  const item = items(el).find((li) => nameOf(li) === name);
  return item
    ? [...item.querySelectorAll('[part~="badge-label"]')]
        .map((b) => b.textContent!.trim())
        .filter((label) => label !== 'Connection lost')
    : [];
};

describe('<meeting-participants>', () => {
  describe('roster kept by change (pure)', () => {
    it('always equals a roster rebuilt from scratch, through random joins, leaves, state, profile and presence changes', () => {
      const next = random(7);
      const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
      const rows = new Map<string, MeetingParticipant>();
      const profiles = new Map<string, { id: string; display_name: string; avatar_url: null }>();
      const present = new Set<string>();
      const everPresent = new Set<string>();
      const live = new MeetingRoster();
      let options: ListOptions = { ownId: ids[0], fallbackName: 'Someone', presenceJoined: true, graceOver: false };
      for (let step = 0; step < 600; step++) {
        const userId = pick(ids);
        const kind = next();
        if (kind < 0.3) {
          // Joins (or rejoins) at one of a few times, so ties on time fall back to name and id.
          const row: MeetingParticipant = {
            meeting_id: M,
            user_id: userId,
            role: userId === ids[0] ? 'host' : 'participant',
            joined_at: `2025-01-01T10:0${Math.floor(next() * 4)}:00.000000+00:00`,
            left_at: null,
            is_muted: next() < 0.5,
            is_video_on: next() < 0.5,
            is_screen_sharing: false,
            is_hand_raised: next() < 0.3,
            is_away: false,
            updated_at: '2025-01-01T10:00:00Z',
          };
          rows.set(userId, row);
          live.applyRow(row);
        } else if (kind < 0.45) {
          const row = rows.get(userId);
          if (!row) continue;
          const left = { ...row, left_at: '2025-01-01T11:00:00Z' };
          rows.set(userId, left);
          live.applyRow(left);
        } else if (kind < 0.6) {
          const row = rows.get(userId);
          if (!row) continue;
          const changed = { ...row, is_muted: !row.is_muted, is_away: next() < 0.5 };
          rows.set(userId, changed);
          live.applyRow(changed);
        } else if (kind < 0.7) {
          const profile = { id: userId, display_name: pick(['Ana', 'Ben', 'Carlos', 'Maria']), avatar_url: null };
          profiles.set(userId, profile);
          live.addProfiles([profile], [userId]);
        } else if (kind < 0.85) {
          if (next() < 0.5) {
            present.add(userId);
            everPresent.add(userId);
            live.presenceJoined(userId);
          } else {
            present.delete(userId);
            live.presenceLeft(userId);
          }
        } else if (kind < 0.9) {
          rows.delete(userId);
          live.removeRow(userId);
        } else if (kind < 0.95) {
          options = { ...options, graceOver: !options.graceOver };
        } else {
          options = { ...options, ownOverride: next() < 0.5 ? { is_muted: next() < 0.5 } : undefined };
        }
        const rebuilt = new MeetingRoster();
        rebuilt.load([...rows.values()], rebuilt.clock);
        rebuilt.addProfiles([...profiles.values()]);
        // Seen present once and gone counts as lost: replay who was ever present, then who is.
        rebuilt.notePresence(everPresent);
        rebuilt.notePresence(present);
        const expected = rebuilt.list(options).map((p) => JSON.stringify(p));
        const actual = live.list(options).map((p) => JSON.stringify(p));
        expect(actual.join('\n'), `step ${step}`).to.equal(expected.join('\n'));
        expect(live.missingProfiles().sort().join(), `missing profiles at step ${step}`).to.equal(
          rebuilt.missingProfiles().sort().join(),
        );
      }
    });

    it('reports who joined and who left since the last update, and nothing when nothing shown changed', () => {
      const roster = new MeetingRoster();
      const options: ListOptions = { ownId: ids[0], fallbackName: 'Someone', presenceJoined: false, graceOver: false };
      const row = (userId: string, joinedAt: string) => participantRow(M, userId, joinedAt);
      roster.addProfiles(ids.slice(0, 4).map((id, i) => ({ id, display_name: `P${i}`, avatar_url: null })));
      roster.applyRow(row(ids[0]!, '2025-01-01T10:05:00Z'));
      roster.applyRow(row(ids[1]!, '2025-01-01T10:02:00Z'));
      const first = roster.update(options)!;
      expect(first.list.map((p) => p.user_id)).to.deep.equal([ids[0], ids[1]]);
      expect(first.joined.length).to.equal(2);
      // Profile-less rows are not shown yet; an unknown presence key changes nothing.
      roster.applyRow(row(ids[5]!, '2025-01-01T10:00:00Z'));
      roster.presenceJoined('not-a-participant');
      expect(roster.update(options)).to.equal(undefined);
      roster.applyRow(row(ids[2]!, '2025-01-01T10:01:00Z'));
      roster.applyRow({ ...row(ids[1]!, '2025-01-01T10:02:00Z'), left_at: '2025-01-01T10:09:00Z' });
      const second = roster.update(options)!;
      expect(second.list.map((p) => p.user_id)).to.deep.equal([ids[0], ids[2]]);
      expect(second.joined.map((p) => p.user_id)).to.deep.equal([ids[2]]);
      expect(second.left.map((p) => p.user_id)).to.deep.equal([ids[1]]);
      // The list handed out earlier is a snapshot: later changes do not reach it.
      expect(first.list.map((p) => p.user_id)).to.deep.equal([ids[0], ids[1]]);
    });
  });

  describe('live join wave', () => {
    const WAVE = 16;
    let host: TestUser;
    let guests: TestUser[];
    let meetingId: string;

    before(async () => {
      host = await newUser('Host');
      guests = [];
      // Sequential sign-ups keep the names' order predictable for the reader, not for the test.
      for (let i = 0; i < WAVE; i++) guests.push(await newUser(`Guest ${String(i).padStart(2, '0')}`));
      meetingId = await meetingOf(host, guests);
    });

    after(async () => {
      if (host) await closeClients(host.client, ...guests.map((g) => g.client));
    });

    /**
     * The joined participants as recorded, in the element's order: raised hands by hand_raised_at,
     * then the host, then by joined_at.
     */
    async function recordedOrder(): Promise<string[]> {
      const query = () =>
        host.client
          .from('meeting_participants')
          .select('user_id')
          .eq('meeting_id', meetingId)
          .is('left_at', null)
          .not('joined_at', 'is', null);
      const [hands, rest] = await Promise.all([
        query().eq('is_hand_raised', true).order('hand_raised_at'),
        query().eq('is_hand_raised', false).order('joined_at'),
      ]);
      if (hands.error || rest.error) throw new Error((hands.error ?? rest.error)!.message);
      const byId = new Map([host, ...guests].map((u) => [u.user.id, u.name]));
      const raised = (hands.data as { user_id: string }[]).map((r) => byId.get(r.user_id)!);
      const others = (rest.data as { user_id: string }[])
        .filter((r) => r.user_id !== host.user.id)
        .map((r) => byId.get(r.user_id)!);
      return [...raised, ...(raised.includes('Host') ? [] : ['Host']), ...others];
    }

    it('stays equal to the database through a join wave, state changes, leaves and rejoins', async () => {
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
      let presenceChanges = 0;
      el.addEventListener('pasabay-participant-join', (e: PasabayParticipantJoinEvent) =>
        joins.push(e.detail.participant.display_name),
      );
      el.addEventListener('pasabay-participant-leave', (e: PasabayParticipantLeaveEvent) =>
        leaves.push(e.detail.participant.display_name),
      );
      el.addEventListener('pasabay-presence-change', () => presenceChanges++);

      // The wave: every guest joins at once.
      const joined = await Promise.all(guests.map((g) => g.client.rpc('join_meeting', { meeting_id: meetingId })));
      expect(joined.filter((r) => r.error).length).to.equal(0);
      await waitUntil(() => names(el).length === WAVE + 1, 'everyone shows', { timeout: 20_000 });
      expect(names(el).join()).to.equal((await recordedOrder()).join());
      expect(el.participants.map((p) => p.display_name).join()).to.equal(names(el).join());
      expect([...joins].sort().join()).to.equal(
        guests
          .map((g) => g.name)
          .sort()
          .join(),
      );
      expect(presenceChanges).to.be.greaterThan(0);
      expect(el.shadowRoot!.querySelector('[part~="count"]')!.textContent).to.equal(`${WAVE + 1} participants`);

      // State changes reach the right entries and nothing else.
      await Promise.all([
        guests[3]!.client.rpc('update_meeting_state', { meeting_id: meetingId, is_muted: true }),
        guests[7]!.client.rpc('update_meeting_state', { meeting_id: meetingId, is_hand_raised: true }),
      ]);
      await waitUntil(
        () =>
          badgesOf(el, guests[3]!.name).join() === 'Muted' && badgesOf(el, guests[7]!.name).join() === 'Hand raised',
        'the two state changes show',
        { timeout: 10_000 },
      );
      const badged = guests.filter((g) => badgesOf(el, g.name).length > 0).map((g) => g.name);
      expect(badged.join()).to.equal([guests[3]!.name, guests[7]!.name].join());

      // Leaves: out of the list, one leave event each.
      const leaving = [guests[0]!, guests[5]!, guests[WAVE - 1]!];
      await Promise.all(leaving.map((g) => g.client.rpc('leave_meeting', { meeting_id: meetingId })));
      await waitUntil(() => names(el).length === WAVE + 1 - leaving.length, 'the leaves show', { timeout: 10_000 });
      expect(names(el).join()).to.equal((await recordedOrder()).join());
      expect([...leaves].sort().join()).to.equal(
        leaving
          .map((g) => g.name)
          .sort()
          .join(),
      );

      // Rejoining records a new joined_at: the participant moves to the end, in both orders.
      const rejoining = guests[0]!;
      expect((await rejoining.client.rpc('join_meeting', { meeting_id: meetingId })).error).to.equal(null);
      await waitUntil(() => names(el).at(-1) === rejoining.name, 'the rejoin moves to the end', { timeout: 10_000 });
      expect(names(el).join()).to.equal((await recordedOrder()).join());
      expect(joins.filter((name) => name === rejoining.name).length).to.equal(2);
      await expect(el).to.be.accessible();
      el.remove();
      await channelRemovalsSettled(host.client);
    });

    it('marks exactly the participant whose presence went as "Connection lost"', async () => {
      const el = await fixture<MeetingParticipants>(
        html`<meeting-participants
          meeting-id=${meetingId}
          .client=${host.client}
          max-visible="100"
        ></meeting-participants>`,
      );
      const connected = guests.slice(0, 4);
      await Promise.all(connected.map((g) => g.client.rpc('join_meeting', { meeting_id: meetingId })));
      const leases = connected.map((g) =>
        acquireChannel(g.client, meetingPresenceTopic(meetingId), {}, { presenceKey: g.user.id }),
      );
      await waitUntil(() => leases.every((l) => l.status === 'joined'), 'presence joins', { timeout: 10_000 });
      await Promise.all(leases.map((l) => l.track({ online_at: new Date().toISOString() })));
      const lostOf = () =>
        items(el)
          .filter((li) => li.getAttribute('part')!.split(' ').includes('connection-lost'))
          .map(nameOf);
      await waitUntil(
        () =>
          connected.every((g) => names(el).includes(g.name)) &&
          connected.every((g) => el['meeting'].presenceState()[g.user.id] !== undefined),
        'the connected guests show',
        { timeout: 10_000 },
      );
      expect(lostOf().filter((name) => connected.some((g) => g.name === name))).to.deep.equal([]);
      await leases[2]!.release();
      await waitUntil(() => lostOf().includes(connected[2]!.name), 'the dropped one shows lost', { timeout: 10_000 });
      expect(lostOf().filter((name) => connected.some((g) => g.name === name))).to.deep.equal([connected[2]!.name]);
      await Promise.all(leases.filter((_, i) => i !== 2).map((l) => l.release()));
      el.remove();
      await Promise.all([host, ...connected].map((u) => channelRemovalsSettled(u.client)));
    });
  });
});
