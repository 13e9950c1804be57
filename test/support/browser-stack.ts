/**
 * The local stack that web-test-runner started for this run (see web-test-runner.config.mjs),
 * and helpers that give each test its own signed-in users with separate sessions.
 */
import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';

interface StackConfig {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
}

const injected = (globalThis as { __PASABAY_STACK__?: StackConfig }).__PASABAY_STACK__;
if (!injected) throw new Error('No local stack: run browser tests through web-test-runner (npm run test:browser).');

export const stack: StackConfig = injected;

let counter = 0;
const runId = Math.random().toString(36).slice(2, 8);

/** A client with its own session storage, so several users can live on one page. */
export function newClient(key = stack.anonKey): SupabaseClient {
  counter += 1;
  return createClient(stack.url, key, {
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `pasabay-test-${runId}-${counter}` },
  });
}

export interface TestUser {
  client: SupabaseClient;
  user: User;
  name: string;
}

/** Signs up a fresh email user named `name` (its profile's display_name) on its own client. */
export async function newUser(name = 'Test User'): Promise<TestUser> {
  const client = newClient();
  counter += 1;
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${runId}.${counter}.${Date.now()}@example.test`;
  const { data, error } = await client.auth.signUp({
    email,
    password: 'correct horse battery staple',
    options: { data: { display_name: name } },
  });
  if (error || !data.user) throw new Error(`sign-up failed: ${error?.message ?? 'no user'}`);
  return { client, user: data.user, name };
}

/** The two signed-in users most tests need, Maria and Carlos, each on their own client. */
export async function twoUsers(): Promise<{ maria: TestUser; carlos: TestUser }> {
  const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
  return { maria, carlos };
}

/** A client with the service_role key (bypasses RLS) for arranging test data. */
export function serviceClient(): SupabaseClient {
  return newClient(stack.serviceRoleKey);
}

/** Removes every channel of the given clients and closes their sockets. */
export async function closeClients(...clients: SupabaseClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.removeAllChannels()));
  for (const client of clients) client.realtime.disconnect();
}

/**
 * A conversation made the way a host app's backend makes one (service_role: insert the
 * conversation and its members), since a user client may only name users it can reach.
 * The first user owns it.
 */
export async function conversationOf(
  owner: TestUser,
  others: TestUser[],
  options: { kind?: 'group' | 'direct'; title?: string } = {},
): Promise<string> {
  const admin = serviceClient();
  try {
    const kind = options.kind ?? 'group';
    const created = await admin
      .from('conversations')
      .insert({ kind, title: kind === 'group' ? (options.title ?? 'Test group') : null, created_by: owner.user.id })
      .select('id')
      .single();
    if (created.error) throw new Error(`insert conversation: ${created.error.message}`);
    const id = (created.data as { id: string }).id;
    const members = await admin
      .from('conversation_members')
      .insert([
        { conversation_id: id, user_id: owner.user.id, role: 'owner' },
        ...others.map((other) => ({ conversation_id: id, user_id: other.user.id, role: 'member' })),
      ]);
    if (members.error) throw new Error(`insert conversation_members: ${members.error.message}`);
    return id;
  } finally {
    admin.realtime.disconnect();
  }
}

/** A live meeting hosted by `host` with `invited` invited (as a host app's backend would invite them). */
export async function meetingOf(host: TestUser, invited: TestUser[], title = 'Test meeting'): Promise<string> {
  const { data, error } = await host.client.from('meetings').insert({ title, status: 'live' }).select('id').single();
  if (error) throw new Error(`insert meeting: ${error.message}`);
  const id = (data as { id: string }).id;
  if (invited.length === 0) return id;
  const admin = serviceClient();
  try {
    const inserted = await admin
      .from('meeting_participants')
      .insert(invited.map((user) => ({ meeting_id: id, user_id: user.user.id, role: 'participant' })));
    if (inserted.error) throw new Error(`invite: ${inserted.error.message}`);
  } finally {
    admin.realtime.disconnect();
  }
  return id;
}

/** `count` users named `<prefix> 00`, `<prefix> 01`…, signed up side by side (names sort in creation order). */
export function newUsers(prefix: string, count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => newUser(`${prefix} ${String(i).padStart(2, '0')}`)));
}

/**
 * Changes the rows of `users` in a meeting in ONE statement of the host app's backend (service
 * role): one commit, so the database broadcasts one `participant` event per row at once.
 */
export async function setParticipants(
  meetingId: string,
  users: TestUser[],
  change: { joined_at?: string; left_at: string | null },
): Promise<void> {
  const admin = serviceClient();
  try {
    const { error } = await admin
      .from('meeting_participants')
      .update(change)
      .eq('meeting_id', meetingId)
      .in(
        'user_id',
        users.map((user) => user.user.id),
      );
    if (error) throw new Error(`update meeting_participants: ${error.message}`);
  } finally {
    admin.realtime.disconnect();
  }
}

/** Makes `user` reachable by anyone (profiles.open_to_contact), as a support agent is. */
export async function openToContact(user: TestUser): Promise<void> {
  const { error } = await user.client.from('profiles').update({ open_to_contact: true }).eq('id', user.user.id);
  if (error) throw new Error(`open_to_contact: ${error.message}`);
}

/** Changes a rate limit (service_role) and returns the function that puts the old one back. */
export async function setRateLimit(action: string, maxPerMinute: number): Promise<() => Promise<void>> {
  const admin = serviceClient();
  const before = await admin.from('rate_limits').select('max_per_minute').eq('action', action).single();
  if (before.error) throw new Error(`read rate_limits: ${before.error.message}`);
  const previous = (before.data as { max_per_minute: number }).max_per_minute;
  const changed = await admin.from('rate_limits').update({ max_per_minute: maxPerMinute }).eq('action', action);
  if (changed.error) throw new Error(`update rate_limits: ${changed.error.message}`);
  return async () => {
    const restored = await admin.from('rate_limits').update({ max_per_minute: previous }).eq('action', action);
    admin.realtime.disconnect();
    if (restored.error) throw new Error(`restore rate_limits: ${restored.error.message}`);
  };
}

/** A second client signed in as `user` (another tab, or a forger's own socket). */
export async function clientFor(user: TestUser): Promise<SupabaseClient> {
  const client = newClient();
  const { error } = await client.auth.signInWithPassword({
    email: user.user.email!,
    password: 'correct horse battery staple',
  });
  if (error) throw new Error(`sign-in: ${error.message}`);
  return client;
}

/** The access token of a signed-in client. */
export async function accessTokenOf(client: SupabaseClient): Promise<string> {
  const { data } = await client.auth.getSession();
  if (!data.session) throw new Error('not signed in');
  return data.session.access_token;
}

/**
 * Broadcasts through Realtime's REST API as the client's user (what a forger can do without a
 * socket). Returns the HTTP status; a refused private message is skipped silently by Realtime.
 */
export async function restBroadcast(
  client: SupabaseClient,
  message: { topic: string; event: string; payload: Record<string, unknown>; private: boolean },
): Promise<number> {
  const response = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: {
      apikey: stack.anonKey,
      authorization: `Bearer ${await accessTokenOf(client)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ messages: [message] }),
  });
  return response.status;
}

/** Broadcasts as the database or a host app's backend would (service_role, private topic). */
export async function serverBroadcast(topic: string, event: string, payload: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: {
      apikey: stack.serviceRoleKey,
      authorization: `Bearer ${stack.serviceRoleKey}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ messages: [{ topic, event, payload, private: true }] }),
  });
  if (!response.ok) throw new Error(`server broadcast: HTTP ${response.status}`);
}
