// Work kept in the browser: images and a mask dropped, a parameter changed, a cell added, a region
// drawn; the page reloaded brings all of it back with the same counts, F1, region and parameters,
// and says so. A link that brings its own image offers the kept work instead of replacing it.
// Start fresh empties the page and what is kept. A full store is reported, and the work goes on.

import { readFileSync } from 'node:fs';
import { appTest, assert, clearKeptWork, dropFiles, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const a = syntheticFixture({ seed: 31, cells: 20, touching: 0, name: 'kept.png' });
const b = syntheticFixture({ seed: 32, cells: 15, touching: 0, name: 'also.png' });

/** The image list as text (name, description, count, F1, mask) per item, once all are counted. */
function items(app, n) {
  return app.until(
    `${n} counted image items`,
    ({ sel, n }) => {
      const els = [...document.querySelectorAll(sel)];
      if (els.length !== n || els.some((e) => !e.getAttribute('data-count'))) return false;
      return { list: els.map((e) => e.textContent.trim()) };
    },
    { sel: tid('image-item'), n },
  ).then((v) => v.list);
}

/** What must come back: the list, the headline and its label, F1, the region count, parameters. */
async function snapshot(app, page) {
  return {
    items: await items(app, 2),
    count: await app.text('count', /^\d+$/),
    label: await app.text('count-label'),
    f1: await app.text('m-f1', /^[\d.]+/),
    roi: await app.text('roi-count', /^\d+$/),
    params: await page.textContent(tid('params-text')),
  };
}

/** Waits until the page shows `before` again. */
async function sameAs(app, page, before) {
  await app.until(
    'the same image list (names, counts, F1, mask)',
    ({ sel, want }) => JSON.stringify([...document.querySelectorAll(sel)].map((e) => e.textContent.trim())) === want,
    { sel: tid('image-item'), want: JSON.stringify(before.items) },
  );
  await app.text('count', new RegExp(`^${before.count}$`));
  assert.deepEqual(await snapshot(app, page), before);
}

/** Clicks at image point (x, y) (the view must show it), as in project.test.mjs. */
async function clickImage(app, page, x, y) {
  const box = await app.viewport();
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const r0 = await app.hover(centre.x, centre.y);
  const z = await page.$eval(tid('viewer'), (c) => Number(/scale\(([^)]+)\)/.exec(c.style.transform)?.[1]));
  await page.mouse.click(centre.x + (x - r0.x) * z, centre.y + (y - r0.y) * z);
  await app.frames(2);
}

/** Draws a rectangle region over image points (x0, y0)-(x1, y1), with the whole image in view. */
async function drawRegion(app, page, [x0, y0, x1, y1]) {
  await app.key('0');
  await app.key('r');
  const box = await app.viewport();
  const centre = await app.hover(box.x + box.width / 2, box.y + box.height / 2);
  const z = await app.zoom();
  const toScreen = (x, y) => [box.x + box.width / 2 + (x - centre.x - 0.5) * z, box.y + box.height / 2 + (y - centre.y - 0.5) * z];
  const [sx0, sy0] = toScreen(x0, y0);
  const [sx1, sy1] = toScreen(x1, y1);
  await page.mouse.move(Math.max(sx0, box.x + 1), Math.max(sy0, box.y + 1));
  await page.mouse.down();
  await page.mouse.move(sx1, Math.min(sy1, box.y + box.height - 1), { steps: 8 });
  await page.mouse.up();
  await app.waitFor(tid('roi-row'));
}

appTest('work kept in the browser: reloaded, everything comes back with the same counts; a link offers it; start fresh empties it', async ({ app, page }) => {
  const url = page.url();
  // A page with nothing kept says it keeps the work, and keeps nothing yet.
  assert.match(await app.kept(), /: 0 image\(s\)/);
  await dropFiles(page, null, [
    { path: a.file },
    { name: 'kept_mask.png', bytes: readFileSync(a.truth) },
    { path: b.file },
  ]);
  await items(app, 2);
  await app.waitFor(tid('item-mask'), 'the mask to pair');
  await app.setField('min-area', '40');
  await app.until('the parameters to say min-area 40', () => /\bmin_area=40\b/.test(document.querySelector('[data-testid="params-text"]')?.textContent ?? ''));
  await items(app, 2);
  const raw = Number(await app.text('count', /^\d+$/));
  await app.key('a');
  await clickImage(app, page, 5, 5);
  await app.text('count-added', /^1$/);
  await app.text('count', new RegExp(`^${raw + 1}$`));
  await drawRegion(app, page, [0, 0, 800, 1200]);
  const before = await snapshot(app, page);
  assert.equal(before.label, 'Cells, corrected');
  const line = await app.kept(/: 2 image\(s\), [\d.]+ (KB|MB)\.$/);
  assert.doesNotMatch(line, /Not kept/);

  // Reloaded: restored, with a notice, and the same figures.
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  assert.match(await app.text('kept-restored-text', /Restored/), /^Restored 2 image\(s\) from your work kept in this browser on .+\.$/);
  await sameAs(app, page, before);
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
  await sameAs(app, page, before);

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
  await items(app, 1);
  await app.kept(/: 1 image\(s\)/);
  await clearKeptWork(page);
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  assert.match(await app.kept(), /: 0 image\(s\)/);
  assert.equal((await page.$$(tid('image-item'))).length, 0);
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
