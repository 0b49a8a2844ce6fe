// The browser counts what the native command line counts: on a synthetic image with a known number
// of cells and on a real sample, dropped on the drop zone or picked with the file input.

import { appTest, assert, dropFiles, pickFiles, tid } from './helpers.mjs';
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

const gray16 = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'synthetic-16bit.png', extra: ['--gray16'] });

appTest('a 16-bit grey image is counted at full precision and displayed, not black', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: gray16.file }]);
  const browser = await app.count();
  assert.equal(browser, gray16.native.count, `browser count ${browser} != native CLI count ${gray16.native.count} for the 16-bit image`);
  assert.equal(browser, gray16.cells, `16-bit count ${browser} != true number of cells ${gray16.cells}`);
  // With a global method the level is shown in the image's own 16-bit units.
  await page.selectOption(tid('method'), 'Otsu');
  const level = Number(await app.text('level', /^\d+$/));
  assert.ok(level > 255, `the level ${level} is not in 16-bit units`);
  // The display is stretched from min to max: the brightest object pixels are bright, not black.
  await app.setCheckbox('overlay-fill', false);
  await app.setCheckbox('overlay-outline', false);
  await app.frames(3);
  const brightest = await page.$eval('[data-testid="viewer"]', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let max = 0;
    for (let i = 0; i < d.length; i += 4) max = Math.max(max, d[i]);
    return max;
  });
  assert.ok(brightest >= 200, `the brightest displayed value is ${brightest}: a 16-bit image must not show black`);
});
