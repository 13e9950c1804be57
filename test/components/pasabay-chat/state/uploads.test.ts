/**
 * The check before an upload (state/uploads.ts), pure logic: `refusalOf` words what Storage would
 * refuse, with Storage's type matching; `limitsFromAnswer` validates the `attachment_limits()`
 * answer like any payload. The RPC itself, with the real stack: pasabay-chat-attachments.test.ts.
 */
import { expect } from '@open-wc/testing';
import {
  limitsFromAnswer,
  refusalOf,
  type AttachmentLimits,
} from '../../../../src/components/pasabay-chat/state/uploads.js';

const limits: AttachmentLimits = { maxBytes: 1000, allowedTypes: ['image/png', 'text/*', ' Application/PDF '] };

describe('attachment checks before upload', () => {
  it('refuses by size, at the byte', () => {
    expect(refusalOf(1000, 'image/png', limits)).to.equal(undefined);
    expect(refusalOf(1001, 'image/png', limits)).to.deep.equal({ kind: 'too-large', maxBytes: 1000 });
    expect(refusalOf(10 ** 12, 'image/png', { maxBytes: null, allowedTypes: null })).to.equal(undefined);
  });

  it('matches types as Storage does: exact, type/*, case and parameters ignored', () => {
    expect(refusalOf(1, 'image/png', limits)).to.equal(undefined);
    expect(refusalOf(1, 'IMAGE/PNG; charset=binary', limits)).to.equal(undefined);
    expect(refusalOf(1, 'text/csv', limits)).to.equal(undefined);
    expect(refusalOf(1, 'application/pdf', limits)).to.equal(undefined);
    expect(refusalOf(1, 'image/svg+xml', limits)).to.deep.equal({ kind: 'type', mime: 'image/svg+xml' });
    expect(refusalOf(1, 'textual/plain', limits)).to.deep.equal({ kind: 'type', mime: 'textual/plain' });
    expect(refusalOf(1, 'application/octet-stream', limits)).to.deep.equal({
      kind: 'type',
      mime: 'application/octet-stream',
    });
    expect(refusalOf(1, 'anything/at-all', { maxBytes: 5, allowedTypes: [] })).to.equal(undefined);
    expect(refusalOf(1, 'anything/at-all', { maxBytes: 5, allowedTypes: ['*/*'] })).to.equal(undefined);
  });

  it('checks nothing without limits', () => {
    expect(refusalOf(10 ** 12, 'image/svg+xml', undefined)).to.equal(undefined);
  });

  it('reads an answer as the RPC gives it: a bigint as a number or a string of digits, nulls as no limit', () => {
    expect(limitsFromAnswer([{ file_size_limit: 10485760, allowed_mime_types: ['image/png'] }])).to.deep.equal({
      maxBytes: 10485760,
      allowedTypes: ['image/png'],
    });
    expect(limitsFromAnswer([{ file_size_limit: '2048', allowed_mime_types: null }])).to.deep.equal({
      maxBytes: 2048,
      allowedTypes: null,
    });
    expect(limitsFromAnswer([])).to.equal(undefined);
  });

  it('refuses a malformed answer (then nothing is checked before Storage)', () => {
    for (const bad of [
      [{ file_size_limit: -1, allowed_mime_types: null }],
      [{ file_size_limit: '1e9', allowed_mime_types: null }],
      [{ file_size_limit: 5, allowed_mime_types: 'image/png' }],
      [{ file_size_limit: 5, allowed_mime_types: ['x'.repeat(300)] }],
      'hostile',
      null,
    ])
      expect(limitsFromAnswer(bad), JSON.stringify(bad)).to.equal(null);
  });
});
