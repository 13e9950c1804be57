import type { TypingStrings } from '../../typing.js';
import { counted } from './plural.js';

export const typing: Partial<TypingStrings> = {
  // The verb agrees with one, two (dual) or more typists.
  typingNamed: (names, count) =>
    counted(count, {
      zero: () => `${names} يكتبون…`,
      one: () => `${names} يكتب…`,
      two: () => `${names} يكتبان…`,
      few: () => `${names} يكتبون…`,
      many: () => `${names} يكتبون…`,
      other: () => `${names} يكتبون…`,
    }),
  typingMany: (count) =>
    counted(count, {
      zero: () => 'لا أحد يكتب',
      one: () => 'شخص واحد يكتب…',
      two: () => 'شخصان يكتبان…',
      few: (n) => `${n} أشخاص يكتبون…`,
      many: (n) => `${n} شخصًا يكتبون…`,
      other: (n) => `${n} شخص يكتبون…`,
    }),
  typingSomeone: 'شخص ما',
};
