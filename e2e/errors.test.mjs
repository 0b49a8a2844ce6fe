// Files that are not images give a visible error that names them; the app keeps its results and
// keeps counting.

import { readFileSync } from 'node:fs';
import { appTest, assert, dropFiles } from './helpers.mjs';
import { sampleFixture, syntheticFixture } from './fixtures.mjs';

const first = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'synthetic.png' });
const second = syntheticFixture({ seed: 8, cells: 12, touching: 0, name: 'second.png' });
const real = sampleFixture();

appTest('a text file dropped with an image is reported, the image is still counted', async ({ app, page }) => {
  await dropFiles(page, null, [
    { path: first.file },
    { name: 'notes.txt', bytes: Buffer.from('not an image\n'), type: 'text/plain' },
  ]);
  const message = await app.errorMentioning('notes.txt');
  assert.match(message, /notes\.txt/);
  const count = await app.count();
  assert.equal(count, first.native.count, `count ${count} != native ${first.native.count} next to the error`);

  // The app still counts a further dropped image.
  await dropFiles(page, null, [{ path: second.file }]);
  const counts = await app.until(
    'a second [data-testid="image-item"] with an integer data-count',
    (sel) => {
      const c = [...document.querySelectorAll(sel)].map((e) => e.getAttribute('data-count'));
      return c.length >= 2 && c.every((v) => /^\d+$/.test(v ?? '')) ? c.map(Number) : false;
    },
    '[data-testid="image-item"]',
  );
  assert.ok(
    counts.includes(second.native.count),
    `no item counts ${second.native.count} (native count of second.png): ${JSON.stringify(counts)}`,
  );
  assert.ok(counts.includes(first.native.count), `the first image's count is gone: ${JSON.stringify(counts)}`);
});

appTest('a truncated PNG is reported by name', async ({ app, page }) => {
  const bytes = readFileSync(real.file);
  await dropFiles(page, null, [
    { name: 'truncated.png', bytes: bytes.subarray(0, bytes.length >> 1), type: 'image/png' },
  ]);
  await app.errorMentioning('truncated.png');
  // And a good image afterwards is still counted.
  await dropFiles(page, null, [{ path: first.file }]);
  const count = await app.count();
  assert.equal(count, first.native.count, `count ${count} != native ${first.native.count} after a bad file`);
});

appTest('a zero-byte file is reported by name', async ({ app, page }) => {
  await dropFiles(page, null, [{ name: 'empty.png', bytes: Buffer.alloc(0), type: 'image/png' }]);
  await app.errorMentioning('empty.png');
});
