//! The feature vector of a candidate object, scaled by the expected cell size and by the image's
//! own brightness (its robust background level `m` and spread `s`, [`crate::count::body`]), so
//! that a model carries across scales and exposures.

use crate::{
    count::pipeline::{Analysis, Prepared},
    imaging::{channel::Plane, label::Components},
};

/// A feature: its name (as in the model file) and what it measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feature {
    /// Short name.
    pub name: &'static str,
    /// Its definition, in a sentence.
    pub definition: &'static str,
}

const fn feature(name: &'static str, definition: &'static str) -> Feature {
    Feature { name, definition }
}

/// Number of features.
pub const COUNT: usize = 28;

/// Every feature, in the order of a row.
pub const FEATURES: [Feature; COUNT] = [
    feature("area", "area over the expected cell's area π(d/2)²"),
    feature(
        "thickness",
        "largest inscribed radius over the expected radius",
    ),
    feature("elongation", "fitted ellipse's major over minor axis"),
    feature("circularity", "4π·area/perimeter²"),
    feature("solidity", "area over the convex hull's area"),
    feature("roundness", "4·area/(π·major²)"),
    feature("feret", "largest caliper diameter over d"),
    feature("min_feret", "smallest caliper width over d"),
    feature(
        "blob",
        "Hessian blob measure at the cell scale, 0 ridge to 1 blob",
    ),
    feature("brightness", "(mean − m)/s"),
    feature("ring", "contrast to the ring around the object, over s"),
    feature("max", "(maximum − m)/s"),
    feature("p10", "(10th percentile of the object's pixels − m)/s"),
    feature("p50", "(median of the object's pixels − m)/s"),
    feature("p90", "(90th percentile of the object's pixels − m)/s"),
    feature("texture", "the object's pixels' standard deviation over s"),
    feature(
        "saturated",
        "fraction of the object's pixels at the image's largest value",
    ),
    feature(
        "vs_p99",
        "(mean − m) over (the image's 99th percentile − m)",
    ),
    feature(
        "vs_p999",
        "(mean − m) over (the image's 99.9th percentile − m)",
    ),
    feature(
        "preset_pass",
        "1 if the object passes the presets' cell-body filters (thickness ≥ 0.3, blob ≥ 0.3, \
         brightness ≥ 3, area ≥ 300 px at d = 36), else 0",
    ),
    feature("neighbours", "other candidates whose centre is within 2d"),
    feature(
        "nearest",
        "distance to the nearest other candidate's centre, over d (at most 10)",
    ),
    feature(
        "local_level",
        "(median of the 4d box around the object − m)/s",
    ),
    feature("local_spread", "robust spread of that box over s"),
    feature(
        "dark_around",
        "fraction of that box under m − 2s (a hole or the tissue's edge)",
    ),
    feature(
        "bright_around",
        "fraction of that box at 98% of the image's largest value or more",
    ),
    feature("edge", "1 if the object touches the image's edge, else 0"),
    feature("scale", "d over 36 px, the dataset's usual cell diameter"),
];

/// The names of the features, in order.
pub fn names() -> Vec<&'static str> {
    FEATURES.iter().map(|f| f.name).collect()
}

/// The values at fractions 0.1, 0.5 and 0.9 of `v` by the nearest rank, reordering it (three
/// selections, no sort).
fn deciles(v: &mut [u16]) -> [f64; 3] {
    if v.is_empty() {
        return [0.0; 3];
    }
    let n = v.len() - 1;
    let rank = |q: f64| ((n as f64 * q).round() as usize).min(n);
    let (k1, k5, k9) = (rank(0.1), rank(0.5), rank(0.9));
    let p5 = *v.select_nth_unstable(k5).1;
    // After the middle selection, lower ranks lie before it and higher ones after.
    let p1 = *v[..=k5].select_nth_unstable(k1).1;
    let p9 = *v[k5..].select_nth_unstable(k9 - k5).1;
    [f64::from(p1), f64::from(p5), f64::from(p9)]
}

/// Each object's pixel values on `plane`.
fn pixels_by_object(comps: &Components, plane: &Plane) -> Vec<Vec<u16>> {
    let mut out = vec![Vec::new(); comps.count as usize];
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let Some(v) = out.get_mut(l as usize - 1) else {
            continue;
        };
        let row = run.y as usize * plane.width as usize;
        if let Some(px) = plane.data.get(row + run.x0 as usize..row + run.x1 as usize) {
            v.extend_from_slice(px);
        }
    }
    out
}

/// The 99th and 99.9th percentiles of a plane, from every 4th pixel of every 4th row.
fn bright_end(plane: &Plane) -> (f64, f64) {
    let mut hist = vec![0u32; usize::from(plane.depth.max_value()) + 1];
    let mut n = 0u64;
    let w = plane.width as usize;
    for row in plane.data.chunks(w.max(1)).step_by(4) {
        for &v in row.iter().step_by(4) {
            if let Some(h) = hist.get_mut(usize::from(v)) {
                *h += 1;
            }
            n += 1;
        }
    }
    let at = |q: f64| {
        let rank = (n as f64 * q) as u64;
        let mut seen = 0u64;
        for (v, &c) in hist.iter().enumerate() {
            seen += u64::from(c);
            if seen > rank {
                return v as f64;
            }
        }
        0.0
    };
    (at(0.99), at(0.999))
}

/// The neighbourhood of `(x, y)`: the box of half-side `half`, sampled every `step` pixels, in
/// no order.
fn neighbourhood(plane: &Plane, x: f64, y: f64, half: f64, step: usize, out: &mut Vec<u16>) {
    out.clear();
    let (w, h) = (plane.width as f64, plane.height as f64);
    let x0 = (x - half).max(0.0) as usize;
    let x1 = (x + half).min(w) as usize;
    let y0 = (y - half).max(0.0) as usize;
    let y1 = (y + half).min(h) as usize;
    let width = plane.width as usize;
    for yy in (y0..y1).step_by(step) {
        for xx in (x0..x1).step_by(step) {
            out.push(plane.data[yy * width + xx]);
        }
    }
}

/// The median of `v` (the lower one), reordering it.
fn median(v: &mut [u16]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let k = (v.len() - 1) / 2;
    f64::from(*v.select_nth_unstable(k).1)
}

/// The feature rows of every object of `a` (its kept objects: the candidates), in label order.
pub fn features(prepared: &Prepared, a: &Analysis) -> Vec<[f32; COUNT]> {
    let plane = &prepared.plane;
    let n = a.objects.len();
    let d = f64::from(a.diameter).max(1.0);
    let r = d / 2.0;
    let (m, s) = (
        prepared.background.level,
        prepared.background.spread.max(1.0),
    );
    // The image's largest value (a 12-bit camera's 4095 in a 16-bit file, not 65535).
    let top = f64::from(plane.data.iter().copied().max().unwrap_or(0));
    let mut pixels = pixels_by_object(&a.components, plane);
    // The image's bright end, from every 4th pixel of every 4th row.
    let (p99, p999) = bright_end(plane);
    let (scale99, scale999) = ((p99 - m).max(s), (p999 - m).max(s));
    // Neighbours, by a grid of 2d cells.
    let cell = 2.0 * d;
    let gw = (f64::from(a.width) / cell).ceil().max(1.0) as usize;
    let gh = (f64::from(a.height) / cell).ceil().max(1.0) as usize;
    let mut grid: Vec<Vec<usize>> = vec![Vec::new(); gw * gh];
    let at = |x: f64, y: f64| {
        (
            ((x / cell) as usize).min(gw - 1),
            ((y / cell) as usize).min(gh - 1),
        )
    };
    for (i, o) in a.objects.iter().enumerate() {
        let (gx, gy) = at(o.x, o.y);
        grid[gy * gw + gx].push(i);
    }
    let half = 2.0 * d;
    // About 24 x 24 samples of the 4d box, whatever the scale.
    let step = ((d / 6.0).round() as usize).max(1);
    let mut around = Vec::new();
    let (w, h) = (a.width, a.height);
    (0..n)
        .map(|i| {
            let o = &a.objects[i];
            let sh = &a.shapes[i];
            let b = &a.bodies[i];
            let px = &mut pixels[i];
            let [p10, p50, p90] = deciles(px);
            let (gx, gy) = at(o.x, o.y);
            let (mut neighbours, mut nearest) = (0u32, f64::INFINITY);
            for yy in gy.saturating_sub(1)..(gy + 2).min(gh) {
                for xx in gx.saturating_sub(1)..(gx + 2).min(gw) {
                    for &j in &grid[yy * gw + xx] {
                        if j == i {
                            continue;
                        }
                        let q = &a.objects[j];
                        let dist = ((q.x - o.x).powi(2) + (q.y - o.y).powi(2)).sqrt();
                        if dist <= 2.0 * d {
                            neighbours += 1;
                        }
                        nearest = nearest.min(dist);
                    }
                }
            }
            // Beyond the 3 x 3 cells, ring by ring: a candidate in ring k is at least
            // (k - 1) cells away, so the search stops once the nearest found is within that
            // or past the feature's cap of 10d.
            let mut k = 2;
            while nearest > (k - 1) as f64 * cell && ((k - 1) as f64) * cell < 10.0 * d {
                let (x0, x1) = (gx as i64 - k as i64, gx as i64 + k as i64);
                let (y0, y1) = (gy as i64 - k as i64, gy as i64 + k as i64);
                if x0 < 0 && y0 < 0 && x1 >= gw as i64 && y1 >= gh as i64 {
                    break;
                }
                for yy in y0.max(0)..=y1.min(gh as i64 - 1) {
                    for xx in x0.max(0)..=x1.min(gw as i64 - 1) {
                        // Only the ring's own cells.
                        if yy != y0 && yy != y1 && xx != x0 && xx != x1 {
                            continue;
                        }
                        for &j in &grid[yy as usize * gw + xx as usize] {
                            let q = &a.objects[j];
                            nearest =
                                nearest.min(((q.x - o.x).powi(2) + (q.y - o.y).powi(2)).sqrt());
                        }
                    }
                }
                k += 1;
            }
            let var = if px.is_empty() {
                0.0
            } else {
                px.iter()
                    .map(|&v| (f64::from(v) - o.mean).powi(2))
                    .sum::<f64>()
                    / px.len() as f64
            };
            let saturated =
                px.iter().filter(|&&v| f64::from(v) >= top).count() as f64 / px.len().max(1) as f64;
            neighbourhood(plane, o.x, o.y, half, step, &mut around);
            let local = median(&mut around);
            let mut dev: Vec<u16> = around
                .iter()
                .map(|&v| (f64::from(v) - local).abs().min(65535.0) as u16)
                .collect();
            let local_spread = 1.4826 * median(&mut dev);
            let k = around.len().max(1) as f64;
            let dark = around
                .iter()
                .filter(|&&v| f64::from(v) < m - 2.0 * s)
                .count() as f64
                / k;
            let bright = around
                .iter()
                .filter(|&&v| f64::from(v) >= 0.98 * top)
                .count() as f64
                / k;
            let on_edge = o.bx == 0 || o.by == 0 || o.bx + o.width >= w || o.by + o.height >= h;
            let passes = b.thickness >= 0.3
                && b.blob >= 0.3
                && b.brightness >= 3.0
                && o.area as f64 >= 300.0 * (d / 36.0).powi(2);
            let row = [
                o.area as f64 / (std::f64::consts::PI * r * r),
                b.thickness,
                b.elongation,
                sh.circularity,
                sh.solidity,
                sh.roundness,
                sh.feret / d,
                sh.min_feret / d,
                b.blob,
                b.brightness,
                b.ring,
                (f64::from(o.max) - m) / s,
                (p10 - m) / s,
                (p50 - m) / s,
                (p90 - m) / s,
                var.sqrt() / s,
                saturated,
                (o.mean - m) / scale99,
                (o.mean - m) / scale999,
                f64::from(u8::from(passes)),
                f64::from(neighbours),
                (nearest / d).min(10.0),
                (local - m) / s,
                local_spread / s,
                dark,
                bright,
                f64::from(u8::from(on_edge)),
                d / 36.0,
            ];
            row.map(|v| if v.is_finite() { v as f32 } else { f32::NAN })
        })
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn deciles_are_those_of_the_sorted_values() {
        let mut r = crate::util::testing::xorshift(5);
        for n in [1usize, 2, 3, 10, 11, 99, 1000] {
            let mut v: Vec<u16> = (0..n).map(|_| (r() % 300) as u16).collect();
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let at = |q: f64| f64::from(sorted[((n - 1) as f64 * q).round() as usize]);
            assert_eq!(deciles(&mut v), [at(0.1), at(0.5), at(0.9)], "n = {n}");
        }
        assert_eq!(deciles(&mut []), [0.0; 3]);
    }
    use crate::{
        count::{
            Params,
            pipeline::{analyze_prepared, prepare},
        },
        imaging::Image,
    };

    /// A threshold at 50 with nothing else before it (no smoothing, opening or closing; objects
    /// of any size), at an expected diameter of `d` px.
    fn manual(d: f32) -> Params {
        Params {
            sigma: 0.0,
            open_radius: 0,
            close_radius: 0,
            min_area: 1,
            method: crate::count::ThresholdMethod::Manual,
            level: 50,
            diameter: crate::count::params::Diameter::Px(d),
            ..Params::default()
        }
    }

    /// The grey image `px` (`w` x `h`) prepared and counted with `params`.
    fn counted(w: usize, h: usize, px: Vec<u8>, params: Params) -> (Prepared, Analysis) {
        let image = Image::gray8(w as u32, h as u32, px);
        let prepared = prepare(&image, &params);
        let a = analyze_prepared(&prepared, &params);
        (prepared, a)
    }

    /// The index of the feature called `name`.
    fn column(name: &str) -> usize {
        names().iter().position(|n| *n == name).expect("a feature")
    }

    #[test]
    fn every_feature_has_a_distinct_name_and_a_definition() {
        let mut n = names();
        n.sort_unstable();
        n.dedup();
        assert_eq!(n.len(), COUNT);
        assert!(FEATURES.iter().all(|f| !f.definition.is_empty()));
    }

    /// Two squares 16 px apart at d = 6 (the neighbour grid's cells are 12 px): wherever the
    /// pair sits, each is the other's nearest, 16/6 away; the 3 x 3 cells around one square
    /// miss the other when the pair straddles a cell boundary at x = 24 and 36.
    #[test]
    fn the_nearest_candidate_is_found_wherever_the_pair_sits() {
        for x0 in [24usize, 20, 21, 17] {
            let (w, h) = (80usize, 24usize);
            let mut px = vec![10u8; w * h];
            for x in [x0, x0 + 16] {
                for y in 10..14 {
                    px[y * w + x..y * w + x + 4].fill(200);
                }
            }
            let (prepared, a) = counted(w, h, px, manual(6.0));
            assert_eq!(a.count(), 2);
            let j = column("nearest");
            let rows = features(&prepared, &a);
            for r in &rows {
                assert!((r[j] - 16.0 / 6.0).abs() < 1e-9, "x0 {x0}: {}", r[j]);
            }
        }
    }

    proptest::proptest! {
        /// `nearest` and `neighbours` agree with every pair's distance, for squares anywhere.
        #[test]
        fn nearest_and_neighbours_agree_with_every_pair(
            seed in proptest::prelude::any::<u64>(), count in 1usize..12, d in 4.0f32..12.0
        ) {
            let (w, h) = (160usize, 100usize);
            let mut r = crate::util::testing::xorshift(seed);
            let mut px = vec![10u8; w * h];
            for _ in 0..count {
                let (x, y) = ((r() % (w as u64 - 3)) as usize, (r() % (h as u64 - 3)) as usize);
                for yy in y..y + 3 {
                    px[yy * w + x..yy * w + x + 3].fill(200);
                }
            }
            let params = Params {
                split: false,
                min_thickness: 0.0,
                min_blob: 0.0,
                min_brightness: 0.0,
                ..manual(d)
            };
            let (prepared, a) = counted(w, h, px, params);
            let rows = features(&prepared, &a);
            let (jn, jc) = (column("nearest"), column("neighbours"));
            let d = f64::from(d);
            for (i, o) in a.objects.iter().enumerate() {
                let dists: Vec<f64> = a.objects.iter().enumerate()
                    .filter(|&(k, _)| k != i)
                    .map(|(_, q)| ((q.x - o.x).powi(2) + (q.y - o.y).powi(2)).sqrt())
                    .collect();
                let nearest = dists.iter().copied().fold(f64::INFINITY, f64::min);
                proptest::prop_assert!(((nearest / d).min(10.0) as f32 - rows[i][jn]).abs() < 1e-5);
                let within = dists.iter().filter(|&&x| x <= 2.0 * d).count() as f32;
                proptest::prop_assert_eq!(within, rows[i][jc]);
            }
        }
    }

    #[test]
    fn a_lone_square_and_a_pair_have_the_features_of_their_pixels() {
        // 60x40, background 10; a 6x6 square of 200 at (4, 4), and two 4x4 squares of 100 and 200
        // at (40, 10) and (48, 10).
        let (w, h) = (60usize, 40usize);
        let mut px = vec![10u8; w * h];
        let mut fill = |x0: usize, y0: usize, size: usize, v: u8| {
            for y in y0..y0 + size {
                for x in x0..x0 + size {
                    px[y * w + x] = v;
                }
            }
        };
        fill(4, 4, 6, 200);
        fill(40, 10, 4, 100);
        fill(48, 10, 4, 255);
        let (prepared, a) = counted(w, h, px, manual(6.0));
        assert_eq!(a.count(), 3);
        let rows = features(&prepared, &a);
        let col = |name: &str| rows.iter().map(|r| r[column(name)]).collect::<Vec<_>>();
        // The background is 10 everywhere else: m = 10, s = 1 (the floor).
        assert_eq!(col("p50"), vec![190.0, 90.0, 245.0]);
        assert_eq!(col("max"), vec![190.0, 90.0, 245.0]);
        assert_eq!(col("texture"), vec![0.0, 0.0, 0.0]);
        assert_eq!(col("saturated"), vec![0.0, 0.0, 1.0]);
        // At d = 6 the area floor is 300·(6/36)² ≈ 8 px: every square passes the filters.
        assert_eq!(col("preset_pass"), vec![1.0, 1.0, 1.0]);
        // Centres 8 px apart, d = 6: within 2d of each other, not of the square.
        assert_eq!(col("neighbours"), vec![0.0, 1.0, 1.0]);
        assert_eq!(col("nearest")[1], 8.0 / 6.0);
        let area = col("area");
        assert!((area[0] - (36.0 / (std::f32::consts::PI * 9.0))).abs() < 1e-5);
        assert_eq!(col("edge"), vec![0.0, 0.0, 0.0]);
        assert!(rows.iter().flatten().all(|v| v.is_finite()));
    }

    /// A 12-bit camera's image in a 16-bit file: its saturated pixels are at 4095, not 65535.
    #[test]
    fn saturation_is_the_images_own_largest_value() {
        let (w, h) = (60usize, 40usize);
        let mut px = vec![100u16; w * h];
        for (v, x0) in [(4095u16, 6usize), (2000, 40)] {
            for y in 10..18 {
                for x in x0..x0 + 8 {
                    px[y * w + x] = v;
                }
            }
        }
        let image = Image::gray16(w as u32, h as u32, px);
        let params = Params {
            level: 1000,
            ..manual(8.0)
        };
        let prepared = prepare(&image, &params);
        let a = analyze_prepared(&prepared, &params);
        assert_eq!(a.count(), 2);
        let rows = features(&prepared, &a);
        let col = |name: &str| rows.iter().map(|r| r[column(name)]).collect::<Vec<_>>();
        assert_eq!(col("saturated"), vec![1.0, 0.0]);
        // The 4d = 32 px box around the first square (centre (10, 14)), clipped by the image to
        // 26 x 30 px and sampled at every pixel (d/6 rounds to 1), holds its 64 pixels; around
        // the second, nothing is at 98 % of 4095. At 65535 both would be 0.
        let bright = col("bright_around");
        assert!(
            (bright[0] - (64.0 / 780.0) as f32).abs() < 1e-7,
            "{bright:?}"
        );
        assert_eq!(bright[1], 0.0);
    }
}
