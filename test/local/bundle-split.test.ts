/**
 * How `<pasabay-chat>`'s script bundles are split (vite.config.ts, lazy-parts.ts): in the
 * per-element bundles, the parts loaded on demand (attachments with their styles, the `@` picker)
 * are chunks a chat page reaches only through `import()`, never through its static imports; the
 * one-file bundle keeps them inside (eager-parts.ts), so it stays one file besides its languages.
 * Built in memory with the project's vite config (test/bench/bundle.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunksOf, closure, lazyChunks } from '../bench/bundle.js';

/** Source modules of the parts loaded on demand, by path suffix. */
const ON_DEMAND = [
  'src/components/pasabay-chat/attachments-part.ts',
  'src/components/pasabay-chat/state/uploads.ts',
  'src/components/pasabay-chat/view/attachments-view.ts',
  'src/components/pasabay-chat/view/attachments.styles.ts',
  'src/components/pasabay-chat/view/mention-picker.ts',
];

const holds = (moduleIds: readonly string[], suffix: string) => moduleIds.some((id) => id.endsWith(suffix));

describe('script bundles split (built)', () => {
  it("a chat page's static imports leave out the parts loaded on demand; its import()s reach them", async () => {
    const chunks = await chunksOf('bundles');
    const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
    for (const name of ['pasabay-chat', 'pasabay-launcher']) {
      const entry = chunks.find((chunk) => chunk.isEntry && chunk.name === name);
      assert.ok(entry, `no ${name} entry`);
      const initial = [...closure(byName, entry)].flatMap((file) => byName.get(file)!.moduleIds);
      const later = Object.keys(lazyChunks(chunks, entry)).flatMap((file) => byName.get(file)!.moduleIds);
      assert.ok(holds(initial, 'src/components/pasabay-chat/pasabay-chat.ts'), `${name} loads the chat`);
      for (const suffix of ON_DEMAND) {
        assert.ok(!holds(initial, suffix), `${name} loads ${suffix} before it is needed`);
        assert.ok(holds(later, suffix), `${name} cannot load ${suffix} when it is needed`);
      }
    }
  });

  it('the one-file bundle holds every part, and no chunk besides its languages', async () => {
    const chunks = await chunksOf('bundle');
    const entry = chunks.find((chunk) => chunk.isEntry);
    assert.ok(entry);
    for (const suffix of ON_DEMAND) assert.ok(holds(entry.moduleIds, suffix), `the bundle lacks ${suffix}`);
    const others = chunks.filter((chunk) => chunk !== entry).map((chunk) => chunk.fileName);
    assert.deepEqual(
      others.filter((file) => !/^locales\/(ar|es|fil)-[\w-]+\.js$/.test(file)),
      [],
      'chunks other than languages',
    );
    assert.equal(others.length, 3, 'one chunk per language');
  });
});
