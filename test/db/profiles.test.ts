/**
 * Profiles come from auth.users inserts (as the Auth service makes them): the display name from
 * metadata, a readable generated name for anonymous guests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestDatabase } from './fixture.js';
import { createAuthUser, type NewUser } from './sql.js';

describe('profiles', () => {
  const db = useTestDatabase();

  const profileOf = async (options: NewUser) => {
    const id = await createAuthUser(db.pool, options);
    const { rows } = await db.pool.query('select display_name, avatar_url from public.profiles where id = $1', [id]);
    return { id, ...rows[0] } as { id: string; display_name: string; avatar_url: string | null };
  };

  const names: [string, NewUser, string][] = [
    [
      'display_name first',
      { metadata: { display_name: 'Maria Santos', full_name: 'M. Santos', name: 'maria' } },
      'Maria Santos',
    ],
    ['then full_name', { metadata: { full_name: 'Carlos Reyes', name: 'carlos' } }, 'Carlos Reyes'],
    ['then name', { metadata: { name: 'Ana' } }, 'Ana'],
    ['then the email local part', { email: 'jose.rizal@example.com', metadata: {} }, 'jose.rizal'],
    ['blank metadata is skipped', { email: 'lapu@example.com', metadata: { display_name: '   ' } }, 'lapu'],
    ['names are trimmed', { metadata: { display_name: '  Tala  ' } }, 'Tala'],
    [
      'an anonymous guest who gave a name keeps it',
      { isAnonymous: true, metadata: { display_name: 'Visitor Vic' } },
      'Visitor Vic',
    ],
  ];
  for (const [rule, options, expected] of names) {
    it(`name: ${rule}`, async () => {
      assert.equal((await profileOf(options)).display_name, expected);
    });
  }

  it('very long names are cut to 80 characters', async () => {
    assert.equal((await profileOf({ metadata: { display_name: 'N'.repeat(300) } })).display_name.length, 80);
  });

  it('anonymous guests get a readable generated name, stable per user', async () => {
    const guests = await Promise.all([1, 2, 3, 4, 5].map(() => profileOf({ isAnonymous: true })));
    for (const guest of guests) {
      assert.match(guest.display_name, /^Guest [A-Z][A-Za-z]+( [A-Z][a-z]+)? [0-9a-f]{4}$/);
      const { rows } = await db.pool.query('select public.guest_display_name($1) as name', [guest.id]);
      assert.equal(rows[0].name, guest.display_name);
    }
    assert.ok(new Set(guests.map((guest) => guest.display_name)).size > 1, 'guests are told apart');
  });

  it('avatar_url is taken from metadata only when it is http(s)', async () => {
    assert.equal(
      (await profileOf({ metadata: { avatar_url: 'https://example.com/a.png' } })).avatar_url,
      'https://example.com/a.png',
    );
    assert.equal((await profileOf({ metadata: { avatar_url: 'javascript:alert(1)' } })).avatar_url, null);
  });

  it('deleting the auth user removes the profile', async () => {
    const { id } = await profileOf({ metadata: { display_name: 'Temporary' } });
    await db.pool.query('delete from auth.users where id = $1', [id]);
    assert.equal((await db.pool.query('select 1 from public.profiles where id = $1', [id])).rowCount, 0);
  });
});
