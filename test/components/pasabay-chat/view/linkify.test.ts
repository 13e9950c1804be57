/**
 * linkify / renderBody: http(s) links only, markup rendered as text.
 * Pure logic, no network: <pasabay-chat> against the local stack is in test/components/pasabay-chat*.test.ts.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { linkify, renderBody } from '../../../../src/components/pasabay-chat/view/linkify.js';

describe('<pasabay-chat> logic', () => {
  describe('linkify', () => {
    it('links http and https URLs and trims trailing punctuation', () => {
      expect(linkify('see https://example.com/a?b=1, then (http://x.test/path).')).to.deep.equal([
        { kind: 'text', text: 'see ' },
        { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
        { kind: 'text', text: ', then (' },
        { kind: 'link', text: 'http://x.test/path', href: 'http://x.test/path' },
        { kind: 'text', text: ').' },
      ]);
      expect(linkify('https://en.wikipedia.org/wiki/Cebu_(island)')[0]).to.deep.include({ kind: 'link' });
    });

    it('never links other schemes or broken URLs', () => {
      for (const text of [
        'javascript:alert(1)',
        'JaVaScRiPt:alert(1)//https://x.test',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
        'mailto:a@b.test',
        'https://',
        'http://[::1',
      ]) {
        for (const part of linkify(text)) {
          if (part.kind === 'link') expect(part.href, text).to.match(/^https?:\/\/[^/]/);
        }
      }
      expect(linkify('javascript:alert(1)')).to.deep.equal([{ kind: 'text', text: 'javascript:alert(1)' }]);
    });

    it('renders markup in a body as text', async () => {
      const el = await fixture(
        html`<p>${renderBody('<img src=x onerror=alert(1)> https://a.test/"onmouseover="x')}</p>`,
      );
      expect(el.querySelector('img')).to.equal(null);
      const link = el.querySelector('a')!;
      expect(link.getAttribute('href')).to.equal('https://a.test/');
      expect(link.rel).to.equal('noopener noreferrer nofollow');
      expect(link.referrerPolicy).to.equal('no-referrer');
      expect(link.hasAttribute('onmouseover')).to.equal(false);
      expect(el.textContent).to.equal('<img src=x onerror=alert(1)> https://a.test/"onmouseover="x');
    });
  });
});
