import type { TypingStrings } from '../../typing.js';

// "Si" names one person, "sina" several: a matter of how many people, not of CLDR plural forms
// (which put 2 and 3 in Filipino's "one").
export const typing: Partial<TypingStrings> = {
  typingNamed: (names, count) => `${count === 1 ? 'Si' : 'Sina'} ${names} ay nagta-type…`,
  typingMany: (count) => `${count} tao ang nagta-type…`,
  typingSomeone: 'Isang tao',
};
