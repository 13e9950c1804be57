/**
 * Maria's support inbox: <pasabay-conversation-list> beside <pasabay-chat>. The list's `for`
 * names the chat, so choosing a conversation opens it there; the page only signs Maria in and
 * shows the chat once there is something to show.
 *
 * What keeps the list live (see the element's docs): one channel, her private `user:<id>` topic:
 * Postgres Changes of her conversations (last activity, preview), a conversation she was added
 * to, her read position moving, and typing in conversations of at most 5 members.
 */
import type { PasabayChat, PasabayConversationList } from '../src/index.js';
import { signInDemoUser } from './demo-session.js';

const list = document.querySelector<PasabayConversationList>('pasabay-conversation-list')!;
const chat = document.querySelector<PasabayChat>('pasabay-chat')!;
const hint = document.querySelector<HTMLElement>('#hint')!;
const problem = document.querySelector<HTMLElement>('#problem')!;

function show(message: string): void {
  problem.textContent = message;
  problem.hidden = false;
}

list.addEventListener('pasabay-conversation-select', () => {
  // The list sets the chat's conversation-id itself (attribute `for`).
  chat.hidden = false;
  hint.hidden = true;
});

list.addEventListener('pasabay-error', (event) => {
  // `configuration` is expected until signInDemoUser() configures the client below.
  if (event.detail.code === 'request') show(event.detail.message);
  else console.warn('[inbox]', event.detail.message);
});

try {
  await signInDemoUser('maria');
} catch (error) {
  show(error instanceof Error ? error.message : String(error));
}
