// The browser counts what the native command line counts: on a synthetic image with a known number
// of cells and on a real sample, dropped on the drop zone or picked with the file input.

import { appTest, assert, dropFiles, pickFiles } from './helpers.mjs';
import { sampleFixture, syntheticFixture } from './fixtures.mjs';

const synthetic = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'synthetic.png' });
const real = sampleFixture();

appTest('a dropped synthetic image shows the known number of cells', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: synthetic.file }]);
  const browser = await app.count();
  const { count: native } = synthetic.native;
  assert.equal(
    browser,
    native,
    `browser count ${browser} != native CLI count ${native} (true cells: ${synthetic.cells}) for ${synthetic.file}`,
  );
  assert.equal(
    native,
    synthetic.cells,
    `count ${native} (browser ${browser}, native ${native}) != true number of cells ${synthetic.cells}`,
  );
  const items = await app.imageItems(1);
  assert.deepEqual(items, [String(native)], 'the image list shows the count as data-count');
});

appTest('a dropped real sample gets the native count', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: real.file }]);
  const browser = await app.count();
  assert.equal(browser, real.native.count, `browser count ${browser} != native CLI count ${real.native.count} for ${real.file}`);
  await app.viewerSize(real.native.width, real.native.height);
});

appTest('the file input takes several images and counts each', async ({ app, page }) => {
  await pickFiles(page, [{ path: synthetic.file }, { path: real.file }]);
  const counts = await app.until(
    'two [data-testid="image-item"] elements with an integer data-count',
    (sel) => {
      const c = [...document.querySelectorAll(sel)].map((e) => e.getAttribute('data-count'));
      return c.length === 2 && c.every((v) => /^\d+$/.test(v ?? '')) ? c.map(Number) : false;
    },
    '[data-testid="image-item"]',
  );
  assert.deepEqual(
    counts.toSorted((a, b) => a - b),
    [synthetic.native.count, real.native.count].toSorted((a, b) => a - b),
    `data-count of the two items ${JSON.stringify(counts)} != native counts ` +
      `(synthetic ${synthetic.native.count}, real ${real.native.count})`,
  );
});
