/**
 * <pasabay-chat> attachments (issue 12) with real clients on the local stack: files attached by
 * the picker, paste and drop upload to Storage with progress; the message carries text and files;
 * the peer sees the image thumbnail (opening larger in a dialog) and downloads the file; a
 * non-member is refused by Storage and by message_attachments; a too-large file shows why and
 * keeps the text.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { closeClients, newUser } from '../support/browser-stack.js';
import {
  bodies,
  directPair,
  mountChat,
  part,
  parts,
  removeAndSettle,
  shadow,
  typeAndSend,
  waitForBody,
  waitLive,
} from './pasabay-chat-fixtures.js';
import type { PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';

const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);

/**
 * Records the Storage object requests (XHR or fetch) the page starts from now on, for files named
 * `name`; `stop()` puts XHR and fetch back.
 */
function watchStorageRequests(name: string) {
  stopWatching();
  const seen: string[] = [];
  const note = (url: string | URL) => {
    const text = decodeURIComponent(String(url));
    if (text.includes('/storage/v1/object/') && text.endsWith(`/${name}`)) seen.push(text);
  };
  const open = XMLHttpRequest.prototype.open;
  const fetch = window.fetch;
  XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: Parameters<XMLHttpRequest['open']>) {
    note(args[1]);
    return open.apply(this, args as Parameters<typeof open>);
  } as typeof open;
  window.fetch = (input, init) => {
    note(input instanceof Request ? input.url : input);
    return fetch(input, init);
  };
  stopWatching = () => {
    XMLHttpRequest.prototype.open = open;
    window.fetch = fetch;
    stopWatching = () => undefined;
  };
  return { seen, stop: () => stopWatching() };
}
/** Puts XHR and fetch back after a watch (also when a test failed before its own stop). */
let stopWatching = () => {};

const pngFile = (name = 'dot.png') => new File([PNG], name, { type: 'image/png' });
const textFile = (name = 'notes.txt', text = 'meeting notes') => new File([text], name, { type: 'text/plain' });

/** Picks files through the attach button's file input, as the browser's picker does. */
function pick(el: PasabayChat, files: File[]) {
  const input = shadow(el).querySelector<HTMLInputElement>('input[type="file"]')!;
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

async function waitUploaded(el: PasabayChat, count: number) {
  await waitUntil(
    () => parts(el, 'upload').filter((item) => item.matches('[part~="done"]')).length === count,
    'uploads never finished',
    { timeout: 15_000 },
  );
}

describe('<pasabay-chat>', () => {
  describe('attachments', () => {
    afterEach(() => stopWatching());
    it('uploads an image and a file with text; the peer sees the thumbnail, opens it, and downloads the file', async () => {
      const { maria, carlos, id } = await directPair();
      const sender = await mountChat(maria.client, id);
      const reader = await mountChat(carlos.client, id);
      await waitLive(sender);
      await waitLive(reader);

      expect(part(sender, 'attach')?.getAttribute('aria-label')).to.equal('Attach files');
      pick(sender, [pngFile()]);
      // Paste puts a file in too (a screenshot from the clipboard).
      const clipboard = new DataTransfer();
      clipboard.items.add(textFile());
      part(sender, 'composer')!.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, composed: true, cancelable: true }),
      );
      await waitUntil(() => parts(sender, 'upload').length === 2, 'both files listed');
      await waitUploaded(sender, 2);
      await expect(sender).to.be.accessible();
      expect(parts(sender, 'upload-name').map((name) => name.textContent)).to.deep.equal(['dot.png', 'notes.txt']);

      await typeAndSend(sender, 'Agenda attached');
      await waitForBody(reader, 'Agenda attached');
      expect(parts(sender, 'upload')).to.have.length(0);

      await waitUntil(() => part(reader, 'thumbnail') && part(reader, 'attachment-download'), 'peer sees attachments', {
        timeout: 15_000,
      });
      const thumbnail = part(reader, 'thumbnail') as HTMLImageElement;
      expect(thumbnail.alt).to.equal('dot.png');
      await waitUntil(() => thumbnail.complete && thumbnail.naturalWidth === 1, 'thumbnail loads');
      const link = part(reader, 'attachment-download') as HTMLAnchorElement;
      expect(link.getAttribute('aria-label')).to.contain('notes.txt');
      const downloaded = await fetch(link.href);
      expect(downloaded.status).to.equal(200);
      expect(await downloaded.text()).to.equal('meeting notes');
      expect(downloaded.headers.get('content-disposition')).to.contain('notes.txt');
      await expect(reader).to.be.accessible();

      // The sender's own bubble shows the files too, once the message is stored.
      await waitUntil(() => part(sender, 'thumbnail'), 'sender sees the thumbnail', { timeout: 15_000 });

      part(reader, 'attachment-thumbnail')!.click();
      await reader.updateComplete;
      const dialog = part(reader, 'lightbox') as HTMLDialogElement;
      expect(dialog.open).to.equal(true);
      expect((part(reader, 'lightbox-image') as HTMLImageElement).alt).to.equal('dot.png');
      await expect(reader).to.be.accessible();
      part(reader, 'lightbox-close')!.click();
      await reader.updateComplete;
      expect(part(reader, 'lightbox')).to.equal(null);

      await removeAndSettle(sender, maria.client);
      await removeAndSettle(reader, carlos.client);
    });

    it('a message of files only is sent with their names as its text; drop attaches files', async () => {
      const { maria, carlos, id } = await directPair();
      const sender = await mountChat(maria.client, id);
      await waitLive(sender);
      const dropped = new DataTransfer();
      dropped.items.add(textFile('list.txt', 'milk'));
      part(sender, 'base')!.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dropped, bubbles: true, composed: true, cancelable: true }),
      );
      await waitUploaded(sender, 1);
      const send = part(sender, 'send') as HTMLButtonElement;
      expect(send.disabled).to.equal(false);
      send.click();
      await waitForBody(sender, 'list.txt');
      await waitUntil(() => part(sender, 'attachment-download'), 'the message is stored with its file', {
        timeout: 15_000,
      });
      const { data } = await carlos.client.from('message_attachments').select('file_name, size_bytes');
      expect(data).to.deep.equal([{ file_name: 'list.txt', size_bytes: 4 }]);
      await removeAndSettle(sender, maria.client);
      await closeClients(carlos.client);
    });

    it('a too-large file shows why, keeps the text, and blocks sending until it is removed', async () => {
      const { maria, id } = await directPair();
      const sender = await mountChat(maria.client, id);
      await waitLive(sender);
      const composer = part(sender, 'composer') as HTMLTextAreaElement;
      composer.value = 'see the video';
      composer.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      const requests = watchStorageRequests('huge.txt');
      pick(sender, [new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'huge.txt', { type: 'text/plain' })]);
      await waitUntil(() => part(sender, 'upload-error'), 'the failure is shown', { timeout: 30_000 });
      // The bucket's limit (10 MiB) in the message, as the language writes sizes.
      expect(part(sender, 'upload-error')!.textContent).to.contain(
        'huge.txt was not attached: the file is too large (at most 10.5 MB).',
      );
      // Refused before sending a byte: the bucket's limit came from attachment_limits().
      requests.stop();
      expect(requests.seen, 'no upload request').to.deep.equal([]);
      expect(part(sender, 'upload-error')!.getAttribute('role')).to.equal('alert');
      expect((part(sender, 'composer') as HTMLTextAreaElement).value).to.equal('see the video');
      expect((part(sender, 'send') as HTMLButtonElement).disabled).to.equal(true);
      await expect(sender).to.be.accessible();

      part(sender, 'upload-remove')!.click();
      await sender.updateComplete;
      expect(parts(sender, 'upload')).to.have.length(0);
      expect((part(sender, 'send') as HTMLButtonElement).disabled).to.equal(false);
      await typeAndSend(sender, 'see the video');
      await waitForBody(sender, 'see the video');
      expect(bodies(sender)).to.deep.equal(['see the video']);
      await removeAndSettle(sender, maria.client);
    });

    it('a refused type shows its reason', async () => {
      const { maria, id } = await directPair();
      const sender = await mountChat(maria.client, id);
      await waitLive(sender);
      const requests = watchStorageRequests('x.svg');
      pick(sender, [new File(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 'x.svg', { type: 'image/svg+xml' })]);
      await waitUntil(() => part(sender, 'upload-error'), 'the failure is shown', { timeout: 15_000 });
      expect(part(sender, 'upload-error')!.textContent).to.contain('files of type image/svg+xml are not accepted.');
      requests.stop();
      expect(requests.seen, 'no upload request').to.deep.equal([]);
      await removeAndSettle(sender, maria.client);
    });

    it('a non-member is refused by Storage and by message_attachments', async () => {
      const { maria, id } = await directPair();
      const sender = await mountChat(maria.client, id);
      await waitLive(sender);
      pick(sender, [pngFile('private.png')]);
      await waitUploaded(sender, 1);
      await typeAndSend(sender, 'private picture');
      await waitForBody(sender, 'private picture');
      // Stored (and linked) once the sender's bubble shows the picture.
      await waitUntil(() => part(sender, 'thumbnail'), 'the message is stored with its picture', { timeout: 15_000 });
      const { data: rows } = await maria.client.from('message_attachments').select('object_name');
      const objectName = (rows as { object_name: string }[])[0]!.object_name;

      const stranger = await newUser('Stranger');
      const download = await stranger.client.storage.from('attachments').download(objectName);
      expect((download.error as { status?: number } | null)?.status).to.equal(404);
      const signed = await stranger.client.storage.from('attachments').createSignedUrl(objectName, 60);
      expect(signed.data).to.equal(null);
      const upload = await stranger.client.storage
        .from('attachments')
        .upload(`${id}/${crypto.randomUUID()}/mine.png`, new Blob([PNG], { type: 'image/png' }));
      expect((upload.error as { status?: number } | null)?.status).to.equal(403);
      const listed = await stranger.client.from('message_attachments').select('id');
      expect(listed.data).to.deep.equal([]);
      await removeAndSettle(sender, maria.client);
      await closeClients(stranger.client);
    });
  });
});
