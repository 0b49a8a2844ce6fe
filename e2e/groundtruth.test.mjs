// Ground truth in the page: masks dropped with their images are paired by name, the counts are
// scored by the reference protocol, the overlay shows TP / FP / FN, and auto-tune improves F1.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { appTest, assert, dropFiles, fluocount, sample, tempDir, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const a = syntheticFixture({ seed: 21, cells: 20, touching: 0, name: 'cells.png' });
const b = syntheticFixture({ seed: 22, cells: 15, touching: 0, name: 'more.png' });
const small = syntheticFixture({ seed: 23, cells: 5, name: 'small.png', extra: ['--width', '300', '--height', '200'] });

const TP = [0, 0, 255];
const FP = [255, 255, 255];
const FN = [180, 60, 180];
const num = (t) => Number.parseFloat(t);

appTest('an image and its _mask are paired, scored and coloured TP / FP / FN', async ({ app, page }) => {
  await dropFiles(page, null, [
    { name: 'cells_mask.png', bytes: readFileSync(a.truth) },
    { name: 'cells.png', path: a.file },
  ]);
  await app.count();
  await app.waitFor(tid('item-mask'), 'the image item to show its mask');
  const truth = Number(await app.text('m-true', /^\d+$/));
  assert.equal(truth, a.cells, `true count ${truth} != the generator's ${a.cells} cells`);
  const [tp, fn] = [Number(await app.text('m-tp')), Number(await app.text('m-fn'))];
  assert.equal(tp + fn, truth, 'TP + FN = true cells');
  const f1 = num(await app.text('m-f1', /^[\d.]+$/));
  assert.ok(f1 > 0.8, `F1 ${f1} on a clean synthetic image`);
  assert.equal(await app.text('p-images'), '1', 'pooled over the one image with a mask');
  await app.frames(3);
  assert.ok((await app.countColour(TP)) > 100, 'matched objects are drawn in the TP colour');

  // Everything filtered out: every true cell is missed and ringed.
  await app.setField('min-area', 1000000);
  await app.count({ not: tp + Number(await app.text('m-fp')) });
  assert.equal(Number(await app.text('m-fn', new RegExp(`^${truth}$`))), truth);
  await app.frames(3);
  assert.ok((await app.countColour(FN)) > 50 * truth, 'each missed cell gets an FN ring');
  assert.equal(await app.countColour(TP), 0, 'no TP colour left');

  // No opening and no size filter: debris becomes false positives, drawn in the FP colour.
  await app.setField('open', 0);
  await app.setField('min-area', 1);
  await app.until('some false positives', (sel) => Number(document.querySelector(sel)?.textContent) > 0, tid('m-fp'));
  await app.frames(3);
  assert.ok((await app.countColour(FP)) > 0, 'false positives are drawn in the FP colour');
  // The colouring can be switched off.
  await app.setCheckbox('overlay-score', false);
  await app.frames(3);
  assert.equal(await app.countColour(FP), 0, 'without ground-truth colouring no FP colour is drawn');
});

/** CIELAB of an sRGB colour seen with colour vision `m` (Machado et al. 2009, full severity). */
function seenLab(rgb, m) {
  const lin = rgb.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  const l = m.map((row) => Math.min(1, Math.max(0, row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2])));
  const [x, y, z] = [
    0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2],
    0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2],
    0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2],
  ];
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [fx, fy, fz] = [f(x / 0.9505), f(y), f(z / 1.089)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const VISION = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protan: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deutan: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritan: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

appTest('on a red-stained image the TP, FP and FN colours stand out from the stain, for colour-blind eyes too', async ({ app, page }) => {
  await dropFiles(page, null, [
    { path: sample('red/images/RT353S2C1R5_r1.png') },
    { name: 'RT353S2C1R5_r1_mask.png', bytes: readFileSync(sample('red/masks/RT353S2C1R5_r1.png')) },
  ]);
  await app.waitFor(tid('item-mask'), 'the mask to pair');
  await app.text('m-f1', /^[\d.]+$/);
  // The stain as drawn: the brightest pixels of the canvas with no overlay.
  for (const id of ['overlay-fill', 'overlay-outline', 'overlay-score']) await app.setCheckbox(id, false);
  await app.frames(3);
  // The worker redraws in its own time: wait until no overlay colour is left.
  await app.until('the overlay gone', ({ sel, colours }) => {
    const canvas = document.querySelector(sel);
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < data.length; i += 4) {
      if (colours.some(([r, g, b]) => data[i] === r && data[i + 1] === g && data[i + 2] === b)) return false;
    }
    return true;
  }, { sel: tid('viewer'), colours: [TP, FP, FN] });
  const stain = await page.$eval(tid('viewer'), (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const px = [];
    for (let i = 0; i < data.length; i += 4) px.push([data[i], data[i + 1], data[i + 2]]);
    px.sort((a, b) => b[0] + b[1] + b[2] - (a[0] + a[1] + a[2]));
    const top = px.slice(0, Math.max(1, px.length >> 9));
    return [0, 1, 2].map((k) => Math.round(top.reduce((s, p) => s + p[k], 0) / top.length));
  });
  assert.ok(stain[0] > 2 * stain[1] && stain[0] > 2 * stain[2], `a red stain: ${stain}`);
  // Outlines on, coloured by ground truth: each colour is drawn, and stands apart from the stain.
  await app.setCheckbox('overlay-outline', true);
  await app.setCheckbox('overlay-score', true);
  await app.frames(3);
  const close = [];
  for (const [name, rgb] of [['TP', TP], ['FP', FP], ['FN', FN]]) {
    // The worker draws the new layers in its own time: wait for each colour (it fails only if
    // it never comes).
    await app.until(`${name} drawn in ${rgb}`, ({ sel, rgb: [r, g, b] }) => {
      const canvas = document.querySelector(sel);
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) return true;
      return false;
    }, { sel: tid('viewer'), rgb });
    for (const [vision, m] of Object.entries(VISION)) {
      const [p, q] = [seenLab(rgb, m), seenLab(stain, m)];
      const de = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
      if (de < 25) close.push(`${name} on the stain ${stain}, ${vision}: ΔE ${de.toFixed(0)}`);
    }
  }
  assert.deepEqual(close, []);
});

appTest('a mask of the wrong size is refused by name; an unpaired mask can be attached by hand', async ({ app, page }) => {
  await dropFiles(page, null, [{ name: 'cells.png', path: a.file }]);
  await app.count();
  await dropFiles(page, null, [{ name: 'cells_mask.png', bytes: readFileSync(small.truth) }]);
  const err = await app.errorMentioning('cells_mask.png');
  assert.match(err, /mask is 300x200 but the image cells\.png is 1600x1200/);
  // A mask whose name matches no image waits for a choice.
  await dropFiles(page, null, [{ name: 'ground_truth_mask.png', bytes: readFileSync(a.truth) }]);
  await app.waitFor(tid('pending-mask'), 'the unpaired mask to wait for a choice');
  const value = await page.$eval(`${tid('pending-mask-image')} option:nth-child(2)`, (o) => o.value);
  await page.selectOption(tid('pending-mask-image'), value);
  await page.click(tid('pending-mask-attach'));
  const truth = Number(await app.text('m-true', /^\d+$/));
  assert.equal(truth, a.cells, 'the attached mask is scored');
});

appTest('try all shows the 16 ImageJ methods with counts and F1', async ({ app, page }) => {
  await dropFiles(page, null, [
    { name: 'cells.png', path: a.file },
    { name: 'cells_mask.png', bytes: readFileSync(a.truth) },
  ]);
  await app.text('m-f1', /^[\d.]+$/);
  await page.click(tid('try-all'));
  const methods = await app.until(
    '16 try-all cards',
    (sel) => {
      const cards = [...document.querySelectorAll(sel)];
      return cards.length === 16 ? cards.map((c) => [c.dataset.method, c.dataset.count]) : false;
    },
    tid('try-card'),
  );
  assert.ok(methods.some(([m]) => m === 'Otsu') && methods.some(([m]) => m === 'Triangle'));
  assert.ok(methods.every(([, c]) => /^\d+$/.test(c)), JSON.stringify(methods));
  assert.equal((await page.$$(tid('try-f1'))).length, 16, 'each card shows F1 with a mask');
});

appTest('auto-tune improves pooled F1 from a poor start, and cancel stops it', async ({ app, page }) => {
  await dropFiles(page, null, [
    { name: 'cells.png', path: a.file },
    { name: 'cells_mask.png', bytes: readFileSync(a.truth) },
    { name: 'more.png', path: b.file },
    { name: 'more_mask.png', bytes: readFileSync(b.truth) },
  ]);
  await app.until('two images with masks', (sel) => document.querySelectorAll(sel).length === 2, tid('item-mask'));
  await app.setField('open', 0);
  await app.setField('min-area', 1);
  await app.until('pooled F1 over 2 images', (sel) => document.querySelector(sel)?.textContent === '2', tid('p-images'));
  // The poor start is counted when no count is in flight (a count of thousands of specks takes
  // a while: every object gets its cell-body measures).
  await app.until('no count in flight', (sel) => document.querySelector(sel)?.getAttribute('data-busy') === 'false', tid('status'), 120_000);
  await app.frames(5);
  const before = num(await app.text('p-f1', /^[\d.]+$/));
  // Cancel first: the search stops and the parameters stay.
  await page.click(tid('tune-start'));
  await app.waitFor(tid('tune-progress'));
  await page.click(tid('tune-cancel'));
  assert.match(await app.text('tune-result'), /Cancelled/);
  // Then a full run.
  await page.click(tid('tune-start'));
  const result = await app.until(
    'auto-tune to finish',
    (sel) => {
      const t = document.querySelector(sel)?.textContent ?? '';
      return t.startsWith('Done') ? t : false;
    },
    tid('tune-result'),
    240_000,
  );
  // The tuned parameters recount every image; wait for the pooled F1 to move.
  const after = await app.until(
    'the pooled F1 to change after tuning',
    ({ sel, before }) => {
      const v = Number.parseFloat(document.querySelector(sel)?.textContent ?? '');
      return Number.isFinite(v) && v !== before ? v : false;
    },
    { sel: tid('p-f1'), before },
  );
  assert.ok(after > before, `pooled F1 ${before} -> ${after} (${result})`);
}, { timeout: 300_000 });

appTest('leave-one-image-out in the Ground truth panel gives the command line\'s held-out figures', async ({ app, page }) => {
  await dropFiles(page, null, [
    { name: 'cells.png', path: a.file },
    { name: 'cells_mask.png', bytes: readFileSync(a.truth) },
  ]);
  await app.waitFor(tid('item-mask'), 'the first mask');
  assert.ok(await page.isDisabled(tid('cv-start')), 'one image with a mask cannot be cross-validated');
  await dropFiles(page, null, [
    { name: 'more.png', path: b.file },
    { name: 'more_mask.png', bytes: readFileSync(b.truth) },
  ]);
  await app.until('two images with masks', (sel) => document.querySelectorAll(sel).length === 2, tid('item-mask'));
  // Cancel stops a run and says so.
  await page.click(tid('cv-start'));
  await app.waitFor(tid('cv-progress'));
  await page.click(tid('cv-cancel'));
  assert.match(await app.text('cv-status'), /Cancelled/);
  await page.click(tid('cv-start'));
  await app.until('the held-out table', (sel) => document.querySelectorAll(sel).length === 2, tid('cv-image'), 240_000);
  const pageF1 = await app.text('cv-pooled-f1', /^[\d.]+$/);
  const rows = await page.$$eval(tid('cv-image'), (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));

  // The command line on the same two images and masks.
  const dir = tempDir();
  mkdirSync(path.join(dir, 'images'));
  mkdirSync(path.join(dir, 'masks'));
  copyFileSync(a.file, path.join(dir, 'images', 'cells.png'));
  copyFileSync(b.file, path.join(dir, 'images', 'more.png'));
  copyFileSync(a.truth, path.join(dir, 'masks', 'cells.png'));
  copyFileSync(b.truth, path.join(dir, 'masks', 'more.png'));
  const out = await fluocount(['eval', '--cv', '--images', path.join(dir, 'images'), '--masks', path.join(dir, 'masks')]);
  const pooled = out.split('\n').find((l) => l.startsWith('# pooled held-out all'));
  const cliF1 = Number.parseFloat(/ F1=([\d.]+)/.exec(pooled ?? '')?.[1]);
  assert.ok(Math.abs(Number.parseFloat(pageF1) - cliF1) < 0.0006, `page held-out F1 ${pageF1}, command line ${cliF1}\n${out}`);
  for (const [name, truth, counted] of rows) {
    const line = out.split('\n').find((l) => l.includes(`${name},`));
    assert.ok(line, `${name} in the command line's table:\n${out}`);
    const cells = line.split(',');
    assert.deepEqual([cells[2], cells[3]], [truth, counted], `${name}: page ${truth}/${counted}, command line ${line}`);
  }
  assert.match(await app.text('cv-chosen'), /chosen on/);
}, { timeout: 400_000 });
