import type { LauncherStrings } from '../../launcher.js';

const plural = new Intl.PluralRules('es');

export const launcher: Partial<LauncherStrings> = {
  launcherOpen: 'Abrir chat',
  launcherClose: 'Cerrar chat',
  launcherTitle: 'Chat',
  launcherCloseButton: 'Cerrar',
  launcherUnread: (count) => `${count} ${plural.select(count) === 'one' ? 'mensaje sin leer' : 'mensajes sin leer'}`,
};
