// The README's "In a framework app" snippet, verbatim (test:examples compares the two), with the
// two names it assumes from the app.
import { supabase } from './supabase.js';

const setBadge = (count: number) => {
  document.title = count > 0 ? `(${count}) Chat` : 'Chat';
};

// --- README snippet
import { configure } from 'pasabay-chat';
configure({ client: supabase }); // your createClient(...) instance, shared by every element

// or per element (typed: querySelector('pasabay-chat') is a PasabayChat):
const chat = document.querySelector('pasabay-chat');
if (chat) chat.client = supabase;

// events bubble and cross shadow roots; `event.detail` is typed:
document.addEventListener('pasabay-unread-change', (event) => setBadge(event.detail.unreadCount));
// --- end of README snippet
