import type { LauncherStrings } from '../../launcher.js';

export const launcher: Partial<LauncherStrings> = {
  launcherOpen: 'Buksan ang chat',
  launcherClose: 'Isara ang chat',
  launcherTitle: 'Chat',
  launcherCloseButton: 'Isara',
  launcherUnread: (count) => `${count} hindi pa nababasang mensahe`,
};
