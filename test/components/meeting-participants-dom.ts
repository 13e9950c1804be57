/** What `<meeting-participants>` shows, read from its shadow DOM, for the element's browser tests. */
import type { MeetingParticipants } from '../../src/components/meeting-participants/meeting-participants.js';

/** The participant rows in the DOM (not the "+N more" item). */
export const participantItems = (el: MeetingParticipants): HTMLElement[] => [
  ...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="participant"]:not([part~="more"])'),
];

/** A row's name, without the "(you)" of one's own row. */
export const participantName = (item: Element): string =>
  item.querySelector('[part~="name"]')!.textContent!.replace('(you)', '').trim();

export const participantNames = (el: MeetingParticipants): string[] => participantItems(el).map(participantName);
