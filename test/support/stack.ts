/**
 * A whole local stack for one Node test file: a fresh database cloned from the prepared template,
 * the stack on a free port, and helpers for signed-in supabase-js clients over real WebSockets.
 */
import assert from 'node:assert/strict';
import { createClient, type Session, type SupabaseClient, type User } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { AuthRateLimits } from '../../supabase/local/auth/rate-limits.js';
import { startStack, type Stack } from '../../supabase/local/server.js';
import { createTestDatabase } from './database.js';

export interface TestUser {
  client: SupabaseClient;
  user: User;
  session: Session;
  email: string;
  password: string;
}

export interface TestStack extends Stack {
  /** A supabase-js client for this stack (anon key unless given), with the `ws` transport Node 20 needs. */
  client(key?: string, options?: { realtime?: Record<string, unknown> }): SupabaseClient;
  /** Signs up a fresh email user on its own client. */
  createUser(options?: { email?: string; password?: string; displayName?: string }): Promise<TestUser>;
  /** A client with the service_role key (bypasses RLS). */
  serviceClient(): SupabaseClient;
}

let counter = 0;

// The Realtime conformance suites hold many channels per user, as Supabase allows; the stack's
// per-user budgets (3 sockets, 5 channels) have their own suite, realtime-budgets.test.ts.
process.env['PASABAY_REALTIME_MAX_CONNECTIONS_PER_USER'] ??= '0';
process.env['PASABAY_REALTIME_MAX_CHANNELS_PER_USER'] ??= '0';

/**
 * Test files sign up far more users from 127.0.0.1 than GoTrue's per-client limits allow; the
 * limits are generous unless a test asks for its own (`authRateLimits: {}` gives GoTrue's).
 */
const TEST_AUTH_RATE_LIMITS: AuthRateLimits = {
  signInsAndSignUps: 100_000,
  tokenRefreshes: 100_000,
  anonymousSignIns: 100_000,
};

export async function startTestStack(
  options: { port?: number; authRateLimits?: Partial<AuthRateLimits> } = {},
): Promise<TestStack> {
  const database = await createTestDatabase();
  let stack: Stack;
  try {
    stack = await startStack({
      port: options.port ?? 0,
      databaseUrl: database.url,
      applySchema: false,
      authRateLimits: options.authRateLimits ?? TEST_AUTH_RATE_LIMITS,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const clients: SupabaseClient[] = [];

  const client = (key = stack.anonKey, clientOptions: { realtime?: Record<string, unknown> } = {}) => {
    const created = createClient(stack.url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never, ...clientOptions.realtime },
    });
    clients.push(created);
    return created;
  };

  return {
    ...stack,
    client,
    serviceClient: () => client(stack.serviceRoleKey),
    async createUser({ email, password = 'correct horse battery staple', displayName } = {}) {
      counter += 1;
      const address = email ?? `user${counter}.${process.pid}.${Date.now()}@example.test`;
      const userClient = client();
      const { data, error } = await userClient.auth.signUp({
        email: address,
        password,
        options: { data: displayName ? { display_name: displayName } : {} },
      });
      if (error || !data.user || !data.session) throw new Error(`sign-up failed: ${error?.message ?? 'no session'}`);
      return { client: userClient, user: data.user, session: data.session, email: address, password };
    },
    async stop() {
      await Promise.allSettled(
        clients.map(async (c) => {
          await c.removeAllChannels();
          c.realtime.disconnect();
        }),
      );
      await stack.stop();
      await database.drop();
    },
  };
}

/**
 * The user opens (or closes) their own profile to contact, as a support agent would, so anyone
 * may start a conversation with them or invite them (public.can_reach).
 */
export async function setOpenToContact(user: TestUser, open = true): Promise<void> {
  const { data, error } = await user.client
    .from('profiles')
    .update({ open_to_contact: open })
    .eq('id', user.user.id)
    .select('open_to_contact');
  if (error || data?.length !== 1 || data[0]?.open_to_contact !== open) {
    throw new Error(`open_to_contact = ${open} failed: ${error?.message ?? JSON.stringify(data)}`);
  }
}

/** Signs up one user per display name, then authorizes each one's Realtime with its own session. */
export async function signUpOnRealtime(stack: TestStack, ...displayNames: string[]): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (const displayName of displayNames) users.push(await stack.createUser({ displayName }));
  for (const user of users) await user.client.realtime.setAuth();
  return users;
}

/** `owner` creates a group conversation with `members` (who must be reachable); returns its id. */
export async function createGroup(owner: TestUser, title: string, members: TestUser[]): Promise<string> {
  const group = await owner.client
    .rpc('create_group_conversation', { title, member_ids: members.map((member) => member.user.id) })
    .single<{ id: string }>();
  assert.equal(group.error, null, group.error?.message);
  return group.data!.id;
}

/** `owner` starts (or finds) the direct conversation with `other` (who must be reachable); returns its id. */
export async function startDirect(owner: TestUser, other: TestUser): Promise<string> {
  const direct = await owner.client
    .rpc('start_direct_conversation', { other_user_id: other.user.id })
    .single<{ id: string }>();
  assert.equal(direct.error, null, direct.error?.message);
  return direct.data!.id;
}
