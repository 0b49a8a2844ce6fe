// The batch benchmark: 283 synthetic 1600x1200 PNG images (the size of the v1 dataset) with their
// masks, counted by the page's worker pool in headless Chromium, against the native command line
// on the same files in the same run.
//
//   node e2e/batch-bench.mjs [--count N] [--runs R]   (make bench-batch builds dist/ and the CLI)
//
// The images are generated once into target/batch-bench/ (fluocount synth --count N --out-dir).
// For each run the page is loaded fresh and the folder is given to it in two ways, each timed
// from the drop or pick to the progress bar's 100 % in the page (performance.now()):
//   drop   the folder dragged from the disk onto the page, through Chromium's own drag and drop
//          (CDP Input.dispatchDragEvent with the folder's path), as a file manager drops it;
//   input  the batch's folder input (setInputFiles with the folder), which "Count a folder…"
//          opens in browsers without the File System Access API;
//   picker "Count a folder…" in Chromium: its folder dialog (showDirectoryPicker) answers with a
//          directory handle. Playwright cannot drive that dialog, so the folder is copied into the
//          page's origin-private file system first (untimed, fetched from the bench's server) and
//          showDirectoryPicker returns that folder's handle: a real handle to real files on disk.
// `--via drop`, `--via input` or `--via picker` runs one of them.
// Main-thread long tasks come from a PerformanceObserver ('longtask', installed before the app
// loads); memory from performance.memory (Chromium, --enable-precise-memory-info) sampled every
// 50 ms with the progress (for the first result's time and the last tenth's); the main thread's
// busy time over the run from CDP (Performance.getMetrics); each image's time in its worker from
// the summary (the median of the ms column). Prints a table and writes
// e2e/batch-bench-results.json. Diagnostics: TRACE=1 prints self time per browser thread from a
// CDP trace (TRACE_FILE=F also writes its events to F), PROFILE=1 the page's hottest functions from its CPU profile.

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { dropPaths, launchBrowser } from './browser.mjs';
import { E2E_DIR, REPO_ROOT, fluocount } from './native.mjs';
import { serve } from './serve.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const COUNT = opt('--count', 283);
const RUNS = opt('--runs', 3);
// --method METHOD: the yellow preset with another threshold method (e.g. Otsu), loaded as a
// parameter file through the page's "Load parameters…" input, for a second configuration.
const METHOD = args.includes('--method') ? args[args.indexOf('--method') + 1] : null;
const VIA_NAMES = { drop: 'browser_folder_drop', input: 'browser_folder_input', picker: 'browser_folder_picker' };
const VIAS = args.includes('--via') ? [args[args.indexOf('--via') + 1]] : Object.keys(VIA_NAMES);
if (!VIAS.every((v) => v in VIA_NAMES)) throw new Error(`--via takes drop, input or picker, not ${VIAS[0]}`);
const DIST = process.env.FLUOCOUNT_DIST ?? path.join(REPO_ROOT, 'dist');
const DATA = path.join(REPO_ROOT, 'target', 'batch-bench');
const RESULTS = path.join(E2E_DIR, `batch-bench-results${args.includes('--method') ? '-' + args[args.indexOf('--method') + 1].toLowerCase() : ''}.json`);

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function ensureImages() {
  const dir = path.join(DATA, 'images');
  const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.png')).length : 0;
  if (have !== COUNT) {
    console.log(`bench: generating ${COUNT} synthetic images into ${DATA} …`);
    execFileSync('rm', ['-rf', DATA]);
    await fluocount(['synth', '--seed', '1', '--count', String(COUNT), '--out-dir', DATA]);
  }
  // Every run reads the files from the page cache: read them once first (1.2 GB), so that the
  // first run does not also time the disk.
  for (const sub of ['images', 'masks']) {
    const d = path.join(DATA, sub);
    if (existsSync(d)) for (const f of readdirSync(d)) readFileSync(path.join(d, f));
  }
}

async function browserRun(srv, via) {
  const browser = await launchBrowser({ defaultTimeout: 600_000, extraArgs: ['--enable-precise-memory-info'] });
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      window.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(srv.url, { waitUntil: 'load' });
    await page.waitForSelector('[data-testid="dropzone"]', { state: 'attached' });
    await page.waitForTimeout(1000); // workers started and idle
    if (METHOD) {
      const preset = (await fluocount(['params', '--preset', 'yellow'])).trim();
      const text = preset.replace(/method=[^&]+/, `method=${METHOD}`);
      await page.setInputFiles('[data-testid="load-params"]', { name: 'bench-params.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
      await page.waitForFunction((m) => document.querySelector('[data-testid="method"]')?.value === m, METHOD);
    }
    await page.click('[data-testid="batch-drawer"] summary');
    if (via === 'picker') {
      const names = Object.fromEntries(['images', 'masks'].map((d) => [d, readdirSync(path.join(DATA, d))]));
      await page.evaluate(async (names) => {
        const opfs = await navigator.storage.getDirectory();
        await opfs.removeEntry('batch-bench', { recursive: true }).catch(() => {});
        const top = await opfs.getDirectoryHandle('batch-bench', { create: true });
        for (const [sub, files] of Object.entries(names)) {
          const d = await top.getDirectoryHandle(sub, { create: true });
          for (const f of files) {
            const w = await (await d.getFileHandle(f, { create: true })).createWritable();
            await (await fetch(`/bench-data/${sub}/${f}`)).body.pipeTo(w);
          }
        }
        window.showDirectoryPicker = async () => top;
      }, names);
      await page.waitForTimeout(1000); // the copy's writes settled
    }
    // The main thread's busy time (task, script, layout, style) over the run, from CDP.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const m0 = await metrics();
    const traceEvents = [];
    if (process.env.TRACE) {
      cdp.on('Tracing.dataCollected', (e) => traceEvents.push(...e.value));
      await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8,blink,toplevel', transferMode: 'ReportEvents' });
    }
    if (process.env.PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const workers = page.workers().length;
    await page.evaluate(() => {
      window.__peak = 0;
      window.__t0 = performance.now();
      window.__progress = [];
      window.__sampler = setInterval(() => {
        const m = performance.memory?.usedJSHeapSize ?? 0;
        window.__peak = Math.max(window.__peak, m);
        const p = document.querySelector('[data-testid="batch-progress"]');
        if (p) window.__progress.push([performance.now() - window.__t0, Number(p.value), Number(p.max)]);
      }, 50);
    });
    if (via === 'drop') {
      await dropPaths(page, [DATA], { x: 400, y: 200, cdp });
    } else if (via === 'picker') {
      await page.click('[data-testid="batch-folder"]');
    } else {
      await page.setInputFiles('[data-testid="batch-folder-input"]', DATA);
    }
    const t1 = await (await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="batch-progress"]');
      return p && Number(p.max) > 0 && Number(p.value) === Number(p.max) ? performance.now() : false;
    }, null, { polling: 10, timeout: 600_000 })).jsonValue();
    const out = await page.evaluate((t1) => {
      clearInterval(window.__sampler);
      const during = window.__long.filter((l) => l.start >= window.__t0 && l.start <= t1);
      return {
        ms: t1 - window.__t0,
        images: Number(document.querySelector('[data-testid="batch-progress"]').max),
        counted: Number(document.querySelector('[data-testid="batch-counted"]')?.textContent ?? 0),
        total: Number(document.querySelector('[data-testid="batch-total"]')?.textContent ?? 0),
        pooled: document.querySelector('[data-testid="batch-pooled"]')?.textContent ?? '',
        memory: document.querySelector('[data-testid="batch-memory"]')?.textContent ?? '',
        longest_task_ms: during.reduce((m, l) => Math.max(m, l.duration), 0),
        long_tasks: during.length,
        over_100ms: during.filter((l) => l.duration > 100).length,
        peak_heap_mib: window.__peak / 1048576,
        tasks: during.map((l) => [Math.round(l.start - window.__t0), Math.round(l.duration)]),
        // Each image's time in its worker (decode, count, score, thumbnail): the summary's median.
        worker_ms: Number(document.querySelector('[data-testid="batch-median-ms"]')?.textContent ?? NaN),
        // When the first result reached the table, and how long the last tenth took.
        first_result_ms: window.__progress.find(([, v]) => v > 0)?.[0] ?? NaN,
        last_tenth_ms: t1 - window.__t0 - (window.__progress.find(([, v, m]) => m > 0 && v >= 0.9 * m)?.[0] ?? NaN),
        // The table lays out only the rows in view.
        rows_in_dom: document.querySelectorAll('[data-testid="batch-row"]').length,
      };
    }, t1);
    const m1 = await metrics();
    if (process.env.TRACE) {
      const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
      await cdp.send('Tracing.end');
      await done;
      if (process.env.TRACE_FILE) writeFileSync(process.env.TRACE_FILE, JSON.stringify(traceEvents));
      const threads = new Map();
      for (const e of traceEvents) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
      // Self time of complete events per thread and name (children subtracted).
      const byThread = new Map();
      const stacks = new Map();
      const evs = traceEvents.filter((e) => e.ph === 'X' && e.dur).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
      for (const e of evs) {
        const key = `${e.pid}:${e.tid}`;
        const st = stacks.get(key) ?? [];
        stacks.set(key, st);
        while (st.length && st.at(-1).end <= e.ts) st.pop();
        const t = byThread.get(key) ?? new Map();
        byThread.set(key, t);
        t.set(e.name, (t.get(e.name) ?? 0) + e.dur);
        if (st.length) { const p = st.at(-1); t.set(p.name, (t.get(p.name) ?? 0) - e.dur); }
        st.push({ name: e.name, end: e.ts + e.dur });
      }
      for (const [key, t] of byThread) {
        const total = [...t.values()].reduce((a, b) => a + b, 0);
        if (total < 300_000) continue;
        console.log(`  thread ${threads.get(key) ?? key}: ${(total / 1e6).toFixed(2)} s self time in trace events`);
        for (const [n, v] of [...t].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${(v / 1000).toFixed(0)} ms  ${n}`);
      }
    }
    if (process.env.PROFILE) {
      const { profile } = await cdp.send('Profiler.stop');
      const self = new Map();
      const dt = new Map();
      profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      for (const n of profile.nodes) {
        const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        self.set(k, (self.get(k) ?? 0) + (dt.get(n.id) ?? 0));
      }
      console.log('  main-thread self time, top 40 (ms):');
      for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`    ${(v / 1000).toFixed(0)}  ${k}`);
    }
    const busy = Object.fromEntries(['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration']
      .map((k) => [k, +(m1[k] - m0[k]).toFixed(2)]));
    return { ...out, workers, errors, main_thread_busy_s: busy };
  } finally {
    await browser.close();
  }
}

async function nativeRun() {
  const t0 = performance.now();
  const stdout = await fluocount(['eval', '--images', path.join(DATA, 'images'), '--masks', path.join(DATA, 'masks')]);
  return { ms: performance.now() - t0, pooled: stdout.split('\n').filter((l) => /F1|all/i.test(l)).slice(-2).join(' | ') };
}

async function main() {
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: trunk build --release first`);
  await ensureImages();
  const srv = await serve(DIST, { port: 0, mounts: { '/bench-data/': DATA } });
  const runs = Object.fromEntries(VIAS.map((v) => [v, []]));
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const via of VIAS) {
        const run = await browserRun(srv, via);
        console.log(`run ${r + 1} (${via}): ${(run.ms / 1000).toFixed(2)} s, ${run.counted}/${run.images} counted, ` +
          `longest main-thread task ${run.longest_task_ms.toFixed(0)} ms (${run.over_100ms} over 100 ms), ` +
          `peak JS heap ${run.peak_heap_mib.toFixed(0)} MiB, ${run.workers} workers, ` +
          `median ${run.worker_ms.toFixed(0)} ms per image in its worker, ${run.rows_in_dom} rows in the DOM`);
        console.log(`  first result at ${run.first_result_ms.toFixed(0)} ms, the last tenth took ${run.last_tenth_ms.toFixed(0)} ms`);
        if (run.errors.length) console.log('  page errors:', run.errors);
        console.log('  main thread busy (s):', JSON.stringify(run.main_thread_busy_s));
        console.log('  main-thread tasks over 50 ms [start after the pick, duration] in ms:', JSON.stringify(run.tasks));
        runs[via].push(run);
      }
    }
  } finally {
    await srv.close();
  }
  const native = METHOD ? { ms: NaN, pooled: 'not run with --method' } : await nativeRun();
  const summary = (rs) => {
    const ms = median(rs.map((r) => r.ms));
    return {
      median_s: ms / 1000,
      images_per_s: (COUNT * 1000) / ms,
      runs_s: rs.map((r) => r.ms / 1000),
      longest_main_thread_task_ms: Math.max(...rs.map((r) => r.longest_task_ms)),
      tasks_over_100ms: rs.reduce((s, r) => s + r.over_100ms, 0),
      peak_js_heap_mib: Math.max(...rs.map((r) => r.peak_heap_mib)),
      app_memory_readout: rs.at(-1)?.memory,
      main_thread_busy_s: median(rs.map((r) => r.main_thread_busy_s.TaskDuration)),
      workers: rs[0]?.workers,
      median_ms_per_image_in_worker: median(rs.map((r) => r.worker_ms)),
      median_first_result_ms: median(rs.map((r) => r.first_result_ms)),
      total_objects: rs[0]?.total,
      pooled: rs[0]?.pooled,
    };
  };
  const result = {
    images: COUNT,
    size: '1600x1200 RGB 8-bit PNG + 8-bit mask',
    params: METHOD
      ? `the yellow preset with method=${METHOD} (a parameter file)`
      : 'automatic preset (yellow for these images: local Phansalkar r=15, split, filters)',
    ...Object.fromEntries(VIAS.map((v) => [VIA_NAMES[v], summary(runs[v])])),
    native_cli_eval: { s: native.ms / 1000, images_per_s: (COUNT * 1000) / native.ms, summary: native.pooled },
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  if (Object.values(runs).flat().some((r) => r.errors.length || r.counted !== COUNT)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`batch-bench: ${e.message}`);
  process.exitCode = 1;
});
