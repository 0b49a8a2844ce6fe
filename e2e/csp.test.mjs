// The page's Content-Security-Policy holds: no inline script and no eval run, and working on local
// files (drop, mask, count, threshold, built-in model, train, exports, batch) sends no request
// beyond the page's own origin and breaks no rule of the policy. Every other end-to-end test runs
// under the same policy: a refused script, style or request there is a console error, and fails it.

import { readFileSync } from 'node:fs';
import { appTest, assert, dropFiles, tid } from './helpers.mjs';
import { sampleFixture, syntheticFixture } from './fixtures.mjs';

const size = ['--width', '640', '--height', '480'];
const a = syntheticFixture({ seed: 51, cells: 14, name: 'one.png', extra: size });
const b = syntheticFixture({ seed: 52, cells: 12, name: 'two.png', extra: size });
const real = sampleFixture();

/** Records the policy's violations from the first script on (before the page's own). */
const recordViolations = () => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
  });
};

/** The directives of the page's policy: name -> list of sources. */
async function policy(page) {
  const text = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  return new Map(text.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

appTest('the policy refuses an inline script and eval; every script of the page is a file', async ({ page }) => {
  const csp = await policy(page);
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp.get('object-src'), ["'none'"]);
  assert.deepEqual(csp.get('base-uri'), ["'none'"]);
  const scripts = await page.$$eval('script', (s) => s.map((x) => ({ src: x.getAttribute('src'), text: x.textContent.trim() })));
  assert.ok(scripts.length >= 1);
  for (const s of scripts) {
    assert.ok(s.src && s.text === '', `an inline script in the page: ${JSON.stringify(s)}`);
  }
  // An inline script added to the page, and code from a string (setTimeout with a string is eval
  // in the page's own context; the DevTools protocol that runs this test is exempt from the policy).
  const refused = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.head.append(s);
    setTimeout('window.__timer = 1', 0);
    await new Promise((r) => setTimeout(r, 200));
    return { inline: window.__inline ?? 'refused', timer: window.__timer ?? 'refused' };
  });
  assert.deepEqual(refused, { inline: 'refused', timer: 'refused' });
  const violations = await page.evaluate(() => window.__violations);
  assert.ok(violations.some((v) => v.startsWith('script-src-elem inline')), JSON.stringify(violations));
  assert.ok(violations.some((v) => v.startsWith('script-src eval')), JSON.stringify(violations));
}, { init: recordViolations, allow: [/Content Security Policy/, /unsafe-eval/] });

appTest('working on local files: no request leaves the page, no rule of the policy is broken', async ({ app, page }) => {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // From the start: the page loads again with the recorder on.
  await page.reload({ waitUntil: 'load' });
  await app.ready();
  await dropFiles(page, null, [
    { name: 'one.png', path: a.file },
    { name: 'one_mask.png', bytes: readFileSync(a.truth) },
    { name: 'two.png', path: b.file },
    { name: 'two_mask.png', bytes: readFileSync(b.truth) },
  ]);
  await app.imageItems(2);
  await app.until('two masks attached', (sel) => document.querySelectorAll(sel).length === 2, tid('item-mask'));
  await app.count();
  // Train in its worker and count with the model; then the built-in model on a real sample.
  await app.until('Train enabled', (sel) => !document.querySelector(sel)?.disabled, tid('learn-train'));
  await page.click(tid('learn-train'));
  await app.waitFor(tid('learn-importance'), 'the trained model');
  await dropFiles(page, null, [{ path: real.file }]);
  await app.imageItems(3);
  await page.selectOption(tid('preset'), 'yellow+model');
  await app.until('the built-in model in use', (sel) => /built-in model/.test(document.querySelector(sel)?.textContent ?? ''), tid('learn-model'));
  // An export: the objects CSV.
  await page.$eval(tid('objects-drawer'), (d) => { d.open = true; });
  const csv = await app.download('export-objects');
  assert.ok(csv.bytes.length > 0);
  // A batch of the same files in the worker pool.
  await page.click(`${tid('batch-drawer')} summary`);
  await page.setInputFiles(tid('batch-files-input'), [a.file, b.file]);
  await app.until('the batch to finish', (sel) => {
    const p = document.querySelector(sel);
    return p && Number(p.max) === 2 && Number(p.value) === 2;
  }, tid('batch-progress'));

  const origin = new URL(page.url()).origin;
  const outside = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith(`blob:${origin}/`));
  assert.deepEqual(outside, [], 'requests beyond the page');
  assert.ok(requests.some((u) => u.endsWith('.wasm')), 'the recorder saw the page load its own files');
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'policy violations');
}, { init: recordViolations, timeout: 8 * 60_000 });
