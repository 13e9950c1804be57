import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { definePasabayChat, type PasabayChat } from '../../src/components/pasabay-chat/pasabay-chat.js';
import { defineTypingIndicator, type TypingIndicator } from '../../src/components/typing-indicator/typing-indicator.js';
import { definePasabayLauncher, type PasabayLauncher } from '../../src/components/pasabay-launcher/pasabay-launcher.js';
import {
  definePasabayConversationList,
  type PasabayConversationList,
} from '../../src/components/pasabay-conversation-list/pasabay-conversation-list.js';
import {
  defineMeetingReactions,
  type MeetingReactions,
} from '../../src/components/meeting-reactions/meeting-reactions.js';
import { resolveChatStrings, type ChatStrings } from '../../src/i18n/chat.js';
import { directionOf, languageOf, languages, layerStrings, loadTranslation } from '../../src/i18n/locales.js';
import { formatList } from '../../src/i18n/strings.js';
import { closeClients, conversationOf, newUser, type TestUser } from '../support/browser-stack.js';

definePasabayChat();
defineTypingIndicator();
definePasabayLauncher();
definePasabayConversationList();
defineMeetingReactions();

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const settled = { timeout: 15_000 };

/** The visible text of the chat with no conversation (needs no client). */
const emptyText = (chat: PasabayChat) => chat.shadowRoot!.textContent!.replace(/\s+/g, ' ');

describe('translations', () => {
  describe('tables (pure)', () => {
    it('picks the closest language of ours from a lang tag', () => {
      expect(languageOf('es-MX')).to.equal('es');
      expect(languageOf('tl')).to.equal('fil');
      expect(languageOf('fil-PH')).to.equal('fil');
      expect(languageOf('ar-EG')).to.equal('ar');
      expect(languageOf('de')).to.equal('en');
      expect(languageOf('')).to.equal('en');
      expect(directionOf('ar')).to.equal('rtl');
      expect(directionOf('es')).to.equal('ltr');
    });

    it('loads each language as its own chunk, with plural forms from Intl.PluralRules', async () => {
      const [es, fil, ar] = await Promise.all([loadTranslation('es'), loadTranslation('fil'), loadTranslation('ar')]);
      expect(es!.typingMany!(3)).to.equal('3 personas están escribiendo…');
      expect(es!.newMessages!(1)).to.equal('1 mensaje nuevo');
      expect(es!.newMessages!(2)).to.equal('2 mensajes nuevos');
      expect(fil!.typingNamed!('Maria at Carlos', 2)).to.equal('Sina Maria at Carlos ay nagta-type…');
      // Arabic: one, two (dual), few (3–10), many (11–99).
      expect(ar!.launcherUnread!(1)).to.equal('رسالة واحدة غير مقروءة');
      expect(ar!.launcherUnread!(2)).to.equal('رسالتان غير مقروءتين');
      expect(ar!.launcherUnread!(3)).to.equal('3 رسائل غير مقروءة');
      expect(ar!.launcherUnread!(11)).to.equal('11 رسالة غير مقروءة');
      expect(ar!.typingNamed!('أ و ب', 2)).to.equal('أ و ب يكتبان…');
      expect(languages).to.deep.equal(['en', 'fil', 'es', 'ar']);
    });

    it('falls back to English for a key a translation lacks, and lets overrides win', () => {
      const strings = resolveChatStrings(
        layerStrings<ChatStrings>({ log: 'Mensajes', reactionNames: { '👍': 'Pulgar' } }, { send: 'Go' }),
      );
      expect(strings.log).to.equal('Mensajes');
      expect(strings.composer).to.equal('Message');
      expect(strings.send).to.equal('Go');
      expect(strings.reactionNames['👍']).to.equal('Pulgar');
      expect(strings.reactionNames['❤️']).to.equal('Heart');
    });
  });

  describe('elements', () => {
    it('render each language from the closest lang, and again when it changes', async () => {
      const wrapper = await fixture<HTMLDivElement>(html`<div lang="en"><pasabay-chat></pasabay-chat></div>`);
      const chat = wrapper.querySelector('pasabay-chat')!;
      expect(emptyText(chat)).to.contain('No conversation selected.');
      await expect(chat).to.be.accessible();
      const expected: Record<string, string> = {
        es: 'Ninguna conversación seleccionada.',
        fil: 'Walang napiling usapan.',
        ar: 'لم تُحدَّد أي محادثة.',
        en: 'No conversation selected.',
      };
      for (const [lang, text] of Object.entries(expected)) {
        wrapper.lang = lang;
        await waitUntil(() => emptyText(chat).includes(text), `no ${lang} text`, settled);
        expect(getComputedStyle(chat).direction).to.equal(lang === 'ar' ? 'rtl' : 'ltr');
        await expect(chat).to.be.accessible();
      }
    });

    it('write days and times with Intl in the language of the chat', async () => {
      const [maria, carlos] = await Promise.all([newUser('Maria'), newUser('Carlos')]);
      const id = await conversationOf(maria, [carlos]);
      const { error } = await carlos.client.from('messages').insert({ conversation_id: id, body: 'Hola' });
      if (error) throw new Error(error.message);
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="es">
          <pasabay-chat style="height: 360px" .client=${maria.client} conversation-id=${id}></pasabay-chat>
        </div>`,
      );
      const chat = wrapper.querySelector('pasabay-chat')!;
      const day = () => part(chat, 'day')?.textContent?.trim() ?? '';
      const today = (lang: string) => {
        const text = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(0, 'day');
        return text.charAt(0).toLocaleUpperCase(lang) + text.slice(1);
      };
      await waitUntil(() => day() === today('es'), `es day heading: "${day()}"`, settled);
      expect(day()).to.equal('Hoy');
      wrapper.lang = 'ar';
      await waitUntil(() => day() === today('ar'), `ar day heading: "${day()}"`, settled);
      await expect(chat).to.be.accessible();
      await closeClients(maria.client, carlos.client);
    });

    it('render Arabic right to left, and give the direction back for a left-to-right language', async () => {
      const el = await fixture<PasabayLauncher>(
        html`<pasabay-launcher lang="ar" conversation-id="00000000-0000-4000-8000-000000000000"></pasabay-launcher>`,
      );
      await waitUntil(() => el.getAttribute('dir') === 'rtl', 'no dir="rtl"', settled);
      expect(getComputedStyle(el).direction).to.equal('rtl');
      await waitUntil(() => part(el, 'button')!.textContent!.includes('فتح المحادثة'), 'no Arabic label', settled);
      // The panel hangs from the inline end, which is the left in Arabic.
      el.show();
      await el.updateComplete;
      const button = part(el, 'button')!.getBoundingClientRect();
      const panel = part(el, 'panel')!.getBoundingClientRect();
      expect(Math.round(panel.left)).to.equal(Math.round(button.left));
      expect(button.left).to.be.lessThan(innerWidth / 2);
      await expect(el).to.be.accessible();
      el.lang = 'es';
      await waitUntil(() => !el.hasAttribute('dir'), 'dir stayed', settled);
      expect(getComputedStyle(el).direction).to.equal('ltr');
      await waitUntil(() => part(el, 'close')!.textContent === 'Cerrar', 'no Spanish label', settled);
      // A dir the page set is the page's.
      el.setAttribute('dir', 'ltr');
      el.lang = 'ar';
      await waitUntil(() => part(el, 'close')!.textContent === 'إغلاق', 'no Arabic label', settled);
      expect(el.getAttribute('dir')).to.equal('ltr');
      el.hide();
    });

    it("say who is typing with each language's plural rules and list format", async () => {
      const [maria, ana, ben, cy] = await Promise.all(['Maria', 'Ana', 'Ben', 'Cy'].map((name) => newUser(name)));
      const id = await conversationOf(maria, [ana, ben, cy]);
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="es"><typing-indicator .client=${maria.client} conversation-id=${id}></typing-indicator></div>`,
      );
      const el = wrapper.querySelector<TypingIndicator>('typing-indicator')!;
      await waitUntil(() => el.isConnected && !el.matches(':state(offline)'), 'typing channel never joined', settled);
      // Typing the only way there is: the database's send_typing, which names the caller.
      const type = async (user: TestUser) => {
        const { error } = await user.client.rpc('send_typing', { conversation_id: id, is_typing: true });
        if (error) throw new Error(`send_typing: ${error.message}`);
      };
      const label = () => part(el, 'label')!.textContent!.trim();
      await type(ana);
      await type(ben);
      await waitUntil(
        () => label() === `${formatList(['Ana', 'Ben'], 'es')} están escribiendo…`,
        `es: "${label()}"`,
        settled,
      );
      const sentences: Record<string, string> = {
        fil: `Sina ${formatList(['Ana', 'Ben'], 'fil')} ay nagta-type…`,
        ar: `${formatList(['Ana', 'Ben'], 'ar')} يكتبان…`,
        en: 'Ana and Ben are typing…',
      };
      for (const [lang, sentence] of Object.entries(sentences)) {
        wrapper.lang = lang;
        await waitUntil(() => label() === sentence, `${lang}: "${label()}"`, settled);
        await expect(el).to.be.accessible();
      }
      wrapper.lang = 'es';
      await Promise.all([type(ana), type(ben), type(cy)]);
      await waitUntil(() => label() === '3 personas están escribiendo…', `es many: "${label()}"`, settled);
      wrapper.lang = 'ar';
      await waitUntil(() => label() === '3 أشخاص يكتبون…', `ar many: "${label()}"`, settled);
      await closeClients(maria.client, ana.client, ben.client, cy.client);
    });

    it('render the conversation list in the language of its lang, right to left in Arabic', async () => {
      // A new user has no conversations: the list shows its empty sentence once loaded.
      const maria = await newUser('Maria');
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="es">
          <pasabay-conversation-list style="height: 360px" .client=${maria.client}></pasabay-conversation-list>
        </div>`,
      );
      const el = wrapper.querySelector<PasabayConversationList>('pasabay-conversation-list')!;
      const message = () => part(el, 'message')?.textContent?.trim() ?? '';
      await waitUntil(() => message() === 'Aún no hay conversaciones', `es: "${message()}"`, settled);
      expect(part(el, 'search')!.getAttribute('placeholder')).to.equal('Buscar');
      expect(part(el, 'list')!.getAttribute('aria-label')).to.equal('Conversaciones');
      await expect(el).to.be.accessible();
      wrapper.lang = 'ar';
      await waitUntil(() => message() === 'لا محادثات بعد', `ar: "${message()}"`, settled);
      expect(el.getAttribute('dir')).to.equal('rtl');
      expect(getComputedStyle(el).direction).to.equal('rtl');
      expect(part(el, 'search')!.getAttribute('aria-label')).to.equal('البحث في المحادثات');
      await expect(el).to.be.accessible();
      await closeClients(maria.client);
    });

    it('render the meeting reactions in the language of their lang, right to left in Arabic', async () => {
      // No meeting yet: no client needed, and the picker and its state sentence still show.
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="es"><meeting-reactions reactions="👍 🎉"></meeting-reactions></div>`,
      );
      const el = wrapper.querySelector<MeetingReactions>('meeting-reactions')!;
      const button = () => part(el, 'button')!.getAttribute('aria-label');
      await waitUntil(() => button() === 'Reaccionar con 👍', `es: "${button()}"`, settled);
      expect(part(el, 'picker')!.getAttribute('aria-label')).to.equal('Enviar una reacción');
      expect(part(el, 'state')!.textContent!.trim()).to.equal('Conectando…');
      await expect(el).to.be.accessible();
      wrapper.lang = 'ar';
      await waitUntil(() => button() === 'التفاعل بـ 👍', `ar: "${button()}"`, settled);
      expect(el.getAttribute('dir')).to.equal('rtl');
      expect(getComputedStyle(el).direction).to.equal('rtl');
      expect(part(el, 'picker')!.getAttribute('aria-label')).to.equal('إرسال تفاعل');
      expect(part(el, 'state')!.textContent!.trim()).to.equal('جارٍ الاتصال…');
      await expect(el).to.be.accessible();
    });
  });
});
