// Shared steps of the tests that build up a piece of work and check it comes back (a project
// opened, the work kept in the browser): the image list, clicks and regions on the image, and
// what must be the same afterwards.

import { assert, tid } from './helpers.mjs';

/** The image list as text (name, description, count, F1, mask) per item, once all are counted. */
export function countedItems(app, n) {
  return app.until(
    `${n} counted image items`,
    ({ sel, n }) => {
      const els = [...document.querySelectorAll(sel)];
      if (els.length !== n || els.some((e) => !e.getAttribute('data-count'))) return false;
      return { list: els.map((e) => e.textContent.trim()) };
    },
    { sel: tid('image-item'), n },
  ).then((v) => v.list);
}

/** Clicks at image point (x, y); the view must show it. */
export async function clickImage(app, page, x, y) {
  const box = await app.viewport();
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const r0 = await app.hover(centre.x, centre.y);
  const z = await page.$eval(tid('viewer'), (c) => Number(/scale\(([^)]+)\)/.exec(c.style.transform)?.[1]));
  await page.mouse.click(centre.x + (x - r0.x) * z, centre.y + (y - r0.y) * z);
  await app.frames(2);
}

/**
 * Draws a rectangle region over image points (x0, y0)-(x1, y1) with the whole image fitted in
 * view (key `0`, then the rectangle tool `r`), and waits for its row.
 */
export async function drawRectangle(app, page, [x0, y0, x1, y1]) {
  await app.key('0');
  await app.key('r');
  const box = await app.viewport();
  const centre = await app.hover(box.x + box.width / 2, box.y + box.height / 2);
  const z = await app.zoom();
  const toScreen = (x, y) => [box.x + box.width / 2 + (x - centre.x - 0.5) * z, box.y + box.height / 2 + (y - centre.y - 0.5) * z];
  const [sx0, sy0] = toScreen(x0, y0);
  const [sx1, sy1] = toScreen(x1, y1);
  await page.mouse.move(Math.max(sx0, box.x + 1), Math.max(sy0, box.y + 1));
  await page.mouse.down();
  await page.mouse.move(sx1, Math.min(sy1, box.y + box.height - 1), { steps: 8 });
  await page.mouse.up();
  await app.waitFor(tid('roi-row'));
}

/** What must come back: the list of `n` images, the headline and its label, F1, the region count, parameters. */
export async function workSnapshot(app, page, n = 2) {
  return {
    items: await countedItems(app, n),
    count: await app.text('count', /^\d+$/),
    label: await app.text('count-label'),
    f1: await app.text('m-f1', /^[\d.]+/),
    roi: await app.text('roi-count', /^\d+$/),
    params: await page.textContent(tid('params-text')),
  };
}

/** Waits until the image list is `before`'s again. */
export function sameItems(app, before, what = 'the same image list (names, counts, F1, mask)') {
  return app.until(
    what,
    ({ sel, want }) => JSON.stringify([...document.querySelectorAll(sel)].map((e) => e.textContent.trim())) === want,
    { sel: tid('image-item'), want: JSON.stringify(before.items) },
  );
}

/** Waits until the page shows `before` again, and checks all of it. */
export async function sameWork(app, page, before) {
  await sameItems(app, before);
  await app.text('count', new RegExp(`^${before.count}$`));
  assert.deepEqual(await workSnapshot(app, page), before);
}
