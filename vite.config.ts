/**
 * `vite build` makes the library (`dist/pasabay-chat.js`, `dist/elements.js`, dependencies left to
 * the app's bundler); `vite build --mode bundle` makes the self-contained script-tag bundle
 * (`dist/pasabay-chat.bundle.js`, all three elements, Lit and supabase-js inside);
 * `vite build --mode bundles` makes one script bundle per element (`dist/bundles/<tag>.js`) that
 * share their common code through `dist/bundles/chunks/`, so a page loads only the elements it shows.
 */
import { fileURLToPath } from 'node:url';
import { minifyHTMLLiterals } from '@lit-labs/rollup-plugin-minify-html-literals/lib/minify-html-literals.js';
import { defineConfig, type LibraryOptions, type Plugin } from 'vite';
import { hardenedServerOptions } from './supabase/local/demo-server.js';

const sourceDir = fileURLToPath(new URL('./src/', import.meta.url));

/** html-minifier-next options for `html` and `svg` templates (CSS goes to lightningcss). */
const htmlTemplateOptions = {
  caseSensitive: true,
  collapseWhitespace: true,
  // Each template is minified on its own and cannot know whether a leading or trailing space
  // separates words (` <span>(you)</span>`), so runs of whitespace become one space, never none.
  conservativeCollapse: true,
  // An `svg` template's `<path/>` has no `<svg>` around it: without the slash the next element
  // would nest inside the path.
  keepClosingSlash: true,
  removeComments: true,
  // Lit templates have no inline scripts, and an empty `title=""` or `alt=""` means something.
  minifyJS: false,
  removeEmptyAttributes: false,
};

/**
 * The JS minifier leaves template literals alone, so Lit's `css` and `html` templates would ship
 * with their indentation and comments. Our sources only: dependencies ship minified.
 */
function minifyLitTemplates(): Plugin {
  return {
    name: 'pasabay:minify-lit-templates',
    apply: 'build',
    async transform(code, id) {
      if (!id.startsWith(sourceDir) || !id.endsWith('.ts')) return null;
      // Throws on a template it cannot handle: the build stops rather than ship it unminified.
      const result = await minifyHTMLLiterals(code, { fileName: id, minifyOptions: htmlTemplateOptions });
      return result && { code: result.code, map: result.map?.toString() };
    },
  };
}

export default defineConfig(({ mode }) => {
  // Per-element script bundles: built like the one-file bundle (everything inside), split into shared chunks.
  const perElement = mode === 'bundles';
  const bundle = mode === 'bundle' || perElement;
  const entry: Record<string, string> = perElement
    ? {
        'pasabay-chat': 'src/bundles/pasabay-chat.ts',
        'typing-indicator': 'src/bundles/typing-indicator.ts',
        'meeting-participants': 'src/bundles/meeting-participants.ts',
        'pasabay-launcher': 'src/bundles/pasabay-launcher.ts',
        'pasabay-conversation-list': 'src/bundles/pasabay-conversation-list.ts',
        'meeting-reactions': 'src/bundles/meeting-reactions.ts',
      }
    : bundle
      ? { 'pasabay-chat.bundle': 'src/index.ts' }
      : { 'pasabay-chat': 'src/index.ts', elements: 'src/elements.ts', react: 'src/react.ts' };
  const lib: LibraryOptions = {
    entry,
    formats: ['es'],
    ...(perElement ? { fileName: (_format: string, name: string) => `bundles/${name}.js` } : {}),
  };
  return {
    plugins: [minifyLitTemplates()],
    // The one-file bundle stays one file (besides its languages): <pasabay-chat>'s parts loaded on
    // demand elsewhere (lazy-parts.ts) are built into it (eager-parts.ts).
    ...(mode === 'bundle'
      ? {
          resolve: {
            alias: [
              {
                find: /^\.\/lazy-parts\.js$/,
                replacement: fileURLToPath(new URL('./src/components/pasabay-chat/eager-parts.ts', import.meta.url)),
              },
            ],
          },
        }
      : {}),
    build: {
      target: 'es2022',
      emptyOutDir: !bundle,
      sourcemap: true,
      minify: true,
      lib,
      rolldownOptions: {
        external: bundle ? [] : [/^lit(\/.*)?$/, /^@lit\//, /^react(\/.*)?$/, /^@supabase\//, /^zod(\/.*)?$/],
        output: {
          // Library mode does not strip whitespace in ES output unless the output asks for it too.
          minify: true,
          // One file per source module in the library, so an app that registers one element
          // tree-shakes the other two (with `sideEffects` in package.json).
          ...(bundle ? {} : { preserveModules: true, preserveModulesRoot: 'src' }),
          ...(perElement ? { chunkFileNames: 'bundles/chunks/[name]-[hash].js' } : {}),
          // The one-file bundle's only other files: a language's strings, loaded when first shown.
          ...(mode === 'bundle' ? { chunkFileNames: 'locales/[name]-[hash].js' } : {}),
        },
      },
    },
    esbuild: { target: 'es2022' },
    // A bare `vite` dev run gets the same limits as `npm start`'s demo server.
    server: hardenedServerOptions(),
  };
});
