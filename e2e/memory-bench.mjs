// Memory over a long session: N large images counted one after another in the viewer (each dropped,
// counted, then removed, as a person working through a folder does), and the same N as one batch.
// Reads, after every image: the page's wasm memory, the page's JS heap (Chromium), and the resident
// memory of every Chromium process of the run (the page, its Web Workers and the browser), so that
// memory held by the workers, which the page cannot see, is measured too.
//
//   node e2e/memory-bench.mjs [--images N]     (make bench-memory builds dist/ first)
//
// Prints a table and writes e2e/memory-bench-results.json.

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, watchErrors } from './browser.mjs';
import { E2E_DIR, REPO_ROOT, sample } from './native.mjs';
import { serve } from './serve.mjs';
import os from 'node:os';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--images') + 1] || 100) || 100;
const DIST = path.join(REPO_ROOT, 'dist');
const RESULTS = path.join(E2E_DIR, 'memory-bench-results.json');
const WAIT_MS = 120_000;
const MiB = 1024 * 1024;

/** Resident memory (MiB) of the Chromium processes whose command line names `profile`, and their children. */
function chromiumRss(profile) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      procs.push({ pid: Number(pid), ppid, cmd, rss });
    } catch {
      // The process ended while it was read.
    }
  }
  const ours = new Set(procs.filter((p) => p.cmd.includes(profile)).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => ours.has(p.pid)).reduce((s, p) => s + p.rss, 0) / 1024;
}

/** Page memory: wasm memory and JS heap in MiB. */
function pageMemory(page) {
  return page.evaluate(() => ({
    wasm: (window.__wasmMemory?.buffer.byteLength ?? 0) / (1024 * 1024),
    heap: (performance.memory?.usedJSHeapSize ?? 0) / (1024 * 1024),
  }));
}

async function main() {
  const images = [sample('red/images/RT353S2C1R5_r1.png'), sample('yellow/images/Mar23bS1C2R3_VLPAGr_200x.png')].filter(Boolean);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluocount-memory-'));
  const files = Array.from({ length: N }, (_, i) => {
    const src = images[i % images.length];
    const p = path.join(dir, `image-${String(i).padStart(3, '0')}${path.extname(src)}`);
    copyFileSync(src, p);
    return p;
  });
  const server = await serve(DIST, { port: 0 });
  const browser = await launchBrowser({ defaultTimeout: WAIT_MS });
  const page = await browser.context.newPage();
  const { errors, failed } = watchErrors(page);
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => {
      window.__wasmMemory = e.detail?.wasm?.memory;
    });
  });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid="dropzone"]');
  const rssProfile = browser.profile;
  const viewer = [];
  for (let i = 0; i < N; i++) {
    await page.setInputFiles('[data-testid="file-input"]', files[i]);
    await Promise.race([
      page.waitForFunction(() => {
        const item = document.querySelector('[data-testid="image-item"]');
        return item && /^\d+$/.test(item.getAttribute('data-count') ?? '');
      }, null, { timeout: WAIT_MS, polling: 50 }),
      failed,
    ]);
    await page.click('[data-testid="image-item"] button.remove');
    await page.waitForFunction(() => !document.querySelector('[data-testid="image-item"]'), null, { timeout: WAIT_MS });
    const m = await pageMemory(page);
    viewer.push({ image: i + 1, ...m, rss: chromiumRss(rssProfile) });
    if ((i + 1) % 10 === 0) console.error(`viewer: ${i + 1} of ${N}`);
  }
  // The same images as one batch (the worker pool reads each file itself).
  await page.click('[data-testid="batch-drawer"] summary');
  const before = { ...(await pageMemory(page)), rss: chromiumRss(rssProfile) };
  await page.setInputFiles('[data-testid="batch-files-input"]', files);
  await Promise.race([
    page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="batch-progress"]');
      return p && Number(p.max) > 0 && Number(p.value) === Number(p.max);
    }, null, { timeout: 20 * 60_000, polling: 200 }),
    failed,
  ]);
  const batchEnd = { ...(await pageMemory(page)), rss: chromiumRss(rssProfile) };
  await browser.close();
  await server.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);

  const at = (k) => viewer[Math.min(k, viewer.length) - 1];
  const marks = [1, 10, 25, 50, 75, 100].filter((k) => k <= N);
  if (!marks.includes(N)) marks.push(N);
  const f = (x) => x.toFixed(1).padStart(8);
  console.log(`\nViewer: ${N} images (${images.map((p) => path.basename(p)).join(', ')} in turn), each counted then removed`);
  console.log('after image   wasm MiB   JS heap MiB   Chromium RSS MiB');
  for (const k of marks) {
    const r = at(k);
    console.log(`${String(k).padStart(11)} ${f(r.wasm)}   ${f(r.heap)}      ${f(r.rss)}`);
  }
  console.log(`\nBatch of the same ${N}: RSS ${before.rss.toFixed(1)} -> ${batchEnd.rss.toFixed(1)} MiB, page wasm ${before.wasm.toFixed(1)} -> ${batchEnd.wasm.toFixed(1)} MiB`);
  writeFileSync(RESULTS, JSON.stringify({ images: N, samples: images.map((p) => path.relative(REPO_ROOT, p)), viewer, batch: { before, after: batchEnd } }, null, 2));
}

main().catch((e) => {
  console.error(`memory-bench: ${e.stack ?? e}`);
  process.exitCode = 1;
});
