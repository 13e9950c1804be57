/** The ar tables, one chunk loaded by `loadTranslation('ar')`. */
import type { Translation } from '../../translation.js';
import { chat } from './chat.js';
import { conversationList } from './conversation-list.js';
import { launcher } from './launcher.js';
import { participants } from './participants.js';
import { reactions } from './reactions.js';
import { typing } from './typing.js';

const translation: Translation = { chat, typing, participants, launcher, conversationList, reactions };
export default translation;
