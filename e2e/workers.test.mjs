// The worker pool: one worker per core, and the page still counts when its workers cannot start.

import { appTest, assert, dropFiles, tid } from './helpers.mjs';
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

appTest('workers that cannot start: the work runs on the page, with the same counts', async ({ page, app }) => {
  // A worker script that refuses to load the module, as a blocked or broken worker would.
  await page.context().route('**/worker.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: "self.onmessage = (e) => { if (e.data && e.data.init) self.postMessage({ fatal: 'refused by the test' }); };",
  }));
  const warnings = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  await dropFiles(page, null, [{ path: fx.file }]);
  assert.equal(await app.until('the native count', (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n) && n, fx.native.count), fx.native.count);
  assert.equal((await app.errorTexts()).length, 0, 'no error shown');
  assert.ok(warnings.some((w) => /analysis worker \d could not start/.test(w)), `the fallback is logged: ${warnings}`);
});
