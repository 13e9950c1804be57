import { html, type TemplateResult } from 'lit';

/** A run of plain text, or a link whose `href` is a checked absolute http(s) URL. */
export type BodyPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Candidates only: every match is still parsed with `URL` and its scheme checked. Control
// characters end a URL like whitespace does.
// eslint-disable-next-line no-control-regex
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f\u007f]+/gi;
const TRAILING = /[.,;:!?'"…)\]}>]$/;
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function trimTrailing(candidate: string): string {
  let url = candidate;
  while (TRAILING.test(url)) {
    const last = url.at(-1)!;
    const opener = PAIRS[last];
    // Keep a closing bracket that closes one inside the URL, as in Wikipedia links.
    if (opener && count(url, opener) >= count(url, last)) break;
    url = url.slice(0, -1);
  }
  return url;
}

const count = (text: string, char: string) => text.split(char).length - 1;

function safeHref(candidate: string): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return undefined;
  return url.href;
}

/** Splits plain text into text and http(s) links. Nothing else (javascript:, data:, mailto:…) becomes a link. */
export function linkify(text: string): BodyPart[] {
  const parts: BodyPart[] = [];
  let cursor = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = trimTrailing(match[0]);
    const href = safeHref(candidate);
    if (!href) continue;
    const start = match.index;
    if (start > cursor) parts.push({ kind: 'text', text: text.slice(cursor, start) });
    parts.push({ kind: 'link', text: candidate, href });
    cursor = start + candidate.length;
  }
  if (cursor < text.length) parts.push({ kind: 'text', text: text.slice(cursor) });
  return parts;
}

/**
 * Lit template of a message body: text bindings and `<a>` elements only, so markup in a body is shown
 * as the characters it is made of.
 */
export function renderBody(text: string): TemplateResult[] {
  return linkify(text).map((part) =>
    part.kind === 'text'
      ? html`${part.text}`
      : html`<a
          part="link"
          href=${part.href}
          target="_blank"
          rel="noopener noreferrer nofollow"
          referrerpolicy="no-referrer"
          >${part.text}</a
        >`,
  );
}
