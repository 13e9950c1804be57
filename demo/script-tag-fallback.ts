/**
 * Demo only, not part of the copy-paste example: a page served without `npm start`'s demo server
 * (a bare `vite` run) still has the `%VITE_SUPABASE_URL%` placeholder in its script tag; point it
 * at the stack demo/config.ts names, before the library reads the tag.
 */
import { supabaseUrl } from './config.js';

const script = document.querySelector<HTMLScriptElement>('script[data-supabase-url]');
if (script && !/^https?:\/\//.test(script.dataset.supabaseUrl ?? '')) script.dataset.supabaseUrl = supabaseUrl;
