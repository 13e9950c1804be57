/**
 * `npm run check:manifest`: fails when custom-elements.json or the README's generated blocks are
 * not what `npm run analyze` makes of the current source, and when a template or a style uses a
 * part or a `--pasabay-*` token the manifest does not document (or documents with another default).
 *
 * The analyzer runs with the project's config in a temporary copy of src/ and README.md, so the
 * working tree is never written.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';
import {
  elementsOf,
  readmeBlock,
  readmeBlocks,
  tokenDeclarations,
  tokenDefaults,
} from '../custom-elements-manifest.config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = 'custom-elements-manifest.config.mjs';
const README_BLOCKS = Object.keys(readmeBlocks({ modules: [] }));
/** How many differences of one kind to print before summing up the rest. */
const SHOWN = 12;

const problems = [];
const report = (heading, lines) => {
  if (lines.length === 0) return;
  const shown = lines.slice(0, SHOWN).map((line) => `  ${line}`);
  if (lines.length > SHOWN) shown.push(`  … and ${lines.length - SHOWN} more`);
  problems.push(`${heading}\n${shown.join('\n')}`);
};

/** custom-elements.json and README.md as `npm run analyze` would write them now. */
async function analyzeInTempCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'pasabay-manifest-'));
  try {
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
    cpSync(join(root, 'README.md'), join(dir, 'README.md'));
    cpSync(join(root, CONFIG), join(dir, CONFIG));
    // The config reads `main` from it; the analyzer's config loader walks up to a package.json and
    // never stops if there is none.
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    const cem = join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js');
    const run = spawnSync(process.execPath, [cem, 'analyze', '--config', CONFIG, '--quiet'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`the analyzer failed:\n${run.stdout}${run.stderr}`);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const options = await prettier.resolveConfig(join(root, 'README.md'));
    return {
      manifestText: readFileSync(join(dir, 'custom-elements.json'), 'utf8'),
      readme: await prettier.format(readme, { ...options, filepath: join(root, 'README.md') }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Arrays of named things are compared by name, so a diff says `cssParts[viewport]`, not `[3]`. */
const keyOf = (item) => (item && typeof item === 'object' ? (item.path ?? item.name) : undefined);

/** Paths where two JSON values differ: `+` only in the fresh one, `-` only in the committed one. */
function jsonDifferences(committed, fresh, path = '') {
  if (JSON.stringify(committed) === JSON.stringify(fresh)) return [];
  const bothObjects = committed && fresh && typeof committed === 'object' && typeof fresh === 'object';
  if (!bothObjects || Array.isArray(committed) !== Array.isArray(fresh)) {
    const show = (value) => (value === undefined ? '(none)' : JSON.stringify(value).slice(0, 80));
    return [`~ ${path}: ${show(committed)} → ${show(fresh)}`];
  }
  const keyed = (value) =>
    Array.isArray(value) && value.every((item) => keyOf(item) !== undefined)
      ? new Map(value.map((item) => [`[${keyOf(item)}]`, item]))
      : new Map(Object.entries(value).map(([key, item]) => [Array.isArray(value) ? `[${key}]` : `.${key}`, item]));
  const before = keyed(committed);
  const after = keyed(fresh);
  const lines = [];
  for (const [key, value] of after) {
    if (!before.has(key)) lines.push(`+ ${path}${key}`);
    else lines.push(...jsonDifferences(before.get(key), value, `${path}${key}`));
  }
  for (const key of before.keys()) if (!after.has(key)) lines.push(`- ${path}${key}`);
  // Same entries in another order.
  if (lines.length === 0) lines.push(`~ ${path}: order differs`);
  return lines;
}

/** Lines only in one of two texts, marked as in `jsonDifferences`. */
function lineDifferences(committed = '', fresh = '') {
  const before = committed.split('\n');
  const after = fresh.split('\n');
  return [
    ...after.filter((line) => !before.includes(line)).map((line) => `+ ${line.slice(0, 140)}`),
    ...before.filter((line) => !after.includes(line)).map((line) => `- ${line.slice(0, 140)}`),
  ];
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/components/<tag>/…` belongs to `<tag>`; other files to no element. */
function ownerTag(file) {
  const [top, folder] = relative(join(root, 'src'), file).split(sep);
  return top === 'components' ? folder : undefined;
}

/** The tokens of the string literals in an expression (`a ? 'counter over' : 'counter'`). */
function literalTokens(expression) {
  const literals = [];
  const visit = (node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      literals.push(node.text.split(/\s+/).filter(Boolean));
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return literals.filter((tokens) => tokens.length > 0);
}

/**
 * Every `part` and `exportparts` attribute in the `html` / `svg` templates of a file, as
 * `{ name, extras }`: the part name and the extra tokens it may carry. A binding with no string in
 * it (`part=${parts}`) cannot be read and is counted as dynamic.
 */
function partUses(sourceFile) {
  const uses = [];
  let dynamic = 0;
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && ['html', 'svg'].includes(node.tag.getText())) {
      const template = node.template;
      const chunks = ts.isNoSubstitutionTemplateLiteral(template)
        ? [template.text]
        : [template.head.text, ...template.templateSpans.map((span) => span.literal.text)];
      const expressions = ts.isNoSubstitutionTemplateLiteral(template)
        ? []
        : template.templateSpans.map((span) => span.expression);
      const text = chunks.map((chunk, i) => (i === 0 ? chunk : `\uE000${i - 1}\uE000${chunk}`)).join('');
      const markers = (value) => [...value.matchAll(/\uE000(\d+)\uE000/g)].map((m) => expressions[Number(m[1])]);
      for (const match of text.matchAll(/(?<![\w-])(part|exportparts)="([^"]*)"|(?<![\w-])part=\uE000(\d+)\uE000/g)) {
        const [, attribute, quoted, binding] = match;
        if (attribute === 'exportparts') {
          for (const pair of quoted.split(',')) uses.push({ name: pair.split(':').pop().trim(), extras: [] });
        } else if (quoted !== undefined) {
          const [name, ...extras] = quoted
            .replace(/\uE000\d+\uE000/g, ' ')
            .split(/\s+/)
            .filter(Boolean);
          const interpolated = markers(quoted).flatMap((expression) => literalTokens(expression).flat());
          if (name) uses.push({ name, extras: [...extras, ...interpolated] });
          else dynamic++;
        } else {
          const literals = literalTokens(expressions[Number(binding)]);
          for (const [name, ...extras] of literals) uses.push({ name, extras });
          if (literals.length === 0) dynamic++;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { uses, dynamic };
}

function cssTexts(sourceFile) {
  const texts = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText() === 'css') texts.push(node.template.getText());
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return texts;
}

/** What the templates and styles use against what the manifest documents. */
function checkSourceAgainst(manifest) {
  const elements = new Map(elementsOf(manifest).map((element) => [element.tagName, element]));
  const files = sourceFiles(join(root, 'src')).map((file) => ({
    file,
    name: relative(root, file),
    owner: ownerTag(file),
    source: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
  }));
  const hostCss = files.filter((f) => !f.owner).flatMap((f) => cssTexts(f.source));
  const partProblems = [];
  const tokenProblems = [];
  const counts = { parts: 0, dynamic: 0, tokens: new Set() };

  for (const { name, owner, source } of files) {
    const element = owner && elements.get(owner);
    const { uses, dynamic } = partUses(source);
    counts.dynamic += dynamic;
    for (const use of uses) {
      counts.parts++;
      const part = element?.cssParts?.find((p) => p.name === use.name);
      if (!part) {
        partProblems.push(`${name}: part "${use.name}" is not a documented part of <${owner ?? 'no element'}>`);
        continue;
      }
      for (const extra of use.extras) {
        if (!part.description?.includes(`\`${extra}\``)) {
          partProblems.push(`${name}: part "${use.name}" carries "${extra}", which its @csspart line does not name`);
        }
      }
    }

    const documented = (token) =>
      element
        ? element.cssProperties?.find((p) => p.name === token)
        : [...elements.values()].flatMap((e) => e.cssProperties ?? []).find((p) => p.name === token);
    for (const [token] of source.getFullText().matchAll(/--pasabay-[\w-]*\w/g)) {
      counts.tokens.add(token);
      if (!documented(token)) tokenProblems.push(`${name}: ${token} is not documented for <${owner ?? 'any element'}>`);
    }
    // A default is checked where the token is declared, with that element's private tier known.
    const ownCss = cssTexts(source);
    const defaults = tokenDefaults([
      ...hostCss,
      ...files.filter((f) => f.owner === owner).flatMap((f) => cssTexts(f.source)),
    ]);
    for (const { name: token } of ownCss.flatMap(tokenDeclarations)) {
      const property = documented(token);
      if (property && property.default !== defaults.get(token)) {
        tokenProblems.push(
          `${name}: ${token} defaults to \`${defaults.get(token)}\`, the manifest says \`${property.default}\``,
        );
      }
    }
  }
  report('Parts in the templates that the manifest does not document:', [...new Set(partProblems)]);
  report('Tokens in src that the manifest does not document, or documents with another default:', [
    ...new Set(tokenProblems),
  ]);
  return counts;
}

/** What the manifest must never hold, whatever the source says. */
function checkShape(manifest) {
  const lines = [];
  const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main.replace(/^\.\//, '');
  for (const mod of manifest.modules) {
    const source = mod.path.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
    if (mod.path !== main && (!mod.path.startsWith('dist/') || !existsSync(join(root, source)))) {
      lines.push(`${mod.path}: not a dist/ module of a source file`);
    }
    for (const declaration of mod.declarations ?? []) {
      if (declaration.customElement && !/^[a-z][\w]*-[\w-]*$/.test(declaration.tagName ?? '')) {
        lines.push(`${mod.path}: ${declaration.name} has no valid tag name (${declaration.tagName})`);
      }
      for (const member of declaration.members ?? []) {
        if (member.privacy || /^[#_]/.test(member.name)) lines.push(`${declaration.name}.${member.name} is not public`);
      }
      if (declaration.tagName) {
        for (const entry of [...(declaration.attributes ?? []), ...(declaration.members ?? [])]) {
          if (!entry.description) lines.push(`${declaration.tagName}: ${entry.name} has no description`);
        }
      }
    }
    for (const entry of mod.exports ?? []) {
      if (/^anonymous_/.test(entry.declaration?.name ?? ''))
        lines.push(`${mod.path}: exports ${entry.declaration.name}`);
      if (entry.kind === 'custom-element-definition' && mod.path !== main) {
        lines.push(`${mod.path}: defines <${entry.name}>, but only ${main} registers the elements`);
      }
    }
  }
  report('custom-elements.json holds what a package manifest must not:', lines);
}

/**
 * `src/react.ts` gives every element a React component (`createComponent({ tagName, events })`)
 * whose `onX` props cover every event the manifest says the element fires; a new event or element
 * must not be left out of React apps' reach.
 */
function checkReactWrappers(manifest) {
  const file = join(root, 'src/react.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const objects = new Map();
  const eventsOf = (node) => {
    const names = [];
    if (!node) return names;
    if (ts.isIdentifier(node)) return objects.has(node.text) ? eventsOf(objects.get(node.text)) : names;
    if (!ts.isObjectLiteralExpression(node)) return names;
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) names.push(...eventsOf(property.expression));
      else if (ts.isPropertyAssignment(property)) {
        let value = property.initializer;
        while (ts.isAsExpression(value) || ts.isParenthesizedExpression(value)) value = value.expression;
        if (ts.isStringLiteral(value)) names.push(value.text);
      }
    }
    return names;
  };
  const wrapped = new Map();
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      objects.set(node.name.text, node.initializer);
    }
    if (ts.isCallExpression(node) && node.expression.getText() === 'createComponent') {
      const options = node.arguments[0];
      if (options && ts.isObjectLiteralExpression(options)) {
        const property = (name) =>
          options.properties.find(
            (p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText() === name,
          );
        const tag = property('tagName');
        const events = property('events');
        if (tag && ts.isPropertyAssignment(tag) && ts.isStringLiteral(tag.initializer)) {
          wrapped.set(
            tag.initializer.text,
            eventsOf(events && ts.isPropertyAssignment(events) ? events.initializer : undefined),
          );
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const missing = [];
  for (const element of elementsOf(manifest)) {
    const events = wrapped.get(element.tagName);
    if (!events) {
      missing.push(`<${element.tagName}> has no React component`);
      continue;
    }
    for (const event of element.events ?? []) {
      if (!events.includes(event.name))
        missing.push(`<${element.tagName}>'s React component has no prop for ${event.name}`);
    }
  }
  report('src/react.ts does not cover every element and event of the manifest:', missing);
  return wrapped.size;
}

const committedManifestText = readFileSync(join(root, 'custom-elements.json'), 'utf8');
const committedReadme = readFileSync(join(root, 'README.md'), 'utf8');
const fresh = await analyzeInTempCopy();
const committed = JSON.parse(committedManifestText);

if (fresh.manifestText !== committedManifestText) {
  report(
    'custom-elements.json differs from what `npm run analyze` makes of the source (+ new, - stale, ~ changed):',
    jsonDifferences(committed, JSON.parse(fresh.manifestText)),
  );
}
for (const name of README_BLOCKS) {
  const before = readmeBlock(committedReadme, name);
  const after = readmeBlock(fresh.readme, name);
  if (before === undefined)
    report(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> block:`, ['(missing)']);
  else if (before !== after) {
    report(`README.md's generated "${name}" block is stale (+ new, - stale):`, lineDifferences(before, after));
  }
}
checkShape(committed);
const counts = checkSourceAgainst(committed);
const reactComponents = checkReactWrappers(committed);

if (problems.length > 0) {
  console.error(`${problems.join('\n\n')}\n\nRun \`npm run analyze\`, or document what the source uses.`);
  process.exit(1);
}
const elements = elementsOf(committed);
console.log(
  `custom-elements.json and README.md match the source: ${elements.length} elements, ` +
    `${counts.parts} part attributes checked (${counts.dynamic} built at run time), ${counts.tokens.size} tokens used in src, ${reactComponents} React components with every event.`,
);
