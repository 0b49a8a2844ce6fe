// Calibration (issue 18): an ImageJ-calibrated TIFF shows µm² in the objects table and its CSV,
// with the native command line's areas; a scale set by hand changes the units of a PNG; the
// scale bar layer draws at the lower right of the view.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, appTest, assert, before, dropFiles, fluocount, REPO_ROOT, tempDir, tid } from './helpers.mjs';
import { serve } from './serve.mjs';
import { syntheticFixture } from './fixtures.mjs';

const TIFF = path.join(REPO_ROOT, 'tests', 'data', 'imagej_calibrated.tif');
const png = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'cells one.png' });
// The fixture's blobs are about 30 px across: the yellow preset with that diameter counts them.
const DIAMETER = 30;
const native = {};

before(async () => {
  const dir = tempDir();
  const params = (await fluocount(['params', '--preset', 'yellow'])).trim().replace('diameter=auto', `diameter=${DIAMETER}`);
  await writeFile(path.join(dir, 'params.txt'), params);
  await fluocount(['count', '--params', path.join(dir, 'params.txt'), '--out', dir, TIFF]);
  const rows = (await readFile(path.join(dir, 'objects.csv'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  native.header = rows[0].split(',');
  native.first = rows[1].split(',');
  native.count = rows.length - 1;
});

/** The objects table's header texts and first row's cells. */
async function table(page) {
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  return page.$eval(tid('objects-table'), (t) => ({
    header: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    first: [...(t.querySelector('tbody tr')?.children ?? [])].map((td) => td.textContent.trim()),
  }));
}

/** Pixels with any opacity in the lower right 240x60 of the screen-space canvas. */
function lowerRight(page) {
  return page.$eval(tid('viewer-screen'), (c) => {
    const w = Math.min(240, c.width), h = Math.min(60, c.height);
    const { data } = c.getContext('2d').getImageData(c.width - w, c.height - h, w, h);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

appTest('a calibrated TIFF shows µm² in the table and the CSV, a scale set by hand changes the units, the scale bar draws', async ({ app, page }) => {
  assert.ok(native.header.includes('Area (µm²)'), `the CLI's header: ${native.header}`);
  assert.ok(native.count > 0);
  await dropFiles(page, null, [{ path: TIFF }]);
  await app.imageItems(1);
  assert.equal(await app.text('calibration', /µm/), '0.650 µm/pixel, from the ImageJ TIFF description');
  await app.setField('diameter', DIAMETER);
  await app.until(`the count ${native.count}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), native.count);

  const t = await table(page);
  assert.equal(t.header[1], 'Area (µm²)');
  assert.deepEqual(t.header.slice(5, 12), ['X (µm)', 'Y (µm)', 'BX (µm)', 'BY (µm)', 'Width (µm)', 'Height (µm)', 'Perim. (µm)']);
  assert.equal(t.header[12], 'Circ.', 'shape descriptors have no unit');
  const area = native.header.indexOf('Area (µm²)');
  assert.equal(t.first[1], native.first[area], "the first object's area is the command line's");

  const csv = (await app.download('export-objects')).bytes.toString().split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(csv[0].split(','), native.header);
  assert.equal(csv[1].split(',')[area], native.first[area]);
  const summary = (await app.download('export-summary')).bytes.toString();
  assert.match(summary, /Slice,Count,Total Area \(µm²\),Average Size \(µm²\),/);
  assert.match(summary, /,Pixel width,Pixel height,Unit\n/);
  assert.match(await app.text('s-total-area'), /^\d+\.\d{3}$/);

  // The scale bar: off by default, drawn at the lower right when on.
  await app.frames(3);
  const before = await lowerRight(page);
  await app.setCheckbox('overlay-scalebar', true);
  await app.until('the scale bar drawn', (sel) => {
    const c = document.querySelector(sel);
    const w = Math.min(240, c.width), h = Math.min(60, c.height);
    const { data } = c.getContext('2d').getImageData(c.width - w, c.height - h, w, h);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n > 500;
  }, tid('viewer-screen'));
  assert.ok((await lowerRight(page)) > before + 500, 'the lower right changed');
  await app.setCheckbox('overlay-scalebar', false);
  await app.until('the scale bar gone', (sel) => {
    const c = document.querySelector(sel);
    const w = Math.min(240, c.width), h = Math.min(60, c.height);
    const { data } = c.getContext('2d').getImageData(c.width - w, c.height - h, w, h);
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return false;
    return true;
  }, tid('viewer-screen'));

  // A PNG is uncalibrated until a scale is set by hand.
  await dropFiles(page, null, [{ path: png.file }]);
  await app.imageItems(2);
  await page.click(`${tid('image-item')}:nth-child(2) button.select`);
  assert.equal(await app.text('calibration', /uncalibrated/), 'uncalibrated (pixels)');
  await app.until(`the count ${png.native.count}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), png.native.count);
  let p = await table(page);
  assert.equal(p.header[1], 'Area');
  const pixels = Number(p.first[1]);
  assert.ok(Number.isInteger(pixels) && pixels > 0);

  // A bad size is refused with a message and changes nothing.
  await app.setField('scale-size', 0);
  await page.click(tid('scale-set'));
  assert.match(await app.text('scale-error', /pixel size/), /not a pixel size/);
  assert.equal(await app.text('calibration'), 'uncalibrated (pixels)');

  // As in ImageJ's Set Scale: 200 pixels are 100 µm, so a pixel is 0.5 µm.
  await page.selectOption(tid('scale-unit'), 'µm');
  await page.click(`${tid('scale-panel')} details.known-distance summary`);
  await app.setField('scale-pixels', 200);
  await app.setField('scale-known', 100);
  assert.equal(await page.inputValue(tid('scale-size')), '0.5');
  assert.equal(await app.text('scale-per-unit', /Scale/), 'Scale: 2.0000 pixels/µm');
  await page.click(tid('scale-set'));
  assert.equal(await app.text('calibration', /set by hand/), '0.500 µm/pixel, set by hand');
  await app.until('Area in µm²', (sel) => document.querySelector(sel)?.textContent.includes('Area (µm²)'), `${tid('objects-table')} thead`);
  p = await table(page);
  assert.equal(Number(p.first[1]), pixels * 0.25, 'the area is pixels times 0.5²');
  await page.selectOption(tid('scale-unit'), 'nm');
  await app.setField('scale-size', 500);
  await page.click(tid('scale-set'));
  await app.until('Area in nm²', (sel) => document.querySelector(sel)?.textContent.includes('Area (nm²)'), `${tid('objects-table')} thead`);
  // The TIFF kept its own calibration (the box for all images was not ticked).
  await page.click(`${tid('image-item')}:nth-child(1) button.select`);
  assert.equal(await app.text('calibration', /TIFF/), '0.650 µm/pixel, from the ImageJ TIFF description');
  await page.click(tid('scale-clear'));
  assert.equal(await app.text('calibration', /uncalibrated/), 'uncalibrated (pixels)');
  await app.until('Area in pixels', (sel) => document.querySelector(sel)?.textContent.trim() === 'Area', `${tid('objects-table')} thead th:nth-child(2)`);
});

// A TIFF opened from a link reads its pixel size as a dropped one does, and a reload restores
// the work kept in the browser with that calibration.
let data;
before(async () => { data = await serve(path.dirname(TIFF), { port: 0, cors: true }); });
after(() => data?.close?.());

appTest('a calibrated TIFF opened from a link is calibrated, and stays so when the kept work is restored', async ({ app, page }) => {
  const url = `${data.url}${path.basename(TIFF)}`;
  await page.goto(new URL(`#link=1&url=${encodeURIComponent(url)}`, page.url()).href, { waitUntil: 'load' });
  await app.ready();
  await app.imageItems(1);
  assert.equal(await app.text('calibration', /µm/), '0.650 µm/pixel, from the ImageJ TIFF description');
  assert.equal((await table(page)).header[1], 'Area (µm²)');
  await app.kept(/: 1 image\(s\)/);
  // Reopened without the link: the kept image comes back with its calibration.
  await page.goto(page.url().replace(/#.*$/, ''), { waitUntil: 'load' });
  await app.ready();
  await app.text('kept-restored-text', /^Restored 1 image\(s\)/);
  assert.equal(await app.text('calibration', /µm/), '0.650 µm/pixel, kept in this browser');
  assert.equal((await table(page)).header[1], 'Area (µm²)');
});
