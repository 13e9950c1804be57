/** The ar tables, one chunk loaded by `loadTranslation('ar')`. */
import type { Translation } from '../../translation.js';
import { chat } from './chat.js';
import { launcher } from './launcher.js';
import { participants } from './participants.js';
import { typing } from './typing.js';

const translation: Translation = { chat, typing, participants, launcher };
export default translation;
