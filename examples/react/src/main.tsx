import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { PasabayMessageSendEvent, PasabayTypingChangeEvent } from 'pasabay-chat';
import { MeetingParticipants, PasabayChat, TypingIndicator } from 'pasabay-chat/react';
import { supabase } from './supabase.js';

function ChatPanel({ conversationId }: { conversationId: string }) {
  const [unread, setUnread] = useState(0);
  const [lastSent, setLastSent] = useState('');
  const [typists, setTypists] = useState<string[]>([]);

  const onMessageSend = (event: PasabayMessageSendEvent) => {
    // A cancelable request: keep empty-looking messages in the composer.
    if (event.detail.body === '.') event.preventDefault();
    else setLastSent(event.detail.body);
  };
  const onTypingChange = (event: PasabayTypingChangeEvent) =>
    setTypists(event.detail.typists.map((typist) => typist.displayName));

  return (
    <section>
      <h2>
        Conversation {conversationId} ({unread} unread)
      </h2>
      <PasabayChat
        client={supabase}
        conversationId={conversationId}
        onMessageSend={onMessageSend}
        onUnreadChange={(event) => setUnread(event.detail.unreadCount)}
        onError={(event) => console.warn(event.detail.code, event.detail.message)}
      />
      <TypingIndicator client={supabase} conversationId={conversationId} onTypingChange={onTypingChange} />
      <p>
        Last sent: {lastSent}; typing: {typists.join(', ')}
      </p>
      <MeetingParticipants
        client={supabase}
        meetingId={conversationId}
        controls
        onParticipantJoin={(event) => console.info(`${event.detail.participant.display_name} joined`)}
      />
    </section>
  );
}

// The tag name map types querySelector: no cast needed to read the element's properties.
const existing = document.querySelector('pasabay-chat');
console.info(existing?.conversationId ?? 'no chat yet');
// And the event map types listeners on the element itself.
existing?.addEventListener('pasabay-message-send', (event) => console.info(event.detail.body, event.detail.replyTo));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ChatPanel conversationId="00000000-0000-4000-8000-000000000000" />
  </StrictMode>,
);
