/**
 * Strings of `<typing-indicator>`. Functions receive already-formatted values (names joined with
 * `Intl.ListFormat`) so a translation controls word order.
 */
export interface TypingStrings {
  /** One or two people: `names` is "Maria" or "Maria and Carlos". */
  typingNamed: (names: string, count: number) => string;
  /** Three or more people. */
  typingMany: (count: number) => string;
  /** Name for a typist whose display name is empty. */
  typingSomeone: string;
}

const plural = new Intl.PluralRules('en');

/** English defaults. */
export const typingStrings: TypingStrings = {
  typingNamed: (names, count) => `${names} ${plural.select(count) === 'one' ? 'is' : 'are'} typing…`,
  typingMany: (count) => `${count} people are typing…`,
  typingSomeone: 'Someone',
};
