/** Strings of `<meeting-participants>`. Functions receive values so a translation controls word order. */
export interface ParticipantsStrings {
  /** Accessible name of the list. */
  participantsLabel: string;
  /** Visible count above the list. */
  participantsCount: (count: number) => string;
  /** The overflow item: "+12 more". */
  participantsMore: (count: number) => string;
  /** Accessible name of the overflow item. */
  participantsMoreLabel: (count: number) => string;
  participantsShowAll: string;
  participantsShowFewer: string;
  participantsEmpty: string;
  participantsConnecting: string;
  participantsReconnecting: string;
  participantsAuthRequired: string;
  participantsNotAllowed: string;
  participantsError: string;
  participantsNoMeeting: string;
  /** Appended to one's own name. */
  participantsYou: string;
  participantsHost: string;
  participantsMuted: string;
  participantsVideoOn: string;
  participantsScreenSharing: string;
  participantsHandRaised: string;
  participantsAway: string;
  /** Badge of a participant recorded as in the meeting whose connection dropped. */
  participantsConnectionLost: string;
  /** Name shown for a participant whose profile could not be loaded. */
  participantsSomeone: string;
  /** Accessible name of the own-state toolbar. */
  participantsControls: string;
  participantsMute: string;
  participantsVideo: string;
  participantsShareScreen: string;
  participantsRaiseHand: string;
  participantsSetAway: string;
  /** Announcements (one status region, throttled): names already joined with Intl.ListFormat. */
  participantsJoined: (names: string, count: number) => string;
  participantsLeft: (names: string, count: number) => string;
  participantsManyJoined: (count: number) => string;
  participantsManyLeft: (count: number) => string;
  /** Beside the name of a participant online in the `org-id` organisation (the dot's words). */
  participantsOnline: string;
  /** Hands queue: the visible place of a raised hand ("Hand 2"). */
  participantsHandPosition: (position: number) => string;
  /** Hands queue: the same for screen readers ("second in the hands queue of 3"). */
  participantsHandPositionLabel: (position: number, count: number) => string;
  /** Meeting status, shown in the header. */
  participantsStatusScheduled: string;
  participantsStatusLive: string;
  participantsStatusEnded: string;
  /** The message of an ended meeting (controls disabled, nobody tracked). */
  participantsEnded: string;
  /** The message shown to a participant the host removed. */
  participantsRemoved: string;
  /** Connection quality badges; the self-report note is read after them by screen readers. */
  participantsQualityGood: string;
  participantsQualityPoor: string;
  participantsQualitySelfReported: string;
  /** Accessible name of the host's toolbar, and its buttons. */
  participantsHostControls: string;
  participantsStartMeeting: string;
  participantsEndMeeting: string;
  /** Per-participant host buttons; the label (with the name, unique) must contain the visible text. */
  participantsLowerHand: string;
  participantsLowerHandLabel: (name: string) => string;
  participantsRemove: string;
  participantsRemoveLabel: (name: string) => string;
  /** Announcements of what others changed. */
  participantsHandLowered: string;
  participantsMeetingLive: string;
  participantsMeetingEnded: string;
  participantsYouWereRemoved: string;
}

const plural = new Intl.PluralRules('en');
const many = (count: number, one: string, other: string) => (plural.select(count) === 'one' ? one : other);

/** English defaults. */
export const participantsStrings: ParticipantsStrings = {
  participantsLabel: 'Participants',
  participantsCount: (count) => `${count} ${many(count, 'participant', 'participants')}`,
  participantsMore: (count) => `+${count} more`,
  participantsMoreLabel: (count) => `${count} more ${many(count, 'participant', 'participants')}`,
  participantsShowAll: 'Show all',
  participantsShowFewer: 'Show fewer',
  participantsEmpty: 'Nobody is here yet.',
  participantsConnecting: 'Connecting…',
  participantsReconnecting: 'Reconnecting…',
  participantsAuthRequired: 'Sign in to see who is here.',
  participantsNotAllowed: 'You are not invited to this meeting.',
  participantsError: 'Could not load participants.',
  participantsNoMeeting: 'No meeting selected.',
  participantsYou: '(you)',
  participantsHost: 'Host',
  participantsMuted: 'Muted',
  participantsVideoOn: 'Camera on',
  participantsScreenSharing: 'Sharing screen',
  participantsHandRaised: 'Hand raised',
  participantsAway: 'Away',
  participantsConnectionLost: 'Connection lost',
  participantsSomeone: 'Participant',
  participantsControls: 'Your status',
  participantsMute: 'Mute',
  participantsVideo: 'Camera',
  participantsShareScreen: 'Share screen',
  participantsRaiseHand: 'Raise hand',
  participantsSetAway: 'Away',
  participantsJoined: (names) => `${names} joined`,
  participantsLeft: (names) => `${names} left`,
  participantsManyJoined: (count) => `${count} people joined`,
  participantsManyLeft: (count) => `${count} people left`,
  participantsOnline: 'Online',
  participantsHandPosition: (position) => `Hand ${position}`,
  participantsHandPositionLabel: (position, count) => `number ${position} of ${count} in the hands queue`,
  participantsStatusScheduled: 'Not started',
  participantsStatusLive: 'Live',
  participantsStatusEnded: 'Ended',
  participantsEnded: 'This meeting has ended.',
  participantsRemoved: 'The host removed you from this meeting.',
  participantsQualityGood: 'Good connection',
  participantsQualityPoor: 'Poor connection',
  participantsQualitySelfReported: '(as reported by their device)',
  participantsHostControls: 'Host controls',
  participantsStartMeeting: 'Start meeting',
  participantsEndMeeting: 'End meeting',
  participantsLowerHand: 'Lower hand',
  participantsLowerHandLabel: (name) => `Lower hand of ${name}`,
  participantsRemove: 'Remove',
  participantsRemoveLabel: (name) => `Remove ${name} from the meeting`,
  participantsHandLowered: 'The host lowered your hand',
  participantsMeetingLive: 'The meeting has started',
  participantsMeetingEnded: 'The meeting has ended',
  participantsYouWereRemoved: 'The host removed you from this meeting',
};
