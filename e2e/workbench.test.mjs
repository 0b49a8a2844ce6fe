// Checking, correcting and taking results away: the objects table, the summary, regions, Cell
// Counter corrections with undo/redo and marker files, every export, the help panel, the layout
// and an axe-core accessibility check.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { appTest, assert, clearKeptWork, dropFiles, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const synthetic = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'cells one.png' });
const other = syntheticFixture({ seed: 5, cells: 15, touching: 0, name: 'second.png' });
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The objects table as rows of numbers, with the header names. */
async function table(page) {
  await page.$eval('[data-testid="objects-drawer"]', (d) => { d.open = true; });
  return page.$eval(tid('objects-table'), (t) => ({
    header: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => Number(td.textContent))),
  }));
}

/** Loads the synthetic image and waits for the count the native CLI gives. */
async function load(app, page, fx = synthetic) {
  await dropFiles(page, null, [{ path: fx.file }]);
  const n = fx.native.count;
  await app.until(`the count ${n}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), n);
  return n;
}

/** Clicks at image point (x, y) (the view must show it). */
async function clickImage(app, page, x, y) {
  const box = await app.viewport();
  // Map through the readout: the pixel at the viewport's centre, then the zoom.
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const r0 = await app.hover(centre.x, centre.y);
  // The exact zoom from the canvas transform (the toolbar's percentage is rounded).
  const z = await page.$eval(tid('viewer'), (c) => Number(/scale\(([^)]+)\)/.exec(c.style.transform)?.[1]));
  const sx = centre.x + (x - r0.x) * z, sy = centre.y + (y - r0.y) * z;
  await page.mouse.click(sx, sy);
  await app.frames(2);
}

appTest('objects table: ImageJ columns, sorting, summary figures', async ({ app, page }) => {
  const n = await load(app, page);
  const { header, rows } = await table(page);
  assert.deepEqual(header, ['#', 'Area', 'Mean', 'Min', 'Max', 'X', 'Y', 'BX', 'BY', 'Width', 'Height', 'Perim.', 'Circ.', 'AR', 'Round', 'Solidity', 'Contrast', 'Thickness', 'Elongation', 'Blob', 'Brightness', 'Ring', 'Score']);
  assert.equal(rows.length, n, 'one row per object');
  assert.deepEqual(rows.map((r) => r[0]), [...Array(n).keys()].map((i) => i + 1), 'rows start in label order');

  await page.click(tid('sort-1'));
  let sorted = (await table(page)).rows.map((r) => r[1]);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => a - b), 'Area ascending');
  assert.equal(await page.getAttribute(`${tid('objects-table')} thead th:nth-child(2)`, 'aria-sort'), 'ascending');
  await page.click(tid('sort-1'));
  sorted = (await table(page)).rows.map((r) => r[1]);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), 'Area descending');

  const areas = rows.map((r) => r[1]);
  const total = areas.reduce((a, b) => a + b, 0);
  assert.equal(Number(await page.textContent(tid('s-count'))), n);
  assert.equal(Number(await page.textContent(tid('s-total-area'))), total);
  assert.ok(Math.abs(Number(await page.textContent(tid('s-average-size'))) - total / n) < 0.001);
  assert.ok(Math.abs(Number(await page.textContent(tid('s-percent-area'))) - (100 * total) / (1600 * 1200)) < 0.001);
  const mean = rows.reduce((a, r) => a + r[1] * r[2], 0) / total;
  assert.ok(Math.abs(Number(await page.textContent(tid('s-mean'))) - mean) < 0.01, 'Mean is the area-weighted mean');
});

appTest('regions: rectangle and polygon, named, counted by centroid, in the summary CSV', async ({ app, page }) => {
  await load(app, page);
  const { rows } = await table(page);
  // Zoomed in, then fitted again with the table open: the whole image is in view.
  await app.key('+');
  await app.key('0');
  await app.key('r');
  const box = await app.viewport();
  // A rectangle over the left half of the image (the image is fitted and centred).
  const centre = await app.hover(box.x + box.width / 2, box.y + box.height / 2);
  const z = await app.zoom();
  const toScreen = (x, y) => [box.x + box.width / 2 + (x - centre.x - 0.5) * z, box.y + box.height / 2 + (y - centre.y - 0.5) * z];
  const [x0, y0] = toScreen(0, 0);
  const [x1, y1] = toScreen(800, 1200);
  await page.mouse.move(Math.max(x0, box.x + 1), Math.max(y0, box.y + 1));
  await page.mouse.down();
  await page.mouse.move(x1, Math.min(y1, box.y + box.height - 1), { steps: 8 });
  await page.mouse.up();
  await app.waitFor(tid('roi-row'));
  const expected = rows.filter((r) => r[5] < 800).length;
  const got = Number(await page.textContent(tid('roi-count')));
  assert.ok(Math.abs(got - expected) <= 1, `rectangle over the left half counts ${got}, centroids there: ${expected}`);

  // A polygon: three clicks and Enter.
  await app.key('p');
  const inside = (v, lo, size) => Math.min(Math.max(v, lo + 3), lo + size - 3);
  for (const [x, y] of [[800, 0], [1600, 0], [1600, 1200]]) {
    const [sx, sy] = toScreen(x, y);
    await page.mouse.click(inside(sx, box.x, box.width), inside(sy, box.y, box.height));
  }
  await app.key('Enter');
  await app.until('two regions', () => document.querySelectorAll('[data-testid="roi-row"]').length === 2);
  const names = await page.$$eval(tid('roi-name'), (els) => els.map((e) => e.value));
  assert.deepEqual(names, ['ROI 1', 'ROI 2']);
  await page.fill(`${tid('roi-row')}:nth-child(2) ${tid('roi-name')}`, 'upper right');
  await page.press(`${tid('roi-row')}:nth-child(2) ${tid('roi-name')}`, 'Enter');
  const csv = (await app.download('export-summary')).bytes.toString();
  assert.match(csv, /^# fluocount \d+\.\d+\.\d+/);
  assert.match(csv, /Region,Image,Name,Count,Area,Density per Mpx/);
  assert.match(csv, /2,cells one\.png,upper right,\d+,\d+,\d+\.\d+/);
  await page.click(`${tid('roi-row')}:nth-child(1) ${tid('roi-delete')}`);
  await app.until('one region', () => document.querySelectorAll('[data-testid="roi-row"]').length === 1);
});

appTest('Cell Counter corrections: add, remove, undo/redo, marker types, survive a parameter change, per image, XML both ways', async ({ app, page }) => {
  const n = await load(app, page);
  await dropFiles(page, null, [{ path: other.file }]);
  await app.imageItems(2);
  await page.click(`${tid('image-item')}:nth-child(1) button.select`);
  await app.until(`the count ${n}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), n);
  const { rows } = await table(page);

  // Remove object 1 (click its centroid), add a cell on the background.
  await app.key('x');
  await clickImage(app, page, Math.floor(rows[0][5]), Math.floor(rows[0][6]));
  await app.text('count-removed', /^1$/);
  assert.equal(await page.$eval(`${tid('object-row')}[data-label="1"]`, (tr) => tr.classList.contains('removed')), true, 'the removed object\'s row is not marked');
  await app.key('a');
  await clickImage(app, page, 5, 5);
  // Wait for the values the click must give (an older "0" also matches a bare number).
  assert.equal(await app.text('count-added', /^1$/), '1');
  assert.equal(await app.text('count', new RegExp(`^${n}$`)), String(n), 'the headline is the corrected count');
  assert.equal(await app.text('count-label'), 'Cells, corrected');
  assert.equal(await page.textContent(tid('c-total')), String(n));

  // Undo and redo, with the keys.
  await app.key('Control+z');
  await app.text('count', new RegExp(`^${n - 1}$`));
  await app.key('Control+Shift+z');
  await app.text('count', new RegExp(`^${n}$`));

  // A second marker type, renamed: a co-labelling count.
  await page.selectOption(tid('marker-type'), '2');
  await page.fill(tid('marker-name'), 'cFos');
  await page.press(tid('marker-name'), 'Enter');
  await clickImage(app, page, Math.floor(rows[1][5]), Math.floor(rows[1][6]));
  await app.text('c-type-2', /^1$/);
  assert.match(await page.textContent(`${tid('corrections')}`), /Type 2: cFos/);

  // A parameter change that keeps the objects keeps the corrections.
  await app.setField('min-area', '250');
  await app.frames(4);
  assert.equal(await app.text('c-removed', /^\d+$/), '1');
  assert.equal(await page.textContent(tid('c-added')), '1');
  await app.setField('min-area', '300');
  await app.until(`the count ${n}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), n);

  // Per image: the other image has none.
  await page.click(`${tid('image-item')}:nth-child(2) button.select`);
  await app.text('c-removed', /^0$/);
  await page.click(`${tid('image-item')}:nth-child(1) button.select`);
  await app.text('c-removed', /^1$/);

  // Export the marker file: type 1 holds the corrected count, type 2 its marker.
  const xml = (await app.download('export-markers'));
  assert.equal(xml.name, 'CellCounter_cells_one.xml');
  const text = xml.bytes.toString();
  assert.match(text, /<CellCounter_Marker_File>/);
  const types = [...text.matchAll(/<Marker_Type>([\s\S]*?)<\/Marker_Type>/g)].map((m) => ({
    type: Number(/<Type>(\d+)<\/Type>/.exec(m[1])[1]),
    markers: (m[1].match(/<Marker>/g) ?? []).length,
  }));
  assert.deepEqual(types.slice(0, 2), [{ type: 1, markers: n }, { type: 2, markers: 1 }]);

  // Import it on the second image's twin: a fresh page (nothing kept from before) with the same
  // image gets the same tally.
  await clearKeptWork(page);
  await page.reload();
  await app.ready();
  await load(app, page);
  await page.setInputFiles(tid('import-markers'), { name: xml.name, mimeType: 'application/xml', buffer: xml.bytes });
  await app.text('c-total', new RegExp(`^${n}$`));
  assert.equal(await app.text('c-removed', /^\d+$/), '1');
  assert.equal(await page.textContent(tid('c-added')), '1');
  assert.equal(await page.textContent(tid('c-type-2')), '1');

  // An empty marker file is fine: no markers at all means every detection is removed.
  const empty = '<?xml version="1.0" encoding="UTF-8"?><CellCounter_Marker_File><Image_Properties><Image_Filename>x.tif</Image_Filename></Image_Properties><Marker_Data><Current_Type>0</Current_Type></Marker_Data></CellCounter_Marker_File>';
  await page.setInputFiles(tid('import-markers'), { name: 'empty.xml', mimeType: 'application/xml', buffer: Buffer.from(empty) });
  await app.text('status', /empty\.xml: imported 0 markers/);
  // A broken one is reported and changes nothing.
  await page.setInputFiles(tid('import-markers'), { name: 'broken.xml', mimeType: 'application/xml', buffer: Buffer.from('<nope') });
  await app.text('status', /broken\.xml: not a Cell Counter marker file/);
});

appTest('exports: objects and summary CSV, 16-bit labels, binary mask, view PNG, parameters round trip', async ({ app, page }) => {
  const n = await load(app, page);
  const objects = await app.download('export-objects');
  assert.equal(objects.name, 'cells_one_objects.csv');
  const lines = objects.bytes.toString().trim().split('\n');
  assert.match(lines[0], /^# fluocount \d+\.\d+\.\d+$/);
  assert.match(lines[1], /^# parameters: v=3&channel=/);
  const header = lines.findIndex((l) => l.startsWith('Image,Object,Area,Mean,Min,Max,X,Y,BX,BY,Width,Height,Perim.,Circ.,AR,Round,Solidity'));
  assert.ok(header > 0, 'no ImageJ column line');
  assert.equal(lines.length - header - 1, n, 'one row per object');

  const summary = (await app.download('export-summary')).bytes.toString();
  assert.match(summary, new RegExp(`\\ncells one\\.png,${n},\\d+,`));

  const png = (b) => ({ sig: b.subarray(1, 4).toString(), width: b.readUInt32BE(16), height: b.readUInt32BE(20), depth: b[24], colour: b[25] });
  const labels = await app.download('export-labels');
  assert.equal(labels.name, 'cells_one_labels.png');
  assert.deepEqual(png(labels.bytes), { sig: 'PNG', width: 1600, height: 1200, depth: 16, colour: 0 });
  const mask = await app.download('export-mask');
  assert.deepEqual(png(mask.bytes), { sig: 'PNG', width: 1600, height: 1200, depth: 8, colour: 0 });
  const view = await app.download('export-view');
  assert.equal(view.name, 'cells_one_view.png');
  // The whole image at its own size, whatever the view.
  assert.deepEqual(png(view.bytes), { sig: 'PNG', width: 1600, height: 1200, depth: 8, colour: 6 });

  // The parameters file loads back.
  const before = await page.textContent(tid('params-text'));
  const params = await app.download('export-params');
  assert.equal(params.name, 'cells_one_params.txt');
  await app.setField('min-area', '777');
  await app.until('the parameters to change', (t) => document.querySelector('[data-testid="params-text"]').textContent !== t, before);
  await page.setInputFiles(tid('load-params'), { name: params.name, mimeType: 'text/plain', buffer: params.bytes });
  await app.until('the parameters to come back', (t) => document.querySelector('[data-testid="params-text"]').textContent === t, before);
  await app.text('count', new RegExp(`^${n}$`));
});

appTest('layout at 1280x720, collapsible groups, ? help, and no serious axe-core violations', async ({ app, page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await load(app, page);
  const box = await app.viewport();
  assert.ok(box.width >= 640 && box.height >= 400, `the image area is small at 1280x720: ${box.width}x${box.height}`);
  for (const g of ['input', 'detect', 'filter', 'display', 'results']) {
    assert.equal(await page.$eval(tid(`group-${g}`), (d) => d.open), true, `${g} starts open`);
  }
  await page.click(`${tid('group-filter')} > summary`);
  assert.equal(await page.$eval(tid('group-filter'), (d) => d.open), false, 'a click on the group title closes it');
  assert.equal(await page.isVisible(tid('min-area')), false);

  await app.key('?');
  await app.waitFor(tid('help'));
  const help = await page.textContent(tid('help'));
  for (const k of ['Ctrl+Z', 'Zoom in', 'Fit', 'Polygon']) assert.ok(help.includes(k), `help lacks ${k}`);
  // Through the DevTools protocol, which the page's policy (no inline script) does not cover.
  await page.evaluate(AXE);
  const check = () =>
    page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
  assert.deepEqual(await check(), [], 'axe-core violations with the help open');
  await page.keyboard.press('Escape');
  await app.until('the help to close', () => !document.querySelector('[data-testid="help"]'));
  await page.$eval('[data-testid="objects-drawer"]', (d) => { d.open = true; });
  assert.deepEqual(await check(), [], 'axe-core violations on the workbench');

  // The help button opens the dialog; Tab stays inside it; Esc gives the focus back.
  await page.click(tid('help-open'));
  await app.until('the close button to take the focus', () => document.activeElement?.getAttribute('data-testid') === 'help-close');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'help-close', 'Tab left the dialog');
  await page.keyboard.press('Escape');
  await app.until('the focus back on the help button', () => document.activeElement?.getAttribute('data-testid') === 'help-open');

  // Every tool button is reachable by keyboard and shows its focus.
  await page.focus(tid('tool-inspect'));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'tool-add');
  const outline = await page.$eval(tid('tool-add'), (el) => getComputedStyle(el).outlineStyle);
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute(tid('tool-add'), 'aria-checked'), 'true');
  assert.notEqual(outline, 'none', 'no visible focus on a focused tool button');
});

appTest('loading many files shows progress and Cancel stops it; the files read so far stay', async ({ app, page }) => {
  const bytes = readFileSync(synthetic.file);
  const total = 12;
  const files = Array.from({ length: total }, (_, i) => ({ name: `copy-${i}.png`, bytes, type: 'image/png' }));
  await dropFiles(page, null, files);
  await app.waitFor(tid('load-progress'));
  // Forced: the page is busy decoding between frames, so the button never looks "stable" to
  // Playwright's checks; a person's click is handled between two files all the same.
  await page.click(tid('load-cancel'), { force: true });
  await app.text('status', new RegExp(`^Stopped loading: \\d+ of ${total} files were not read\\.$`));
  const n = (await page.$$(tid('image-item'))).length;
  assert.ok(n < total, `${n} of ${total} images after cancelling`);
  await page.waitForTimeout(1500);
  assert.equal((await page.$$(tid('image-item'))).length, n, 'loading went on after Cancel');
  assert.equal(await page.$(tid('load-progress')), null, 'the progress bar stays after the load stopped');
});
