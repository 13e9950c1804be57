/**
 * chatFormatters: formatting through Intl in the element's language.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import { chatFormatters } from '../../../../src/components/pasabay-chat/view/format.js';

describe('<pasabay-chat> logic', () => {
  describe('formatting', () => {
    it('formats through Intl in the given language', () => {
      const now = new Date(2026, 4, 10, 15, 4);
      const english = chatFormatters('en');
      expect(english.day(now, now)).to.equal('Today');
      expect(english.day(new Date(2026, 4, 9, 23, 0), now)).to.equal('Yesterday');
      expect(chatFormatters('es').day(now, now)).to.equal('Hoy');
      expect(english.time(now)).to.match(/3:04/);
      expect(chatFormatters('not a language!').time(now)).to.be.a('string');
    });
  });
});
