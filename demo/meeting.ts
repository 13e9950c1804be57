/**
 * Meeting room demo: Maria (host), Carlos and Ana, each on their own Supabase client (separate
 * storage key, session and socket), each with the roster (<meeting-participants controls>), the
 * meeting's chat (<pasabay-chat meeting-id>) and live reactions (<meeting-reactions>). Events
 * from Maria's seat are logged below.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { html, render } from 'lit';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../src/components/meeting-participants/meeting-participants.js';
import { defineMeetingReactions } from '../src/components/meeting-reactions/meeting-reactions.js';
import { definePasabayChat } from '../src/components/pasabay-chat/pasabay-chat.js';
import { demoMeetingId, demoUsers, type DemoUser } from './config.js';
import { signedInClient } from './demo-session.js';

defineMeetingParticipants();
definePasabayChat();
defineMeetingReactions();

const seats = document.querySelector<HTMLElement>('#seats')!;
const log = document.querySelector<HTMLOListElement>('#log')!;

function note(text: string) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  log.prepend(item);
}

const signIn = (user: DemoUser): Promise<SupabaseClient> => signedInClient(user, 'pasabay-demo-meeting');

const users: DemoUser[] = ['maria', 'carlos', 'ana'];

try {
  const clients = await Promise.all(users.map(signIn));
  render(
    users.map(
      (user, i) =>
        html`<section class="seat" aria-labelledby="seat-${user}">
          <h2 id="seat-${user}">${demoUsers[user].name}'s view</h2>
          <p class="note">${user === 'maria' ? 'Host.' : 'Invited participant.'} Max 12 shown before "+N more".</p>
          <div class="in-meeting">
            <meeting-participants meeting-id=${demoMeetingId} controls .client=${clients[i]}></meeting-participants>
            <meeting-reactions meeting-id=${demoMeetingId} .client=${clients[i]}></meeting-reactions>
            <pasabay-chat meeting-id=${demoMeetingId} .client=${clients[i]}></pasabay-chat>
          </div>
        </section>`,
    ),
    seats,
  );
  const seatOf = (user: DemoUser) => seats.querySelector<HTMLElement>(`#seat-${user}`)!.parentElement!;
  const maria = seatOf('maria').querySelector<MeetingParticipants>('meeting-participants')!;
  maria.addEventListener('pasabay-participant-join', (e) => note(`${e.detail.participant.display_name} joined`));
  maria.addEventListener('pasabay-participant-leave', (e) => note(`${e.detail.participant.display_name} left`));
  maria.addEventListener('pasabay-presence-change', (e) =>
    note(`roster: ${e.detail.participants.length} in the meeting`),
  );
  maria.addEventListener('pasabay-status-change', (e) => note(`Maria's channel ${e.detail.status}`));
  seatOf('maria')
    .querySelector('pasabay-chat')!
    .addEventListener('pasabay-message-receive', (e) => note(`chat: "${e.detail.message.body.slice(0, 40)}"`));
  seats.addEventListener('pasabay-error', (e) => note(`error: ${e.detail.message}`));

  // Removing Ana's roster leaves the meeting (records left_at), which also takes her out of its
  // chat; coming back joins the meeting first, so her chat opens again.
  const ana = seatOf('ana').querySelector<HTMLElement>('.in-meeting')!;
  const anaClient = clients[users.indexOf('ana')]!;
  const leftNote = document.createElement('p');
  leftNote.className = 'away';
  leftNote.textContent = 'Ana has left the meeting (and its chat).';
  const toggle = document.querySelector<HTMLButtonElement>('#leave-ana')!;
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      if (ana.isConnected) ana.replaceWith(leftNote);
      else {
        const { error } = await anaClient.rpc('join_meeting', { meeting_id: demoMeetingId });
        if (error) note(`error: ${error.message}`);
        leftNote.replaceWith(ana);
      }
      toggle.textContent = ana.isConnected ? 'Ana leaves' : 'Ana rejoins';
    } finally {
      toggle.disabled = false;
    }
  });
} catch (error) {
  const message = document.createElement('p');
  message.className = 'error';
  message.textContent = error instanceof Error ? error.message : String(error);
  seats.replaceWith(message);
}
