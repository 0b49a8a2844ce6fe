// Batch runs: a dataset folder (images/ and masks/) picked with the folder input, or many files
// dropped, counted in the worker pool; the table, progress, pooled scores, CSV, cancel, a broken
// file, a parameter change and opening a row in the viewer.

import { copyFileSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { appTest, assert, before, dropFiles, dropPaths, nativeCount, synth, tempDir, tid } from './helpers.mjs';

const dir = tempDir();
const folder = path.join(dir, 'dataset');
const fx = { images: [] };
const many = path.join(dir, 'many');

before(async () => {
  mkdirSync(path.join(folder, 'images'), { recursive: true });
  mkdirSync(path.join(folder, 'masks'), { recursive: true });
  for (const [seed, cells] of [[21, 12], [22, 18], [23, 9], [24, 15]]) {
    const file = path.join(folder, 'images', `cells-${seed}.png`);
    const truth = path.join(dir, `truth-${seed}.png`);
    const n = await synth({ out: file, truth, seed, cells, touching: 0.2 });
    // Three of the four get their mask, by the dataset's layout.
    if (seed !== 24) copyFileSync(truth, path.join(folder, 'masks', `cells-${seed}.png`));
    fx.images.push({ name: `cells-${seed}.png`, file, cells: n, native: await nativeCount(file), masked: seed !== 24 });
  }
  // A truncated PNG among them, and a stray text file (skipped).
  const bytes = readFileSync(fx.images[0].file);
  writeFileSync(path.join(folder, 'images', 'broken.png'), bytes.subarray(0, 4000));
  writeFileSync(path.join(folder, 'README.txt'), 'not an image');
  // A folder with more files than the page asks for at once (48): two images and 60 notes.
  mkdirSync(path.join(many, 'images'), { recursive: true });
  mkdirSync(path.join(many, 'notes'), { recursive: true });
  for (const im of fx.images.slice(0, 2)) copyFileSync(im.file, path.join(many, 'images', im.name));
  for (let i = 0; i < 60; i++) writeFileSync(path.join(many, 'notes', `note-${String(i).padStart(2, '0')}.txt`), `note ${i}`);
  // A small image for the many-files drop (the drop passes every file through the page).
  fx.small = path.join(dir, 'small.png');
  await synth({ out: fx.small, seed: 30, cells: 4, extra: ['--width', '400', '--height', '300'] });
  fx.smallNative = await nativeCount(fx.small);
});

/** Waits for the batch progress to reach its end; resolves to {value, max}. */
function finished(app) {
  return app.until('the batch progress to reach 100 %', (sel) => {
    const p = document.querySelector(sel);
    return p && Number(p.max) > 0 && Number(p.value) === Number(p.max) ? { value: Number(p.value), max: Number(p.max) } : false;
  }, tid('batch-progress'));
}

/** The rows of the batch table: {name, state, count, truth, f1, error}. */
function rows(page) {
  return page.$$eval('[data-testid="batch-row"]', (trs) => trs.map((tr) => ({
    name: tr.querySelectorAll('td')[1]?.textContent.trim(),
    state: tr.getAttribute('data-state'),
    count: tr.querySelector('[data-testid="batch-count"]')?.textContent.trim(),
    truth: tr.querySelector('[data-testid="batch-true"]')?.textContent.trim(),
    f1: tr.querySelector('[data-testid="batch-f1"]')?.textContent.trim(),
    error: tr.querySelector('[data-testid="batch-error"]')?.textContent.trim(),
    thumb: tr.querySelector('img')?.naturalWidth ?? 0,
    // Drawn: the thumbnail's pixels are not all one colour (objects over the image).
    drawn: (() => {
      const img = tr.querySelector('img');
      if (!img?.complete || !img.naturalWidth) return false;
      const c = document.createElement('canvas');
      [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < d.length; i += 4 * 37) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return d[3] === 255 && colours.size > 10;
    })(),
  })));
}

appTest('a dataset folder: rows stream in, masks pair, the broken file shows its error, CSV and viewer', async ({ page, app }) => {
  await page.click(`${tid('batch-drawer')} summary`);
  await page.setInputFiles(tid('batch-folder-input'), folder);
  const end = await finished(app);
  assert.equal(end.max, 5, 'four images and the broken file; README.txt and the masks are not rows');
  await app.until('thumbnails to load', () =>
    [...document.querySelectorAll('[data-testid="batch-row"][data-state="done"] img')].every((i) => i.complete && i.naturalWidth > 0));
  const got = await rows(page);
  assert.equal(got.length, 5);
  for (const im of fx.images) {
    const row = got.find((r) => r.name.endsWith(im.name));
    assert.ok(row, `a row for ${im.name}`);
    assert.equal(row.state, 'done');
    assert.equal(Number(row.count), im.native.count, `${im.name}: the batch count is the native CLI's`);
    assert.equal(row.thumb, 80, 'an 80 px thumbnail: 80 CSS pixels at a device pixel ratio of 1');
    assert.ok(row.drawn, `${im.name}: the thumbnail is drawn`);
    if (im.masked) {
      assert.equal(Number(row.truth), im.cells, `${im.name}: the true count comes from its mask`);
      assert.match(row.f1, /^\d\.\d{3}$/);
    } else {
      assert.equal(row.truth, '', 'no mask, no score');
    }
  }
  const broken = got.find((r) => r.name.endsWith('broken.png'));
  assert.equal(broken.state, 'error');
  assert.match(broken.error, /truncated|ends|corrupt/i);
  assert.match(await page.textContent(tid('batch-notice')), /1 files? that are not PNG, JPEG or TIFF by name/);
  assert.equal(await page.textContent(tid('batch-counted')), '4');
  assert.equal(await page.textContent(tid('batch-failed')), '1');
  const total = fx.images.reduce((s, im) => s + im.native.count, 0);
  assert.equal(Number(await page.textContent(tid('batch-total'))), total);
  assert.match(await page.textContent(tid('batch-pooled')), /pooled over 3 images with masks/);

  const csv = (await app.download('batch-export')).bytes.toString();
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^# fluocount \d+\.\d+\.\d+$/);
  assert.match(lines[1], /^# parameters: /);
  assert.match(lines[2], /^Image,Mask,Status,/);
  assert.equal(lines.filter((l) => /^dataset\/images\//.test(l)).length, 5);
  assert.ok(lines.some((l) => l.includes('broken.png') && l.includes(',error,')));
  assert.ok(lines.some((l) => l.startsWith('# pooled over 3 images with masks')));

  // Open one in the viewer: it is read again and counted the same.
  const k = got.findIndex((r) => r.name.endsWith(fx.images[1].name));
  await page.click(`[data-testid="batch-row"]:nth-child(${k + 1}) ${tid('batch-open')}`);
  assert.equal(await app.count(), fx.images[1].native.count);
  await app.until('its mask to pair in the viewer', (sel) => !!document.querySelector(sel), tid('m-true'));
});

appTest('many dropped files go to the batch; cancel stops it; a parameter change re-runs it', async ({ page, app }) => {
  const small = readFileSync(fx.small);
  const files = Array.from({ length: 26 }, (_, i) => ({ name: `copy-${String(i).padStart(2, '0')}.png`, bytes: small }));
  await dropFiles(page, null, files);
  await app.until('the batch drawer to open', (sel) => document.querySelector(sel)?.open, tid('batch-drawer'));
  const dropped = await finished(app);
  assert.equal(dropped.max, 26);
  assert.equal(await page.textContent(tid('batch-counted')), '26');
  assert.equal(Number(await page.textContent(tid('batch-total'))), 26 * fx.smallNative.count);
  assert.ok((await rows(page)).every((r) => r.state === 'done' && Number(r.count) === fx.smallNative.count));
  assert.equal(await page.$$eval('[data-testid="image-item"]', (e) => e.length), 0, 'the viewer got none of them');

  // 30 full-size files picked: cancel after the first result.
  const big = Array.from({ length: 30 }, (_, i) => {
    const p = path.join(dir, `big-${String(i).padStart(2, '0')}.png`);
    copyFileSync(fx.images[0].file, p);
    return p;
  });
  await page.setInputFiles(tid('batch-files-input'), big);
  await app.until('a first result', () => document.querySelector('[data-testid="batch-row"][data-state="done"]'));
  await page.click(tid('batch-cancel'));
  const stopped = Number(await page.getAttribute(tid('batch-progress'), 'value'));
  assert.ok(stopped < 30, `cancel stopped the run (${stopped} of 30)`);
  await page.waitForTimeout(1500);
  assert.equal(Number(await page.getAttribute(tid('batch-progress'), 'value')), stopped, 'nothing more arrives after cancel');
  assert.match(await page.textContent(tid('batch-notice')), /Cancelled: \d+ of 30/);

  // Run again to the end, then change a parameter: the batch re-runs with it.
  await page.click(tid('batch-rerun'));
  await finished(app);
  const before = await rows(page);
  assert.ok(before.every((r) => r.state === 'done' && Number(r.count) === fx.images[0].native.count));
  assert.equal(await page.textContent(tid('batch-counted')), '30');
  const total = Number(await page.textContent(tid('batch-total')));
  assert.equal(total, 30 * fx.images[0].native.count);
  await page.selectOption(tid('method'), 'Otsu');
  await app.until('the re-run to finish with other counts', ({ sel, counted, total, old }) => {
    const p = document.querySelector(sel);
    return p && Number(p.value) === Number(p.max) && document.querySelector(counted)?.textContent === '30' &&
      Number(document.querySelector(total)?.textContent) !== old;
  }, { sel: tid('batch-progress'), counted: tid('batch-counted'), total: tid('batch-total'), old: total });
  const csv = (await app.download('batch-export')).bytes.toString();
  assert.match(csv, /# parameters: v=3&channel=yellow.*method=Otsu/);
  assert.equal(csv.split('\n').filter((l) => /^big-\d\d\.png,,ok,/.test(l) && l.includes('method=Otsu')).length, 30);
});

appTest('a folder dropped from the disk: its images and masks are found and paired', async ({ page, app }) => {
  await page.click(`${tid('batch-drawer')} summary`);
  await dropPaths(page, [folder]);
  const end = await finished(app);
  assert.equal(end.max, 5, 'four images and the broken file, found in the folder and its subfolders');
  const got = await rows(page);
  for (const im of fx.images) {
    const row = got.find((r) => r.name === `dataset/images/${im.name}`);
    assert.ok(row, `a row for dataset/images/${im.name} (the path inside the drop)`);
    assert.equal(Number(row.count), im.native.count);
    if (im.masked) assert.equal(Number(row.truth), im.cells, `${im.name}: paired with its mask`);
  }
  assert.equal(got.find((r) => r.name.endsWith('broken.png'))?.state, 'error');
  assert.match(await page.textContent(tid('batch-pooled')), /pooled over 3 images with masks/);
  assert.match(await page.textContent(tid('batch-notice')), /1 files? that are not PNG, JPEG or TIFF by name/);
  // A folder of 62 files: every one is found (48 asked for at a time), the notes skipped.
  await dropPaths(page, [many]);
  await app.until('the second folder to be counted', (sel) => /60 files that are not PNG, JPEG or TIFF by name/.test(document.querySelector(sel)?.textContent ?? ''), tid('batch-notice'));
  assert.equal((await finished(app)).max, 2);
});

/**
 * Puts the files under `root` into the page's origin-private file system (a real directory
 * handle, as the browser's folder dialog gives one) and has `showDirectoryPicker` answer with it.
 */
async function stubDirectoryPicker(page, root) {
  const files = [];
  const walk = (d, rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), [...rel, e.name]);
      else files.push({ path: [...rel, e.name], b64: readFileSync(path.join(d, e.name)).toString('base64') });
    }
  };
  walk(root, []);
  await page.evaluate(async ({ name, files }) => {
    const opfs = await navigator.storage.getDirectory();
    await opfs.removeEntry(name, { recursive: true }).catch(() => {});
    const top = await opfs.getDirectoryHandle(name, { create: true });
    for (const f of files) {
      let d = top;
      for (const part of f.path.slice(0, -1)) d = await d.getDirectoryHandle(part, { create: true });
      const w = await (await d.getFileHandle(f.path.at(-1), { create: true })).createWritable();
      await w.write(Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0)));
      await w.close();
    }
    window.__pickerCalls = 0;
    window.showDirectoryPicker = async () => { window.__pickerCalls++; return top; };
  }, { name: path.basename(root), files });
}

appTest('a folder picked in the browser\'s folder dialog is walked through its handle', async ({ page, app }) => {
  await page.click(`${tid('batch-drawer')} summary`);
  // The tools are buttons: no file input shows its own widget.
  assert.equal(await page.$eval(tid('batch-files-input'), (i) => getComputedStyle(i).opacity), '0');
  assert.equal(await page.isHidden(tid('batch-folder-input')), true);
  const [folderBox, filesBox] = [await page.locator(tid('batch-folder')).boundingBox(), await page.locator(tid('batch-files-input')).locator('..').boundingBox()];
  assert.equal(Math.round(filesBox.height), Math.round(folderBox.height), 'the files button is as high as the folder button');
  await stubDirectoryPicker(page, folder);
  await page.click(tid('batch-folder'));
  const end = await finished(app);
  assert.equal(await page.evaluate(() => window.__pickerCalls), 1);
  assert.equal(end.max, 5, 'four images and the broken file, found in the folder and its subfolders');
  const got = await rows(page);
  for (const im of fx.images) {
    const row = got.find((r) => r.name === `dataset/images/${im.name}`);
    assert.ok(row, `a row for dataset/images/${im.name} (the path inside the folder)`);
    assert.equal(row.state, 'done');
    assert.equal(Number(row.count), im.native.count, `${im.name}: the batch count is the native CLI's`);
    if (im.masked) assert.equal(Number(row.truth), im.cells, `${im.name}: paired with its mask`);
    else assert.equal(row.truth, '');
  }
  assert.equal(got.find((r) => r.name.endsWith('broken.png'))?.state, 'error');
  assert.match(await page.textContent(tid('batch-pooled')), /pooled over 3 images with masks/);
  assert.match(await page.textContent(tid('batch-notice')), /1 files? that are not PNG, JPEG or TIFF by name/);

  // A folder of 62 files: every one is found (48 asked for at a time), the notes skipped.
  await stubDirectoryPicker(page, many);
  await page.click(tid('batch-folder'));
  await app.until('the second folder to be counted', (sel) => /60 files that are not PNG, JPEG or TIFF by name/.test(document.querySelector(sel)?.textContent ?? ''), tid('batch-notice'));
  assert.equal((await finished(app)).max, 2);
  await stubDirectoryPicker(page, folder);
  await page.click(tid('batch-folder'));
  await app.until('the first folder again', (sel) => /^1 files? that are not PNG/.test(document.querySelector(sel)?.textContent ?? ''), tid('batch-notice'));
  assert.equal((await finished(app)).max, 5);

  // A closed dialog changes nothing; a refusal says why; without the API the folder input opens.
  await page.evaluate(() => {
    window.showDirectoryPicker = async () => { throw new DOMException('The user aborted a request.', 'AbortError'); };
  });
  await page.click(tid('batch-folder'));
  await page.waitForTimeout(300);
  assert.equal((await rows(page)).length, 5, 'the table is kept');
  assert.doesNotMatch(await page.textContent(tid('batch-notice')), /could not be opened/);
  // While the dialog is open (or the folder read) the button waits; an empty folder says so.
  await page.evaluate(async () => {
    const empty = await (await navigator.storage.getDirectory()).getDirectoryHandle('empty', { create: true });
    window.showDirectoryPicker = () => new Promise((resolve) => { window.__answer = () => resolve(empty); });
  });
  await page.click(tid('batch-folder'));
  await app.until('the button to wait', (sel) => document.querySelector(sel)?.disabled, tid('batch-folder'));
  assert.match(await page.textContent(tid('batch-folder')), /Reading the folder/);
  await page.evaluate(() => window.__answer());
  await app.until('the empty folder to be named', (sel) => /The folder holds no files/.test(document.querySelector(sel)?.textContent ?? ''), tid('batch-notice'));
  assert.equal(await page.isDisabled(tid('batch-folder')), false);
  assert.match(await page.textContent(tid('batch-folder')), /Count a folder/);
  assert.equal((await rows(page)).length, 5, 'the table is kept');
  await page.evaluate(() => {
    window.showDirectoryPicker = async () => { throw new DOMException('Too sensitive', 'SecurityError'); };
  });
  await page.click(tid('batch-folder'));
  await app.until('the refusal to show', (sel) => /could not be opened \(SecurityError: Too sensitive\); dropping it on the page counts it too/.test(document.querySelector(sel)?.textContent ?? ''), tid('batch-notice'));
  assert.equal((await rows(page)).length, 5, 'the table is kept');
  await page.evaluate(() => Object.defineProperty(window, 'showDirectoryPicker', { value: undefined, configurable: true }));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click(tid('batch-folder'))]);
  assert.ok(chooser.isMultiple(), 'the folder input opened');
});

appTest('a long batch table lays out only the rows in view and scrolls to the last', async ({ page, app }) => {
  const n = 120;
  const picked = Array.from({ length: n }, (_, i) => {
    const p = path.join(dir, `many-${String(i).padStart(3, '0')}.png`);
    copyFileSync(fx.small, p);
    return p;
  });
  await page.click(`${tid('batch-drawer')} summary`);
  await page.setInputFiles(tid('batch-files-input'), picked);
  await finished(app);
  assert.equal(await page.textContent(tid('batch-counted')), String(n));
  const layout = () => page.$eval(tid('batch-table-wrap'), (wrap) => {
    const trs = [...wrap.querySelectorAll('[data-testid="batch-row"]')];
    const top = wrap.getBoundingClientRect().top;
    const bottom = wrap.getBoundingClientRect().bottom;
    const inView = trs.filter((tr) => {
      const r = tr.getBoundingClientRect();
      return r.bottom > top + 30 && r.top < bottom;
    });
    return {
      rows: trs.length,
      heights: [...new Set(trs.map((tr) => Math.round(tr.getBoundingClientRect().height)))],
      names: inView.map((tr) => tr.querySelectorAll('td')[1].textContent.trim()),
      scrollHeight: wrap.scrollHeight,
      rowcount: wrap.querySelector('table').getAttribute('aria-rowcount'),
    };
  });
  const first = await layout();
  assert.ok(first.rows < n / 2, `only the rows near the view are in the page (${first.rows} of ${n})`);
  assert.deepEqual(first.heights, [66], 'every row is 66 px high, as the spacers assume');
  assert.equal(first.names[0], 'many-000.png');
  assert.equal(first.rowcount, String(n + 1), 'aria-rowcount: every row and the header');
  assert.ok(first.scrollHeight >= n * 66, `the table scrolls over all ${n} rows (${first.scrollHeight} px)`);
  // Scroll to the end, as a person drags the scroll bar: the last rows are there, in order.
  await page.$eval(tid('batch-table-wrap'), (wrap) => { wrap.scrollTop = wrap.scrollHeight; });
  await app.until('the last row to be laid out', (sel) =>
    [...document.querySelectorAll(sel)].some((tr) => tr.querySelectorAll('td')[1]?.textContent.trim() === 'many-119.png'),
  '[data-testid="batch-row"]');
  const last = await layout();
  assert.ok(last.rows < n / 2);
  assert.equal(last.names.at(-1), 'many-119.png', 'the last row is in view at the bottom');
  const k = Number(last.names[0].slice(5, 8));
  assert.deepEqual(last.names, Array.from({ length: last.names.length }, (_, i) => `many-${String(k + i).padStart(3, '0')}.png`));
  // Halfway: the rows there, with their counts.
  await page.$eval(tid('batch-table-wrap'), (wrap) => { wrap.scrollTop = 60 * 66; });
  await app.until('row 60 to be laid out', (sel) =>
    [...document.querySelectorAll(sel)].some((tr) => tr.querySelectorAll('td')[1]?.textContent.trim() === 'many-060.png'),
  '[data-testid="batch-row"]');
  const mid = await rows(page);
  assert.ok(mid.every((r) => r.state === 'done' && Number(r.count) === fx.smallNative.count));
  // The table scrolls inside its drawer: the page itself never scrolls, with the objects drawer
  // open too and at a narrow window, and the table keeps at least two rows in view.
  const fits = () => page.evaluate(() => ({
    page: document.documentElement.scrollHeight - innerHeight,
    viewer: Math.round(document.querySelector('.viewer').getBoundingClientRect().height),
    table: Math.round(document.querySelector('[data-testid="batch-table-wrap"]').getBoundingClientRect().height),
  }));
  const alone = await fits();
  assert.equal(alone.page, 0, 'the page is exactly the window high');
  assert.ok(alone.viewer >= 100 && alone.table >= 150, `viewer ${alone.viewer} px, table ${alone.table} px`);
  await page.click(`${tid('objects-drawer')} summary`);
  const both = await fits();
  assert.equal(both.page, 0, 'the page is exactly the window high with both drawers open');
  assert.ok(both.table >= 150, `the table keeps ${both.table} px`);
  await page.click(`${tid('objects-drawer')} summary`);
  await page.setViewportSize({ width: 900, height: 700 });
  const narrow = await fits();
  assert.equal(narrow.page, 0, 'and at a narrow window');
  assert.ok(narrow.viewer >= 50 && narrow.table >= 150, `narrow: viewer ${narrow.viewer} px, table ${narrow.table} px`);
  // The rows in view are still there after the drawer is closed and opened again.
  await page.click(`${tid('batch-drawer')} summary`);
  await page.click(`${tid('batch-drawer')} summary`);
  await app.until('rows in view after reopening', (sel) => {
    const wrap = document.querySelector(sel);
    const top = wrap.getBoundingClientRect().top;
    return [...wrap.querySelectorAll('[data-testid="batch-row"]')].some((tr) => {
      const r = tr.getBoundingClientRect();
      return r.bottom > top + 30 && r.top < wrap.getBoundingClientRect().bottom;
    });
  }, tid('batch-table-wrap'));
});
