/**
 * <pasabay-chat meeting-id>: the meeting's chat through open_meeting_conversation, with several
 * real clients on the local stack: participants read and write it, outsiders cannot, and a
 * participant who leaves or is removed loses it.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { meetingOf } from '../support/browser-stack.js';
import {
  bodies,
  hasState,
  newUser,
  part,
  removeAndSettle,
  typeAndSend,
  waitForBody,
  waitForState,
  waitLive,
} from './pasabay-chat-fixtures.js';

function mountMeetingChat(client: SupabaseClient, meetingId: string): Promise<PasabayChat> {
  return fixture<PasabayChat>(
    html`<pasabay-chat style="height: 360px" .client=${client} meeting-id=${meetingId}></pasabay-chat>`,
  );
}

async function rpc(client: SupabaseClient, name: string, args: Record<string, unknown>) {
  const { error } = await client.rpc(name, args);
  if (error) throw new Error(`${name}: ${error.message}`);
}

describe('<pasabay-chat meeting-id>', () => {
  it('host and participant share the meeting chat, both ways, live', async () => {
    const [host, guest] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest')]);
    const meeting = await meetingOf(host, [guest]);
    const hosts = await mountMeetingChat(host.client, meeting);
    const guests = await mountMeetingChat(guest.client, meeting);
    await Promise.all([waitLive(hosts), waitLive(guests)]);
    expect(hosts.activeConversationId).to.be.a('string');
    expect(guests.activeConversationId).to.equal(hosts.activeConversationId);

    await typeAndSend(hosts, 'Welcome to the meeting');
    await waitForBody(guests, 'Welcome to the meeting');
    await typeAndSend(guests, 'Thanks, glad to be here');
    await waitForBody(hosts, 'Thanks, glad to be here');
    expect(bodies(hosts)).to.deep.equal(['Welcome to the meeting', 'Thanks, glad to be here']);

    // Typing reaches the other participant through the meeting chat's typing topic.
    const indicator = guests.shadowRoot!.querySelector('typing-indicator')!;
    await waitUntil(() => indicator.matches(':not(:state(offline))'), 'typing channel joined', { timeout: 15_000 });
    const composer = part(hosts, 'composer') as HTMLTextAreaElement;
    composer.value = 'One more';
    composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await waitUntil(
      () => indicator.shadowRoot?.querySelector('[part~="label"]')?.textContent?.includes('Hana Host'),
      'typing shown to the participant',
      { timeout: 15_000 },
    );
    await expect(guests).to.be.accessible();
    await removeAndSettle(hosts, host.client);
    await removeAndSettle(guests, guest.client);
  });

  it('a participant opens it first when the meeting allows, and the history is there for the host', async () => {
    const [host, guest] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest')]);
    const meeting = await meetingOf(host, [guest]);
    const guests = await mountMeetingChat(guest.client, meeting);
    await waitLive(guests);
    await typeAndSend(guests, 'Early bird');
    const hosts = await mountMeetingChat(host.client, meeting);
    await waitForBody(hosts, 'Early bird');
    await removeAndSettle(hosts, host.client);
    await removeAndSettle(guests, guest.client);
  });

  it('when the host keeps the chat closed, a participant sees the reason, not an empty chat', async () => {
    const [host, guest] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest')]);
    const meeting = await meetingOf(host, [guest]);
    const { error } = await host.client.from('meetings').update({ participants_open_chat: false }).eq('id', meeting);
    expect(error).to.equal(null);
    const errors: string[] = [];
    const el = await fixture<PasabayChat>(
      html`<pasabay-chat
        style="height: 360px"
        .client=${guest.client}
        meeting-id=${meeting}
        @pasabay-error=${(event: { detail: { message: string } }) => errors.push(event.detail.message)}
      ></pasabay-chat>`,
    );
    await waitForState(el, 'error');
    expect(errors.join(' ')).to.contain("The host has not opened this meeting's chat yet");
    await expect(el).to.be.accessible();
    await removeAndSettle(el, guest.client);
  });

  it('an outsider gets the not-allowed state, no channel, and cannot read or write the chat', async () => {
    const [host, guest, outsider] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest'), newUser('Olga')]);
    const meeting = await meetingOf(host, [guest]);
    const hosts = await mountMeetingChat(host.client, meeting);
    await waitLive(hosts);
    await typeAndSend(hosts, 'Participants only');
    const conversationId = hosts.activeConversationId!;

    const el = await mountMeetingChat(outsider.client, meeting);
    await waitForState(el, 'not-allowed');
    expect(part(el, 'log')).to.equal(null);
    expect(outsider.client.getChannels().length).to.equal(0);
    await expect(el).to.be.accessible();

    const read = await outsider.client.from('messages').select('id').eq('conversation_id', conversationId);
    expect(read.data?.length ?? 0).to.equal(0);
    const write = await outsider.client.from('messages').insert({ conversation_id: conversationId, body: 'let me in' });
    expect(write.error).to.not.equal(null);
    await removeAndSettle(el, outsider.client);
    await removeAndSettle(hosts, host.client);
  });

  it('a participant who leaves loses the chat; joining again gives it back', async () => {
    const [host, guest] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest')]);
    const meeting = await meetingOf(host, [guest]);
    await rpc(guest.client, 'join_meeting', { meeting_id: meeting });
    const hosts = await mountMeetingChat(host.client, meeting);
    await waitLive(hosts);
    await typeAndSend(hosts, 'Before you go');
    const conversationId = hosts.activeConversationId!;

    await rpc(guest.client, 'leave_meeting', { meeting_id: meeting });
    const after = await mountMeetingChat(guest.client, meeting);
    await waitForState(after, 'not-allowed');
    const read = await guest.client.from('messages').select('id').eq('conversation_id', conversationId);
    expect(read.data?.length ?? 0).to.equal(0);
    await removeAndSettle(after, guest.client);

    await rpc(guest.client, 'join_meeting', { meeting_id: meeting });
    const back = await mountMeetingChat(guest.client, meeting);
    await waitForBody(back, 'Before you go');
    expect(hasState(back, 'not-allowed')).to.equal(false);
    await removeAndSettle(back, guest.client);
    await removeAndSettle(hosts, host.client);
  });

  it('a participant the host removes loses the chat', async () => {
    const [host, guest] = await Promise.all([newUser('Hana Host'), newUser('Gabe Guest')]);
    const meeting = await meetingOf(host, [guest]);
    const guests = await mountMeetingChat(guest.client, meeting);
    await waitLive(guests);
    await removeAndSettle(guests, guest.client);
    const removed = await host.client
      .from('meeting_participants')
      .delete()
      .eq('meeting_id', meeting)
      .eq('user_id', guest.user.id);
    expect(removed.error).to.equal(null);
    const el = await mountMeetingChat(guest.client, meeting);
    await waitForState(el, 'not-allowed');
    await removeAndSettle(el, guest.client);
  });
});
