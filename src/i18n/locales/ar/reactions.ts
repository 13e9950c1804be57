import type { ReactionsStrings } from '../../reactions.js';

export const reactions: Partial<ReactionsStrings> = {
  reactionsLabel: 'إرسال تفاعل',
  reactionsSend: (reaction) => `التفاعل بـ ${reaction}`,
  reactionsAnnounce: (name, reaction) => `تفاعل ${name} بـ ${reaction}`,
  reactionsAnnounceOwn: (reaction) => `تفاعلت بـ ${reaction}`,
  reactionsYou: 'أنت',
  reactionsSomeone: 'شخص ما',
  reactionsRefused: (reason) => `لم يُرسَل التفاعل: ${reason}`,
  reactionsNotAllowed: 'لا يرى التفاعلات ولا يرسلها إلا المشاركون في الاجتماع.',
  reactionsOverBudget: 'اتصالات مباشرة كثيرة جدًا: أغلق علامة تبويب أو محادثة أخرى لرؤية التفاعلات.',
  reactionsConnecting: 'جارٍ الاتصال…',
  reactionsAuthRequired: 'سجّل الدخول لإرسال التفاعلات.',
  reactionsError: 'التفاعلات غير متاحة.',
  reactionsDismiss: 'إغلاق',
};
