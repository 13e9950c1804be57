/**
 * <pasabay-chat>'s parts loaded on demand (lazy-parts.ts) work on first use, on a page that had not
 * loaded them: this file runs in a page of its own, and the browser's resource timing says which
 * modules it fetched. Attachments: the attach button shows before the part, a file picked then
 * uploads once it arrives, and the message carries it. Mentions: a message sent before the `@`
 * picker arrived still mentions the member it names; the picker offers members on first use.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeClients, newUser } from '../support/browser-stack.js';
import {
  directBetween,
  mountChat,
  part,
  parts,
  removeAndSettle,
  shadow,
  typeAndSend,
  waitForBody,
  waitLive,
} from './pasabay-chat-fixtures.js';

// The default buffer (250 entries) is full of the modules the suite itself loads.
performance.setResourceTimingBufferSize(100_000);

/** Whether the page fetched a module whose path ends with `file`. */
const fetched = (file: string) =>
  performance
    .getEntriesByType('resource')
    .some((entry) => new URL(entry.name).pathname.endsWith(`/src/components/pasabay-chat/${file}`));

describe('<pasabay-chat>', () => {
  describe('parts loaded on first use', () => {
    it('attachments: the button shows before the part; a file picked then is uploaded and sent with the message', async () => {
      const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
      const id = await directBetween(maria, carlos);
      // An empty conversation: no stored message whose files the element would have to ask about.
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      expect(fetched('attachments-part.ts')).to.equal(false, 'attachments loaded before first use');
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
      expect(fetched('attachments-part.ts')).to.equal(true);
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

    it('mentions: a message sent before the picker arrived mentions the member it names; then @ offers members', async () => {
      const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos Reyes')]);
      const id = await directBetween(maria, carlos);
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitUntil(() => part(el, 'header-title')?.textContent?.trim() === 'Carlos Reyes', 'profiles loaded');
      const composer = part(el, 'composer') as HTMLTextAreaElement;
      expect(composer.getAttribute('aria-autocomplete')).to.equal('list');

      // Typed and sent in one go: this element's picker cannot have arrived yet.
      composer.value = 'ping @Carlos Reyes';
      composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      expect(el.submit()).to.be.a('string');
      await waitForBody(el, 'ping @Carlos Reyes');
      await waitUntil(
        async () => {
          const { data } = await maria.client.from('messages').select('mentions').eq('body', 'ping @Carlos Reyes');
          return (data as { mentions: string[] }[] | null)?.[0]?.mentions.length === 1;
        },
        'the message was stored without its mention',
        { timeout: 15_000 },
      );
      const { data } = await maria.client.from('messages').select('mentions').eq('body', 'ping @Carlos Reyes');
      expect((data as { mentions: string[] }[])[0]!.mentions).to.deep.equal([carlos.user.id]);

      await waitUntil(
        () => {
          composer.focus();
          composer.value = 'and @ca';
          composer.setSelectionRange(7, 7);
          composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
          return parts(el, 'mention-option').length === 1;
        },
        '@ never offered Carlos',
        { timeout: 15_000 },
      );
      expect(fetched('view/mention-picker.ts')).to.equal(true);
      expect(parts(el, 'mention-option').map((option) => option.textContent!.trim())).to.deep.equal(['Carlos Reyes']);
      await expect(el).to.be.accessible();
      await removeAndSettle(el, maria.client);
      await closeClients(carlos.client);
    });
  });
});
