/**
 * `auth.users` rows as GoTrue serialises them (supabase/auth internal/models/user.go), and the
 * queries the Auth service runs on them. Passwords are bcrypt hashes made and checked by pgcrypto's
 * `crypt()`, like the seed, so seeded and signed-up users sign in the same way.
 */
import type pg from 'pg';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  phone: string | null;
  email_confirmed_at: Date | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
  identities: IdentityRow[];
}

interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  email: string | null;
}

const USER_COLUMNS = `u.id, u.aud, u.role, u.email, u.phone, u.email_confirmed_at, u.phone_confirmed_at,
  u.confirmation_sent_at, u.confirmed_at, u.recovery_sent_at, u.last_sign_in_at, u.raw_app_meta_data,
  u.raw_user_meta_data, u.created_at, u.updated_at, u.banned_until, u.deleted_at, u.is_anonymous,
  coalesce((select json_agg(i order by i.created_at) from auth.identities i where i.user_id = u.id), '[]'::json) as identities`;

const iso = (value: Date | null) => (value ? value.toISOString() : undefined);

/** The user object of GoTrue's responses; absent timestamps are left out as GoTrue's `omitempty` does. */
export function userJson(row: UserRow): Record<string, unknown> {
  const user: Record<string, unknown> = {
    id: row.id,
    aud: row.aud ?? '',
    role: row.role ?? '',
    email: row.email ?? '',
    email_confirmed_at: iso(row.email_confirmed_at),
    phone: row.phone ?? '',
    phone_confirmed_at: iso(row.phone_confirmed_at),
    confirmation_sent_at: iso(row.confirmation_sent_at),
    confirmed_at: iso(row.confirmed_at),
    recovery_sent_at: iso(row.recovery_sent_at),
    last_sign_in_at: iso(row.last_sign_in_at),
    app_metadata: row.raw_app_meta_data ?? {},
    user_metadata: row.raw_user_meta_data ?? {},
    identities: row.identities.map((identity) => ({
      identity_id: identity.id,
      id: identity.provider_id,
      user_id: identity.user_id,
      identity_data: identity.identity_data,
      provider: identity.provider,
      last_sign_in_at: identity.last_sign_in_at ?? undefined,
      created_at: identity.created_at ?? undefined,
      updated_at: identity.updated_at ?? undefined,
      email: identity.email ?? undefined,
    })),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    is_anonymous: row.is_anonymous,
  };
  return Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined));
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from auth.users u where u.id = $1`, [id]);
  return rows[0];
}

/** The user whose password matches, or undefined (unknown email, no password, wrong password). */
export async function findUserByPassword(db: Queryable, email: string, password: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select ${USER_COLUMNS} from auth.users u
      where lower(u.email) = lower($1) and u.aud = 'authenticated' and not u.is_sso_user
        and coalesce(u.encrypted_password, '') <> ''
        and u.encrypted_password = extensions.crypt($2, u.encrypted_password)`,
    [email, password],
  );
  return rows[0];
}

export async function emailTaken(db: Queryable, email: string): Promise<boolean> {
  const { rowCount } = await db.query(`select 1 from auth.users where lower(email) = lower($1) and not is_sso_user`, [
    email,
  ]);
  return (rowCount ?? 0) > 0;
}

/**
 * Inserts a confirmed email user (or an anonymous one when `email` is undefined) and, for email
 * users, its `email` identity. Triggers on `auth.users` fire as on Supabase.
 */
export async function insertUser(
  db: Queryable,
  input: { id: string; email?: string; password?: string; data: Record<string, unknown> },
): Promise<void> {
  const anonymous = input.email === undefined;
  const appMetadata = anonymous ? {} : { provider: 'email', providers: ['email'] };
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        confirmation_token, recovery_token, email_change_token_new, email_change,
        raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, is_anonymous)
     values ($1, $2, 'authenticated', 'authenticated', $3::text,
        case when $4::text is null then '' else extensions.crypt($4::text, extensions.gen_salt('bf')) end,
        case when $3::text is null then null else now() end,
        '', '', '', '', $5::jsonb, $6::jsonb, false, now(), now(), $7)`,
    [
      ZERO_UUID,
      input.id,
      input.email ?? null,
      input.password ?? null,
      JSON.stringify(appMetadata),
      JSON.stringify(input.data),
      anonymous,
    ],
  );
  if (!anonymous) {
    const identityData = { sub: input.id, email: input.email, email_verified: false, phone_verified: false };
    await db.query(
      `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
       values ($1, $2, $3::jsonb, 'email', now(), now(), now(), gen_random_uuid())`,
      [input.id, input.id, JSON.stringify(identityData)],
    );
  }
}

/** GoTrue's metadata update: keys are merged, a `null` value removes the key. */
export async function updateUserMetadata(db: Queryable, id: string, data: Record<string, unknown>): Promise<void> {
  const removed = Object.keys(data).filter((key) => data[key] === null);
  const kept = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== null));
  await db.query(
    `update auth.users
        set raw_user_meta_data = (coalesce(raw_user_meta_data, '{}'::jsonb) || $2::jsonb) - $3::text[], updated_at = now()
      where id = $1`,
    [id, JSON.stringify(kept), removed],
  );
}

/** True when the new password equals the current one (GoTrue refuses that with `same_password`). */
export async function isSamePassword(db: Queryable, id: string, password: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `select 1 from auth.users where id = $1 and coalesce(encrypted_password, '') <> ''
        and encrypted_password = extensions.crypt($2, encrypted_password)`,
    [id, password],
  );
  return (rowCount ?? 0) > 0;
}

export async function updatePassword(db: Queryable, id: string, password: string): Promise<void> {
  await db.query(
    `update auth.users set encrypted_password = extensions.crypt($2, extensions.gen_salt('bf')), updated_at = now() where id = $1`,
    [id, password],
  );
}
