// The bad-input corpus (tests/data/bad, made by tests/bad_inputs.rs) dropped into the page with
// good images, as a person clearing out a folder would: every good image is counted as the native
// command line counts it, every bad file is named with its reason, and the page reports no error.

import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, appTest, assert, before, dropPaths, synth, tempDir, tid } from './helpers.mjs';

const CORPUS = path.join(REPO_ROOT, 'tests', 'data', 'bad');
const dir = tempDir();
/** name -> {count} or {error}, from the native command line. */
const native = new Map();
let files = [];

/** Runs the native CLI on `paths`; resolves to {stdout, stderr} whatever its exit status. */
function countNatively(paths) {
  return new Promise((resolve, reject) => {
    execFile(
      'cargo',
      ['run', '--quiet', '--release', '--bin', 'fluocount', '--', 'count', '--', ...paths],
      { cwd: REPO_ROOT, timeout: 10 * 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => (err && err.code === undefined ? reject(err) : resolve({ stdout, stderr })),
    );
  });
}

/** The records of a CSV text (RFC 4180 quoting); lines starting with # are comments. */
function parseCsv(text) {
  const records = [];
  let field = '';
  let record = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      if (!record[0].startsWith('#')) records.push(record);
      [record, field] = [[], ''];
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (field !== '' || record.length) records.push([...record, field]);
  return records;
}

before(async () => {
  for (const name of readdirSync(CORPUS)) {
    if (name === 'README.md') continue;
    copyFileSync(path.join(CORPUS, name), path.join(dir, name));
    files.push(name);
  }
  for (const seed of [41, 42]) {
    const name = `good-${seed}.png`;
    await synth({ out: path.join(dir, name), seed, cells: 9, extra: ['--width', '400', '--height', '300'] });
    files.push(name);
  }
  files.sort();
  const { stdout, stderr } = await countNatively(files.map((f) => path.join(dir, f)));
  for (const f of files) {
    const p = path.join(dir, f);
    const row = stdout.split('\n').find((l) => l.startsWith(`${p},`));
    const error = stderr.split('\n').find((l) => l.startsWith(`${p}: `));
    if (row) {
      const cells = row.split(',');
      native.set(f, { count: Number(cells[cells.length - 3]) });
    } else if (error) {
      native.set(f, { error: error.slice(p.length + 2) });
    } else {
      throw new Error(`the native CLI said nothing about ${f}:\n${stdout}\n${stderr}`);
    }
  }
  assert.ok(files.length >= 62, `${files.length} files`);
  assert.ok([...native.values()].filter((v) => 'error' in v).length >= 40, 'most of the corpus is refused');
});

appTest('the whole corpus with two good images, dropped as a batch: counts match the CLI, every bad file has its reason', async ({ page, app }) => {
  await dropPaths(page, files.map((f) => path.join(dir, f)));
  await app.until('the batch drawer to open', (sel) => document.querySelector(sel)?.open, tid('batch-drawer'));
  const end = await app.until('the batch progress to reach 100 %', (sel) => {
    const p = document.querySelector(sel);
    return p && Number(p.max) > 0 && Number(p.value) === Number(p.max) ? Number(p.max) : false;
  }, tid('batch-progress'));
  assert.equal(end, files.length, 'every dropped file is a row');
  // The table shows only the rows in view; the CSV has them all.
  const csv = parseCsv((await app.download('batch-export')).bytes.toString('utf8'));
  const header = csv.find((r) => r[0] === 'Image');
  const col = (name) => header.indexOf(name);
  const got = csv
    .filter((r) => r.length === header.length && r !== header)
    .map((r) => ({
      // A name that a spreadsheet would read as a formula is written with a leading quote.
      name: r[col('Image')].replace(/^'(?=[=+\-@])/, ''),
      state: r[col('Status')] === 'ok' ? 'done' : 'error',
      count: r[col('Count')],
      error: r[col('Error')],
      note: r[col('Note')],
    }));
  assert.equal(got.length, files.length, 'a CSV row a file');
  const wrong = [];
  for (const f of files) {
    const row = got.find((r) => r.name === f);
    const want = native.get(f);
    if (!row) {
      wrong.push(`${f}: no row`);
    } else if ('count' in want) {
      if (row.state !== 'done' || Number(row.count) !== want.count) {
        wrong.push(`${f}: native counts ${want.count}, the page ${row.state} ${row.count ?? row.error}`);
      }
    } else if (row.state !== 'error' || !(row.error?.length > 10)) {
      wrong.push(`${f}: native refuses (${want.error}), the page ${row.state} ${row.count ?? row.error}`);
    }
  }
  assert.deepEqual(wrong, []);
  // Only the first page of a multi-page TIFF is counted, and its row says so; no other row has a note.
  assert.deepEqual(
    got.filter((r) => r.note).map((r) => [r.name, r.note]),
    [['tiff-multipage.tif', 'a multi-page TIFF of 3 pages: only page 1 is counted']],
  );
  const refused = [...native.values()].filter((v) => 'error' in v).length;
  assert.equal(Number(await page.textContent(tid('batch-failed'))), refused);
  assert.equal(Number(await page.textContent(tid('batch-counted'))), files.length - refused);
  // The markup in a file's name is shown as text, not made into an element.
  assert.equal(await page.$$eval('[data-testid="batch-table"] b', (b) => b.length), 0);
});

appTest('twenty bad files and three good ones dropped on the viewer: all counted (a multi-page TIFF with a note), each bad one named', async ({ page, app }) => {
  const bad = files.filter((f) => 'error' in native.get(f)).slice(0, 20);
  const good = ['good-41.png', 'good-42.png', 'tiff-multipage.tif'];
  const picked = [good[0], ...bad.slice(0, 10), good[1], ...bad.slice(10), good[2]];
  await dropPaths(page, picked.map((f) => path.join(dir, f)));
  for (const f of bad) {
    const message = await app.errorMentioning(f);
    assert.ok(message.length > f.length + 10, `${f}: a reason after the name: ${message}`);
  }
  const counts = await app.until(
    'three image items with an integer count',
    (sel) => {
      const c = [...document.querySelectorAll(sel)].map((e) => e.getAttribute('data-count'));
      return c.length === 3 && c.every((v) => /^\d+$/.test(v ?? '')) ? c.map(Number) : false;
    },
    tid('image-item'),
  );
  assert.deepEqual(counts.sort(), good.map((g) => native.get(g).count).sort());
  // The multi-page TIFF's item says that only its first page is counted.
  const descriptions = await page.$$eval(`${tid('image-item')} .desc`, (d) => d.map((x) => x.textContent));
  assert.equal(descriptions.filter((d) => d.includes('a multi-page TIFF of 3 pages: only page 1 is counted')).length, 1, JSON.stringify(descriptions));
  const texts = await page.$$eval(tid('error'), (e) => e.map((x) => x.textContent));
  assert.equal(texts.length, bad.length, `one message a bad file: ${JSON.stringify(texts)}`);
});
