/**
 * `npm run analyze` writes custom-elements.json from the elements' JSDoc and regenerates the
 * README's API tables (`<!-- api:start -->` … `<!-- api:end -->`) and its global token table
 * (`<!-- tokens:start -->` … `<!-- tokens:end -->`), so the manifest and the README come from one
 * source. `npm run check:manifest` runs this same config in a temporary copy and compares.
 *
 * The manifest describes the published package: module paths are the `dist/` files the library
 * build writes (one per source module, `.d.ts` beside each), and it keeps only what
 * `src/elements.ts` exports, with public members only.
 *
 * Nothing here imports from node_modules: the check runs this file from a temporary directory.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** The package's public entry: declarations it does not export stay out of the manifest. */
const PUBLIC_ENTRY = 'src/elements.ts';
/** Where the global tokens are defined and resolved (see its doc comment). */
const GLOBAL_TOKENS_MODULE = 'src/styles/host.ts';
/** The class the elements extend, which all global tokens are attached to. */
const BASE_CLASS = 'PasabayElement';

/** `src/a/b.ts` (or `/src/a/b.js`, as the analyzer resolves imports) → `dist/a/b.js`. */
export function distPath(sourcePath) {
  return sourcePath.replace(/^\/?(\.\/)?src\//, 'dist/').replace(/\.ts$/, '.js');
}

/**
 * Every `--x: var(--pasabay-y, default);` declaration in a `css` template, in order. Values keep
 * their text; `var(--_x)` in a default names the private property another declaration resolves.
 */
export function tokenDeclarations(cssText) {
  const declarations = [];
  for (const match of cssText.matchAll(/(--_[\w-]+):\s*var\((--pasabay-[\w-]+),\s*(.+?)\);/g)) {
    declarations.push({ privateName: match[1], name: match[2], value: match[3].trim() });
  }
  return declarations;
}

/**
 * The defaults of the public tokens read from the styles, with private references written as the
 * public tokens they resolve (`var(--_space-s)` → `var(--pasabay-space-s)`), as the docs show them.
 */
export function tokenDefaults(cssTexts) {
  const declarations = cssTexts.flatMap(tokenDeclarations);
  const publicOf = new Map(declarations.map((d) => [d.privateName, d.name]));
  const defaults = new Map();
  for (const { name, value } of declarations) {
    defaults.set(
      name,
      value.replace(/var\((--_[\w-]+)\)/g, (whole, privateName) =>
        publicOf.has(privateName) ? `var(${publicOf.get(privateName)})` : whole,
      ),
    );
  }
  return defaults;
}

/** `light-dark(a, b)` → `{ light: a, dark: b }`; any other value is the same in both schemes. */
export function schemeValues(value = '') {
  const match = /^light-dark\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(value.trim());
  return match ? { light: match[1], dark: match[2] } : { light: value, dark: value };
}

/** The text of every `css` tagged template in a source file. */
function cssTemplates(ts, sourceFile) {
  const texts = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText() === 'css') texts.push(node.template.getText());
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return texts;
}

function parse(ts, path) {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/**
 * The global tokens: names and defaults from the `css` of `src/styles/host.ts`, descriptions from
 * the `@cssprop --name - text` lines of its doc comment. Attached to the base class, whose entries
 * the analyzer then copies into every element (marked `inheritedFrom` the base). A token without a
 * description, or a description without a token, stops the analysis.
 */
function globalTokens() {
  let tokens = [];
  return {
    name: 'pasabay-global-tokens',
    initialize({ ts }) {
      const source = parse(ts, GLOBAL_TOKENS_MODULE);
      const defaults = tokenDefaults(cssTemplates(ts, source));
      const descriptions = new Map();
      const visit = (node) => {
        for (const tag of ts.getJSDocTags(node)) {
          if (tag.tagName.getText() !== 'cssprop') continue;
          const comment = ts.getTextOfJSDocComment(tag.comment) ?? '';
          const match = /^(--pasabay-[\w-]+)\s+-\s+([\s\S]+)$/.exec(comment.trim());
          if (!match) throw new Error(`${GLOBAL_TOKENS_MODULE}: cannot read "@cssprop ${comment}"`);
          descriptions.set(match[1], match[2].replace(/\s+/g, ' '));
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      const undocumented = [...defaults.keys()].filter((name) => !descriptions.has(name));
      const unknown = [...descriptions.keys()].filter((name) => !defaults.has(name));
      if (undocumented.length || unknown.length) {
        throw new Error(
          `${GLOBAL_TOKENS_MODULE}: tokens without an @cssprop line: ${undocumented.join(', ') || 'none'}; ` +
            `@cssprop lines without a token: ${unknown.join(', ') || 'none'}`,
        );
      }
      tokens = [...defaults].map(([name, value]) => ({ name, default: value, description: descriptions.get(name) }));
    },
    moduleLinkPhase({ moduleDoc }) {
      for (const declaration of moduleDoc.declarations ?? []) {
        if (declaration.name === BASE_CLASS) declaration.cssProperties = tokens.map((token) => ({ ...token }));
      }
    },
  };
}

/**
 * Only what the package exports, and only its public surface: declarations not exported by
 * `src/elements.ts` go (the base class too, once the elements have inherited from it), and so do
 * private, protected, `#` and `_` members, and "members" the analyzer inferred from assignments
 * such as `this.store.onChange = …` that the class never declares.
 */
function publicSurface() {
  const publicNames = new Set();
  const declaredMembers = new Map();
  return {
    name: 'pasabay-public-surface',
    initialize({ ts }) {
      const entry = parse(ts, PUBLIC_ENTRY);
      for (const statement of entry.statements) {
        if (!ts.isExportDeclaration(statement) || !statement.exportClause) continue;
        for (const element of statement.exportClause.elements) publicNames.add(element.name.getText());
      }
    },
    analyzePhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const names = new Set(node.members.filter((m) => m.name).map((m) => m.name.getText()));
      declaredMembers.set(node.name.getText(), names);
    },
    packageLinkPhase({ customElementsManifest }) {
      const isPublicMember = (owner, member) =>
        !member.privacy &&
        !/^[#_]/.test(member.name) &&
        (declaredMembers.get(member.inheritedFrom?.name ?? owner)?.has(member.name) ?? true);
      for (const mod of customElementsManifest.modules) {
        mod.declarations = (mod.declarations ?? []).filter((d) => publicNames.has(d.name));
        mod.exports = (mod.exports ?? []).filter((e) => e.kind === 'js' && publicNames.has(e.name));
        for (const declaration of mod.declarations) {
          if (declaration.members)
            declaration.members = declaration.members.filter((m) => isPublicMember(declaration.name, m));
        }
      }
      customElementsManifest.modules = customElementsManifest.modules.filter((mod) => mod.declarations.length > 0);
    },
  };
}

/**
 * The analyzer lists `dispatchEvent(new X())` a second time without a name. It also writes the
 * modules in the order its globbing finished, which varies between runs: sort them by path so an
 * unchanged source gives an unchanged manifest.
 */
function dropNamelessEvents() {
  return {
    name: 'pasabay-drop-nameless-events',
    packageLinkPhase({ customElementsManifest }) {
      customElementsManifest.modules?.sort((a, b) => a.path.localeCompare(b.path));
      for (const mod of customElementsManifest.modules ?? []) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.events) declaration.events = declaration.events.filter((event) => event.name);
        }
      }
    },
  };
}

/**
 * Elements extend `PasabayElement<S>`, `S` being their strings table; the analyzer copies the
 * inherited members as written (`Partial<S>`), so put each element's own type argument in.
 */
function resolveBaseTypeArguments() {
  const argumentsByClass = new Map();
  return {
    name: 'pasabay-resolve-base-type-arguments',
    analyzePhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          if (type.expression.getText() === BASE_CLASS && type.typeArguments?.length === 1) {
            argumentsByClass.set(node.name.getText(), type.typeArguments[0].getText());
          }
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        for (const declaration of mod.declarations ?? []) {
          const argument = argumentsByClass.get(declaration.name);
          if (!argument) continue;
          // Inherited entries are shared between the elements: replace them, don't edit them.
          const resolve = (entry) =>
            entry.type?.text
              ? { ...entry, type: { ...entry.type, text: entry.type.text.replace(/\bS\b/g, argument) } }
              : entry;
          if (declaration.members) declaration.members = declaration.members.map(resolve);
          if (declaration.attributes) declaration.attributes = declaration.attributes.map(resolve);
        }
      }
    },
  };
}

/**
 * Module paths as they are published: `dist/…/x.js` for `src/…/x.ts`, in module paths and in
 * every reference (`inheritedFrom`, `superclass`, exports). Runs after every other plugin.
 */
function distPaths() {
  const rewrite = (value, modulePath) => {
    if (Array.isArray(value)) return value.forEach((item) => rewrite(item, modulePath));
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'module' && typeof child === 'string') {
        const absolute = child.startsWith('.') ? new URL(child, `file:///${modulePath}`).pathname : child;
        value.module = distPath(absolute);
      } else rewrite(child, modulePath);
    }
  };
  return {
    name: 'pasabay-dist-paths',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        rewrite(mod.declarations, mod.path);
        rewrite(mod.exports, mod.path);
        mod.path = distPath(mod.path);
      }
    },
  };
}

/**
 * The package's main entry (`main` in package.json, built from src/index.ts) is what registers the
 * tags: it gets their `custom-element-definition` exports, which tools such as api-viewer look
 * elements up by. The element modules themselves register nothing (see src/elements.ts).
 */
function definitionsInMainEntry() {
  return {
    name: 'pasabay-definitions-in-main-entry',
    packageLinkPhase({ customElementsManifest }) {
      const main = JSON.parse(readFileSync('package.json', 'utf8')).main.replace(/^\.\//, '');
      customElementsManifest.modules.push({
        kind: 'javascript-module',
        path: main,
        declarations: [],
        exports: elementsOf(customElementsManifest).map((element) => ({
          kind: 'custom-element-definition',
          name: element.tagName,
          declaration: { name: element.name, module: element.modulePath },
        })),
      });
    },
  };
}

/** The elements of a manifest (declarations with a tag), by tag name. */
export function elementsOf(manifest) {
  return (manifest.modules ?? [])
    .flatMap((mod) => (mod.declarations ?? []).map((declaration) => ({ ...declaration, modulePath: mod.path })))
    .filter((declaration) => declaration.customElement && declaration.tagName)
    .sort((a, b) => a.tagName.localeCompare(b.tagName));
}

/** Global tokens are the ones every element inherits from the base; an element's own are the rest. */
export const isGlobalToken = (property) => property.inheritedFrom?.name === BASE_CLASS;

/** The global tokens of a manifest, once each, in their declaration order. */
export function globalTokensOf(manifest) {
  const byName = new Map();
  for (const element of elementsOf(manifest)) {
    for (const property of (element.cssProperties ?? []).filter(isGlobalToken)) byName.set(property.name, property);
  }
  return [...byName.values()];
}

const escape = (text = '') => String(text).replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim();
const table = (headers, rows) =>
  rows.length === 0
    ? ''
    : [
        `| ${headers.join(' | ')} |`,
        `| ${headers.map(() => '---').join(' | ')} |`,
        ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
      ].join('\n') + '\n';
const code = (text) => (text ? `\`${text}\`` : '');

/** The README section of one element. Its global tokens are listed once, under Theming. */
function elementSection(el) {
  const attributes = (el.attributes ?? []).map((a) => [
    code(a.name),
    a.fieldName ? code(a.fieldName) : '',
    a.type?.text ?? '',
    a.description ?? '',
  ]);
  const properties = (el.members ?? [])
    .filter(
      (m) =>
        m.kind === 'field' && !m.static && m.description && !(el.attributes ?? []).some((a) => a.fieldName === m.name),
    )
    .map((m) => [code(m.name), m.type?.text ?? '', m.description ?? '']);
  const methods = (el.members ?? [])
    .filter((m) => m.kind === 'method' && !m.static && m.description)
    .map((m) => [code(`${m.name}(${(m.parameters ?? []).map((p) => p.name).join(', ')})`), m.description ?? '']);
  const events = (el.events ?? []).map((e) => [code(e.name), e.type?.text ?? '', e.description ?? '']);
  const parts = (el.cssParts ?? []).map((p) => [code(p.name), p.description ?? '']);
  const tokens = (el.cssProperties ?? [])
    .filter((p) => !isGlobalToken(p))
    .map((p) => [code(p.name), code(p.default), p.description ?? '']);
  const states = (el.cssStates ?? []).map((s) => [code(`:state(${s.name})`), s.description ?? '']);
  const slots = (el.slots ?? []).map((s) => [s.name ? code(s.name) : '(default)', s.description ?? '']);
  return [
    `### \`<${el.tagName}>\`\n\n${el.summary ?? el.description ?? ''}\n`,
    attributes.length ? `**Attributes**\n\n${table(['Attribute', 'Property', 'Type', 'Description'], attributes)}` : '',
    properties.length ? `**Properties**\n\n${table(['Property', 'Type', 'Description'], properties)}` : '',
    methods.length ? `**Methods**\n\n${table(['Method', 'Description'], methods)}` : '',
    events.length ? `**Events**\n\n${table(['Event', 'Type', 'Description'], events)}` : '',
    slots.length ? `**Slots**\n\n${table(['Slot', 'Description'], slots)}` : '',
    parts.length ? `**Parts**\n\n${table(['Part', 'Description'], parts)}` : '',
    tokens.length
      ? `**Custom properties** (and every [global token](#theming))\n\n${table(['Property', 'Default', 'Description'], tokens)}`
      : '',
    states.length ? `**Custom states**\n\n${table(['State', 'Description'], states)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The generated README blocks, by marker name, before Prettier formats them. */
export function readmeBlocks(manifest) {
  const note = "<!-- Generated by `npm run analyze` from the elements' JSDoc; edit the source, not this table. -->";
  const tokens = globalTokensOf(manifest).map((token) => {
    const { light, dark } = schemeValues(token.default);
    return [code(token.name), code(light), code(dark), token.description ?? ''];
  });
  return {
    api: `${note}\n\n${elementsOf(manifest).map(elementSection).join('\n')}`,
    tokens: `<!-- Generated by \`npm run analyze\` from the doc comment and styles of src/styles/host.ts. -->\n\n${table(['Token', 'Default (light)', 'Default (dark)', 'Description'], tokens)}`,
  };
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, or `undefined` without them. */
export function readmeBlock(readme, name) {
  const match = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n?<!-- ${name}:end -->`).exec(readme);
  return match?.[1];
}

function readmeTables() {
  return {
    name: 'pasabay-readme-tables',
    packageLinkPhase({ customElementsManifest }) {
      let readme = readFileSync('README.md', 'utf8');
      for (const [name, body] of Object.entries(readmeBlocks(customElementsManifest))) {
        const pattern = new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`);
        if (!pattern.test(readme))
          throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> block`);
        readme = readme.replace(pattern, () => `<!-- ${name}:start -->\n${body}\n<!-- ${name}:end -->`);
      }
      writeFileSync('README.md', readme);
    },
  };
}

export default {
  globs: ['src/components/**/*.ts', 'src/events/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  // package.json already names custom-elements.json; the analyzer would rewrite it on every run.
  packagejson: false,
  plugins: [
    globalTokens(),
    publicSurface(),
    dropNamelessEvents(),
    resolveBaseTypeArguments(),
    distPaths(),
    definitionsInMainEntry(),
    readmeTables(),
  ],
};
