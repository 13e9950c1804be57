/**
 * `npm run analyze` writes custom-elements.json from the elements' JSDoc and regenerates the
 * API tables in README.md between the `<!-- api:start -->` / `<!-- api:end -->` markers, so the
 * manifest and the README come from one source.
 */
import { readFileSync, writeFileSync } from 'node:fs';

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
          if (type.expression.getText() === 'PasabayElement' && type.typeArguments?.length === 1) {
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

const escape = (text = '') => String(text).replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim();
const table = (headers, rows) =>
  rows.length === 0
    ? ''
    : [
        `| ${headers.join(' | ')} |`,
        `| ${headers.map(() => '---').join(' | ')} |`,
        ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
      ].join('\n') + '\n';

function readmeTables() {
  return {
    name: 'pasabay-readme-tables',
    packageLinkPhase({ customElementsManifest }) {
      const elements = (customElementsManifest.modules ?? [])
        .flatMap((mod) => mod.declarations ?? [])
        .filter((declaration) => declaration.customElement && declaration.tagName)
        .sort((a, b) => a.tagName.localeCompare(b.tagName));
      const sections = elements.map((el) => {
        const attributes = (el.attributes ?? []).map((a) => [
          `\`${a.name}\``,
          a.fieldName ? `\`${a.fieldName}\`` : '',
          a.type?.text ?? '',
          a.description ?? '',
        ]);
        const properties = (el.members ?? [])
          .filter(
            (m) =>
              m.kind === 'field' &&
              !m.privacy &&
              !m.static &&
              m.description &&
              !(el.attributes ?? []).some((a) => a.fieldName === m.name),
          )
          .map((m) => [`\`${m.name}\``, m.type?.text ?? '', m.description ?? '']);
        const methods = (el.members ?? [])
          .filter((m) => m.kind === 'method' && !m.privacy && !m.static && m.description)
          .map((m) => [`\`${m.name}(${(m.parameters ?? []).map((p) => p.name).join(', ')})\``, m.description ?? '']);
        const events = (el.events ?? []).map((e) => [`\`${e.name}\``, e.type?.text ?? '', e.description ?? '']);
        const parts = (el.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description ?? '']);
        const props = (el.cssProperties ?? []).map((p) => [
          `\`${p.name}\``,
          p.default ? `\`${p.default}\`` : '',
          p.description ?? '',
        ]);
        const states = (el.cssStates ?? []).map((s) => [`\`:state(${s.name})\``, s.description ?? '']);
        const slots = (el.slots ?? []).map((s) => [s.name ? `\`${s.name}\`` : '(default)', s.description ?? '']);
        return [
          `### \`<${el.tagName}>\`\n\n${el.summary ?? el.description ?? ''}\n`,
          attributes.length
            ? `**Attributes**\n\n${table(['Attribute', 'Property', 'Type', 'Description'], attributes)}`
            : '',
          properties.length ? `**Properties**\n\n${table(['Property', 'Type', 'Description'], properties)}` : '',
          methods.length ? `**Methods**\n\n${table(['Method', 'Description'], methods)}` : '',
          events.length ? `**Events**\n\n${table(['Event', 'Type', 'Description'], events)}` : '',
          slots.length ? `**Slots**\n\n${table(['Slot', 'Description'], slots)}` : '',
          parts.length ? `**Parts**\n\n${table(['Part', 'Description'], parts)}` : '',
          props.length ? `**Custom properties**\n\n${table(['Property', 'Default', 'Description'], props)}` : '',
          states.length ? `**Custom states**\n\n${table(['State', 'Description'], states)}` : '',
        ]
          .filter(Boolean)
          .join('\n');
      });
      const readme = readFileSync('README.md', 'utf8');
      const start = '<!-- api:start -->';
      const end = '<!-- api:end -->';
      if (!readme.includes(start) || !readme.includes(end)) return;
      const generated = `${start}\n<!-- Generated by \`npm run analyze\` from the elements' JSDoc; edit the source, not this table. -->\n\n${sections.join('\n')}\n${end}`;
      writeFileSync('README.md', readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), generated));
    },
  };
}

export default {
  globs: ['src/components/**/*.ts', 'src/events/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  plugins: [dropNamelessEvents(), resolveBaseTypeArguments(), readmeTables()],
};
