import type { ConversationListStrings } from '../../conversation-list.js';
import { counted } from './plural.js';
import { typing } from './typing.js';

export const conversationList: Partial<ConversationListStrings> = {
  ...typing,
  listLabel: 'المحادثات',
  searchLabel: 'البحث في المحادثات',
  searchPlaceholder: 'بحث',
  untitled: 'محادثة',
  noMessages: 'لا رسائل بعد',
  empty: 'لا محادثات بعد',
  noMatches: (query) => `لا محادثات تطابق «${query}»`,
  // `count` arrives formatted (it may be "99+"), so no plural form is picked for it.
  unread: (count) => `${count} غير مقروءة`,
  typingDirect: 'يكتب…',
  matches: (count) =>
    counted(count, {
      zero: () => 'لم يُعثر على أي محادثة',
      one: () => 'عُثر على محادثة واحدة',
      two: () => 'عُثر على محادثتين',
      few: (n) => `عُثر على ${n} محادثات`,
      many: (n) => `عُثر على ${n} محادثة`,
      other: (n) => `عُثر على ${n} محادثة`,
    }),
  loading: 'جارٍ تحميل المحادثات…',
  loadFailed: 'تعذّر تحميل المحادثات.',
};
