/**
 * `PasabayConversationList` of `pasabay-chat/react` in Chromium with real React: the client
 * reaches the element as a property and a chosen conversation reaches `onConversationSelect`.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { PasabayConversationList } from '../../src/react.js';
import type { PasabayConversationSelectEvent } from '../../src/elements.js';
import { closeClients, conversationOf, newUser } from '../support/browser-stack.js';

describe('pasabay-chat/react PasabayConversationList', () => {
  let container: HTMLElement;
  let root: Root;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });

  afterEach(() => {
    flushSync(() => root.unmount());
    container.remove();
  });

  it('lists the user’s conversations and hands a choice to onConversationSelect', async () => {
    const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
    try {
      const id = await conversationOf(maria, [carlos], { title: 'From React' });
      const chosen: PasabayConversationSelectEvent[] = [];
      flushSync(() =>
        root.render(
          createElement(PasabayConversationList, {
            client: maria.client,
            onConversationSelect: (event) => chosen.push(event),
          }),
        ),
      );
      const element = container.querySelector('pasabay-conversation-list')!;
      expect(element.client).to.equal(maria.client);
      const row = () => element.shadowRoot!.querySelector<HTMLElement>(`[part~="row"][data-id="${id}"]`);
      await waitUntil(() => row() !== null, 'the conversation listed', { timeout: 10_000 });
      row()!.click();
      expect(chosen.length).to.equal(1);
      expect(chosen[0]!.detail.conversationId).to.equal(id);
    } finally {
      await closeClients(maria.client, carlos.client);
    }
  });
});
