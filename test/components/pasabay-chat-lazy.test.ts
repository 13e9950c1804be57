/**
 * <pasabay-chat>'s parts loaded on demand (lazy-parts.ts) work on first use, on a page that had not
 * loaded them: this file runs in a page of its own, and the browser's resource timing says which
 * modules it fetched. Attachments: a conversation of text only never loads the part, and the first
 * message with a file that arrives loads it and shows the file (a file attached first:
 * pasabay-chat-lazy-upload.test.ts, another page). Mentions: a message sent before the `@`
 * picker arrived still mentions the member it names; the picker offers members on first use.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeClients, newUser } from '../support/browser-stack.js';
import {
  directBetween,
  fetchedChatModule,
  mountChat,
  post,
  part,
  parts,
  removeAndSettle,
  requested,
  waitForBody,
  waitLive,
} from './pasabay-chat-fixtures.js';

// The default buffer (250 entries) is full of the modules the suite itself loads.
performance.setResourceTimingBufferSize(100_000);

describe('<pasabay-chat>', () => {
  describe('parts loaded on first use', () => {
    it('attachments: text only never loads the part; the first message with a file loads it and shows the file', async () => {
      const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
      const id = await directBetween(maria, carlos);
      await post(carlos, id, 'just words');
      const el = await mountChat(maria.client, id);
      await waitLive(el);
      await waitForBody(el, 'just words');
      // The element asked the database about that message's files, and heard there are none.
      await waitUntil(() => requested('/rest/v1/message_attachments'), 'files never asked about', { timeout: 15_000 });
      await el.updateComplete;
      await el.updateComplete;
      expect(fetchedChatModule('attachments-part.ts')).to.equal(false, 'loaded for a conversation without files');
      expect(part(el, 'attachments')).to.equal(null);

      // Carlos sends a file the way the element does: stored under the message id, then the message.
      const messageId = crypto.randomUUID();
      const { error: uploadError } = await carlos.client.storage
        .from('attachments')
        .upload(`${id}/${messageId}/plan.txt`, new Blob(['the plan'], { type: 'text/plain' }), {
          contentType: 'text/plain',
        });
      expect(uploadError).to.equal(null);
      const { error } = await carlos.client
        .from('messages')
        .insert({ id: messageId, conversation_id: id, body: 'plan.txt' });
      expect(error).to.equal(null);
      await waitUntil(() => part(el, 'attachment-download'), 'the file never showed', { timeout: 15_000 });
      expect(fetchedChatModule('attachments-part.ts')).to.equal(true);
      expect(part(el, 'attachment-name')!.textContent).to.equal('plan.txt');
      // The part's styles came with it.
      expect(getComputedStyle(part(el, 'attachments')!).listStyleType).to.equal('none');
      await expect(el).to.be.accessible();
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
      expect(fetchedChatModule('view/mention-picker.ts')).to.equal(true);
      expect(parts(el, 'mention-option').map((option) => option.textContent!.trim())).to.deep.equal(['Carlos Reyes']);
      await expect(el).to.be.accessible();
      await removeAndSettle(el, maria.client);
      await closeClients(carlos.client);
    });
  });
});
