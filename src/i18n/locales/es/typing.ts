import type { TypingStrings } from '../../typing.js';

const plural = new Intl.PluralRules('es');

export const typing: Partial<TypingStrings> = {
  typingNamed: (names, count) => `${names} ${plural.select(count) === 'one' ? 'está' : 'están'} escribiendo…`,
  typingMany: (count) => `${count} personas están escribiendo…`,
  typingSomeone: 'Alguien',
};
