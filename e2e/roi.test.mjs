// ImageJ's region files in the page: the RoiSet.zip ImageJ 1.53t's RoiEncoder wrote
// (tests/data/imagej_rois/imagej/) is imported with its names, each region counts the objects
// whose centroid it holds (ImageJ's FloatPolygon.contains, computed here from ImageJ's own
// reading in imagej.tsv), a dropped .roi joins them, the export is a RoiSet.zip whose entries are
// ImageJ's bytes for the shapes both write alike, and a corrupt file is named and changes nothing.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appTest, assert, dropFiles, REPO_ROOT, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const synthetic = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'cells one.png' });
const ROIS = path.join(REPO_ROOT, 'tests/data/imagej_rois');

/** ImageJ's reading of its RoiSet (imagej.tsv): name, type, float bounds and polygon. */
function imagejSet() {
  return readFileSync(path.join(ROIS, 'imagej.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('RoiSet.zip!'))
    .map((l) => {
      const [, name, type, bounds, polygon] = l.split('\t');
      // Java floats: Math.fround gives the float the file holds.
      const b = bounds.split(',').map((v) => Math.fround(Number(v)));
      let v = polygon.split(' ').map((p) => p.split(',').map((c) => Math.fround(Number(c))));
      if (type === 'Rectangle') {
        // Read as the pixel rectangle ImageJ measures (rounded corners as the plain rectangle).
        const [x, y, w, h] = [Math.trunc(b[0]), Math.trunc(b[1]), Math.ceil(b[2]), Math.ceil(b[3])];
        v = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
      }
      return { name, v };
    });
}

/** ImageJ's FloatPolygon.contains (even-odd), in its operation order. */
function contains(v, x, y) {
  let inside = false;
  for (let i = 0, j = v.length - 1; i < v.length; j = i++) {
    const [xi, yi] = v[i], [xj, yj] = v[j];
    if ((yi >= y) !== (yj >= y) && x > ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The entries of a ZIP archive (stored or deflated) through its central directory. */
async function unzip(buf) {
  const { inflateRawSync } = await import('node:zlib');
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'an end-of-central-directory record');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50);
    const method = buf.readUInt16LE(at + 10), packed = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28), extra = buf.readUInt16LE(at + 30), comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + packed);
    out.push({ name, bytes: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at += 46 + nameLen + extra + comment;
  }
  return out;
}

/** A whole-pixel rectangle as an ImageJ .roi without a name (so the file names it). */
function rectRoi(x, y, w, h) {
  const b = Buffer.alloc(64);
  b.write('Iout', 0, 'latin1');
  b.writeUInt16BE(228, 4);
  b[6] = 1;
  for (const [i, v] of [y, x, y + h, x + w].entries()) b.writeInt16BE(v, 8 + 2 * i);
  return b;
}

appTest('ImageJ ROIs: a RoiSet imports with names and counts, a dropped .roi joins, export is ImageJ\'s bytes, a corrupt file changes nothing', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: synthetic.file }]);
  const n = synthetic.native.count;
  await app.until(`the count ${n}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), n);
  await page.$eval('[data-testid="objects-drawer"]', (d) => { d.open = true; });
  const centroids = await page.$eval(tid('objects-table'), (t) =>
    [...t.querySelectorAll('tbody tr')].map((tr) => [Number(tr.children[5].textContent), Number(tr.children[6].textContent)]));
  assert.equal(centroids.length, n);
  assert.equal(await page.isDisabled(tid('export-rois')), true, 'nothing to export yet');

  // ImageJ's RoiSet.zip through the Import ROIs… button.
  const set = readFileSync(path.join(ROIS, 'imagej/RoiSet.zip'));
  await page.setInputFiles(tid('import-rois'), { name: 'RoiSet.zip', mimeType: 'application/zip', buffer: set });
  const want = imagejSet();
  assert.equal(want.length, 9);
  await app.until('the imported regions', (k) => document.querySelectorAll('[data-testid="roi-row"]').length === k, want.length);
  await app.text('status', /^RoiSet\.zip: imported 9 region\(s\)\.$/);
  // A dropped .roi is added to them, named after its file; it holds the left half.
  await dropFiles(page, null, [{ name: 'left half.roi', bytes: rectRoi(0, 0, 800, 1200), type: 'application/octet-stream' }]);
  want.push({ name: 'left half', v: [[0, 0], [800, 0], [800, 1200], [0, 1200]] });
  await app.until('the dropped region', (k) => document.querySelectorAll('[data-testid="roi-row"]').length === k, want.length);
  const names = await page.$$eval(tid('roi-name'), (els) => els.map((e) => e.value));
  assert.deepEqual(names, want.map((r) => r.name));
  const counts = (await page.$$eval(tid('roi-count'), (els) => els.map((e) => Number(e.textContent))));
  const expected = want.map((r) => centroids.filter(([x, y]) => contains(r.v, x, y)).length);
  assert.deepEqual(counts, expected, 'each region counts the centroids ImageJ\'s rule puts in it');
  assert.ok(expected.at(-1) > 0 && expected.at(-1) < n, `the left half holds some cells (${expected.at(-1)})`);

  // Export: a RoiSet.zip of ten entries; where both write the same shape, ImageJ's bytes.
  const { name, bytes } = await app.download('export-rois');
  assert.equal(name, 'RoiSet.zip');
  const entries = await unzip(bytes);
  assert.deepEqual(entries.map((e) => e.name), want.map((r) => `${r.name}.roi`));
  for (const e of entries) assert.equal(e.bytes.subarray(0, 4).toString('latin1'), 'Iout', e.name);
  const same = { 'rect.roi': 'rect.roi', 'polygon.roi': 'polygon.roi', 'float polygon.roi': 'float-polygon.roi', 'Кора – région ü 日本.roi': 'unicode.roi' };
  for (const [entry, file] of Object.entries(same)) {
    const ours = entries.find((e) => e.name === entry).bytes;
    assert.ok(ours.equals(readFileSync(path.join(ROIS, 'imagej', file))), `${entry} is ImageJ's ${file}`);
  }

  // A corrupt .roi is refused by name with its reason, and the regions stay as they were.
  await page.setInputFiles(tid('import-rois'), [
    { name: 'fine.roi', mimeType: 'application/octet-stream', buffer: rectRoi(1, 1, 5, 5) },
    { name: 'broken.roi', mimeType: 'application/octet-stream', buffer: Buffer.from('Iout\0\xe4\0\0', 'latin1') },
  ]);
  await app.text('status', /^broken\.roi: not imported, no region changed: ROI "broken": 8 bytes, too short/);
  assert.equal(await page.$$eval(tid('roi-row'), (rows) => rows.length), want.length);
  // One region exports as NAME.roi.
  for (let k = want.length; k > 1; k--) {
    await page.click(`${tid('roi-row')}:nth-child(1) ${tid('roi-delete')}`);
    await app.until(`${k - 1} regions`, (k) => document.querySelectorAll('[data-testid="roi-row"]').length === k, k - 1);
  }
  const one = await app.download('export-rois');
  assert.equal(one.name, 'left half.roi');
  assert.ok(one.bytes.subarray(0, 64).equals(rectRoi(0, 0, 800, 1200).subarray(0, 64).fill(0x40, 63, 64)), 'the rectangle, with its second header at 64');
});
