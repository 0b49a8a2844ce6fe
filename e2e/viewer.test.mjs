// The viewer as a person uses it: zoom (wheel around the pointer, keys, buttons, pinch), pan by
// dragging, crisp pixels, the pointer readout, display settings (16-bit too), overlay layers and
// the histogram with its draggable threshold.

import { readFileSync } from 'node:fs';
import { appTest, assert, dropFiles, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const synthetic = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'synthetic.png' });
const gray16 = syntheticFixture({ seed: 3, cells: 20, touching: 0, name: 'gray16.png', extra: ['--gray16'] });

const near = (a, b, tol) => Math.abs(a - b) <= tol;

/** Decodes a PNG screenshot in the page; resolves to `{width, height, data}` (RGBA array). */
async function decodePng(page, png) {
  return page.evaluate(async (b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    return { width: bitmap.width, height: bitmap.height, data: [...ctx.getImageData(0, 0, bitmap.width, bitmap.height).data] };
  }, png.toString('base64'));
}

/** Statistics of the viewer canvas: max of the red channel and number of distinct red values. */
function canvasStats(page, testid = 'viewer') {
  return page.$eval(tid(testid), (c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let max = 0, opaque = 0;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) {
      max = Math.max(max, data[i]);
      seen.add(data[i]);
      if (data[i + 3] > 0) opaque++;
    }
    return { max, distinct: seen.size, opaque };
  });
}

/** Pixels of exactly `rgb` on the canvas `testid`. */
function colourCount(page, testid, [r, g, b]) {
  return page.$eval(tid(testid), (c, [r, g, b]) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] > 0) n++;
    return n;
  }, [r, g, b]);
}

/** Sets an input's value as typing or dragging does, firing input and change. */
function setValue(page, id, value) {
  return page.$eval(tid(id), (el, v) => {
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, String(v));
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

appTest('zoom by wheel, keys, buttons and pinch; drag pans; pixels stay crisp; the readout names the pixel', async ({ app, page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await dropFiles(page, null, [{ path: synthetic.file }]);
  await app.count();
  const box = await app.viewport();
  const fitZoom = await app.zoom();
  assert.ok(fitZoom > 0.1 && fitZoom < 1, `fit zoom ${fitZoom} for a 1600x1200 image in ${box.width}x${box.height}`);

  // Keys: 1 = 100%, + and - step by √2, 0 fits.
  await app.key('1');
  assert.equal(await app.zoom(), 1);
  await app.key('+');
  assert.ok(near(await app.zoom(), 1.41, 0.01), `+ gave ${await app.zoom()}`);
  await app.key('-');
  assert.equal(await app.zoom(), 1);
  await app.key('0');
  assert.ok(near(await app.zoom(), fitZoom, 0.005));
  // Buttons.
  await page.click(tid('zoom-in'));
  assert.ok((await app.zoom()) > fitZoom * 1.3);
  await page.click(tid('zoom-fit'));
  assert.ok(near(await app.zoom(), fitZoom, 0.005));
  await page.click(tid('zoom-100'));
  assert.equal(await app.zoom(), 1);
  await page.click(tid('zoom-fit'));

  // The wheel zooms around the pointer: the pixel under it stays under it.
  const P = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.4 };
  const before = await app.hover(P.x, P.y);
  assert.ok(before, 'no readout over the image');
  assert.match(before.text, /^RGB\(\d+,\d+,\d+\)$/, 'the readout shows the raw RGB values');
  await page.mouse.wheel(0, -600);
  await app.until('the wheel to zoom in', (z) => Number.parseFloat(document.querySelector('[data-testid="zoom"]').textContent) / 100 > z * 2, fitZoom);
  const after = await app.hover(P.x, P.y);
  assert.ok(near(after.x, before.x, 1) && near(after.y, before.y, 1), `wheel zoom moved the pixel under the pointer: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);

  // Dragging pans: the image follows the pointer.
  const z = await app.zoom();
  const r0 = await app.hover(P.x, P.y);
  await page.mouse.down();
  await page.mouse.move(P.x + 120, P.y + 60, { steps: 6 });
  await page.mouse.up();
  const r1 = await app.hover(P.x, P.y);
  assert.ok(near(r1.x, r0.x - 120 / z, 1.5) && near(r1.y, r0.y - 60 / z, 1.5), `drag of (120, 60) at zoom ${z}: ${JSON.stringify(r0)} -> ${JSON.stringify(r1)}`);

  // A sideways two-finger swipe on a touchpad (a wheel event with a horizontal delta) pans.
  const zSwipe = await app.zoom();
  const s0 = await app.hover(P.x, P.y);
  await page.mouse.wheel(80, 0);
  await app.frames(2);
  const s1 = await app.hover(P.x, P.y);
  assert.equal(await app.zoom(), zSwipe, 'a sideways swipe zoomed');
  assert.ok(near(s1.x, s0.x + 80 / zSwipe, 1.5), `a swipe of 80 px at zoom ${zSwipe}: ${JSON.stringify(s0)} -> ${JSON.stringify(s1)}`);

  // Pinch: two touch pointers moving apart zoom in by the ratio of their distances.
  const zPinch = await app.zoom();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const ptr = (type, id, x, y) =>
    page.dispatchEvent(tid('viewport'), type, { pointerId: id, pointerType: 'touch', isPrimary: id === 11, clientX: x, clientY: y, button: 0, buttons: 1, bubbles: true });
  await ptr('pointerdown', 11, cx - 40, cy);
  await ptr('pointerdown', 12, cx + 40, cy);
  for (const x of [60, 80, 100, 120]) await ptr('pointermove', 12, cx + x, cy);
  await ptr('pointerup', 12, cx + 120, cy);
  await ptr('pointerup', 11, cx - 40, cy);
  await app.frames(2);
  const zAfter = await app.zoom();
  assert.ok(near(zAfter / zPinch, 2, 0.15), `pinch from 80 to 160 px apart zoomed ${zPinch} -> ${zAfter}`);

  // Crisp pixels at 800%: neighbouring screen pixels inside one image pixel are identical.
  await app.key('1');
  for (let i = 0; i < 6; i++) await app.key('+');
  assert.ok(near(await app.zoom(), 8, 0.05), `six + from 100% gave ${await app.zoom()}`);
  await page.mouse.move(box.x + 5, box.y + box.height - 5);
  const shot = await page.screenshot({ clip: { x: cx - 64, y: cy - 64, width: 128, height: 128 } });
  const img = await decodePng(page, shot);
  let same = 0, pairs = 0, distinct = new Set();
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x + 1 < img.width; x++) {
      const i = 4 * (y * img.width + x);
      distinct.add(img.data.slice(i, i + 3).join());
      pairs++;
      if (img.data[i] === img.data[i + 4] && img.data[i + 1] === img.data[i + 5] && img.data[i + 2] === img.data[i + 6]) same++;
    }
  }
  assert.ok(distinct.size > 10, `the zoomed region is flat (${distinct.size} colours): not over the image?`);
  assert.ok(same / pairs > 0.8, `only ${(100 * same / pairs).toFixed(1)}% of neighbouring screen pixels are equal at 800%: smoothed?`);

  // The readout names the object under the pointer, and its row lights up in the table.
  await page.click(tid('zoom-fit'));
  await page.click('[data-testid="objects-drawer"] > summary');
  await page.click(`${tid('object-row')}[data-label="1"]`);
  const chosen = await app.readout().then(() => app.viewport());
  const r = await app.hover(chosen.x + chosen.width / 2, chosen.y + chosen.height / 2);
  assert.equal(r?.object, 1, `after clicking row 1, the viewer centre is not on object 1: ${JSON.stringify(r)}`);
  const hoveredRow = await app.until('a hovered table row', () => document.querySelector('tr.hovered')?.getAttribute('data-label') ?? false);
  assert.equal(hoveredRow, '1', 'hovering object 1 in the image did not highlight its row');
  assert.ok((await app.zoom()) >= 1, 'clicking a row zooms to at least 100%');
});

appTest('16-bit images display with their own range; display settings never change the count', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: gray16.file }]);
  // The automatic preset settles on the native CLI's count.
  const count = gray16.native.count;
  await app.until(`the count ${count}`, (n) => document.querySelector('[data-testid="count"]')?.textContent.trim() === String(n), count);
  const stats = await canvasStats(page);
  assert.ok(stats.max >= 200, `a 16-bit image shows black (max ${stats.max})`);
  assert.ok(stats.distinct >= 60, `a 16-bit image is clipped or posterised (${stats.distinct} levels)`);

  // Raw 16-bit values under the pointer.
  await page.click('[data-testid="objects-drawer"] > summary');
  await page.click(`${tid('object-row')}[data-label="1"]`);
  const box = await app.viewport();
  const r = await app.hover(box.x + box.width / 2, box.y + box.height / 2);
  const v = Number(/^value=(\d+)$/.exec(r?.text ?? '')?.[1]);
  assert.ok(v > 255, `the readout does not show the raw 16-bit value: ${JSON.stringify(r)}`);
  await page.mouse.move(box.x + 2, box.y + 2);

  await app.setCheckbox('overlay-fill', false);
  await app.setCheckbox('overlay-outline', false);
  await app.frames(2);
  const at = async () => (await app.pixels([[800, 600]]))[0];
  const centre = await page.$eval(`${tid('object-row')}[data-label="1"]`, (tr) => [Number(tr.children[5].textContent), Number(tr.children[6].textContent)]);
  const cell = async () => (await app.pixels([[Math.floor(centre[0]), Math.floor(centre[1])]]))[0];
  const plain = await cell();
  assert.ok(plain[0] > 60, `object 1 is dark on screen: ${plain}`);

  // The channel off: black.
  await app.setCheckbox('channel-on-0', false);
  // The frame comes from the worker: wait for it rather than for a fixed number of frames.
  let dark = await cell();
  for (let t = Date.now(); dark.slice(0, 3).some((c) => c !== 0) && Date.now() - t < 10_000;) {
    await app.frames(2);
    dark = await cell();
  }
  assert.deepEqual(dark.slice(0, 3), [0, 0, 0], 'switching the channel off did not blank it');
  await app.setCheckbox('channel-on-0', true);
  await app.frames(2);
  // A lower maximum brightens, "Auto" saturates 0.35% and changes the limits.
  const max0 = Number(await page.inputValue(tid('display-max-0')));
  await page.fill(tid('display-max-0'), String(Math.round(max0 / 2)));
  await page.press(tid('display-max-0'), 'Tab');
  await app.frames(2);
  assert.ok((await cell())[0] >= plain[0], 'a lower display maximum did not brighten the cell');
  await page.click(tid('display-auto'));
  await app.frames(2);
  const autoMax = Number(await page.inputValue(tid('display-max-0')));
  assert.ok(autoMax < max0 && autoMax > 0, `Auto (0.35% saturated) gave max ${autoMax} (data max ${max0})`);
  // Gamma below 1 brightens the mid-tones.
  const mid = await at();
  await setValue(page, 'display-gamma', '0.5');
  await app.frames(2);
  assert.ok((await at())[0] >= mid[0], 'gamma 0.5 darkened the image');
  assert.equal(await page.textContent(tid('display-gamma-value')), '0.50');
  // The analysed channel through Fire is coloured.
  await setValue(page, 'display-mode', 'analysed');
  await app.waitFor(tid('display-lut'));
  await setValue(page, 'display-lut', 'Fire');
  await app.frames(3);
  const fire = await cell();
  assert.ok(fire[0] !== fire[2] || fire[1] !== fire[2], `the Fire lookup table shows grey: ${fire}`);
  assert.equal(await app.count(), count, 'display settings changed the count');
});

appTest('overlay layers: numbers, centroids and ground-truth outlines, each with colour and opacity', async ({ app, page }) => {
  await dropFiles(page, null, [
    { path: synthetic.file },
    { name: 'synthetic_mask.png', bytes: readFileSync(synthetic.truth), type: 'image/png' },
  ]);
  await app.count();
  await app.text('item-mask', /synthetic_mask/);
  const box = await app.viewport();
  await page.mouse.move(box.x + box.width + 50, box.y + 10);
  await app.frames(2);
  assert.equal((await canvasStats(page, 'viewer-screen')).opaque, 0, 'the screen layer is not empty with numbers and centroids off');

  await app.setCheckbox('overlay-numbers', true);
  await app.until('numbers on the screen layer', () => {
    const c = document.querySelector('[data-testid="viewer-screen"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
    return false;
  });
  await app.setCheckbox('overlay-numbers', false);
  await setValue(page, 'centroids-colour', '#ff0000');
  await app.setCheckbox('overlay-centroids', true);
  await app.frames(2);
  assert.ok((await colourCount(page, 'viewer-screen', [255, 0, 0])) >= 25 * 4, 'red centroid crosses missing');
  await setValue(page, 'centroids-opacity', '0');
  await app.frames(2);
  assert.equal((await canvasStats(page, 'viewer-screen')).opaque, 0, 'centroids at opacity 0 still drawn');

  await setValue(page, 'truth-colour', '#00ff80');
  assert.equal(await colourCount(page, 'viewer', [0, 255, 128]), 0);
  // The image-space layers come in the worker's frame: wait for it, not for a number of frames.
  const truthWhen = async (ok) => {
    let n = await colourCount(page, 'viewer', [0, 255, 128]);
    for (let t = Date.now(); !ok(n) && Date.now() - t < 10_000;) {
      await app.frames(2);
      n = await colourCount(page, 'viewer', [0, 255, 128]);
    }
    return n;
  };
  await app.setCheckbox('overlay-truth', true);
  const drawn = await truthWhen((n) => n >= 25 * 40);
  assert.ok(drawn >= 25 * 40, `ground-truth outlines: only ${drawn} pixels of their colour for 25 cells`);
  await setValue(page, 'truth-opacity', '50');
  assert.equal(await truthWhen((n) => n === 0), 0, 'a half-opaque outline is still its pure colour');
});

appTest('the histogram shows the threshold; dragging it sets a manual level; log scale; local range', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: synthetic.file }]);
  await app.count();
  await page.selectOption(tid('method'), 'Otsu');
  const level = Number(await app.text('level', /^\d+$/));
  const line = await app.until('the threshold line', () => document.querySelector('[data-testid="histogram-threshold"]')?.getAttribute('data-level') ?? false);
  assert.equal(Number(line), level, 'the histogram line is not at the level in use');
  const linear = await page.getAttribute(tid('histogram-path'), 'd');
  await app.setCheckbox('histogram-log', true);
  await app.until('the log histogram', (d) => document.querySelector('[data-testid="histogram-path"]').getAttribute('d') !== d, linear);

  // Drag the line to 3/4 of the range: a manual level there.
  const count = await app.count();
  // In view: the parameter panel scrolls, and the fields above the histogram may push it out.
  await page.$eval('.histogram-plot', (el) => el.scrollIntoView({ block: 'center' }));
  const plot = await (await app.waitFor('.histogram-plot')).boundingBox();
  await page.mouse.move(plot.x + plot.width * 0.5, plot.y + plot.height / 2);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.width * 0.75, plot.y + plot.height / 2, { steps: 4 });
  await page.mouse.up();
  const manual = Number(await app.text('threshold-value', /^\d+$/));
  assert.ok(near(manual, 192, 3), `dragging to 3/4 of an 8-bit histogram gave level ${manual}`);
  assert.equal(await page.inputValue(tid('method')), 'Manual');
  assert.notEqual(await app.count({ not: count }), count);

  await page.selectOption(tid('method'), 'Local:Sauvola');
  await app.waitFor(tid('histogram-band'));
});
