/**
 * Parsing cost of message formatting (src/components/pasabay-chat/view/rich-text.ts), in Node:
 *
 *   parse-rich     parseRichText over 2,000 everyday bodies (formatting, links, mentions)  / linkify alone over the same bodies (what a row did before)
 *   parse-hostile  parseRichText of 4,000-character bodies made of unclosed or nested markers / of 4,000 characters of the everyday bodies above
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { linkify as Linkify } from '../../src/components/pasabay-chat/view/linkify.js';
import type {
  parseRichText as ParseRichText,
  MentionTarget,
} from '../../src/components/pasabay-chat/view/rich-text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Report = (name: string, samples: number[], baselineSamples: number[], unit?: string) => void;

const MENTIONS: MentionTarget[] = [
  { userId: '11111111-1111-4111-8111-111111111111', name: 'Carlos Reyes' },
  { userId: '22222222-2222-4222-8222-222222222222', name: 'Ana' },
];

function everyday(count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    switch (index % 6) {
      case 0:
        return `Message ${index}: see https://example.com/trip/${index} for the **details** of the plan`;
      case 1:
        return `@Carlos Reyes can you check \`npm test\` on _staging_ before ${index}?`;
      case 2:
        return `Packing list:\n- passport\n- charger\n- *sunscreen*`;
      case 3:
        return 'Steps:\n1. book\n2. pay\n3. [confirm](https://example.com/confirm)';
      case 4:
        return '```\nconst total = items.reduce((a, b) => a + b, 0);\n```\nlooks right?';
      default:
        return `Plain message number ${index} with nothing special in it at all`;
    }
  });
}

function hostile(): string[] {
  const fill = (unit: string) => unit.repeat(Math.ceil(4000 / unit.length)).slice(0, 4000);
  return [fill('*'), fill('**a '), fill('_a'), fill('`'), fill('**_'), fill('[x]('), fill('@Ana '), fill('- x\n')];
}

/** Both measures alternate, so a neighbour's load on this shared machine falls on both alike. */
function timePair(iterations: number, measured: () => void, baseline: () => void): [number[], number[]] {
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < iterations; i++) {
    for (const [index, work] of [measured, baseline].entries()) {
      const start = performance.now();
      work();
      samples[index]!.push(performance.now() - start);
    }
  }
  return samples;
}

/**
 * The two modules as the library build compiles them: tsx, which runs the bench, wraps every
 * function it creates in a naming helper that would dominate these timings.
 */
async function load(): Promise<{ linkify: typeof Linkify; parseRichText: typeof ParseRichText }> {
  const { build } = await import('esbuild');
  const bundle = await build({
    stdin: {
      contents: `export { linkify } from './src/components/pasabay-chat/view/linkify.ts';
        export { parseRichText } from './src/components/pasabay-chat/view/rich-text.ts';`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
  });
  const source = bundle.outputFiles[0]!.text;
  return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`) as Promise<{
    linkify: typeof Linkify;
    parseRichText: typeof ParseRichText;
  }>;
}

export async function benchRichText(report: Report, iterations: number): Promise<void> {
  const { linkify, parseRichText } = await load();
  const bodies = everyday(2_000);
  // Warm both paths up so the JIT does not count against the first measured.
  for (const body of bodies) {
    parseRichText(body, MENTIONS);
    linkify(body);
  }
  const [rich, plain] = timePair(
    iterations,
    () => bodies.forEach((body) => parseRichText(body, MENTIONS)),
    () => bodies.forEach((body) => linkify(body)),
  );
  report('parse-rich', rich, plain);

  const attacks = hostile();
  const calmBody = bodies.join('\n\n').slice(0, 4000);
  const [attacked, calm] = timePair(
    iterations,
    () => attacks.forEach((body) => parseRichText(body, MENTIONS)),
    () => attacks.forEach(() => parseRichText(calmBody, MENTIONS)),
  );
  report('parse-hostile', attacked, calm);
}
