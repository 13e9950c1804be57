import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { BroadcastMessage, PresenceEvent } from '../../connection/channels.js';
import {
  dropped,
  meetingChangeSchema,
  meetingSchema,
  parseList,
  parsePayload,
  profileSchema,
  type Meeting,
} from '../../connection/schemas.js';
import type { Identity } from '../../connection/session.js';
import { uuid } from '../../connection/ids.js';
import { meetingPresenceTopic, meetingTopic } from '../../connection/topics.js';
import { INSUFFICIENT_PRIVILEGE, TopicEvent, isRateLimited } from '../../connection/wire.js';
import type { ChannelStatus } from '../../connection/channels.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { PasabayErrorEvent, reported } from '../../events/pasabay-error.js';
import { PasabayParticipantJoinEvent } from '../../events/pasabay-participant-join.js';
import { PasabayParticipantLeaveEvent } from '../../events/pasabay-participant-leave.js';
import { PasabayPresenceChangeEvent } from '../../events/pasabay-presence-change.js';
import { PasabayConnectionQualityEvent } from '../../events/pasabay-connection-quality.js';
import { PasabayHandLowerEvent } from '../../events/pasabay-hand-lower.js';
import { PasabayMeetingStatusEvent } from '../../events/pasabay-meeting-status.js';
import { PasabayParticipantRemoveEvent } from '../../events/pasabay-participant-remove.js';
import { classifyQuality, watchHeartbeats, type HeartbeatOutcome } from './connection-quality.js';
import { rosterChangeSchema, rosterRowSchema, type ConnectionQuality } from './participant-schema.js';
import { MeetingRoster, isJoined, trackDelay, type OwnState, type Participant, type RosterRow } from './roster.js';

/** The order a meeting's status only ever moves in (the database refuses the way back). */
const STATUS_RANK: Record<Meeting['status'], number> = { scheduled: 0, live: 1, ended: 2 };

/** What the host may do to the meeting (each an RPC that checks the caller is the host). */
export type HostAction =
  | { rpc: 'start_meeting' }
  | { rpc: 'end_meeting' }
  | { rpc: 'lower_hand'; userId: string }
  | { rpc: 'remove_participant'; userId: string };

/**
 * Profile requests of a join wave: the first goes at once, the second PROFILE_BATCH_MS after it,
 * and each further one waits twice as long as the one before, up to PROFILE_BATCH_MAX_MS, until
 * no request was made for PROFILE_QUIET_MS. A long wave (joins come in bursts, with pauses
 * between) so makes a handful of requests, each a REST round trip and a list change with its
 * render, instead of one or two per burst; a name still shows within about a second.
 */
const PROFILE_BATCH_MS = 150;
const PROFILE_BATCH_MAX_MS = 1000;
const PROFILE_QUIET_MS = 2000;

/**
 * Changes made by others (their broadcasts, presence, a join wave's profiles) reach the list, its
 * events and one render at most this long after the first of them: see #requestList.
 */
const LIST_FLUSH_MS = 32;

/** How long a participant recorded as joined may stay without presence before showing "connection lost". */
const PRESENCE_GRACE_MS = 15_000;

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

/** The element's inputs the controller reads. */
export interface MeetingHost extends ReactiveControllerHost, HTMLElement {
  meetingId: string;
  /** The current user's own state as the element's properties hold it. */
  readonly ownState: OwnState;
}

export interface MeetingControllerOptions {
  /** The element's client; `undefined` while it has none. */
  client: () => SupabaseClient | undefined;
  /** The signed-in user; channels are joined only while there is one. */
  identity: () => Identity | undefined;
  /** The name shown for a participant whose profile is hidden or missing. */
  fallbackName: () => string;
  /** Where joins and leaves of others are announced (the element's status region). */
  announcer: { noteJoin(name: string): void; noteLeave(name: string): void; noteNotice(sentence: string): void };
  /** The database refused one's own state: put the properties back to what is recorded. */
  onRecordRefused(recorded: OwnState): void;
  /** A heartbeat round trip at or above this many milliseconds counts as a poor connection. */
  poorRoundTripMs: () => number;
  /** Sentences announced on changes made by others (host lowered one's hand, status, removal). */
  notices: () => { handLowered: string; live: string; ended: string; removed: string };
}

/**
 * The meeting behind `<meeting-participants>`: joins the meeting when its channel joins (RPC
 * `join_meeting`) and leaves it when the element goes or the meeting changes (`leave_meeting`,
 * unless another tab of the user is still there), loads the roster and profiles (REST) and keeps
 * them current from the database's broadcasts, tracks one's presence (throttled) on the presence
 * topic, records one's own state (`update_meeting_state`), and diffs each new list against the
 * baseline to fire join / leave / presence events. The element renders from the getters.
 *
 * Added to the host before its two channels, so `hostDisconnected` still sees the presence state
 * (how many tabs of the user remain) before the channels are released.
 */
export class MeetingController implements ReactiveController {
  readonly #host: MeetingHost;
  readonly #options: MeetingControllerOptions;
  // `meeting:<id>`: participant and meeting rows, broadcast by the database only.
  readonly #live: ChannelController;
  // `meeting:<id>:presence`: who is connected, keyed by user id. Nothing else is read from it.
  readonly #presence: ChannelController;
  readonly #roster = new MeetingRoster();
  #participants: readonly Participant[] = [];
  #notAllowed = false;
  /** Whether the list holds the state of the current join (joins/leaves are diffed after that). */
  #baselined = false;
  #joinedMeetingId: string | undefined;
  /** Bumped when the meeting changes or the element leaves: answers to older requests are dropped. */
  #epoch = 0;
  #trackTimes: number[] = [];
  #trackTimer: ReturnType<typeof setTimeout> | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The pending list flush of a burst of changes by others (see #requestList). */
  #listTimer: ReturnType<typeof setTimeout> | undefined;
  #presenceJoinedAt: number | undefined;
  /** Whether presence keys were read in full since the presence channel (re)joined; then joins and leaves keep them. */
  #presenceSynced = false;
  /** The profile requests in flight (one at a time: ids that turn up meanwhile go in the next). */
  #profilesLoading: { epoch: number; done: Promise<void> } | undefined;
  #profilesWanted = false;
  /** When the last profile request started, and how long the next one waits after it (see PROFILE_BATCH_MS). */
  #profilesRequestedAt = -Infinity;
  #profileGap = 0;
  /** Own-state writes in flight; while any is, one's own entry shows the properties (optimistic). */
  #recording = 0;
  /** This element's presence entry among the user's tabs (see hostDisconnected). */
  readonly #tabId = uuid();
  /** The last RPC that records one's own state. */
  #pendingRecord: Promise<void> = Promise.resolve();
  /** The meeting's row as recorded (REST, then the `meeting` broadcast). */
  #meeting: Meeting | undefined;
  /** The host removed the current user: the channels are released and nothing is shown. */
  #removed = false;
  /** Whether one's own row was seen since joining: its absence later means one was removed. */
  #ownRowSeen = false;
  /** One's own connection quality as last reported (or being reported). */
  #quality: ConnectionQuality | undefined;
  /** When the meeting channel last rejoined after a drop, or a heartbeat failed. */
  #lastTroubleAt: number | undefined;
  #stopHeartbeats: (() => void) | undefined;

  constructor(host: MeetingHost, options: MeetingControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    const client = () => (options.identity() ? options.client() : undefined);
    this.#live = new ChannelController(host, {
      client,
      // A removed participant leaves the channel (its join would be refused from now on anyway).
      topic: () => (host.meetingId && !this.#removed ? meetingTopic(host.meetingId) : undefined),
      onBroadcast: (message) => this.#onBroadcast(message),
      onJoined: (first) => this.#onJoined(first),
    });
    this.#presence = new ChannelController(host, {
      client,
      // Tracking stops once the meeting ended or one was removed.
      topic: () =>
        host.meetingId && !this.#removed && this.#meeting?.status !== 'ended'
          ? meetingPresenceTopic(host.meetingId)
          : undefined,
      presenceKey: () => options.identity()?.userId,
      onPresence: (event) => this.#onPresence(event),
      onJoined: () => this.#onPresenceJoined(),
      onStatusChange: (status) => {
        if (status !== 'joined') this.#onPresenceLost();
      },
    });
  }

  /** Everyone in the meeting, one entry per user: raised hands first (in the order raised), then the current user. */
  get participants(): readonly Participant[] {
    return this.#participants;
  }

  /** The meeting channel's status. */
  get status(): ChannelStatus {
    return this.#live.status;
  }

  /** Why the meeting channel failed, if it did. */
  get error(): Error | undefined {
    return this.#live.error;
  }

  /** `join_meeting` was refused: the user is not invited. */
  get notAllowed(): boolean {
    return this.#notAllowed;
  }

  /** The meeting's recorded status; `undefined` until loaded. */
  get meetingStatus(): Meeting['status'] | undefined {
    return this.#meeting?.status;
  }

  /** The signed-in user hosts the meeting, as the database recorded it (its RPCs check again). */
  get isHost(): boolean {
    const ownId = this.#options.identity()?.userId;
    return ownId !== undefined && this.#meeting?.host_id === ownId;
  }

  /** The host removed the current user from the meeting. */
  get removed(): boolean {
    return this.#removed;
  }

  /** One's own connection quality as last measured here; `undefined` before the first heartbeat. */
  get ownQuality(): ConnectionQuality | undefined {
    return this.#quality;
  }

  /** Settles when the last write of one's own state has been answered. */
  get pendingRecord(): Promise<void> {
    return this.#pendingRecord;
  }

  /** The presence topic's state: the connected tabs of each user, keyed by user id. */
  presenceState(): ReturnType<ChannelController['presenceState']> {
    return this.#presence.presenceState();
  }

  hostDisconnected(): void {
    // Another tab of the same user still in the meeting keeps them in it. This tab's own entry
    // may not have come back yet, so tabs are told apart by the id each one tracks.
    const ownId = this.#options.identity()?.userId;
    const otherTabs = ownId ? (this.presenceState()[ownId] ?? []).filter((entry) => entry['tab'] !== this.#tabId) : [];
    clearTimeout(this.#trackTimer);
    this.#trackTimer = undefined;
    this.#resetRoster();
    // Removing the element leaves the meeting (records left_at); re-appending joins again.
    if (otherTabs.length === 0) this.#leave();
    this.#forgetMeeting();
  }

  /** The element's `meeting-id` changed: leave the old meeting and forget its roster. */
  meetingChanged(): void {
    this.#resetRoster();
    this.#setNotAllowed(false);
    this.#leave();
    this.#forgetMeeting();
  }

  /**
   * Runs a host action. The database decides: a caller who is not the host gets its refusal as
   * `pasabay-error` (code `request`, with the database's message). Resolves whether it was done.
   */
  async hostAction(action: HostAction): Promise<boolean> {
    const client = this.#options.client();
    const meetingId = this.#host.meetingId;
    if (!client || !meetingId || !this.#options.identity()) {
      this.#reportRequestError(`rpc ${action.rpc}`, 'not signed in to a meeting', undefined);
      return false;
    }
    const epoch = this.#epoch;
    const requestedAt = this.#roster.clock;
    const args = 'userId' in action ? { meeting_id: meetingId, user_id: action.userId } : { meeting_id: meetingId };
    const answer = await this.#rpc(client, action.rpc, args);
    if (answer === undefined) return false;
    if (epoch !== this.#epoch) return true;
    const source = `rpc ${action.rpc}`;
    if (action.rpc === 'start_meeting' || action.rpc === 'end_meeting') {
      const meeting = reported(this.#host, parsePayload(meetingSchema, answer, source));
      if (meeting?.id === meetingId) this.#applyMeeting(meeting);
    } else if (action.rpc === 'lower_hand') {
      const row = reported(this.#host, parsePayload(rosterRowSchema, answer, source));
      if (row?.meeting_id === meetingId && this.#roster.applyRow(row, requestedAt)) this.#refreshList();
    }
    return true;
  }

  #forgetMeeting() {
    this.#stopQuality();
    this.#meeting = undefined;
    this.#removed = false;
    this.#ownRowSeen = false;
  }

  /** The meeting's row, from REST or a broadcast: status only moves forward, as in the database. */
  #applyMeeting(meeting: Meeting) {
    const previous = this.#meeting?.status;
    if (previous && STATUS_RANK[meeting.status] < STATUS_RANK[previous]) return;
    this.#meeting = meeting;
    this.#host.requestUpdate();
    if (previous === meeting.status) return;
    if (meeting.status === 'ended') {
      this.#stopQuality();
      clearTimeout(this.#trackTimer);
      this.#trackTimer = undefined;
    }
    this.#host.dispatchEvent(
      new PasabayMeetingStatusEvent({ meetingId: meeting.id, status: meeting.status, previous }),
    );
    if (previous !== undefined && meeting.status !== 'scheduled') {
      const notices = this.#options.notices();
      this.#options.announcer.noteNotice(meeting.status === 'live' ? notices.live : notices.ended);
    }
  }

  /** One's own row was deleted (by the host): leave the channels, forget the roster, say so. */
  #onRemoved() {
    if (this.#removed) return;
    const ownId = this.#options.identity()?.userId;
    this.#removed = true;
    this.#joinedMeetingId = undefined;
    this.#stopQuality();
    clearTimeout(this.#trackTimer);
    this.#trackTimer = undefined;
    this.#resetRoster();
    this.#host.requestUpdate();
    if (ownId) {
      this.#host.dispatchEvent(
        new PasabayParticipantRemoveEvent({ meetingId: this.#host.meetingId, userId: ownId, self: true }),
      );
    }
    this.#options.announcer.noteNotice(this.#options.notices().removed);
  }

  #startQuality(client: SupabaseClient) {
    this.#stopQuality();
    this.#stopHeartbeats = watchHeartbeats(client, (outcome) => this.#onHeartbeat(outcome));
  }

  #stopQuality() {
    this.#stopHeartbeats?.();
    this.#stopHeartbeats = undefined;
    this.#quality = undefined;
    this.#lastTroubleAt = undefined;
  }

  #onHeartbeat(outcome: HeartbeatOutcome) {
    if (!this.#joinedMeetingId || this.#removed || this.#meeting?.status === 'ended') return;
    const now = Date.now();
    if (outcome.status !== 'ok') this.#lastTroubleAt = now;
    const quality = classifyQuality(outcome, now, this.#lastTroubleAt, this.#options.poorRoundTripMs());
    this.#setQuality(quality, outcome.status === 'ok' ? outcome.latency : undefined);
  }

  /** Records a new quality (a self-report: only this browser can measure it). */
  #setQuality(quality: ConnectionQuality, roundTripMs: number | undefined) {
    const client = this.#options.client();
    const meetingId = this.#joinedMeetingId;
    if (quality === this.#quality || !client || !meetingId) return;
    this.#quality = quality;
    this.#host.dispatchEvent(new PasabayConnectionQualityEvent({ meetingId, quality, roundTripMs }));
    const epoch = this.#epoch;
    const requestedAt = this.#roster.clock;
    void this.#rpc(client, 'report_connection_quality', { meeting_id: meetingId, quality }).then((answer) => {
      if (epoch !== this.#epoch) return;
      // Not recorded: the next heartbeat tries again.
      if (answer === undefined) {
        if (this.#quality === quality) this.#quality = undefined;
        return;
      }
      const row = reported(this.#host, parsePayload(rosterRowSchema, answer, 'rpc report_connection_quality'));
      if (row?.meeting_id === meetingId && this.#roster.applyRow(row, requestedAt)) this.#refreshList();
    });
  }

  /** The element's own-state properties changed: record them unless they are what is recorded. */
  ownStateChanged(): void {
    if (this.#ownDiffersFromRecord()) this.#pendingRecord = this.#recordOwnState();
  }

  #leave() {
    const client = this.#options.client();
    const meetingId = this.#joinedMeetingId;
    this.#joinedMeetingId = undefined;
    if (client && meetingId && !this.#removed)
      void inOrder(client, () => this.#rpc(client, 'leave_meeting', { meeting_id: meetingId }));
  }

  #setNotAllowed(notAllowed: boolean) {
    if (this.#notAllowed === notAllowed) return;
    this.#notAllowed = notAllowed;
    this.#host.requestUpdate();
  }

  #resetRoster() {
    this.#epoch++;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#cancelListFlush();
    this.#presenceJoinedAt = undefined;
    this.#presenceSynced = false;
    this.#roster.clear();
    this.#baselined = false;
    if (this.#participants.length === 0) return;
    this.#participants = [];
    this.#host.requestUpdate();
  }

  /** The own row as recorded differs from the properties (or is not known yet). */
  #ownDiffersFromRecord(): boolean {
    const own = this.#host.ownState;
    const ownId = this.#options.identity()?.userId;
    const row = ownId ? this.#roster.row(ownId) : undefined;
    if (!row) return true;
    return (
      row.is_muted !== own.isMuted ||
      row.is_video_on !== own.isVideoOn ||
      row.is_screen_sharing !== own.isScreenSharing ||
      row.is_hand_raised !== own.isHandRaised ||
      row.is_away !== own.away
    );
  }

  /** The meeting channel (re)joined: join the meeting the first time, then load the roster. */
  #onJoined(firstOfLease: boolean) {
    this.#setNotAllowed(false);
    const client = this.#options.client();
    const meetingId = this.#host.meetingId;
    if (!client || !meetingId) return;
    const firstJoin = this.#joinedMeetingId !== meetingId;
    if (firstJoin) {
      this.#joinedMeetingId = meetingId;
      const joining = this.#joinMeeting(client, meetingId);
      this.#pendingRecord = joining;
      void joining.then(() => this.#loadRoster(client, meetingId));
      this.#startQuality(client);
    } else {
      // A reconnect: anything may have changed meanwhile, and the connection is not good now.
      if (!firstOfLease) {
        this.#lastTroubleAt = Date.now();
        this.#setQuality('poor', undefined);
      }
      void this.#loadRoster(client, meetingId);
    }
  }

  async #joinMeeting(client: SupabaseClient, meetingId: string) {
    const epoch = this.#epoch;
    const requestedAt = this.#roster.clock;
    const row = await inOrder(client, () => this.#rpc(client, 'join_meeting', { meeting_id: meetingId }));
    if (row === undefined || epoch !== this.#epoch) return;
    const parsed = reported(this.#host, parsePayload(rosterRowSchema, row, 'rpc join_meeting'));
    if (!parsed || parsed.meeting_id !== meetingId) return;
    this.#roster.applyRow(parsed, requestedAt);
    this.#ownRowSeen = true;
    // The state the host app set on the element wins over what was recorded before.
    if (this.#ownDiffersFromRecord()) await this.#recordOwnState();
  }

  /**
   * Loads who is in the meeting and their recorded state (REST), with their profiles, so a
   * (re)joining user sees everyone's state at once.
   */
  async #loadRoster(client: SupabaseClient, meetingId: string) {
    const epoch = this.#epoch;
    const requestedAt = this.#roster.clock;
    let rows: RosterRow[];
    void this.#loadMeeting(client, meetingId, epoch);
    try {
      const { data, error } = await client.from('meeting_participants').select('*').eq('meeting_id', meetingId);
      if (epoch !== this.#epoch) return;
      if (error) {
        this.#reportRequestError('meeting_participants', error.message, error);
        return;
      }
      rows = reported(this.#host, parseList(rosterRowSchema, data, 'meeting_participants')).filter(
        (row) => row.meeting_id === meetingId,
      );
    } catch (error) {
      this.#reportRequestError('meeting_participants', String(error), error);
      return;
    }
    const ownId = this.#options.identity()?.userId;
    // Joined before, and now no row (a broadcast missed while disconnected): removed.
    if (this.#ownRowSeen && ownId && !rows.some((row) => row.user_id === ownId)) {
      this.#onRemoved();
      return;
    }
    const ownBefore = ownId ? this.#roster.row(ownId) : undefined;
    this.#roster.load(rows, requestedAt);
    const ownAfter = ownId ? this.#roster.row(ownId) : undefined;
    // A change to one's own row made while this client was away (the host lowered one's hand) is
    // followed as its broadcast would have been: the broadcast itself is gone for good.
    if (ownBefore && ownAfter) this.#followOwnRow(ownBefore, ownAfter);
    await this.#loadProfiles(client, epoch);
    if (epoch !== this.#epoch) return;
    this.#refreshList();
  }

  /** Loads the meeting's row (status, host); a broadcast that came meanwhile is never undone. */
  async #loadMeeting(client: SupabaseClient, meetingId: string, epoch: number) {
    try {
      const { data, error } = await client
        .from('meetings')
        .select('id, title, host_id, status, scheduled_for, started_at, ended_at')
        .eq('id', meetingId);
      if (epoch !== this.#epoch) return;
      if (error) {
        this.#reportRequestError('meetings', error.message, error);
        return;
      }
      const meeting = reported(this.#host, parseList(meetingSchema, data, 'meetings')).find((m) => m.id === meetingId);
      if (meeting) this.#applyMeeting(meeting);
    } catch (error) {
      this.#reportRequestError('meetings', String(error), error);
    }
  }

  /**
   * Fetches the profiles of joined participants not known yet. One request at a time: ids that
   * turn up while one is on its way go in the next, so a join wave makes a few requests, not one
   * per participant. Settles when no profile is missing (or a request failed).
   */
  #loadProfiles(client: SupabaseClient, epoch: number): Promise<void> {
    this.#profilesWanted = true;
    if (this.#profilesLoading?.epoch !== epoch) {
      const done = this.#drainProfiles(client, epoch).finally(() => {
        if (this.#profilesLoading?.done === done) this.#profilesLoading = undefined;
      });
      this.#profilesLoading = { epoch, done };
    }
    return this.#profilesLoading.done;
  }

  async #drainProfiles(client: SupabaseClient, epoch: number) {
    while (this.#profilesWanted && epoch === this.#epoch) {
      // The first request goes at once; during a join wave the next ones wait longer and longer,
      // so each takes the ids of many joins (a wave makes a handful of requests, not one per answer).
      if (Date.now() - this.#profilesRequestedAt >= PROFILE_QUIET_MS) this.#profileGap = 0;
      const wait = this.#profilesRequestedAt + this.#profileGap - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (epoch !== this.#epoch) return;
      }
      this.#profileGap = Math.min(Math.max(PROFILE_BATCH_MS, this.#profileGap * 2), PROFILE_BATCH_MAX_MS);
      this.#profilesRequestedAt = Date.now();
      this.#profilesWanted = false;
      const missing = this.#roster.missingProfiles();
      if (missing.length === 0) return;
      try {
        const { data, error } = await client.from('profiles').select('id, display_name, avatar_url').in('id', missing);
        if (epoch !== this.#epoch) return;
        if (error) {
          this.#reportRequestError('profiles', error.message, error);
          return;
        }
        this.#roster.addProfiles(reported(this.#host, parseList(profileSchema, data, 'profiles')), missing);
      } catch (error) {
        this.#reportRequestError('profiles', String(error), error);
        return;
      }
      // Show who came with this answer before asking for those who joined meanwhile.
      if (this.#profilesWanted) this.#requestList();
    }
  }

  #reportRequestError(source: string, message: string, cause: unknown) {
    this.#host.dispatchEvent(
      new PasabayErrorEvent({ code: 'request', message: `${source}: ${message}`, source, cause }),
    );
  }

  async #recordOwnState() {
    const client = this.#options.client();
    const meetingId = this.#joinedMeetingId;
    if (!client || !meetingId) return;
    const own = this.#host.ownState;
    const epoch = this.#epoch;
    const requestedAt = this.#roster.clock;
    this.#recording++;
    this.#refreshList();
    try {
      const row = await this.#rpc(client, 'update_meeting_state', {
        meeting_id: meetingId,
        is_muted: own.isMuted,
        is_video_on: own.isVideoOn,
        is_screen_sharing: own.isScreenSharing,
        is_hand_raised: own.isHandRaised,
        is_away: own.away,
      });
      if (epoch !== this.#epoch) return;
      const parsed =
        row === undefined
          ? undefined
          : reported(this.#host, parsePayload(rosterRowSchema, row, 'rpc update_meeting_state'));
      if (parsed && parsed.meeting_id === meetingId) this.#roster.applyRow(parsed, requestedAt);
      else if (this.#recording === 1) this.#revertOwnState();
    } finally {
      this.#recording--;
      if (epoch === this.#epoch) this.#refreshList();
    }
  }

  /** Puts the properties back to the recorded state (after the database refused a change). */
  #revertOwnState() {
    const ownId = this.#options.identity()?.userId;
    const row = ownId ? this.#roster.row(ownId) : undefined;
    if (!row) return;
    this.#options.onRecordRefused({
      isMuted: row.is_muted,
      isVideoOn: row.is_video_on,
      isScreenSharing: row.is_screen_sharing,
      isHandRaised: row.is_hand_raised,
      away: row.is_away,
    });
  }

  /** Calls an RPC; a failure is reported as `pasabay-error` and resolves `undefined`. */
  async #rpc(client: SupabaseClient, name: string, args: Record<string, unknown>): Promise<unknown> {
    const { data, error, status } = await client.rpc(name, args);
    if (!error) return data ?? null;
    if (error.code === INSUFFICIENT_PRIVILEGE && name === 'join_meeting') this.#setNotAllowed(true);
    this.#host.dispatchEvent(
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
  #onBroadcast(message: BroadcastMessage) {
    const meetingId = this.#host.meetingId;
    const source = `${this.#live.topic ?? 'meeting'} ${message.event}`;
    if (message.event === TopicEvent.participant) {
      const change = reported(this.#host, parsePayload(rosterChangeSchema, message.payload, source));
      if (!change) return;
      const row = change.operation === 'DELETE' ? change.old_record : change.record;
      if (row.meeting_id !== meetingId) {
        reported(this.#host, dropped('a participant of another meeting', message.payload, source));
        return;
      }
      const ownId = this.#options.identity()?.userId;
      if (change.operation === 'DELETE') {
        // Only the host (or deleting the meeting) deletes a row: leaving keeps it.
        if (row.user_id === ownId) {
          this.#onRemoved();
          return;
        }
        this.#roster.removeRow(row.user_id);
        this.#host.dispatchEvent(new PasabayParticipantRemoveEvent({ meetingId, userId: row.user_id, self: false }));
      } else {
        const before = this.#roster.row(row.user_id);
        this.#roster.applyRow(row);
        if (row.user_id === ownId) this.#followOwnRow(before, row);
      }
      // Someone else's change joins the burst's flush (an entry waits only for its own profile, not
      // for others' in a join wave); a removal and one's own row (the host lowered one's hand) show at once.
      if (change.operation === 'DELETE' || row.user_id === ownId) this.#refreshList();
      else this.#requestList();
      const client = this.#options.client();
      const epoch = this.#epoch;
      if (client && isJoined(row) && this.#roster.profilesMissing)
        void this.#loadProfiles(client, epoch).then(() => epoch === this.#epoch && this.#requestList());
    } else if (message.event === TopicEvent.meeting) {
      const change = reported(this.#host, parsePayload(meetingChangeSchema, message.payload, source));
      if (!change) return;
      const row = change.operation === 'DELETE' ? change.old_record : change.record;
      if (row.id !== meetingId) reported(this.#host, dropped('another meeting', message.payload, source));
      // A deleted meeting takes its participant rows with it (their DELETEs say "removed").
      else if (change.operation !== 'DELETE') this.#applyMeeting(row);
    } else if (message.event === 'live_reaction') {
      // <meeting-reactions>' events (send_meeting_reaction) share this topic; not the roster's.
    } else {
      reported(this.#host, dropped(`unknown event "${message.event}"`, message.payload, source));
    }
  }

  /**
   * One's own row changed by someone else's hand (its broadcast, or the re-read after a reconnect):
   * the host lowered one's hand. The property follows the record (the app hears
   * `pasabay-hand-lower`), unless one's own write is on its way.
   */
  #followOwnRow(before: RosterRow | undefined, row: RosterRow) {
    this.#ownRowSeen = true;
    const own = this.#host.ownState;
    if (this.#recording > 0 || !own.isHandRaised || row.is_hand_raised || !before?.is_hand_raised) return;
    this.#options.onRecordRefused({ ...own, isHandRaised: false });
    this.#host.dispatchEvent(new PasabayHandLowerEvent({ meetingId: row.meeting_id, userId: row.user_id }));
    this.#options.announcer.noteNotice(this.#options.notices().handLowered);
  }

  /** The presence channel (re)joined: track once (a small claim: the key is what counts). */
  #onPresenceJoined() {
    this.#roster.resetPresence();
    this.#presenceSynced = false;
    this.#presenceJoinedAt = Date.now();
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = undefined;
      this.#refreshList();
    }, PRESENCE_GRACE_MS);
    this.#scheduleTrack();
  }

  #onPresenceLost() {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    clearTimeout(this.#trackTimer);
    this.#trackTimer = undefined;
    this.#presenceJoinedAt = undefined;
    this.#roster.resetPresence();
    this.#presenceSynced = false;
    this.#refreshList();
  }

  /** Tracks one's own presence, no more often than Realtime allows. */
  #scheduleTrack() {
    if (this.#trackTimer !== undefined || this.#presence.status !== 'joined') return;
    const delay = trackDelay(this.#trackTimes, Date.now());
    const track = () => {
      this.#trackTimer = undefined;
      if (!this.#options.identity() || this.#presence.status !== 'joined') return;
      this.#trackTimes = [...this.#trackTimes.slice(-8), Date.now()];
      void this.#presence.track({ online_at: new Date().toISOString(), tab: this.#tabId });
    };
    if (delay === 0) track();
    else this.#trackTimer = setTimeout(track, delay);
  }

  /**
   * Only the keys: a presence payload is a claim anyone could make, so nothing of it is shown.
   * Joins and leaves name their key, so each is one step; the full state (which realtime-js copies
   * whole on every read) is read once per (re)join of the presence channel, at its first sync.
   */
  #onPresence(event: PresenceEvent) {
    if (event.event === 'join') {
      if (!this.#presenceSynced) return;
      this.#roster.presenceJoined(event.key);
    } else if (event.event === 'leave') {
      if (!this.#presenceSynced) return;
      if (event.currentPresences.length === 0) this.#roster.presenceLeft(event.key);
    } else {
      if (this.#presenceSynced) return;
      this.#presenceSynced = true;
      this.#roster.notePresence(Object.keys(this.#presence.presenceState()));
    }
    this.#requestList();
  }

  /**
   * A change made by others: the list follows within LIST_FLUSH_MS, together with whatever else
   * arrives meanwhile. Each Realtime message is a task of its own, so Lit's microtask batching
   * never merges a wave's messages; without this, a wave of n joins made n roster updates, n
   * renders and n `pasabay-presence-change` events. A timer rather than requestAnimationFrame:
   * rAF does not run in a hidden tab, whose list and events would stop until it is shown again,
   * while a hidden tab's timers are only slowed (to about once a second). 32 ms is two frames
   * at 60 Hz: not noticeable to a person, long enough to merge a wave's messages.
   */
  #requestList() {
    // Nothing shown can change (a presence key or row still waiting for its profile): no flush.
    if (this.#listTimer !== undefined || !this.#roster.pending) return;
    this.#listTimer = setTimeout(() => {
      this.#listTimer = undefined;
      this.#refreshList();
    }, LIST_FLUSH_MS);
  }

  #cancelListFlush() {
    clearTimeout(this.#listTimer);
    this.#listTimer = undefined;
  }

  /**
   * Brings the list up to date now (and with it any change still waiting for its flush): fires
   * join / leave events for who came or went since the last list, one `pasabay-presence-change`
   * with the new list, and requests one render.
   */
  #refreshList() {
    this.#cancelListFlush();
    const own = this.#host.ownState;
    const ownId = this.#options.identity()?.userId;
    const presenceJoined = this.#presence.status === 'joined' && this.#presenceJoinedAt !== undefined;
    const update = this.#roster.update({
      ownId,
      fallbackName: this.#options.fallbackName(),
      presenceJoined,
      graceOver: presenceJoined && Date.now() - this.#presenceJoinedAt! >= PRESENCE_GRACE_MS,
      // Optimistic: while one's own change is on its way, show it; the database's answer wins after.
      ownOverride:
        this.#recording > 0
          ? {
              is_muted: own.isMuted,
              is_video_on: own.isVideoOn,
              is_screen_sharing: own.isScreenSharing,
              is_hand_raised: own.isHandRaised,
              is_away: own.away,
            }
          : undefined,
    });
    if (!update) return;
    const { list, joined, left } = update;
    if (this.#baselined) {
      for (const participant of joined) {
        if (participant.user_id === ownId) continue;
        this.#host.dispatchEvent(new PasabayParticipantJoinEvent({ meetingId: this.#host.meetingId, participant }));
        this.#options.announcer.noteJoin(participant.display_name);
      }
      for (const participant of left) {
        if (participant.user_id === ownId) continue;
        this.#host.dispatchEvent(new PasabayParticipantLeaveEvent({ meetingId: this.#host.meetingId, participant }));
        this.#options.announcer.noteLeave(participant.display_name);
      }
    }
    // The first list that holds one's own entry is the baseline: who was already there did not "join".
    if (ownId && !this.#baselined && list.some((p) => p.user_id === ownId)) this.#baselined = true;
    this.#participants = list;
    this.#host.requestUpdate();
    this.#host.dispatchEvent(new PasabayPresenceChangeEvent({ meetingId: this.#host.meetingId, participants: list }));
  }
}
