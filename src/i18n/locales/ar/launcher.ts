import type { LauncherStrings } from '../../launcher.js';
import { counted } from './plural.js';

export const launcher: Partial<LauncherStrings> = {
  launcherOpen: 'فتح المحادثة',
  launcherClose: 'إغلاق المحادثة',
  launcherTitle: 'محادثة',
  launcherCloseButton: 'إغلاق',
  launcherUnread: (count) =>
    counted(count, {
      zero: () => 'لا رسائل غير مقروءة',
      one: () => 'رسالة واحدة غير مقروءة',
      two: () => 'رسالتان غير مقروءتين',
      few: (n) => `${n} رسائل غير مقروءة`,
      many: (n) => `${n} رسالة غير مقروءة`,
      other: (n) => `${n} رسالة غير مقروءة`,
    }),
};
