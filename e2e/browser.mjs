// Launching Debian's Chromium with playwright-core, exactly as the toolchain notes say. No
// node:test in here: bench.mjs uses it too.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags from toolchain.md: headless, no sandbox (root in CI), and no network of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Debian's Chromium on a fresh profile, as toolchain.md says. Resolves to
 * `{context, profile, close}`; `close` also removes the profile directory.
 */
export async function launchBrowser({ defaultTimeout = 30_000, extraArgs = [] } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (installs Debian's chromium)`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'fluocount-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(defaultTimeout);
  return {
    context,
    profile,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `page` and records every uncaught exception and console error. `failed` rejects as soon
 * as the first one happens, so a wait can stop at once instead of timing out.
 */
export function watchErrors(page, { allow = [] } = {}) {
  const errors = [];
  let reject;
  const failed = new Promise((_, r) => (reject = r));
  failed.catch(() => {}); // handled by whoever races it
  const record = (text) => {
    if (allow.some((re) => re.test(text))) return;
    errors.push(text);
    reject(new Error(`the page reported an error: ${text}`));
  };
  page.on('pageerror', (e) => record(`pageerror: ${e.stack ?? e.message ?? e}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      record(`console.error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('crash', () => record('the page crashed'));
  return { errors, failed };
}

/**
 * Drops files or folders from the disk on the page as the operating system does: Chromium's own
 * drag-and-drop (CDP `Input.dispatchDragEvent` with the paths), so that a folder arrives as a
 * directory entry (`webkitGetAsEntry`), which a `DataTransfer` built in the page cannot hold.
 * The drop lands at (x, y) in the viewport; `cdp` is a CDP session of the page to use (one is
 * opened, and closed after, without it).
 */
export async function dropPaths(page, paths, { x = 400, y = 300, cdp = null } = {}) {
  const session = cdp ?? (await page.context().newCDPSession(page));
  try {
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop']) {
      await session.send('Input.dispatchDragEvent', { type, x, y, data });
    }
  } finally {
    if (!cdp) await session.detach();
  }
}
