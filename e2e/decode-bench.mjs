// Decoding in a Web Worker: the browser's WebCodecs ImageDecoder against the app's own Rust
// decoder (the same wasm build flags as the app, SIMD on), on the same PNG files, in headless
// Chromium. It answers the question the batch asks: is ImageDecoder faster here, and does it give
// the same pixels?
//
//   node e2e/decode-bench.mjs [--runs R]      (make bench-decode builds the wasm first)
//
// Files: a synthetic 1600x1200 batch image (target/batch-bench, made by batch-bench.mjs or here)
// and the real samples served with the site (tests/data/fluocells). For each file and decoder the
// worker decodes R times (after two untimed rounds) and reports the median, with the decoded
// pixels compared byte for byte (ImageDecoder with colorSpaceConversion "none" and
// premultiplyAlpha "none", copied out as RGBA). The Rust time is the decode alone; the
// ImageDecoder time is its decode and copy, before the copy into wasm memory a worker would need.
// Prints a table and writes e2e/decode-bench-results.json.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchBrowser } from './browser.mjs';
import { E2E_DIR, REPO_ROOT, fluocount } from './native.mjs';
import { serve } from './serve.mjs';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 9;
const WASM = path.join(REPO_ROOT, 'target', 'wasm32-unknown-unknown', 'release', 'examples', 'wasm_stages.wasm');

const WORKER = `
import init, { wasm_decode_ms, wasm_decode_rgba } from './wasm_stages.js';
// Set at once (a message that comes while a top-level await runs would be lost).
const ready = init();
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
onmessage = async ({ data: { files, runs } }) => {
  await ready;
  const out = [];
  for (const name of files) {
    const bytes = new Uint8Array(await (await fetch(name)).arrayBuffer());
    const rust = [], codecs = [];
    let format = null, error = null, theirs = null;
    // Two untimed rounds first, so that both decoders run compiled (wasm tiers up as it runs).
    for (let r = -2; r < runs; r++) {
      const ms = wasm_decode_ms(bytes);
      if (r >= 0) rust.push(ms);
      if (typeof ImageDecoder === 'undefined') { error = 'no ImageDecoder'; continue; }
      try {
        const t = performance.now();
        const dec = new ImageDecoder({ data: bytes, type: 'image/png', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        const { image } = await dec.decode();
        format = image.format;
        theirs = new Uint8Array(image.allocationSize({ format: 'RGBA' }));
        await image.copyTo(theirs, { format: 'RGBA' });
        if (r >= 0) codecs.push(performance.now() - t);
        image.close();
        dec.close();
      } catch (e) { error = String(e.message ?? e); }
    }
    const mine = wasm_decode_rgba(bytes);
    let differing = null;
    if (!mine.length) error = 'not 8-bit: the Rust decoder keeps 16 bits, ImageDecoder cannot';
    else if (theirs) {
      differing = mine.length === theirs.length ? 0 : -1;
      if (differing === 0) for (let i = 0; i < mine.length; i++) if (mine[i] !== theirs[i]) differing++;
    }
    out.push({ name, bytes: bytes.length, rust_ms: median(rust.filter((v) => !Number.isNaN(v))), webcodecs_ms: codecs.length ? median(codecs) : null,
      webcodecs_format: format, differing_bytes: differing, error });
  }
  postMessage(out);
};
`;

async function main() {
  if (!existsSync(WASM)) {
    execFileSync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--example', 'wasm_stages'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluocount-decode-'));
  try {
    execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', dir, WASM], { stdio: 'inherit' });
    writeFileSync(path.join(dir, 'worker.js'), WORKER);
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>decode bench</title>');
    const files = [];
    const synth = path.join(REPO_ROOT, 'target', 'batch-bench', 'images', 'synth-0001.png');
    if (!existsSync(synth)) await fluocount(['synth', '--seed', '1', '--out', path.join(dir, 'synth.png')]);
    else copyFileSync(synth, path.join(dir, 'synth.png'));
    files.push('synth.png');
    const samples = path.join(REPO_ROOT, 'tests', 'data', 'fluocells');
    for (const c of readdirSync(samples, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const sub of ['images', 'masks']) {
        const d = path.join(samples, c.name, sub);
        if (!existsSync(d)) continue;
        for (const f of readdirSync(d).filter((f) => f.endsWith('.png'))) {
          const name = `${c.name}-${sub}-${f}`;
          copyFileSync(path.join(d, f), path.join(dir, name));
          files.push(name);
        }
      }
    }
    const srv = await serve(dir, { port: 0 });
    const browser = await launchBrowser({ defaultTimeout: 300_000 });
    let results;
    try {
      const page = await browser.context.newPage();
      await page.goto(srv.url);
      results = await page.evaluate(({ files, runs }) => new Promise((resolve, reject) => {
        const w = new Worker('worker.js', { type: 'module' });
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => reject(new Error(e.message));
        w.postMessage({ files, runs });
      }), { files, runs: RUNS });
    } finally {
      await browser.close();
      await srv.close();
    }
    console.log('file | size | Rust (wasm) ms | ImageDecoder ms | format | differing bytes');
    for (const r of results) {
      console.log(`${r.name} | ${(r.bytes / 1048576).toFixed(2)} MiB | ${r.rust_ms.toFixed(1)} | ` +
        `${r.webcodecs_ms?.toFixed(1) ?? '-'} | ${r.webcodecs_format ?? '-'} | ${r.error ?? r.differing_bytes}`);
    }
    const out = { runs: RUNS, note: 'median ms per decode in a worker, pixels as 8-bit RGBA', results };
    writeFileSync(path.join(E2E_DIR, 'decode-bench-results.json'), JSON.stringify(out, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`decode-bench: ${e.message}`);
  process.exitCode = 1;
});
