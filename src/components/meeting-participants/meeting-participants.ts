import { html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { BroadcastMessage, PresenceEvent } from '../../connection/channels.js';
import {
  meetingChangeSchema,
  meetingParticipantSchema,
  parseList,
  parsePayload,
  participantChangeSchema,
  profileSchema,
  dropped,
  type MeetingParticipant,
} from '../../connection/schemas.js';
import { meetingPresenceTopic, meetingTopic } from '../../connection/topics.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { PasabayErrorEvent, reported } from '../../events/pasabay-error.js';
import { PasabayParticipantJoinEvent } from '../../events/pasabay-participant-join.js';
import { PasabayParticipantLeaveEvent } from '../../events/pasabay-participant-leave.js';
import { PasabayPresenceChangeEvent } from '../../events/pasabay-presence-change.js';
import { participantsStrings, type ParticipantsStrings } from '../../i18n/participants.js';
import { mergeStrings } from '../../i18n/strings.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { AnnouncerController } from './announcer-controller.js';
import { styles } from './meeting-participants.styles.js';
import {
  MeetingRoster,
  diffParticipants,
  initials,
  isJoined,
  trackDelay,
  type OwnState,
  type Participant,
} from './roster.js';
import { TopicEvent, isRateLimited } from '../../connection/wire.js';

export type { OwnState, Participant } from './roster.js';

type Badge = 'muted' | 'video' | 'screen' | 'hand' | 'away' | 'lost';

const icons: Record<Badge, TemplateResult> = {
  muted: svg`<path d="M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3Z"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M4 4l16 16"/>`,
  video: svg`<rect x="3" y="6" width="12" height="12" rx="2"/><path d="m15 10 6-3v10l-6-3"/>`,
  screen: svg`<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4M9 10l3-3 3 3M12 7v6"/>`,
  hand: svg`<path d="M8 13V5a1.5 1.5 0 0 1 3 0v6M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V5.5a1.5 1.5 0 0 1 3 0V14a7 7 0 0 1-7 7 6 6 0 0 1-5-3l-2.5-4.5a1.5 1.5 0 0 1 2.6-1.5L8 15"/>`,
  away: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
  lost: svg`<path d="M2 8.5a15 15 0 0 1 20 0M5 12a10 10 0 0 1 14 0M8.5 15.5a5 5 0 0 1 7 0M12 19h.01M3 3l18 18"/>`,
};

function icon(badge: Badge) {
  return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${icons[badge]}</svg>`;
}

/** How long a participant recorded as joined may stay without presence before showing "connection lost". */
const PRESENCE_GRACE_MS = 15_000;

const OWN_KEYS = ['muted', 'videoOn', 'screenSharing', 'handRaised', 'away'] as const;

// join_meeting / leave_meeting of one client run one after another: a DOM move (or a quick
// remount) leaves and joins again, and a leave that overtook the join would record the user as gone.
const membershipQueues = new WeakMap<SupabaseClient, Promise<unknown>>();

function inOrder<T>(client: SupabaseClient, work: () => Promise<T>): Promise<T> {
  const next = (membershipQueues.get(client) ?? Promise.resolve()).then(work, work);
  membershipQueues.set(
    client,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * @summary Who is in a meeting, live: one entry per participant (however many tabs) with name,
 * avatar and muted / camera / screen share / hand raised / away / connection lost badges, a count,
 * and overflow for large meetings. The roster and everyone's state come from the database
 * (`meeting_participants` and `profiles`), so no client can fake a participant or their state;
 * presence only tells whether a participant is still connected. Sets and records the current
 * user's own state through `update_meeting_state`.
 * @tag meeting-participants
 *
 * @csspart base - The wrapper.
 * @csspart header - The row with the count and the expand / collapse button.
 * @csspart count - The participant count.
 * @csspart message - The state message (connecting, not allowed, empty…).
 * @csspart list - The participant list (`<ul>`).
 * @csspart participant - One participant (`<li>`). Extra tokens: `self`, `away`, `hand-raised`, `connection-lost`.
 * @csspart avatar - The avatar image, or the initials placeholder (extra token `initials`).
 * @csspart name - The participant's name.
 * @csspart badges - The row of state badges.
 * @csspart badge - One state badge. Extra tokens: `muted`, `video`, `screen`, `hand`, `away`, `lost`.
 * @csspart icon - The icon inside a badge or toggle.
 * @csspart badge-label - The words of a badge.
 * @csspart overflow - The "+12 more" button.
 * @csspart controls - The toolbar of one's own toggles (with the `controls` attribute).
 * @csspart toggle - One toggle button. Extra tokens: `muted`, `video`, `screen`, `hand`, `away`, `pressed`.
 *
 * @cssprop [--pasabay-meeting-participants-gap=var(--pasabay-space-s)] - Space between participants.
 * @cssprop [--pasabay-meeting-participants-avatar-size=2rem] - Avatar diameter.
 * @cssprop [--pasabay-meeting-participants-badge-color=var(--pasabay-color-text-muted)] - Badge text and icon colour.
 * @cssprop [--pasabay-meeting-participants-hand-color=var(--pasabay-color-warning)] - Colour of the hand-raised badge.
 *
 * @cssstate offline - The meeting channel is not joined.
 * @cssstate empty - Joined, and nobody is in the meeting.
 * @cssstate not-allowed - The user is not invited to the meeting.
 * @cssstate auth-required - Nobody is signed in.
 * @cssstate error - Configuration, session or channel error.
 *
 * @fires {PasabayPresenceChangeEvent} pasabay-presence-change - Someone joined, left, changed state or lost their connection.
 * @fires {PasabayParticipantJoinEvent} pasabay-participant-join - A participant joined the meeting.
 * @fires {PasabayParticipantLeaveEvent} pasabay-participant-leave - A participant left the meeting.
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The meeting channel joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in and guest mode is off.
 * @fires {PasabayErrorEvent} pasabay-error - Missing configuration, refused channel, failed RPC or request, or an invalid payload (dropped).
 */
export class MeetingParticipants extends PasabayElement<ParticipantsStrings> {
  static override styles = [hostStyles, styles];

  // `meeting:<id>`: participant and meeting rows, broadcast by the database only.
  private readonly live = new ChannelController(this, {
    client: () => (this.session.identity ? this.clientSource.client : undefined),
    topic: () => (this.meetingId ? meetingTopic(this.meetingId) : undefined),
    onBroadcast: (message) => this.onBroadcast(message),
    onJoined: () => this.onJoined(),
  });
  // `meeting:<id>:presence`: who is connected, keyed by user id. Nothing else is read from it.
  private readonly presence = new ChannelController(this, {
    client: () => (this.session.identity ? this.clientSource.client : undefined),
    topic: () => (this.meetingId ? meetingPresenceTopic(this.meetingId) : undefined),
    presenceKey: () => this.session.identity?.userId,
    onPresence: (event) => this.onPresence(event),
    onJoined: () => this.onPresenceJoined(),
    onStatusChange: (status) => {
      if (status !== 'joined') this.onPresenceLost();
    },
  });
  private readonly announcer = new AnnouncerController(this, {
    strings: () => this.resolvedStrings,
    locale: () => this.locale,
  });
  private readonly roster = new MeetingRoster();
  /** Whether the list holds the state of the current join (joins/leaves are diffed after that). */
  private baselined = false;
  private joinedMeetingId: string | undefined;
  /** Bumped when the meeting changes or the element leaves: answers to older requests are dropped. */
  private epoch = 0;
  private trackTimes: number[] = [];
  private trackTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private presenceJoinedAt: number | undefined;
  /** Own-state writes in flight; while any is, one's own entry shows the properties (optimistic). */
  private recording = 0;
  /** The last RPC that records one's own state; `setState()` waits for it. */
  private pendingRecord: Promise<void> = Promise.resolve();

  @state() private participantList: readonly Participant[] = [];
  @state() private expanded = false;
  @state() private notAllowed = false;

  /** Meeting to show; a new value leaves the old meeting's channel and joins the new one. */
  @property({ attribute: 'meeting-id' }) meetingId = '';
  /** How many participants show before the rest collapse into "+N more". */
  @property({ type: Number, attribute: 'max-visible' }) maxVisible = 12;
  /** Shows a toolbar of toggles for the current user's own state. */
  @property({ type: Boolean }) controls = false;
  /** The current user is muted. Setting it records the new state. */
  @property({ type: Boolean }) muted = false;
  /** The current user's camera is on. */
  @property({ type: Boolean, attribute: 'video-on' }) videoOn = false;
  /** The current user is sharing their screen. */
  @property({ type: Boolean, attribute: 'screen-sharing' }) screenSharing = false;
  /** The current user's hand is raised. */
  @property({ type: Boolean, attribute: 'hand-raised' }) handRaised = false;
  /** The current user is away (recorded, so others see it at once). */
  @property({ type: Boolean }) away = false;

  /** Everyone in the meeting, one entry per user, the current user first. */
  get participants(): readonly Participant[] {
    return this.participantList;
  }

  /** The current user's own state. */
  get ownState(): OwnState {
    return {
      isMuted: this.muted,
      isVideoOn: this.videoOn,
      isScreenSharing: this.screenSharing,
      isHandRaised: this.handRaised,
      away: this.away,
    };
  }

  override disconnectedCallback(): void {
    // Another tab of the same user still in the meeting keeps them in it (read before the
    // presence channel is released below).
    const ownId = this.session.identity?.userId;
    const ownTabs = ownId ? (this.presence.presenceState()[ownId]?.length ?? 0) : 0;
    super.disconnectedCallback();
    clearTimeout(this.trackTimer);
    this.trackTimer = undefined;
    this.resetRoster();
    const client = this.clientSource.client;
    const meetingId = this.joinedMeetingId;
    this.joinedMeetingId = undefined;
    // Removing the element leaves the meeting (records left_at); re-appending joins again.
    if (client && meetingId && ownTabs <= 1) {
      void inOrder(client, () => this.rpc(client, 'leave_meeting', { meeting_id: meetingId }));
    }
  }

  /**
   * Changes the current user's own state: updates the properties and records it with
   * `update_meeting_state`. Resolves once the database answered (a refusal is reported as
   * `pasabay-error` and the properties go back to the recorded state).
   */
  async setState(patch: Partial<OwnState>): Promise<void> {
    if (patch.isMuted !== undefined) this.muted = patch.isMuted;
    if (patch.isVideoOn !== undefined) this.videoOn = patch.isVideoOn;
    if (patch.isScreenSharing !== undefined) this.screenSharing = patch.isScreenSharing;
    if (patch.isHandRaised !== undefined) this.handRaised = patch.isHandRaised;
    if (patch.away !== undefined) this.away = patch.away;
    await this.updateComplete;
    await this.pendingRecord;
  }

  protected override resolveStrings(overrides: Partial<ParticipantsStrings>): ParticipantsStrings {
    return mergeStrings(participantsStrings, overrides);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('meetingId') && changed.get('meetingId') !== undefined) {
      this.resetRoster();
      this.notAllowed = false;
      this.expanded = false;
      const client = this.clientSource.client;
      const previous = this.joinedMeetingId;
      this.joinedMeetingId = undefined;
      if (client && previous) void inOrder(client, () => this.rpc(client, 'leave_meeting', { meeting_id: previous }));
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const changedOwn = OWN_KEYS.some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (changedOwn && this.ownDiffersFromRecord()) this.pendingRecord = this.recordOwnState();
    const status = this.live.status;
    const toggle = (name: string, on: boolean) => this.toggleState(name, on);
    toggle('offline', status !== 'joined');
    toggle('empty', status === 'joined' && this.participantList.length === 0);
    toggle('not-allowed', this.notAllowed);
    toggle('auth-required', this.session.status === 'auth-required');
    toggle(
      'error',
      Boolean(this.clientSource.error) || this.session.status === 'error' || (status === 'error' && !this.notAllowed),
    );
  }

  private resetRoster() {
    this.epoch++;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.presenceJoinedAt = undefined;
    this.roster.clear();
    this.participantList = [];
    this.baselined = false;
  }

  /** The own row as recorded differs from the properties (or is not known yet). */
  private ownDiffersFromRecord(): boolean {
    const ownId = this.session.identity?.userId;
    const row = ownId ? this.roster.row(ownId) : undefined;
    if (!row) return true;
    return (
      row.is_muted !== this.muted ||
      row.is_video_on !== this.videoOn ||
      row.is_screen_sharing !== this.screenSharing ||
      row.is_hand_raised !== this.handRaised ||
      row.is_away !== this.away
    );
  }

  /** The meeting channel (re)joined: join the meeting the first time, then load the roster. */
  private onJoined() {
    this.notAllowed = false;
    const client = this.clientSource.client;
    const meetingId = this.meetingId;
    if (!client || !meetingId) return;
    const firstJoin = this.joinedMeetingId !== meetingId;
    if (firstJoin) {
      this.joinedMeetingId = meetingId;
      const joining = this.joinMeeting(client, meetingId);
      this.pendingRecord = joining;
      void joining.then(() => this.loadRoster(client, meetingId));
    } else {
      // A reconnect: anything may have changed meanwhile.
      void this.loadRoster(client, meetingId);
    }
  }

  private async joinMeeting(client: SupabaseClient, meetingId: string) {
    const epoch = this.epoch;
    const requestedAt = this.roster.clock;
    const row = await inOrder(client, () => this.rpc(client, 'join_meeting', { meeting_id: meetingId }));
    if (row === undefined || epoch !== this.epoch) return;
    const parsed = reported(this, parsePayload(meetingParticipantSchema, row, 'rpc join_meeting'));
    if (!parsed || parsed.meeting_id !== meetingId) return;
    this.roster.applyRow(parsed, requestedAt);
    // The state the host app set on the element wins over what was recorded before.
    if (this.ownDiffersFromRecord()) await this.recordOwnState();
  }

  /**
   * Loads who is in the meeting and their recorded state (REST), with their profiles, so a
   * (re)joining user sees everyone's state at once.
   */
  private async loadRoster(client: SupabaseClient, meetingId: string) {
    const epoch = this.epoch;
    const requestedAt = this.roster.clock;
    let rows: MeetingParticipant[];
    try {
      const { data, error } = await client.from('meeting_participants').select('*').eq('meeting_id', meetingId);
      if (epoch !== this.epoch) return;
      if (error) {
        this.reportRequestError('meeting_participants', error.message, error);
        return;
      }
      rows = reported(this, parseList(meetingParticipantSchema, data, 'meeting_participants')).filter(
        (row) => row.meeting_id === meetingId,
      );
    } catch (error) {
      this.reportRequestError('meeting_participants', String(error), error);
      return;
    }
    this.roster.load(rows, requestedAt);
    await this.loadProfiles(client, epoch);
    if (epoch !== this.epoch) return;
    this.refreshList();
  }

  /** Fetches the profiles of joined participants not known yet. */
  private async loadProfiles(client: SupabaseClient, epoch: number) {
    const missing = this.roster.missingProfiles();
    if (missing.length === 0) return;
    try {
      const { data, error } = await client.from('profiles').select('id, display_name, avatar_url').in('id', missing);
      if (epoch !== this.epoch) return;
      if (error) {
        this.reportRequestError('profiles', error.message, error);
        return;
      }
      this.roster.addProfiles(reported(this, parseList(profileSchema, data, 'profiles')), missing);
    } catch (error) {
      this.reportRequestError('profiles', String(error), error);
    }
  }

  private reportRequestError(source: string, message: string, cause: unknown) {
    this.dispatchEvent(new PasabayErrorEvent({ code: 'request', message: `${source}: ${message}`, source, cause }));
  }

  private async recordOwnState() {
    const client = this.clientSource.client;
    const meetingId = this.joinedMeetingId;
    if (!client || !meetingId) return;
    const epoch = this.epoch;
    const requestedAt = this.roster.clock;
    this.recording++;
    this.refreshList();
    try {
      const row = await this.rpc(client, 'update_meeting_state', {
        meeting_id: meetingId,
        is_muted: this.muted,
        is_video_on: this.videoOn,
        is_screen_sharing: this.screenSharing,
        is_hand_raised: this.handRaised,
        is_away: this.away,
      });
      if (epoch !== this.epoch) return;
      const parsed =
        row === undefined
          ? undefined
          : reported(this, parsePayload(meetingParticipantSchema, row, 'rpc update_meeting_state'));
      if (parsed && parsed.meeting_id === meetingId) this.roster.applyRow(parsed, requestedAt);
      else if (this.recording === 1) this.revertOwnState();
    } finally {
      this.recording--;
      if (epoch === this.epoch) this.refreshList();
    }
  }

  /** Puts the properties back to the recorded state (after the database refused a change). */
  private revertOwnState() {
    const ownId = this.session.identity?.userId;
    const row = ownId ? this.roster.row(ownId) : undefined;
    if (!row) return;
    this.muted = row.is_muted;
    this.videoOn = row.is_video_on;
    this.screenSharing = row.is_screen_sharing;
    this.handRaised = row.is_hand_raised;
    this.away = row.is_away;
  }

  /** Calls an RPC; a failure is reported as `pasabay-error` and resolves `undefined`. */
  private async rpc(client: SupabaseClient, name: string, args: Record<string, unknown>): Promise<unknown> {
    const { data, error, status } = await client.rpc(name, args);
    if (!error) return data ?? null;
    if (error.code === '42501' && name === 'join_meeting') this.notAllowed = true;
    this.dispatchEvent(
      new PasabayErrorEvent({
        code: isRateLimited({ status, code: error.code }) ? 'rate-limited' : 'request',
        message: `${name} failed: ${error.message}`,
        source: `rpc ${name}`,
        cause: error,
      }),
    );
    return undefined;
  }

  /**
   * Events on `meeting:<id>`, which only the database writes to; still validated: the shape, the
   * table, and that the row is this meeting's. Anything else is dropped and reported.
   */
  private onBroadcast(message: BroadcastMessage) {
    const meetingId = this.meetingId;
    const source = `${this.live.topic ?? 'meeting'} ${message.event}`;
    if (message.event === TopicEvent.participant) {
      const change = reported(this, parsePayload(participantChangeSchema, message.payload, source));
      if (!change) return;
      const row = change.operation === 'DELETE' ? change.old_record : change.record;
      if (row.meeting_id !== meetingId) {
        reported(this, dropped('a participant of another meeting', message.payload, source));
        return;
      }
      if (change.operation === 'DELETE') this.roster.removeRow(row.user_id);
      else this.roster.applyRow(row);
      const client = this.clientSource.client;
      const epoch = this.epoch;
      if (client && isJoined(row))
        void this.loadProfiles(client, epoch).then(() => epoch === this.epoch && this.refreshList());
      else this.refreshList();
    } else if (message.event === TopicEvent.meeting) {
      const change = reported(this, parsePayload(meetingChangeSchema, message.payload, source));
      if (!change) return;
      const row = change.operation === 'DELETE' ? change.old_record : change.record;
      if (row.id !== meetingId) reported(this, dropped('another meeting', message.payload, source));
      // The meeting row itself changes nothing shown here.
    } else {
      reported(this, dropped(`unknown event "${message.event}"`, message.payload, source));
    }
  }

  /** The presence channel (re)joined: track once (a small claim: the key is what counts). */
  private onPresenceJoined() {
    this.roster.resetPresence();
    this.presenceJoinedAt = Date.now();
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      this.refreshList();
    }, PRESENCE_GRACE_MS);
    this.scheduleTrack();
  }

  private onPresenceLost() {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    clearTimeout(this.trackTimer);
    this.trackTimer = undefined;
    this.presenceJoinedAt = undefined;
    this.roster.resetPresence();
    this.refreshList();
  }

  /** Tracks one's own presence, no more often than Realtime allows. */
  private scheduleTrack() {
    if (this.trackTimer !== undefined || this.presence.status !== 'joined') return;
    const delay = trackDelay(this.trackTimes, Date.now());
    const track = () => {
      this.trackTimer = undefined;
      if (!this.session.identity || this.presence.status !== 'joined') return;
      this.trackTimes = [...this.trackTimes.slice(-8), Date.now()];
      void this.presence.track({ online_at: new Date().toISOString() });
    };
    if (delay === 0) track();
    else this.trackTimer = setTimeout(track, delay);
  }

  private onPresence(event: PresenceEvent) {
    if (event.event !== 'sync') return;
    // Only the keys: a presence payload is a claim anyone could make, so nothing of it is shown.
    this.roster.notePresence(Object.keys(this.presence.presenceState()));
    this.refreshList();
  }

  private refreshList() {
    const ownId = this.session.identity?.userId;
    const presenceJoined = this.presence.status === 'joined' && this.presenceJoinedAt !== undefined;
    const list = this.roster.list({
      ownId,
      fallbackName: this.resolvedStrings.participantsSomeone,
      presenceJoined,
      graceOver: presenceJoined && Date.now() - this.presenceJoinedAt! >= PRESENCE_GRACE_MS,
      // Optimistic: while one's own change is on its way, show it; the database's answer wins after.
      ownOverride:
        this.recording > 0
          ? {
              is_muted: this.muted,
              is_video_on: this.videoOn,
              is_screen_sharing: this.screenSharing,
              is_hand_raised: this.handRaised,
              is_away: this.away,
            }
          : undefined,
    });
    const previous = this.participantList;
    const changed =
      list.length !== previous.length || list.some((p, i) => JSON.stringify(p) !== JSON.stringify(previous[i]));
    if (!changed) return;
    if (this.baselined) {
      const { joined, left } = diffParticipants(previous, list);
      for (const participant of joined) {
        if (participant.user_id === ownId) continue;
        this.dispatchEvent(new PasabayParticipantJoinEvent({ meetingId: this.meetingId, participant }));
        this.announcer.noteJoin(participant.display_name);
      }
      for (const participant of left) {
        if (participant.user_id === ownId) continue;
        this.dispatchEvent(new PasabayParticipantLeaveEvent({ meetingId: this.meetingId, participant }));
        this.announcer.noteLeave(participant.display_name);
      }
    }
    // The first list that holds one's own entry is the baseline: who was already there did not "join".
    if (ownId && list.some((p) => p.user_id === ownId)) this.baselined = true;
    this.participantList = list;
    this.dispatchEvent(new PasabayPresenceChangeEvent({ meetingId: this.meetingId, participants: list }));
  }

  private onToggle(key: keyof OwnState) {
    void this.setState({ [key]: !this.ownState[key] });
  }

  private statusMessage(): string | undefined {
    const s = this.resolvedStrings;
    if (this.clientSource.error || this.session.status === 'error') return s.participantsError;
    if (this.session.status === 'auth-required') return s.participantsAuthRequired;
    if (!this.meetingId) return s.participantsNoMeeting;
    if (
      this.notAllowed ||
      (this.live.status === 'error' && /unauthori[sz]ed|permission/i.test(this.live.error?.message ?? ''))
    ) {
      return s.participantsNotAllowed;
    }
    if (this.live.status === 'error') return s.participantsReconnecting;
    if (this.live.status !== 'joined') return s.participantsConnecting;
    if (this.participantList.length === 0) return s.participantsEmpty;
    return undefined;
  }

  private renderBadges(p: Participant) {
    const s = this.resolvedStrings;
    const badges: [Badge, boolean, string][] = [
      ['lost', p.connection_lost, s.participantsConnectionLost],
      ['muted', p.is_muted, s.participantsMuted],
      ['video', p.is_video_on, s.participantsVideoOn],
      ['screen', p.is_screen_sharing, s.participantsScreenSharing],
      ['hand', p.is_hand_raised, s.participantsHandRaised],
      ['away', p.is_away, s.participantsAway],
    ];
    const shown = badges.filter(([, on]) => on);
    if (shown.length === 0) return nothing;
    return html`<span part="badges">
      ${shown.map(([badge, , label]) => html`<span part="badge ${badge}">${icon(badge)}<span part="badge-label">${label}</span></span>`)}
    </span>`;
  }

  private renderParticipant(p: Participant, ownId: string | undefined) {
    const s = this.resolvedStrings;
    const self = p.user_id === ownId;
    const parts = [
      'participant',
      self ? 'self' : '',
      p.is_away ? 'away' : '',
      p.is_hand_raised ? 'hand-raised' : '',
      p.connection_lost ? 'connection-lost' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const avatar = this.avatarUrl(p.avatar_url);
    return html`<li part=${parts}>
      ${
        avatar
          ? html`<img part="avatar" src=${avatar} alt="" loading="lazy" referrerpolicy="no-referrer" />`
          : html`<span part="avatar initials" aria-hidden="true">${initials(p.display_name)}</span>`
      }
      <span part="name">${p.display_name}${self ? html` <span class="you">${s.participantsYou}</span>` : nothing}</span>
      ${this.renderBadges(p)}
    </li>`;
  }

  private renderControls() {
    const s = this.resolvedStrings;
    const toggles: [keyof OwnState, Badge, string][] = [
      ['isMuted', 'muted', s.participantsMute],
      ['isVideoOn', 'video', s.participantsVideo],
      ['isScreenSharing', 'screen', s.participantsShareScreen],
      ['isHandRaised', 'hand', s.participantsRaiseHand],
      ['away', 'away', s.participantsSetAway],
    ];
    const own = this.ownState;
    return html`<div part="controls" role="toolbar" aria-label=${s.participantsControls}>
      ${toggles.map(
        ([key, badge, label]) =>
          html`<button
            type="button"
            part="toggle ${badge}${own[key] ? ' pressed' : ''}"
            aria-pressed=${own[key] ? 'true' : 'false'}
            ?disabled=${this.live.status !== 'joined'}
            @click=${() => this.onToggle(key)}
          >
            ${icon(badge)}<span>${label}</span>
          </button>`,
      )}
    </div>`;
  }

  override render() {
    const s = this.resolvedStrings;
    const ownId = this.session.identity?.userId;
    const all = this.participantList;
    const limit = Math.max(1, Math.floor(this.maxVisible) || 1);
    const overflowing = all.length > limit;
    const visible = overflowing && !this.expanded ? all.slice(0, limit) : all;
    const hidden = all.length - visible.length;
    const message = this.statusMessage();
    return html`
      <div part="base">
        <div part="header">
          <span part="count">${s.participantsCount(all.length)}</span>
          ${
            overflowing && this.expanded
              ? html`<button type="button" part="overflow" aria-expanded="true" @click=${() => (this.expanded = false)}>
                  ${s.participantsShowFewer}
                </button>`
              : nothing
          }
        </div>
        ${message ? html`<p part="message">${message}</p>` : nothing}
        <ul part="list" aria-label=${s.participantsLabel} ?hidden=${all.length === 0}>
          ${repeat(
            visible,
            (p) => p.user_id,
            (p) => this.renderParticipant(p, ownId),
          )}
          ${
            hidden > 0
              ? html`<li part="participant more">
                  <button
                    type="button"
                    part="overflow"
                    aria-expanded="false"
                    aria-label=${s.participantsMoreLabel(hidden)}
                    @click=${() => (this.expanded = true)}
                  >
                    ${s.participantsMore(hidden)}
                  </button>
                </li>`
              : nothing
          }
        </ul>
        ${this.controls ? this.renderControls() : nothing}
        <div class="visually-hidden" role="status">${this.announcer.announcement}</div>
      </div>
    `;
  }
}

/**
 * Registers the element under `tag` (default `meeting-participants`) unless that tag is taken.
 * A second tag gets a subclass, since one class can only be defined once.
 */
export function defineMeetingParticipants(tag = 'meeting-participants'): void {
  defineElement(tag, MeetingParticipants);
}

declare global {
  interface HTMLElementTagNameMap {
    'meeting-participants': MeetingParticipants;
  }
}
