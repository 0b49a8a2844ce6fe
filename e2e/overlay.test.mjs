// The overlays really draw on the viewer canvas where the cells are, and nowhere else.

import { readFileSync } from 'node:fs';
import { WAIT_MS, appTest, assert, dropFiles } from './helpers.mjs';
import { syntheticFixture } from './fixtures.mjs';

const synthetic = syntheticFixture({ seed: 7, cells: 25, touching: 0, name: 'synthetic.png' });

/**
 * Decodes the true mask in the page and returns, per true cell, its centroid (a mask pixel) and a
 * ring of points just around its edge, plus background points at least `margin` pixels from any
 * cell.
 */
async function truthPoints(page, truthPng, margin = 12) {
  return page.evaluate(
    async ({ b64, margin }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const { width: w, height: h } = bitmap;
      const ctx = new OffscreenCanvas(w, h).getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const rgba = ctx.getImageData(0, 0, w, h).data;
      const on = new Uint8Array(w * h);
      for (let i = 0; i < w * h; i++) on[i] = rgba[4 * i] === 255 ? 1 : 0;

      // 8-connected components of the mask.
      const seen = new Uint8Array(w * h);
      const cells = [];
      for (let start = 0; start < w * h; start++) {
        if (!on[start] || seen[start]) continue;
        const stack = [start];
        seen[start] = 1;
        const px = [];
        while (stack.length) {
          const p = stack.pop();
          px.push(p);
          const x = p % w, y = (p - x) / w;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx, ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            const q = ny * w + nx;
            if (on[q] && !seen[q]) { seen[q] = 1; stack.push(q); }
          }
        }
        let sx = 0, sy = 0;
        for (const p of px) { sx += p % w; sy += Math.floor(p / w); }
        let cx = Math.round(sx / px.length), cy = Math.round(sy / px.length);
        if (!on[cy * w + cx]) {
          // A concave cell: take its pixel nearest to the centroid.
          let best = px[0], bd = Infinity;
          for (const p of px) {
            const d = (p % w - cx) ** 2 + (Math.floor(p / w) - cy) ** 2;
            if (d < bd) { bd = d; best = p; }
          }
          cx = best % w; cy = Math.floor(best / w);
        }
        // Edge band: mask pixels with a background neighbour, and background pixels next to them
        // (an outline may be drawn on either side of the edge).
        const edge = [];
        for (const p of px) {
          const x = p % w, y = Math.floor(p / w);
          for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
            const nx = x + dx, ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            if (!on[ny * w + nx]) { edge.push([x, y], [nx, ny]); break; }
          }
        }
        cells.push({ centroid: [cx, cy], area: px.length, edge });
      }

      // Background: a grid of points with no mask pixel within `margin`.
      const background = [];
      const step = Math.max(8, Math.floor(Math.min(w, h) / 24));
      for (let y = margin; y < h - margin; y += step) {
        for (let x = margin; x < w - margin; x += step) {
          let near = false;
          for (let dy = -margin; dy <= margin && !near; dy++) {
            for (let dx = -margin; dx <= margin; dx++) {
              if (on[(y + dy) * w + x + dx]) { near = true; break; }
            }
          }
          if (!near) background.push([x, y]);
        }
      }
      return { width: w, height: h, cells, background };
    },
    { b64: readFileSync(truthPng).toString('base64'), margin },
  );
}

const differs = (a, b) => a.some((v, i) => v !== b[i]);

/** Polls the canvas until `ok(pixels)` holds or WAIT_MS passes; resolves to the last pixels. */
async function pixelsUntil(app, points, ok) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await app.frames(2);
    const px = await app.guard('the viewer canvas', app.pixels(points));
    if (ok(px) || Date.now() > deadline) return px;
    await new Promise((r) => setTimeout(r, 100));
  }
}

appTest('the overlays change the canvas on the cells, not on the background', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: synthetic.file }]);
  await app.count();
  const truth = await truthPoints(page, synthetic.truth);
  assert.equal(truth.cells.length, synthetic.cells, 'cells in truth.png != cells reported by fluocount synth');
  assert.ok(truth.background.length >= 20, `only ${truth.background.length} background points far from the cells`);
  await app.viewerSize(truth.width, truth.height);

  const centroids = truth.cells.map((c) => c.centroid);
  const edges = truth.cells.flatMap((c) => c.edge);
  const points = [...centroids, ...edges, ...truth.background];
  const nc = centroids.length, ne = edges.length;
  const split = (px) => ({ centroids: px.slice(0, nc), edges: px.slice(nc, nc + ne), background: px.slice(nc + ne) });

  // Plain image.
  await app.setCheckbox('overlay-fill', false);
  await app.setCheckbox('overlay-outline', false);
  await app.frames(3);
  const plain = split(await app.pixels(points));

  // The fill covers the cells: every centroid changes.
  await app.setCheckbox('overlay-fill', true);
  const filled = split(
    await pixelsUntil(app, points, (px) => split(px).centroids.every((p, i) => differs(p, plain.centroids[i]))),
  );
  const unchanged = filled.centroids.map((p, i) => (differs(p, plain.centroids[i]) ? null : centroids[i])).filter(Boolean);
  assert.deepEqual(unchanged, [], `with the fill overlay on, these cell centroids kept their pixels (plain ${JSON.stringify(plain.centroids[0])})`);
  const bgFill = truth.background.filter((_, i) => differs(filled.background[i], plain.background[i]));
  assert.deepEqual(bgFill, [], 'the fill overlay changed background pixels far from any cell');

  // The outline is drawn at each cell's edge: some edge pixel of every cell changes.
  await app.setCheckbox('overlay-fill', false);
  await app.setCheckbox('overlay-outline', true);
  const cellOutlined = (px) => {
    const e = split(px).edges;
    let k = 0;
    return truth.cells.map((c) => {
      const changed = c.edge.some((_, j) => differs(e[k + j], plain.edges[k + j]));
      k += c.edge.length;
      return changed;
    });
  };
  const outlined = await pixelsUntil(app, points, (px) => cellOutlined(px).every(Boolean));
  const missed = truth.cells.filter((_, i) => !cellOutlined(outlined)[i]).map((c) => c.centroid);
  assert.deepEqual(missed, [], 'with the outline overlay on, no pixel changed at the edge of these cells');
  const bgOutline = truth.background.filter((_, i) => differs(split(outlined).background[i], plain.background[i]));
  assert.deepEqual(bgOutline, [], 'the outline overlay changed background pixels far from any cell');

  // Both off again: back to the plain image.
  await app.setCheckbox('overlay-outline', false);
  const again = split(await pixelsUntil(app, points, (px) => !differs(px.flat(), [...plain.centroids, ...plain.edges, ...plain.background].flat())));
  assert.deepEqual(again.centroids, plain.centroids, 'turning the overlays off did not restore the cell pixels');
});

appTest('the fill colour and opacity settings paint the cells in that colour', async ({ app, page }) => {
  await dropFiles(page, null, [{ path: synthetic.file }]);
  const count = await app.count();
  const truth = await truthPoints(page, synthetic.truth);
  const centroids = truth.cells.map((c) => c.centroid);
  await app.setCheckbox('overlay-outline', false);
  const setValue = (id, value) =>
    page.evaluate(
      ([id, value]) => {
        const el = document.querySelector(`[data-testid="${id}"]`);
        el.value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      },
      [id, value],
    );
  await setValue('fill-colour', '#00ff00');
  await setValue('fill-opacity', '100');
  const px = await pixelsUntil(app, centroids, (p) => p.every((c) => c[0] === 0 && c[1] === 255 && c[2] === 0));
  const wrong = px.filter((c) => !(c[0] === 0 && c[1] === 255 && c[2] === 0));
  assert.deepEqual(wrong, [], 'with an opaque green fill, cell centroids are not pure green');
  assert.equal(await app.count(), count, 'display settings changed the count');
});
