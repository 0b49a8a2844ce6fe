// The worker pool: one worker per core, counting what is dropped.

import { appTest, assert, before, dropFiles, nativeCount, synth, tempDir, tid } from './helpers.mjs';
import path from 'node:path';
import { syntheticFixture } from './fixtures.mjs';

const fx = syntheticFixture({ seed: 11, cells: 20, touching: 0.2 });
const dir = tempDir();
const batch = [];

before(async () => {
  for (const seed of [41, 42, 43]) {
    const file = path.join(dir, `page-${seed}.png`);
    await synth({ out: file, seed, cells: 8 + seed % 5, extra: ['--width', '400', '--height', '300'] });
    batch.push({ file, native: await nativeCount(file) });
  }
});

appTest('one analysis worker per core; a dropped image is counted in them', async ({ page, app }) => {
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.waitForTimeout(500);
  assert.equal(page.workers().length, Math.min(Math.max(cores, 1), 8), 'one worker per core');
  assert.ok(page.workers().every((w) => w.url().endsWith('/worker.js')));
  await dropFiles(page, null, [{ path: fx.file }]);
  assert.equal(await app.count(), fx.native.count);
});

appTest('with Web Workers refused, the page counts by itself: a dropped image and a batch', async ({ page, app }) => {
  assert.equal(page.workers().length, 0, 'no worker started');
  assert.equal(await page.evaluate(() => window.__refused), 1, 'the page asked for a worker once, and was refused');
  await dropFiles(page, null, [{ path: fx.file }]);
  assert.equal(await app.count(), fx.native.count, 'counted on the page, as in a worker');
  // A batch: the page reads the files itself and counts them one by one.
  await page.click(`${tid('batch-drawer')} summary`);
  await page.setInputFiles(tid('batch-files-input'), batch.map((b) => b.file));
  await app.until('the batch to finish', (sel) => {
    const p = document.querySelector(sel);
    return p && Number(p.max) === 3 && Number(p.value) === 3;
  }, tid('batch-progress'));
  assert.equal(await page.textContent(tid('batch-counted')), '3');
  const counts = await page.$$eval('[data-testid="batch-row"]', (trs) => Object.fromEntries(trs.map((tr) =>
    [tr.querySelectorAll('td')[1].textContent.trim(), Number(tr.querySelector('[data-testid="batch-count"]')?.textContent)])));
  for (const b of batch) assert.equal(counts[path.basename(b.file)], b.native.count, `${path.basename(b.file)}: the native count`);
  assert.equal(page.workers().length, 0);
}, {
  init: () => {
    window.__refused = 0;
    window.Worker = function Worker() {
      window.__refused += 1;
      throw new DOMException('Workers are blocked here (the test)', 'SecurityError');
    };
  },
});
