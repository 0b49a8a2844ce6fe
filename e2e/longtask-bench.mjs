// Main-thread long tasks of the interactive viewer (PerformanceObserver 'longtask'), on the
// release build with a real 1600x1200 sample: the drop with its first count, a rolling-ball
// recount, a local-threshold change, a minimum-area change and a wheel zoom. Prints, per step,
// the longest main-thread task and how many exceeded 50 and 100 ms.
//
//   node e2e/longtask-bench.mjs        (after trunk build --release)

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { REPO_ROOT, sample } from './native.mjs';
import { serve } from './serve.mjs';

const DIST = process.env.FLUOCOUNT_DIST ?? path.join(REPO_ROOT, 'dist');
const srv = await serve(DIST, { port: 0 });
const browser = await launchBrowser({ defaultTimeout: 60_000 });
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(srv.url, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid="dropzone"]', { state: 'attached' });
  await page.waitForTimeout(1500);
  const mark = () => page.evaluate(() => performance.now());
  const countText = () => page.evaluate(() => document.querySelector('[data-testid="count"]')?.textContent ?? '');
  const settle = async () => {
    // Until no count is in flight and the page has been quiet for 500 ms.
    await page.waitForFunction(() => !document.querySelector('[data-busy="true"]'), null, { polling: 50 }).catch(() => {});
    await page.waitForTimeout(800);
  };
  const steps = [];
  const step = async (name, act) => {
    const t0 = await mark();
    await act();
    await settle();
    const t1 = await mark();
    const tasks = await page.evaluate(([a, b]) => window.__long.filter((l) => l.start >= a && l.start <= b), [t0, t1]);
    steps.push({ step: name, longest_ms: Math.round(Math.max(0, ...tasks.map((t) => t.duration))), over_50: tasks.length, over_100: tasks.filter((t) => t.duration > 100).length, count: await countText() });
  };
  const file = sample('yellow/images/Mar24bS1C2R3_LHl_200x.png');
  const b64 = readFileSync(file).toString('base64');
  await step('drop a 1600x1200 PNG, first count (yellow preset)', async () => {
    const dt = await page.evaluateHandle((b64) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'sample.png', { type: 'image/png' }));
      return dt;
    }, b64);
    // Only the drop itself is measured, not building the test's DataTransfer.
    const t = await mark();
    await page.evaluate((t) => { window.__long = window.__long.filter((l) => l.start < t - 1e9); }, t);
    for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('[data-testid="dropzone"]', type, { dataTransfer: dt });
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="count"]')?.textContent ?? ''));
  });
  await step('background radius 50 (rolling ball)', async () => {
    await page.fill('[data-testid="background"]', '50');
    await page.press('[data-testid="background"]', 'Enter');
  });
  await step('local method Sauvola', async () => {
    await page.selectOption('[data-testid="method"]', 'Local:Sauvola');
  });
  await step('minimum area 200', async () => {
    await page.fill('[data-testid="min-area"]', '200');
    await page.press('[data-testid="min-area"]', 'Enter');
  });
  await step('wheel zoom x3', async () => {
    const box = await page.locator('[data-testid="viewer"]').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -200);
  });
  console.table(steps);
  console.log(JSON.stringify(steps));
} finally {
  await browser.close();
  await srv.close();
}
