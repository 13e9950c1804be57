import type { PasabayChat } from '../src/index.js';
import { demoConversations, demoUsers } from './config.js';
import { demoUserFrom, signInDemoUser } from './demo-session.js';

const user = demoUserFrom(location.search);
const params = new URLSearchParams(location.search);
const conversationId = params.get('conversation') === 'group' ? demoConversations.group : demoConversations.direct;
document.querySelector('#who')!.textContent = demoUsers[user].name;
document.title = `${demoUsers[user].name} — Pasabay Chat`;

try {
  await signInDemoUser(user);
  const chat = document.createElement('pasabay-chat') as PasabayChat;
  chat.conversationId = conversationId;
  const unread = document.querySelector('#unread')!;
  chat.addEventListener('pasabay-unread-change', (event) => {
    unread.textContent = event.detail.unreadCount > 0 ? `${event.detail.unreadCount} unread` : '';
  });
  chat.addEventListener('pasabay-error', (event) => console.warn('[pasabay]', event.detail.code, event.detail.message));
  document.body.append(chat);
} catch (error) {
  const problem = document.querySelector<HTMLElement>('#problem')!;
  problem.textContent = error instanceof Error ? error.message : String(error);
  problem.hidden = false;
}
