//! Marker-controlled watershed with watershed lines, and the splitting of touching objects.
//!
//! [`watershed`] is Meyer's priority flood (F. Meyer, "Un algorithme optimal de ligne de partage
//! des eaux", 8e congrès AFCET, 1991): basins grow from the markers, lowest surface first, ties in
//! insertion order. A pixel is given a basin when it leaves the queue. If its 8 neighbours already
//! hold two different basins, it becomes a watershed line instead. Basins grow through edge (4-)
//! neighbours only. So no two basins touch, even diagonally, and each basin is 4-connected:
//! labelling the result with either connectivity gives one object per marker.
//!
//! [`split_touching`] is the analogue of ImageJ's Process > Binary > Watershed (`EDM` with
//! `MaximumFinder`): seeds are the maxima of the Euclidean distance map found as ImageJ does, with
//! a prominence on its corrected EDM heights ([`crate::imaging::maxima::find_distance_maxima`]). The basins
//! are flooded on the inverted map. It differs from ImageJ in four ways. Pixels outside the image
//! are background for the distance map; ImageJ's Watershed passes `edgesAreBackground = false`.
//! Seeds closer than a minimum distance are dropped. Seeds are single pixels, where ImageJ seeds
//! with the whole area within the prominence of each maximum. And the flood is a priority queue on
//! the exact distances, where ImageJ dilates level by level on an 8-bit copy of the map. So lines
//! can lie a pixel away from ImageJ's.

use crate::imaging::{
    bitmask::BitMask,
    distance::{EdtScratch, FloatPlane, squared_edt},
    label::{Connectivity, label},
    maxima::{Grid, MaximaScratch, Maximum, edm_heights, find_maxima, thin_maxima},
};

/// The basin of every pixel of `mask`: `k + 1` for the basin of `markers[k]`, 0 for background,
/// watershed lines and mask pixels no basin reached. Floods `surface` from low to high.
///
/// A marker outside the mask, or on or next to (8-neighbours) an earlier marker, is skipped: its
/// basin stays empty.
///
/// # Panics
/// If the surface and mask differ in size, or a marker lies outside the image.
pub fn watershed(surface: &FloatPlane, mask: &BitMask, markers: &[(u32, u32)]) -> Vec<u32> {
    let (w, h) = (surface.width as usize, surface.height as usize);
    assert_eq!(
        (surface.width, surface.height),
        (mask.width(), mask.height()),
        "surface and mask sizes differ"
    );
    // A ring of outside pixels around the image spares the bounds checks.
    let pw = w + 2;
    let mut inside = vec![false; pw * (h + 2)];
    let mut order = Vec::new();
    for y in 0..h {
        for x in 0..w {
            if mask.get(x as u32, y as u32) {
                inside[(y + 1) * pw + x + 1] = true;
                order.push((y * w + x) as u32);
            }
        }
    }
    // The flood runs on ranks: equal values share one.
    order.sort_by(|&a, &b| surface.data[a as usize].total_cmp(&surface.data[b as usize]));
    let mut levels = vec![0u32; pw * (h + 2)];
    let mut rank = 0u32;
    for (k, &i) in order.iter().enumerate() {
        let i = i as usize;
        if k > 0
            && surface.data[order[k - 1] as usize]
                .total_cmp(&surface.data[i])
                .is_ne()
        {
            rank += 1;
        }
        levels[(i / w + 1) * pw + i % w + 1] = rank;
    }
    let seeds: Vec<usize> = markers
        .iter()
        .map(|&(x, y)| {
            assert!(
                x < surface.width && y < surface.height,
                "marker outside image"
            );
            (y as usize + 1) * pw + x as usize + 1
        })
        .collect();
    let mut labels = Vec::new();
    flood(
        &levels,
        rank as usize + 1,
        &inside,
        pw,
        &seeds,
        &mut labels,
        &mut FloodScratch::default(),
    );
    let mut out = vec![0u32; w * h];
    for y in 0..h {
        let row = (y + 1) * pw + 1;
        out[y * w..(y + 1) * w].copy_from_slice(&labels[row..row + w]);
    }
    out
}

/// Settings of [`split_touching`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitOptions {
    /// How far, in pixels of distance, a maximum of the distance map must stand above the saddle
    /// to a higher one (ImageJ's Find Maxima "prominence >"; ImageJ's Watershed uses 0.5).
    pub prominence: f32,
    /// Seeds closer than this (pixels, Euclidean, inclusive) to a higher seed are dropped.
    pub min_distance: f32,
    /// Seeds less deep than this in the object (the distance map's value, in pixels) are dropped
    /// before thinning (0 = every seed): a thin part is never cut off as an object of its own.
    pub min_seed_radius: f32,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            prominence: 0.5,
            min_distance: 10.0,
            min_seed_radius: 0.0,
        }
    }
}

/// `mask` with watershed lines cut between touching objects, as ImageJ's Process > Binary >
/// Watershed.
///
/// Each 8-connected component is handled on its own bounding box. Seeds are the maxima of its
/// Euclidean distance map with `opts.prominence` ([`crate::imaging::maxima::find_distance_maxima`]), thinned to
/// `opts.min_distance` ([`thin_maxima`]). A component with fewer than two seeds is left as it is.
/// Otherwise basins are flooded from the seeds on the inverted distance map ([`watershed`]), and
/// the lines between them become background, so that labelling with either connectivity gives
/// one object per seed. Component pixels that no basin reaches (pockets enclosed by lines) become
/// background too.
pub fn split_touching(mask: &BitMask, opts: &SplitOptions) -> BitMask {
    let comps = label(mask, Connectivity::Eight);
    let mut out = mask.clone();
    let n = comps.count as usize;
    // Bounding boxes and, by counting sort, the runs of each component.
    let mut boxes = vec![(u32::MAX, u32::MAX, 0u32, 0u32); n];
    let mut first = vec![0usize; n + 1];
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let b = &mut boxes[l as usize - 1];
        *b = (
            b.0.min(run.x0),
            b.1.min(run.y),
            b.2.max(run.x1),
            b.3.max(run.y + 1),
        );
        first[l as usize] += 1;
    }
    for l in 0..n {
        first[l + 1] += first[l];
    }
    let mut fill = first.clone();
    let mut order = vec![0usize; comps.runs.len()];
    for (r, &l) in comps.labels.iter().enumerate() {
        order[fill[l as usize - 1]] = r;
        fill[l as usize - 1] += 1;
    }

    let min_d2 = f64::from(opts.min_distance.max(0.0)).powi(2);
    let mut s = SplitScratch::default();
    for (l, &(x0, y0, x1, y1)) in boxes.iter().enumerate() {
        let (bw, bh) = (x1 - x0, y1 - y0);
        // No two pixels of the box are more than min_distance apart: at most one seed.
        let diagonal2 = f64::from(bw - 1).powi(2) + f64::from(bh - 1).powi(2);
        if diagonal2 <= min_d2 {
            continue;
        }
        // The component alone on its box plus a ring of background. Everything off the component
        // is background: its distances are those of the whole mask, because the pixel nearest to
        // a component pixel outside its (8-connected) component is never foreground.
        let (pw, ph) = (bw as usize + 2, bh as usize + 2);
        s.inside.clear();
        s.inside.resize(pw * ph, false);
        for &r in &order[first[l]..first[l + 1]] {
            let run = comps.runs[r];
            let row = (run.y - y0 + 1) as usize * pw + 1;
            s.inside[row + (run.x0 - x0) as usize..row + (run.x1 - x0) as usize].fill(true);
        }
        s.squared.resize(pw * ph, 0);
        squared_edt(&s.inside, pw, ph, &mut s.squared, &mut s.edt);
        s.distance.clear();
        s.distance
            .extend(s.squared.iter().map(|&d| (d as f32).sqrt()));

        // ImageJ's EDM heights; it keeps the raw value on the image's edge pixels.
        let (iw, ih) = (mask.width(), mask.height());
        edm_heights(
            &s.distance,
            pw,
            |px, py| {
                let (x, y) = (x0 + px as u32 - 1, y0 + py as u32 - 1);
                x == 0 || y == 0 || x == iw - 1 || y == ih - 1
            },
            &mut s.heights,
        );
        let grid = Grid {
            values: &s.distance,
            heights: &s.heights,
            inside: &s.inside,
            pw,
            // The ring is at 0, the minimum, as the background of ImageJ's EDM.
            global_min: 0.0,
            global_max: s.distance.iter().copied().fold(0.0, f32::max),
            edm: true,
        };
        s.found.clear();
        grid.maxima(opts.prominence, &mut s.maxima, &mut s.found);
        if s.found.len() < 2 {
            continue;
        }
        let found: Vec<Maximum> = s
            .found
            .iter()
            .filter(|&&i| s.distance[i] >= opts.min_seed_radius)
            .map(|&i| Maximum {
                x: (i % pw) as u32,
                y: (i / pw) as u32,
                value: s.heights[i],
            })
            .collect();
        let seeds: Vec<usize> = thin_maxima(&found, opts.min_distance)
            .iter()
            .map(|m| m.y as usize * pw + m.x as usize)
            .collect();
        if seeds.len() < 2 {
            continue;
        }

        // Deepest first: the level is how far below the top a pixel's squared distance is, so the
        // order is that of the inverted distance map.
        let top = s.squared.iter().copied().max().unwrap_or(0);
        s.levels.clear();
        s.levels.extend(s.squared.iter().map(|&d| top - d));
        flood(
            &s.levels,
            top as usize + 1,
            &s.inside,
            pw,
            &seeds,
            &mut s.labels,
            &mut s.flood,
        );
        for (i, (&ins, &lab)) in s.inside.iter().zip(&s.labels).enumerate() {
            if ins && lab == 0 {
                let (px, py) = ((i % pw) as u32, (i / pw) as u32);
                out.set(x0 + px - 1, y0 + py - 1, false);
            }
        }
    }
    out
}

/// `mask` with watershed lines cut between touching objects on the image's own brightness:
/// CellProfiler's "Intensity" declumping (IdentifyPrimaryObjects), for cells that are brightest
/// in their middle but whose outline is not round enough for the distance map to split.
///
/// Seeds are the maxima of `surface` (the image smoothed at a fraction of the cell size) inside
/// the mask with `prominence` in its units ([`find_maxima`], ImageJ's Find Maxima), thinned to
/// `min_distance` ([`thin_maxima`]). Basins flood the inverted surface from the seeds
/// ([`watershed`]); the lines between them, and the pixels of a seeded component that no basin
/// reached, become background. A component without a seed is left whole.
///
/// # Panics
/// If the surface and mask differ in size.
pub fn split_by_intensity(
    mask: &BitMask,
    surface: &FloatPlane,
    prominence: f32,
    min_distance: f32,
) -> BitMask {
    let seeds = thin_maxima(&find_maxima(surface, mask, prominence), min_distance);
    if seeds.len() < 2 {
        return mask.clone();
    }
    let w = mask.width() as usize;
    let inverted = FloatPlane::from_vec(
        surface.width,
        surface.height,
        surface.data.iter().map(|&v| -v).collect(),
    );
    let markers: Vec<(u32, u32)> = seeds.iter().map(|m| (m.x, m.y)).collect();
    let basins = watershed(&inverted, mask, &markers);
    // Components (8-connected) that hold a seed.
    let comps = label(mask, Connectivity::Eight);
    let mut component = vec![0u32; basins.len()];
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let row = run.y as usize * w;
        component[row + run.x0 as usize..row + run.x1 as usize].fill(l);
    }
    let mut seeded = vec![false; comps.count as usize + 1];
    for &(x, y) in &markers {
        seeded[component[y as usize * w + x as usize] as usize] = true;
    }
    let mut out = mask.clone();
    for (i, (&b, &c)) in basins.iter().zip(&component).enumerate() {
        if c != 0 && b == 0 && seeded[c as usize] {
            out.set((i % w) as u32, (i / w) as u32, false);
        }
    }
    out
}

/// Reusable buffers of [`split_touching`], one component after another.
#[derive(Default)]
struct SplitScratch {
    inside: Vec<bool>,
    squared: Vec<u32>,
    distance: Vec<f32>,
    heights: Vec<f32>,
    levels: Vec<u32>,
    labels: Vec<u32>,
    found: Vec<usize>,
    edt: EdtScratch,
    maxima: MaximaScratch,
    flood: FloodScratch,
}

/// Reusable buffers of [`flood`]: a bucket queue, one FIFO list per level, linked through `next`.
#[derive(Default)]
struct FloodScratch {
    head: Vec<u32>,
    tail: Vec<u32>,
    next: Vec<u32>,
    queued: Vec<bool>,
}

const NONE: u32 = u32::MAX;

/// The queue of [`flood`]: lowest level first, first queued first within a level (the order of a
/// priority queue keyed on (level, insertion count), in O(1) per pixel).
struct BucketQueue<'a> {
    s: &'a mut FloodScratch,
    levels: &'a [u32],
    /// No level below this one holds a pixel.
    low: usize,
}

impl BucketQueue<'_> {
    fn push(&mut self, i: usize) {
        let s = &mut *self.s;
        let l = self.levels[i] as usize;
        s.queued[i] = true;
        s.next[i] = NONE;
        match s.tail[l] {
            NONE => s.head[l] = i as u32,
            t => s.next[t as usize] = i as u32,
        }
        s.tail[l] = i as u32;
        self.low = self.low.min(l);
    }

    fn pop(&mut self) -> Option<usize> {
        let s = &mut *self.s;
        while self.low < s.head.len() && s.head[self.low] == NONE {
            self.low += 1;
        }
        let i = *s.head.get(self.low)? as usize;
        s.head[self.low] = s.next[i];
        if s.next[i] == NONE {
            s.tail[self.low] = NONE;
        }
        Some(i)
    }
}

/// The priority flood on a padded grid (every pixel of the outer ring outside), lowest level first
/// (`levels[i] < n_levels`). Writes basins (1-based, in seed order; 0 for lines, outside and
/// unreached) into `labels`.
fn flood(
    levels: &[u32],
    n_levels: usize,
    inside: &[bool],
    pw: usize,
    seeds: &[usize],
    labels: &mut Vec<u32>,
    s: &mut FloodScratch,
) {
    let n = levels.len();
    labels.clear();
    labels.resize(n, 0);
    s.queued.clear();
    s.queued.resize(n, false);
    s.next.resize(n, NONE);
    s.head.clear();
    s.head.resize(n_levels, NONE);
    s.tail.clear();
    s.tail.resize(n_levels, NONE);
    let pw_i = pw as isize;
    let edge: [isize; 4] = [-pw_i, 1, pw_i, -1];
    let all: [isize; 8] = [-pw_i - 1, -pw_i, -pw_i + 1, -1, 1, pw_i - 1, pw_i, pw_i + 1];
    let at = |i: usize, d: isize| i.wrapping_add_signed(d);

    let mut placed = Vec::with_capacity(seeds.len());
    for (k, &seed) in seeds.iter().enumerate() {
        let taken = labels[seed] != 0 || all.iter().any(|&d| labels[at(seed, d)] != 0);
        if inside[seed] && !taken {
            labels[seed] = k as u32 + 1;
            s.queued[seed] = true;
            placed.push(seed);
        }
    }
    let mut queue = BucketQueue {
        s,
        levels,
        low: n_levels,
    };
    for &seed in &placed {
        for &d in &edge {
            let q = at(seed, d);
            if inside[q] && !queue.s.queued[q] {
                queue.push(q);
            }
        }
    }
    while let Some(p) = queue.pop() {
        // It was queued by a labelled edge neighbour, so it sees at least one basin.
        let mut basin = 0u32;
        let mut line = false;
        for &d in &all {
            let l = labels[at(p, d)];
            if l != 0 {
                if basin == 0 {
                    basin = l;
                } else if l != basin {
                    line = true;
                    break;
                }
            }
        }
        if line {
            continue;
        }
        labels[p] = basin;
        for &d in &edge {
            let q = at(p, d);
            if inside[q] && !queue.s.queued[q] {
                queue.push(q);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmask;

    fn discs(w: u32, h: u32, discs: &[(f64, f64, f64)]) -> BitMask {
        let mut m = BitMask::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let hit = discs.iter().any(|&(cx, cy, r)| {
                    (f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2) <= r * r
                });
                m.set(x, y, hit);
            }
        }
        m
    }

    fn count(m: &BitMask, c: Connectivity) -> u32 {
        label(m, c).count
    }

    /// The removed pixels, which must all have been foreground.
    fn removed(before: &BitMask, after: &BitMask) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for y in 0..before.height() {
            for x in 0..before.width() {
                assert!(!after.get(x, y) || before.get(x, y), "({x}, {y}) was added");
                if before.get(x, y) && !after.get(x, y) {
                    out.push((x, y));
                }
            }
        }
        out
    }

    #[test]
    fn a_line_where_two_basins_meet() {
        let m = bitmask!["#######"];
        let surface = FloatPlane::from_vec(7, 1, vec![0., 1., 2., 3., 2., 1., 0.]);
        assert_eq!(
            watershed(&surface, &m, &[(0, 0), (6, 0)]),
            vec![1, 1, 1, 0, 2, 2, 2]
        );
        // Flat: first queued, first served, from both sides alike.
        let flat = FloatPlane::new(6, 1);
        let m = bitmask!["######"];
        assert_eq!(
            watershed(&flat, &m, &[(0, 0), (5, 0)]),
            vec![1, 1, 1, 0, 2, 2]
        );
    }

    #[test]
    fn basins_do_not_touch_diagonally_and_grow_through_edges() {
        // Two markers on a 3x3 block: the middle column is the line, corners included.
        let m = bitmask!["###", "###", "###"];
        let flat = FloatPlane::new(3, 3);
        assert_eq!(
            watershed(&flat, &m, &[(0, 1), (2, 1)]),
            vec![1, 0, 2, 1, 0, 2, 1, 0, 2]
        );
        // A diagonal-only neighbour is not reached: basins stay 4-connected.
        let m = bitmask!["#.", ".#"];
        assert_eq!(
            watershed(&FloatPlane::new(2, 2), &m, &[(0, 0)]),
            vec![1, 0, 0, 0]
        );
    }

    #[test]
    fn markers_off_the_mask_or_next_to_another_are_skipped() {
        let m = bitmask!["###.#"];
        let flat = FloatPlane::new(5, 1);
        assert_eq!(
            watershed(&flat, &m, &[(0, 0), (1, 0), (3, 0)]),
            vec![1, 1, 1, 0, 0]
        );
    }

    #[test]
    fn two_overlapping_discs_are_cut_by_one_line() {
        let m = discs(110, 80, &[(40., 40., 18.), (70., 40., 18.)]);
        let out = split_touching(&m, &SplitOptions::default());
        assert_eq!(count(&m, Connectivity::Eight), 1);
        assert_eq!(count(&out, Connectivity::Eight), 2);
        assert_eq!(count(&out, Connectivity::Four), 2);
        // The chord where the discs meet is 2 * sqrt(18² - 15²) ≈ 20 px long, at x = 55.
        let cut = removed(&m, &out);
        assert!((19..=23).contains(&cut.len()), "{} removed", cut.len());
        assert!(cut.iter().all(|&(x, _)| (54..=56).contains(&x)), "{cut:?}");
    }

    #[test]
    fn one_disc_stays_whole_and_identical() {
        let m = discs(60, 50, &[(30., 25., 18.)]);
        assert_eq!(split_touching(&m, &SplitOptions::default()), m);
        // Even with no minimum distance.
        let opts = SplitOptions {
            min_distance: 0.0,
            ..SplitOptions::default()
        };
        assert_eq!(split_touching(&m, &opts), m);
    }

    #[test]
    fn three_discs_in_a_row_give_three() {
        let m = discs(
            140,
            60,
            &[(30., 30., 18.), (60., 30., 18.), (90., 30., 18.)],
        );
        let out = split_touching(&m, &SplitOptions::default());
        assert_eq!(count(&out, Connectivity::Eight), 3);
        assert_eq!(count(&out, Connectivity::Four), 3);
        assert!(removed(&m, &out).len() <= 2 * 23);
    }

    #[test]
    fn an_elongated_ellipse_stays_one_with_enough_prominence() {
        // Semi-axes 60 and 12, tilted by 0.2 rad: the ridge of its distance map ripples.
        let (w, h) = (140u32, 140u32);
        let mut m = BitMask::new(w, h);
        let (c, s) = (0.2f64.cos(), 0.2f64.sin());
        for y in 0..h {
            for x in 0..w {
                let (px, py) = (f64::from(x) - 70.3, f64::from(y) - 70.6);
                let (u, v) = ((c * px + s * py) / 60., (-s * px + c * py) / 12.);
                m.set(x, y, u * u + v * v <= 1.0);
            }
        }
        let opts = |prominence| SplitOptions {
            prominence,
            min_distance: 0.0,
            min_seed_radius: 0.0,
        };
        // Too low a prominence takes the ripples for maxima (ImageJ's Watershed keeps it whole too).
        assert!(count(&split_touching(&m, &opts(0.1)), Connectivity::Eight) > 1);
        assert_eq!(split_touching(&m, &opts(0.5)), m);
        assert_eq!(split_touching(&m, &SplitOptions::default()), m);
    }

    #[test]
    fn seeds_too_shallow_are_not_cut_off_but_two_cells_are() {
        // Two touching cells (radius 18) and a neurite: a 5 px bar with beads of radius 4 along it.
        let mut parts = vec![(40.0, 40.0, 18.0), (72.0, 40.0, 18.0)];
        parts.extend((0..8).map(|k| (100.0 + 12.0 * f64::from(k), 40.0, 4.0)));
        let mut m = discs(210, 80, &parts);
        for x in 88..200 {
            for y in 38..43 {
                m.set(x, y, true);
            }
        }
        let any_seed = SplitOptions::default();
        // Every bead is a seed: the neurite is cut into pieces.
        assert!(count(&split_touching(&m, &any_seed), Connectivity::Eight) > 3);
        let deep = SplitOptions {
            min_seed_radius: 9.0,
            ..any_seed
        };
        let out = split_touching(&m, &deep);
        // The two cells are cut apart; the neurite stays whole (with the second cell).
        assert_eq!(count(&out, Connectivity::Eight), 2);
        assert!(!out.get(56, 40) && out.get(150, 40));
    }

    #[test]
    fn intensity_splits_two_bright_cores_in_one_blob_and_leaves_seedless_ones() {
        // A 40x20 blob with two bright cores (a valley between them), and a flat square.
        let (w, h) = (70u32, 24u32);
        let mut mask = BitMask::new(w, h);
        let mut surface = vec![0f32; (w * h) as usize];
        for y in 2..22 {
            for x in 2..42 {
                mask.set(x, y, true);
                let d = |cx: f32| ((x as f32 - cx).powi(2) + (y as f32 - 12.0).powi(2)).sqrt();
                surface[(y * w + x) as usize] = 100.0 - d(12.0).min(d(32.0)) * 2.0;
            }
            for x in 50..60 {
                mask.set(x, y.min(12), true);
            }
        }
        let surface = FloatPlane::from_vec(w, h, surface);
        let out = split_by_intensity(&mask, &surface, 5.0, 5.0);
        // The blob is cut between its cores; the flat square (one plateau seed) is whole.
        assert_eq!(count(&out, Connectivity::Eight), 3);
        assert!(!out.get(22, 12) && out.get(12, 12) && out.get(32, 12));
        assert!(
            removed(&mask, &out)
                .iter()
                .all(|&(x, _)| (20..=24).contains(&x))
        );
        // Seeds closer than the minimum distance: no cut.
        assert_eq!(split_by_intensity(&mask, &surface, 5.0, 25.0), mask);
    }

    #[test]
    fn min_distance_suppresses_close_seeds() {
        let m = discs(110, 80, &[(40., 40., 18.), (70., 40., 18.)]);
        let far = SplitOptions {
            min_distance: 30.0,
            ..SplitOptions::default()
        };
        // The centres are exactly 30 px apart: within 30, so one seed and no cut.
        assert_eq!(split_touching(&m, &far), m);
        let near = SplitOptions {
            min_distance: 29.0,
            ..SplitOptions::default()
        };
        assert_eq!(count(&split_touching(&m, &near), Connectivity::Eight), 2);
    }

    #[test]
    fn empty_masks() {
        let m = BitMask::new(40, 30);
        assert_eq!(split_touching(&m, &SplitOptions::default()), m);
        let m = BitMask::new(0, 0);
        assert_eq!(split_touching(&m, &SplitOptions::default()), m);
    }

    #[test]
    fn masks_touching_the_image_edge() {
        // Two discs cut by the left and top edges, touching each other; and a half disc alone
        // on the right edge, which stays whole.
        let m = discs(100, 60, &[(5., 20., 18.), (30., 5., 18.), (99., 40., 15.)]);
        assert_eq!(count(&m, Connectivity::Eight), 2);
        let out = split_touching(&m, &SplitOptions::default());
        assert_eq!(count(&out, Connectivity::Eight), 3);
        assert_eq!(count(&out, Connectivity::Four), 3);
        for y in 0..60 {
            for x in 70..100 {
                assert_eq!(out.get(x, y), m.get(x, y));
            }
        }
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    use crate::util::testing::xorshift;

    /// The same flood with a binary heap on (level, insertion count), the textbook way.
    fn heap_flood(levels: &[u32], inside: &[bool], pw: usize, seeds: &[usize]) -> Vec<u32> {
        use std::{cmp::Reverse, collections::BinaryHeap};
        let n = levels.len();
        let mut labels = vec![0u32; n];
        let mut queued = vec![false; n];
        let nbrs = |i: usize, diagonal: bool| {
            let (x, y) = ((i % pw) as isize, (i / pw) as isize);
            let mut out = Vec::new();
            for dy in -1..=1isize {
                for dx in -1..=1isize {
                    if (dx, dy) != (0, 0) && (diagonal || dx == 0 || dy == 0) {
                        out.push(((y + dy) * pw as isize + x + dx) as usize);
                    }
                }
            }
            out
        };
        let mut placed = Vec::new();
        for (k, &s) in seeds.iter().enumerate() {
            if inside[s] && labels[s] == 0 && nbrs(s, true).iter().all(|&q| labels[q] == 0) {
                labels[s] = k as u32 + 1;
                queued[s] = true;
                placed.push(s);
            }
        }
        let mut heap = BinaryHeap::new();
        let mut count = 0u64;
        for &s in &placed {
            for q in nbrs(s, false) {
                if inside[q] && !queued[q] {
                    queued[q] = true;
                    heap.push(Reverse((levels[q], count, q)));
                    count += 1;
                }
            }
        }
        while let Some(Reverse((_, _, p))) = heap.pop() {
            let seen: Vec<u32> = nbrs(p, true)
                .iter()
                .map(|&q| labels[q])
                .filter(|&l| l != 0)
                .collect();
            if seen.iter().any(|&l| l != seen[0]) {
                continue;
            }
            labels[p] = seen[0];
            for q in nbrs(p, false) {
                if inside[q] && !queued[q] {
                    queued[q] = true;
                    heap.push(Reverse((levels[q], count, q)));
                    count += 1;
                }
            }
        }
        labels
    }

    proptest! {
        #[test]
        fn one_object_per_placed_marker_with_either_connectivity(
            w in 1u32..30, h in 1u32..30, levels in 1u64..5, markers in 1usize..8, seed in any::<u64>()
        ) {
            let mut next = xorshift(seed);
            let n = (w * h) as usize;
            // Mostly foreground, a few holes.
            let bits: Vec<bool> = (0..n).map(|_| !next().is_multiple_of(6)).collect();
            let mask = BitMask::from_bools(w, h, &bits);
            let data: Vec<f32> = (0..n).map(|_| (next() % levels) as f32).collect();
            let surface = FloatPlane::from_vec(w, h, data);
            let marks: Vec<(u32, u32)> = (0..markers)
                .map(|_| ((next() % u64::from(w)) as u32, (next() % u64::from(h)) as u32))
                .collect();
            // Which markers get a basin: on the mask and not on or next to an earlier one.
            let mut placed: Vec<(u32, u32)> = Vec::new();
            for &(x, y) in &marks {
                let near = placed.iter().any(|&(a, b)| a.abs_diff(x) <= 1 && b.abs_diff(y) <= 1);
                if mask.get(x, y) && !near {
                    placed.push((x, y));
                }
            }
            let labels = watershed(&surface, &mask, &marks);
            let basins = BitMask::from_bools(w, h, &labels.iter().map(|&l| l != 0).collect::<Vec<_>>());
            for (i, &l) in labels.iter().enumerate() {
                prop_assert!(l == 0 || bits[i]);
            }
            prop_assert_eq!(label(&basins, Connectivity::Eight).count as usize, placed.len());
            prop_assert_eq!(label(&basins, Connectivity::Four).count as usize, placed.len());
            // No two basins touch, even at a corner.
            let (wi, hi) = (w as i64, h as i64);
            for y in 0..hi {
                for x in 0..wi {
                    let l = labels[(y * wi + x) as usize];
                    for (dx, dy) in [(1i64, 0i64), (0, 1), (1, 1), (-1, 1)] {
                        let (a, b) = (x + dx, y + dy);
                        if a >= 0 && a < wi && b < hi {
                            let m = labels[(b * wi + a) as usize];
                            prop_assert!(l == 0 || m == 0 || l == m, "({}, {}) and ({}, {})", x, y, a, b);
                        }
                    }
                }
            }
        }

        #[test]
        fn the_bucket_queue_floods_in_heap_order(
            w in 1u32..25, h in 1u32..25, n_levels in 1u32..6, markers in 1usize..6, seed in any::<u64>()
        ) {
            let mut next = xorshift(seed);
            let (pw, ph) = (w as usize + 2, h as usize + 2);
            let mut inside = vec![false; pw * ph];
            let mut levels = vec![0u32; pw * ph];
            for y in 1..ph - 1 {
                for x in 1..pw - 1 {
                    inside[y * pw + x] = !next().is_multiple_of(6);
                    levels[y * pw + x] = (next() % u64::from(n_levels)) as u32;
                }
            }
            let seeds: Vec<usize> = (0..markers)
                .map(|_| (1 + next() as usize % h as usize) * pw + 1 + next() as usize % w as usize)
                .collect();
            let mut got = Vec::new();
            flood(&levels, n_levels as usize, &inside, pw, &seeds, &mut got, &mut FloodScratch::default());
            prop_assert_eq!(got, heap_flood(&levels, &inside, pw, &seeds));
        }

        #[test]
        fn splitting_only_removes_pixels_and_never_merges(
            seed in any::<u64>(), n in 1usize..7, prominence in 0u32..3, min_distance in 0u32..15
        ) {
            let mut next = xorshift(seed);
            let (w, h) = (80u32, 60u32);
            let mut mask = BitMask::new(w, h);
            let blobs: Vec<(i64, i64, i64)> = (0..n)
                .map(|_| ((next() % 80) as i64, (next() % 60) as i64, 3 + (next() % 12) as i64))
                .collect();
            for y in 0..h as i64 {
                for x in 0..w as i64 {
                    let hit = blobs.iter().any(|&(cx, cy, r)| (x - cx).pow(2) + (y - cy).pow(2) <= r * r);
                    mask.set(x as u32, y as u32, hit);
                }
            }
            let opts = SplitOptions {
                prominence: prominence as f32 * 0.5,
                min_distance: min_distance as f32,
                min_seed_radius: 0.0,
            };
            let out = split_touching(&mask, &opts);
            let before = label(&mask, Connectivity::Eight);
            let after = label(&out, Connectivity::Eight);
            prop_assert!(after.count >= before.count);
            // Every object after lies in one object before, and each object before is either
            // untouched or cut into at least two.
            let before_img = crate::imaging::label::label_image(&before);
            let after_img = crate::imaging::label::label_image(&after);
            let mut parent = vec![0u32; after.count as usize + 1];
            let mut changed = vec![false; before.count as usize + 1];
            let mut pieces = vec![0u32; before.count as usize + 1];
            for (i, (&b, &a)) in before_img.iter().zip(&after_img).enumerate() {
                prop_assert!(a == 0 || b != 0, "pixel {} added", i);
                if a != 0 {
                    prop_assert!(parent[a as usize] == 0 || parent[a as usize] == b);
                    if parent[a as usize] == 0 {
                        parent[a as usize] = b;
                        pieces[b as usize] += 1;
                    }
                }
                if b != 0 && a == 0 {
                    changed[b as usize] = true;
                }
            }
            for b in 1..=before.count as usize {
                prop_assert!(!changed[b] || pieces[b] >= 2, "object {} cut but not split", b);
            }
        }
    }
}
