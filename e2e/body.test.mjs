// Cell size and cell bodies in the workbench: each image keeps the preset of its own colour under
// Auto; the rat sample's count against its 57 annotated cells; the Rejected layer with the filter
// that removed an object; the expected cell diameter driving the size settings that follow it.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appTest, assert, before, dropFiles, fluocount, tid } from './helpers.mjs';
import { sampleFixture } from './fixtures.mjs';

const yellow = sampleFixture('yellow/images/Mar24bS1C2R3_LHl_200x.png');
const red = sampleFixture('red/images/MAR31S1C1R2_DMHr_200x_r.png');
const rat = sampleFixture('red/images/RT353S2C1R5_r1.png');
/** The yellow sample counted natively with the red preset. */
const yellowAsRed = {};
before(async () => {
  const rows = (await fluocount(['count', '--preset', 'red', yellow.file])).split('\n').filter((l) => l && !l.startsWith('#'));
  yellowAsRed.count = Number(rows[1]?.split(',').at(-3));
  assert.ok(Number.isInteger(yellowAsRed.count), `no count in ${rows}`);
});

/** The rat sample counted natively with the red preset and `blob_exempt=1`. */
const ratExempt = {};
before(async () => {
  const preset = (await fluocount(['params', '--preset', 'red'])).trim();
  assert.match(preset, /&blob_exempt=0&/);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fluocount-exempt-')), 'params.txt');
  writeFileSync(file, preset.replace('&blob_exempt=0&', '&blob_exempt=1&'));
  const rows = (await fluocount(['count', '--params', file, rat.file])).split('\n').filter((l) => l && !l.startsWith('#'));
  ratExempt.count = Number(rows[1]?.split(',').at(-3));
  assert.ok(Number.isInteger(ratExempt.count), `no count in ${rows}`);
});

/** The rat sample counted natively with the red preset but without splitting again (`resplit=0`). */
const ratNoResplit = {};
before(async () => {
  const preset = (await fluocount(['params', '--preset', 'red'])).trim();
  assert.match(preset, /&resplit=1\.8$/);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fluocount-resplit-')), 'params.txt');
  writeFileSync(file, preset.replace(/&resplit=1\.8$/, '&resplit=0'));
  const rows = (await fluocount(['count', '--params', file, rat.file])).split('\n').filter((l) => l && !l.startsWith('#'));
  ratNoResplit.count = Number(rows[1]?.split(',').at(-3));
  assert.ok(Number.isInteger(ratNoResplit.count), `no count in ${rows}`);
});

/** Cells annotated in the rat sample's mask (tests/data/fluocells/red/masks/RT353S2C1R5_r1.png). */
const RAT_CELLS = 57;
/** The Rejected layer's default colour (core::render::REJECTED_COLOUR). */
const REJECTED_GREY = [190, 190, 190];
/** Indices of the objects table's columns. */
const COL = { label: 0, area: 1, x: 5, y: 6, bx: 7, by: 8, width: 9, height: 10 };

/** Waits until no count is in flight. */
function idle(app) {
  return app.until('no count in flight', (sel) => document.querySelector(sel)?.getAttribute('data-busy') === 'false', tid('status'));
}

/** The image list's counts, in load order. */
function listCounts(page) {
  return page.$$eval(tid('image-item'), (els) => els.map((e) => e.getAttribute('data-count')));
}

/** The all-images table's counts, in load order. */
function allCounts(page) {
  return page.$$eval(`${tid('all-row')} td:first-of-type`, (tds) => tds.map((td) => td.textContent.trim()));
}

/** Drops the rat sample and waits for the count the native command line gives. */
async function loadRat(app, page) {
  await dropFiles(page, null, [{ path: rat.file }]);
  await app.viewerSize(2272, 1704);
  const n = rat.native.count;
  await app.until(`the native count ${n}`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n });
  await idle(app);
  return n;
}

/** Calls `fn` every other frame until it gives something truthy; fails after 30 s. */
async function poll(app, what, fn) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > 30_000) throw new Error(`timed out waiting for ${what}`);
    await app.frames(2);
  }
}

/** The viewer pixels of colour `rgb` inside the box (x, y, w, h) of the image. */
function colourInBox(page, rgb, [x0, y0, w, h]) {
  return page.$eval(
    tid('viewer'),
    (canvas, { rgb, box }) => {
      const [x0, y0, w, h] = box;
      const { data } = canvas.getContext('2d').getImageData(x0, y0, w, h);
      const found = [];
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) {
          const k = i / 4;
          found.push([x0 + (k % w), y0 + Math.floor(k / w)]);
        }
      }
      return found;
    },
    { rgb, box: [x0, y0, w, h] },
  );
}

/** The page point of the centre of image pixel (x, y) (the canvas is scaled by a CSS transform). */
function pagePoint(page, x, y) {
  return page.$eval(
    tid('viewer'),
    (c, { x, y }) => {
      const r = c.getBoundingClientRect();
      const z = r.width / c.width;
      return { x: r.left + (x + 0.5) * z, y: r.top + (y + 0.5) * z };
    },
    { x, y },
  );
}

appTest('under Auto each image keeps the preset of its own colour, whichever is selected', async ({ app, page }) => {
  assert.notEqual(yellow.native.collection, red.native.collection, 'the two samples must be of two collections');
  await dropFiles(page, null, [{ path: yellow.file }, { path: red.file }]);
  const expected = [String(yellow.native.count), String(red.native.count)];
  const both = await app.until(
    `the list to show each image's own count ${expected}`,
    ({ sel, expected }) => {
      const c = [...document.querySelectorAll(sel)].map((e) => e.getAttribute('data-count'));
      return c.length === 2 && c.every((v, i) => v === expected[i]) ? c : false;
    },
    { sel: tid('image-item'), expected },
  );
  await idle(app);
  assert.deepEqual(await listCounts(page), both);
  assert.match(await app.text('preset-detected', /Auto/), new RegExp(`^Auto: ${yellow.native.collection} preset for this image$`));
  assert.deepEqual(await allCounts(page), expected, 'the all-images table');

  for (const [i, fx] of [[1, red], [0, yellow], [1, red]]) {
    await page.click(`${tid('image-item')}:nth-child(${i + 1}) .select`);
    // The panel shows the selected image's preset; then every count in flight has landed.
    await app.text('preset-detected', new RegExp(`^Auto: ${fx.native.collection} preset for this image$`));
    await app.until(`the header count ${fx.native.count}`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: fx.native.count });
    await idle(app);
    await app.frames(2);
    assert.deepEqual(await listCounts(page), expected, `selecting ${fx.native.collection} changed the list's counts`);
    assert.deepEqual(await allCounts(page), expected, `selecting ${fx.native.collection} changed the all-images table`);
  }
  assert.equal(await page.inputValue(tid('preset')), 'auto');
  // The summary of all images: each image's count, and the preset each was counted with.
  const csv = (await app.download('export-all')).bytes.toString().split('\n');
  assert.match(csv[1], /^# parameters: auto: each image with the preset of its colour$/);
  for (const [fx, n] of [[yellow, expected[0]], [red, expected[1]]]) {
    const name = fx.file.split('/').pop();
    assert.ok(csv.some((l) => l.startsWith(`# ${name} (${fx.native.collection}): v=3&channel=${fx.native.collection}&`)), `no parameter line for ${name}:\n${csv.join('\n')}`);
    assert.ok(csv.some((l) => l.startsWith(`${name},${n},`)), `no row ${name},${n} in the CSV:\n${csv.join('\n')}`);
  }
  // A preset picked for all images applies to both: the yellow image with the red preset.
  await page.selectOption(tid('preset'), 'red');
  await app.text('preset-detected', /^red preset for every image; 1 image is of another colour \(Auto counts it with its own colour's preset\)$/);
  const allRed = [String(yellowAsRed.count), expected[1]];
  await app.until(`the list to show ${allRed} with the red preset for both`, ({ sel, want }) => {
    const c = [...document.querySelectorAll(sel)].map((e) => e.getAttribute('data-count'));
    return c.every((v, i) => v === want[i]);
  }, { sel: tid('image-item'), want: allRed });
  await page.selectOption(tid('preset'), 'auto');
  await app.until('Auto to give each image its own count again', ({ sel, expected }) => {
    const c = [...document.querySelectorAll(sel)].map((e) => e.getAttribute('data-count'));
    return c.every((v, i) => v === expected[i]);
  }, { sel: tid('image-item'), expected });
  // The address says Auto, so a reload or a link keeps it.
  await app.until('the address to say preset=auto', () => /&preset=auto(&|$)/.test(location.hash));

  // A demo opened from the header's menu opens under Auto: the images already open keep their
  // own colours' presets and counts, and the (red) demo gets the red preset.
  await page.click(`${tid('demos-menu')} summary`);
  await page.click(`${tid('demos-menu')} ${tid('demo-open-red-dmh')}`);
  await app.imageItems(3);
  await app.until('the red demo shown', () => /red-dmh/.test(document.querySelector('[data-testid="image-source"]')?.textContent ?? ''));
  await app.text('preset-detected', /^Auto: red preset for this image$/);
  await idle(app);
  const withDemo = await listCounts(page);
  assert.deepEqual(withDemo.slice(0, 2), expected, 'opening a demo changed the counts of the images already open');
  // The demo is the red sample itself: under Auto it counts as the red image does.
  assert.equal(withDemo[2], expected[1]);
  assert.equal(await page.inputValue(tid('preset')), 'auto');

  // A reload keeps Auto (the link in the address says so), and the same counts follow.
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  assert.equal(await page.inputValue(tid('preset')), 'auto', 'a reload turned Auto into another preset');
  await app.until('the address to say preset=auto', () => /&preset=auto(&|$)/.test(location.hash));
});

appTest(`the rat sample counts within 20 % of its ${RAT_CELLS} annotated cells`, async ({ app, page }) => {
  const count = await loadRat(app, page);
  assert.ok(
    Math.abs(count - RAT_CELLS) <= 0.2 * RAT_CELLS,
    `the rat sample (RT353S2C1R5_r1.png) counts ${count} with the ${rat.native.collection} preset; ${RAT_CELLS} cells are annotated`,
  );
});

appTest('the Rejected layer draws filtered objects in grey; hovering one names the filter', async ({ app, page }) => {
  await loadRat(app, page);
  // The objects table lists the rejected objects with the filter that removed each.
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  await app.setCheckbox('show-rejected', true);
  const rejected = await app.until('rejected rows in the objects table', (sel) => {
    const rows = [...document.querySelectorAll(sel)].map((tr) => ({
      cells: [...tr.children].map((td) => td.textContent.trim()),
      title: tr.getAttribute('title'),
    }));
    return rows.length ? rows : false;
  }, tid('rejected-row'));
  const header = await page.$$eval(`${tid('objects-table')} thead th`, (ths) => ths.map((th) => th.textContent.trim()));
  assert.equal(header.at(-1), 'Filter', 'the Filter column');
  for (const r of rejected) {
    assert.match(r.cells.at(-1), /^(min_area|max_area|circularity|min_mean|min_contrast|exclude_edges|min_thickness|max_elongation|min_blob|min_brightness|min_ring)$/);
    assert.ok(r.title.startsWith(`${r.cells.at(-1)}: `), `the row's title gives the reason: ${r.title}`);
  }
  const summary = await app.text('objects-summary', /removed by a filter/);
  assert.match(summary, new RegExp(`${rejected.length} removed by a filter`));
  // The largest rejected object.
  const big = rejected.map((r) => r.cells.map(Number)).sort((a, b) => b[COL.area] - a[COL.area])[0];
  const box = [big[COL.bx], big[COL.by], big[COL.width], big[COL.height]];

  // Off by default: nothing of the layer's grey there.
  assert.equal(await page.isChecked(tid('overlay-rejected')), false, 'the Rejected layer is off by default');
  assert.equal((await colourInBox(page, REJECTED_GREY, box)).length, 0, 'grey drawn with the layer off');
  await app.setCheckbox('overlay-rejected', true);
  const grey = await poll(app, `the rejected object ${big[COL.label]} (area ${big[COL.area]}) at ${box} drawn in grey`, async () => {
    const g = await colourInBox(page, REJECTED_GREY, box);
    return g.length >= 4 && g;
  });

  // Centre the view on it (a click on its row), then hover a grey pixel: the readout names the
  // rejected object and its filter, as its row does.
  await page.click(`${tid('rejected-row')}[data-rejected="${big[COL.label]}"]`);
  await app.frames(3);
  // Aim at a grey pixel whose 5x5 neighbourhood is grey too (nearest the centroid among them).
  const isGrey = new Set(grey.map(([x, y]) => `${x},${y}`));
  const deep = grey.filter(([x, y]) => [-2, -1, 0, 1, 2].every((dy) => [-2, -1, 0, 1, 2].every((dx) => isGrey.has(`${x + dx},${y + dy}`))));
  const aim = deep.length ? deep : grey;
  const [gx, gy] = aim.sort((a, b) => Math.hypot(a[0] - big[COL.x], a[1] - big[COL.y]) - Math.hypot(b[0] - big[COL.x], b[1] - big[COL.y]))[0];
  const p = await pagePoint(page, gx, gy);
  const r = await app.hover(p.x, p.y);
  // A mouse position is a whole CSS pixel: at fit zoom one covers more than one image pixel, so
  // the readout may name a neighbour of the aimed pixel (deep inside the object, still grey).
  assert.ok(r && Math.abs(r.x - gx) <= 2 && Math.abs(r.y - gy) <= 2 && r.object === null, `hovering (${gx}, ${gy}): ${JSON.stringify(r)}`);
  const said = await app.text('readout-rejected', /rejected object \d+/);
  const m = /rejected object (\d+) · (\w+): (.+)$/.exec(said);
  assert.ok(m, `the hover text: ${said}`);
  const row = rejected.find((x) => x.cells[COL.label] === m[1]);
  assert.ok(row, `no rejected row ${m[1]}`);
  assert.equal(m[2], row.cells.at(-1), 'the hover names the filter of its row');
  assert.ok(said.endsWith(row.title), `the hover gives the reason of its row: ${said} / ${row.title}`);

  // Off again: the grey goes.
  await app.setCheckbox('overlay-rejected', false);
  await poll(app, 'the grey to go with the layer off', async () => (await colourInBox(page, REJECTED_GREY, box)).length === 0);
});

appTest('the cell diameter: auto shows the estimate; a typed diameter moves the size settings that follow it and the count', async ({ app, page }) => {
  const c0 = await loadRat(app, page);
  const used = await app.text('diameter-used', /^auto \(\d+ px\)$/);
  const d0 = Number(/(\d+) px/.exec(used)[1]);
  assert.ok(d0 >= 40 && d0 <= 80, `the rat sample's estimated diameter is ${d0} px (its cells are about 57 px across)`);
  assert.equal(await page.inputValue(tid('diameter')), '', 'auto leaves the field empty');
  assert.equal(await page.isChecked(tid('diameter-auto')), true);
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  assert.equal(await app.text('objects-diameter', /px/), `${d0} px`, "the objects table's summary shows the diameter used");

  // The minimum area follows the diameter: 300 px at 36 px, times (d / 36)².
  const disc = (d) => Math.round(300 * (d / 36) ** 2);
  await app.setCheckbox('min-area-auto', true);
  const minAreaAt = (d) =>
    app.until(`min area ${disc(d)} (following ${d} px)`, ({ sel, v }) => document.querySelector(sel)?.value === String(v), { sel: tid('min-area'), v: disc(d) });
  // The estimate is a float; the field shows the value resolved from it.
  await idle(app);
  const auto = Number(await page.inputValue(tid('min-area')));
  assert.ok(Math.abs(auto - disc(d0)) <= disc(d0 + 1) - disc(d0), `min area ${auto} does not follow a ${d0} px diameter (${disc(d0)})`);
  const cAuto = await app.count();
  await idle(app);

  await app.setField('diameter', 120);
  await minAreaAt(120);
  const cLarge = await app.count({ not: cAuto });
  assert.equal(await app.text('diameter-used', /given/), '120 px (given)');
  assert.equal(await app.text('objects-diameter', /^120 px$/), '120 px');
  const text = await page.textContent(tid('params-text'));
  assert.match(text, /&min_area=auto&/);
  assert.match(text, /&diameter=120&/);

  await app.setField('diameter', 30);
  await minAreaAt(30);
  const cSmall = await app.count({ not: cLarge });
  assert.ok(cLarge < cSmall, `a 120 px diameter (min area ${disc(120)}) counts ${cLarge}, a 30 px one (min area ${disc(30)}) ${cSmall}`);
  assert.notEqual(cSmall, cAuto, `a 30 px diameter counts as many as the estimate (${cAuto})`);

  // Empty again: auto, and the count of the estimate comes back.
  await app.setField('diameter', '');
  await app.text('diameter-used', /^auto \(\d+ px\)$/);
  await app.until(`the count ${cAuto} again`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: cAuto });
  assert.equal(await page.isChecked(tid('diameter-auto')), true);

  // Typing a minimum area stops its following.
  await app.setField('min-area', 500);
  await app.until('min area to stop following', (sel) => !document.querySelector(sel)?.checked, tid('min-area-auto'));
  assert.match(await page.textContent(tid('params-text')), /diameter=auto/);
  assert.match(await page.textContent(tid('params-text')), /min_area=500&/);
  assert.equal(await page.inputValue(tid('min-area')), '500');
  assert.ok(c0 > 0);
});

appTest('thick bodies skip the blob test: the rat sample keeps the thick cells its dense middle bends into ridges', async ({ app, page }) => {
  const c0 = await loadRat(app, page);
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  await app.setCheckbox('show-rejected', true);
  /** The titles of the rejected rows the blob filter removed, once there are rejected rows. */
  const blobRows = (pattern) =>
    app.until(`rows rejected by min_blob to match ${pattern}`, ({ sel, src }) => {
      const rows = [...document.querySelectorAll(sel)];
      if (!rows.length) return false;
      const titles = rows.filter((tr) => tr.lastElementChild.textContent.trim() === 'min_blob').map((tr) => tr.getAttribute('title'));
      return titles.length > 0 && titles.every((t) => new RegExp(src).test(t)) && titles;
    }, { sel: tid('rejected-row'), src: pattern.source });
  const before = await blobRows(/^min_blob: .*\(blob [\d.]+ < 0\.3\)$/);

  // From one expected radius: the count becomes the native count with the same setting, and each
  // row the blob filter still removes says its thickness lies outside 1 to 2 radii.
  await app.setField('blob-exempt', 1);
  const c1 = await app.count({ not: c0 });
  assert.equal(c1, ratExempt.count, `the native count with blob_exempt=1 is ${ratExempt.count}`);
  assert.ok(c1 > c0, `skipping the blob test for thick bodies counts ${c1}, no more than the preset's ${c0}`);
  assert.match(await page.textContent(tid('params-text')), /&min_blob=0\.3&blob_exempt=1&/);
  const after = await blobRows(/^min_blob: .*\(blob [\d.]+ < 0\.3, thickness [\d.]+ not from 1 to 2\)$/);
  for (const t of after) {
    const thick = Number(/thickness ([\d.]+)/.exec(t)[1]);
    assert.ok(thick < 1 || thick > 2, `a body ${thick} radii thick was still blob-tested: ${t}`);
  }
  assert.ok(after.length < before.length, `${before.length} rows rejected by the blob filter before, ${after.length} after`);

  // Off again: the preset's count comes back.
  await app.setField('blob-exempt', 0);
  await app.until(`the count ${c0} again`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: c0 });
});

appTest('splitting again takes the rat sample\'s dense clump apart; off, the clump counts as a few objects', async ({ app, page }) => {
  const c0 = await loadRat(app, page);
  assert.equal(await page.inputValue(tid('resplit')), '1.8');
  await app.setField('resplit', 0);
  const c1 = await app.count({ not: c0 });
  assert.equal(c1, ratNoResplit.count, `the native count with resplit=0 is ${ratNoResplit.count}`);
  assert.ok(c1 < c0, `without splitting again the rat counts ${c1}, not fewer than the preset's ${c0}`);
  assert.match(await page.textContent(tid('params-text')), /&resplit=0$/);
  await app.setField('resplit', 1.8);
  await app.until(`the count ${c0} again`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: c0 });
});
