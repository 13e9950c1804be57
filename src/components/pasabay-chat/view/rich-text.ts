/**
 * Message formatting: a small, safe subset of Markdown parsed to a tree and rendered with Lit
 * templates (text bindings and a fixed set of elements, never `innerHTML`).
 *
 * Blocks: paragraphs (their line breaks kept), fenced code blocks (three backticks on a line of
 * their own; an unclosed fence is text), bullet lists (`- ` or `* `) and numbered lists (`1. ` or
 * `1) `), flat. Inline: `**bold**`, `*italic*` / `_italic_`, `` `code` ``, links (bare http(s)
 * URLs as linkify.ts finds them, `mailto:` addresses, and `[label](url)` with the same schemes),
 * and mentions (`@Name` of a user the message's `mentions` names). Anything else, including HTML,
 * unclosed or crossed markers and other URL schemes, stays the characters it is made of.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { linkify } from './linkify.js';

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'code'; text: string }
  /** `labelled`: written as `[label](url)`, so the label may differ from where it goes. */
  | { kind: 'link'; href: string; children: Inline[]; labelled?: true }
  | { kind: 'mention'; userId: string; text: string };

export type Block =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'code-block'; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: Inline[][] };

/** A user a message mentions, by the name shown after the `@`. */
export interface MentionTarget {
  userId: string;
  name: string;
}

/** Emphasis inside emphasis deeper than this stays text: a bounded tree whatever the input. */
const MAX_DEPTH = 4;
/** Longer bodies (the database allows 4000 characters) are shown as plain text, unparsed. */
const MAX_PARSED_LENGTH = 20_000;

const FENCE = /^ {0,3}```[^`]*$/;
const BULLET = /^ {0,3}[-*] +(.*)$/;
const NUMBERED = /^ {0,3}(\d{1,9})[.)] +(.*)$/;
const MAILTO = /mailto:[^\s<>"'`()[\]]+/y;
const MARKDOWN_LINK = /\[([^[\]\n]{1,500})\]\(([^()\s]{1,2000})\)/y;
const WORD = /[\p{L}\p{N}]/u;
/** Where a construct may start; the characters between are copied as one run. */
const SPECIAL = /[`*_[@]|mailto:/gi;

const isWord = (char: string | undefined) => char !== undefined && WORD.test(char);
const isSpace = (char: string | undefined) => char === undefined || /\s/.test(char);

/** The same rules as linkify.ts for http(s); a mailto: needs an address with an @ and a host. */
export function safeHref(candidate: string): string | undefined {
  if (/^mailto:/i.test(candidate)) {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return undefined;
    }
    return url.protocol === 'mailto:' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(decodeSafely(url.pathname))
      ? url.href
      : undefined;
  }
  const parts = linkify(candidate);
  const only = parts[0];
  return parts.length === 1 && only?.kind === 'link' && only.text === candidate ? only.href : undefined;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

/** Parses a message body. `mentions` are the users whose `@Name` becomes a mention. */
export function parseRichText(source: string, mentions: readonly MentionTarget[] = []): Block[] {
  if (source.length > MAX_PARSED_LENGTH) return [{ kind: 'paragraph', children: [{ kind: 'text', text: source }] }];
  // Longest names first, so "@Ana Cruz" wins over "@Ana".
  const targets = mentions.filter((target) => target.name.length > 0).sort((a, b) => b.name.length - a.name.length);
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    // Blank lines at a paragraph's edges are the gap between blocks, not its text.
    while (paragraph.length > 0 && paragraph[0]!.trim() === '') paragraph.shift();
    while (paragraph.length > 0 && paragraph.at(-1)!.trim() === '') paragraph.pop();
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', children: parseInline(paragraph.join('\n'), targets) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      const end = lines.findIndex((candidate, j) => j > i && /^ {0,3}```\s*$/.test(candidate));
      if (end !== -1) {
        flush();
        blocks.push({ kind: 'code-block', text: lines.slice(i + 1, end).join('\n') });
        i = end;
        continue;
      }
    }
    const list = listItem(line);
    if (list) {
      flush();
      const items: Inline[][] = [parseInline(list.text, targets)];
      while (i + 1 < lines.length) {
        const next = listItem(lines[i + 1]!);
        if (!next || next.ordered !== list.ordered) break;
        items.push(parseInline(next.text, targets));
        i++;
      }
      blocks.push({ kind: 'list', ordered: list.ordered, start: list.start, items });
      continue;
    }
    if (line.trim() === '' && paragraph.length > 0 && paragraph.at(-1)!.trim() !== '') {
      // A blank line ends the paragraph.
      flush();
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return blocks;
}

function listItem(line: string): { ordered: boolean; start: number; text: string } | undefined {
  const bullet = BULLET.exec(line);
  if (bullet) return { ordered: false, start: 1, text: bullet[1]! };
  const numbered = NUMBERED.exec(line);
  if (numbered) return { ordered: true, start: Number(numbered[1]), text: numbered[2]! };
  return undefined;
}

/** Inline constructs of one paragraph or list item. */
export function parseInline(
  text: string,
  mentions: readonly MentionTarget[] = [],
  depth = 0,
  inLink = false,
): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const push = (node: Inline) => {
    if (buffer) out.push({ kind: 'text', text: buffer });
    buffer = '';
    out.push(node);
  };
  // Bare http(s) URLs, found once by linkify.ts and taken whole: markers inside them are not emphasis.
  const urls = new Map<number, { end: number; href: string; text: string }>();
  if (!inLink && /https?:\/\//i.test(text)) {
    let offset = 0;
    for (const part of linkify(text)) {
      if (part.kind === 'link') urls.set(offset, { end: offset + part.text.length, href: part.href, text: part.text });
      offset += part.text.length;
    }
  }
  // Closing markers that are known to be absent from some position on, so a text full of openers stays linear.
  const noCloserFrom = new Map<string, number>();

  const urlStarts = [...urls.keys()];
  let nextUrl = 0;
  let i = 0;
  while (i < text.length) {
    const url = urls.get(i);
    if (url) {
      push({ kind: 'link', href: url.href, children: [{ kind: 'text', text: url.text }] });
      i = url.end;
      continue;
    }
    while (nextUrl < urlStarts.length && urlStarts[nextUrl]! < i) nextUrl++;
    SPECIAL.lastIndex = i;
    const stop = Math.min(SPECIAL.exec(text)?.index ?? text.length, urlStarts[nextUrl] ?? text.length);
    if (stop > i) {
      buffer += text.slice(i, stop);
      i = stop;
      continue;
    }
    const char = text[i]!;
    if (char === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    } else if (char === '*' && text[i + 1] === '*' && depth < MAX_DEPTH) {
      const end = isSpace(text[i + 2]) ? -1 : closer(text, '**', i + 2, noCloserFrom, false);
      if (end !== -1) {
        push({ kind: 'strong', children: parseInline(text.slice(i + 2, end), mentions, depth + 1, inLink) });
        i = end + 2;
        continue;
      }
      // No closing "**": both stars are text, not the start of an italic.
      buffer += '**';
      i += 2;
      continue;
    } else if ((char === '*' || char === '_') && depth < MAX_DEPTH && !isSpace(text[i + 1])) {
      const opens = char === '*' ? text[i + 1] !== '*' : !isWord(text[i - 1]);
      const end = opens ? closer(text, char, i + 1, noCloserFrom, char === '_') : -1;
      if (end !== -1) {
        push({ kind: 'em', children: parseInline(text.slice(i + 1, end), mentions, depth + 1, inLink) });
        i = end + 1;
        continue;
      }
    } else if (char === '[' && !inLink) {
      MARKDOWN_LINK.lastIndex = i;
      const match = MARKDOWN_LINK.exec(text);
      const href = match ? safeHref(match[2]!) : undefined;
      if (match && href) {
        push({ kind: 'link', href, children: parseInline(match[1]!, mentions, depth + 1, true), labelled: true });
        i += match[0].length;
        continue;
      }
    } else if ((char === 'm' || char === 'M') && !inLink && !isWord(text[i - 1])) {
      MAILTO.lastIndex = i;
      const match = MAILTO.exec(text);
      const candidate = match?.[0].replace(/[.,;:!?]+$/, '');
      const href = candidate ? safeHref(candidate) : undefined;
      if (candidate && href) {
        push({ kind: 'link', href, children: [{ kind: 'text', text: candidate }] });
        i += candidate.length;
        continue;
      }
    } else if (char === '@' && !isWord(text[i - 1])) {
      const target = mentions.find(
        (candidate) => text.startsWith(candidate.name, i + 1) && !isWord(text[i + 1 + candidate.name.length]),
      );
      if (target) {
        push({ kind: 'mention', userId: target.userId, text: `@${target.name}` });
        i += 1 + target.name.length;
        continue;
      }
    }
    buffer += char;
    i++;
  }
  if (buffer) out.push({ kind: 'text', text: buffer });
  return out;
}

/**
 * Where `marker` closes an emphasis opened just before `from`: content neither empty nor with
 * space inside its markers, and for `_` not inside a word (snake_case stays text).
 */
function closer(text: string, marker: string, from: number, absent: Map<string, number>, wordBound: boolean): number {
  const known = absent.get(marker);
  if (known !== undefined && from >= known) return -1;
  let at = text.indexOf(marker, from);
  while (at !== -1) {
    const valid =
      at > from &&
      !isSpace(text[at - 1]) &&
      (!wordBound || !isWord(text[at + marker.length])) &&
      // A single star next to another is part of a "**", not an italic's end.
      (marker !== '*' || (text[at + 1] !== '*' && text[at - 1] !== '*'));
    if (valid) return at;
    at = text.indexOf(marker, at + 1);
  }
  absent.set(marker, Math.min(from, known ?? from));
  return -1;
}

/** How rendering shows a mention: the viewer's own is emphasised. */
export interface RichTextView {
  /** The signed-in user's id. */
  me: string | undefined;
}

/** Lit templates of a parsed body. Whitespace-free between elements: the body is `pre-wrap`. */
export function renderRichText(blocks: readonly Block[], view: RichTextView): TemplateResult[] {
  return blocks.map((block) => {
    if (block.kind === 'code-block') return html`<pre part="code-block"><code>${block.text}</code></pre>`;
    if (block.kind === 'list') {
      const items = block.items.map((item) => html`<li part="body-list-item">${renderInline(item, view)}</li>`);
      return block.ordered
        ? html`<ol part="body-list ordered" start=${block.start === 1 ? nothing : block.start}>
            ${items}
          </ol>`
        : html`<ul part="body-list">
            ${items}
          </ul>`;
    }
    return html`<p part="paragraph">${renderInline(block.children, view)}</p>`;
  });
}

function renderInline(nodes: readonly Inline[], view: RichTextView): TemplateResult[] {
  return nodes.map((node) => {
    switch (node.kind) {
      case 'text':
        return html`${node.text}`;
      case 'strong':
        return html`<strong part="strong">${renderInline(node.children, view)}</strong>`;
      case 'em':
        return html`<em part="em">${renderInline(node.children, view)}</em>`;
      case 'code':
        return html`<code part="code">${node.text}</code>`;
      case 'mention':
        return html`<span part=${node.userId === view.me ? 'mention own' : 'mention'} data-user-id=${node.userId}
          >${node.text}</span
        >`;
      case 'link':
        return html`<a
          part="link"
          href=${node.href}
          title=${node.labelled ? node.href : nothing}
          target="_blank"
          rel="noopener noreferrer nofollow"
          referrerpolicy="no-referrer"
          >${renderInline(node.children, view)}</a
        >`;
    }
  });
}

/** Plain text of parsed inline nodes (what a screen reader or a preview would read). */
export function inlineText(nodes: readonly Inline[]): string {
  return nodes.map((node) => ('children' in node ? inlineText(node.children) : node.text)).join('');
}

/** A body as words, without its formatting marks: what a screen reader announces. */
export function plainText(source: string): string {
  return parseRichText(source)
    .map((block) =>
      block.kind === 'code-block'
        ? block.text
        : block.kind === 'list'
          ? block.items.map((item) => inlineText(item)).join('\n')
          : inlineText(block.children),
    )
    .join('\n');
}
