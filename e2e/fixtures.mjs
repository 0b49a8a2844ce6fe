// Test images: synthetic ones written by the native CLI at test time (with their true masks and
// the native counts), and the real samples.

import path from 'node:path';
import { before, nativeCount, sample, synth, tempDir } from './helpers.mjs';

/** The real sample every test uses (tests/data/fluocells, or the shared data folder). */
export const REAL_SAMPLE = 'yellow/images/Mar24bS1C2R3_LHl_200x.png';

/**
 * Registers a `before` hook that writes a synthetic image with `fluocount synth` and counts it with
 * `fluocount count`. The returned object is filled in by the time the tests run:
 * `{file, truth, cells, native: {count, level, width, height, params}}`. `extra` are more
 * `fluocount synth` arguments, e.g. `['--gray16']`.
 */
export function syntheticFixture({ seed = 7, cells = 25, touching = 0, name, extra = [] } = {}) {
  const fx = {};
  const dir = tempDir();
  before(async () => {
    fx.file = path.join(dir, name ?? `synthetic-${seed}.png`);
    fx.truth = path.join(dir, `truth-${seed}.png`);
    fx.cells = await synth({ out: fx.file, truth: fx.truth, seed, cells, touching, extra });
    fx.native = await nativeCount(fx.file);
  });
  return fx;
}

/** Registers a `before` hook that counts a real sample natively: `{file, native}`. */
export function sampleFixture(rel = REAL_SAMPLE) {
  const fx = {};
  before(async () => {
    fx.file = sample(rel);
    fx.native = await nativeCount(fx.file);
  });
  return fx;
}
