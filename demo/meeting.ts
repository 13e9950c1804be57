/**
 * Meeting room demo: Maria, Carlos and Ana, each on their own Supabase client (separate storage
 * key, session and socket), each with a <meeting-participants> showing everyone and their own
 * toggles. Events from Maria's seat are logged below.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { html, render } from 'lit';
import {
  defineMeetingParticipants,
  type MeetingParticipants,
} from '../src/components/meeting-participants/meeting-participants.js';
import { demoMeetingId, demoUsers, type DemoUser } from './config.js';
import { signedInClient } from './demo-session.js';

defineMeetingParticipants();

const seats = document.querySelector<HTMLElement>('#seats')!;
const log = document.querySelector<HTMLOListElement>('#log')!;

function note(text: string) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  log.prepend(item);
}

const signIn = (user: DemoUser): Promise<SupabaseClient> => signedInClient(user, 'pasabay-demo-meeting');

const users: DemoUser[] = ['maria', 'carlos', 'ana'];
const elements = new Map<DemoUser, MeetingParticipants>();

try {
  const clients = await Promise.all(users.map(signIn));
  render(
    users.map(
      (user, i) =>
        html`<section class="seat" aria-labelledby="seat-${user}">
          <h2 id="seat-${user}">${demoUsers[user].name}'s view</h2>
          <p class="note">${user === 'maria' ? 'Host.' : 'Invited participant.'} Max 12 shown before "+N more".</p>
          <meeting-participants meeting-id=${demoMeetingId} controls .client=${clients[i]}></meeting-participants>
        </section>`,
    ),
    seats,
  );
  for (const user of users)
    elements.set(user, seats.querySelector<MeetingParticipants>(`#seat-${user} ~ meeting-participants`)!);
  const maria = elements.get('maria')!;
  maria.addEventListener('pasabay-participant-join', (e) => note(`${e.detail.participant.display_name} joined`));
  maria.addEventListener('pasabay-participant-leave', (e) => note(`${e.detail.participant.display_name} left`));
  maria.addEventListener('pasabay-presence-change', (e) =>
    note(`roster: ${e.detail.participants.length} in the meeting`),
  );
  maria.addEventListener('pasabay-status-change', (e) => note(`Maria's channel ${e.detail.status}`));
  seats.addEventListener('pasabay-error', (e) => note(`error: ${e.detail.message}`));

  // Removing Ana's element leaves the meeting (records left_at); putting it back rejoins.
  const ana = elements.get('ana')!;
  const leftNote = document.createElement('p');
  leftNote.className = 'away';
  leftNote.textContent = 'Ana has left the meeting.';
  const toggle = document.querySelector<HTMLButtonElement>('#leave-ana')!;
  toggle.addEventListener('click', () => {
    if (ana.isConnected) ana.replaceWith(leftNote);
    else leftNote.replaceWith(ana);
    toggle.textContent = ana.isConnected ? 'Ana leaves' : 'Ana rejoins';
  });
} catch (error) {
  const message = document.createElement('p');
  message.className = 'error';
  message.textContent = error instanceof Error ? error.message : String(error);
  seats.replaceWith(message);
}
