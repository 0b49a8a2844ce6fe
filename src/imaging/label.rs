//! Connected-component labelling on runs, with per-object measurements.
//!
//! Each row's foreground is split into runs; runs that touch runs of the row above are merged with
//! a union-find. Labels are numbered 1, 2, … in raster order of each object's first pixel, as in
//! ImageJ's particle analyser and scipy's `label`.

use crate::imaging::{bitmask::BitMask, channel::Plane};
use std::{fmt, str::FromStr};

/// Which neighbours join pixels into one object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Connectivity {
    /// Edge neighbours only.
    Four,
    /// Edge and corner neighbours (ImageJ's Analyze Particles).
    #[default]
    Eight,
}

impl Connectivity {
    /// "4" or "8".
    pub fn name(self) -> &'static str {
        match self {
            Connectivity::Four => "4",
            Connectivity::Eight => "8",
        }
    }
}

impl fmt::Display for Connectivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Connectivity {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "4" => Ok(Connectivity::Four),
            "8" => Ok(Connectivity::Eight),
            _ => Err(()),
        }
    }
}

/// A horizontal run of foreground pixels: row `y`, columns `x0..x1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// Row.
    pub y: u32,
    /// First column.
    pub x0: u32,
    /// One past the last column.
    pub x1: u32,
}

/// The runs of a mask with the label (1-based) of each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Components {
    /// Width of the labelled mask.
    pub width: u32,
    /// Height of the labelled mask.
    pub height: u32,
    /// All runs in raster order.
    pub runs: Vec<Run>,
    /// The label of each run.
    pub labels: Vec<u32>,
    /// Number of objects; labels are 1..=count.
    pub count: u32,
}

/// The runs of a mask, in raster order.
pub fn runs(mask: &BitMask) -> Vec<Run> {
    let mut out = Vec::new();
    for y in 0..mask.height() {
        let mut in_run = false;
        let mut start = 0u32;
        for (i, &w) in mask.row(y).iter().enumerate() {
            let base = i as u32 * 64;
            let mut p = 0u32;
            loop {
                let rest = if in_run { !w >> p } else { w >> p };
                if rest == 0 {
                    break;
                }
                p += rest.trailing_zeros();
                if in_run {
                    out.push(Run {
                        y,
                        x0: start,
                        x1: base + p,
                    });
                } else {
                    start = base + p;
                }
                in_run = !in_run;
            }
        }
        if in_run {
            out.push(Run {
                y,
                x0: start,
                x1: mask.width(),
            });
        }
    }
    out
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[i as usize];
        parent[i as usize] = parent[p as usize];
        i = p;
    }
    i
}

/// Labels the connected components of `mask`.
pub fn label(mask: &BitMask, connectivity: Connectivity) -> Components {
    let runs = runs(mask);
    let n = runs.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // With 8-connectivity, runs touch when they overlap after widening by one pixel.
    let slack = u32::from(connectivity == Connectivity::Eight);
    let mut prev: Option<(usize, usize, u32)> = None; // runs start..end of row y
    let mut i = 0usize;
    while i < n {
        let y = runs[i].y;
        let mut end = i;
        while end < n && runs[end].y == y {
            end += 1;
        }
        if let Some((ps, pe, _)) = prev.filter(|p| p.2 + 1 == y) {
            let mut j = ps;
            for c in i..end {
                let cur = runs[c];
                while j < pe && runs[j].x1 + slack <= cur.x0 {
                    j += 1;
                }
                let mut k = j;
                while k < pe && runs[k].x0 < cur.x1 + slack {
                    let (a, b) = (find(&mut parent, c as u32), find(&mut parent, k as u32));
                    if a != b {
                        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                        parent[hi as usize] = lo;
                    }
                    k += 1;
                }
            }
        }
        prev = Some((i, end, y));
        i = end;
    }
    let mut labels = vec![0u32; n];
    let mut next = 0u32;
    for r in 0..n {
        let root = find(&mut parent, r as u32) as usize;
        if root == r {
            next += 1;
            labels[r] = next;
        } else {
            // The root is an earlier run, already labelled.
            labels[r] = labels[root];
        }
    }
    Components {
        width: mask.width(),
        height: mask.height(),
        runs,
        labels,
        count: next,
    }
}

/// Measurements of one object, named as in ImageJ's Results table.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectStats {
    /// Label, 1-based.
    pub label: u32,
    /// Area in pixels.
    pub area: u64,
    /// Centroid x, in ImageJ's convention (pixel centres at +0.5).
    pub x: f64,
    /// Centroid y, in ImageJ's convention.
    pub y: f64,
    /// Bounding box left.
    pub bx: u32,
    /// Bounding box top.
    pub by: u32,
    /// Bounding box width.
    pub width: u32,
    /// Bounding box height.
    pub height: u32,
    /// Mean intensity.
    pub mean: f64,
    /// Minimum intensity.
    pub min: u16,
    /// Maximum intensity.
    pub max: u16,
}

/// Measures every object of `comps` on `plane` (of the same size).
///
/// # Panics
/// If the plane's size differs from the components'.
pub fn measure(comps: &Components, plane: &Plane) -> Vec<ObjectStats> {
    assert_eq!(
        (plane.width, plane.height),
        (comps.width, comps.height),
        "plane and mask sizes differ"
    );
    struct Acc {
        area: u64,
        sx: u64,
        sy: u64,
        sum: u64,
        min: u16,
        max: u16,
        x0: u32,
        y0: u32,
        x1: u32,
        y1: u32,
    }
    let mut acc: Vec<Acc> = (0..comps.count)
        .map(|_| Acc {
            area: 0,
            sx: 0,
            sy: 0,
            sum: 0,
            min: u16::MAX,
            max: 0,
            x0: u32::MAX,
            y0: u32::MAX,
            x1: 0,
            y1: 0,
        })
        .collect();
    let w = plane.width as usize;
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let a = &mut acc[l as usize - 1];
        let len = (run.x1 - run.x0) as u64;
        a.area += len;
        // Sum of x0..x1 (exclusive).
        a.sx += (run.x0 as u64 + run.x1 as u64 - 1) * len / 2;
        a.sy += run.y as u64 * len;
        a.x0 = a.x0.min(run.x0);
        a.x1 = a.x1.max(run.x1);
        a.y0 = a.y0.min(run.y);
        a.y1 = a.y1.max(run.y + 1);
        let row = &plane.data[run.y as usize * w..][run.x0 as usize..run.x1 as usize];
        for &v in row {
            a.sum += v as u64;
            a.min = a.min.min(v);
            a.max = a.max.max(v);
        }
    }
    acc.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let area = a.area.max(1) as f64;
            ObjectStats {
                label: i as u32 + 1,
                area: a.area,
                x: a.sx as f64 / area + 0.5,
                y: a.sy as f64 / area + 0.5,
                bx: a.x0,
                by: a.y0,
                width: a.x1 - a.x0,
                height: a.y1 - a.y0,
                mean: a.sum as f64 / area,
                min: a.min,
                max: a.max,
            }
        })
        .collect()
}

/// Keeps the objects for which `keep(label)` holds and renumbers them 1..=k in the same order.
/// Returns the new components and, for each kept object, its old label.
pub fn retain(comps: &Components, mut keep: impl FnMut(u32) -> bool) -> (Components, Vec<u32>) {
    let mut remap = vec![0u32; comps.count as usize + 1];
    let mut kept = Vec::new();
    for l in 1..=comps.count {
        if keep(l) {
            kept.push(l);
            remap[l as usize] = kept.len() as u32;
        }
    }
    let mut runs = Vec::new();
    let mut labels = Vec::new();
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let nl = remap[l as usize];
        if nl != 0 {
            runs.push(*run);
            labels.push(nl);
        }
    }
    (
        Components {
            width: comps.width,
            height: comps.height,
            runs,
            labels,
            count: kept.len() as u32,
        },
        kept,
    )
}

/// The objects of `a` and `b` (of the same size, runs in raster order) together, relabelled
/// 1.. in raster order of their first pixel. Returns them and, for each new label, where it came
/// from: (`true` for `b`, its old label).
///
/// # Panics
/// If the sizes differ.
pub fn merge(a: &Components, b: &Components) -> (Components, Vec<(bool, u32)>) {
    assert_eq!((a.width, a.height), (b.width, b.height), "sizes differ");
    let mut new_a = vec![0u32; a.count as usize + 1];
    let mut new_b = vec![0u32; b.count as usize + 1];
    let mut origin = Vec::with_capacity((a.count + b.count) as usize);
    let n = a.runs.len() + b.runs.len();
    let (mut runs, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut i, mut j) = (0, 0);
    while i < a.runs.len() || j < b.runs.len() {
        let take_b = match (a.runs.get(i), b.runs.get(j)) {
            (Some(ra), Some(rb)) => (rb.y, rb.x0) < (ra.y, ra.x0),
            (None, _) => true,
            (_, None) => false,
        };
        let (run, slot, old) = if take_b {
            j += 1;
            (
                b.runs[j - 1],
                &mut new_b[b.labels[j - 1] as usize],
                (true, b.labels[j - 1]),
            )
        } else {
            i += 1;
            (
                a.runs[i - 1],
                &mut new_a[a.labels[i - 1] as usize],
                (false, a.labels[i - 1]),
            )
        };
        if *slot == 0 {
            origin.push(old);
            *slot = origin.len() as u32;
        }
        runs.push(run);
        labels.push(*slot);
    }
    (
        Components {
            width: a.width,
            height: a.height,
            runs,
            labels,
            count: origin.len() as u32,
        },
        origin,
    )
}

impl Components {
    /// The label of the object at pixel (`x`, `y`), if any (a binary search of the runs, which
    /// are in raster order).
    ///
    /// ```
    /// use fluocount::imaging::{BitMask, Connectivity, label::label};
    /// let mut m = BitMask::new(8, 3);
    /// for (x, y) in [(1, 0), (2, 0), (6, 1), (6, 2)] {
    ///     m.set(x, y, true);
    /// }
    /// let c = label(&m, Connectivity::Eight);
    /// assert_eq!((c.label_at(2, 0), c.label_at(6, 2), c.label_at(3, 0)), (Some(1), Some(2), None));
    /// ```
    pub fn label_at(&self, x: u32, y: u32) -> Option<u32> {
        let i = self.runs.partition_point(|r| (r.y, r.x1) <= (y, x));
        let run = self.runs.get(i)?;
        (run.y == y && run.x0 <= x && x < run.x1)
            .then(|| self.labels.get(i).copied())
            .flatten()
    }
}

/// The label image: 0 for background, the object's label elsewhere.
pub fn label_image(comps: &Components) -> Vec<u32> {
    let w = comps.width as usize;
    let mut out = vec![0u32; w * comps.height as usize];
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let s = run.y as usize * w;
        out[s + run.x0 as usize..s + run.x1 as usize].fill(l);
    }
    out
}

/// The foreground of `comps` as a mask.
pub fn to_mask(comps: &Components) -> BitMask {
    let mut m = BitMask::new(comps.width, comps.height);
    for run in &comps.runs {
        set_range(m.row_mut(run.y), run.x0, run.x1);
    }
    m
}

/// Sets bits x0..x1 of a packed row.
pub(crate) fn set_range(row: &mut [u64], x0: u32, x1: u32) {
    let mut x = x0;
    while x < x1 {
        let (i, b) = ((x / 64) as usize, x % 64);
        let n = (x1 - x).min(64 - b);
        let bits = if n == 64 { !0 } else { ((1u64 << n) - 1) << b };
        row[i] |= bits;
        x += n;
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::bitmask;
    use proptest::prelude::*;

    fn labels_of(mask: &BitMask, c: Connectivity) -> Vec<u32> {
        label_image(&label(mask, c))
    }

    #[test]
    fn diagonal_pixels_join_only_with_eight_connectivity() {
        let m = bitmask!["#..", ".#.", "..#"];
        assert_eq!(
            labels_of(&m, Connectivity::Eight),
            vec![1, 0, 0, 0, 1, 0, 0, 0, 1]
        );
        assert_eq!(
            labels_of(&m, Connectivity::Four),
            vec![1, 0, 0, 0, 2, 0, 0, 0, 3]
        );
    }

    #[test]
    fn u_shape_merges_and_labels_follow_raster_order() {
        let m = bitmask!["#.#.#", "#.#..", "###.#"];
        assert_eq!(
            labels_of(&m, Connectivity::Four),
            vec![1, 0, 1, 0, 2, 1, 0, 1, 0, 0, 1, 1, 1, 0, 3]
        );
    }

    #[test]
    fn runs_cross_word_boundaries() {
        let mut m = BitMask::new(130, 1);
        set_range(m.row_mut(0), 60, 130);
        assert_eq!(
            runs(&m),
            vec![Run {
                y: 0,
                x0: 60,
                x1: 130
            }]
        );
    }

    #[test]
    fn measurements_follow_imagej_conventions() {
        let m = bitmask!["....", ".##.", ".##.", "...#"];
        let plane = Plane::from_u8(4, 4, &[0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 99]);
        let objs = measure(&label(&m, Connectivity::Four), &plane);
        assert_eq!(objs.len(), 2);
        let a = &objs[0];
        assert_eq!((a.area, a.bx, a.by, a.width, a.height), (4, 1, 1, 2, 2));
        assert_eq!((a.x, a.y, a.mean, a.min, a.max), (2.0, 2.0, 25.0, 10, 40));
        assert_eq!((objs[1].x, objs[1].y, objs[1].area), (3.5, 3.5, 1));
    }

    #[test]
    fn retain_renumbers_in_order() {
        let m = bitmask!["#.#.#"];
        let (c, kept) = retain(&label(&m, Connectivity::Four), |l| l != 2);
        assert_eq!(kept, vec![1, 3]);
        assert_eq!(label_image(&c), vec![1, 0, 0, 0, 2]);
    }

    /// Naive flood fill labelling in raster order.
    fn flood(mask: &BitMask, c: Connectivity) -> Vec<u32> {
        let (w, h) = (mask.width() as i64, mask.height() as i64);
        let mut out = vec![0u32; (w * h) as usize];
        let mut next = 0;
        let nbrs: &[(i64, i64)] = match c {
            Connectivity::Four => &[(1, 0), (-1, 0), (0, 1), (0, -1)],
            Connectivity::Eight => &[
                (1, 0),
                (-1, 0),
                (0, 1),
                (0, -1),
                (1, 1),
                (1, -1),
                (-1, 1),
                (-1, -1),
            ],
        };
        for y in 0..h {
            for x in 0..w {
                if !mask.get(x as u32, y as u32) || out[(y * w + x) as usize] != 0 {
                    continue;
                }
                next += 1;
                let mut stack = vec![(x, y)];
                out[(y * w + x) as usize] = next;
                while let Some((px, py)) = stack.pop() {
                    for (dx, dy) in nbrs {
                        let (nx, ny) = (px + dx, py + dy);
                        if nx >= 0
                            && ny >= 0
                            && nx < w
                            && ny < h
                            && mask.get(nx as u32, ny as u32)
                            && out[(ny * w + nx) as usize] == 0
                        {
                            out[(ny * w + nx) as usize] = next;
                            stack.push((nx, ny));
                        }
                    }
                }
            }
        }
        out
    }

    proptest! {
        #[test]
        fn labelling_agrees_with_flood_fill(
            w in 1u32..150, h in 1u32..20, density in 1u64..4, seed in any::<u64>(), four in any::<bool>()
        ) {
            let bits = crate::util::testing::random_bits(w * h, seed, |s| s % 4 < density);
            let m = BitMask::from_bools(w, h, &bits);
            let c = if four { Connectivity::Four } else { Connectivity::Eight };
            let comps = label(&m, c);
            let expect = flood(&m, c);
            prop_assert_eq!(comps.count, expect.iter().copied().max().unwrap_or(0));
            prop_assert_eq!(label_image(&comps), expect);
            prop_assert_eq!(to_mask(&comps), m);
        }

        #[test]
        fn a_larger_minimum_area_never_raises_the_count(
            seed in any::<u64>(), a in 0u64..20, b in 0u64..20
        ) {
            let bits = crate::util::testing::random_bits(64 * 16, seed, |s| s % 2 == 0);
            let m = BitMask::from_bools(64, 16, &bits);
            let comps = label(&m, Connectivity::Eight);
            let plane = Plane::from_u8(64, 16, &[0; 64 * 16]);
            let stats = measure(&comps, &plane);
            let (lo, hi) = (a.min(b), a.max(b));
            let n_lo = retain(&comps, |l| stats[l as usize - 1].area >= lo).0.count;
            let n_hi = retain(&comps, |l| stats[l as usize - 1].area >= hi).0.count;
            prop_assert!(n_hi <= n_lo);
        }
    }
}
