/**
 * `npx tsx test/bench/bundle-run.ts`: the script bundles' sizes alone (bundle.ts), without the
 * rest of `npm run bench`: per element what a page loads before the user does anything, the shared
 * chunks, and per element the chunks it loads later on demand. KiB, gzip -9.
 */
import { bundleSizes } from './bundle.js';

const kib = (bytes: number) => (bytes / 1024).toFixed(1).padStart(7);
const sizes = await bundleSizes();
console.log(`all-in-one ${kib(sizes.allInOne)} KiB   floor (Lit + createClient) ${kib(sizes.floor)} KiB`);
console.log('\nper element (entry + static imports):');
for (const [name, bytes] of Object.entries(sizes.perElement)) console.log(`  ${name.padEnd(28)} ${kib(bytes)}`);
console.log('\nchunks:');
for (const [name, bytes] of Object.entries(sizes.chunks)) console.log(`  ${name.padEnd(52)} ${kib(bytes)}`);
console.log('\nlazy (dynamic import, not counted above):');
for (const [element, chunks] of Object.entries(sizes.lazy)) {
  const total = Object.values(chunks).reduce((sum, bytes) => sum + bytes, 0);
  console.log(`  ${element} (${Object.keys(chunks).length} chunks, ${kib(total).trim()} KiB in all)`);
  for (const [name, bytes] of Object.entries(chunks)) console.log(`    ${name.padEnd(50)} ${kib(bytes)}`);
}
