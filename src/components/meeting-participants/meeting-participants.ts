import { LitElement, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { configuration } from '../../connection/client.js';
import type { PresenceEvent } from '../../connection/channels.js';
import {
  meetingParticipantSchema,
  meetingPresenceSchema,
  parsePayload,
  participantChangeSchema,
  type MeetingPresence,
} from '../../connection/schemas.js';
import { meetingTopic } from '../../connection/topics.js';
import { ChannelController } from '../../controllers/channel-controller.js';
import { ClientController } from '../../controllers/client-controller.js';
import { SessionController } from '../../controllers/session-controller.js';
import { PasabayErrorEvent } from '../../events/pasabay-error.js';
import { PasabayParticipantJoinEvent } from '../../events/pasabay-participant-join.js';
import { PasabayParticipantLeaveEvent } from '../../events/pasabay-participant-leave.js';
import { PasabayPresenceChangeEvent } from '../../events/pasabay-presence-change.js';
import { participantsStrings, type ParticipantsStrings } from '../../i18n/participants.js';
import { effectiveLang, mergeStrings } from '../../i18n/strings.js';
import { hostStyles } from '../../styles/host.js';
import { AnnouncerController } from './announcer-controller.js';
import { styles } from './meeting-participants.styles.js';
import {
  RecordedStates,
  diffRosters,
  initials,
  rosterFromPresence,
  safeAvatarUrl,
  sortParticipants,
  trackDelay,
  type OwnState,
  type Roster,
} from './roster.js';

export type { OwnState } from './roster.js';

type Badge = 'muted' | 'video' | 'screen' | 'hand' | 'away';

const icons: Record<Badge, TemplateResult> = {
  muted: svg`<path d="M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3Z"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M4 4l16 16"/>`,
  video: svg`<rect x="3" y="6" width="12" height="12" rx="2"/><path d="m15 10 6-3v10l-6-3"/>`,
  screen: svg`<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4M9 10l3-3 3 3M12 7v6"/>`,
  hand: svg`<path d="M8 13V5a1.5 1.5 0 0 1 3 0v6M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V5.5a1.5 1.5 0 0 1 3 0V14a7 7 0 0 1-7 7 6 6 0 0 1-5-3l-2.5-4.5a1.5 1.5 0 0 1 2.6-1.5L8 15"/>`,
  away: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
};

function icon(badge: Badge) {
  return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${icons[badge]}</svg>`;
}

/**
 * @summary Who is in a meeting, live: one entry per user (however many tabs) with name, avatar
 * and muted / camera / screen share / hand raised / away badges, a count, and overflow for large
 * meetings. Sets and records the current user's own state.
 * @tag meeting-participants
 *
 * @csspart base - The wrapper.
 * @csspart header - The row with the count and the expand / collapse button.
 * @csspart count - The participant count.
 * @csspart message - The state message (connecting, not allowed, empty…).
 * @csspart list - The participant list (`<ul>`).
 * @csspart participant - One participant (`<li>`). Extra tokens: `self`, `away`, `hand-raised`.
 * @csspart avatar - The avatar image, or the initials placeholder (extra token `initials`).
 * @csspart name - The participant's name.
 * @csspart badges - The row of state badges.
 * @csspart badge - One state badge. Extra tokens: `muted`, `video`, `screen`, `hand`, `away`.
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
 * @cssstate empty - Joined, and nobody is present.
 * @cssstate not-allowed - The user is not invited to the meeting.
 * @cssstate auth-required - Nobody is signed in.
 * @cssstate error - Configuration, session or channel error.
 *
 * @fires {PasabayPresenceChangeEvent} pasabay-presence-change - Someone joined, left or changed state.
 * @fires {PasabayParticipantJoinEvent} pasabay-participant-join - A user became present.
 * @fires {PasabayParticipantLeaveEvent} pasabay-participant-leave - A user's last tab left.
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The meeting channel joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in and guest mode is off.
 * @fires {PasabayErrorEvent} pasabay-error - Missing configuration, refused channel, failed RPC, or an invalid payload (dropped).
 */
export class MeetingParticipants extends LitElement {
  static override styles = [hostStyles, styles];

  private readonly internals = this.attachInternals();
  private readonly clientSource = new ClientController(this, () => ({
    client: this.client,
    supabaseUrl: this.supabaseUrl,
    supabaseKey: this.supabaseKey,
  }));
  private readonly session = new SessionController(this, {
    client: () => this.clientSource.client,
    guestName: () => this.guestName || configuration()?.guestName,
  });
  private readonly live = new ChannelController(this, {
    client: () => (this.session.identity ? this.clientSource.client : undefined),
    topic: () => (this.meetingId ? meetingTopic(this.meetingId) : undefined),
    presenceKey: () => this.session.identity?.userId,
    onPresence: (event) => this.onPresence(event),
    onBroadcast: (message) => {
      if (message.event === 'participant') this.onParticipantRow(message.payload);
    },
    onJoined: () => this.onJoined(),
  });
  private readonly announcer = new AnnouncerController(this, {
    strings: () => this.resolvedStrings,
    locale: () => this.locale,
  });
  private readonly recorded = new RecordedStates();
  private roster: Roster = new Map();
  /** Whether the roster holds the state of the current join (joins/leaves are diffed after that). */
  private baselined = false;
  private joinedMeetingId: string | undefined;
  private onlineAt = new Date().toISOString();
  private trackTimes: number[] = [];
  private trackTimer: ReturnType<typeof setTimeout> | undefined;
  private resolvedStrings: ParticipantsStrings = participantsStrings;
  private locale = '';
  /** The last RPC that records one's own state; `setState()` waits for it. */
  private pendingRecord: Promise<void> = Promise.resolve();
  /** presence_refs of invalid metas already reported, so each is reported once. */
  private readonly reportedMetas = new Set<string>();

  @state() private participantList: readonly MeetingPresence[] = [];
  @state() private expanded = false;
  @state() private notAllowed = false;

  /** Meeting to show; a new value leaves the old meeting's channel and joins the new one. */
  @property({ attribute: 'meeting-id' }) meetingId = '';
  /** Supabase client of the host app; wins over `supabase-url` / `supabase-key` and `configure()`. */
  @property({ attribute: false }) client?: SupabaseClient;
  /** Supabase project URL, used with `supabase-key` when no `client` is set. */
  @property({ attribute: 'supabase-url' }) supabaseUrl?: string;
  /** Supabase publishable (anon) key, used with `supabase-url`. */
  @property({ attribute: 'supabase-key' }) supabaseKey?: string;
  /** Guest mode: when nobody is signed in, sign in anonymously under this display name. */
  @property({ attribute: 'guest-name' }) guestName?: string;
  /** How many participants show before the rest collapse into "+N more". */
  @property({ type: Number, attribute: 'max-visible' }) maxVisible = 12;
  /** Shows a toolbar of toggles for the current user's own state. */
  @property({ type: Boolean }) controls = false;
  /** The current user is muted. Setting it tracks and records the new state. */
  @property({ type: Boolean }) muted = false;
  /** The current user's camera is on. */
  @property({ type: Boolean, attribute: 'video-on' }) videoOn = false;
  /** The current user is sharing their screen. */
  @property({ type: Boolean, attribute: 'screen-sharing' }) screenSharing = false;
  /** The current user's hand is raised. */
  @property({ type: Boolean, attribute: 'hand-raised' }) handRaised = false;
  /** The current user is away (presence only; not recorded in the database). */
  @property({ type: Boolean }) away = false;
  /** Overrides for any of the element's strings (see `ParticipantsStrings`). */
  @property({ attribute: false }) strings: Partial<ParticipantsStrings> = {};
  /** Pins the colour scheme; otherwise it follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme?: 'light' | 'dark';

  /** Everyone present, one entry per user, the current user first. */
  get participants(): readonly MeetingPresence[] {
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
    super.disconnectedCallback();
    clearTimeout(this.trackTimer);
    this.trackTimer = undefined;
    this.resetRoster();
    const client = this.clientSource.client;
    const meetingId = this.joinedMeetingId;
    this.joinedMeetingId = undefined;
    // Removing the element leaves the meeting (records left_at); re-appending joins again.
    if (client && meetingId) void this.rpc(client, 'leave_meeting', { meeting_id: meetingId });
  }

  /**
   * Changes the current user's own state: updates the properties, tracks the new presence and
   * records it with `update_meeting_state`. Resolves once recorded (rejects if the RPC fails).
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

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('strings')) this.resolvedStrings = mergeStrings(participantsStrings, this.strings);
    this.locale = effectiveLang(this);
    if (changed.has('meetingId') && changed.get('meetingId') !== undefined) {
      this.resetRoster();
      this.notAllowed = false;
      this.expanded = false;
      const client = this.clientSource.client;
      const previous = this.joinedMeetingId;
      this.joinedMeetingId = undefined;
      if (client && previous) void this.rpc(client, 'leave_meeting', { meeting_id: previous });
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const ownKeys = ['muted', 'videoOn', 'screenSharing', 'handRaised', 'away'] as const;
    const changedOwn = ownKeys.filter((key) => changed.has(key) && changed.get(key) !== undefined);
    if (changedOwn.length > 0) {
      this.scheduleTrack();
      const recordable = changedOwn.filter((key) => key !== 'away');
      if (recordable.length > 0) this.pendingRecord = this.recordOwnState();
    }
    const status = this.live.status;
    const states = this.internals.states;
    const toggle = (name: string, on: boolean) => (on ? states.add(name) : states.delete(name));
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
    this.roster = new Map();
    this.recorded.clear();
    this.participantList = [];
    this.baselined = false;
  }

  private onJoined() {
    this.notAllowed = false;
    // Presence restarts with every join: the next sync is a new baseline, and our own state
    // must be tracked again.
    this.baselined = false;
    const client = this.clientSource.client;
    const meetingId = this.meetingId;
    const firstJoin = this.joinedMeetingId !== meetingId;
    if (firstJoin) this.onlineAt = new Date().toISOString();
    this.scheduleTrack();
    if (client && meetingId && firstJoin) {
      this.joinedMeetingId = meetingId;
      this.pendingRecord = this.joinMeeting(client, meetingId);
    }
  }

  private async joinMeeting(client: SupabaseClient, meetingId: string) {
    const row = await this.rpc(client, 'join_meeting', { meeting_id: meetingId });
    if (row === undefined) return;
    const parsed = parsePayload(meetingParticipantSchema, row, { source: 'join_meeting', target: this });
    if (!parsed || meetingId !== this.meetingId) return;
    const own = this.ownState;
    if (
      parsed.is_muted !== own.isMuted ||
      parsed.is_video_on !== own.isVideoOn ||
      parsed.is_screen_sharing !== own.isScreenSharing ||
      parsed.is_hand_raised !== own.isHandRaised
    ) {
      await this.recordOwnState();
    }
  }

  private async recordOwnState() {
    const client = this.clientSource.client;
    const meetingId = this.joinedMeetingId;
    if (!client || !meetingId) return;
    await this.rpc(client, 'update_meeting_state', {
      meeting_id: meetingId,
      is_muted: this.muted,
      is_video_on: this.videoOn,
      is_screen_sharing: this.screenSharing,
      is_hand_raised: this.handRaised,
    });
  }

  /** Calls an RPC; a failure is reported as `pasabay-error` and resolves `undefined`. */
  private async rpc(client: SupabaseClient, name: string, args: Record<string, unknown>): Promise<unknown> {
    const { data, error } = await client.rpc(name, args);
    if (!error) return data ?? null;
    if (error.code === '42501' && name === 'join_meeting') this.notAllowed = true;
    this.dispatchEvent(
      new PasabayErrorEvent({
        code: 'request',
        message: `${name} failed: ${error.message}`,
        source: name,
        cause: error,
      }),
    );
    return undefined;
  }

  /** Tracks one's own presence, no more often than Realtime allows; the latest state wins. */
  private scheduleTrack() {
    if (this.trackTimer !== undefined || this.live.status !== 'joined') return;
    const delay = trackDelay(this.trackTimes, Date.now());
    const track = () => {
      this.trackTimer = undefined;
      const identity = this.session.identity;
      if (!identity || this.live.status !== 'joined') return;
      this.trackTimes = [...this.trackTimes.slice(-8), Date.now()];
      void this.live.track({
        user_id: identity.userId,
        display_name: identity.displayName,
        avatar_url: identity.avatarUrl,
        is_muted: this.muted,
        is_video_on: this.videoOn,
        is_screen_sharing: this.screenSharing,
        is_hand_raised: this.handRaised,
        away: this.away,
        online_at: this.onlineAt,
      } satisfies MeetingPresence);
    };
    if (delay === 0) track();
    else this.trackTimer = setTimeout(track, delay);
  }

  private onPresence(event: PresenceEvent) {
    if (event.event !== 'sync') return;
    const state = this.live.presenceState();
    const next = rosterFromPresence(state, (meta) => {
      const parsed = meetingPresenceSchema.safeParse(meta);
      if (parsed.success) return parsed.data;
      // Report each bad meta once, not on every sync.
      const ref = (meta as { presence_ref?: string } | null)?.presence_ref ?? JSON.stringify(meta);
      if (!this.reportedMetas.has(ref)) {
        this.reportedMetas.add(ref);
        parsePayload(meetingPresenceSchema, meta, { source: `${this.live.topic} presence`, target: this });
      }
      return undefined;
    });
    const previous = this.roster;
    this.roster = next;
    this.recorded.notePresence(next);
    if (this.baselined) {
      const { joined, left } = diffRosters(previous, next);
      const ownId = this.session.identity?.userId;
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
    this.baselined = true;
    this.refreshList();
  }

  private onParticipantRow(payload: unknown) {
    const change = parsePayload(participantChangeSchema, payload, {
      source: `${this.live.topic} participant`,
      target: this,
    });
    if (!change || change.operation === 'DELETE') return;
    this.recorded.noteRow(change.record);
    this.refreshList();
  }

  private refreshList() {
    const list = sortParticipants(this.recorded.apply(this.roster), this.session.identity?.userId);
    const changed =
      list.length !== this.participantList.length ||
      list.some((p, i) => JSON.stringify(p) !== JSON.stringify(this.participantList[i]));
    if (!changed) return;
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

  private renderBadges(p: MeetingPresence) {
    const s = this.resolvedStrings;
    const badges: [Badge, boolean, string][] = [
      ['muted', p.is_muted, s.participantsMuted],
      ['video', p.is_video_on, s.participantsVideoOn],
      ['screen', p.is_screen_sharing, s.participantsScreenSharing],
      ['hand', p.is_hand_raised, s.participantsHandRaised],
      ['away', p.away, s.participantsAway],
    ];
    const shown = badges.filter(([, on]) => on);
    if (shown.length === 0) return nothing;
    return html`<span part="badges">
      ${shown.map(([badge, , label]) => html`<span part="badge ${badge}">${icon(badge)}<span part="badge-label">${label}</span></span>`)}
    </span>`;
  }

  private renderParticipant(p: MeetingPresence, ownId: string | undefined) {
    const s = this.resolvedStrings;
    const self = p.user_id === ownId;
    const parts = ['participant', self ? 'self' : '', p.away ? 'away' : '', p.is_hand_raised ? 'hand-raised' : '']
      .filter(Boolean)
      .join(' ');
    const avatar = safeAvatarUrl(p.avatar_url);
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
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    customElements.getName(MeetingParticipants) ? class extends MeetingParticipants {} : MeetingParticipants,
  );
}

declare global {
  interface HTMLElementTagNameMap {
    'meeting-participants': MeetingParticipants;
  }
}
