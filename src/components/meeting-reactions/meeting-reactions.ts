import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { mergeStrings } from '../../i18n/strings.js';
import { reactionsStrings, type ReactionsStrings } from '../../i18n/reactions.js';
import { hostStyles } from '../../styles/host.js';
import { PasabayElement, defineElement } from '../base/pasabay-element.js';
import { ReactionsController, type LiveReaction } from './reactions-controller.js';
import { styles } from './meeting-reactions.styles.js';

/** How long a reaction floats (and stays in the live region). */
const FLOAT_MS = 4000;
/** At most this many float at once; older ones make room. */
const MAX_FLOATING = 24;
/** Sentences kept in the live region (older ones have been read). */
const MAX_ANNOUNCED = 5;
/** The reactions offered when `reactions` is not set. */
const DEFAULT_REACTIONS = '👍 👏 🎉 ❤️ 😂 😮';

interface Floating extends LiveReaction {
  /** Horizontal centre in % of the stage, spread by arrival so bursts don't overlap. */
  lane: number;
  sentence: string;
}

/**
 * @summary Live reactions of a meeting: a row of reaction buttons, and everyone's reactions
 * floating up for a moment with the sender's name, announced in words for screen readers. Sent
 * through RPC `send_meeting_reaction`, which checks that the sender is a participant of a meeting
 * that has not ended and within the rate limit, and broadcasts on `meeting:<id>`, which only the
 * database writes and only participants receive. Nothing is stored. The sender's name comes from
 * their profile, never from the event. A refusal (rate limit, not a participant, meeting ended)
 * shows as a notice; under `prefers-reduced-motion` reactions appear without floating.
 * @tag meeting-reactions
 *
 * @csspart picker - The group of reaction buttons (`role="group"`).
 * @csspart button - One reaction button.
 * @csspart stage - Where reactions float (`aria-hidden`: the live region says them in words).
 * @csspart float - One floating reaction. Extra token: `own`.
 * @csspart emoji - The reaction in a float.
 * @csspart name - The sender's name in a float.
 * @csspart notice - Why the last reaction was refused (`role="alert"`).
 * @csspart dismiss - The button that hides the notice.
 * @csspart state - The sentence shown while connecting, refused, signed out or failed.
 *
 * @cssprop [--pasabay-meeting-reactions-stage-height=8rem] - Height of the stage reactions float through.
 * @cssprop [--pasabay-meeting-reactions-size=1.75rem] - Size of a floating reaction.
 * @cssprop [--pasabay-meeting-reactions-button-size=2.5rem] - Size of a reaction button (at least 24px).
 * @cssprop [--pasabay-meeting-reactions-gap=var(--pasabay-space-xs)] - Space between buttons.
 * @cssprop [--pasabay-meeting-reactions-duration=4s] - How long a reaction takes to float up.
 *
 * @cssstate offline - The meeting channel is not joined.
 * @cssstate not-allowed - The meeting channel was refused (not a participant, or over a Realtime budget).
 * @cssstate refused - The last reaction was refused; the notice says why.
 * @cssstate error - No client is configured or the session failed.
 *
 * @fires {PasabayErrorEvent} pasabay-error - A reaction was refused (code `rate-limited` or `request`), the channel was refused (`channel`), or an invalid event arrived (dropped).
 * @fires {PasabayStatusChangeEvent} pasabay-status-change - The meeting channel joined, dropped or failed.
 * @fires {PasabayAuthRequiredEvent} pasabay-auth-required - Nobody is signed in on the client and guest mode is off.
 */
export class MeetingReactions extends PasabayElement<ReactionsStrings> {
  static override styles = [hostStyles, styles];

  private readonly live = new ReactionsController(this, {
    client: () => this.clientSource.client,
    identity: () => this.session.identity,
    meetingId: () => this.meetingId,
    onReaction: (reaction) => this.show(reaction),
  });
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private arrivals = 0;

  @state() private floating: Floating[] = [];
  @state() private announced: { key: string; sentence: string }[] = [];
  @state() private notice = '';
  @state() private sending = false;

  /** Meeting whose reactions to show and send; a new value leaves the old channel and joins the new one. */
  @property({ attribute: 'meeting-id' }) meetingId = '';

  /** The reactions offered, separated by spaces (each 1 to 16 characters). */
  @property() reactions = DEFAULT_REACTIONS;

  /** The reactions on screen now, oldest first. */
  get visibleReactions(): readonly LiveReaction[] {
    return this.floating;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.floating = [];
    this.announced = [];
  }

  protected readonly stringsTable = 'reactions' as const;

  protected override resolveStrings(overrides: Partial<ReactionsStrings>): ReactionsStrings {
    return mergeStrings(reactionsStrings, overrides);
  }

  protected override needsClient(): boolean {
    return Boolean(this.meetingId);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('meetingId') && changed.get('meetingId') !== undefined) {
      this.floating = [];
      this.announced = [];
      this.notice = '';
    }
  }

  protected override updated(): void {
    const status = this.live.status;
    this.toggleState('offline', status !== 'joined');
    this.toggleState('not-allowed', status === 'error');
    this.toggleState('refused', Boolean(this.notice));
    this.toggleState('error', Boolean(this.clientSource.error) || this.session.status === 'error');
  }

  private show(reaction: LiveReaction) {
    const strings = this.resolvedStrings;
    const sentence = reaction.own
      ? strings.reactionsAnnounceOwn(reaction.reaction)
      : strings.reactionsAnnounce(reaction.name ?? strings.reactionsSomeone, reaction.reaction);
    // Within 25–75 %, so a centred float and its name stay inside the stage.
    const lane = ((this.arrivals++ * 37) % 50) + 25;
    this.floating = [...this.floating, { ...reaction, lane, sentence }].slice(-MAX_FLOATING);
    this.announced = [...this.announced, { key: reaction.key, sentence }].slice(-MAX_ANNOUNCED);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.floating = this.floating.filter((item) => item.key !== reaction.key);
      this.announced = this.announced.filter((item) => item.key !== reaction.key);
    }, FLOAT_MS);
    this.timers.add(timer);
  }

  private async onSend(reaction: string) {
    this.sending = true;
    await this.react(reaction);
    this.sending = false;
  }

  private onDismiss() {
    this.notice = '';
  }

  /** Sends one reaction as the signed-in user; resolves to whether the database accepted it. */
  async react(reaction: string): Promise<boolean> {
    const outcome = await this.live.send(reaction);
    this.notice = outcome.ok ? '' : this.resolvedStrings.reactionsRefused(outcome.reason);
    return outcome.ok;
  }

  private stateSentence(): string {
    const strings = this.resolvedStrings;
    if (this.clientSource.error || this.session.status === 'error') return strings.reactionsError;
    if (this.session.status === 'auth-required') return strings.reactionsAuthRequired;
    if (this.live.status === 'error')
      return /RateLimitReached: /.test(this.live.error?.message ?? '')
        ? strings.reactionsOverBudget
        : strings.reactionsNotAllowed;
    if (this.live.status !== 'joined') return strings.reactionsConnecting;
    return '';
  }

  override render() {
    const strings = this.resolvedStrings;
    const offered = this.reactions.split(/\s+/).filter(Boolean);
    const stateSentence = this.stateSentence();
    const disabled = this.live.status !== 'joined';
    return html`
      <div part="stage" aria-hidden="true">
        ${repeat(
          this.floating,
          (item) => item.key,
          (item) =>
            html`<span part=${item.own ? 'float own' : 'float'} style="inset-inline-start: ${item.lane}%"
              ><span part="emoji">${item.reaction}</span
              ><span part="name"
                >${item.own ? strings.reactionsYou : (item.name ?? strings.reactionsSomeone)}</span
              ></span
            >`,
        )}
      </div>
      <div part="picker" role="group" aria-label=${strings.reactionsLabel}>
        ${offered.map(
          (reaction) =>
            html`<button
              part="button"
              type="button"
              aria-label=${strings.reactionsSend(reaction)}
              ?disabled=${disabled}
              aria-busy=${this.sending ? 'true' : 'false'}
              @click=${() => this.onSend(reaction)}
            >
              ${reaction}
            </button>`,
        )}
      </div>
      ${stateSentence ? html`<p part="state">${stateSentence}</p>` : nothing}
      ${
        this.notice
          ? html`<div part="notice" role="alert">
              <span>${this.notice}</span>
              <button part="dismiss" type="button" @click=${this.onDismiss}>${strings.reactionsDismiss}</button>
            </div>`
          : nothing
      }
      <div class="visually-hidden" role="log" aria-live="polite">
        ${repeat(
          this.announced,
          (item) => item.key,
          (item) => html`<p>${item.sentence}</p>`,
        )}
      </div>
    `;
  }
}

/**
 * Registers the element under `tag` (default `meeting-reactions`) unless that tag is taken.
 * A second tag gets a subclass, since one class can only be defined once.
 */
export function defineMeetingReactions(tag = 'meeting-reactions'): void {
  defineElement(tag, MeetingReactions);
}

declare global {
  interface HTMLElementTagNameMap {
    'meeting-reactions': MeetingReactions;
  }
}
