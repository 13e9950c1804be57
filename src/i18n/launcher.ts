/** Strings of `<pasabay-launcher>`. Functions receive values so a translation controls word order. */
export interface LauncherStrings {
  /** Accessible name of the floating button while the panel is closed. */
  launcherOpen: string;
  /** Accessible name of the floating button while the panel is open. */
  launcherClose: string;
  /** Accessible name of the panel, and its visible heading unless the `title` attribute is set. */
  launcherTitle: string;
  /** The close button inside the panel. */
  launcherCloseButton: string;
  /** The badge's accessible text: the user's unread messages over all their conversations. */
  launcherUnread: (count: number) => string;
}

const plural = new Intl.PluralRules('en');

/** English defaults. */
export const launcherStrings: LauncherStrings = {
  launcherOpen: 'Open chat',
  launcherClose: 'Close chat',
  launcherTitle: 'Chat',
  launcherCloseButton: 'Close',
  launcherUnread: (count) => `${count} unread ${plural.select(count) === 'one' ? 'message' : 'messages'}`,
};
