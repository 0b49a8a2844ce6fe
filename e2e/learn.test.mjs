// The Learn panel: a classifier trained in the page from masks, its held-out figures and curve,
// the cut-off moving the count without retraining, the model file saved and loaded back (and a
// corrupt one refused), and the built-in model from the preset menu.

import { readFileSync } from 'node:fs';
import { appTest, assert, clearKeptWork, dropFiles, sample, tid } from './helpers.mjs';
import { sampleFixture, syntheticFixture } from './fixtures.mjs';

const size = ['--width', '640', '--height', '480'];
const a = syntheticFixture({ seed: 31, cells: 14, name: 'one.png', extra: size });
const b = syntheticFixture({ seed: 32, cells: 12, name: 'two.png', extra: size });
const real = sampleFixture();


const withMasks = () => [
  { name: 'one.png', path: a.file },
  { name: 'one_mask.png', bytes: readFileSync(a.truth) },
  { name: 'two.png', path: b.file },
  { name: 'two_mask.png', bytes: readFileSync(b.truth) },
];

/** Sets the cut-off slider to `v` as a drag does; resolves when the count shows a number again. */
async function setCutoff(page, v) {
  await page.$eval(tid('learn-cutoff'), (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, v);
}

/** Waits until no count is in flight and the count is an integer; resolves to it. */
async function settledCount(app) {
  await app.until('counts to settle', (sel) => document.querySelector(sel)?.getAttribute('data-busy') === 'false', tid('status'));
  return app.count();
}

appTest('a model trained on two masked images: held-out figures, curve, cut-off, save and load', async ({ app, page }) => {
  assert.match(await app.text('learn-reason'), /attach a mask/i, 'without labels the panel says why');
  assert.equal(await page.isDisabled(tid('learn-train')), true, 'Train is disabled without labels');
  await dropFiles(page, null, withMasks());
  await app.imageItems(2);
  await app.until('two masks attached', (sel) => document.querySelectorAll(sel).length === 2, tid('item-mask'));
  await app.until('Train enabled', (sel) => !document.querySelector(sel)?.disabled, tid('learn-train'));
  await page.click(tid('learn-train'));
  await app.waitFor(tid('learn-cv-table'), 'the held-out table after training');
  const rows = await page.$$eval(tid('learn-cv-image'), (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 2, 'one held-out row per image');
  const f1s = await page.$$eval(tid('learn-cv-f1'), (tds) => tds.map((td) => Number(td.textContent)));
  for (const f of f1s) assert.ok(f >= 0 && f <= 1, `held-out F1 ${f}`);
  // The pooled row sums the rows (each image at its own fold's cut-off), as the command line does.
  const cells = await page.$$eval(`${tid('learn-cv-image')}, ${tid('learn-cv-pooled')}`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const sums = [0, 0, 0];
  for (const r of cells.slice(0, -1)) r[3].split('/').forEach((v, i) => { sums[i] += Number(v); });
  const pooledRow = cells.at(-1);
  assert.equal(pooledRow[3], sums.join('/'), `the pooled row's TP/FP/FN: ${JSON.stringify(cells)}`);
  const [tp, fp, fn] = sums;
  const pooledF1 = 2 * tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
  assert.equal(pooledRow[4], pooledF1.toFixed(3));
  assert.match(await app.text('learn-pooled'), /^The curve scores every held-out image at one cut-off\. At cut-off [\d.]+.*: precision [\d.]+, recall [\d.]+, F1 [\d.]+$/);
  // The spread over the forest's seeds: the median and range of the pooled F1 and MAE.
  const spread = await app.text('learn-seeds');
  const m = spread.match(/with 5 seeds.*pooled F1 median ([\d.]+) \(([\d.]+) to ([\d.]+)\), MAE [\d.]+ \([\d.]+ to [\d.]+\)/);
  assert.ok(m, `the seed spread: ${spread}`);
  const [med, lo, hi] = m.slice(1).map(Number);
  assert.ok(lo <= med && med <= hi && hi <= 1, `median within its range: ${spread}`);
  await app.waitFor(tid('learn-curve'), 'the precision-recall curve');
  assert.ok((await page.$$eval(`${tid('learn-curve')} polyline`, (p) => p[0].getAttribute('points').split(' ').length)) > 10);
  await app.waitFor(tid('learn-importance'), 'the feature importance chart');
  const bars = await page.$$eval(`${tid('learn-importance')} rect`, (r) => r.length);
  assert.ok(bars >= 20, `a bar per feature (${bars})`);
  assert.equal(await page.$$eval(`${tid('learn-importance-table')} tbody tr`, (r) => r.length), bars, 'every bar in the table');

  // The model counts: moving the cut-off recounts without training again.
  await app.setCheckbox('learn-use', true);
  await setCutoff(page, 0.02);
  const low = await settledCount(app);
  await setCutoff(page, 0.98);
  const high = await app.count({ not: low });
  assert.ok(high < low, `a higher cut-off counts fewer (${high} < ${low})`);
  // The point on the curve is a slider for the keyboard too.
  await page.focus(tid('learn-curve-point'));
  const before = Number(await page.getAttribute(tid('learn-curve-point'), 'aria-valuenow'));
  await page.keyboard.press('ArrowLeft');
  await app.until('the cut-off to move down', ({ sel, before }) => Number(document.querySelector(sel)?.getAttribute('aria-valuenow')) < before, { sel: tid('learn-curve-point'), before });
  await setCutoff(page, 0.4);
  const counted = await settledCount(app);
  // The objects table has the scores.
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  const header = await page.$$eval(`${tid('objects-table')} thead th`, (ths) => ths.map((th) => th.textContent.trim()));
  const col = header.indexOf('Score');
  assert.ok(col >= 0, `a Score column in ${header}`);
  const scores = await page.$$eval(tid('object-row'), (trs, col) => trs.map((tr) => Number(tr.children[col].textContent)), col);
  assert.ok(scores.length > 0 && scores.every((s) => s >= 0.4 && s <= 1), `counted objects score at least the cut-off: ${scores}`);
  assert.match(await app.text('learn-link-note'), /not in the link/);

  // Save, reload, load: the same count.
  const saved = await app.download('learn-save');
  assert.match(saved.name, /\.fcmodel$/);
  assert.match(saved.bytes.toString('utf8'), /^fluocount-model 1\n/);
  assert.match(saved.bytes.toString('utf8'), /\ncutoff: 0\.4\n/);
  // With nothing kept from before (the page would restore its images otherwise).
  await clearKeptWork(page);
  await page.reload();
  await app.ready();
  await dropFiles(page, null, withMasks());
  await app.imageItems(2);
  await settledCount(app);
  await page.setInputFiles(tid('learn-load'), { name: 'lab.fcmodel', mimeType: 'text/plain', buffer: saved.bytes });
  assert.match(await app.text('learn-notice', /lab\.fcmodel/), /loaded/);
  await app.setCheckbox('learn-use', true);
  await app.until(`the count ${counted} with the loaded model`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: counted });

  // A corrupt file: a message naming it and the reason, and nothing changes.
  const model = await app.text('learn-model');
  await page.setInputFiles(tid('learn-load'), { name: 'broken.fcmodel', mimeType: 'text/plain', buffer: Buffer.from('fluocount-model 1\nname: x\n') });
  assert.match(await app.text('learn-notice', /broken\.fcmodel/), /broken\.fcmodel was not loaded: .+/);
  await page.setInputFiles(tid('learn-load'), { name: 'photo.fcmodel', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  assert.match(await app.text('learn-notice', /photo\.fcmodel/), /not a Fluocount model/);
  // Dropped on the page, a model file is read as the button reads it.
  await dropFiles(page, null, [{ name: 'dropped.fcmodel', bytes: Buffer.from('fluocount-model 2\n') }]);
  assert.match(await app.text('learn-notice', /dropped\.fcmodel/), /version 2/);
  assert.equal(await app.text('learn-model'), model, 'the model in use is unchanged');
  assert.equal(await settledCount(app), counted, 'the count is unchanged');
}, { timeout: 8 * 60_000 });

appTest('one labelled image: trained, and the panel says the held-out figures need two', async ({ app, page }) => {
  await dropFiles(page, null, withMasks().slice(0, 2));
  await app.until('a mask attached', (sel) => document.querySelectorAll(sel).length === 1, tid('item-mask'));
  await app.until('Train enabled', (sel) => !document.querySelector(sel)?.disabled, tid('learn-train'));
  await page.click(tid('learn-train'));
  assert.match(await app.text('learn-one-image'), /two or more/);
  await app.waitFor(tid('learn-importance'), 'the model trained on the one image');
});

appTest('a built-in model from the preset menu changes the count and fills the Score column', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: real.file }]);
  const plain = await settledCount(app);
  await page.selectOption(tid('preset'), 'yellow+model');
  const modelled = await app.count({ not: plain });
  assert.notEqual(modelled, plain);
  assert.match(await app.text('learn-model'), /built-in model "yellow"/);
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  const header = await page.$$eval(`${tid('objects-table')} thead th`, (ths) => ths.map((th) => th.textContent.trim()));
  const col = header.indexOf('Score');
  const scores = await app.until('scores in the objects table', ({ sel, col }) => {
    const s = [...document.querySelectorAll(sel)].map((tr) => tr.children[col]?.textContent.trim());
    return s.length && s.every((t) => /^[\d.]+$/.test(t)) ? s : false;
  }, { sel: tid('object-row'), col });
  assert.ok(scores.length > 0);
  // Back to the plain preset: the model is off again.
  await page.selectOption(tid('preset'), 'yellow');
  assert.equal(await app.count({ not: modelled }), plain);
});

appTest('a link carries a built-in model and its cut-off; a hostile one is listed and counts without a model', async ({ app, page }) => {
  await page.evaluate(() => { location.hash = 'demo=yellow-lhl'; });
  const plain = await settledCount(app);
  await page.selectOption(tid('preset'), 'yellow+model');
  // The model may count this demo as the preset does: wait for it to be in use, not for a change.
  await app.until('the built-in model in use', (sel) => /built-in model "yellow"/.test(document.querySelector(sel)?.textContent ?? ''), tid('learn-model'));
  await settledCount(app);
  await setCutoff(page, 0.3);
  const counted = await settledCount(app);
  const hash = await app.until('the address to name the model', () => {
    const h = location.hash;
    return h.includes('model=yellow') && h.includes('cutoff=0.3') && h.includes('demo=yellow-lhl') ? h : false;
  });
  assert.equal(await page.$(tid('learn-link-note')), null, 'no own-model note with a built-in model');
  const link = await page.evaluate((h) => `${location.origin}${location.pathname}${h}`, hash);
  await page.goto('about:blank');
  await page.goto(link, { waitUntil: 'load' });
  await app.ready();
  await app.until(`the count ${counted} from the link`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: counted });
  assert.match(await app.text('learn-model'), /built-in model "yellow"/);

  await page.evaluate(() => { location.hash = 'demo=yellow-lhl&model=%3Cb%3Emine%3C%2Fb%3E&cutoff=7'; });
  await app.waitFor(tid('link-notices'));
  const notices = await page.$$eval(tid('link-notice'), (li) => li.map((e) => e.textContent));
  assert.ok(notices.some((n) => n.includes('no built-in model') && n.includes('<b>mine</b>')), `notices: ${notices.join(' | ')}`);
  assert.ok(notices.some((n) => n.includes('cut-off')), `notices: ${notices.join(' | ')}`);
  await app.until(`the plain count ${plain}`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: plain });
});

appTest('Cancel stops a training at once; the next one runs in a fresh worker', async ({ app, page }) => {
  const red = ['red/images/MAR31S1C1R2_DMHr_200x_r.png', 'red/images/RT353S2C1R5_r1.png'];
  const files = red.flatMap((rel) => {
    const p = sample(rel);
    const stem = rel.split('/').pop().replace('.png', '');
    return [{ name: `${stem}.png`, path: p }, { name: `${stem}_mask.png`, path: p.replace('/images/', '/masks/') }];
  });
  await dropFiles(page, null, files);
  await app.until('two masks attached', (sel) => document.querySelectorAll(sel).length === 2, tid('item-mask'));
  await settledCount(app);
  await page.click(tid('learn-train'));
  await page.click(tid('learn-cancel'));
  assert.equal(await app.text('learn-status'), 'Cancelled.');
  assert.equal(await page.$(tid('learn-cancel')), null, 'no Cancel once cancelled');
  assert.match(await app.text('learn-model'), /No model of your own/, 'a cancelled training leaves no model');
  // The page stayed responsive and a new training finishes.
  await page.click(tid('learn-train'));
  await app.waitFor(tid('learn-cv-table'), 'the held-out table after the second training');
  assert.equal(await page.$$eval(tid('learn-cv-image'), (r) => r.length), 2);
  assert.match(await app.text('learn-model'), /Your model: trained here \(2 images, /);
});
