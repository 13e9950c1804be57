/** Strings of `<meeting-reactions>`. Functions receive values so a translation controls word order. */
export interface ReactionsStrings {
  /** Accessible name of the group of reaction buttons. */
  reactionsLabel: string;
  /** Accessible name of one reaction button. */
  reactionsSend: (reaction: string) => string;
  /** What the live region says when someone reacts (`name` comes from their profile). */
  reactionsAnnounce: (name: string, reaction: string) => string;
  /** One's own reaction in the live region. */
  reactionsAnnounceOwn: (reaction: string) => string;
  /** Shown under a floating reaction of one's own. */
  reactionsYou: string;
  /** Name for a sender whose profile could not be loaded. */
  reactionsSomeone: string;
  /** The database refused a reaction; `reason` is its message (rate limit, not a participant, ended). */
  reactionsRefused: (reason: string) => string;
  /** The meeting channel was refused: not a participant (or over the Realtime budget). */
  reactionsNotAllowed: string;
  /** The meeting channel was refused for the user's Realtime budget (too many tabs or channels). */
  reactionsOverBudget: string;
  reactionsConnecting: string;
  reactionsAuthRequired: string;
  reactionsError: string;
  /** Label of the button that hides the refusal notice. */
  reactionsDismiss: string;
}

/** English defaults. */
export const reactionsStrings: ReactionsStrings = {
  reactionsLabel: 'Send a reaction',
  reactionsSend: (reaction) => `React with ${reaction}`,
  reactionsAnnounce: (name, reaction) => `${name} reacted ${reaction}`,
  reactionsAnnounceOwn: (reaction) => `You reacted ${reaction}`,
  reactionsYou: 'You',
  reactionsSomeone: 'Someone',
  reactionsRefused: (reason) => `Reaction not sent: ${reason}`,
  reactionsNotAllowed: 'Only the meeting’s participants can see and send reactions.',
  reactionsOverBudget: 'Too many live connections: close another tab or chat to see reactions.',
  reactionsConnecting: 'Connecting…',
  reactionsAuthRequired: 'Sign in to send reactions.',
  reactionsError: 'Reactions are unavailable.',
  reactionsDismiss: 'Dismiss',
};
