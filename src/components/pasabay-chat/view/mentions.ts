/**
 * What a message's `mentions` are, from its final text: in the element's first chunk, so a message
 * sent before the `@` picker (mention-picker.ts, loaded on demand) arrived still mentions the
 * members whose `@Name` it holds.
 */
import type { MentionTarget } from './rich-text.js';

/** The id of the picker's listbox, for the textarea's `aria-controls`. */
export const MENTION_LIST_ID = 'mention-list';

/**
 * Ids of the members whose `@Name` (not followed by a letter or digit) is in `body`. Of members
 * sharing a name, those in `picked`, or all of them when none was picked.
 */
export function mentionedIds(
  body: string,
  candidates: readonly MentionTarget[],
  picked: ReadonlySet<string>,
): string[] {
  const present = candidates.filter((candidate) => containsMention(body, candidate.name));
  return present
    .filter(
      (candidate) =>
        picked.has(candidate.userId) ||
        !present.some((other) => other.name === candidate.name && picked.has(other.userId)),
    )
    .map((candidate) => candidate.userId);
}

function containsMention(body: string, name: string): boolean {
  const token = `@${name}`;
  for (let at = body.indexOf(token); at !== -1; at = body.indexOf(token, at + 1)) {
    const after = body[at + token.length];
    if (after === undefined || !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}
