// The native command line (`cargo run --release --bin fluocount`), which gives the expected
// answers, and the real samples. No node:test in here: bench.mjs uses it too.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..');

/** A real sample from the repository's fixtures (tests/data/fluocells, with their attribution). */
export function sample(rel) {
  const p = path.join(REPO_ROOT, 'tests', 'data', 'fluocells', rel);
  if (!existsSync(p)) throw new Error(`sample ${rel} not found under tests/data/fluocells`);
  return p;
}

/** Runs `cargo run --release --bin fluocount -- ARGS` in the repository; resolves to stdout. */
export function fluocount(args, { timeout = 20 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'cargo',
      ['run', '--quiet', '--release', '--bin', 'fluocount', '--', ...args],
      { cwd: REPO_ROOT, timeout, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`fluocount ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stderr}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** Writes a synthetic image (and its truth mask) with the native CLI; resolves to the cell count. */
export async function synth({ out, truth, seed = 7, cells, touching, extra = [] }) {
  const args = ['synth', '--seed', String(seed)];
  if (cells !== undefined) args.push('--cells', String(cells));
  if (touching !== undefined) args.push('--touching', String(touching));
  args.push(...extra, '--out', out);
  if (truth) args.push('--truth', truth);
  const stdout = await fluocount(args);
  const n = Number.parseInt(stdout.trim().split('\n').pop(), 10);
  assert.ok(Number.isInteger(n), `fluocount synth printed no cell count: ${JSON.stringify(stdout)}`);
  return n;
}

/**
 * Counts `file` with the native CLI (the automatic preset, as the page's default); resolves to
 * `{count, level, width, height, collection, params}`.
 */
export async function nativeCount(file) {
  const stdout = await fluocount(['count', file]);
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const params = (lines.find((l) => l.startsWith('#')) ?? '').replace(/^#\s*/, '');
  const rows = lines.filter((l) => !l.startsWith('#'));
  const header = rows[0]?.split(',') ?? [];
  assert.deepEqual(
    header,
    ['file', 'width', 'height', 'collection', 'count', 'level', 'ms'],
    `unexpected CSV header in:\n${stdout}`,
  );
  assert.equal(rows.length, 2, `expected one CSV row for ${file}, got:\n${stdout}`);
  // The file name comes first and may contain commas: read the numbers from the right.
  const cells = rows[1].split(',');
  const [width, height, collection, count, level] = cells.slice(-6, -1);
  assert.ok(/^\d+$/.test(count), `no integer count in: ${rows[1]}`);
  return {
    count: Number(count),
    level: /^\d+$/.test(level) ? Number(level) : level,
    width: Number(width),
    height: Number(height),
    collection,
    params,
  };
}

