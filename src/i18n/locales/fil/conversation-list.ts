import type { ConversationListStrings } from '../../conversation-list.js';
import { typing } from './typing.js';

export const conversationList: Partial<ConversationListStrings> = {
  ...typing,
  listLabel: 'Mga usapan',
  searchLabel: 'Maghanap ng usapan',
  searchPlaceholder: 'Maghanap',
  untitled: 'Usapan',
  noMessages: 'Wala pang mensahe',
  empty: 'Wala ka pang usapan',
  noMatches: (query) => `Walang usapang tugma sa “${query}”`,
  unread: (count) => `${count} hindi pa nababasa`,
  typingDirect: 'nagta-type…',
  // Filipino nouns do not change with the number.
  matches: (count) => `${count} usapan ang nahanap`,
  loading: 'Nilo-load ang mga usapan…',
  loadFailed: 'Hindi ma-load ang mga usapan.',
};
