// Share links, the demo gallery and remote images, acted out as a person: open a demo, change
// things, copy the link and open it in a fresh browser; a real demo with its mask and credit; a
// hostile link; an image from another server with and without CORS; a local file's link.

import path from 'node:path';
import {
  after, appTest, assert, before, dropFiles, launchBrowser, REPO_ROOT, tid, WAIT_MS, watchErrors, App,
} from './helpers.mjs';
import { serve } from './serve.mjs';

const SAMPLES = path.join(REPO_ROOT, 'tests', 'data', 'fluocells');
const SAMPLE = 'yellow/images/Mar24bS1C2R3_LHl_200x.png';

// A second and a third origin: an image host that allows other sites to read its files, and one
// that does not.
let open, closed;
before(async () => {
  open = await serve(SAMPLES, { port: 0, cors: true });
  closed = await serve(SAMPLES, { port: 0 });
});
after(async () => {
  await open?.close();
  await closed?.close();
});

/** Waits until the count is an integer and unchanged over a few frames (recounts done). */
async function settledCount(app) {
  let last = await app.count();
  for (;;) {
    await app.page.waitForTimeout(400);
    const busy = await app.page.evaluate(() => document.querySelector('.busy, [data-testid="busy"]') !== null);
    const now = await app.count();
    if (now === last && !busy) return now;
    last = now;
  }
}

/** The link "Copy link" gave: the clipboard, else the fallback field. */
async function copyLink(app, page) {
  await page.click(tid('copy-link'));
  await app.waitFor(tid('copy-status'));
  const field = await page.$(tid('link-field'));
  if (field) return field.inputValue();
  return page.evaluate(() => navigator.clipboard.readText());
}

appTest('a synthetic demo from the gallery, changed, copied and opened in a fresh browser', async ({ app, page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click(tid('demo-open-synth-sparse'));
  await app.imageItems(1);
  assert.match(await page.textContent(tid('image-item')), /synthetic seed 3, 20 cells/);
  await settledCount(app);
  // The synthetic demo carries its truth: the Ground truth panel scores it.
  await app.text('m-f1', /^[\d.]+$/);

  await app.setField('min-area', 200);
  await app.setField('open', 1);
  await app.key('+');
  await app.key('+');
  await app.setCheckbox('overlay-numbers', true);
  await page.$eval(tid('display-gamma'), (el) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, '0.5');
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const count = await settledCount(app);
  const zoom = await page.textContent(tid('zoom'));
  const transform = await page.$eval(tid('viewer'), (c) => c.style.transform);

  const link = await copyLink(app, page);
  assert.equal(await page.textContent(tid('copy-status')).then((t) => /Link copied/.test(t)), true);
  assert.match(link, /#link=1&/);
  assert.match(link, /min_area=200/);
  assert.match(link, /demo=synth-sparse/);
  assert.match(link, /overlay=/);
  assert.match(link, /zoom=/);
  assert.match(link, /display=[^&]*gamma%3D0\.5/);
  // The address bar holds the same state.
  assert.equal(await page.evaluate(() => location.href), link);

  const fresh = await launchBrowser({ defaultTimeout: WAIT_MS });
  try {
    const page2 = await fresh.context.newPage();
    const { errors, failed } = watchErrors(page2);
    const app2 = new App(page2, failed, errors);
    await page2.goto(link, { waitUntil: 'load' });
    await app2.ready();
    await app2.imageItems(1);
    assert.equal(await settledCount(app2), count, 'the same count');
    await app2.until('the same zoom', (z) => document.querySelector('[data-testid="zoom"]')?.textContent === z, zoom);
    assert.equal(await page2.$eval(tid('viewer'), (c) => c.style.transform), transform, 'the same view');
    assert.equal(await page2.inputValue(tid('min-area')), '200');
    assert.equal(await page2.inputValue(tid('open')), '1');
    assert.equal(await page2.isChecked(tid('overlay-numbers')), true);
    assert.equal(await app2.text('display-gamma-value', /0\.50/), '0.50', 'the same display');
    assert.equal(await page2.inputValue(tid('preset')), 'custom');
    assert.equal(await page2.$(tid('link-notices')), null, 'a clean link has no notices');
    assert.deepEqual(errors, []);
  } finally {
    await fresh.close();
  }
});

appTest('a real demo opens with its mask, scores, and credits the dataset', async ({ app, page }) => {
  assert.match(await page.textContent(tid('attribution')), /Fluorescent Neuronal Cells.*University of Bologna.*CC BY-SA 4\.0/s);
  const licence = await page.getAttribute(tid('licence-link'), 'href');
  assert.equal(licence, 'https://creativecommons.org/licenses/by-sa/4.0/');
  assert.ok(await page.isVisible(tid('licence-link')));

  await page.click(tid('demo-open-yellow-lhl'));
  await app.imageItems(1);
  await app.waitFor(tid('item-mask'));
  assert.match(await page.textContent(tid('image-item')), /demo: yellow-lhl/);
  await settledCount(app);
  assert.equal(await app.text('m-true', /^\d+$/), '6');
  assert.match(await app.text('m-tp', /^\d+$/), /^\d+$/);
  assert.ok(Number(await app.text('m-f1', /^[\d.]+$/)) > 0.5, 'F1 on the real demo');
  // A demo opens under Auto: its own colour's preset, and each image keeps its own.
  assert.equal(await page.inputValue(tid('preset')), 'auto');
  await app.text('preset-detected', /^Auto: yellow preset for this image$/);
  // Reachable later from the header; its credit is there too.
  await page.click(`${tid('demos-menu')} summary`);
  assert.ok(await page.isVisible(`${tid('demos-menu')} ${tid('attribution')}`));
  await page.click(`${tid('demos-menu')} ${tid('demo-open-red-dmh')}`);
  await app.imageItems(2);
  await app.until('the red demo shown', () => /red-dmh/.test(document.querySelector('[data-testid="image-source"]')?.textContent ?? ''));
  assert.equal(await page.inputValue(tid('preset')), 'auto');
  await app.text('preset-detected', /^Auto: red preset for this image$/);
});

const HOSTILE = '<script>window.__pwned=1</script>';

appTest('a hostile link: notices as text, nothing injected, defaults used', async ({ app, page }) => {
  const before = await page.evaluate(() => ({
    scripts: document.querySelectorAll('script').length,
    defaults: document.querySelector('[data-testid="params-text"]')?.textContent,
  }));
  const keys = ['link', 'v', 'channel', 'bg', 'sigma', 'method', 'level', 'open', 'close', 'min_area', 'max_area',
    'split', 'conn', 'exclude_edges', 'zoom', 'cx', 'cy', 'display', 'overlay', 'demo', 'synth'];
  const parts = [];
  keys.forEach((k, i) => {
    const v = i % 3 === 0 ? HOSTILE : i % 3 === 1 ? encodeURIComponent(HOSTILE) : 'NaN';
    parts.push(`${k}=${v}`);
  });
  parts.push('url=javascript:window.__pwned=1', `<img src=x onerror="window.__pwned=1">=1`, 'zoom=NaN');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.evaluate((h) => { location.hash = h; }, parts.join('&'));
  await app.waitFor(tid('link-notices'));
  const notices = await page.$$eval(tid('link-notice'), (li) => li.map((e) => e.textContent));
  assert.ok(notices.length >= 5, `notices: ${notices.join(' | ')}`);
  assert.ok(notices.some((n) => n.includes('<script>')), 'the hostile text is shown as text');

  // A fresh page on the same hostile link (built here: once it is opened, the page's own
  // address follows its state, which has taken the defaults).
  const link = await page.evaluate((h) => `${location.origin}${location.pathname}#${h}`, parts.join('&'));
  await page.goto('about:blank');
  await page.goto(link, { waitUntil: 'load' });
  await app.ready();
  await app.waitFor(tid('link-notices'));
  await page.waitForTimeout(500);
  const after = await page.evaluate(() => ({
    scripts: document.querySelectorAll('script').length,
    pwned: window.__pwned,
    imgs: document.querySelectorAll('img[onerror], [onerror]').length,
    noticeHtml: [...document.querySelectorAll('[data-testid="link-notice"]')].some((li) => li.children.length > 0),
    items: document.querySelectorAll('[data-testid="image-item"]').length,
    params: document.querySelector('[data-testid="params-text"]')?.textContent,
  }));
  assert.equal(after.scripts, before.scripts, 'no script element added');
  assert.equal(after.pwned, undefined);
  assert.equal(after.imgs, 0);
  assert.equal(after.noticeHtml, false, 'notices are plain text');
  assert.equal(after.items, 0, 'no image opened');
  assert.equal(after.params, before.defaults, 'the default parameters');
  const origin = new URL(link).origin;
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('about:')), [], 'no request elsewhere');
  await page.click(tid('link-notices-dismiss'));
  assert.equal(await page.$(tid('link-notices')), null);
});

appTest('a remote image: read with CORS, refused without, named in the message', async ({ app, page }) => {
  const good = `${open.url}${SAMPLE}`;
  await page.evaluate((u) => { location.hash = `link=1&url=${encodeURIComponent(u)}`; }, good);
  await app.until('the source shown', (u) => (document.querySelector('[data-testid="image-source"]')?.textContent ?? '').includes(u), good);
  await app.imageItems(1);
  const n = await settledCount(app);
  assert.ok(n > 0);
  assert.equal(await page.textContent(tid('image-source')), `Image from ${good}`);
  assert.match(await page.textContent(tid('image-item')), /Mar24bS1C2R3_LHl_200x\.png from 127\.0\.0\.1:\d+/);

  // The same file from a server that does not let other sites read it, typed in the field.
  const bad = `${closed.url}${SAMPLE}`;
  await page.click(`${tid('demos-menu')} summary`);
  await page.fill(`${tid('demos-menu')} ${tid('url-input')}`, bad);
  await page.click(`${tid('demos-menu')} ${tid('url-open')}`);
  const host = new URL(bad).host;
  const message = await app.errorMentioning('does not allow other sites to read this image');
  assert.ok(message.includes(host) && message.includes(bad), message);
  assert.match(message, /no CORS header.*download it and drop the file instead/);
  // Still usable: the first image still counts, a missing file is an HTTP error.
  await page.evaluate((u) => { location.hash = `url=${encodeURIComponent(u)}`; }, `${open.url}missing.png`);
  const missing = await app.errorMentioning('HTTP 404');
  assert.ok(missing.includes(open.url.replace(/^http:\/\//, '').replace(/\/$/, '')), missing);
  await page.evaluate((u) => { location.hash = `url=${encodeURIComponent(u)}`; }, `${open.url}README.md`);
  await app.errorMentioning('is not an image the app can read');
  assert.equal(await settledCount(app), n);
}, {
  // Chromium itself logs the refused and missing reads; the page handles both.
  allow: [/has been blocked by CORS policy/, /Failed to load resource/],
});

appTest('a local file is not part of a link', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: path.join(SAMPLES, SAMPLE) }]);
  await app.imageItems(1);
  await settledCount(app);
  await app.setField('min-area', 250);
  await page.click(tid('copy-link'));
  await app.waitFor(tid('link-local-note'));
  assert.match(await page.textContent(tid('link-local-note')), /local files are not part of links; the link holds the parameters only/i);
  const link = await page.evaluate(() => location.href);
  // No clipboard permission here: copied, or shown selected in a field to copy by hand.
  const field = await page.$(tid('link-field'));
  if (field) {
    assert.equal(await field.inputValue(), link);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'link-field');
  } else {
    assert.match(await page.textContent(tid('copy-status')), /Link copied/);
  }
  assert.match(link, /min_area=250/);
  assert.doesNotMatch(link, /[#&](demo|synth|url|display)=/);
});

const MENU = tid('demos-menu');
const SUMMARY = `${MENU} summary`;
const POPUP = `${MENU} .demos-popup`;

/** Whether the header's Demos menu is open (its popup shown). */
function menuOpen(page) {
  return page.evaluate((sel) => document.querySelector(sel)?.open === true, MENU);
}

appTest('the Demos menu closes on Escape, on a click elsewhere and on a demo chosen, not on a click inside', async ({ app, page }) => {
  await page.click(tid('demo-open-synth-sparse'));
  await app.imageItems(1);
  await app.waitFor(SUMMARY);
  const closed = () => app.until('the Demos menu closed', (sel) => document.querySelector(sel)?.open === false, MENU);

  // Reading the credit, clicking in the popup and scrolling it keep the menu open.
  await page.click(SUMMARY);
  assert.ok(await page.isVisible(POPUP));
  await page.click(`${POPUP} ${tid('attribution')}`, { position: { x: 4, y: 4 } });
  await page.click(`${POPUP} h3`);
  await page.hover(`${POPUP} ${tid('demo-synth-sparse')}`);
  await page.mouse.wheel(0, 300);
  await app.until('the popup scrolled', (sel) => document.querySelector(sel).scrollTop > 0, POPUP);
  await app.frames(2);
  assert.equal(await menuOpen(page), true, 'a click or a scroll inside keeps the menu open');

  // Escape closes it, also from the URL field inside, and gives the focus back to "Demos".
  await page.keyboard.press('Escape');
  await closed();
  await page.click(SUMMARY);
  await page.click(`${POPUP} ${tid('url-input')}`);
  await page.keyboard.press('Escape');
  await closed();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY', 'the focus back on Demos');

  // A click anywhere else closes it: the title, the image.
  await page.click(SUMMARY);
  assert.equal(await menuOpen(page), true);
  await page.click('.brand h1');
  await closed();
  await page.click(SUMMARY);
  // A point of the image that the popup does not cover.
  const box = await app.viewport();
  const [x, y] = [box.x + box.width - 12, box.y + box.height - 12];
  assert.equal(await page.evaluate(([x, y, sel]) => document.querySelector(sel).contains(document.elementFromPoint(x, y)), [x, y, MENU]), false);
  await page.mouse.click(x, y);
  await closed();

  // Choosing a demo opens it and closes the menu.
  await page.click(SUMMARY);
  await page.click(`${POPUP} ${tid('demo-open-synth-touching')}`);
  await closed();
  await app.imageItems(2);
});

/**
 * From now on, counts the animation frames in which the copy feedback and the Demos popup are
 * both visible with overlapping boxes, as a person would see them; `overlapFrames` reads it.
 */
function watchOverlap(page) {
  return page.evaluate(({ status, popup }) => {
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el || el.checkVisibility?.() === false) return null;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 ? r : null;
    };
    window.__overlapFrames = 0;
    const frame = () => {
      const a = box(status);
      const b = box(popup);
      if (a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
        window.__overlapFrames += 1;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, { status: tid('copy-status'), popup: POPUP });
}

async function overlapFrames(app) {
  await app.frames(2);
  return app.page.evaluate(() => window.__overlapFrames);
}

appTest('the copy feedback and the Demos menu are never shown over each other', async ({ app, page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click(tid('demo-open-synth-sparse'));
  await app.imageItems(1);
  await app.waitFor(SUMMARY);
  await watchOverlap(page);

  // Copied, then the menu opened with the mouse: the feedback gives way.
  await page.click(tid('copy-link'));
  await app.text('copy-status', /Link copied/);
  await page.click(SUMMARY);
  assert.ok(await page.isVisible(POPUP), 'the Demos popup is shown');
  assert.equal(await overlapFrames(app), 0, 'the copy feedback over the open Demos menu');
  await app.until('the copy feedback gone', (sel) => document.querySelector(sel) === null, tid('copy-status'));

  // The menu open, the link copied with the mouse: the menu closes.
  await page.click(tid('copy-link'));
  await app.text('copy-status', /Link copied/);
  assert.equal(await overlapFrames(app), 0, 'the Demos menu over the copy feedback');
  assert.equal(await menuOpen(page), false, 'copying closed the Demos menu');

  // The same with the keyboard: Enter on "Demos", then Enter on "Copy link".
  await page.focus(SUMMARY);
  await page.keyboard.press('Enter');
  await app.until('the Demos menu open', (sel) => document.querySelector(sel)?.open === true, MENU);
  await app.until('the copy feedback gone', (sel) => document.querySelector(sel) === null, tid('copy-status'));
  await page.focus(tid('copy-link'));
  await page.keyboard.press('Enter');
  await app.text('copy-status', /Link copied/);
  assert.equal(await menuOpen(page), false, 'copying from the keyboard closed the Demos menu');
  assert.equal(await overlapFrames(app), 0, 'never both shown over each other');
});

appTest('a linked image that fails to load keeps its source in the address', async ({ app, page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const missing = `${open.url}missing-${process.pid}.png`;
  const link = new URL(`#link=1&url=${encodeURIComponent(missing)}`, page.url()).href;
  const named = () => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('url'));
  await page.goto('about:blank');
  await page.goto(link, { waitUntil: 'load' });
  await app.ready();
  const message = await app.errorMentioning('HTTP 404');
  assert.ok(message.includes(missing), message);

  // The page follows a change (the address is rewritten) and still names the image.
  await app.setField('min-area', 150);
  await app.until('the address following the change', () => /min_area=150/.test(location.hash));
  assert.equal(await named(), missing, 'the address still names the image that failed');
  const copied = await copyLink(app, page);
  assert.equal(new URLSearchParams(new URL(copied).hash.slice(1)).get('url'), missing, 'the copied link names it');

  // Reloading retries it: the same failure, named again.
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  await app.errorMentioning('HTTP 404');
  assert.equal(await page.inputValue(tid('min-area')), '150');
  await app.setField('min-area', 160);
  await app.until('the address following the change', () => /min_area=160/.test(location.hash));
  assert.equal(await named(), missing);

  // Another image shown: the address names it instead.
  await page.click(tid('demo-open-synth-sparse'));
  await app.imageItems(1);
  await app.until('the address naming the demo', () => /demo=synth-sparse/.test(location.hash));
  assert.equal(await named(), null);
}, {
  // Chromium itself logs the missing file; the page handles it.
  allow: [/Failed to load resource/],
});
