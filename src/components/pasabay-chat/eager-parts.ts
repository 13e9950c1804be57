/**
 * lazy-parts.ts for the one-file script bundle (`vite build --mode bundle` resolves `./lazy-parts.js`
 * here, see vite.config.ts): that bundle is one file besides its languages, so the parts are in
 * it and "loading" one is a resolved promise. Same exports as lazy-parts.ts (checked below).
 */
import * as attachments from './attachments-part.js';
import * as mentions from './view/mention-picker.js';
import type * as Lazy from './lazy-parts.js';

export type { AttachmentsPart, MentionsPart } from './lazy-parts.js';

export const loadAttachmentsPart: typeof Lazy.loadAttachmentsPart = () => Promise.resolve(attachments);
export const loadMentionsPart: typeof Lazy.loadMentionsPart = () => Promise.resolve(mentions);
