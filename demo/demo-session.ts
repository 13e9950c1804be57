/**
 * Signs a demo user in on a client of its own (its own storage key, so frames of different users
 * on one origin keep separate sessions) and hands that client to every Pasabay element.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { configure } from '../src/index.js';
import { demoPassword, demoUsers, supabaseKey, supabaseUrl, type DemoUser } from './config.js';

export function demoUserFrom(search: string, fallback: DemoUser = 'maria'): DemoUser {
  const requested = new URLSearchParams(search).get('user');
  return requested && requested in demoUsers ? (requested as DemoUser) : fallback;
}

/**
 * A client of its own for `user`, signed in (reusing a stored session of that user). `storage`
 * separates pages that sign the same user in on several clients at once.
 */
export async function signedInClient(user: DemoUser, storage = 'pasabay-demo'): Promise<SupabaseClient> {
  const client = createClient(supabaseUrl, supabaseKey, {
    auth: { storageKey: `${storage}-${user}`, persistSession: true, autoRefreshToken: true },
  });
  const { data } = await client.auth.getSession();
  if (data.session?.user.email !== demoUsers[user].email) {
    const { error } = await client.auth.signInWithPassword({ email: demoUsers[user].email, password: demoPassword });
    if (error)
      throw new Error(
        `Could not sign in ${demoUsers[user].email}: ${error.message}. Is the local stack running (npm start)?`,
      );
  }
  return client;
}

/** Signs `user` in and makes that client the one every Pasabay element on the page uses. */
export async function signInDemoUser(user: DemoUser): Promise<SupabaseClient> {
  const client = await signedInClient(user);
  configure({ client });
  return client;
}
