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
import { INSUFFICIENT_PRIVILEGE, RATE_LIMITED_CODE, isRateLimited } from '../../../connection/wire.js';

export interface RequestFailure {
  /** HTTP status; 0 when the request never got an answer (offline, connection reset, timed out). */
  status: number;
  code: string;
  message: string;
  /** How long the server asked to wait before trying again, when it said. */
  retryAfterSeconds?: number;
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

export { isRateLimited };

/** PostgREST's own codes for "could not reach the database" (PGRST000–PGRST003). */
const CONNECTION_CODES = new Set(['PGRST000', 'PGRST001', 'PGRST002', 'PGRST003']);

/**
 * SQLSTATEs PostgREST answers with 500 that pass by themselves: statement and lock timeouts,
 * serialization failures and deadlocks, a server shutting down or starting up.
 */
const TRANSIENT_SQLSTATES = new Set(['57014', '55P03', '40001', '40P01', '57P01', '57P02', '57P03']);

/** An expired JWT: supabase-js refreshes the session, and the same request then succeeds. */
const EXPIRED_JWT = 'PGRST303';

/**
 * The request may succeed later without any change on the user's part: no answer (offline,
 * connection reset, timed out), the server or its database was unavailable or overloaded, or a rate
 * limit that lifts with time. Everything else (validation, permission, a conflict) never will.
 */
export function isTransient(error: RequestFailure): boolean {
  const { status, code } = error;
  if (status === 0 || status === 408 || status === 429 || status === 502 || status === 503 || status === 504)
    return true;
  if (code === RATE_LIMITED_CODE) return true;
  if (status === 500) return CONNECTION_CODES.has(code) || TRANSIENT_SQLSTATES.has(code);
  if (status === 401) return code === EXPIRED_JWT;
  return false;
}

/**
 * How long a rate-limited request should wait at least before it is tried again: the `Retry-After`
 * the server sent when known, else one slot of the limit's window, read from its reason ("at most
 * 30 messages a minute" → 2 s). `undefined` when the failure says nothing about it.
 */
export function retryAfterMs(error: RequestFailure): number | undefined {
  if (error.retryAfterSeconds !== undefined) return error.retryAfterSeconds * 1000;
  if (!isRateLimited(error)) return undefined;
  const limit = /at most (\d+)\b.*\ba (second|minute|hour)\b/i.exec(error.message);
  if (!limit) return undefined;
  const count = Number(limit[1]);
  const windowMs = { second: 1000, minute: 60_000, hour: 3_600_000 }[limit[2]!.toLowerCase() as 'minute'];
  return count > 0 ? Math.ceil(windowMs / count) : undefined;
}

function failure(response: Response): RequestFailure {
  const result: RequestFailure = {
    status: response.status,
    code: response.error?.code ?? '',
    message: response.error?.message ?? `Request failed with HTTP ${response.status}`,
  };
  // A server may say how long to wait in the error's details or hint ("retry after 12 s").
  const said = /retry[- ]after:?\s*(\d+)\s*s/i.exec(`${response.error?.details ?? ''} ${response.error?.hint ?? ''}`);
  if (said) result.retryAfterSeconds = Number(said[1]);
  return result;
}

/** How long one request may take before it is aborted and counted as unanswered (status 0). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** A query builder of supabase-js: it can be aborted (`.abortSignal()`), and awaited. */
interface Abortable {
  abortSignal(signal: AbortSignal): PromiseLike<Response>;
}

/**
 * Runs one request with a timeout, also aborted when `context.signal` aborts (the element went
 * offline or closed the conversation). An aborted or timed-out request is a failure with status 0.
 */
async function run(
  request: Abortable | ((signal: AbortSignal) => PromiseLike<Response>),
  context: DataContext,
): Promise<Result<unknown>> {
  const controller = new AbortController();
  const timeoutMs = context.timeoutMs ?? REQUEST_TIMEOUT_MS;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const outer = context.signal;
  const abort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', abort, { once: true });
  try {
    const response = await (typeof request === 'function'
      ? request(controller.signal)
      : request.abortSignal(controller.signal));
    if (controller.signal.aborted) {
      const why = timedOut ? `No answer within ${Math.round(timeoutMs / 1000)} s` : 'Request cancelled';
      return { error: { status: 0, code: timedOut ? 'timeout' : 'aborted', message: why } };
    }
    return response.error ? { error: failure(response) } : { data: response.data };
  } catch (error) {
    return { error: { status: 0, code: '', message: error instanceof Error ? error.message : String(error) } };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', abort);
  }
}

export interface DataContext {
  client: SupabaseClient;
  /** Receives `pasabay-error` events for payloads that fail validation. */
  target: EventTarget;
  /** Aborts every request made with this context (going offline, closing the conversation). */
  signal?: AbortSignal | undefined;
  /** Per-request timeout; `REQUEST_TIMEOUT_MS` when omitted. */
  timeoutMs?: number | undefined;
}

const MESSAGE_COLUMNS = 'id, conversation_id, sender_id, body, reply_to, created_at, edited_at, deleted_at, mentions';

export interface OpenTarget {
  conversationId?: string | undefined;
  withUser?: string | undefined;
  externalRef?: string | undefined;
  /** The other members an `externalRef` conversation has: the key resolves to exactly this set plus the caller. */
  memberIds?: string[] | undefined;
}

/** The conversation to show: the given id, or the one an RPC finds or creates. `undefined` when not a member. */
export async function resolveConversation(
  context: DataContext,
  open: OpenTarget,
): Promise<Result<Conversation | undefined>> {
  const { client, target } = context;
  let result: Result<unknown>;
  let source: string;
  if (open.conversationId) {
    source = 'conversations';
    result = await run(
      (signal) =>
        client.from('conversations').select('*').eq('id', open.conversationId).abortSignal(signal).maybeSingle(),
      context,
    );
  } else if (open.withUser) {
    source = 'rpc start_direct_conversation';
    result = await run(client.rpc('start_direct_conversation', { other_user_id: open.withUser }), context);
  } else if (open.externalRef) {
    source = 'rpc get_or_create_conversation';
    result = await run(
      client.rpc('get_or_create_conversation', { external_ref: open.externalRef, member_ids: open.memberIds ?? [] }),
      context,
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

export async function fetchMembers(context: DataContext, conversationId: string): Promise<Result<Member[]>> {
  const { client, target } = context;
  const result = await run(
    client.from('conversation_members').select('*').eq('conversation_id', conversationId),
    context,
  );
  if (result.error) return result;
  return { data: reported(target, parseList(memberSchema, result.data, 'conversation_members')) };
}

export async function fetchProfiles(context: DataContext, userIds: string[]): Promise<Result<Profile[]>> {
  const { client, target } = context;
  if (userIds.length === 0) return { data: [] };
  const result = await run(client.from('profiles').select('id, display_name, avatar_url').in('id', userIds), context);
  if (result.error) return result;
  return { data: reported(target, parseList(profileSchema, result.data, 'profiles')) };
}

/**
 * The newest `limit` messages before the cursor (the latest when omitted), oldest first. Keyset
 * pagination on (created_at, id), the list's order: rows sharing the cursor's timestamp (a bulk
 * import) are neither skipped nor repeated. Two queries, since the REST subset has no `or` filter.
 */
export async function fetchPage(
  context: DataContext,
  conversationId: string,
  limit: number,
  before?: { created_at: string; id: string },
): Promise<Result<Message[]>> {
  const { client, target } = context;
  const base = () => client.from('messages').select(MESSAGE_COLUMNS).eq('conversation_id', conversationId);
  const newestFirst = <Q extends ReturnType<typeof base>>(query: Q) =>
    query.order('created_at', { ascending: false }).order('id', { ascending: false }).limit(limit);
  const queries = before
    ? [
        run(newestFirst(base().eq('created_at', before.created_at).lt('id', before.id)), context),
        run(newestFirst(base().lt('created_at', before.created_at)), context),
      ]
    : [run(newestFirst(base()), context)];
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

/**
 * Rows a catch-up asks for per request. PostgREST cuts every answer at its `max-rows` (1,000 on a
 * Supabase project unless changed), so a catch-up pages until it has everything.
 */
export const CATCH_UP_PAGE_ROWS = 1000;

/**
 * A page at least this long may have been cut by a server whose `max-rows` is below
 * `CATCH_UP_PAGE_ROWS`: the catch-up then asks once more rather than assume it has everything.
 */
const MAYBE_CUT_ROWS = 100;

/**
 * A row's created_at is its transaction's start time, so a message can commit (and be broadcast)
 * after a newer one: a catch-up starts a little before the point it is sure of.
 */
export const CATCH_UP_OVERLAP_MS = 60_000;

/** A position in the list's order, (created_at, id). */
export interface ListCursor {
  created_at: string;
  id: string;
}

/** A cursor `CATCH_UP_OVERLAP_MS` before `cursor`, where a catch-up from it starts. */
export function overlapBefore(cursor: ListCursor): ListCursor {
  const from = new Date(Math.floor(timestampMicros(cursor.created_at) / 1000) - CATCH_UP_OVERLAP_MS).toISOString();
  // The nil uuid sorts before every id of that instant.
  return { created_at: from, id: '00000000-0000-0000-0000-000000000000' };
}

/**
 * The oldest `limit` messages after `after` (from the first one when omitted), oldest first, and
 * whether more may follow. Keyset pagination on (created_at, id) like `fetchPage`, the other way.
 */
export async function fetchAfter(
  context: DataContext,
  conversationId: string,
  after: ListCursor | undefined,
  limit = CATCH_UP_PAGE_ROWS,
): Promise<Result<{ rows: Message[]; more: boolean }>> {
  const { client, target } = context;
  const base = () => client.from('messages').select(MESSAGE_COLUMNS).eq('conversation_id', conversationId);
  const oldestFirst = <Q extends ReturnType<typeof base>>(query: Q) =>
    query.order('created_at', { ascending: true }).order('id', { ascending: true }).limit(limit);
  const queries = after
    ? [
        run(oldestFirst(base().eq('created_at', after.created_at).gt('id', after.id)), context),
        run(oldestFirst(base().gt('created_at', after.created_at)), context),
      ]
    : [run(oldestFirst(base()), context)];
  const rows: Message[] = [];
  let longest = 0;
  for (const result of await Promise.all(queries)) {
    if (result.error) return result;
    const list = Array.isArray(result.data) ? result.data.length : 0;
    longest = Math.max(longest, list);
    rows.push(...reported(target, parseList(messageSchema, result.data, 'messages')));
  }
  rows.sort(
    (a, b) => timestampMicros(a.created_at) - timestampMicros(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  // Each query answers oldest first, so the first `limit` of the merge are complete up to the last.
  const page = rows.slice(0, limit);
  return { data: { rows: page, more: rows.length > limit || longest >= Math.min(limit, MAYBE_CUT_ROWS) } };
}

/**
 * Messages edited or deleted since `since`, oldest change first, in pages until all are read
 * (or `maxPages` are, then `complete` is false).
 */
export async function fetchChangedSince(
  context: DataContext,
  conversationId: string,
  since: string,
  maxPages = 3,
): Promise<Result<{ rows: Message[]; complete: boolean }>> {
  const rows: Message[] = [];
  for (const column of ['edited_at', 'deleted_at'] as const) {
    let from = since;
    let seen = new Set<string>();
    for (let page = 0; ; page++) {
      if (page === maxPages) return { data: { rows, complete: false } };
      const result = await run(
        context.client
          .from('messages')
          .select(MESSAGE_COLUMNS)
          .eq('conversation_id', conversationId)
          .gte(column, from)
          .order(column, { ascending: true })
          .order('id', { ascending: true })
          .limit(CATCH_UP_PAGE_ROWS),
        context,
      );
      if (result.error) return result;
      const list = reported(context.target, parseList(messageSchema, result.data, 'messages'));
      const fresh = list.filter((row) => !seen.has(row.id));
      rows.push(...fresh);
      const last = list.at(-1)?.[column];
      const length = Array.isArray(result.data) ? result.data.length : 0;
      if (length < MAYBE_CUT_ROWS || !last || fresh.length === 0) break;
      // `gte` on the last time read: rows sharing it come again and are skipped by id.
      seen = new Set(list.filter((row) => row[column] === last).map((row) => row.id));
      from = last;
    }
  }
  return { data: { rows, complete: true } };
}

export async function fetchReactions(context: DataContext, messageIds: string[]): Promise<Result<Reaction[]>> {
  const { client, target } = context;
  if (messageIds.length === 0) return { data: [] };
  const result = await run(
    client.from('message_reactions').select('message_id, user_id, emoji, created_at').in('message_id', messageIds),
    context,
  );
  if (result.error) return result;
  return { data: reported(target, parseList(reactionSchema, result.data, 'message_reactions')) };
}

/**
 * One send attempt. Upsert on the client-generated id with ignore-duplicates: if an earlier attempt
 * reached the server but its answer was lost, this one inserts nothing and fails nothing, and the
 * stored row is read back.
 */
export async function sendMessage(context: DataContext, item: OutboxItem): Promise<SendOutcome> {
  const { client, target } = context;
  // sender_id is the caller's anyway; naming it makes the server refuse a send under another session.
  const row = {
    id: item.id,
    conversation_id: item.conversation_id,
    sender_id: item.sender_id,
    body: item.body,
    reply_to: item.reply_to,
    mentions: item.mentions ?? [],
  };
  const inserted = await run(
    client.from('messages').upsert(row, { onConflict: 'id', ignoreDuplicates: true }).select(MESSAGE_COLUMNS),
    context,
  );
  if (inserted.error) return refused(inserted.error);
  let stored = reported(target, parseList(messageSchema, inserted.data, 'messages insert'))[0];
  if (!stored) {
    const existing = await run(
      (signal) => client.from('messages').select(MESSAGE_COLUMNS).eq('id', item.id).abortSignal(signal).maybeSingle(),
      context,
    );
    if (existing.error) return refused(existing.error);
    const found = reported(target, parsePayload(messageSchema, existing.data, 'messages'));
    if (!found) return { ok: false, retryable: false, message: 'The server did not store the message.' };
    stored = found;
  }
  return { ok: true, row: stored };
}

function refused(error: RequestFailure): SendOutcome {
  const wait = retryAfterMs(error);
  return {
    ok: false,
    retryable: isTransient(error),
    message: error.message,
    status: error.status,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  };
}

export async function editMessage(
  context: DataContext,
  id: string,
  body: string,
): Promise<Result<Message | undefined>> {
  const { client, target } = context;
  const result = await run(client.from('messages').update({ body }).eq('id', id).select(MESSAGE_COLUMNS), context);
  if (result.error) return result;
  return { data: reported(target, parseList(messageSchema, result.data, 'messages update'))[0] };
}

/** Soft delete: the row stays (so replies keep their place) with its body emptied by the database. */
export async function deleteMessage(context: DataContext, id: string): Promise<Result<Message | undefined>> {
  const { client, target } = context;
  const result = await run(
    client.from('messages').update({ deleted_at: new Date().toISOString() }).eq('id', id).select(MESSAGE_COLUMNS),
    context,
  );
  if (result.error) return result;
  return { data: reported(target, parseList(messageSchema, result.data, 'messages update'))[0] };
}

export async function setReaction(
  context: DataContext,
  reaction: { message_id: string; user_id: string; emoji: string },
  present: boolean,
): Promise<Result<unknown>> {
  const { client } = context;
  if (present) {
    return run(
      client
        .from('message_reactions')
        .upsert(
          { message_id: reaction.message_id, emoji: reaction.emoji },
          { onConflict: 'message_id,user_id,emoji', ignoreDuplicates: true },
        ),
      context,
    );
  }
  return run(
    client
      .from('message_reactions')
      .delete()
      .eq('message_id', reaction.message_id)
      .eq('user_id', reaction.user_id)
      .eq('emoji', reaction.emoji),
    context,
  );
}

export async function markRead(context: DataContext, conversationId: string): Promise<Result<unknown>> {
  const { client } = context;
  return run(client.rpc('mark_conversation_read', { conversation_id: conversationId }), context);
}
