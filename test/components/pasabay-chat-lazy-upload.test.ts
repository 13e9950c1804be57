/**
 * <pasabay-chat>'s attachments part (lazy-parts.ts) on first use by attaching, on a page that had
 * not loaded it (this file runs in a page of its own; resource timing says which modules it
 * fetched): the attach button shows before the part, a file picked then uploads once it arrives,
 * sending waits for it meanwhile, and the message carries it. pasabay-chat-lazy.test.ts: the part
 * loaded by a file that arrives, and the `@` picker.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeClients, newUser } from '../support/browser-stack.js';
import {
  directBetween,
  fetchedChatModule,
  mountChat,
  part,
  removeAndSettle,
  shadow,
  typeAndSend,
  waitForBody,
  waitLive,
} from './pasabay-chat-fixtures.js';

// The default buffer (250 entries) is full of the modules the suite itself loads.
performance.setResourceTimingBufferSize(100_000);

describe('<pasabay-chat>', () => {
  describe('parts loaded on first use', () => {
    it('attachments: the button shows before the part; a file picked then is uploaded and sent with the message', async () => {
      const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
      const id = await directBetween(maria, carlos);
      // An empty conversation: no stored message whose files the element would have to ask about.
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      expect(fetchedChatModule('attachments-part.ts')).to.equal(false, 'attachments loaded before first use');
      expect(part(el, 'attach')?.getAttribute('aria-label')).to.equal('Attach files');
      await expect(el).to.be.accessible();

      const input = shadow(el).querySelector<HTMLInputElement>('input[type="file"]')!;
      const transfer = new DataTransfer();
      transfer.items.add(new File(['first use'], 'first.txt', { type: 'text/plain' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      // Until the part has taken the file, the message waits for it.
      await el.updateComplete;
      expect((part(el, 'send') as HTMLButtonElement).disabled).to.equal(true);

      await waitUntil(() => part(el, 'upload')?.matches('[part~="done"]'), 'the file never uploaded', {
        timeout: 15_000,
      });
      expect(fetchedChatModule('attachments-part.ts')).to.equal(true);
      expect(part(el, 'upload-name')!.textContent).to.equal('first.txt');
      // The part's styles came with it.
      expect(getComputedStyle(part(el, 'uploads')!).listStyleType).to.equal('none');
      await expect(el).to.be.accessible();

      await typeAndSend(el, 'Here it is');
      await waitForBody(el, 'Here it is');
      await waitUntil(() => part(el, 'attachment-download'), 'the sent message shows its file', { timeout: 15_000 });
      const { data } = await carlos.client.from('message_attachments').select('file_name');
      expect(data).to.deep.equal([{ file_name: 'first.txt' }]);
      await removeAndSettle(el, maria.client);
      await closeClients(carlos.client);
    });
  });
});
