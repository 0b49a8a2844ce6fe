// Takes the README screenshot: the release build with the real yellow samples and their masks
// loaded (scored, TP/FP/FN overlay), numbers on and the objects table open, at 1280x720.
// Usage: node e2e/screenshot.mjs [OUT.png]   (default docs/screenshot.png)

import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { REPO_ROOT, sample } from './native.mjs';
import { serve } from './serve.mjs';

const out = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, 'docs', 'screenshot.png'));
const server = await serve(process.env.FLUOCOUNT_DIST ?? path.join(REPO_ROOT, 'dist'));
const { context, close } = await launchBrowser();
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(server.url);
  await page.setInputFiles('[data-testid="file-input"]', [
    sample('yellow/images/Mar24bS1C2R3_LHl_200x.png'),
    sample('yellow/images/Mar23bS1C2R3_VLPAGr_200x.png'),
  ]);
  await page.locator('[data-testid="image-item"]').nth(1).waitFor();
  // The masks, named as the pairing expects (same stem with a _mask suffix).
  const { readFileSync } = await import('node:fs');
  await page.setInputFiles('[data-testid="file-input"]', [
    { name: 'Mar24bS1C2R3_LHl_200x_mask.png', mimeType: 'image/png', buffer: readFileSync(sample('yellow/masks/Mar24bS1C2R3_LHl_200x.png')) },
    { name: 'Mar23bS1C2R3_VLPAGr_200x_mask.png', mimeType: 'image/png', buffer: readFileSync(sample('yellow/masks/Mar23bS1C2R3_VLPAGr_200x.png')) },
  ]);
  await page.waitForSelector('[data-testid="pooled-metrics"]');
  await page.waitForSelector('[data-testid="count"]');
  await page.locator('[data-testid="image-item"]').nth(1).waitFor();
  // The workbench as a person uses it: numbers on, the objects table open, one object chosen.
  await page.locator('[data-testid="overlay-numbers"]').check();
  await page.click('[data-testid="objects-drawer"] > summary');
  await page.click('[data-testid="object-row"][data-label="2"]');
  await page.click('[data-testid="zoom-fit"]');
  await page.mouse.move(20, 700);
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  console.log(`screenshot written to ${out}`);
} finally {
  await close();
  await server.close();
}
