// The browser benchmark: Fluocount's wasm pipeline against OpenCV.js, in the same headless
// Chromium page, on the same synthetic image.
//
//   node e2e/bench.mjs [--iterations N]        (make bench-browser builds dist-bench/ and the CLI first)
//
// dist-bench/ (the app built with the cargo feature `bench`: make web-bench, or FLUOCOUNT_BENCH_DIST)
// is served with COOP/COEP so that performance.now() has fine resolution. The wasm side is
// `window.wasmBindings.bench_pipeline(N)` (exported by src/app/bench.rs; Trunk 0.21 puts the
// wasm-bindgen exports on window.wasmBindings). The peer is OpenCV.js from e2e/node_modules,
// served under /vendor/opencv/: (R+G)/2, Otsu, opening and closing with a 5x5 ellipse, fill holes,
// connected components with stats (8-connectivity). Both report medians of N runs after warm-up.
// Prints a table and writes e2e/bench-results.json.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { launchBrowser, watchErrors } from './browser.mjs';
import { E2E_DIR, REPO_ROOT, synth } from './native.mjs';
import { serve } from './serve.mjs';

const args = process.argv.slice(2);
const ITERATIONS = Number(args[args.indexOf('--iterations') + 1] || 30) || 30;
const WARMUP = 3;
// The shipped app has no benchmark: this one is built with `--features bench` (make web-bench).
const DIST = path.resolve(REPO_ROOT, process.env.FLUOCOUNT_BENCH_DIST || 'dist-bench');
const RESULTS = path.join(E2E_DIR, 'bench-results.json');
const WAIT_MS = 60_000;

const require = createRequire(import.meta.url);
const opencvPkg = require('@techstark/opencv-js/package.json');
const opencvDir = path.join(path.dirname(require.resolve('@techstark/opencv-js/package.json')), 'dist');

function fail(message) {
  console.error(`bench: ${message}`);
  process.exitCode = 1;
}

/** The wasm side: waits for Trunk's window.wasmBindings and runs bench_pipeline. */
async function benchWasm(page, failed) {
  const state = await Promise.race([
    page
      .waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: WAIT_MS, polling: 100 })
      .then(() => page.evaluate(() => Object.keys(window.wasmBindings).sort())),
    failed,
  ]).catch((e) => ({ error: e.message }));
  if (state.error) {
    throw new Error(
      `window.wasmBindings never appeared (${state.error}). Trunk 0.21 sets it once the wasm module is ` +
        `initialised: is ${DIST} a release build of the app (make web-bench)?`,
    );
  }
  if (!state.includes('bench_pipeline')) {
    throw new Error(
      'window.wasmBindings.bench_pipeline is missing: the `#[wasm_bindgen] pub fn bench_pipeline` of ' +
        'src/app/bench.rs is not exported from the fluocount-web binary: was it built with `--features bench` ' +
        '(make web-bench)? Exports seen: ' +
        (state.join(', ') || '(none)'),
    );
  }
  const json = await page.evaluate((n) => window.wasmBindings.bench_pipeline(n), ITERATIONS);
  const result = JSON.parse(json);
  if (result.error) throw new Error(`bench_pipeline reported: ${result.error}`);
  return result;
}

/** The peer: OpenCV.js on the same image, in the same page. Runs in the page. */
async function opencvInPage({ imageUrl, iterations, warmup }) {
  // Depending on the build, `cv` is the module, a promise of it, or a module still initialising.
  let cv = window.cv;
  if (cv instanceof Promise) cv = await cv;
  if (!cv.Mat) {
    await new Promise((resolve) => {
      const prev = cv.onRuntimeInitialized;
      cv.onRuntimeInitialized = () => {
        prev?.();
        resolve();
      };
    });
  }

  const median = (v) => {
    const s = [...v].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };

  const decode = async () => {
    const blob = await (await fetch(imageUrl)).blob();
    const t0 = performance.now();
    const bitmap = await createImageBitmap(blob);
    const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    const ms = performance.now() - t0;
    bitmap.close();
    return { data, ms };
  };

  const { data: imageData } = await decode();
  const rgba = cv.matFromImageData(imageData);
  const { rows: h, cols: w } = rgba;
  const kernel = cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(5, 5));
  const planes = new cv.MatVector();
  const plane = new cv.Mat();
  const mask = new cv.Mat();
  const opened = new cv.Mat();
  const closed = new cv.Mat();
  const padded = new cv.Mat();
  const floodMask = new cv.Mat();
  const holes = new cv.Mat();
  const filled = new cv.Mat();
  const labels = new cv.Mat();
  const stats = new cv.Mat();
  const centroids = new cv.Mat();
  const black = new cv.Scalar(0, 0, 0, 0);
  const white = new cv.Scalar(255, 255, 255, 255);
  const dist = new cv.Mat();
  const sureBg = new cv.Mat();
  const sureFg = new cv.Mat();
  const unknown = new cv.Mat();
  const markers = new cv.Mat();
  const rgb = new cv.Mat();
  cv.cvtColor(rgba, rgb, cv.COLOR_RGBA2RGB);
  const names = ['decode png', 'channel', 'threshold (otsu)', 'open', 'close', 'fill holes', 'label+stats', 'pipeline total', 'split (dt watershed)'];
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  let count = 0;
  let level = 0;
  try {
    for (let it = 0; it < warmup + iterations; it++) {
      const s = {};
      const time = (name, f) => {
        const t0 = performance.now();
        const out = f();
        s[name] = performance.now() - t0;
        return out;
      };
      s['decode png'] = (await decode()).ms;
      const t0 = performance.now();
      time('channel', () => {
        cv.split(rgba, planes);
        const r = planes.get(0);
        const g = planes.get(1);
        cv.addWeighted(r, 0.5, g, 0.5, 0, plane);
        r.delete();
        g.delete();
      });
      level = time('threshold (otsu)', () => cv.threshold(plane, mask, 0, 255, cv.THRESH_BINARY + cv.THRESH_OTSU));
      time('open', () => cv.morphologyEx(mask, opened, cv.MORPH_OPEN, kernel));
      time('close', () => cv.morphologyEx(opened, closed, cv.MORPH_CLOSE, kernel));
      time('fill holes', () => {
        // Flood the background from a corner of a copy padded with background; what the flood
        // does not reach and is not foreground is a hole.
        cv.copyMakeBorder(closed, padded, 1, 1, 1, 1, cv.BORDER_CONSTANT, black);
        floodMask.create(h + 4, w + 4, cv.CV_8UC1);
        floodMask.setTo(black);
        cv.floodFill(padded, floodMask, new cv.Point(0, 0), white);
        cv.bitwise_not(padded, padded);
        const inner = padded.roi(new cv.Rect(1, 1, w, h));
        inner.copyTo(holes);
        inner.delete();
        cv.bitwise_or(closed, holes, filled);
      });
      count = time('label+stats', () => cv.connectedComponentsWithStats(filled, labels, stats, centroids, 8, cv.CV_32S) - 1);
      s['pipeline total'] = performance.now() - t0;
      // The usual OpenCV distance-transform watershed: sure background by dilation, sure
      // foreground above 40% of the largest distance, markers from its components.
      time('split (dt watershed)', () => {
        cv.dilate(filled, sureBg, kernel, new cv.Point(-1, -1), 3);
        cv.distanceTransform(filled, dist, cv.DIST_L2, 5);
        const { maxVal } = cv.minMaxLoc(dist);
        cv.threshold(dist, sureFg, 0.4 * maxVal, 255, cv.THRESH_BINARY);
        sureFg.convertTo(sureFg, cv.CV_8U);
        cv.subtract(sureBg, sureFg, unknown);
        cv.connectedComponents(sureFg, markers);
        const ones = cv.Mat.ones(markers.rows, markers.cols, markers.type());
        cv.add(markers, ones, markers);
        ones.delete();
        markers.setTo(new cv.Scalar(0), unknown);
        cv.watershed(rgb, markers);
      });
      if (it >= warmup) for (const n of names) samples[n].push(s[n]);
    }
  } finally {
    for (const m of [rgba, kernel, planes, plane, mask, opened, closed, padded, floodMask, holes, filled, labels, stats, centroids, dist, sureBg, sureFg, unknown, markers, rgb]) {
      m.delete();
    }
  }
  return {
    image: `${w}x${h}`,
    count,
    level,
    iterations,
    median_ms: Object.fromEntries(names.map((n) => [n, Number(median(samples[n]).toFixed(3))])),
  };
}

function table(wasm, opencv) {
  // Stages side by side: [label, wasm stages summed, OpenCV stage].
  const w = wasm?.median_ms ?? {};
  const o = opencv?.median_ms ?? {};
  const sum = (...k) => (k.every((x) => w[x] !== undefined) ? k.reduce((a, x) => a + w[x], 0) : undefined);
  const rows = [
    ['decode png', w['decode png'], o['decode png'], 'OpenCV.js side: the browser decoder (createImageBitmap + getImageData)'],
    ['channel (R+G)/2', w.channel, o.channel],
    ['histogram + Otsu + threshold', sum('histogram+otsu', 'threshold'), o['threshold (otsu)']],
    ['open (disk r=2 / ellipse 5x5)', w.open, o.open],
    ['close (disk r=2 / ellipse 5x5)', w.close, o.close],
    ['fill holes', w['fill holes'], o['fill holes']],
    ['label + measure (8-conn.)', w['label+measure'], o['label+stats']],
    ['label image', w['label image'], undefined],
    ['gaussian sigma=1', w['gaussian sigma=1'], undefined],
    ['pipeline total', w['pipeline total'], o['pipeline total'], 'wasm: analyze() from the RGB image; OpenCV.js: the stages above except decode'],
    ['split touching cells', w['split (edt+maxima+watershed)'], o['split (dt watershed)'], 'wasm: EDT, Find Maxima, watershed lines; OpenCV.js: distance-transform watershed'],
    ['background rolling ball r=50', w['background rolling ball r=50'], undefined],
    ['local Phansalkar r=15', w['local threshold phansalkar r=15'], undefined],
    ['shapes (perim., ellipse, hull)', w['shapes (perimeter, ellipse, hull)'], undefined],
    ['yellow preset total', w['pipeline yellow preset'], undefined, 'analyze() with the yellow preset: local threshold, split, filters'],
  ];
  const fmt = (v) => (v === undefined ? '-' : v.toFixed(3));
  const lines = [`${'stage'.padEnd(32)} ${'wasm ms'.padStart(10)} ${'OpenCV.js ms'.padStart(13)}`];
  for (const [name, a, b, note] of rows) {
    lines.push(`${name.padEnd(32)} ${fmt(a).padStart(10)} ${fmt(b).padStart(13)}${note ? `   (${note})` : ''}`);
  }
  return lines.join('\n');
}

async function main() {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    fail(`${DIST}/index.html is missing: run make web-bench first (make bench-browser does)`);
    return;
  }
  if (!existsSync(path.join(opencvDir, 'opencv.js'))) {
    fail(`${opencvDir}/opencv.js is missing: run npm ci in e2e/ (scripts/setup.sh does)`);
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fluocount-bench-'));
  const server = { close: async () => {} };
  let browser;
  try {
    // The benchmark's default image: `fluocount synth --seed 1` with default parameters.
    const image = path.join(tmp, 'synthetic.png');
    const cells = await synth({ out: image, seed: 1 });
    Object.assign(server, await serve(DIST, { port: 0, mounts: { '/vendor/opencv/': opencvDir, '/bench-data/': tmp } }));
    browser = await launchBrowser({ defaultTimeout: WAIT_MS });
    const page = await browser.context.newPage();
    const { errors, failed } = watchErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    const env = await page.evaluate(() => ({
      userAgent: navigator.userAgent,
      crossOriginIsolated: window.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
    }));
    if (!env.crossOriginIsolated) console.warn('bench: the page is not cross-origin isolated: timer resolution is coarse');

    let wasm;
    let wasmError;
    try {
      console.error(`bench: wasm bench_pipeline(${ITERATIONS}) …`);
      wasm = await benchWasm(page, failed);
    } catch (e) {
      wasmError = e.message;
    }

    // The object classifier (issue 16): training and counting with the built-in model.
    let learn;
    try {
      console.error(`bench: wasm bench_learn(${ITERATIONS}) …`);
      learn = JSON.parse(await page.evaluate((n) => window.wasmBindings.bench_learn(n), ITERATIONS));
      if (learn.error) throw new Error(`bench_learn reported: ${learn.error}`);
    } catch (e) {
      wasmError = wasmError ?? e.message;
    }

    console.error(`bench: OpenCV.js ${opencvPkg.version}, ${WARMUP} warm-up + ${ITERATIONS} runs …`);
    // In a page of its own without the app's Content-Security-Policy: OpenCV.js's bindings are
    // made with `new Function`, which the app's policy refuses. Same origin and isolation.
    writeFileSync(path.join(tmp, 'peer.html'), '<!doctype html><meta charset="utf-8"><title>OpenCV.js peer</title>\n');
    const peer = await browser.context.newPage();
    watchErrors(peer);
    await peer.goto(new URL('/bench-data/peer.html', server.url).href, { waitUntil: 'load' });
    await peer.addScriptTag({ url: '/vendor/opencv/opencv.js' });
    const opencv = await peer.evaluate(opencvInPage, {
      imageUrl: '/bench-data/synthetic.png',
      iterations: ITERATIONS,
      warmup: WARMUP,
    });

    const results = {
      date: new Date().toISOString(),
      browser: env.userAgent,
      cross_origin_isolated: env.crossOriginIsolated,
      cores: env.hardwareConcurrency,
      image: `fluocount synth --seed 1 (${cells} cells)`,
      wasm: wasm ?? { error: wasmError },
      learn: learn ?? { error: wasmError },
      opencv: { package: `@techstark/opencv-js@${opencvPkg.version}`, ...opencv },
      page_errors: errors,
    };
    writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');

    console.log(`image: synthetic seed 1, ${opencv.image}, ${cells} cells; medians of ${ITERATIONS} runs; ${env.userAgent.match(/\w*Chrome\/[\d.]+/)?.[0] ?? ''}`);
    console.log(`counts: wasm ${wasm?.count ?? '-'}, OpenCV.js ${opencv.count} (Otsu level ${opencv.level})`);
    console.log(table(wasm, opencv));
    if (learn) {
      const m = learn.median_ms;
      console.log(`object classifier (wasm, main thread; ${learn.rows} training candidates, ${learn.candidates} candidates in the counted image):`);
      for (const [k, v] of Object.entries(m)) console.log(`${k.padEnd(32)} ${v.toFixed(3).padStart(10)}`);
      console.log(`${'model on top of the preset'.padEnd(32)} ${(m['count built-in model yellow'] - m['count preset yellow']).toFixed(3).padStart(10)}`);
    }
    console.log(`results written to ${path.relative(process.cwd(), RESULTS)}`);
    if (wasmError) fail(wasmError);
    else if (errors.length) fail(`the page reported errors:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser?.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => fail(e.stack ?? e.message));
