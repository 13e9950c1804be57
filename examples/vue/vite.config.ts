import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** Pasabay's tags are custom elements, not Vue components: Vue renders them as they are. */
const pasabayTags = new Set(['pasabay-chat', 'typing-indicator', 'meeting-participants']);

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => pasabayTags.has(tag) } } })],
});
