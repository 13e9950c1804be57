/**
 * `npm run build:frameworks`: framework type declarations generated from custom-elements.json into
 * `dist/frameworks/` — `react-jsx.d.ts`, `preact-jsx.d.ts`, `solid-jsx.d.ts`, `vue.d.ts`,
 * `svelte.d.ts` — so `<pasabay-chat conversation-id=…>` and its events are typed in those apps.
 *
 * The generators (break-stuff's custom-element-*-integration) import each element class from its
 * dist module, relative to `dist/frameworks/`, so the files resolve inside an installed package.
 * Two things they get wrong for us are corrected here, and the build stops if their output no
 * longer has the shape the corrections expect:
 * - they type a handler's argument as `CustomEvent<T>`, T being the event's detail; ours are
 *   `Event` subclasses (`PasabayMessageSendEvent`, with a typed `detail`), so a handler gets the
 *   class itself, imported from its own module;
 * - they leave registering the types to the app; each file here augments its framework itself,
 *   so importing it (or listing it in `types`) is enough.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateJsxTypes } from 'custom-element-jsx-integration';
import { generateSolidJsTypes } from 'custom-element-solidjs-integration';
import { generateSvelteTypes } from 'custom-element-svelte-integration';
import { generateVuejsTypes } from 'custom-element-vuejs-integration';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist/frameworks');
const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));

/** `dist/a/b.js` as an import specifier from `dist/frameworks/`. */
const fromOutdir = (modulePath) => {
  const path = relative(outdir, join(root, modulePath)).split(/[\\/]/).join(posix.sep);
  return path.startsWith('.') ? path : `./${path}`;
};
const moduleOf = new Map(
  manifest.modules.flatMap((mod) => (mod.declarations ?? []).map((declaration) => [declaration.name, mod.path])),
);

/**
 * A copy of the manifest whose event types are `import('…').PasabayXEvent`: the generators write
 * no import of their own for a type with a quote in it, which spares the duplicate imports they
 * write when two elements fire the same event, and the type resolves wherever the file is.
 */
function withImportedEventTypes() {
  const copy = JSON.parse(JSON.stringify(manifest));
  for (const mod of copy.modules) {
    for (const declaration of mod.declarations ?? []) {
      for (const event of declaration.events ?? []) {
        const name = event.type?.text;
        if (!moduleOf.has(name))
          throw new Error(`${declaration.tagName}: event ${event.name} has no known class (${name})`);
        event.type = { text: `import('${fromOutdir(moduleOf.get(name))}').${name}` };
      }
    }
  }
  return copy;
}

/**
 * `CustomEvent<import('…').X>` → `import('…').X` (the generators format their output, quotes may
 * change); every event handler must have been rewritten.
 */
function eventClassesAsArguments(text, file) {
  let count = 0;
  const rewritten = text.replace(/CustomEvent<(import\((['"])[^'"]+\2\)\.\w+)>/g, (_, type) => {
    count++;
    return type;
  });
  if (count === 0 || /CustomEvent</.test(rewritten)) throw new Error(`${file}: unexpected event handler types`);
  return rewritten;
}

const jsxAugmentation = (module) => `
declare module '${module}' {
  namespace JSX {
    // eslint-disable-next-line @typescript-eslint/no-empty-interface
    interface IntrinsicElements extends CustomElements {}
  }
}
`;

/** Svelte 5 reads `onpasabay-x={…}` attributes as listeners, and types them through svelte/elements. */
function svelte5(text) {
  const legacy = /^declare namespace svelteHTML \{[\s\S]*?^\}\n?/m;
  if (!legacy.test(text)) throw new Error('svelte.d.ts: unexpected shape');
  return text.replace(/^(\s*)"on:([\w-]+)"\?: ([\s\S]*?=> void;)$/gm, '$1"on:$2"?: $3\n$1"on$2"?: $3').replace(
    legacy,
    `declare module 'svelte/elements' {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface SvelteHTMLElements extends CustomElements {}
}
`,
  );
}

/**
 * Vue looks props and listeners up camelCased (`conversation-id` → `conversationId`,
 * `@pasabay-message-send` → `onPasabayMessageSend`); under the generator's kebab-case keys
 * vue-tsc checked nothing.
 */
function vueCamelCase(text) {
  const camel = (name) => name.replace(/-([a-z0-9])/g, (_, letter) => letter.toUpperCase());
  let count = 0;
  const rewritten = text.replace(/^(\s*)"([a-z0-9-]+)"\?:/gm, (_, indent, name) => {
    count++;
    // Listeners are `on` + the event name (`onpasabay-message-send`); our events all start `pasabay-`.
    return `${indent}${camel(name.replace(/^onpasabay-/, 'on-pasabay-'))}?:`;
  });
  if (count === 0) throw new Error('vue.d.ts: unexpected shape');
  return rewritten;
}

const targets = [
  { generate: generateJsxTypes, fileName: 'react-jsx.d.ts', finish: (t) => t + jsxAugmentation('react') },
  { generate: generateJsxTypes, fileName: 'preact-jsx.d.ts', finish: (t) => t + jsxAugmentation('preact') },
  { generate: generateSolidJsTypes, fileName: 'solid-jsx.d.ts', finish: (t) => t + jsxAugmentation('solid-js') },
  // Already augments `vue` (GlobalComponents) and the global JSX namespace.
  { generate: generateVuejsTypes, fileName: 'vue.d.ts', finish: vueCamelCase },
  { generate: generateSvelteTypes, fileName: 'svelte.d.ts', finish: svelte5 },
];

mkdirSync(outdir, { recursive: true });
const input = withImportedEventTypes();
for (const { generate, fileName, finish } of targets) {
  generate(JSON.parse(JSON.stringify(input)), {
    outdir,
    fileName,
    hideLogs: true,
    componentTypePath: (name) => fromOutdir(moduleOf.get(name)),
  });
  const path = join(outdir, fileName);
  const header = `// Generated by scripts/build-frameworks.mjs from custom-elements.json; do not edit.\n`;
  writeFileSync(path, header + finish(eventClassesAsArguments(readFileSync(path, 'utf8'), fileName)));
}
console.log(`Framework types: ${targets.map((t) => relative(root, join(outdir, t.fileName))).join(', ')}`);
