import type { ParticipantsStrings } from '../../participants.js';
import { counted, type Forms } from './plural.js';

const participantsCounted: Forms = {
  zero: () => 'لا مشاركين',
  one: () => 'مشارك واحد',
  two: () => 'مشاركان',
  few: (n) => `${n} مشاركين`,
  many: (n) => `${n} مشاركًا`,
  other: (n) => `${n} مشارك`,
};
const people: Forms = {
  zero: () => 'لا أحد',
  one: () => 'شخص واحد',
  two: () => 'شخصان',
  few: (n) => `${n} أشخاص`,
  many: (n) => `${n} شخصًا`,
  other: (n) => `${n} شخص`,
};

export const participants: Partial<ParticipantsStrings> = {
  participantsLabel: 'المشاركون',
  participantsCount: (count) => counted(count, participantsCounted),
  participantsMore: (count) => `+${count} آخرين`,
  participantsMoreLabel: (count) => `${counted(count, participantsCounted)} آخرين`,
  participantsShowAll: 'عرض الكل',
  participantsShowFewer: 'عرض أقل',
  participantsEmpty: 'لا أحد هنا بعد.',
  participantsConnecting: 'جارٍ الاتصال…',
  participantsReconnecting: 'جارٍ إعادة الاتصال…',
  participantsAuthRequired: 'سجّل الدخول لترى من هنا.',
  participantsNotAllowed: 'لست مدعوًا إلى هذا الاجتماع.',
  participantsError: 'تعذّر تحميل المشاركين.',
  participantsNoMeeting: 'لم يُحدَّد أي اجتماع.',
  participantsYou: '(أنت)',
  participantsHost: 'المضيف',
  participantsMuted: 'صامت',
  participantsVideoOn: 'الكاميرا تعمل',
  participantsScreenSharing: 'يشارك الشاشة',
  participantsHandRaised: 'رفع يده',
  participantsAway: 'بعيد',
  participantsConnectionLost: 'انقطع الاتصال',
  participantsSomeone: 'مشارك',
  participantsControls: 'حالتك',
  participantsMute: 'كتم الصوت',
  participantsVideo: 'الكاميرا',
  participantsShareScreen: 'مشاركة الشاشة',
  participantsRaiseHand: 'رفع اليد',
  participantsSetAway: 'بعيد',
  participantsJoined: (names, count) => `${count === 1 ? 'انضم' : 'انضموا:'} ${names}`,
  participantsLeft: (names, count) => `${count === 1 ? 'غادر' : 'غادروا:'} ${names}`,
  participantsManyJoined: (count) => `انضم ${counted(count, people)}`,
  participantsManyLeft: (count) => `غادر ${counted(count, people)}`,
};
