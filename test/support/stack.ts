/**
 * A whole local stack for one Node test file: a fresh database cloned from the prepared template,
 * the stack on a free port, and helpers for signed-in supabase-js clients over real WebSockets.
 */
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
