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

/** A client with the service_role key (bypasses RLS) for arranging test data. */
export function serviceClient(): SupabaseClient {
  return newClient(stack.serviceRoleKey);
}

/** Removes every channel of the given clients and closes their sockets. */
export async function closeClients(...clients: SupabaseClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.removeAllChannels()));
  for (const client of clients) client.realtime.disconnect();
}
