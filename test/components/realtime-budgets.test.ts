/**
 * Past the local stack's per-user Realtime budget (5 channels per user by default), the elements
 * say so with a `pasabay-error` (code `channel`) carrying the server's reason.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { definePasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { defineMeetingReactions } from '../../src/components/meeting-reactions/meeting-reactions.js';
import { channelRemovalsSettled } from '../../src/connection/channels.js';
import type { PasabayErrorEvent } from '../../src/events/pasabay-error.js';
import { conversationOf, meetingOf, newUser } from '../support/browser-stack.js';

definePasabayChat();
defineMeetingReactions();

const REASON = 'ChannelRateLimitReached: Too many channels for this user (at most 5)';

/** Holds `count` public channels of the client's user (what other tabs or elements would hold). */
async function holdChannels(client: SupabaseClient, count: number): Promise<RealtimeChannel[]> {
  const held: RealtimeChannel[] = [];
  for (let i = 0; i < count; i++) {
    const channel = client.channel(`budget-hold-${crypto.randomUUID()}`);
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)))),
    );
    held.push(channel);
  }
  return held;
}

describe('Realtime budgets in the elements', () => {
  it('<meeting-reactions> and <pasabay-chat> fire pasabay-error with the reason past the channel budget', async () => {
    const [host, guest] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest')]);
    const meeting = await meetingOf(host, [guest]);
    const conversation = await conversationOf(host, [guest]);
    await host.client.realtime.setAuth();
    const held = await holdChannels(host.client, 5);

    const errors: PasabayErrorEvent['detail'][] = [];
    const onError = (event: PasabayErrorEvent) => errors.push(event.detail);
    const reactions = await fixture(
      html`<meeting-reactions
        .client=${host.client}
        meeting-id=${meeting}
        @pasabay-error=${onError}
      ></meeting-reactions>`,
    );
    await waitUntil(() => errors.some((e) => e.code === 'channel' && e.message === REASON), 'reactions refused', {
      timeout: 15_000,
    });
    await waitUntil(() => reactions.matches(':state(not-allowed)'), 'shown as refused');
    expect(reactions.shadowRoot!.querySelector('[part~="state"]')!.textContent).to.contain('Too many live connections');
    await expect(reactions).to.be.accessible();

    const chatErrors: PasabayErrorEvent['detail'][] = [];
    const chat = await fixture(
      html`<pasabay-chat
        style="height: 300px"
        .client=${host.client}
        conversation-id=${conversation}
        @pasabay-error=${(event: PasabayErrorEvent) => chatErrors.push(event.detail)}
      ></pasabay-chat>`,
    );
    await waitUntil(
      () => chatErrors.some((e) => e.code === 'channel' && e.message === REASON),
      'the chat reports the budget',
      { timeout: 15_000 },
    );

    // Freeing places lets the elements join on their next attempt.
    for (const channel of held) await host.client.removeChannel(channel);
    await waitUntil(() => !reactions.matches(':state(offline)'), 'reactions joined once places were free', {
      timeout: 15_000,
    });
    reactions.remove();
    chat.remove();
    await channelRemovalsSettled(host.client);
    expect(host.client.getChannels().length).to.equal(0);
  });
});
