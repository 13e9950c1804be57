/**
 * `pasabay-chat/react` in Chromium with real React 19: properties reach the element and its
 * events reach the `onX` props.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { PasabayChat } from '../../src/react.js';
import type { PasabayErrorEvent, PasabayMessageReceiveEvent } from '../../src/elements.js';
import { directPair, post, waitLive } from '../components/pasabay-chat-fixtures.js';

describe('pasabay-chat/react', () => {
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

  it('renders <pasabay-chat> and hands an error event to onError', async () => {
    const errors: PasabayErrorEvent[] = [];
    // No client, no supabase-url / supabase-key and no configure(): the element reports it.
    flushSync(() =>
      root.render(
        createElement(PasabayChat, { conversationId: crypto.randomUUID(), onError: (event) => errors.push(event) }),
      ),
    );
    const element = container.querySelector('pasabay-chat');
    expect(element?.conversationId).to.be.a('string').with.length(36);
    await waitUntil(() => errors.length > 0, 'onError called');
    expect(errors[0]!.detail.code).to.equal('configuration');
  });

  it('passes the client as a property and a received message to onMessageReceive', async () => {
    const { maria, carlos, id } = await directPair();
    const received: PasabayMessageReceiveEvent[] = [];
    flushSync(() =>
      root.render(
        createElement(PasabayChat, {
          client: carlos.client,
          conversationId: id,
          onMessageReceive: (event) => received.push(event),
        }),
      ),
    );
    const element = container.querySelector('pasabay-chat')!;
    expect(element.client).to.equal(carlos.client);
    await waitLive(element);
    await post(maria, id, 'Hello from the other side');
    await waitUntil(() => received.length > 0, 'onMessageReceive called', { timeout: 15_000 });
    expect(received[0]!.detail.message.body).to.equal('Hello from the other side');
    expect(received[0]!.detail.conversationId).to.equal(id);
  });
});
