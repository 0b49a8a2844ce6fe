// Work kept in the browser: images and a mask dropped, a parameter changed, a cell added, a region
// drawn; the page reloaded brings all of it back with the same counts, F1, region and parameters,
// and says so. A link that brings its own image offers the kept work instead of replacing it.
// Start fresh empties the page and what is kept. A full store is reported, and the work goes on.

import { readFileSync } from 'node:fs';
import { appTest, assert, clearKeptWork, dropFiles, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';
import { clickImage, countedItems, drawRectangle, sameWork, workSnapshot } from './work.mjs';

const a = syntheticFixture({ seed: 31, cells: 20, touching: 0, name: 'kept.png' });
const b = syntheticFixture({ seed: 32, cells: 15, touching: 0, name: 'also.png' });

appTest('work kept in the browser: reloaded, everything comes back with the same counts; a link offers it; start fresh empties it', async ({ app, page }) => {
  const url = page.url();
  // A page with nothing kept says it keeps the work, and keeps nothing yet.
  assert.match(await app.kept(), /: 0 image\(s\)/);
  await dropFiles(page, null, [
    { path: a.file },
    { name: 'kept_mask.png', bytes: readFileSync(a.truth) },
    { path: b.file },
  ]);
  await countedItems(app, 2);
  await app.waitFor(tid('item-mask'), 'the mask to pair');
  await app.setField('min-area', '40');
  await app.until('the parameters to say min-area 40', () => /\bmin_area=40\b/.test(document.querySelector('[data-testid="params-text"]')?.textContent ?? ''));
  await countedItems(app, 2);
  const raw = Number(await app.text('count', /^\d+$/));
  await app.key('a');
  await clickImage(app, page, 5, 5);
  await app.text('count-added', /^1$/);
  await app.text('count', new RegExp(`^${raw + 1}$`));
  await drawRectangle(app, page, [0, 0, 800, 1200]);
  const before = await workSnapshot(app, page);
  assert.equal(before.label, 'Cells, corrected');
  const line = await app.kept(/: 2 image\(s\), [\d.]+ (KB|MB)\.$/);
  assert.doesNotMatch(line, /Not kept/);

  // Reloaded: restored, with a notice, and the same figures.
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  assert.match(await app.text('kept-restored-text', /Restored/), /^Restored 2 image\(s\) from your work kept in this browser on .+\.$/);
  await sameWork(app, page, before);
  // Restoring writes no file again: the line still says two images, and work goes on being kept.
  await app.kept(/: 2 image\(s\)/);
  await page.click(tid('kept-dismiss'));
  await app.until('the notice dismissed', (sel) => !document.querySelector(sel), tid('kept-restored'));

  // A link with its own image: the demo is shown and the kept work is offered, not replaced.
  await page.goto('about:blank');
  await page.goto(new URL('#link=1&demo=synth-sparse', url).href, { waitUntil: 'load' });
  await app.ready();
  assert.match(await app.text('kept-offer-text', /kept in this browser/), /2 image\(s\)/);
  await app.imageItems(1);
  assert.match(await app.text('kept-status', /choice/), /nothing new is kept/);
  await page.click(tid('kept-restore'));
  await app.text('kept-restored-text', /^Restored 2 image\(s\)/);
  await sameWork(app, page, before);

  // Start fresh: asked first, then nothing on the page and nothing kept.
  await page.click(`${tid('kept-restored')} ${tid('start-fresh')}`);
  await page.click(`${tid('kept-restored')} ${tid('start-fresh-cancel')}`);
  assert.equal((await page.$$(tid('image-item'))).length, 2, 'cancel keeps the work');
  await page.click(`${tid('kept-restored')} ${tid('start-fresh')}`);
  assert.match(await page.textContent(tid('kept-restored')), /Remove all 2 image\(s\) with their work\?/);
  await page.click(`${tid('kept-restored')} ${tid('start-fresh-confirm')}`);
  await app.until('no images', (sel) => document.querySelectorAll(sel).length === 0, tid('image-item'));
  await app.text('status', /^Started fresh/);
  assert.match(await app.kept(), /: 0 image\(s\)/);
  await page.goto(url, { waitUntil: 'load' });
  await app.ready();
  assert.match(await app.kept(), /: 0 image\(s\)/);
  assert.equal((await page.$$(tid('image-item'))).length, 0);
  assert.equal(await page.$(tid('kept-restored')), null, 'nothing to restore');

  // Site data cleared by the browser: the page says its work is not kept; a reload starts anew.
  await dropFiles(page, null, [{ path: a.file }]);
  await countedItems(app, 1);
  await app.kept(/: 1 image\(s\)/);
  await clearKeptWork(page);
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  assert.match(await app.kept(), /: 0 image\(s\)/);
  assert.equal((await page.$$(tid('image-item'))).length, 0);
});

appTest('a real demo is kept with its mask: restored on the next visit with its F1', async ({ app, page }) => {
  const base = page.url().split('#')[0];
  await page.click(tid('demo-open-yellow-lhl'));
  await app.imageItems(1);
  await app.waitFor(tid('item-mask'), 'the demo\'s mask');
  const f1 = await app.text('m-f1', /^[\d.]+$/);
  const line = await app.kept(/: 1 image\(s\), [\d.]+ (KB|MB)\.$/);
  assert.doesNotMatch(line, /Not kept/);
  // The next visit, without the demo's link: the kept work comes back, mask and all.
  await page.goto('about:blank');
  await page.goto(base, { waitUntil: 'load' });
  await app.ready();
  await app.text('kept-restored-text', /^Restored 1 image\(s\)/);
  await app.imageItems(1);
  await app.waitFor(tid('item-mask'), 'the restored demo\'s mask');
  assert.equal(await app.text('m-f1', /^[\d.]+$/), f1, 'the same F1');
});

// Every put refused as a full store would: the page says the work is not kept and why, and the
// count goes on.
const fullStore = () => {
  IDBObjectStore.prototype.put = function put() {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
};

appTest('a full store is reported at once, and the work goes on', async ({ app, page }) => {
  const message = await app.text('kept-status', /not kept/);
  assert.match(message, /^Your work is not kept in this browser: the browser's storage for this page is full \(.*QuotaExceededError\)\. Save a project to keep it\.$/);
  assert.equal(await page.getAttribute(tid('kept-status'), 'role'), 'alert');
  await dropFiles(page, null, [{ path: a.file }]);
  await app.imageItems(1);
  await app.text('count', /^\d+$/);
  assert.match(await app.text('kept-status', /not kept/), /QuotaExceededError/);
  // Save project still works: the way to keep it.
  const saved = await app.download('save-project');
  assert.equal(saved.name, 'fluocount.fcproject');
}, { init: fullStore });
