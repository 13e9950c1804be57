/**
 * Every REST call `<pasabay-chat>` makes, with responses validated by the shared zod schemas.
 * Functions return values or `{ error }`; none throws, so the element can show a state for each.
 */
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import {
  conversationSchema,
  memberSchema,
  messageSchema,
  parseList,
  parsePayload,
  profileSchema,
  reactionSchema,
  type Conversation,
  type Member,
  type Message,
  type Profile,
  type Reaction,
} from '../../../connection/schemas.js';
import { reported } from '../../../events/pasabay-error.js';
import type { SendOutcome, OutboxItem } from './outbox.js';
import { timestampMicros } from '../../../connection/timestamps.js';
import { INSUFFICIENT_PRIVILEGE } from '../../../connection/wire.js';

export interface RequestFailure {
  /** HTTP status; 0 when the request never got an answer (offline, connection reset). */
  status: number;
  code: string;
  message: string;
}

export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: RequestFailure };

interface Response {
  data: unknown;
  error: PostgrestError | null;
  status: number;
}

/** Not a member (RLS refused, or the conversation is not visible). */
export function isForbidden(error: RequestFailure): boolean {
  return error.status === 401 || error.status === 403 || error.code === INSUFFICIENT_PRIVILEGE;
}

export { isRateLimited } from '../../../connection/wire.js';

/** The request may succeed later without any change: no answer, or the server was unavailable. */
export function isTransient(error: RequestFailure): boolean {
  return (
    error.status === 0 || error.status === 408 || error.status === 502 || error.status === 503 || error.status === 504
  );
}

function failure(response: Response): RequestFailure {
  return {
    status: response.status,
    code: response.error?.code ?? '',
    message: response.error?.message ?? `Request failed with HTTP ${response.status}`,
  };
}

async function run(request: PromiseLike<Response>): Promise<Result<unknown>> {
  try {
    const response = await request;
    return response.error ? { error: failure(response) } : { data: response.data };
  } catch (error) {
    return { error: { status: 0, code: '', message: error instanceof Error ? error.message : String(error) } };
  }
}

export interface DataContext {
  client: SupabaseClient;
  /** Receives `pasabay-error` events for payloads that fail validation. */
  target: EventTarget;
}

const MESSAGE_COLUMNS = 'id, conversation_id, sender_id, body, reply_to, created_at, edited_at, deleted_at';

export interface OpenTarget {
  conversationId?: string | undefined;
  withUser?: string | undefined;
  externalRef?: string | undefined;
  /** The other members an `externalRef` conversation has: the key resolves to exactly this set plus the caller. */
  memberIds?: string[] | undefined;
}

/** The conversation to show: the given id, or the one an RPC finds or creates. `undefined` when not a member. */
export async function resolveConversation(
  { client, target }: DataContext,
  open: OpenTarget,
): Promise<Result<Conversation | undefined>> {
  let result: Result<unknown>;
  let source: string;
  if (open.conversationId) {
    source = 'conversations';
    result = await run(client.from('conversations').select('*').eq('id', open.conversationId).maybeSingle());
  } else if (open.withUser) {
    source = 'rpc start_direct_conversation';
    result = await run(client.rpc('start_direct_conversation', { other_user_id: open.withUser }));
  } else if (open.externalRef) {
    source = 'rpc get_or_create_conversation';
    result = await run(
      client.rpc('get_or_create_conversation', { external_ref: open.externalRef, member_ids: open.memberIds ?? [] }),
    );
  } else {
    return { data: undefined };
  }
  if (result.error) return isForbidden(result.error) ? { data: undefined } : result;
  const row = Array.isArray(result.data) ? result.data[0] : result.data;
  if (row === null || row === undefined) return { data: undefined };
  const conversation = reported(target, parsePayload(conversationSchema, row, source));
  return conversation
    ? { data: conversation }
    : { error: { status: 200, code: 'invalid-payload', message: `Invalid ${source} row` } };
}

export async function fetchMembers({ client, target }: DataContext, conversationId: string): Promise<Result<Member[]>> {
  const result = await run(client.from('conversation_members').select('*').eq('conversation_id', conversationId));
  if (result.error) return result;
  return { data: reported(target, parseList(memberSchema, result.data, 'conversation_members')) };
}

export async function fetchProfiles({ client, target }: DataContext, userIds: string[]): Promise<Result<Profile[]>> {
  if (userIds.length === 0) return { data: [] };
  const result = await run(client.from('profiles').select('id, display_name, avatar_url').in('id', userIds));
  if (result.error) return result;
  return { data: reported(target, parseList(profileSchema, result.data, 'profiles')) };
}

/**
 * The newest `limit` messages before the cursor (the latest when omitted), oldest first. Keyset
 * pagination on (created_at, id), the list's order: rows sharing the cursor's timestamp (a bulk
 * import) are neither skipped nor repeated. Two queries, since the REST subset has no `or` filter.
 */
export async function fetchPage(
  { client, target }: DataContext,
  conversationId: string,
  limit: number,
  before?: { created_at: string; id: string },
): Promise<Result<Message[]>> {
  const base = () => client.from('messages').select(MESSAGE_COLUMNS).eq('conversation_id', conversationId);
  const newestFirst = <Q extends ReturnType<typeof base>>(query: Q) =>
    query.order('created_at', { ascending: false }).order('id', { ascending: false }).limit(limit);
  const queries = before
    ? [
        run(newestFirst(base().eq('created_at', before.created_at).lt('id', before.id))),
        run(newestFirst(base().lt('created_at', before.created_at))),
      ]
    : [run(newestFirst(base()))];
  const rows: Message[] = [];
  for (const result of await Promise.all(queries)) {
    if (result.error) return result;
    rows.push(...reported(target, parseList(messageSchema, result.data, 'messages')));
  }
  rows.sort(
    (a, b) => timestampMicros(b.created_at) - timestampMicros(a.created_at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
  return { data: rows.slice(0, limit).reverse() };
}

// A row's created_at is its transaction's start time, so a message can commit (and be broadcast)
// after a newer one; catching up from a little before the newest held row covers that.
const CATCH_UP_OVERLAP_MS = 60_000;

/** Everything created, edited or deleted since `since` (minus an overlap), for catching up after a gap. */
export async function fetchSince(
  { client, target }: DataContext,
  conversationId: string,
  since: string,
): Promise<Result<Message[]>> {
  const from = new Date(Math.floor(timestampMicros(since) / 1000) - CATCH_UP_OVERLAP_MS).toISOString();
  const base = () => client.from('messages').select(MESSAGE_COLUMNS).eq('conversation_id', conversationId);
  const results = await Promise.all([
    run(base().gte('created_at', from).order('created_at', { ascending: true }).limit(1000)),
    run(base().gte('edited_at', from).limit(1000)),
    run(base().gte('deleted_at', from).limit(1000)),
  ]);
  const rows: Message[] = [];
  for (const result of results) {
    if (result.error) return result;
    rows.push(...reported(target, parseList(messageSchema, result.data, 'messages')));
  }
  return { data: rows };
}

export async function fetchReactions(
  { client, target }: DataContext,
  messageIds: string[],
): Promise<Result<Reaction[]>> {
  if (messageIds.length === 0) return { data: [] };
  const result = await run(
    client.from('message_reactions').select('message_id, user_id, emoji, created_at').in('message_id', messageIds),
  );
  if (result.error) return result;
  return { data: reported(target, parseList(reactionSchema, result.data, 'message_reactions')) };
}

/**
 * One send attempt. Upsert on the client-generated id with ignore-duplicates: if an earlier attempt
 * reached the server but its answer was lost, this one inserts nothing and fails nothing, and the
 * stored row is read back.
 */
export async function sendMessage({ client, target }: DataContext, item: OutboxItem): Promise<SendOutcome> {
  // sender_id is the caller's anyway; naming it makes the server refuse a send under another session.
  const row = {
    id: item.id,
    conversation_id: item.conversation_id,
    sender_id: item.sender_id,
    body: item.body,
    reply_to: item.reply_to,
  };
  const inserted = await run(
    client.from('messages').upsert(row, { onConflict: 'id', ignoreDuplicates: true }).select(MESSAGE_COLUMNS),
  );
  if (inserted.error) return refused(inserted.error);
  let stored = reported(target, parseList(messageSchema, inserted.data, 'messages insert'))[0];
  if (!stored) {
    const existing = await run(client.from('messages').select(MESSAGE_COLUMNS).eq('id', item.id).maybeSingle());
    if (existing.error) return refused(existing.error);
    const found = reported(target, parsePayload(messageSchema, existing.data, 'messages'));
    if (!found) return { ok: false, retryable: false, message: 'The server did not store the message.' };
    stored = found;
  }
  return { ok: true, row: stored };
}

function refused(error: RequestFailure): SendOutcome {
  return { ok: false, retryable: isTransient(error), message: error.message };
}

export async function editMessage(
  { client, target }: DataContext,
  id: string,
  body: string,
): Promise<Result<Message | undefined>> {
  const result = await run(client.from('messages').update({ body }).eq('id', id).select(MESSAGE_COLUMNS));
  if (result.error) return result;
  return { data: reported(target, parseList(messageSchema, result.data, 'messages update'))[0] };
}

/** Soft delete: the row stays (so replies keep their place) with its body emptied by the database. */
export async function deleteMessage({ client, target }: DataContext, id: string): Promise<Result<Message | undefined>> {
  const result = await run(
    client.from('messages').update({ deleted_at: new Date().toISOString() }).eq('id', id).select(MESSAGE_COLUMNS),
  );
  if (result.error) return result;
  return { data: reported(target, parseList(messageSchema, result.data, 'messages update'))[0] };
}

export async function setReaction(
  { client }: DataContext,
  reaction: { message_id: string; user_id: string; emoji: string },
  present: boolean,
): Promise<Result<unknown>> {
  if (present) {
    return run(
      client
        .from('message_reactions')
        .upsert(
          { message_id: reaction.message_id, emoji: reaction.emoji },
          { onConflict: 'message_id,user_id,emoji', ignoreDuplicates: true },
        ),
    );
  }
  return run(
    client
      .from('message_reactions')
      .delete()
      .eq('message_id', reaction.message_id)
      .eq('user_id', reaction.user_id)
      .eq('emoji', reaction.emoji),
  );
}

export async function markRead({ client }: DataContext, conversationId: string): Promise<Result<unknown>> {
  return run(client.rpc('mark_conversation_read', { conversation_id: conversationId }));
}
