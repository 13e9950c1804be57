/**
 * rich-text.ts: the formatting parser alone (every construct, hostile input), then its Lit
 * rendering in Chromium. <pasabay-chat> showing formatted messages to a peer is in
 * test/components/pasabay-chat-rich-text.test.ts.
 */
import { expect, fixture, html } from '@open-wc/testing';
import {
  parseInline,
  parseRichText,
  plainText,
  renderRichText,
  safeHref,
  type Block,
  type Inline,
} from '../../../../src/components/pasabay-chat/view/rich-text.js';

const text = (value: string): Inline => ({ kind: 'text', text: value });
const paragraph = (...children: Inline[]): Block => ({ kind: 'paragraph', children });
const CARLOS = '00000000-0000-4000-8000-00000000000c';
const ANA = '00000000-0000-4000-8000-00000000000a';

describe('<pasabay-chat> logic', () => {
  describe('rich text: parser', () => {
    it('plain text is one text node, line breaks kept', () => {
      expect(parseRichText('hello\nworld')).to.deep.equal([paragraph(text('hello\nworld'))]);
    });

    it('bold, both italics and inline code', () => {
      expect(parseInline('a **b** c *d* e _f_ `g*h*`')).to.deep.equal([
        text('a '),
        { kind: 'strong', children: [text('b')] },
        text(' c '),
        { kind: 'em', children: [text('d')] },
        text(' e '),
        { kind: 'em', children: [text('f')] },
        text(' '),
        { kind: 'code', text: 'g*h*' },
      ]);
    });

    it('nests emphasis inside bold', () => {
      expect(parseInline('**bold _and italic_**')).to.deep.equal([
        { kind: 'strong', children: [text('bold '), { kind: 'em', children: [text('and italic')] }] },
      ]);
    });

    it('leaves snake_case, spaced stars and lone markers as text', () => {
      for (const source of [
        'snake_case_name',
        '2 * 3 * 4',
        'a ** b',
        '*',
        '**',
        '_',
        '``',
        'x_y',
        '** not closed',
        '`open',
      ]) {
        expect(parseInline(source), source).to.deep.equal([text(source)]);
      }
    });

    it('unclosed and crossed markers stay text; what closes still formats', () => {
      expect(parseInline('**bold *x')).to.deep.equal([text('**bold *x')]);
      expect(parseInline('_a *b_ c*')).to.deep.equal([{ kind: 'em', children: [text('a *b')] }, text(' c*')]);
    });

    it('bare http(s) links, whole, with markers inside them untouched', () => {
      expect(parseInline('see https://x.test/a_b_c*d*, ok')).to.deep.equal([
        text('see '),
        { kind: 'link', href: 'https://x.test/a_b_c*d*', children: [text('https://x.test/a_b_c*d*')] },
        text(', ok'),
      ]);
    });

    it('mailto: and [label](url) links with safe schemes only', () => {
      expect(parseInline('mail mailto:ana@example.test.')).to.deep.equal([
        text('mail '),
        { kind: 'link', href: 'mailto:ana@example.test', children: [text('mailto:ana@example.test')] },
        text('.'),
      ]);
      expect(parseInline('[the **docs**](https://x.test/docs)')).to.deep.equal([
        {
          kind: 'link',
          href: 'https://x.test/docs',
          children: [text('the '), { kind: 'strong', children: [text('docs')] }],
          labelled: true,
        },
      ]);
      for (const source of [
        '[click](javascript:alert(1))',
        '[click](JaVaScRiPt:alert(1))',
        '[x](data:text/html,<script>alert(1)</script>)',
        '[x](vbscript:msgbox)',
        '[x](//evil.test)',
        '[x](mailto:nobody)',
        'javascript:alert(1)',
      ]) {
        const nodes = parseInline(source);
        expect(
          nodes.some((node) => node.kind === 'link'),
          source,
        ).to.equal(false);
      }
      expect(safeHref('mailto:a@b.test')).to.equal('mailto:a@b.test');
      expect(safeHref('https://a.test/x')).to.equal('https://a.test/x');
      expect(safeHref('ftp://a.test/x')).to.equal(undefined);
    });

    it('a link label is not linked again', () => {
      const [link] = parseInline('[https://a.test](https://b.test)');
      expect(link).to.deep.equal({
        kind: 'link',
        href: 'https://b.test/',
        children: [text('https://a.test')],
        labelled: true,
      });
    });

    it('mentions only the users given, longest name first, not inside words', () => {
      const targets = [
        { userId: ANA, name: 'Ana' },
        { userId: CARLOS, name: 'Carlos Reyes' },
      ];
      expect(parseInline('hi @Carlos Reyes and @Ana, not @Anastasia nor me@Ana or @Olga', targets)).to.deep.equal([
        text('hi '),
        { kind: 'mention', userId: CARLOS, text: '@Carlos Reyes' },
        text(' and '),
        { kind: 'mention', userId: ANA, text: '@Ana' },
        text(', not @Anastasia nor me@Ana or @Olga'),
      ]);
      expect(parseInline('@Carlos Reyes')).to.deep.equal([text('@Carlos Reyes')], 'no targets, no mention');
    });

    it('bullet and numbered lists, flat, each kind its own list', () => {
      expect(parseRichText('Todo:\n- one\n* **two**\n3. three\n4) four\nafter')).to.deep.equal([
        paragraph(text('Todo:')),
        {
          kind: 'list',
          ordered: false,
          start: 1,
          items: [[text('one')], [{ kind: 'strong', children: [text('two')] }]],
        },
        { kind: 'list', ordered: true, start: 3, items: [[text('three')], [text('four')]] },
        paragraph(text('after')),
      ]);
    });

    it('fenced code blocks keep their text as is; an unclosed fence is text', () => {
      expect(parseRichText('before\n```ts\nconst a = **1**;\n<b>x</b>\n```\nafter')).to.deep.equal([
        paragraph(text('before')),
        { kind: 'code-block', text: 'const a = **1**;\n<b>x</b>' },
        paragraph(text('after')),
      ]);
      expect(parseRichText('```\nnever closed *x*')).to.deep.equal([
        paragraph(text('```\nnever closed '), { kind: 'em', children: [text('x')] }),
      ]);
    });

    it('blank lines separate paragraphs', () => {
      expect(parseRichText('\n\none\n\n\ntwo\n')).to.deep.equal([paragraph(text('one')), paragraph(text('two'))]);
    });

    it('deep nesting stops at a bounded depth and loses no character', () => {
      const source = `${'**_'.repeat(50)}x${'_**'.repeat(50)}`;
      const flat = (nodes: Inline[]): string =>
        nodes
          .map((node) =>
            node.kind === 'strong'
              ? `**${flat(node.children)}**`
              : node.kind === 'em'
                ? `_${flat(node.children)}_`
                : 'text' in node
                  ? node.text
                  : '',
          )
          .join('');
      const nodes = parseInline(source);
      expect(flat(nodes)).to.equal(source);
      const depth = (nodes: Inline[]): number =>
        Math.max(0, ...nodes.map((node) => ('children' in node ? 1 + depth(node.children) : 0)));
      expect(depth(nodes)).to.be.at.most(4);
    });

    it('huge and pathological input parses, keeping every character', () => {
      for (const source of [
        '*'.repeat(20_000),
        '_a'.repeat(10_000),
        '**a '.repeat(5_000),
        '`'.repeat(10_000),
        '['.repeat(5_000) + '](https://x.test)',
        'x'.repeat(30_000),
        '- item\n'.repeat(2_000),
      ]) {
        const blocks = parseRichText(source);
        const all = JSON.stringify(blocks);
        expect(blocks.length, source.slice(0, 20)).to.be.greaterThan(0);
        expect(all.length).to.be.greaterThan(0);
      }
      // Past what the database stores, a body is shown unparsed.
      const long = `**${'x'.repeat(30_000)}**`;
      expect(parseRichText(long)).to.deep.equal([paragraph(text(long))]);
    });
  });

  describe('rich text: plain text', () => {
    it('keeps the words and drops the marks', () => {
      expect(plainText('**Hi** _there_, `x` [docs](https://a.test)\n- one\n2. two\n```\nraw **x**\n```')).to.equal(
        'Hi there, x docs\none\ntwo\nraw **x**',
      );
      expect(plainText('2 * 3 * 4 <b>')).to.equal('2 * 3 * 4 <b>');
    });
  });

  describe('rich text: rendering', () => {
    it('renders every construct as its element and part, markup as text', async () => {
      const blocks = parseRichText(
        '**b** _i_ `<c>` https://a.test/x [l](https://b.test) @Carlos Reyes @Ana\n- one\n1. two\n```\n<img src=x onerror=alert(1)>\n```\n<script>alert(1)</script>',
        [
          { userId: CARLOS, name: 'Carlos Reyes' },
          { userId: ANA, name: 'Ana' },
        ],
      );
      const el = await fixture(html`<div>${renderRichText(blocks, { me: ANA })}</div>`);
      const part = (name: string) => [...el.querySelectorAll(`[part~="${name}"]`)];
      expect(part('strong').map((n) => n.tagName)).to.deep.equal(['STRONG']);
      expect(part('em').map((n) => n.tagName)).to.deep.equal(['EM']);
      expect(part('code').map((n) => n.textContent)).to.deep.equal(['<c>']);
      expect(part('link').map((n) => n.getAttribute('href'))).to.deep.equal(['https://a.test/x', 'https://b.test/']);
      for (const link of part('link') as HTMLAnchorElement[]) {
        expect(link.rel).to.equal('noopener noreferrer nofollow');
        expect(link.target).to.equal('_blank');
      }
      // A label can say anything: the real address shows on hover.
      expect(part('link').map((n) => n.getAttribute('title'))).to.deep.equal([null, 'https://b.test/']);
      expect(part('mention').map((n) => [n.textContent, n.getAttribute('part')])).to.deep.equal([
        ['@Carlos Reyes', 'mention'],
        ['@Ana', 'mention own'],
      ]);
      expect(part('body-list').map((n) => n.tagName)).to.deep.equal(['UL', 'OL']);
      expect(part('body-list-item').length).to.equal(2);
      expect(part('code-block')[0]!.textContent).to.equal('<img src=x onerror=alert(1)>');
      expect(el.querySelector('img, script')).to.equal(null);
      expect(part('paragraph').at(-1)!.textContent).to.equal('<script>alert(1)</script>');
      await expect(el).to.be.accessible();
    });

    it('a numbered list keeps its first number', async () => {
      const el = await fixture(
        html`<div>${renderRichText(parseRichText('7. seven\n8. eight'), { me: undefined })}</div>`,
      );
      expect(el.querySelector('ol')!.start).to.equal(7);
    });
  });
});
