/**
 * What a fault-suite page runs (bundled by widget-harness.ts): real `<pasabay-chat>` elements on
 * real supabase-js clients, and small functions the Node side calls through `page.evaluate`.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { definePasabayChat, type PasabayChat } from '../../../src/components/pasabay-chat/pasabay-chat.js';

definePasabayChat();

interface Mounted {
  el: PasabayChat;
  client: SupabaseClient;
  failures: string[];
}

let current: Mounted | undefined;

/** What one view shows: the messages it holds (oldest first), and the rows in its DOM window. */
export interface ViewState {
  /** Bodies of the messages the server confirmed, in the view's order. */
  held: string[];
  /** Bodies rendered in the DOM (the virtual window), in order. */
  dom: string[];
  /** Own messages not confirmed yet (sending, queued). */
  pending: number;
  /** Own messages marked "Not sent". */
  failed: number;
  /** `pasabay-message-fail` events seen. */
  failures: string[];
  /** The element is loaded and joined. */
  live: boolean;
  hasOlder: boolean;
}

export const PasabayFault = {
  async mount(stack: { url: string; anonKey: string }, email: string, password: string, conversationId: string) {
    const client = createClient(stack.url, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, storageKey: `fault-${email}` },
    });
    const { error } = await client.auth.signInWithPassword({ email, password });
    if (error) throw new Error(`sign-in: ${error.message}`);
    const el = document.createElement('pasabay-chat');
    el.style.height = '480px';
    el.style.display = 'block';
    el.client = client;
    el.conversationId = conversationId;
    const failures: string[] = [];
    el.addEventListener('pasabay-message-fail', (event) => failures.push(event.detail.message));
    document.body.append(el);
    current = { el, client, failures };
  },

  /** Types `body` into the composer and presses Enter, as a user does. */
  async send(body: string) {
    const el = current!.el;
    const composer = el.shadowRoot!.querySelector<HTMLTextAreaElement>('[part~="composer"]')!;
    composer.focus();
    composer.value = body;
    composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    composer.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }),
    );
    await el.updateComplete;
  },

  /** Loads older pages until the view holds the whole history. */
  async loadAll() {
    const el = current!.el as unknown as { conversation: { hasOlder: boolean; loadOlder(): Promise<void> } };
    for (let i = 0; i < 1000 && el.conversation.hasOlder; i++) await el.conversation.loadOlder();
  },

  /** Cuts (or restores) this page's Realtime socket, as a dropped connection does. */
  socket(up: boolean) {
    if (up) current!.client.realtime.connect();
    else current!.client.realtime.disconnect();
  },

  view(): ViewState {
    const { el, failures } = current!;
    const messages = el.messageStore.messages;
    const root = el.shadowRoot!;
    const conversation = (el as unknown as { conversation: { hasOlder: boolean } }).conversation;
    return {
      held: messages.filter((m) => m.delivery === 'sent').map((m) => m.body),
      dom: [...root.querySelectorAll('[part~="message"]')].map(
        (m) => m.querySelector('[part~="body"]')?.textContent ?? '',
      ),
      pending: messages.filter((m) => m.delivery === 'sending' || m.delivery === 'queued').length,
      failed: messages.filter((m) => m.delivery === 'failed').length,
      failures: [...failures],
      live:
        (el.matches(':state(ready)') || el.matches(':state(empty)')) &&
        !el.matches(':state(connecting)') &&
        !el.matches(':state(reconnecting)') &&
        !el.matches(':state(offline)'),
      hasOlder: conversation.hasOlder,
    };
  },
};

(globalThis as unknown as { PasabayFault: typeof PasabayFault }).PasabayFault = PasabayFault;
