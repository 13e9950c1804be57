/**
 * VirtualWindow: which rows are rendered for a scroll position.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import { VirtualWindow } from '../../../../src/components/pasabay-chat/view/virtual-window.js';

describe('<pasabay-chat> logic', () => {
  describe('virtual window', () => {
    it('renders only the rows near the viewport and accounts for the rest', () => {
      const window = new VirtualWindow(50, 100);
      window.setKeys(Array.from({ length: 10_000 }, (_, i) => `k${i}`));
      expect(window.total).to.equal(500_000);
      const range = window.range(250_000, 500);
      expect(range.start).to.equal(4998);
      expect(range.end).to.equal(5013);
      expect(range.paddingTop + (range.end - range.start) * 50 + range.paddingBottom).to.equal(500_000);
    });

    it('keeps measured heights by key across a prepend', () => {
      const window = new VirtualWindow(50, 0);
      window.setKeys(['c', 'd']);
      window.setHeight('c', 120);
      expect(window.setHeight('c', 120)).to.equal(false);
      window.setKeys(['a', 'b', 'c', 'd']);
      expect(window.offsetOf(window.indexOf('d'))).to.equal(50 + 50 + 120);
      expect(window.indexAt(219)).to.equal(2);
      expect(window.indexAt(220)).to.equal(3);
    });
  });
});
