/**
 * Every string `<pasabay-chat>` shows or announces. Override any subset through the element's
 * `strings` property; functions receive already-formatted values so translations control word order.
 */
export interface ChatStrings {
  /** Accessible name of the message log. */
  log: string;
  /** Accessible name of the composer textarea. */
  composer: string;
  composerPlaceholder: string;
  /** Visually hidden hint tied to the composer. */
  composerHint: string;
  send: string;
  save: string;
  cancel: string;
  loading: string;
  loadingOlder: string;
  olderFailed: string;
  beginning: string;
  empty: string;
  noConversation: string;
  connecting: string;
  reconnecting: string;
  offline: string;
  notAllowed: string;
  authRequired: string;
  error: string;
  retry: string;
  sending: string;
  sent: string;
  seen: string;
  seenBy: (names: string) => string;
  queued: string;
  /** A message whose last attempt failed for a passing reason; it is sent again by itself. */
  retryingBecause: (reason: string) => string;
  failed: string;
  /** A message the server refused, with its reason (e.g. a rate limit). */
  failedBecause: (reason: string) => string;
  /** An edit the server refused, with its reason. */
  editRefused: (reason: string) => string;
  /** A delete the server refused, with its reason. */
  deleteRefused: (reason: string) => string;
  /** A reaction the server refused, with its reason. */
  reactionRefused: (reason: string) => string;
  /** Closes the notice of a refused edit, delete or reaction. */
  dismiss: string;
  retrySend: string;
  discard: string;
  edited: string;
  deleted: string;
  you: string;
  someone: string;
  reply: string;
  edit: string;
  delete: string;
  react: string;
  messageActions: (sender: string) => string;
  replyingTo: (name: string) => string;
  editing: string;
  originalUnavailable: string;
  charactersLeft: (count: number) => string;
  charactersOver: (count: number) => string;
  newMessages: (count: number) => string;
  jumpToLatest: string;
  announceMessage: (sender: string, body: string) => string;
  announceMany: (count: number) => string;
  reaction: (emoji: string, name: string, count: number, mine: boolean) => string;
  /** Spoken names of the quick reactions, by emoji. */
  reactionNames: Record<string, string>;
  unread: (count: number) => string;
  /** Accessible name of the conversation header. */
  headerLabel: string;
  /** Header title of a conversation that has none (and of a direct chat whose other member is unknown). */
  headerUntitled: string;
  /** The header's back button (its accessible name). */
  headerBack: string;
  /** Accessible name of the header's avatars: the members shown, and how many more there are. */
  headerMembers: (names: string, more: number) => string;
  /** The avatar that stands for the members not shown: "+3". */
  headerMore: (count: number) => string;
  /** Direct chat: the other member is online (from the organisation's presence). */
  headerOnline: string;
  /** Group: how many of its members are online, themself included. */
  headerOnlineCount: (online: number, total: number) => string;
  /** The divider above the first message that was unread when the conversation opened. */
  unreadDivider: string;
  /** Description of a reply's quote, which is a button. */
  jumpToOriginal: string;
  /** The bar shown while a delete can still be undone. */
  deletePending: string;
  undo: string;
  /** A send the rate limit refused; it goes again by itself after `seconds`. */
  sendingTooFast: (seconds: number) => string;
  /** Accessible name of the list of people offered after typing `@` in the composer. */
  mentionList: string;
  /** The attach button (opens the file picker; files can also be pasted or dropped). */
  attach: string;
  /** Accessible name of a list of attachments. */
  attachments: string;
  /** Accessible name of a file's upload progress bar. */
  uploading: (name: string) => string;
  /** A file that did not upload, with the reason (one of the attachment… strings or the server's). */
  uploadFailed: (name: string, reason: string) => string;
  attachmentTooLarge: string;
  /** Too large, when the bucket's limit is known (`limit`: "10.5 MB" in the language's digits). */
  attachmentTooLargeLimit: (limit: string) => string;
  attachmentTypeRefused: (mimeType: string) => string;
  attachmentDenied: string;
  removeAttachment: (name: string) => string;
  /** Tooltip of an image thumbnail (its accessible name is the file name). */
  openImage: (name: string) => string;
  /** Accessible name of a download link; `size` is already formatted. */
  download: (name: string, size: string) => string;
  downloadShort: string;
  closeImage: string;
  /** A stored file whose link could not be made. */
  attachmentUnavailable: string;
}

const plural = new Intl.PluralRules('en');
const many = (count: number, one: string, other: string) => (plural.select(count) === 'one' ? one : other);

/** English defaults. */
export const chatStrings: ChatStrings = {
  log: 'Messages',
  composer: 'Message',
  composerPlaceholder: 'Write a message…',
  composerHint: 'Enter sends, Shift+Enter starts a new line.',
  send: 'Send',
  save: 'Save',
  cancel: 'Cancel',
  loading: 'Loading messages…',
  loadingOlder: 'Loading earlier messages…',
  olderFailed: 'Could not load earlier messages.',
  beginning: 'This is the beginning of the conversation.',
  empty: 'No messages yet. Say hello!',
  noConversation: 'No conversation selected.',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting… new messages will appear when the connection is back.',
  offline: 'You are offline. Messages you write will be sent when you are back online.',
  notAllowed: 'You are not a member of this conversation.',
  authRequired: 'Sign in to see this conversation.',
  error: 'Something went wrong loading this conversation.',
  retry: 'Try again',
  sending: 'Sending…',
  sent: 'Sent',
  seen: 'Seen',
  seenBy: (names) => `Seen by ${names}`,
  queued: 'Waiting for connection',
  retryingBecause: (reason) => `Not sent yet, trying again: ${reason}`,
  failed: 'Not sent',
  failedBecause: (reason) => `Not sent: ${reason}`,
  editRefused: (reason) => `Your edit was not saved: ${reason}`,
  deleteRefused: (reason) => `The message was not deleted: ${reason}`,
  reactionRefused: (reason) => `Your reaction was not saved: ${reason}`,
  dismiss: 'Dismiss',
  retrySend: 'Retry',
  discard: 'Discard',
  edited: 'edited',
  deleted: 'This message was deleted.',
  you: 'You',
  someone: 'Someone',
  reply: 'Reply',
  edit: 'Edit',
  delete: 'Delete',
  react: 'React',
  messageActions: (sender) => `Actions for message from ${sender}`,
  replyingTo: (name) => `Replying to ${name}`,
  editing: 'Editing message',
  originalUnavailable: 'Original message not loaded',
  charactersLeft: (count) => `${count} ${many(count, 'character', 'characters')} left`,
  charactersOver: (count) => `${count} ${many(count, 'character', 'characters')} over the limit`,
  newMessages: (count) => `${count} new ${many(count, 'message', 'messages')}`,
  jumpToLatest: 'Jump to latest messages',
  announceMessage: (sender, body) => `${sender}: ${body}`,
  announceMany: (count) => `${count} new ${many(count, 'message', 'messages')}`,
  reaction: (emoji, name, count, mine) =>
    `${name} ${emoji}, ${count} ${many(count, 'reaction', 'reactions')}${mine ? ', including yours' : ''}`,
  reactionNames: {
    '👍': 'Thumbs up',
    '❤️': 'Heart',
    '😂': 'Laughing',
    '😮': 'Surprised',
    '😢': 'Sad',
    '🙏': 'Thank you',
  },
  unread: (count) => `${count} unread`,
  headerLabel: 'Conversation',
  headerUntitled: 'Conversation',
  headerBack: 'Back to conversations',
  headerMembers: (names, more) => (more > 0 ? `${names} and ${more} more` : names),
  headerMore: (count) => `+${count}`,
  headerOnline: 'Online',
  headerOnlineCount: (online, total) => `${online} of ${total} online`,
  unreadDivider: 'New messages',
  jumpToOriginal: 'Go to the original message',
  deletePending: 'Message deleted.',
  undo: 'Undo',
  sendingTooFast: (seconds) => `Sending too fast — trying again in ${seconds} s`,
  mentionList: 'People to mention',
  attach: 'Attach files',
  attachments: 'Attachments',
  uploading: (name) => `Uploading ${name}`,
  uploadFailed: (name, reason) => `${name} was not attached: ${reason}`,
  attachmentTooLarge: 'the file is too large.',
  attachmentTooLargeLimit: (limit) => `the file is too large (at most ${limit}).`,
  attachmentTypeRefused: (mimeType) => `files of type ${mimeType} are not accepted.`,
  attachmentDenied: 'you may not add files to this conversation.',
  removeAttachment: (name) => `Remove ${name}`,
  openImage: (name) => `Open ${name}`,
  download: (name, size) => `Download ${name}, ${size}`,
  downloadShort: 'Download',
  closeImage: 'Close',
  attachmentUnavailable: 'File unavailable',
};

/** Defaults with `overrides` applied; `reactionNames` merges key by key. */
export function resolveChatStrings(overrides: Partial<ChatStrings> | undefined): ChatStrings {
  if (!overrides) return chatStrings;
  return {
    ...chatStrings,
    ...overrides,
    reactionNames: { ...chatStrings.reactionNames, ...overrides.reactionNames },
  };
}
