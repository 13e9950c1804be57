/**
 * `<pasabay-chat meeting-id>`: the meeting's chat comes from RPC `open_meeting_conversation`, which
 * returns it to current participants (creating it when the host, or the meeting's setting,
 * allows) and refuses everyone else with 42501, shown as the "not allowed" state.
 */
import { conversationSchema, parsePayload, type Conversation } from '../../connection/schemas.js';
import { reported } from '../../events/pasabay-error.js';
import { REQUEST_TIMEOUT_MS, isForbidden, type DataContext, type Result } from './state/chat-data.js';

const SOURCE = 'rpc open_meeting_conversation';

/** The meeting's conversation; `undefined` when the caller is not (or no longer) a participant. */
export async function openMeetingConversation(
  context: DataContext,
  meetingId: string,
): Promise<Result<Conversation | undefined>> {
  const timeoutMs = context.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = context.signal ? AbortSignal.any([context.signal, timeout]) : timeout;
  let response: { data: unknown; error: { code?: string; message: string } | null; status: number };
  try {
    response = await context.client.rpc('open_meeting_conversation', { meeting_id: meetingId }).abortSignal(signal);
  } catch (error) {
    return { error: { status: 0, code: '', message: error instanceof Error ? error.message : String(error) } };
  }
  if (signal.aborted) {
    const timedOut = timeout.aborted;
    const message = timedOut ? `No answer within ${Math.round(timeoutMs / 1000)} s` : 'Request cancelled';
    return { error: { status: 0, code: timedOut ? 'timeout' : 'aborted', message } };
  }
  if (response.error) {
    const error = { status: response.status, code: response.error.code ?? '', message: response.error.message };
    return isForbidden(error) ? { data: undefined } : { error };
  }
  const conversation = reported(context.target, parsePayload(conversationSchema, response.data, SOURCE));
  return conversation
    ? { data: conversation }
    : { error: { status: 200, code: 'invalid-payload', message: `Invalid ${SOURCE} row` } };
}
