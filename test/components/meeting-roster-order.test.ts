/**
 * The roster's order kept by change, case by case: raised hands first in the order they went up
 * (by the database's microseconds, whatever text form the timestamp came in), then one's own
 * entry, then in order of joining; through joins, leaves, hand changes and a change of the
 * current user. Pure logic (no stack).
 */
import { expect } from '@open-wc/testing';
import {
  MeetingRoster,
  sortParticipants,
  type ListOptions,
  type RosterRow,
} from '../../src/components/meeting-participants/roster.js';
import { participantRow } from './meeting-fixtures.js';

const M = '55555555-5555-4555-8555-555555555555';
const ids = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const [own, a, b, c, d] = ids as [string, string, string, string, string];

function row(userId: string, joinedAt: string, extra: Partial<RosterRow> = {}): RosterRow {
  return { ...participantRow(M, userId, joinedAt), ...extra };
}

function roster() {
  const live = new MeetingRoster();
  live.addProfiles(ids.map((id, i) => ({ id, display_name: `P${i}`, avatar_url: null })));
  return live;
}

const options: ListOptions = { ownId: own, fallbackName: 'Someone', presenceJoined: false, graceOver: false };
const order = (live: MeetingRoster, opts = options) => live.list(opts).map((p) => p.user_id);
/** The same rows rebuilt from scratch and fully sorted. */
const rebuilt = (live: MeetingRoster, opts = options) =>
  sortParticipants([...live.list(opts)], opts.ownId).map((p) => p.user_id);

describe('meeting roster order (pure)', () => {
  it("keeps one's own entry first, then the order of joining, as rows join and leave", () => {
    const live = roster();
    live.applyRow(row(c, '2025-01-01T10:03:00Z'));
    live.applyRow(row(own, '2025-01-01T10:09:00Z'));
    live.applyRow(row(a, '2025-01-01T10:01:00Z'));
    live.applyRow(row(b, '2025-01-01T10:02:00.000001+00:00'));
    expect(order(live)).to.deep.equal([own, a, b, c]);
    live.applyRow(row(a, '2025-01-01T10:01:00Z', { left_at: '2025-01-01T10:05:00Z' }));
    expect(order(live)).to.deep.equal([own, b, c]);
    // A rejoin is a new joining time: the entry moves to its place by it.
    live.applyRow(row(a, '2025-01-01T10:06:00Z'));
    live.applyRow(row(d, '2025-01-01T10:02:00Z'));
    expect(order(live)).to.deep.equal([own, d, b, c, a]);
    live.removeRow(c);
    expect(order(live)).to.deep.equal([own, d, b, a]);
    expect(order(live)).to.deep.equal(rebuilt(live));
  });

  it('puts raised hands first in the order raised, to the microsecond, whatever the timestamp text', () => {
    const live = roster();
    for (const [i, id] of [own, a, b, c, d].entries()) live.applyRow(row(id, `2025-01-01T10:0${i}:00Z`));
    expect(order(live)).to.deep.equal([own, a, b, c, d]);
    live.applyRow(
      row(c, '2025-01-01T10:03:00Z', { is_hand_raised: true, hand_raised_at: '2025-01-01 11:00:00.000002+00' }),
    );
    live.applyRow(
      row(a, '2025-01-01T10:01:00Z', { is_hand_raised: true, hand_raised_at: '2025-01-01T11:00:00.000001+00:00' }),
    );
    // 12:00:00.000003 at +01:00 is 11:00:00.000003 UTC: third, though its text sorts first.
    live.applyRow(
      row(d, '2025-01-01T10:04:00Z', { is_hand_raised: true, hand_raised_at: '2025-01-01T12:00:00.000003+01:00' }),
    );
    expect(order(live)).to.deep.equal([a, c, d, own, b]);
    // One's own hand while its write is on its way (no time recorded yet) comes last of the hands.
    expect(order(live, { ...options, ownOverride: { is_hand_raised: true } })).to.deep.equal([a, c, d, own, b]);
    live.applyRow(row(own, '2025-01-01T10:00:00Z', { is_hand_raised: true, hand_raised_at: '2025-01-01T10:59:59Z' }));
    expect(order(live)).to.deep.equal([own, a, c, d, b]);
    // Lowered: back to its place among the rest.
    live.applyRow(row(a, '2025-01-01T10:01:00Z'));
    live.applyRow(row(own, '2025-01-01T10:00:00Z'));
    expect(order(live)).to.deep.equal([c, d, own, a, b]);
    // Raised again later: the end of the queue.
    live.applyRow(row(a, '2025-01-01T10:01:00Z', { is_hand_raised: true, hand_raised_at: '2025-01-01T11:30:00Z' }));
    expect(order(live)).to.deep.equal([c, d, a, own, b]);
    expect(order(live)).to.deep.equal(rebuilt(live));
  });

  it('reorders in full when the current user changes', () => {
    const live = roster();
    live.applyRow(row(a, '2025-01-01T10:01:00Z'));
    live.applyRow(row(b, '2025-01-01T10:02:00Z'));
    live.applyRow(row(c, '2025-01-01T10:03:00Z'));
    expect(order(live, { ...options, ownId: c })).to.deep.equal([c, a, b]);
    expect(order(live, { ...options, ownId: b })).to.deep.equal([b, a, c]);
    expect(order(live, { ...options, ownId: undefined })).to.deep.equal([a, b, c]);
  });

  it('applies a wave of joins in any arrival order to the order of joining', () => {
    const live = roster();
    const times = ids.map((id, i) => [id, `2025-01-01T10:00:0${i}.${String(i).padStart(6, '0')}Z`] as const);
    for (const [id, time] of [...times].reverse()) {
      live.applyRow(row(id, time));
      live.list(options);
    }
    expect(order(live)).to.deep.equal(ids);
    for (const [id, time] of times.filter((_, i) => i % 2 === 1)) live.applyRow(row(id, time, { left_at: time }));
    expect(order(live)).to.deep.equal(ids.filter((_, i) => i % 2 === 0));
  });

  it('says when a change can alter the list: rows waiting for a profile and unknown presence keys cannot', () => {
    const live = new MeetingRoster();
    live.addProfiles([{ id: own, display_name: 'Own', avatar_url: null }]);
    live.applyRow(row(own, '2025-01-01T10:00:00Z'));
    expect(live.pending).to.equal(true);
    live.update(options);
    expect(live.pending).to.equal(false);
    // A joined row without its profile, its presence, a stranger's key: nothing to show yet.
    live.applyRow(row(a, '2025-01-01T10:01:00Z'));
    live.presenceJoined(a);
    live.presenceJoined('not-a-participant');
    expect(live.pending).to.equal(false);
    expect(live.update(options)).to.equal(undefined);
    // Its profile makes it showable.
    live.addProfiles([{ id: a, display_name: 'A', avatar_url: null }], [a]);
    expect(live.pending).to.equal(true);
    expect(live.update(options)!.joined.map((p) => p.user_id)).to.deep.equal([a]);
    expect(live.pending).to.equal(false);
    // A shown user's presence, and a presence reset, can.
    live.presenceLeft(a);
    expect(live.pending).to.equal(true);
    live.update(options);
    live.resetPresence();
    expect(live.pending).to.equal(true);
  });

  it('never says "nothing pending" when an update would change the list (random changes)', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const live = new MeetingRoster();
    live.update(options);
    let skipped = 0;
    for (let step = 0; step < 800; step++) {
      const id = pick(ids);
      const kind = next();
      if (kind < 0.3) live.applyRow(row(id, `2025-01-01T10:0${Math.floor(next() * 6)}:00Z`));
      else if (kind < 0.45) live.applyRow(row(id, '2025-01-01T10:00:00Z', { left_at: '2025-01-01T11:00:00Z' }));
      else if (kind < 0.55) live.applyRow(row(id, '2025-01-01T10:00:00Z', { is_muted: next() < 0.5 }));
      else if (kind < 0.65)
        live.addProfiles(next() < 0.7 ? [{ id, display_name: pick(['A', 'B']), avatar_url: null }] : [], [id]);
      else if (kind < 0.8) live.presenceJoined(id);
      else if (kind < 0.9) live.presenceLeft(id);
      else if (kind < 0.95) live.removeRow(id);
      else live.presenceJoined(`stranger-${step}`);
      if (next() < 0.5) continue;
      if (!live.pending) {
        skipped++;
        expect(live.update(options), `step ${step}`).to.equal(undefined);
      } else live.update(options);
    }
    // The check ran, on both sides.
    expect(skipped).to.be.greaterThan(0);
  });
});
