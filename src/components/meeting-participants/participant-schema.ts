/**
 * The roster's view of a `meeting_participants` row: the shared schema plus the columns the hands
 * queue and the connection report added (issue 11). Kept here so the shared schema stays what
 * the other elements read; validated like every payload.
 */
import * as z from 'zod/mini';
import { broadcastChangeSchema, meetingParticipantSchema } from '../../connection/schemas.js';

/** A participant's own report of their connection, as recorded by `report_connection_quality`. */
export const connectionQualities = ['good', 'poor'] as const;
export type ConnectionQuality = (typeof connectionQualities)[number];

const timestamp = z.string().check(z.minLength(1));

export const rosterRowSchema = z.extend(meetingParticipantSchema, {
  // Absent in a row from a schema older than the migration reads as "down" / "not reported".
  hand_raised_at: z._default(z.nullable(timestamp), null),
  connection_quality: z._default(z.nullable(z.enum(connectionQualities)), null),
});
export type RosterRowRecord = z.infer<typeof rosterRowSchema>;

export const rosterChangeSchema = broadcastChangeSchema('meeting_participants', rosterRowSchema);
