/**
 * Organisations for the browser suites, made as a host app's backend makes them (service_role):
 * clients may not create organisations.
 */
import { serviceClient, type TestUser } from '../support/browser-stack.js';

/** An organisation with `admin` as its admin and `members` as plain members; returns its id. */
export async function organizationOf(admin: TestUser, members: TestUser[], name = 'Test team'): Promise<string> {
  const backend = serviceClient();
  try {
    const created = await backend.from('organizations').insert({ name }).select('id').single();
    if (created.error) throw new Error(`insert organization: ${created.error.message}`);
    const id = (created.data as { id: string }).id;
    const inserted = await backend
      .from('organization_members')
      .insert([
        { organization_id: id, user_id: admin.user.id, role: 'admin' },
        ...members.map((member) => ({ organization_id: id, user_id: member.user.id, role: 'member' })),
      ]);
    if (inserted.error) throw new Error(`insert organization_members: ${inserted.error.message}`);
    return id;
  } finally {
    backend.realtime.disconnect();
  }
}
