/**
 * The `<typing-indicator>` script bundle (`dist/bundles/typing-indicator.js`): registers that element only and
 * configures from its own `<script data-supabase-url data-supabase-key>` tag. Shares its chunks
 * (Lit, supabase-js, the connection layer) with the other per-element bundles.
 */
import { defineTypingIndicator } from '../components/typing-indicator/typing-indicator.js';
import { configureFromScriptTag } from './script-tag.js';

export { TypingIndicator, defineTypingIndicator } from '../components/typing-indicator/typing-indicator.js';
export { configuration, configure } from '../connection/client.js';

configureFromScriptTag(import.meta.url);
defineTypingIndicator();
