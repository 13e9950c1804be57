import { configure } from 'pasabay-chat';
import { createApp } from 'vue';
import App from './App.vue';

// Your project's URL and publishable (anon) key; every Pasabay element on the page uses them.
configure({
  supabaseUrl: import.meta.env.VITE_SUPABASE_URL ?? 'http://127.0.0.1:54321',
  supabaseKey: import.meta.env.VITE_SUPABASE_ANON_KEY ?? 'YOUR-ANON-KEY',
});

createApp(App).mount('#app');
