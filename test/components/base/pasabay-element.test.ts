/**
 * The shell the three elements share (src/components/base/pasabay-element.ts): configuration
 * reported once and only when a client is needed, custom states that never throw, defineElement().
 * Nothing is configured on this page, so nothing connects anywhere.
 */
import { expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import { defineElement } from '../../../src/components/base/pasabay-element.js';
import { PasabayChat, definePasabayChat } from '../../../src/components/pasabay-chat/pasabay-chat.js';
import { TypingIndicator, defineTypingIndicator } from '../../../src/components/typing-indicator/typing-indicator.js';
import type { PasabayErrorEvent } from '../../../src/events/pasabay-error.js';

definePasabayChat();
defineTypingIndicator();

const conversationId = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

function collectErrors(el: Element): PasabayErrorEvent[] {
  const errors: PasabayErrorEvent[] = [];
  el.addEventListener('pasabay-error', (event) => errors.push(event as PasabayErrorEvent));
  return errors;
}

describe('PasabayElement', () => {
  describe('configuration', () => {
    it('reports a missing client once, and not while nothing needs one', async () => {
      const el = await fixture<PasabayChat>(html`<pasabay-chat></pasabay-chat>`);
      const errors = collectErrors(el);
      el.requestUpdate();
      await el.updateComplete;
      await nextFrame();
      expect(errors.length).to.equal(0);
      expect(el.matches(':state(error)')).to.equal(false);

      el.conversationId = conversationId;
      await waitUntil(() => el.matches(':state(error)'), 'error state without a client');
      // More updates find the same missing client: it is not reported again.
      for (let i = 0; i < 3; i++) {
        el.requestUpdate();
        await el.updateComplete;
      }
      await nextFrame();
      expect(errors.map((error) => error.detail.code).join(',')).to.equal('configuration');
    });
  });

  describe('custom states', () => {
    it('falls back to the --name form where a browser refuses bare names, without throwing', async () => {
      const proto = CustomStateSet.prototype;
      const { add, delete: remove } = proto;
      const added: string[] = [];
      proto.add = function (this: CustomStateSet, name: string) {
        if (!name.startsWith('--')) throw new DOMException('bare state names refused', 'SyntaxError');
        added.push(name);
        return add.call(this, name);
      };
      proto.delete = function (this: CustomStateSet, name: string) {
        if (!name.startsWith('--')) throw new DOMException('bare state names refused', 'SyntaxError');
        return remove.call(this, name);
      };
      try {
        const el = await fixture<TypingIndicator>(
          html`<typing-indicator conversation-id=${conversationId}></typing-indicator>`,
        );
        await waitUntil(() => added.includes('--error'), 'error state set in the --name form');
        expect(added).to.include('--offline');
        expect(el.shadowRoot!.querySelector('[part~="base"]')).to.not.equal(null);
      } finally {
        proto.add = add;
        proto.delete = remove;
      }
    });
  });

  describe('defineElement', () => {
    it('registers a class under a second tag as a subclass, and a taken tag not at all', () => {
      defineElement('pasabay-element-test-chat', PasabayChat);
      const second = customElements.get('pasabay-element-test-chat')!;
      expect(second).to.not.equal(PasabayChat);
      expect(second.prototype instanceof PasabayChat).to.equal(true);
      defineElement('pasabay-element-test-chat', TypingIndicator);
      expect(customElements.get('pasabay-element-test-chat')).to.equal(second);
    });
  });
});
