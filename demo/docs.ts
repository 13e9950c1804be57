/**
 * The API page: each element's API read from custom-elements.json, shown by api-viewer with its
 * live playground (knobs for attributes, properties and custom properties, an event log), and the
 * global tokens with their light and dark defaults as swatches.
 */
import 'api-viewer-element';
import manifest from '../custom-elements.json';
import { demoConversations, demoMeetingId } from './config.js';
import { signInDemoUser } from './demo-session.js';

interface CssProperty {
  name: string;
  default?: string;
  description?: string;
  inheritedFrom?: { name: string };
}

/** The playground's elements get these attributes, to show demo data instead of their empty states. */
const playgroundAttributes: Record<string, Record<string, string>> = {
  'pasabay-chat': { 'conversation-id': demoConversations.group, style: 'block-size: 26rem' },
  'typing-indicator': { 'conversation-id': demoConversations.group },
  'meeting-participants': { 'meeting-id': demoMeetingId, controls: '' },
};

interface Declaration {
  tagName?: string;
  cssProperties?: CssProperty[];
}
const elements = manifest.modules.flatMap((mod) => mod.declarations as Declaration[]).filter((d) => d.tagName);

/** The global tokens are the custom properties every element inherits from the shared base. */
const globalTokens = (elements[0]?.cssProperties ?? []).filter(
  (property) => property.inheritedFrom?.name === 'PasabayElement',
);

/** `light-dark(a, b)` → `[a, b]`; other values are the same in both schemes. */
function schemeValues(value = ''): [string, string] {
  const match = /^light-dark\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(value.trim());
  return match ? [match[1]!, match[2]!] : [value, value];
}

/** A default that names another token (`var(--pasabay-color-accent)`) shows that token's value. */
function resolved(value: string, scheme: 0 | 1): string {
  const reference = /^var\((--pasabay-[\w-]+)\)$/.exec(value)?.[1];
  const target = reference && globalTokens.find((token) => token.name === reference);
  return target ? resolved(schemeValues(target.default)[scheme], scheme) : value;
}

/** A small picture of the value: a colour swatch, a corner, a length, or the font itself. */
function sample(name: string, value: string): HTMLElement {
  const node = document.createElement('span');
  if (name.startsWith('--pasabay-color-')) {
    node.className = 'swatch';
    node.style.background = value;
  } else if (name.startsWith('--pasabay-radius-')) {
    node.className = 'corner';
    node.style.borderRadius = value;
  } else if (name.startsWith('--pasabay-space-')) {
    node.className = 'bar';
    node.style.inlineSize = value;
  } else if (name.startsWith('--pasabay-font-')) {
    node.textContent = 'Aa';
    node.style.setProperty(name === '--pasabay-font-family' ? 'font-family' : 'font-size', value);
  }
  return node;
}

function valueCell(name: string, value: string, scheme: 0 | 1): HTMLTableCellElement {
  const cell = document.createElement('td');
  cell.className = scheme === 0 ? 'light' : 'dark';
  const wrapper = document.createElement('div');
  wrapper.className = 'value';
  const text = document.createElement('code');
  text.textContent = value;
  wrapper.append(sample(name, resolved(value, scheme)), text);
  cell.append(wrapper);
  return cell;
}

function renderTokens() {
  const rows = globalTokens.map((token) => {
    const row = document.createElement('tr');
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = token.name;
    const [light, dark] = schemeValues(token.default);
    const description = document.createElement('td');
    description.textContent = token.description ?? '';
    row.append(name, valueCell(token.name, light, 0), valueCell(token.name, dark, 1), description);
    return row;
  });
  document.querySelector('#token-rows')!.replaceChildren(...rows);
}

function renderViewer() {
  const viewer = document.createElement('api-viewer');
  // api-viewer copies the attributes of a "host" template's element onto the element it renders.
  for (const [tag, attributes] of Object.entries(playgroundAttributes)) {
    const template = document.createElement('template');
    template.dataset['element'] = tag;
    template.dataset['target'] = 'host';
    const host = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) host.setAttribute(name, value);
    template.content.append(host);
    viewer.append(template);
  }
  viewer.manifest = manifest as unknown as typeof viewer.manifest;
  document.querySelector('#viewer')!.replaceChildren(viewer);
}

renderTokens();
renderViewer();
const status = document.querySelector('#session')!;
signInDemoUser('maria').then(
  () => (status.textContent = 'Signed in as Maria: the playground elements show the demo data.'),
  (error: unknown) => (status.textContent = `${String(error)} The documentation still works.`),
);
