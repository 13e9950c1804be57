import type { ParticipantsStrings } from '../../participants.js';

const plural = new Intl.PluralRules('es');
const many = (count: number, one: string, other: string) => (plural.select(count) === 'one' ? one : other);

export const participants: Partial<ParticipantsStrings> = {
  participantsLabel: 'Participantes',
  participantsCount: (count) => `${count} ${many(count, 'participante', 'participantes')}`,
  participantsMore: (count) => `+${count} más`,
  participantsMoreLabel: (count) => `${count} ${many(count, 'participante', 'participantes')} más`,
  participantsShowAll: 'Mostrar todos',
  participantsShowFewer: 'Mostrar menos',
  participantsEmpty: 'Todavía no hay nadie.',
  participantsConnecting: 'Conectando…',
  participantsReconnecting: 'Reconectando…',
  participantsAuthRequired: 'Inicia sesión para ver quién está aquí.',
  participantsNotAllowed: 'No estás invitado a esta reunión.',
  participantsError: 'No se pudieron cargar los participantes.',
  participantsNoMeeting: 'Ninguna reunión seleccionada.',
  participantsYou: '(tú)',
  participantsHost: 'Anfitrión',
  participantsMuted: 'Silenciado',
  participantsVideoOn: 'Cámara encendida',
  participantsScreenSharing: 'Compartiendo pantalla',
  participantsHandRaised: 'Mano levantada',
  participantsAway: 'Ausente',
  participantsConnectionLost: 'Conexión perdida',
  participantsSomeone: 'Participante',
  participantsControls: 'Tu estado',
  participantsMute: 'Silenciar',
  participantsVideo: 'Cámara',
  participantsShareScreen: 'Compartir pantalla',
  participantsRaiseHand: 'Levantar la mano',
  participantsSetAway: 'Ausente',
  participantsJoined: (names, count) => `${names} ${many(count, 'se unió', 'se unieron')}`,
  participantsLeft: (names, count) => `${names} ${many(count, 'salió', 'salieron')}`,
  participantsManyJoined: (count) => `Se unieron ${count} personas`,
  participantsManyLeft: (count) => `Salieron ${count} personas`,
};
