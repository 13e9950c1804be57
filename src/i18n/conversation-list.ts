/**
 * Strings of `<pasabay-conversation-list>`. Functions receive already-formatted values so a
 * translation controls word order. The typing sentences share their keys with `<typing-indicator>`.
 */
import { typingStrings, type TypingStrings } from './typing.js';

export interface ConversationListStrings extends TypingStrings {
  /** Accessible name of the list. */
  listLabel: string;
  /** Accessible name of the search field. */
  searchLabel: string;
  searchPlaceholder: string;
  /** Title of a conversation with neither a title nor another member to name it after. */
  untitled: string;
  /** Preview of a conversation without messages. */
  noMessages: string;
  /** Shown (slot `empty`'s default) when the user has no conversations. */
  empty: string;
  /** Shown when a search matches nothing; `query` is what the user typed. */
  noMatches: (query: string) => string;
  /** Spoken with the badge: `count` is already formatted for the language. */
  unread: (count: string) => string;
  /** Typing in a direct chat, where the name is the row's title already. */
  typingDirect: string;
  /** Announced when a search settles. */
  matches: (count: number) => string;
  /** Announced while the first page loads. */
  loading: string;
  /** The list could not be loaded (details go to `pasabay-error`). */
  loadFailed: string;
}

const plural = new Intl.PluralRules('en');

/** English defaults. */
export const conversationListStrings: ConversationListStrings = {
  ...typingStrings,
  listLabel: 'Conversations',
  searchLabel: 'Search conversations',
  searchPlaceholder: 'Search',
  untitled: 'Conversation',
  noMessages: 'No messages yet',
  empty: 'No conversations yet',
  noMatches: (query) => `No conversations match “${query}”`,
  unread: (count) => `${count} unread`,
  typingDirect: 'typing…',
  matches: (count) => `${count} ${plural.select(count) === 'one' ? 'conversation' : 'conversations'} found`,
  loading: 'Loading conversations…',
  loadFailed: 'The conversations could not be loaded.',
};
