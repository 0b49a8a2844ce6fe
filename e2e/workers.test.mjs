// The worker pool: one worker per core, counting what is dropped.

import { appTest, assert, dropFiles } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const fx = syntheticFixture({ seed: 11, cells: 20, touching: 0.2 });

appTest('one analysis worker per core; a dropped image is counted in them', async ({ page, app }) => {
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.waitForTimeout(500);
  assert.equal(page.workers().length, Math.min(Math.max(cores, 1), 8), 'one worker per core');
  assert.ok(page.workers().every((w) => w.url().endsWith('/worker.js')));
  await dropFiles(page, null, [{ path: fx.file }]);
  assert.equal(await app.count(), fx.native.count);
});
