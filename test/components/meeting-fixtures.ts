/** A `meeting_participants` row as the database sends it, for the roster's pure-logic tests. */
import type { MeetingParticipant } from '../../src/connection/schemas.js';

export function participantRow(
  meetingId: string,
  userId: string,
  joinedAt = '2025-01-01T10:00:00.000000+00:00',
  extra: Partial<MeetingParticipant> = {},
): MeetingParticipant {
  return {
    meeting_id: meetingId,
    user_id: userId,
    role: 'participant',
    joined_at: joinedAt,
    left_at: null,
    is_muted: false,
    is_video_on: false,
    is_screen_sharing: false,
    is_hand_raised: false,
    is_away: false,
    updated_at: joinedAt,
    ...extra,
  };
}
