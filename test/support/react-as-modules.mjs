/**
 * A web-test-runner plugin that serves React as ES modules. React ships CommonJS only, which the
 * test server does not convert, so `react`, `react-dom` and `react-dom/client` are bundled once
 * with esbuild (one shared React instance, development build as a bundler would pick) and served
 * from `/__react/`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
/** Each specifier with the development build that defines its exports. */
const specifiers = {
  react: 'react/cjs/react.development.js',
  'react-dom': 'react-dom/cjs/react-dom.development.js',
  'react-dom/client': 'react-dom/cjs/react-dom-client.development.js',
};
const fileOf = (specifier) => `${specifier.replace('/', '-')}.js`;

/**
 * An entry that re-exports the CommonJS module's `exports.name = …` assignments as named ES
 * exports (read from its source: running React's DOM build under Node is not an option here).
 */
function entrySource(specifier) {
  const [name, ...rest] = specifiers[specifier].split('/');
  const packageDir = dirname(require.resolve(`${name}/package.json`));
  const source = readFileSync(join(packageDir, ...rest), 'utf8');
  const names = [...new Set([...source.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)].map((match) => match[1]))];
  return `import m from '${specifier}'; export default m; export const { ${names.join(', ')} } = m;`;
}

async function bundle() {
  const result = await build({
    entryPoints: Object.keys(specifiers).map((specifier) => ({
      in: `virtual:${specifier}`,
      out: fileOf(specifier).slice(0, -3),
    })),
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: '/__react',
    write: false,
    define: { 'process.env.NODE_ENV': '"development"' },
    plugins: [
      {
        name: 'virtual-entries',
        setup(build) {
          build.onResolve({ filter: /^virtual:/ }, (args) => ({ path: args.path.slice(8), namespace: 'virtual' }));
          build.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({
            contents: entrySource(args.path),
            resolveDir: process.cwd(),
          }));
        },
      },
    ],
  });
  return new Map(result.outputFiles.map((file) => [file.path, file.text]));
}

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function reactAsModules() {
  let files;
  return {
    name: 'pasabay-react-as-modules',
    resolveImport({ source }) {
      return source in specifiers ? `/__react/${fileOf(source)}` : undefined;
    },
    async serve(context) {
      if (!context.path.startsWith('/__react/')) return undefined;
      files ??= await bundle();
      const body = files.get(context.path);
      return body === undefined ? undefined : { body, type: 'js' };
    },
  };
}
