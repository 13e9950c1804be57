/**
 * The "build" of a page without a build step: every script the page loads must exist in the
 * installed package, and every `pasabay-chat` element and attribute it uses must be one the
 * package's custom-elements.json declares.
 */
import { existsSync, readFileSync } from 'node:fs';

const page = readFileSync('index.html', 'utf8');
const manifest = JSON.parse(readFileSync('node_modules/pasabay-chat/custom-elements.json', 'utf8'));
const problems = [];

for (const [, src] of page.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) {
  if (!existsSync(src)) problems.push(`script ${src} is not in the package`);
}

const declared = new Map();
for (const module of manifest.modules) {
  for (const declaration of module.declarations ?? []) {
    if (declaration.tagName) declared.set(declaration.tagName, new Set(declaration.attributes?.map((a) => a.name)));
  }
}
for (const [, tag, attributes] of page.matchAll(
  /<((?:pasabay-chat|typing-indicator|meeting-participants))\b([^>]*)>/g,
)) {
  const known = declared.get(tag);
  if (!known) {
    problems.push(`<${tag}> is not declared in custom-elements.json`);
    continue;
  }
  for (const [, attribute] of attributes.matchAll(/([a-z-]+)(?:="[^"]*")?/g)) {
    if (!known.has(attribute)) problems.push(`<${tag}> has no attribute ${attribute}`);
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`index.html: ${declared.size} elements declared, every script and attribute found`);
