/**
 * Shared arrangements for the <pasabay-chat> suites: users on the local stack, conversations made
 * as a host app's backend makes them, and small waits on what the element shows.
 */
import { fixture, html, waitUntil } from '@open-wc/testing';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { definePasabayChat, type PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import { conversationOf, newUser, serviceClient, stack, twoUsers, type TestUser } from '../support/browser-stack.js';

definePasabayChat();

export { newUser, serviceClient, stack, twoUsers, type TestUser };

/** The password `newUser` signs users up with. */
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * A group owned by `owner`, made as a host app's backend makes one (service_role): since issue 7 a
 * user client may only name users it can reach.
 */
export function groupOf(owner: TestUser, ...others: TestUser[]): Promise<string> {
  return conversationOf(owner, others, { kind: 'group' });
}

/** A direct conversation between two users, made as a host app's backend makes one. */
export function directBetween(a: TestUser, b: TestUser): Promise<string> {
  return conversationOf(a, [b], { kind: 'direct' });
}

/** Maria and Carlos, signed in, and the direct conversation between them. */
export async function directPair(): Promise<{ maria: TestUser; carlos: TestUser; id: string }> {
  const { maria, carlos } = await twoUsers();
  return { maria, carlos, id: await directBetween(maria, carlos) };
}

/** Inserts a message as `user` straight through REST (not through an element). */
export async function post(user: TestUser, conversationId: string, body: string): Promise<string> {
  const { data, error } = await user.client
    .from('messages')
    .insert({ conversation_id: conversationId, body })
    .select('id')
    .single();
  if (error) throw new Error(`insert message: ${error.message}`);
  return (data as { id: string }).id;
}

export async function mountChat(
  client: SupabaseClient | undefined,
  conversationId: string,
  extra = '',
): Promise<PasabayChat> {
  const el = await fixture<PasabayChat>(
    html`<pasabay-chat
      style="height: 360px"
      .client=${client}
      conversation-id=${conversationId}
      realtime=${extra || 'broadcast'}
    ></pasabay-chat>`,
  );
  return el;
}

export const shadow = (el: Element) => el.shadowRoot!;
export const part = (el: Element, name: string) => shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
export const parts = (el: Element, name: string) => [...shadow(el).querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
export const hasState = (el: Element, name: string) => el.matches(`:state(${name})`);

/** Bodies of the messages rendered, in order. */
export const bodies = (el: Element) =>
  parts(el, 'message').map((m) => m.querySelector('[part~="body"]')?.textContent ?? '');

export async function waitForState(el: PasabayChat, name: string, message?: string) {
  await waitUntil(() => hasState(el, name), message ?? `chat never reached :state(${name})`, { timeout: 15_000 });
}

/** Loaded and the live channel joined. */
export async function waitLive(el: PasabayChat) {
  await waitUntil(
    () =>
      (hasState(el, 'ready') || hasState(el, 'empty')) && !hasState(el, 'connecting') && !hasState(el, 'reconnecting'),
    'chat never became live',
    { timeout: 15_000 },
  );
}

export async function waitForBody(el: PasabayChat, body: string) {
  await waitUntil(() => bodies(el).includes(body), `"${body}" never appeared`, { timeout: 15_000 });
}

/** Types into the composer and presses Enter, as a user would. */
export async function typeAndSend(el: PasabayChat, text: string) {
  const composer = part(el, 'composer') as HTMLTextAreaElement;
  composer.focus();
  composer.value = text;
  composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
  composer.dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }),
  );
  await el.updateComplete;
}

export async function removeAndSettle(el: Element, client: SupabaseClient) {
  el.remove();
  await channelRemovalsSettled(client);
}

/**
 * A second signed-in client for `user` whose REST traffic can be cut: `offline` makes every fetch
 * fail before it leaves (as with no network); `loseResponses` lets requests reach the server but
 * fails them before the answer arrives (a dropped connection). Realtime is untouched.
 */
export async function flakyClientFor(user: TestUser) {
  const network = { offline: false, loseResponses: false, sent: 0 };
  const flakyFetch: typeof fetch = async (input, init) => {
    if (network.offline) throw new TypeError('Failed to fetch');
    const response = await fetch(input, init);
    network.sent++;
    if (network.loseResponses) throw new TypeError('Failed to fetch');
    return response;
  };
  const client = createClient(stack.url, stack.anonKey, {
    global: { fetch: flakyFetch },
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `pasabay-flaky-${user.user.id}` },
  });
  const { error } = await client.auth.signInWithPassword({ email: user.user.email!, password: TEST_PASSWORD });
  if (error) throw new Error(`sign-in: ${error.message}`);
  return { client, network };
}

/**
 * A second signed-in client for `user` that can hold back the answers to reaction reads
 * (`GET message_reactions`): while `gate.holding`, each such request reaches the server and is
 * answered (so the snapshot is read then), but the answer is handed over only when its release
 * function in `gate.held` is called. Writes and everything else pass straight through.
 */
export async function reactionReadsHeldFor(user: TestUser) {
  const gate = { holding: false, held: [] as (() => void)[], reads: 0, writes: 0 };
  const gatedFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(input, init);
    if (!new URL(request.url).pathname.endsWith('/rest/v1/message_reactions')) return response;
    if (request.method !== 'GET') {
      gate.writes++;
      return response;
    }
    gate.reads++;
    if (gate.holding) await new Promise<void>((release) => gate.held.push(release));
    return response;
  };
  const client = createClient(stack.url, stack.anonKey, {
    global: { fetch: gatedFetch },
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `pasabay-gated-${user.user.id}` },
  });
  const { error } = await client.auth.signInWithPassword({ email: user.user.email!, password: TEST_PASSWORD });
  if (error) throw new Error(`sign-in: ${error.message}`);
  return { client, gate };
}

/**
 * Whether the page requested a URL whose path ends with `path` (resource timing: a file using it
 * raises the buffer, whose default 250 entries the suite's own modules fill).
 */
export const requested = (path: string): boolean =>
  performance.getEntriesByType('resource').some((entry) => new URL(entry.name).pathname.endsWith(path));

/** Whether the page fetched the chat's module `file` (a path under src/components/pasabay-chat/). */
export const fetchedChatModule = (file: string): boolean => requested(`/src/components/pasabay-chat/${file}`);
