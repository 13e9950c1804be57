import type { ConversationListStrings } from '../../conversation-list.js';
import { typing } from './typing.js';

const plural = new Intl.PluralRules('es');

export const conversationList: Partial<ConversationListStrings> = {
  ...typing,
  listLabel: 'Conversaciones',
  searchLabel: 'Buscar conversaciones',
  searchPlaceholder: 'Buscar',
  untitled: 'Conversación',
  noMessages: 'Aún no hay mensajes',
  empty: 'Aún no hay conversaciones',
  noMatches: (query) => `Ninguna conversación coincide con «${query}»`,
  unread: (count) => `${count} sin leer`,
  typingDirect: 'escribiendo…',
  matches: (count) =>
    `${count} ${plural.select(count) === 'one' ? 'conversación encontrada' : 'conversaciones encontradas'}`,
  loading: 'Cargando conversaciones…',
  loadFailed: 'No se pudieron cargar las conversaciones.',
};
