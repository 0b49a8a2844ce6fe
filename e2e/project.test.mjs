// Save project / Open project: two images and a mask with a correction, a region and a changed
// parameter are saved in one .fcproject file; a fresh page that opens it shows the same images,
// counts (the corrected headline), F1, region count and parameters. A truncated copy is refused
// by name and changes nothing; a project dropped on the page opens as well.

import { readFileSync } from 'node:fs';
import { appTest, assert, clearKeptWork, dropFiles, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';
import { clickImage, countedItems, drawRectangle, sameItems, workSnapshot } from './work.mjs';

const a = syntheticFixture({ seed: 21, cells: 20, touching: 0, name: 'cells.png' });
const b = syntheticFixture({ seed: 22, cells: 15, touching: 0, name: 'more.png' });

appTest('project: saved, opened in a fresh page, gives the same counts, F1, regions and parameters; a truncated file changes nothing', async ({ app, page }) => {
  const url = page.url();
  await dropFiles(page, null, [
    { path: a.file },
    { name: 'cells_mask.png', bytes: readFileSync(a.truth) },
    { path: b.file },
  ]);
  await countedItems(app, 2);
  await app.waitFor(tid('item-mask'), 'the mask to pair');
  // A parameter of our own.
  await app.setField('min-area', '40');
  await app.until('the parameters to say min-area 40', () => /\bmin_area=40\b/.test(document.querySelector('[data-testid="params-text"]')?.textContent ?? ''));
  await countedItems(app, 2);
  const raw = Number(await app.text('count', /^\d+$/));

  // A cell added on the background near the top-left corner: the headline is the corrected count.
  await app.key('a');
  await clickImage(app, page, 5, 5);
  await app.text('count-added', /^1$/);
  await app.text('count', new RegExp(`^${raw + 1}$`));

  // A rectangle region over the left half, with the whole image in view.
  await drawRectangle(app, page, [0, 0, 800, 1200]);
  const before = await workSnapshot(app, page);
  assert.equal(before.label, 'Cells, corrected');

  const saved = await app.download('save-project');
  assert.equal(saved.name, 'fluocount.fcproject');
  assert.equal(saved.bytes.subarray(0, 2).toString('latin1'), 'PK');
  assert.ok(saved.bytes.includes(Buffer.from('fluocount-project 1\n')), 'the manifest is stored as text');

  // The browser's storage cleared, a fresh page: nothing loaded, nothing kept; open the project.
  await clearKeptWork(page);
  await page.goto(url, { waitUntil: 'load' });
  await app.ready();
  assert.equal((await page.$$(tid('image-item'))).length, 0);
  await page.setInputFiles(tid('open-project'), { name: 'fluocount.fcproject', mimeType: 'application/zip', buffer: saved.bytes });
  await app.text('status', /^Opened fluocount\.fcproject: 2 image\(s\)\.$/);
  // Masks are scored and corrections applied as each image comes: wait for the figures to settle.
  await sameItems(app, before);
  await app.text('count', new RegExp(`^${before.count}$`));
  await app.text('m-f1', new RegExp(`^${before.f1.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  const after = await workSnapshot(app, page);
  assert.deepEqual(after, before, 'the opened project gives the same');

  // A truncated copy: refused by name, with the reason; nothing changes.
  const cut = saved.bytes.subarray(0, Math.floor(saved.bytes.length / 2));
  await page.setInputFiles(tid('open-project'), { name: 'cut.fcproject', mimeType: 'application/zip', buffer: cut });
  const message = await app.text('status', /^cut\.fcproject: not opened, nothing changed: /);
  assert.match(message, /ZIP|entry|archive/);
  assert.deepEqual(await workSnapshot(app, page), before, 'a refused file changes nothing');

  // Dropped on the page, a project opens too (it is not taken for a RoiSet .zip), replacing the
  // work rather than adding to it.
  await dropFiles(page, null, [{ name: 'again.fcproject', bytes: saved.bytes, type: 'application/zip' }]);
  await app.text('status', /^Opened again\.fcproject: 2 image\(s\)\.$/);
  await sameItems(app, before, 'the same image list again');
  assert.equal((await page.$$(tid('roi-row'))).length, 1, 'one region, not two');
});
