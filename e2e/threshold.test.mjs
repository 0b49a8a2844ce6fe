// Moving the threshold slider switches to a manual level and changes the count.

import { appTest, assert, dropFiles, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const synthetic = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'synthetic.png' });

appTest('moving the threshold slider changes the count', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: synthetic.file }]);
  await app.count();
  // The yellow preset thresholds locally (no slider); a global method shows it with its level.
  await page.selectOption(tid('method'), 'Otsu');
  const level = Number(await app.text('threshold-value', /^\d+$/));
  assert.equal(await app.text('level', /^\d+$/), String(level), 'the header shows the level in use');
  const before = await app.count();
  await app.waitFor(tid('threshold'), 'the threshold slider [data-testid="threshold"]');
  const range = await page.$eval(tid('threshold'), (el) => ({
    type: el.type,
    min: Number(el.min || 0),
    max: Number(el.max || 100),
    value: Number(el.value),
  }));
  assert.equal(range.type, 'range', 'the threshold hook is an <input type=range>');
  // Nearly everything passes a level just above the minimum: the background merges into a few
  // large regions, so the count cannot stay at the number of separate cells.
  const low = range.min + Math.max(1, Math.round((range.max - range.min) * 0.02));
  await app.setThreshold(low);
  const after = await app.count({ not: before });
  assert.notEqual(after, before, `count stayed ${before} after moving the threshold to ${low}`);
  const value = await page.$eval(tid('threshold'), (el) => Number(el.value));
  assert.equal(value, low, 'the slider keeps the manual level');
});
