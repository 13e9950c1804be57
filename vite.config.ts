/**
 * `vite build` makes the library (`dist/pasabay-chat.js`, `dist/elements.js`, dependencies left to
 * the app's bundler); `vite build --mode bundle` makes the self-contained script-tag bundle
 * (`dist/pasabay-chat.bundle.js`, Lit and supabase-js inside). `npm start` serves demo/ with it.
 */
import { defineConfig, type LibraryOptions } from 'vite';

export default defineConfig(({ mode }) => {
  const bundle = mode === 'bundle';
  const entry: Record<string, string> = bundle
    ? { 'pasabay-chat.bundle': 'src/index.ts' }
    : { 'pasabay-chat': 'src/index.ts', elements: 'src/elements.ts' };
  const lib: LibraryOptions = { entry, formats: ['es'] };
  return {
    build: {
      target: 'es2022',
      emptyOutDir: !bundle,
      sourcemap: true,
      minify: true,
      lib,
      rolldownOptions: {
        external: bundle ? [] : [/^lit(\/.*)?$/, /^@lit\//, /^@supabase\//, /^zod(\/.*)?$/],
        // Library mode does not strip whitespace in ES output unless the output asks for it too.
        output: { minify: true },
      },
    },
    esbuild: { target: 'es2022' },
    server: { host: '127.0.0.1' },
  };
});
