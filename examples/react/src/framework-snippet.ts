// The README's "In a framework app" snippet, verbatim: test:examples checks that the two agree,
// so the snippet type-checks as pasted into a strict TypeScript app.
// --- README snippet
import { createClient } from '@supabase/supabase-js';
import { configure } from 'pasabay-chat';

// Or the client your app already has: the elements share it and its session.
const supabase = createClient('https://YOUR-PROJECT.supabase.co', 'YOUR-ANON-KEY');
configure({ client: supabase });

// or per element (typed: querySelector('pasabay-chat') is a PasabayChat):
const chat = document.querySelector('pasabay-chat');
if (chat) chat.client = supabase;

// events bubble and cross shadow roots; `event.detail` is typed:
document.addEventListener('pasabay-unread-change', (event) => {
  document.title = event.detail.unreadCount > 0 ? `(${event.detail.unreadCount}) Chat` : 'Chat';
});
// --- end of README snippet
