import { configure } from 'pasabay-chat';
import { mount } from 'svelte';
import App from './App.svelte';

// Your project's URL and publishable (anon) key; every Pasabay element on the page uses them.
configure({
  supabaseUrl: import.meta.env.VITE_SUPABASE_URL ?? 'http://127.0.0.1:54321',
  supabaseKey: import.meta.env.VITE_SUPABASE_ANON_KEY ?? 'YOUR-ANON-KEY',
});

mount(App, { target: document.querySelector('#app')! });
