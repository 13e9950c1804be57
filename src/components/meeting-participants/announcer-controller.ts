import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ParticipantsStrings } from '../../i18n/participants.js';
import { formatList } from '../../i18n/strings.js';

/** Screen readers hear joins and leaves at most this often; the ones in between are batched. */
const ANNOUNCE_INTERVAL_MS = 3000;
/** Above this many names in one batch the sentence gives a count instead ("5 people joined"). */
const MAX_ANNOUNCED_NAMES = 3;

export interface AnnouncerOptions {
  strings: () => ParticipantsStrings;
  /** Locale for joining names into a list ("Ana, Carlos and Maria"). */
  locale: () => string;
}

/**
 * The sentence for the element's one polite status region: who joined and who left (and what the
 * host changed), throttled so
 * that a meeting filling up is one announcement, not one per person. The timer starts on the
 * first note after a quiet period and stops in `hostDisconnected`, dropping what was pending.
 */
export class AnnouncerController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #options: AnnouncerOptions;
  #joins: string[] = [];
  #leaves: string[] = [];
  /** Whole sentences about changes others made (the host lowered one's hand, ended the meeting…). */
  #notices: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastAnnouncedAt = -Infinity;
  #announcement = '';

  constructor(host: ReactiveControllerHost, options: AnnouncerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The latest sentence (the status region's text). */
  get announcement(): string {
    return this.#announcement;
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#joins = [];
    this.#leaves = [];
    this.#notices = [];
  }

  noteJoin(name: string): void {
    this.#joins.push(name);
    this.#schedule();
  }

  noteLeave(name: string): void {
    this.#leaves.push(name);
    this.#schedule();
  }

  /** A sentence of its own, announced with the next batch (repeats of it are said once). */
  noteNotice(sentence: string): void {
    if (!this.#notices.includes(sentence)) this.#notices.push(sentence);
    this.#schedule();
  }

  #schedule() {
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastAnnouncedAt + ANNOUNCE_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#announce();
    }, wait);
  }

  #announce() {
    const strings = this.#options.strings();
    const locale = this.#options.locale();
    const sentence = (
      names: string[],
      named: ParticipantsStrings['participantsJoined'],
      counted: (count: number) => string,
    ) =>
      names.length === 0
        ? ''
        : names.length > MAX_ANNOUNCED_NAMES
          ? counted(names.length)
          : named(formatList(names, locale), names.length);
    const sentences = [
      ...this.#notices,
      sentence(this.#joins, strings.participantsJoined, strings.participantsManyJoined),
      sentence(this.#leaves, strings.participantsLeft, strings.participantsManyLeft),
    ].filter(Boolean);
    this.#joins = [];
    this.#leaves = [];
    this.#notices = [];
    if (sentences.length === 0) return;
    this.#announcement = sentences.join('. ');
    this.#lastAnnouncedAt = Date.now();
    this.#host.requestUpdate();
  }
}
