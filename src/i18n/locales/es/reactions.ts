import type { ReactionsStrings } from '../../reactions.js';

export const reactions: Partial<ReactionsStrings> = {
  reactionsLabel: 'Enviar una reacción',
  reactionsSend: (reaction) => `Reaccionar con ${reaction}`,
  reactionsAnnounce: (name, reaction) => `${name} reaccionó con ${reaction}`,
  reactionsAnnounceOwn: (reaction) => `Reaccionaste con ${reaction}`,
  reactionsYou: 'Tú',
  reactionsSomeone: 'Alguien',
  reactionsRefused: (reason) => `Reacción no enviada: ${reason}`,
  reactionsNotAllowed: 'Solo los participantes de la reunión pueden ver y enviar reacciones.',
  reactionsOverBudget: 'Demasiadas conexiones en vivo: cierra otra pestaña o chat para ver las reacciones.',
  reactionsConnecting: 'Conectando…',
  reactionsAuthRequired: 'Inicia sesión para enviar reacciones.',
  reactionsError: 'Las reacciones no están disponibles.',
  reactionsDismiss: 'Cerrar',
};
