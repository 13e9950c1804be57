import { html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { participantsStrings, type ParticipantsStrings } from '../../i18n/participants.js';
import { mergeStrings } from '../../i18n/strings.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { AnnouncerController } from './announcer-controller.js';
import { styles } from './meeting-participants.styles.js';
import { POOR_ROUND_TRIP_MS } from './connection-quality.js';
import { MeetingController, type HostAction } from './meeting-controller.js';
import { handPositions, initials, type OwnState, type Participant } from './roster.js';
import { OnlineController } from '../../controllers/online-controller.js';
import { VirtualWindow } from '../pasabay-chat/view/virtual-window.js';

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

/** Signal bars: all three for a good connection, one for a poor one. */
function qualityIcon(quality: 'good' | 'poor') {
  return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d="M5 20v-3" />
    ${quality === 'good' ? svg`<path d="M12 20v-8M19 20V6"/>` : nothing}
  </svg>`;
}

function icon(badge: Badge) {
  return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${icons[badge]}</svg>`;
}

const OWN_KEYS = ['muted', 'videoOn', 'screenSharing', 'handRaised', 'away'] as const;

/** Above this many participants the expanded list scrolls and renders only the rows near the view. */
const WINDOWED_FROM = 50;

/**
 * @summary Who is in a meeting, live: one entry per participant (however many tabs) with name,
 * avatar and muted / camera / screen share / hand raised / away / connection lost badges, a count,
 * and overflow for large meetings. The roster and everyone's state come from the database
 * (`meeting_participants` and `profiles`), so no client can fake a participant or their state;
 * presence only tells whether a participant is still connected. Sets and records the current
 * user's own state through `update_meeting_state`. Raised hands come first, in the order the
 * database recorded them, each with its place ("Hand 2"). With `controls`, the host (as the
 * database records it) also gets start / end, lower-hand and remove buttons, each an RPC that
 * refuses anyone else. The meeting's status (scheduled / live / ended) reaches every open element
 * at once; an ended meeting stops tracking presence and disables the controls, and a removed
 * participant's element leaves the meeting's channels. Each participant's connection quality is
 * their own measurement (Realtime heartbeat round trips and reconnects), shown as a self-report.
 * @tag meeting-participants
 *
 * @csspart base - The wrapper.
 * @csspart header - The row with the count and the expand / collapse button.
 * @csspart count - The participant count.
 * @csspart message - The state message (connecting, not allowed, empty…).
 * @csspart list - The participant list (`<ul>`).
 * @csspart participant - One participant (`<li>`). Extra tokens: `self`, `away`, `hand-raised`, `connection-lost`, `poor-connection`; `more` on the item holding the "+N more" button.
 * @csspart avatar - The avatar image, or the initials placeholder (extra token `initials`).
 * @csspart name - The participant's name.
 * @csspart badges - The row of state badges.
 * @csspart badge - One state badge. Extra tokens: `muted`, `video`, `screen`, `hand`, `away`, `lost`.
 * @csspart icon - The icon inside a badge or toggle.
 * @csspart badge-label - The words of a badge.
 * @csspart hand-position - A raised hand's place in the queue ("Hand 2"), inside the hand badge.
 * @csspart quality - A participant's self-reported connection quality. Extra tokens: `good`, `poor`.
 * @csspart quality-label - The words of the connection quality.
 * @csspart status - The meeting's status in the header. Extra tokens: `scheduled`, `live`, `ended`.
 * @csspart host-controls - The host's toolbar (start / end the meeting), shown to the host with `controls`.
 * @csspart host-action - A host button. Extra tokens: `start`, `end`, `lower-hand`, `remove`.
 * @csspart participant-actions - The host's buttons on one participant's entry.
 * @csspart overflow - The "+12 more" button.
 * @csspart controls - The toolbar of one's own toggles (with the `controls` attribute).
 * @csspart toggle - One toggle button. Extra tokens: `muted`, `video`, `screen`, `hand`, `away`, `pressed`.
 * @csspart online - The online dot beside a participant online in the `org-id` organisation (its words are visually hidden).
 *
 * @cssprop [--pasabay-meeting-participants-gap=var(--pasabay-space-s)] - Space between participants.
 * @cssprop [--pasabay-meeting-participants-avatar-size=2rem] - Avatar diameter.
 * @cssprop [--pasabay-meeting-participants-badge-color=var(--pasabay-color-text-muted)] - Badge text and icon colour.
 * @cssprop [--pasabay-meeting-participants-hand-color=var(--pasabay-color-warning)] - Colour of the hand-raised badge.
 * @cssprop [--pasabay-meeting-participants-online-color=var(--pasabay-color-success)] - The online dot.
 * @cssprop [--pasabay-meeting-participants-live-color=var(--pasabay-color-success)] - Colour of the "Live" status.
 * @cssprop [--pasabay-meeting-participants-poor-color=var(--pasabay-color-warning)] - Colour of a poor connection.
 * @cssprop [--pasabay-meeting-participants-list-max-height=24rem] - Height of the expanded list of a room of more than 50, which scrolls and keeps only the rows in view in the DOM.
 *
 * @cssstate offline - The meeting channel is not joined.
 * @cssstate empty - Joined, and nobody is in the meeting.
 * @cssstate not-allowed - The user is not invited to the meeting.
 * @cssstate auth-required - Nobody is signed in.
 * @cssstate error - Configuration, session or channel error.
 * @cssstate live - The meeting is live.
 * @cssstate ended - The meeting has ended: nothing is tracked and the controls are disabled.
 * @cssstate removed - The host removed the current user: the element left the meeting's channels.
 * @cssstate host - The current user hosts the meeting (as recorded in the database).
 *
 * @fires {PasabayPresenceChangeEvent} pasabay-presence-change - Someone joined, left, changed state or lost their connection. Changes made by others are batched: one event, with the final list, at most 32 ms after the first change of a burst (however many Realtime messages it took); one's own changes, removals and disconnects fire at once.
 * @fires {PasabayParticipantJoinEvent} pasabay-participant-join - A participant joined the meeting. One per participant, fired with the batch's `pasabay-presence-change` (just before it).
 * @fires {PasabayParticipantLeaveEvent} pasabay-participant-leave - A participant left the meeting. One per participant, fired with the batch's `pasabay-presence-change` (just before it).
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The meeting channel joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in and guest mode is off.
 * @fires {PasabayErrorEvent} pasabay-error - Missing configuration, refused channel, failed RPC or request (a non-host's host action: the database's refusal), or an invalid payload (dropped).
 * @fires {PasabayMeetingStatusEvent} pasabay-meeting-status - The meeting's recorded status was loaded or changed (scheduled, live, ended).
 * @fires {PasabayParticipantRemoveEvent} pasabay-participant-remove - The host removed a participant (`self`: the current user, whose element left the meeting).
 * @fires {PasabayHandLowerEvent} pasabay-hand-lower - The host lowered the current user's hand; `hand-raised` follows.
 * @fires {PasabayConnectionQualityEvent} pasabay-connection-quality - The current user's measured connection quality changed (and is being recorded).
 */
export class MeetingParticipants extends PasabayElement<ParticipantsStrings> {
  static override styles = [hostStyles, styles];

  private readonly announcer = new AnnouncerController(this, {
    strings: () => this.resolvedStrings,
    locale: () => this.locale,
  });
  // After the announcer, which it reports joins and leaves to.
  private readonly meeting = new MeetingController(this, {
    client: () => this.clientSource.client,
    identity: () => this.session.identity,
    fallbackName: () => this.resolvedStrings.participantsSomeone,
    announcer: this.announcer,
    onRecordRefused: (recorded) => this.applyOwnState(recorded),
    poorRoundTripMs: () => this.poorRoundTrip,
    notices: () => ({
      handLowered: this.resolvedStrings.participantsHandLowered,
      live: this.resolvedStrings.participantsMeetingLive,
      ended: this.resolvedStrings.participantsMeetingEnded,
      removed: this.resolvedStrings.participantsYouWereRemoved,
    }),
  });

  // Who of the `org-id` organisation is online: a dot in each row.
  private readonly online = new OnlineController(this, {
    client: () => this.clientSource.client,
    organizationId: () => this.orgId || undefined,
    userId: () => this.session.identity?.userId,
  });

  @state() private expanded = false;
  /** Rows of the expanded list: only those near the scrolled-to place are in the DOM. */
  private readonly rowWindow = new VirtualWindow(48, 480);
  private listScrollTop = 0;
  private listViewportHeight = 0;

  /** Meeting to show; a new value leaves the old meeting's channel and joins the new one. */
  @property({ attribute: 'meeting-id' }) meetingId = '';
  /** How many participants show before the rest collapse into "+N more". */
  @property({ type: Number, attribute: 'max-visible' }) maxVisible = 12;
  /** Shows a toolbar of toggles for the current user's own state, and to the host the host's controls. */
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
  /** Organisation whose members' presence shows as an online dot beside each participant. */
  @property({ attribute: 'org-id' }) orgId = '';
  /** A Realtime heartbeat round trip (ms) at or above which one's own connection is reported as poor. */
  @property({ type: Number, attribute: 'poor-round-trip' }) poorRoundTrip: number = POOR_ROUND_TRIP_MS;

  /** Everyone in the meeting, one entry per user: raised hands first (in the order raised), then the current user. */
  get participants(): readonly Participant[] {
    return this.meeting.participants;
  }

  /** The meeting's recorded status (`scheduled`, `live`, `ended`); `undefined` until loaded. */
  get meetingStatus(): 'scheduled' | 'live' | 'ended' | undefined {
    return this.meeting.meetingStatus;
  }

  /** The signed-in user hosts the meeting (as the database recorded it). */
  get isHost(): boolean {
    return this.meeting.isHost;
  }

  /** The current user's own connection quality as last measured; `undefined` before the first heartbeat. */
  get connectionQuality(): 'good' | 'poor' | undefined {
    return this.meeting.ownQuality;
  }

  /**
   * Host only: starts the meeting (`start_meeting`). Resolves `true` when recorded; a refusal (not
   * the host, meeting ended) resolves `false` and is reported as `pasabay-error`.
   */
  startMeeting(): Promise<boolean> {
    return this.meeting.hostAction({ rpc: 'start_meeting' });
  }

  /** Host only: ends the meeting for everyone (`end_meeting`); resolves as `startMeeting()`. */
  endMeeting(): Promise<boolean> {
    return this.meeting.hostAction({ rpc: 'end_meeting' });
  }

  /** Host only: lowers a participant's raised hand (`lower_hand`); resolves as `startMeeting()`. */
  lowerHand(userId: string): Promise<boolean> {
    return this.meeting.hostAction({ rpc: 'lower_hand', userId });
  }

  /**
   * Host only: removes a participant (`remove_participant`): they leave the meeting's channels
   * and its chat, and come back only if invited again. Resolves as `startMeeting()`.
   */
  removeParticipant(userId: string): Promise<boolean> {
    return this.meeting.hostAction({ rpc: 'remove_participant', userId });
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

  /**
   * Changes the current user's own state: updates the properties and records it with
   * `update_meeting_state`. Resolves once the database answered (a refusal is reported as
   * `pasabay-error` and the properties go back to the recorded state).
   */
  async setState(patch: Partial<OwnState>): Promise<void> {
    this.applyOwnState(patch);
    await this.updateComplete;
    await this.meeting.pendingRecord;
  }

  private applyOwnState(patch: Partial<OwnState>) {
    if (patch.isMuted !== undefined) this.muted = patch.isMuted;
    if (patch.isVideoOn !== undefined) this.videoOn = patch.isVideoOn;
    if (patch.isScreenSharing !== undefined) this.screenSharing = patch.isScreenSharing;
    if (patch.isHandRaised !== undefined) this.handRaised = patch.isHandRaised;
    if (patch.away !== undefined) this.away = patch.away;
  }

  protected readonly stringsTable = 'participants' as const;

  protected override resolveStrings(overrides: Partial<ParticipantsStrings>): ParticipantsStrings {
    return mergeStrings(participantsStrings, overrides);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('meetingId') && changed.get('meetingId') !== undefined) {
      this.collapse();
      this.meeting.meetingChanged();
    }
  }

  private collapse() {
    this.expanded = false;
    this.listScrollTop = 0;
  }

  private onListScroll = (event: Event) => {
    const scroller = event.currentTarget as HTMLElement;
    this.listScrollTop = scroller.scrollTop;
    this.listViewportHeight = scroller.clientHeight;
    this.requestUpdate();
  };

  /** Measures the rows a windowed list rendered; a height other than assumed moves the rest. */
  private measureRows() {
    const list = this.renderRoot.querySelector<HTMLElement>('.windowed [part~="list"]');
    if (!list) return;
    // Each row stands for its height and the gap after it (flex gap, not margins).
    const gap = parseFloat(getComputedStyle(list).rowGap) || 0;
    let moved = false;
    for (const row of list.querySelectorAll<HTMLElement>('li[data-user-id]')) {
      if (this.rowWindow.setHeight(row.dataset.userId!, row.getBoundingClientRect().height + gap)) moved = true;
    }
    const viewport = list.parentElement!.clientHeight;
    if (viewport !== this.listViewportHeight) {
      this.listViewportHeight = viewport;
      moved = true;
    }
    if (moved) this.requestUpdate();
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.measureRows();
    const changedOwn = OWN_KEYS.some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (changedOwn) this.meeting.ownStateChanged();
    const status = this.meeting.status;
    const notAllowed = this.meeting.notAllowed;
    const toggle = (name: string, on: boolean) => this.toggleState(name, on);
    toggle('offline', status !== 'joined');
    toggle('empty', status === 'joined' && this.participants.length === 0);
    toggle('not-allowed', notAllowed);
    toggle('auth-required', this.session.status === 'auth-required');
    toggle(
      'error',
      Boolean(this.clientSource.error) || this.session.status === 'error' || (status === 'error' && !notAllowed),
    );
    toggle('live', this.meeting.meetingStatus === 'live');
    toggle('ended', this.meeting.meetingStatus === 'ended');
    toggle('removed', this.meeting.removed);
    toggle('host', this.meeting.isHost);
  }

  private onHostAction(action: HostAction) {
    void this.meeting.hostAction(action);
  }

  /** Own toggles and host buttons work only in a joined, running meeting one is still in. */
  private get controlsDisabled(): boolean {
    return this.meeting.status !== 'joined' || this.meeting.meetingStatus === 'ended' || this.meeting.removed;
  }

  private onToggle(key: keyof OwnState) {
    void this.setState({ [key]: !this.ownState[key] });
  }

  private statusMessage(): string | undefined {
    const s = this.resolvedStrings;
    if (this.clientSource.error || this.session.status === 'error') return s.participantsError;
    if (this.session.status === 'auth-required') return s.participantsAuthRequired;
    if (!this.meetingId) return s.participantsNoMeeting;
    if (this.meeting.removed) return s.participantsRemoved;
    if (this.meeting.meetingStatus === 'ended') return s.participantsEnded;
    if (
      this.meeting.notAllowed ||
      (this.meeting.status === 'error' && /unauthori[sz]ed|permission/i.test(this.meeting.error?.message ?? ''))
    ) {
      return s.participantsNotAllowed;
    }
    if (this.meeting.status === 'error') return s.participantsReconnecting;
    if (this.meeting.status !== 'joined') return s.participantsConnecting;
    if (this.meeting.participants.length === 0) return s.participantsEmpty;
    return undefined;
  }

  private renderBadges(p: Participant, handPosition: number | undefined, handCount: number) {
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
    const position = (badge: Badge) =>
      badge === 'hand' && handPosition !== undefined
        ? html`<span part="hand-position"
            ><span aria-hidden="true">${s.participantsHandPosition(handPosition)}</span
            ><span class="visually-hidden"> (${s.participantsHandPositionLabel(handPosition, handCount)})</span></span
          >`
        : nothing;
    return html`<span part="badges">
      ${shown.map(
        ([badge, , label]) =>
          html`<span part="badge ${badge}"
            >${icon(badge)}<span part="badge-label">${label}</span>${position(badge)}</span
          >`,
      )}
    </span>`;
  }

  /** A self-report: "lost" is the presence-based badge above, never this claim. */
  private renderQuality(p: Participant) {
    const quality = p.connection_quality;
    if (!quality || p.connection_lost) return nothing;
    const s = this.resolvedStrings;
    return html`<span part="quality ${quality}"
      >${qualityIcon(quality)}<span part="quality-label"
        >${quality === 'good' ? s.participantsQualityGood : s.participantsQualityPoor}</span
      ><span class="visually-hidden"> ${s.participantsQualitySelfReported}</span></span
    >`;
  }

  /** The host's buttons on someone's entry: lower a raised hand, remove anyone but oneself. */
  private renderParticipantActions(p: Participant, self: boolean) {
    if (!this.controls || !this.meeting.isHost || this.meeting.meetingStatus === 'ended') return nothing;
    const s = this.resolvedStrings;
    const disabled = this.controlsDisabled;
    const lower = p.is_hand_raised
      ? html`<button
          type="button"
          part="host-action lower-hand"
          aria-label=${s.participantsLowerHandLabel(p.display_name)}
          ?disabled=${disabled}
          @click=${() => this.onHostAction({ rpc: 'lower_hand', userId: p.user_id })}
        >
          ${s.participantsLowerHand}
        </button>`
      : nothing;
    const remove = self
      ? nothing
      : html`<button
          type="button"
          part="host-action remove"
          aria-label=${s.participantsRemoveLabel(p.display_name)}
          ?disabled=${disabled}
          @click=${() => this.onHostAction({ rpc: 'remove_participant', userId: p.user_id })}
        >
          ${s.participantsRemove}
        </button>`;
    if (lower === nothing && remove === nothing) return nothing;
    return html`<span part="participant-actions">${lower}${remove}</span>`;
  }

  private renderParticipant(
    p: Participant,
    ownId: string | undefined,
    hands: Map<string, number>,
    /** In a windowed list: the row's place among all, for assistive technology (the DOM has a few). */
    place?: { position: number; of: number },
  ) {
    const s = this.resolvedStrings;
    const self = p.user_id === ownId;
    const parts = [
      'participant',
      self ? 'self' : '',
      p.is_away ? 'away' : '',
      p.is_hand_raised ? 'hand-raised' : '',
      p.connection_lost ? 'connection-lost' : '',
      p.connection_quality === 'poor' && !p.connection_lost ? 'poor-connection' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const avatar = this.avatarUrl(p.avatar_url);
    return html`<li
      part=${parts}
      data-user-id=${place ? p.user_id : nothing}
      aria-posinset=${place?.position ?? nothing}
      aria-setsize=${place?.of ?? nothing}
    >
      ${
        avatar
          ? html`<img part="avatar" src=${avatar} alt="" loading="lazy" referrerpolicy="no-referrer" />`
          : html`<span part="avatar initials" aria-hidden="true">${initials(p.display_name)}</span>`
      }
      <span part="name">${p.display_name}${self ? html` <span class="you">${s.participantsYou}</span>` : nothing}</span>
      ${
        this.online.isOnline(p.user_id)
          ? html`<span part="online"><span class="visually-hidden">${s.participantsOnline}</span></span>`
          : nothing
      }
      ${this.renderBadges(p, hands.get(p.user_id), hands.size)} ${this.renderQuality(p)}
      ${this.renderParticipantActions(p, self)}
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
            ?disabled=${this.controlsDisabled}
            @click=${() => this.onToggle(key)}
          >
            ${icon(badge)}<span>${label}</span>
          </button>`,
      )}
    </div>`;
  }

  /** Start (while scheduled) and end (until ended), for the host only. */
  private renderHostControls() {
    const status = this.meeting.meetingStatus;
    if (!this.meeting.isHost || !status || status === 'ended' || this.meeting.removed) return nothing;
    const s = this.resolvedStrings;
    const disabled = this.controlsDisabled;
    return html`<div part="host-controls" role="toolbar" aria-label=${s.participantsHostControls}>
      ${
        status === 'scheduled'
          ? html`<button
              type="button"
              part="host-action start"
              ?disabled=${disabled}
              @click=${() => this.onHostAction({ rpc: 'start_meeting' })}
            >
              ${s.participantsStartMeeting}
            </button>`
          : nothing
      }
      <button
        type="button"
        part="host-action end"
        ?disabled=${disabled}
        @click=${() => this.onHostAction({ rpc: 'end_meeting' })}
      >
        ${s.participantsEndMeeting}
      </button>
    </div>`;
  }

  private renderStatus() {
    const status = this.meeting.meetingStatus;
    if (!status || this.meeting.removed) return nothing;
    const s = this.resolvedStrings;
    const label = {
      scheduled: s.participantsStatusScheduled,
      live: s.participantsStatusLive,
      ended: s.participantsStatusEnded,
    }[status];
    return html`<span part="status ${status}">${label}</span>`;
  }

  override render() {
    const s = this.resolvedStrings;
    const ownId = this.session.identity?.userId;
    const all = this.meeting.participants;
    const limit = Math.max(1, Math.floor(this.maxVisible) || 1);
    const overflowing = all.length > limit;
    const shown = overflowing && !this.expanded ? all.slice(0, limit) : all;
    const hidden = all.length - shown.length;
    // An expanded large room renders the rows near the scrolled-to place only, as the chat does.
    const windowed = this.expanded && all.length > WINDOWED_FROM;
    let range = { start: 0, end: shown.length, paddingTop: 0, paddingBottom: 0 };
    if (windowed) {
      this.rowWindow.setKeys(shown.map((p) => p.user_id));
      range = this.rowWindow.range(this.listScrollTop, this.listViewportHeight || 400);
    }
    const visible = windowed ? shown.slice(range.start, range.end) : shown;
    const message = this.statusMessage();
    const hands = handPositions(all);
    return html`
      <div part="base">
        <div part="header">
          <span part="count">${s.participantsCount(all.length)}</span>
          ${this.renderStatus()}
          ${
            overflowing && this.expanded
              ? html`<button type="button" part="overflow" aria-expanded="true" @click=${() => this.collapse()}>
                  ${s.participantsShowFewer}
                </button>`
              : nothing
          }
        </div>
        ${message ? html`<p part="message">${message}</p>` : nothing}
        <div
          class=${windowed ? 'scroller windowed' : 'scroller'}
          ?hidden=${all.length === 0}
          tabindex=${windowed ? '0' : nothing}
          @scroll=${windowed ? this.onListScroll : nothing}
        >
          <ul
            part="list"
            aria-label=${s.participantsLabel}
            ?hidden=${all.length === 0}
            style=${styleMap(windowed ? { paddingBlock: `${range.paddingTop}px ${range.paddingBottom}px` } : {})}
          >
            ${repeat(
              visible,
              (p) => p.user_id,
              (p, offset) =>
                this.renderParticipant(
                  p,
                  ownId,
                  hands,
                  windowed ? { position: range.start + offset + 1, of: all.length } : undefined,
                ),
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
        </div>
        ${this.controls ? this.renderControls() : nothing} ${this.controls ? this.renderHostControls() : nothing}
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
