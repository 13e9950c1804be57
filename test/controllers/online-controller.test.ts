/**
 * OnlineController against the local stack: real supabase-js clients, real `org:<id>` presence,
 * membership checked by the real topic policy and `organization_members`.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import { orgTopic } from '../../src/connection/topics.js';
import { OnlineController } from '../../src/controllers/online-controller.js';
import { clientFor, closeClients, newUser, type TestUser } from '../support/browser-stack.js';
import { organizationOf } from '../components/org-fixtures.js';

/** The smallest host: an element holding one OnlineController. */
class OnlineProbe extends LitElement {
  static override properties = { client: { attribute: false }, organizationId: {}, userId: {} };
  declare client: SupabaseClient | undefined;
  declare organizationId: string;
  declare userId: string;
  changes = 0;
  readonly presence = new OnlineController(this, {
    client: () => this.client,
    organizationId: () => this.organizationId,
    userId: () => this.userId,
    onChange: () => this.changes++,
  });
}
customElements.define('online-probe', OnlineProbe);

function mount(member: TestUser, organizationId: string, client = member.client): Promise<OnlineProbe> {
  return fixture<OnlineProbe>(
    html`<online-probe .client=${client} .organizationId=${organizationId} .userId=${member.user.id}></online-probe>`,
  );
}

/** Presence keys of a client's own org channel, read from realtime-js directly. */
function rawPresenceKeys(client: SupabaseClient): string[] {
  const channel = client.getChannels().find((c) => c.topic.startsWith('realtime:org:'));
  return channel ? Object.keys(channel.presenceState()) : [];
}

describe('OnlineController', () => {
  let ana: TestUser;
  let ben: TestUser;
  let cora: TestUser;
  let stranger: TestUser;
  let organizationId: string;
  const extraClients: SupabaseClient[] = [];

  before(async () => {
    [ana, ben, cora, stranger] = await Promise.all([
      newUser('Ana'),
      newUser('Ben'),
      newUser('Cora'),
      newUser('Stranger'),
    ]);
    organizationId = await organizationOf(ana, [ben, cora]);
  });

  afterEach(async () => {
    await Promise.all([ana, ben, cora, stranger].map((u) => u.client.removeAllChannels()));
    await closeClients(...extraClients.splice(0));
  });

  it('two members on their own clients see each other online, and themselves', async () => {
    const a = await mount(ana, organizationId);
    const b = await mount(ben, organizationId);
    await waitUntil(() => a.presence.isOnline(ben.user.id), 'Ana sees Ben online', { timeout: 10_000 });
    await waitUntil(() => b.presence.isOnline(ana.user.id), 'Ben sees Ana online', { timeout: 10_000 });
    expect(a.presence.status).to.equal('joined');
    expect(a.presence.isOnline(ana.user.id)).to.equal(true);
    expect(a.presence.isOnline(cora.user.id)).to.equal(false);
    expect([...a.presence.online].sort()).to.deep.equal([ana.user.id, ben.user.id].sort());
    expect(a.changes).to.be.greaterThan(0);
  });

  it('goes off when the other client closes its socket, and when its element is removed', async () => {
    const a = await mount(ana, organizationId);
    const benTab = await clientFor(ben);
    extraClients.push(benTab);
    await mount(ben, organizationId, benTab);
    const c = await mount(cora, organizationId);
    await waitUntil(() => a.presence.isOnline(ben.user.id), 'Ben online', { timeout: 10_000 });
    await waitUntil(() => a.presence.isOnline(cora.user.id), 'Cora online', { timeout: 10_000 });
    benTab.realtime.disconnect();
    await waitUntil(() => !a.presence.isOnline(ben.user.id), 'Ben goes off when his socket closes', {
      timeout: 10_000,
    });
    c.remove();
    await waitUntil(() => !a.presence.isOnline(cora.user.id), 'Cora goes off when her element leaves', {
      timeout: 10_000,
    });
    expect(a.presence.isOnline(ana.user.id)).to.equal(true);
  });

  it('refuses a non-member the organisation channel; they see nobody online', async () => {
    const a = await mount(ana, organizationId);
    await waitUntil(() => a.presence.isOnline(ana.user.id), 'Ana tracked', { timeout: 10_000 });
    const s = await mount(stranger, organizationId);
    await waitUntil(() => s.presence.status === 'error', 'the stranger is refused', { timeout: 10_000 });
    expect(s.presence.online.size).to.equal(0);
    expect(s.presence.isOnline(ana.user.id)).to.equal(false);
    s.remove();
    await channelRemovalsSettled(stranger.client);
    // The same refusal for a plain supabase-js channel of the stranger's.
    const channel = stranger.client.channel(orgTopic(organizationId), {
      config: { private: true, presence: { key: stranger.user.id } },
    });
    const state = await new Promise<string>((resolve) =>
      channel.subscribe((status) => status !== 'CLOSED' && resolve(status)),
    );
    expect(state).to.equal('CHANNEL_ERROR');
    expect(a.presence.isOnline(stranger.user.id)).to.equal(false);
  });

  it('counts only presence keys that are recorded members: made-up and non-member keys are ignored', async () => {
    const a = await mount(ana, organizationId);
    await waitUntil(() => a.presence.isOnline(ana.user.id), 'Ana tracked', { timeout: 10_000 });
    // Cora, a member, joins three more times under keys that are not hers to claim.
    const keys = [stranger.user.id, crypto.randomUUID(), 'not-a-user-id'];
    for (const key of keys) {
      const forger = await clientFor(cora);
      extraClients.push(forger);
      const channel = forger.channel(orgTopic(organizationId), { config: { private: true, presence: { key } } });
      await new Promise<void>((resolve, reject) =>
        channel.subscribe((status) =>
          status === 'SUBSCRIBED' ? resolve() : status !== 'CLOSED' && reject(new Error(status)),
        ),
      );
      expect(await channel.track({ user_id: key, status: 'online' })).to.equal('ok');
    }
    await waitUntil(
      () => keys.every((key) => rawPresenceKeys(ana.client).includes(key)),
      "Ana's socket holds every made-up key",
      { timeout: 10_000 },
    );
    // Lookups run one after another: once Ben (who comes later) counts, the made-up keys were answered.
    await mount(ben, organizationId);
    await waitUntil(() => a.presence.isOnline(ben.user.id), 'Ben online', { timeout: 10_000 });
    expect([...a.presence.online].sort()).to.deep.equal([ana.user.id, ben.user.id].sort());
    expect(a.presence.isOnline(stranger.user.id)).to.equal(false);
  });

  it('shares one channel per organisation between elements on one client, and removes it after the last', async () => {
    const first = await mount(ana, organizationId);
    const second = await mount(ana, organizationId);
    await waitUntil(
      () => first.presence.isOnline(ana.user.id) && second.presence.isOnline(ana.user.id),
      'both joined, Ana tracked',
      { timeout: 10_000 },
    );
    const topic = `realtime:${orgTopic(organizationId)}`;
    const topics = () => ana.client.getChannels().map((channel) => channel.topic);
    expect(topics().filter((t) => t === topic).length).to.equal(1);
    first.remove();
    await channelRemovalsSettled(ana.client);
    expect(topics()).to.include(topic);
    expect(second.presence.isOnline(ana.user.id)).to.equal(true);
    second.remove();
    await channelRemovalsSettled(ana.client);
    expect(ana.client.getChannels().length).to.equal(0);
  });

  it('holds nothing without an organisation, and leaves no channel after 20 mount / remove cycles', async () => {
    const idle = await fixture<OnlineProbe>(
      html`<online-probe .client=${ana.client} .organizationId=${''} .userId=${ana.user.id}></online-probe>`,
    );
    expect(idle.presence.status).to.equal('idle');
    expect(ana.client.getChannels().length).to.equal(0);
    for (let i = 0; i < 20; i++) {
      const el = await mount(ana, organizationId);
      el.remove();
    }
    await channelRemovalsSettled(ana.client);
    expect(ana.client.getChannels().length).to.equal(0);
  });
});
