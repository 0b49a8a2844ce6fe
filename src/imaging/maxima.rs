//! Regional maxima with a prominence, as ImageJ's Process > Find Maxima (`MaximumFinder`).
//!
//! A pixel is a candidate if no 8-neighbour is higher and it is not at the image's minimum value.
//! Candidates are taken highest first. From each one, ImageJ floods over the 8-connected pixels of
//! height `>= v - prominence` (its "prominence >", formerly "noise tolerance"). The candidate is a
//! maximum unless the flood reaches a higher pixel, or the area of a maximum taken before it.
//! So two maxima of the same height are one maximum if the flood from one reaches the other. A
//! maximum stands for a plateau or a group of equal pixels. It is placed at the one of those equal
//! pixels (the flooded pixels of the maximum's height) nearest to their mean position, the first
//! found by the flood on a tie. This is ImageJ 1.53t's non-strict mode
//! (`getMaxima(ip, prominence, false)`): a lone maximum is kept even without a lower pixel
//! `prominence` below it.
//!
//! The ImageJ details are kept so that results match it pixel for pixel: candidates are sorted on
//! heights quantized to 32-bit integers, and a flood that meets a pixel slightly higher than its
//! start (by less than the possible sorting error) starts again from there.
//!
//! On a Euclidean distance map, [`find_distance_maxima`] uses ImageJ's EDM mode: the height of a
//! pixel is its estimated ridge height between pixel centres (`MaximumFinder.trueEdmHeight`), so
//! that the ripples of a sampled ridge along an elongated object are not taken for separate maxima.
//!
//! Two things differ from ImageJ. A mask restricts the search: only its pixels are candidates,
//! compared with and flooded. And [`thin_maxima`] adds a minimum distance between maxima, like
//! scikit-image's `peak_local_max(min_distance=…)`.

use crate::imaging::{bitmask::BitMask, distance::FloatPlane};

/// A maximum found by [`find_maxima`] or [`find_distance_maxima`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Maximum {
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
    /// Its height: the surface's value, or on a distance map ImageJ's corrected height.
    pub value: f32,
}

/// The maxima of `surface` inside `mask` with at least `prominence` (negative counts as 0), highest
/// first and in raster order among equals. See the module documentation for the rule (ImageJ's
/// `MaximumFinder.getMaxima`).
///
/// # Panics
/// If the surface and the mask differ in size.
pub fn find_maxima(surface: &FloatPlane, mask: &BitMask, prominence: f32) -> Vec<Maximum> {
    find(surface, mask, prominence, false)
}

/// The maxima of a Euclidean distance map inside `mask`, as [`find_maxima`] but on ImageJ's
/// corrected EDM heights (`MaximumFinder.findMaxima(…, isEDM = true)`, as used by ImageJ's
/// Watershed).
///
/// # Panics
/// If the map and the mask differ in size.
pub fn find_distance_maxima(
    distance: &FloatPlane,
    mask: &BitMask,
    prominence: f32,
) -> Vec<Maximum> {
    find(distance, mask, prominence, true)
}

fn find(surface: &FloatPlane, mask: &BitMask, prominence: f32, edm: bool) -> Vec<Maximum> {
    assert_eq!(
        (surface.width, surface.height),
        (mask.width(), mask.height()),
        "surface and mask sizes differ"
    );
    let (w, h) = (surface.width as usize, surface.height as usize);
    // A ring of outside pixels around the image spares the bounds checks.
    let (pw, ph) = (w + 2, h + 2);
    let mut values = vec![0f32; pw * ph];
    let mut inside = vec![false; pw * ph];
    for y in 0..h {
        let row = (y + 1) * pw + 1;
        values[row..row + w].copy_from_slice(&surface.data[y * w..(y + 1) * w]);
        for x in 0..w {
            inside[row + x] = mask.get(x as u32, y as u32);
        }
    }
    let global_min = surface.data.iter().copied().fold(f32::INFINITY, f32::min);
    let global_max = surface
        .data
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    let mut heights = Vec::new();
    if edm {
        // ImageJ keeps the raw value on the image's edge pixels.
        edm_heights(
            &values,
            pw,
            |x, y| x <= 1 || y <= 1 || x >= pw - 2 || y >= ph - 2,
            &mut heights,
        );
    }
    let grid = Grid {
        values: &values,
        heights: if edm { &heights } else { &values },
        inside: &inside,
        pw,
        global_min,
        global_max,
        edm,
    };
    let mut found = Vec::new();
    grid.maxima(prominence, &mut MaximaScratch::default(), &mut found);
    let mut out: Vec<Maximum> = found
        .into_iter()
        .map(|i| Maximum {
            x: (i % pw - 1) as u32,
            y: (i / pw - 1) as u32,
            value: grid.heights[i],
        })
        .collect();
    out.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then((a.y, a.x).cmp(&(b.y, b.x)))
    });
    out
}

/// Keeps the maxima, highest first (raster order among equals), that lie more than `min_distance`
/// pixels (Euclidean) from every maximum already kept: the greedy rule of scikit-image's
/// `peak_local_max(min_distance=…)`. ImageJ has no such setting. Returns them in that order.
pub fn thin_maxima(maxima: &[Maximum], min_distance: f32) -> Vec<Maximum> {
    let mut sorted = maxima.to_vec();
    sorted.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then((a.y, a.x).cmp(&(b.y, b.x)))
    });
    let d2 = f64::from(min_distance.max(0.0)).powi(2);
    let mut kept: Vec<Maximum> = Vec::with_capacity(sorted.len());
    for m in sorted {
        let far = kept.iter().all(|k| {
            let (dx, dy) = (
                f64::from(m.x) - f64::from(k.x),
                f64::from(m.y) - f64::from(k.y),
            );
            dx * dx + dy * dy > d2
        });
        if far {
            kept.push(m);
        }
    }
    kept
}

/// ImageJ's `SQRT2 = 1.4142135624f`, the same `f32` as the exact square root of 2.
const SQRT2: f32 = std::f32::consts::SQRT_2;

/// ImageJ's estimate of the true ridge height of each pixel of a distance map
/// (`MaximumFinder.trueEdmHeight`), on a padded grid. Background (0), the outer ring and the pixels
/// where `keep_raw(x, y)` holds keep their value.
pub(crate) fn edm_heights(
    values: &[f32],
    pw: usize,
    keep_raw: impl Fn(usize, usize) -> bool,
    out: &mut Vec<f32>,
) {
    let ph = values.len() / pw.max(1);
    out.clear();
    out.extend_from_slice(values);
    // ImageJ's directions 0..4 (N, NE, E, SE) and their opposites.
    let pw_i = pw as isize;
    let dirs: [isize; 4] = [-pw_i, 1 - pw_i, 1, pw_i + 1];
    for y in 1..ph.saturating_sub(1) {
        for x in 1..pw - 1 {
            let i = y * pw + x;
            let v = values[i];
            if v == 0.0 || keep_raw(x, y) {
                continue;
            }
            let mut true_h = v + 0.5 * SQRT2;
            let mut ridge_or_max = false;
            for (d, &off) in dirs.iter().enumerate() {
                let v1 = values[i.wrapping_add_signed(off)];
                let v2 = values[i.wrapping_add_signed(-off)];
                let mut h = if v >= v1 && v >= v2 {
                    ridge_or_max = true;
                    (v1 + v2) / 2.0
                } else {
                    v1.min(v2)
                };
                h += if d % 2 == 0 { 1.0 } else { SQRT2 };
                if true_h > h {
                    true_h = h;
                }
            }
            if ridge_or_max {
                out[i] = true_h;
            }
        }
    }
}

/// A padded grid (every pixel of the outer ring outside) to find maxima on.
pub(crate) struct Grid<'a> {
    /// The surface.
    pub values: &'a [f32],
    /// The heights compared: `values`, or their EDM correction ([`edm_heights`]).
    pub heights: &'a [f32],
    /// Which pixels take part.
    pub inside: &'a [bool],
    /// Row length.
    pub pw: usize,
    /// The image's minimum value (never a maximum) and maximum, for ImageJ's quantized sort.
    pub global_min: f32,
    /// See `global_min`.
    pub global_max: f32,
    /// Whether `heights` are EDM heights (ImageJ's `isEDM`, with its larger sorting error).
    pub edm: bool,
}

/// Reusable buffers of [`Grid::maxima`].
#[derive(Default)]
pub(crate) struct MaximaScratch {
    types: Vec<u8>,
    list: Vec<u32>,
    candidates: Vec<(i32, u32)>,
}

const LISTED: u8 = 1;
const PROCESSED: u8 = 2;
const EQUAL: u8 = 4;

impl Grid<'_> {
    /// Appends to `out` the indices of the maxima, in the order ImageJ accepts them. Coordinates
    /// for the plateau centre are those of the unpadded grid, as in ImageJ.
    pub(crate) fn maxima(&self, prominence: f32, s: &mut MaximaScratch, out: &mut Vec<usize>) {
        let (values, heights, inside) = (self.values, self.heights, self.inside);
        let n = values.len();
        debug_assert!(heights.len() == n && inside.len() == n);
        if n == 0 {
            return;
        }
        let prominence = prominence.max(0.0);
        // ImageJ's neighbour order: N, NE, E, SE, S, SW, W, NW (it decides the flood order, hence
        // the tie between equally central plateau pixels).
        let pw = self.pw as isize;
        let dirs: [isize; 8] = [-pw, 1 - pw, 1, pw + 1, pw, pw - 1, -1, -pw - 1];
        let at = |i: usize, d: isize| i.wrapping_add_signed(d);
        let (gmin, gmax) = (self.global_min, self.global_max);
        // ImageJ sorts on heights scaled to 0..2e9 and cast to int (saturating, as Rust's `as`).
        let v_factor = (2e9 / f64::from(gmax - gmin)) as f32;
        let max_sorting_error = 1.1
            * if self.edm {
                SQRT2 / 2.0
            } else {
                (gmax - gmin) / 2e9
            };

        s.candidates.clear();
        for i in 0..n {
            let (v, t) = (values[i], heights[i]);
            if !inside[i] || v == gmin {
                continue;
            }
            let higher = dirs.iter().any(|&d| {
                let q = at(i, d);
                inside[q] && values[q] > v && heights[q] > t
            });
            if !higher {
                s.candidates
                    .push((((t - gmin) * v_factor) as i32, i as u32));
            }
        }
        // Highest first, the later pixel first among equals: ImageJ's ascending sort read backwards.
        s.candidates.sort_unstable_by(|a, b| b.cmp(a));

        s.types.clear();
        s.types.resize(n, 0);
        let types = &mut s.types;
        for &(_, c) in &s.candidates {
            let mut start = c as usize;
            if types[start] & PROCESSED != 0 {
                continue;
            }
            let mut v0 = heights[start];
            loop {
                s.list.clear();
                s.list.push(start as u32);
                types[start] |= LISTED | EQUAL;
                let mut sorting_error = false;
                let mut is_max = true;
                let mut next = 0;
                while next < s.list.len() {
                    let p = s.list[next] as usize;
                    for &d in &dirs {
                        let q = at(p, d);
                        if !inside[q] || types[q] & LISTED != 0 {
                            continue;
                        }
                        // Like ImageJ, a failure stops only this pixel's neighbours: the flood goes
                        // on, so that the whole area ends up processed.
                        if types[q] & PROCESSED != 0 {
                            is_max = false;
                            break;
                        }
                        let v2 = heights[q];
                        if v2 > v0 + max_sorting_error {
                            is_max = false;
                            break;
                        }
                        if v2 >= v0 - prominence {
                            if v2 > v0 {
                                // Within the sorting error: this should have come first.
                                sorting_error = true;
                                start = q;
                                v0 = v2;
                            }
                            s.list.push(q as u32);
                            types[q] |= LISTED;
                            if v2 == v0 {
                                types[q] |= EQUAL;
                            }
                        }
                    }
                    next += 1;
                }
                if sorting_error {
                    for &p in &s.list {
                        types[p as usize] = 0;
                    }
                    continue;
                }
                if is_max {
                    out.push(nearest_to_centre(&s.list, types, self.pw));
                }
                for &p in &s.list {
                    let t = &mut types[p as usize];
                    *t = (*t & !(LISTED | EQUAL)) | PROCESSED;
                }
                break;
            }
        }
    }
}

/// The pixel of `list` marked EQUAL nearest to the mean position of those pixels; the first on a tie.
fn nearest_to_centre(list: &[u32], types: &[u8], pw: usize) -> usize {
    let xy = |p: u32| {
        let p = p as usize;
        ((p % pw) as f64 - 1.0, (p / pw) as f64 - 1.0)
    };
    let equal = || {
        list.iter()
            .copied()
            .filter(|&p| types[p as usize] & EQUAL != 0)
    };
    let (mut sx, mut sy, mut count) = (0f64, 0f64, 0f64);
    for p in equal() {
        let (x, y) = xy(p);
        sx += x;
        sy += y;
        count += 1.0;
    }
    let (cx, cy) = (sx / count, sy / count);
    let mut best = (f64::INFINITY, list[0]);
    for p in equal() {
        let (x, y) = xy(p);
        let d2 = (cx - x) * (cx - x) + (cy - y) * (cy - y);
        if d2 < best.0 {
            best = (d2, p);
        }
    }
    best.1 as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmask;

    fn plane(w: u32, values: &[f32]) -> FloatPlane {
        FloatPlane::from_vec(w, values.len() as u32 / w, values.to_vec())
    }

    fn full(p: &FloatPlane) -> BitMask {
        BitMask::from_bools(p.width, p.height, &vec![true; p.data.len()])
    }

    fn xy(m: &[Maximum]) -> Vec<(u32, u32)> {
        m.iter().map(|m| (m.x, m.y)).collect()
    }

    #[test]
    fn prominence_decides_whether_a_shoulder_is_a_maximum() {
        // Peaks 9 and 7 with a saddle of 5 between them: 7 stands 2 above the saddle.
        let p = plane(7, &[0., 9., 5., 5., 7., 0., 0.]);
        let m = full(&p);
        assert_eq!(xy(&find_maxima(&p, &m, 1.9)), vec![(1, 0), (4, 0)]);
        // 7 - 5 = 2: the flood from 7 over >= 5 reaches 9.
        assert_eq!(xy(&find_maxima(&p, &m, 2.0)), vec![(1, 0)]);
    }

    #[test]
    fn a_plateau_gives_one_maximum_near_its_centre() {
        let p = plane(6, &[0., 3., 3., 3., 3., 0., 0., 3., 3., 3., 3., 0.]);
        // Centre (2.5, 0.5): four pixels are tied. The flood starts at the last pixel, (4, 1), and
        // meets (4, 0) (north) and then (3, 1) (west) first.
        assert_eq!(xy(&find_maxima(&p, &full(&p), 0.0)), vec![(3, 1)]);
    }

    #[test]
    fn the_mask_restricts_candidates_and_flood() {
        let p = plane(5, &[1., 4., 1., 5., 1.]);
        // Without the mask 4 floods over >= 1 into 5; the mask cuts (2, 0) out.
        assert_eq!(xy(&find_maxima(&p, &full(&p), 3.0)), vec![(3, 0)]);
        let m = bitmask!["##.##"];
        assert_eq!(xy(&find_maxima(&p, &m, 3.0)), vec![(3, 0), (1, 0)]);
        // Only mask pixels are candidates.
        let m = bitmask!["###.."];
        assert_eq!(xy(&find_maxima(&p, &m, 3.0)), vec![(1, 0)]);
    }

    #[test]
    fn a_flat_image_has_no_maxima() {
        let p = plane(3, &[2.; 6]);
        assert!(find_maxima(&p, &full(&p), 0.5).is_empty());
        let p = FloatPlane::new(0, 0);
        assert!(find_maxima(&p, &BitMask::new(0, 0), 0.5).is_empty());
    }

    #[test]
    fn distance_maxima_use_imagej_ridge_heights() {
        // A 4x4 block: the inner 2x2 are at distance 2 and ImageJ estimates their true height as
        // 1 + sqrt 2 (the diagonal neighbours at 1 bound it); the edge pixels keep their 1.
        let m = bitmask!["####", "####", "####", "####"];
        let d = crate::imaging::distance::distance_transform(&m);
        assert_eq!(d.get(1, 1), 2.0);
        let found = find_distance_maxima(&d, &m, 0.5);
        // The four tie for the centre; the flood starts at the last, (2, 2), which comes first.
        assert_eq!(
            found,
            vec![Maximum {
                x: 2,
                y: 2,
                value: 1.0 + SQRT2
            }]
        );
    }

    #[test]
    fn thinning_keeps_the_highest_of_close_maxima() {
        let m = |x, y, value| Maximum { x, y, value };
        let maxima = [m(0, 0, 5.), m(3, 4, 6.), m(10, 0, 5.), m(6, 8, 4.)];
        // (0,0) is 5 px from (3,4): dropped at min_distance 5, kept below it.
        assert_eq!(
            xy(&thin_maxima(&maxima, 5.0)),
            vec![(3, 4), (10, 0)] // (6,8) is 5 px from (3,4) too
        );
        assert_eq!(
            xy(&thin_maxima(&maxima, 4.9)),
            vec![(3, 4), (0, 0), (10, 0), (6, 8)]
        );
        assert_eq!(thin_maxima(&maxima, 0.0).len(), 4);
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// The definition read literally: a candidate's region is the 8-connected area of pixels
    /// `>= v - prominence` around it; each region without a higher pixel is one maximum, to be
    /// placed at one of its pixels of value v nearest to their mean. Returns, per maximum, the
    /// allowed positions.
    fn naive(p: &FloatPlane, m: &BitMask, prominence: f32) -> Vec<Vec<(u32, u32)>> {
        let (w, h) = (p.width as i64, p.height as i64);
        let ins = |x: i64, y: i64| x >= 0 && y >= 0 && x < w && y < h && m.get(x as u32, y as u32);
        let min = p.data.iter().copied().fold(f32::INFINITY, f32::min);
        let mut regions: BTreeMap<(u32, usize), Vec<(u32, u32)>> = BTreeMap::new();
        for y in 0..h {
            for x in 0..w {
                let v = p.get(x as u32, y as u32);
                let nbrs = (-1..=1).flat_map(|dy| (-1..=1).map(move |dx| (x + dx, y + dy)));
                if !ins(x, y)
                    || v == min
                    || nbrs
                        .clone()
                        .any(|(a, b)| ins(a, b) && p.get(a as u32, b as u32) > v)
                {
                    continue;
                }
                let mut seen = vec![false; (w * h) as usize];
                let mut stack = vec![(x, y)];
                seen[(y * w + x) as usize] = true;
                let mut region = Vec::new();
                let mut higher = false;
                while let Some((a, b)) = stack.pop() {
                    region.push((a, b));
                    for dy in -1..=1 {
                        for dx in -1..=1 {
                            let (c, d) = (a + dx, b + dy);
                            if !ins(c, d) || seen[(d * w + c) as usize] {
                                continue;
                            }
                            let u = p.get(c as u32, d as u32);
                            if u > v {
                                higher = true;
                            } else if u >= v - prominence {
                                seen[(d * w + c) as usize] = true;
                                stack.push((c, d));
                            }
                        }
                    }
                }
                if higher {
                    continue;
                }
                let equal: Vec<(i64, i64)> = region
                    .into_iter()
                    .filter(|&(a, b)| p.get(a as u32, b as u32) == v)
                    .collect();
                let n = equal.len() as f64;
                let cx = equal.iter().map(|e| e.0 as f64).sum::<f64>() / n;
                let cy = equal.iter().map(|e| e.1 as f64).sum::<f64>() / n;
                let d2 = |e: &(i64, i64)| (cx - e.0 as f64).powi(2) + (cy - e.1 as f64).powi(2);
                let best = equal.iter().map(d2).fold(f64::INFINITY, f64::min);
                let key = equal
                    .iter()
                    .map(|e| (e.1 * w + e.0) as usize)
                    .min()
                    .unwrap_or(0);
                let allowed = equal
                    .iter()
                    .filter(|e| d2(e) == best)
                    .map(|e| (e.0 as u32, e.1 as u32))
                    .collect();
                regions.insert((v.to_bits(), key), allowed);
            }
        }
        regions.into_values().collect()
    }

    proptest! {
        #[test]
        fn agrees_with_the_definition(
            w in 1u32..16, h in 1u32..16, levels in 1u32..6, prominence in 0u32..5,
            holes in any::<bool>(), seed in any::<u64>()
        ) {
            let mut next = crate::util::testing::xorshift(seed);
            // Few levels, so that plateaus and equal maxima are common.
            let data: Vec<f32> = (0..w * h).map(|_| (next() % u64::from(levels)) as f32).collect();
            let bits: Vec<bool> = (0..w * h).map(|_| !holes || !next().is_multiple_of(5)).collect();
            let p = FloatPlane::from_vec(w, h, data);
            let m = BitMask::from_bools(w, h, &bits);
            let prominence = prominence as f32 * 0.5;
            let got = find_maxima(&p, &m, prominence);
            let want = naive(&p, &m, prominence);
            prop_assert_eq!(got.len(), want.len(), "{:?} vs {:?}", got, want);
            // One maximum in each region, at an allowed place.
            for allowed in &want {
                let hits = got.iter().filter(|g| allowed.contains(&(g.x, g.y))).count();
                prop_assert_eq!(hits, 1, "{:?} vs {:?}", got, want);
            }
        }
    }
}
