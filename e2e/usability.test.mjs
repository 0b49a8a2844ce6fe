// The wrong turns a person met in an afternoon of real work (issue 18), each as they met it: a
// refused value said out loud, a demo that opens with its own settings, a label image dropped
// back, one mask for a file in two formats, the full image exported, a correction that moves
// nothing, disabled buttons that look disabled, Auto contrast on a red stain, overlapping
// numbers, the help at its top, and a skip link.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appTest, assert, dropFiles, dropPaths, fluocount, sample, tempDir, tid } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const cells = syntheticFixture({ seed: 61, cells: 20, touching: 0, name: 'cells.png' });
const crowded = syntheticFixture({ seed: 62, cells: 150, touching: 0.3, name: 'crowded.png' });

// A lab's folder: long, descriptive folder names; files that differ only at their end.
const lab = path.join(tempDir(), '2026-11-30 confocal session, slide 4 (left hemisphere)');
function makeLab() {
  const images = path.join(lab, 'region CA1 stratum pyramidale, 20x objective', 'images');
  mkdirSync(images, { recursive: true });
  for (const rep of [1, 2, 3]) copyFileSync(cells.file, path.join(images, `Mar23bS1C2R3_VLPAGr_200x_rep${rep}.png`));
}

/** The width and height in a PNG's header. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

appTest('a negative minimum area is refused out loud and the count keeps the value in use', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: cells.file }]);
  const n = await app.count();
  await page.fill(tid('min-area'), '-5');
  const message = await app.text('min-area-error');
  assert.match(message, /“-5” is not allowed here: a whole number of pixels\. The count still uses \S+\./);
  assert.equal(await page.getAttribute(tid('min-area'), 'aria-invalid'), 'true');
  assert.equal(await app.count(), n, 'the count is unchanged');
  // A valid value clears the message and counts.
  await page.fill(tid('min-area'), '40');
  await app.until('the message to go', (sel) => !document.querySelector(sel), tid('min-area-error'));
  assert.equal(await page.getAttribute(tid('min-area'), 'aria-invalid'), null);
  await app.until('min_area=40 in the parameters', (sel) => document.querySelector(sel)?.textContent.includes('min_area=40'), tid('params-text'));
});

appTest('a demo opened from the header menu has its own parameters, not the ones in use', async ({ app, page }) => {
  // From the start page's gallery: the demo as it is meant to be.
  await page.click(tid('demo-open-synth-touching'));
  const own = await app.count();
  const ownParams = await page.textContent(tid('params-text'));
  // Change a setting: the count moves.
  await app.setField('min-area', '900');
  await app.count({ not: own });
  // Another demo and back, from the header menu: the demo's own parameters and count again.
  for (const id of ['synth-sparse', 'synth-touching']) {
    await page.click(`${tid('demos-menu')} summary`);
    await page.click(tid(`demo-open-${id}`));
    await app.until(`the ${id} demo`, (id) => location.hash.includes(`demo=${id}`), id);
  }
  await app.until('the demo\'s own parameters', ({ sel, want }) => document.querySelector(sel)?.textContent === want, { sel: tid('params-text'), want: ownParams });
  assert.equal(await app.count(), own);
});

appTest('a label image dropped by itself opens as an image; one mask pairs with a file in two formats', async ({ app, page }) => {
  const png = readFileSync(cells.file);
  await dropFiles(page, null, [{ name: 'cells_labels.png', bytes: png }]);
  await app.imageItems(1);
  assert.equal(await page.$(tid('pending-mask')), null, 'nothing waits as a mask');
  // x.png and x.JPG (here both PNG bytes, named as a camera names its JPEG) and x_mask.png.
  await dropFiles(page, null, [
    { name: 'x.png', bytes: png },
    { name: 'x.JPG', bytes: png },
    { name: 'x_mask.png', bytes: readFileSync(cells.truth) },
  ]);
  await app.imageItems(3);
  await app.until('both formats to show the mask', (sel) => document.querySelectorAll(sel).length === 2, tid('item-mask'));
  assert.equal(await page.$(tid('pending-mask')), null, 'the mask matched its images');
  assert.deepEqual(await app.errorTexts(), []);
});

appTest('View PNG is the whole image at its own size, with the layers; the view is zoomed in', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: cells.file }]);
  await app.count();
  await app.setCheckbox('overlay-numbers', true);
  await app.key('+');
  await app.key('+');
  await page.$eval(tid('group-results'), (d) => { d.open = true; });
  const { name, bytes } = await app.download('export-view');
  assert.match(name, /_view\.png$/);
  assert.deepEqual(pngSize(bytes), [cells.native.width, cells.native.height]);
});

appTest('the first correction moves neither the header nor the image, and the headline is the corrected count', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: cells.file }]);
  const n = await app.count();
  const boxes = () => page.evaluate(() => ({
    header: document.querySelector('header.top').getBoundingClientRect().height,
    viewport: document.querySelector('[data-testid="viewport"]').getBoundingClientRect().top,
  }));
  const before = await boxes();
  await app.key('a');
  const box = await app.viewport();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await app.text('count-added', /^1$/);
  assert.deepEqual(await boxes(), before, 'nothing moved');
  assert.equal(await app.text('count', new RegExp(`^${n + 1}$`)), String(n + 1));
  assert.equal(await app.text('count-label'), 'Cells, corrected');
  assert.equal(await page.getAttribute(tid('count'), 'data-automatic'), String(n));
});

appTest('disabled buttons look disabled', async ({ page }) => {
  // Before any image: Train is disabled, Open images is not.
  const look = (sel) => page.$eval(sel, (el) => ({ opacity: Number(getComputedStyle(el).opacity), cursor: getComputedStyle(el).cursor, disabled: el.disabled }));
  const train = await look(tid('learn-train'));
  const open = await look('.file-picker');
  assert.equal(train.disabled, true);
  assert.ok(train.opacity <= 0.5, `a disabled button's opacity ${train.opacity}`);
  assert.equal(train.cursor, 'not-allowed');
  assert.equal(open.opacity, 1);
});

appTest('Auto contrast on a red stain keeps green and blue dark', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: sample('red/images/RT353S2C1R5_r1.png') }]);
  await app.count();
  for (const id of ['overlay-fill', 'overlay-outline']) await app.setCheckbox(id, false);
  await page.$eval(tid('group-display'), (d) => { d.open = true; });
  await page.click(tid('display-auto'));
  await app.frames(4);
  const p99 = await page.$eval(tid('viewer'), (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    return [0, 1, 2].map((k) => {
      const v = [];
      for (let i = k; i < data.length; i += 4 * 7) v.push(data[i]);
      v.sort((a, b) => a - b);
      return v[Math.floor(v.length * 0.99)];
    });
  });
  assert.ok(p99[0] > 150, `red is stretched: ${p99}`);
  assert.ok(p99[1] < 60 && p99[2] < 60, `green and blue stay dark (99th percentiles ${p99})`);
  const limits = await page.$$eval('[data-testid^="display-max-"]', (els) => els.map((e) => e.value));
  assert.equal(new Set(limits).size, 1, `one range for the three channels: ${limits}`);
});

appTest('numbers that would overlap are left out and the page says so; zoomed in they come back', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: crowded.file }]);
  await app.count();
  await app.setCheckbox('overlay-numbers', true);
  const hidden = await app.text('numbers-hidden', /\d+ numbers left out/);
  const left = Number(/(\d+) numbers/.exec(hidden)[1]);
  assert.ok(left > 0);
  for (let i = 0; i < 5; i++) await app.key('+');
  await app.until('fewer numbers left out when zoomed in', ({ sel, left }) => {
    const t = document.querySelector(sel)?.textContent;
    return t === undefined || Number(/(\d+) numbers/.exec(t)?.[1] ?? 0) < left;
  }, { sel: tid('numbers-hidden'), left });
});

appTest('the help opens at its top with its title in view', async ({ app, page }) => {
  await page.setViewportSize({ width: 1280, height: 500 });
  await dropFiles(page, null, [{ path: cells.file }]);
  await app.count();
  await app.key('?');
  await app.waitFor(tid('help'));
  const state = await page.$eval(tid('help'), (d) => {
    const title = d.querySelector('h2').getBoundingClientRect();
    const box = d.getBoundingClientRect();
    return { scrollTop: d.scrollTop, titleInside: title.top >= box.top - 1 && title.bottom <= box.bottom, focused: document.activeElement?.getAttribute('data-testid') };
  });
  assert.deepEqual(state, { scrollTop: 0, titleInside: true, focused: 'help-close' });
});

appTest('a skip link is the first stop of Tab and leads to the demos in a few more', async ({ page }) => {
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ id: document.activeElement?.getAttribute('data-testid'), top: document.activeElement?.getBoundingClientRect().top }));
  assert.equal(first.id, 'skip-link');
  assert.ok(first.top >= 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'centre');
  assert.ok(!(await page.evaluate(() => location.hash)).includes('centre'), 'the share link is not the skip link\'s target');
  let presses = 0;
  let at = '';
  while (presses < 6 && !at.startsWith('demo-open-')) {
    await page.keyboard.press('Tab');
    presses += 1;
    at = (await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) ?? '';
  }
  assert.ok(at.startsWith('demo-open-'), `a demo after ${presses} presses (at ${at})`);
});

appTest('at 1366x800 the viewer keeps its room with the objects table and Try all open', async ({ app, page }) => {
  await page.setViewportSize({ width: 1366, height: 800 });
  await dropFiles(page, null, [{ path: cells.file }]);
  await app.count();
  const height = () => page.$eval(tid('viewport'), (v) => v.getBoundingClientRect().height);
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  await app.frames(2);
  assert.ok((await height()) >= 400, `with the objects table: ${await height()} px`);
  await page.click(tid('try-all'));
  await app.waitFor(tid('try-card'), 'the Try all cards');
  await app.frames(2);
  assert.ok((await height()) >= 400, `with Try all as well: ${await height()} px`);
});

appTest('the batch table: the header over its columns, long folders give way, file names and counts in view', async ({ app, page }) => {
  await page.setViewportSize({ width: 1366, height: 800 });
  makeLab();
  await dropPaths(page, [lab]);
  await app.until('the batch to finish', (sel) => {
    const p = document.querySelector(sel);
    return p && Number(p.max) === 3 && Number(p.value) === 3;
  }, tid('batch-progress'));
  await page.$eval(tid('batch-drawer'), (d) => { d.open = true; });
  await app.frames(2);
  const layout = await page.evaluate(() => {
    const t = document.querySelector('[data-testid="batch-table"]');
    const wrap = document.querySelector('[data-testid="batch-table-wrap"]').getBoundingClientRect();
    const head = [...t.querySelectorAll('thead th')].map((e) => e.getBoundingClientRect());
    const row = t.querySelector('tbody tr[data-state="done"]');
    const cells = [...row.children].map((e) => e.getBoundingClientRect());
    const file = row.querySelector('td.name .file').getBoundingClientRect();
    const count = row.querySelector('[data-testid="batch-count"]').getBoundingClientRect();
    return {
      misaligned: head.map((h, i) => Math.abs(h.left - cells[i].left) + Math.abs(h.width - cells[i].width)).filter((d) => d > 1).length,
      fileInView: file.left >= wrap.left && file.right <= wrap.right + 1,
      countInView: count.right <= wrap.right + 1,
      tableFits: t.getBoundingClientRect().width <= wrap.width + 1,
      names: [...t.querySelectorAll('tbody td.name .file')].map((e) => e.textContent),
    };
  });
  assert.equal(layout.misaligned, 0, 'every header cell sits over its column');
  assert.ok(layout.fileInView, 'the file name is in view');
  assert.ok(layout.countInView, 'the count is in view');
  assert.ok(layout.tableFits, 'the table fits its box: no sideways scroll');
  assert.ok(layout.names.some((n) => n.endsWith('_rep1.png')), JSON.stringify(layout.names));
});

/** A little-endian, uncompressed, 8-bit grey TIFF with one page per pixel buffer (w x h each). */
function multiPageTiff(w, h, pages) {
  const entries = 9;
  const ifdSize = 2 + entries * 12 + 4;
  const pageSize = w * h + ifdSize;
  const buf = Buffer.alloc(8 + pages.length * pageSize);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  let at = 8;
  buf.writeUInt32LE(at + w * h, 4);
  pages.forEach((px, k) => {
    const data = at;
    Buffer.from(px).copy(buf, data);
    const ifd = data + w * h;
    buf.writeUInt16LE(entries, ifd);
    const tags = [[256, 3, w], [257, 3, h], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, data], [277, 3, 1], [278, 3, h], [279, 4, w * h]];
    tags.forEach(([tag, type, value], i) => {
      const e = ifd + 2 + i * 12;
      buf.writeUInt16LE(tag, e);
      buf.writeUInt16LE(type, e + 2);
      buf.writeUInt32LE(1, e + 4);
      if (type === 3) buf.writeUInt16LE(value, e + 8); else buf.writeUInt32LE(value, e + 8);
    });
    const next = k + 1 < pages.length ? ifd + ifdSize + w * h : 0;
    buf.writeUInt32LE(next, ifd + 2 + entries * 12);
    at = ifd + ifdSize;
  });
  return buf;
}

/** A w x h grey picture of `n` bright cells (soft-edged, about 30 px across) on a dark, noisy field. */
function discs(w, h, n) {
  const px = new Uint8Array(w * h);
  let r = 12345;
  const noise = () => ((r = (r * 1103515245 + 12345) % 2147483648) % 13);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 12 + noise();
      for (let d = 0; d < n; d++) {
        const [cx, cy] = [[45, 40], [160, 62], [252, 45], [82, 142], [205, 150], [128, 108]][d];
        v += 180 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 11 * 11));
      }
      px[y * w + x] = Math.min(255, Math.round(v));
    }
  }
  return px;
}

appTest('a multi-page TIFF: choose the page in the image list, and it is counted as the CLI counts that page', async ({ app, page }) => {
  const [w, h] = [300, 200];
  const tif = path.join(tempDir(), 'stack.tif');
  writeFileSync(tif, multiPageTiff(w, h, [discs(w, h, 0), discs(w, h, 6), discs(w, h, 3)]));
  const native = async (p) => {
    const rows = (await fluocount(['count', '--page', String(p), tif])).split('\n');
    const row = rows.find((l) => l.startsWith(`${tif},`));
    return Number(row.split(',').at(-3));
  };
  const want = [await native(1), await native(2), await native(3)];
  assert.ok(want[1] > want[2] && want[2] > 0, `the pages differ: ${want}`);
  await dropFiles(page, null, [{ path: tif }]);
  assert.equal(await app.count(), want[0]);
  assert.match(await page.textContent(`${tid('image-item')} .desc`), /a multi-page TIFF of 3 pages: only page 1 is counted/);
  for (const p of [2, 3]) {
    await page.selectOption(tid('item-page'), String(p));
    await app.until(`page ${p} shown`, ({ sel, p }) => document.querySelector(sel)?.value === String(p), { sel: tid('item-page'), p });
    await app.until(`page ${p}'s count`, ({ sel, n }) => document.querySelector(sel)?.textContent.trim() === String(n), { sel: tid('count'), n: want[p - 1] });
    assert.match(await page.textContent(`${tid('image-item')} .desc`), new RegExp(`page ${p} of 3 is counted`));
    assert.equal(await page.$$eval(tid('image-item'), (e) => e.length), 1, 'the page takes the image\'s place');
  }
});
