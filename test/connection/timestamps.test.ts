/**
 * timestampMicros: one order across the timestamp formats REST and Realtime send.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect } from '@open-wc/testing';
import { timestampMicros } from '../../src/connection/timestamps.js';

describe('<pasabay-chat> logic', () => {
  describe('timestamps', () => {
    it('orders by microseconds across the formats the server uses', () => {
      const rest = timestampMicros('2026-11-22T01:53:00.123456+00:00');
      const text = timestampMicros('2026-11-22 01:53:00.123457+00');
      const zulu = timestampMicros('2026-11-22T01:53:00.123Z');
      expect(text - rest).to.equal(1);
      expect(rest - zulu).to.equal(456);
      expect(timestampMicros('2026-11-22T03:53:00+02:00')).to.equal(timestampMicros('2026-11-22T01:53:00Z'));
      expect(Number.isNaN(timestampMicros('yesterday'))).to.equal(true);
    });
  });
});
