// Shared harness of the end-to-end tests: serve dist/, drive Debian's Chromium with playwright-core,
// fail on any page error, act as a person does (drop files, pick files, move the slider), and run
// the native command line for the expected answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, watchErrors } from './browser.mjs';
import { REPO_ROOT } from './native.mjs';
import { serve } from './serve.mjs';

export * from './native.mjs';
export { CHROMIUM, CHROMIUM_ARGS, dropPaths, launchBrowser, watchErrors } from './browser.mjs';

export const DIST_DIR = process.env.FLUOCOUNT_DIST ?? path.join(REPO_ROOT, 'dist');

/** How long any single wait for the app may take before the test fails. */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS ?? 30_000);

/** The `data-testid` selector of a hook. */
export const tid = (id) => `[data-testid="${id}"]`;

// ---------------------------------------------------------------------------------------------
// Server and browser

let server;

/** Starts (once per test file) the static server on dist/; fails clearly if there is no build. */
async function appServer() {
  if (!server) {
    if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
      throw new Error(`${DIST_DIR}/index.html is missing: build the app first (trunk build --release, or make test)`);
    }
    server = await serve(DIST_DIR, { port: 0 });
  }
  return server;
}

after(async () => {
  await server?.close();
  server = undefined;
});

/**
 * Declares a test that gets a fresh browser on the served app. `fn({page, app, errors})` runs
 * after the page has loaded; the test fails if the page reported any error (pageerror or console
 * error), also when `fn` itself passed. `options.allow` lists RegExps of tolerated messages;
 * `options.init` is a function run in the page before its own scripts (`page.addInitScript`).
 */
export function appTest(name, fn, options = {}) {
  return test(name, { timeout: options.timeout ?? 5 * 60_000 }, async (t) => {
    const srv = await appServer();
    const browser = await launchBrowser({ defaultTimeout: WAIT_MS });
    try {
      const page = await browser.context.newPage();
      const { errors, failed } = watchErrors(page, options);
      const app = new App(page, failed, errors);
      let failure;
      try {
        if (options.init) await page.addInitScript(options.init);
        await page.goto(srv.url, { waitUntil: 'load', timeout: WAIT_MS });
        await app.ready();
        await fn({ page, app, errors, t });
      } catch (e) {
        failure = e;
      }
      if (failure) {
        if (errors.length && !String(failure.message).includes(errors[0])) {
          failure.message += `\npage errors:\n  ${errors.join('\n  ')}`;
        }
        throw failure;
      }
      assert.deepEqual(errors, [], 'the page reported errors');
    } finally {
      await browser.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Acting on the app

const MIME_BY_EXT = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.txt': 'text/plain',
};

async function fileSpec(f) {
  const bytes = f.bytes !== undefined ? Buffer.from(f.bytes) : await readFile(f.path);
  const name = f.name ?? path.basename(f.path);
  const type = f.type ?? MIME_BY_EXT[path.extname(name).toLowerCase()] ?? '';
  return { name, type, bytes };
}

/**
 * Drops files on the drop zone the way a browser does after a real drag: a `DataTransfer` is built
 * inside the page and `dragenter`, `dragover` and `drop` are dispatched on `selector`
 * (default `[data-testid="dropzone"]`). `files` is a list of `{name, path | bytes, type}`.
 */
export async function dropFiles(page, selector, files) {
  selector ??= tid('dropzone');
  const specs = await Promise.all(files.map(fileSpec));
  await page.waitForSelector(selector, { state: 'attached', timeout: WAIT_MS });
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const { name, type, b64 } of list) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], name, { type }));
    }
    return dt;
  }, specs.map((s) => ({ name: s.name, type: s.type, b64: s.bytes.toString('base64') })));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent(selector, type, { dataTransfer });
  }
  await dataTransfer.dispose();
}

/**
 * Clears what the page keeps in this browser (its IndexedDB), as the browser's "clear site data"
 * does: the open page's connection is closed. Reload afterwards for a page with nothing kept.
 */
export async function clearKeptWork(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(page.url()).origin, storageTypes: 'indexeddb' });
  } finally {
    await cdp.detach();
  }
}

/** Picks files with the file input (`data-testid="file-input"`), as the file dialog would. */
export async function pickFiles(page, files) {
  const specs = await Promise.all(files.map(fileSpec));
  await page.setInputFiles(
    tid('file-input'),
    specs.map((s) => ({ name: s.name, mimeType: s.type || 'application/octet-stream', buffer: s.bytes })),
  );
}

/** Test-side view of the app: waits that fail clearly, and readers of the hooks. */
export class App {
  constructor(page, failed, errors) {
    this.page = page;
    this.failed = failed;
    this.errors = errors;
  }

  /** Runs `promise` but stops at the first page error; `what` names the wait in a timeout. */
  async guard(what, promise) {
    try {
      return await Promise.race([promise, this.failed]);
    } catch (e) {
      if (e?.name === 'TimeoutError') {
        throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}`, { cause: e });
      }
      throw e;
    }
  }

  /** Waits until the app has mounted (its drop zone exists). */
  ready() {
    return this.guard(
      'the app to mount ([data-testid="dropzone"]); is dist/ a build of the app with its test hooks?',
      this.page.waitForSelector(tid('dropzone'), { state: 'attached', timeout: WAIT_MS }),
    );
  }

  /** Waits for `selector` to be attached. */
  waitFor(selector, what = selector) {
    return this.guard(what, this.page.waitForSelector(selector, { state: 'attached', timeout: WAIT_MS }));
  }

  /** Waits for `pred(arg)` to be truthy in the page; resolves to its value. */
  async until(what, pred, arg, timeout = WAIT_MS) {
    const handle = await this.guard(what, this.page.waitForFunction(pred, arg, { timeout, polling: 50 }));
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  }

  /** Waits until `[data-testid="count"]` shows an integer (other than `not`); resolves to it. */
  count({ not } = {}) {
    const what = not === undefined
      ? 'an integer in [data-testid="count"]'
      : `[data-testid="count"] to change from ${not}`;
    return this.until(
      what,
      ({ sel, not }) => {
        const el = document.querySelector(sel);
        const text = el?.textContent.trim() ?? '';
        if (!/^\d+$/.test(text)) return false;
        const n = Number(text);
        return n === not ? false : { n };
      },
      { sel: tid('count'), not },
    ).then((v) => v.n);
  }

  /** Waits for `n` image items; resolves to their `data-count` values (null while missing). */
  async imageItems(n) {
    return this.until(
      `${n} [data-testid="image-item"] elements`,
      ({ sel, n }) => {
        const items = [...document.querySelectorAll(sel)];
        return items.length >= n ? { counts: items.map((e) => e.getAttribute('data-count')) } : false;
      },
      { sel: tid('image-item'), n },
    ).then((v) => v.counts);
  }

  /** Waits for an error message (`[data-testid="error"]`) whose text contains `text`. */
  async errorMentioning(text) {
    return this.until(
      `a [data-testid="error"] mentioning ${text}`,
      ({ sel, text }) => {
        const all = [...document.querySelectorAll(sel)].map((e) => e.textContent);
        const hit = all.find((t) => t.includes(text));
        return hit === undefined ? false : { hit };
      },
      { sel: tid('error'), text },
    ).then((v) => v.hit);
  }

  /** All error texts now on the page. */
  errorTexts() {
    return this.page.$$eval(tid('error'), (els) => els.map((e) => e.textContent));
  }

  /** Waits until the viewer canvas has the given intrinsic size; resolves to `{width, height}`. */
  viewerSize(width, height) {
    return this.until(
      `the viewer canvas to be ${width}x${height}`,
      ({ sel, width, height }) => {
        const c = document.querySelector(sel);
        return c && c.width === width && c.height === height ? { width, height } : false;
      },
      { sel: tid('viewer'), width, height },
    );
  }

  /** RGBA of the viewer canvas at image points `[[x, y], …]`. */
  pixels(points) {
    return this.page.$eval(
      tid('viewer'),
      (canvas, points) => {
        // One read of the whole canvas: cheaper than thousands of 1x1 reads.
        const { data, width } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        return points.map(([x, y]) => {
          const i = 4 * (y * width + x);
          return [data[i], data[i + 1], data[i + 2], data[i + 3]];
        });
      },
      points,
    );
  }

  /** Sets a checkbox hook to `on`, as a click does (input and change events). */
  async setCheckbox(id, on) {
    const el = await this.waitFor(tid(id));
    if ((await el.isChecked()) !== on) await el.setChecked(on, { force: true });
    await el.dispose();
  }

  /** Moves the threshold slider to `value` and fires `input` and `change`, as a drag does. */
  async setThreshold(value) {
    await this.waitFor(tid('threshold'));
    await this.page.$eval(
      tid('threshold'),
      (el, v) => {
        // Set through the prototype setter so frameworks that track `value` see the change.
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, String(v));
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      },
      value,
    );
  }

  /** Types `value` into the number field `id`, as a person does (an input event per change). */
  async setField(id, value) {
    await this.waitFor(tid(id));
    await this.guard(`typing ${value} in ${tid(id)}`, this.page.fill(tid(id), String(value), { timeout: WAIT_MS }));
  }

  /** Waits until the element `id` has text matching `re`; resolves to the text. */
  text(id, re = /\S/) {
    return this.until(
      `${tid(id)} to match ${re}`,
      ({ sel, src, flags }) => {
        const t = document.querySelector(sel)?.textContent.trim();
        return t !== undefined && new RegExp(src, flags).test(t) ? { t } : false;
      },
      { sel: tid(id), src: re.source, flags: re.flags },
    ).then((v) => v.t);
  }

  /** How many viewer pixels have exactly the colour `rgb`. */
  countColour(rgb) {
    return this.page.$eval(
      tid('viewer'),
      (canvas, [r, g, b]) => {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
        return n;
      },
      rgb,
    );
  }

  /** The viewport's box on the page: `{x, y, width, height}`. */
  async viewport() {
    const el = await this.waitFor(tid('viewport'));
    const box = await el.boundingBox();
    await el.dispose();
    return box;
  }

  /** The pointer readout parsed: `{x, y, text, object}` (object null when none), or null. */
  async readout() {
    const t = (await this.page.textContent(tid('readout')))?.trim() ?? '';
    const m = /^x=(\d+), y=(\d+), (.*?), (?:object (\d+)|no object)$/.exec(t);
    return m ? { x: Number(m[1]), y: Number(m[2]), text: m[3], object: m[4] ? Number(m[4]) : null } : null;
  }

  /** Moves the mouse to page point (x, y) and resolves to the readout there. */
  async hover(x, y) {
    await this.page.mouse.move(x, y);
    await this.frames(1);
    return this.readout();
  }

  /** The zoom shown in the toolbar, as a number (1 = 100%). */
  async zoom() {
    const t = await this.page.textContent(tid('zoom'));
    return Number.parseFloat(t) / 100;
  }

  /** Clicks the export button `id` and resolves to `{name, bytes}` of the download. */
  async download(id) {
    const [dl] = await Promise.all([
      this.guard(`a download from ${tid(id)}`, this.page.waitForEvent('download', { timeout: WAIT_MS })),
      this.page.click(tid(id)),
    ]);
    const file = await dl.path();
    return { name: dl.suggestedFilename(), bytes: await readFile(file) };
  }

  /**
   * Waits until every change is kept in the browser (the Project section's line says when, and
   * nothing waits to be written), and returns that line.
   */
  async kept(pattern = /^Kept in this browser at /) {
    return this.until(
      `the work kept in the browser (${pattern})`,
      ({ sel, source }) => {
        const el = document.querySelector(sel);
        const text = el?.textContent.trim() ?? '';
        return el?.getAttribute('data-pending') === 'false' && new RegExp(source).test(text) && text;
      },
      { sel: tid('kept-status'), source: pattern.source },
    );
  }

  /** Presses `key` with the focus on the page body (not in a field). */
  async key(key) {
    await this.page.evaluate(() => document.activeElement?.blur());
    await this.page.keyboard.press(key);
    await this.frames(1);
  }

  /** Waits for the next animation frames, so a redraw after a change has happened. */
  frames(n = 2) {
    return this.page.evaluate(
      (n) =>
        new Promise((resolve) => {
          const step = (k) => (k === 0 ? resolve() : requestAnimationFrame(() => step(k - 1)));
          step(n);
        }),
      n,
    );
  }
}

/** A temporary directory removed after the current test file. */
export function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluocount-e2e-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export { test, before, after, assert };
