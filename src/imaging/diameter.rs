//! The expected cell diameter of an image, estimated from the scale of its blobs.
//!
//! Cellpose's `diameter` convention: the typical diameter of a cell, in pixels. The estimate is the
//! characteristic scale of the image's brightest blobs in a scale-normalised Laplacian-of-Gaussian
//! scale space (T. Lindeberg, "Feature detection with automatic scale selection", IJCV 30, 1998):
//! a disc of radius r gives its strongest response -σ²∇²(G_σ * I) at σ = r/√2, so a maximum at
//! scale σ stands for a blob of diameter 2√2·σ.
//!
//! The plane is first reduced by 8 (the mean of each 8x8 block): the estimate never goes below 36
//! px (below), so sizes under about 28 px need not be told apart, and the reduction makes the
//! estimate four times cheaper than at 4 (about 5 ms natively on 1600x1200). The scales are 12,
//! geometric from σ = 1.25 to 16 reduced pixels (diameters 28 to 362 px), each blur three box
//! filters each way.
//! The maxima over space and scale (3x3x3 neighbourhoods, the first and last scale excluded, so a
//! maximum is a true peak in scale, its scale refined between the scales by a parabola through the
//! three responses) are ranked by response; only scales whose blob fits three times across the
//! image's shorter side take part, and no maximum whose blob would cross the image's edge (on a
//! 400x300 image the largest scales took the whole image for one 140 px blob); the blob scale is
//! the median diameter
//! of the [`TOP_BLOBS`] strongest. On the dataset's samples it is 57 px on the rat image (its
//! annotated cells' median equivalent diameter is 57 px) but only 22 to 28 px on the mouse images,
//! whose annotated cells are 29 to 79 px across (bright puncta and fibre beads outshine the
//! dimmer, larger cells there). So the estimate never goes below [`AUTO_FLOOR`], the dataset's
//! median cell: auto enlarges the size settings for large cells and leaves them as they were
//! chosen for the mouse images otherwise. For images with smaller cells, give the diameter.

use crate::imaging::channel::Plane;

/// How many of the strongest scale-space maxima vote for the diameter.
pub const TOP_BLOBS: usize = 25;
/// The reduction factor of the plane before the scale space.
const REDUCE: usize = 8;
/// The scales, in reduced pixels: `FIRST_SIGMA * RATIO^k` for k in 0..SCALES.
const SCALES: usize = 12;
const FIRST_SIGMA: f32 = 1.25;
const LAST_SIGMA: f32 = 16.0;
/// The smallest and largest diameter an estimate can give, in pixels.
pub const MIN_DIAMETER: f32 = 8.0;
/// See [`MIN_DIAMETER`].
pub const MAX_DIAMETER: f32 = 400.0;
/// The diameter when an image has no blob at all (the dataset's median cell, about 36 px).
pub const FALLBACK_DIAMETER: f32 = 36.0;
/// The smallest diameter an estimate gives (see the module documentation).
pub const AUTO_FLOOR: f32 = 36.0;

/// An estimate of the expected cell diameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiameterEstimate {
    /// Expected cell diameter in pixels.
    pub diameter: f32,
    /// The blob scale measured (the median diameter of the strongest blobs), before the floor;
    /// the given diameter when it was given.
    pub measured: f32,
    /// How many scale-space maxima voted (0: the image had no blob and the fallback is used,
    /// or the diameter was given).
    pub votes: usize,
    /// Whether the diameter was estimated from the image (else it was given).
    pub estimated: bool,
}

/// The scales of the scale space, in reduced pixels.
fn sigmas() -> [f32; SCALES] {
    let ratio = (LAST_SIGMA / FIRST_SIGMA).powf(1.0 / (SCALES - 1) as f32);
    let mut s = [FIRST_SIGMA; SCALES];
    for k in 1..SCALES {
        s[k] = s[k - 1] * ratio;
    }
    s
}

/// The plane reduced by `REDUCE`: each output pixel the mean of a full block (a partial block at
/// the right or bottom edge is dropped).
fn reduce(plane: &Plane) -> (usize, usize, Vec<f32>) {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let (rw, rh) = (w / REDUCE, h / REDUCE);
    let mut out = vec![0f32; rw * rh];
    if rw == 0 || rh == 0 {
        return (rw, rh, out);
    }
    let scale = 1.0 / (REDUCE * REDUCE) as f32;
    for y in 0..rh * REDUCE {
        let row = &plane.data[y * w..y * w + rw * REDUCE];
        let dst = &mut out[(y / REDUCE) * rw..(y / REDUCE + 1) * rw];
        for (d, block) in dst.iter_mut().zip(row.chunks_exact(REDUCE)) {
            *d += block.iter().map(|&v| v as f32).sum::<f32>() * scale;
        }
    }
    (rw, rh, out)
}

/// The widths of three box filters whose succession approximates a Gaussian of `sigma` (W. Jarosz,
/// "Fast image convolutions", 2001; P. Kovesi, "Fast almost-Gaussian filtering", 2010): odd
/// widths `wl` and `wl + 2`, the first `m` passes with `wl`, so that the variances add up to σ².
fn box_widths(sigma: f32) -> [usize; 3] {
    let n = 3.0f32;
    let ideal = (12.0 * sigma * sigma / n + 1.0).sqrt();
    let mut wl = ideal.floor() as i64;
    if wl % 2 == 0 {
        wl -= 1;
    }
    let wl = wl.max(1);
    let wlf = wl as f32;
    let m = ((12.0 * sigma * sigma - n * wlf * wlf - 4.0 * n * wlf - 3.0 * n) / (-4.0 * wlf - 4.0))
        .round() as i64;
    let mut out = [wl as usize; 3];
    for (k, w) in out.iter_mut().enumerate() {
        if k as i64 >= m {
            *w = wl as usize + 2;
        }
    }
    out
}

/// One box filter of odd width `width` along each row of a `w`-wide plane, `src` into `dst`,
/// edge pixels repeated: a running sum, O(1) per pixel whatever the width.
fn box_rows(src: &[f32], dst: &mut [f32], w: usize, width: usize, line: &mut Vec<f32>) {
    let r = width / 2;
    let scale = 1.0 / width as f32;
    line.clear();
    line.resize(w + 2 * r + 1, 0.0);
    for (s, d) in src.chunks_exact(w).zip(dst.chunks_exact_mut(w)) {
        line[..r].fill(s[0]);
        line[r..r + w].copy_from_slice(s);
        line[r + w..].fill(s[w - 1]);
        let mut acc: f32 = line[..width].iter().sum();
        for (i, out) in d.iter_mut().enumerate() {
            *out = acc * scale;
            acc += line[i + width] - line[i];
        }
    }
}

/// One box filter of odd width `width` down the columns of a `w`-wide, `h`-high plane, a row at a
/// time (the running sums of all columns together), edge rows repeated.
fn box_columns(src: &[f32], dst: &mut [f32], w: usize, h: usize, width: usize, acc: &mut Vec<f32>) {
    let r = width as isize / 2;
    let scale = 1.0 / width as f32;
    let row = |y: isize| {
        let y = y.clamp(0, h as isize - 1) as usize;
        &src[y * w..(y + 1) * w]
    };
    acc.clear();
    acc.resize(w, 0.0);
    for y in -r..=r {
        for (a, &v) in acc.iter_mut().zip(row(y)) {
            *a += v;
        }
    }
    for y in 0..h as isize {
        let out = &mut dst[y as usize * w..(y as usize + 1) * w];
        for (o, &a) in out.iter_mut().zip(acc.iter()) {
            *o = a * scale;
        }
        let (add, sub) = (row(y + r + 1), row(y - r));
        for ((a, &p), &m) in acc.iter_mut().zip(add).zip(sub) {
            *a += p - m;
        }
    }
}

/// An almost-Gaussian blur of a float plane: three box filters each way ([`box_widths`]).
fn blur(w: usize, h: usize, src: &[f32], sigma: f32, tmp: &mut Vec<f32>, dst: &mut Vec<f32>) {
    tmp.clear();
    tmp.extend_from_slice(src);
    dst.clear();
    dst.resize(w * h, 0.0);
    let mut scratch = Vec::new();
    for width in box_widths(sigma) {
        box_rows(tmp, dst, w, width, &mut scratch);
        box_columns(dst, tmp, w, h, width, &mut scratch);
    }
    std::mem::swap(tmp, dst);
}

/// The scale-normalised response -σ²∇²L of a blurred plane (5-point Laplacian, edges repeated).
fn response(w: usize, h: usize, blurred: &[f32], sigma: f32) -> Vec<f32> {
    let s2 = sigma * sigma;
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        let (up, down) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            let (left, right) = (x.saturating_sub(1), (x + 1).min(w - 1));
            let c = blurred[y * w + x];
            let lap = blurred[y * w + left]
                + blurred[y * w + right]
                + blurred[up * w + x]
                + blurred[down * w + x]
                - 4.0 * c;
            out[y * w + x] = -s2 * lap;
        }
    }
    out
}

/// Estimates the expected cell diameter of `plane` (see the module documentation).
///
/// ```
/// use fluocount::imaging::{channel::Plane, diameter::estimate_diameter, BitDepth};
/// // Sixteen bright discs of diameter 40 on a dark 640x640 plane.
/// let n = 640i32;
/// let mut data = vec![10u16; (n * n) as usize];
/// for y in 0..n {
///     for x in 0..n {
///         let (dx, dy) = (x % 160 - 80, y % 160 - 80);
///         if dx * dx + dy * dy <= 400 {
///             data[(y * n + x) as usize] = 200;
///         }
///     }
/// }
/// let e = estimate_diameter(&Plane::new(640, 640, BitDepth::Eight, data));
/// assert!((30.0..=52.0).contains(&e.measured), "{}", e.measured);
/// assert_eq!(e.diameter, e.measured.max(36.0));
/// ```
pub fn estimate_diameter(plane: &Plane) -> DiameterEstimate {
    let fallback = DiameterEstimate {
        diameter: FALLBACK_DIAMETER,
        measured: FALLBACK_DIAMETER,
        votes: 0,
        estimated: true,
    };
    let (w, h, reduced) = reduce(plane);
    if w < 3 || h < 3 {
        return fallback;
    }
    let sig = sigmas();
    let ratio = sig[1] / sig[0];
    let (mut tmp, mut blurred) = (Vec::new(), Vec::new());
    let stack: Vec<Vec<f32>> = sig
        .iter()
        .map(|&s| {
            blur(w, h, &reduced, s, &mut tmp, &mut blurred);
            response(w, h, &blurred, s)
        })
        .collect();
    // Maxima over space and scale, interior scales only, and only scales whose blob fits three
    // times across the image's shorter side: on a small image the largest scales see the whole
    // image as one blob.
    let short = w.min(h) as f32;
    let mut peaks: Vec<(f32, usize, f32)> = Vec::new();
    for k in 1..SCALES - 1 {
        if 3.0 * 2.0 * std::f32::consts::SQRT_2 * sig[k] > short {
            break;
        }
        // A maximum whose blob would cross the image's edge is the edge's (edges are repeated).
        let margin = (std::f32::consts::SQRT_2 * sig[k]).ceil() as usize;
        let (below, here, above) = (&stack[k - 1], &stack[k], &stack[k + 1]);
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let v = here[y * w + x];
                if v <= 0.0 || x < margin || y < margin || x + margin >= w || y + margin >= h {
                    continue;
                }
                let mut is_max = true;
                'n: for yy in y - 1..=y + 1 {
                    for xx in x - 1..=x + 1 {
                        let i = yy * w + xx;
                        if below[i] > v || above[i] > v || (i != y * w + x && here[i] > v) {
                            is_max = false;
                            break 'n;
                        }
                    }
                }
                if is_max {
                    // The peak's scale refined between the scales: the vertex of the parabola
                    // through the three responses, in log scale (as SIFT refines its keypoints).
                    let (lo, hi) = (below[y * w + x], above[y * w + x]);
                    let curve = lo - 2.0 * v + hi;
                    let offset = if curve < 0.0 {
                        (0.5 * (lo - hi) / curve).clamp(-0.5, 0.5)
                    } else {
                        0.0
                    };
                    peaks.push((v, k, offset));
                }
            }
        }
    }
    if peaks.is_empty() {
        return fallback;
    }
    peaks.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    peaks.truncate(TOP_BLOBS);
    let mut diameters: Vec<f32> = peaks
        .iter()
        .map(|&(_, k, offset)| {
            2.0 * std::f32::consts::SQRT_2 * sig[k] * ratio.powf(offset) * REDUCE as f32
        })
        .collect();
    diameters.sort_by(f32::total_cmp);
    let n = diameters.len();
    let median = if n % 2 == 1 {
        diameters[n / 2]
    } else {
        (diameters[n / 2 - 1] + diameters[n / 2]) / 2.0
    };
    let measured = median.clamp(MIN_DIAMETER, MAX_DIAMETER);
    DiameterEstimate {
        diameter: measured.max(AUTO_FLOOR),
        measured,
        votes: n,
        estimated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::image::BitDepth;

    fn discs(size: u32, d: f64, centres: &[(f64, f64)]) -> Plane {
        let mut data = vec![20u16; (size * size) as usize];
        for y in 0..size {
            for x in 0..size {
                let inside = centres.iter().any(|&(cx, cy)| {
                    let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                    dx * dx + dy * dy <= d * d / 4.0
                });
                if inside {
                    data[(y * size + x) as usize] = 180;
                }
            }
        }
        Plane::new(size, size, BitDepth::Eight, data)
    }

    #[test]
    fn the_estimate_follows_the_size_of_the_discs() {
        let centres: Vec<(f64, f64)> = (0..4)
            .flat_map(|i| (0..4).map(move |j| (100.0 + 200.0 * i as f64, 100.0 + 200.0 * j as f64)))
            .collect();
        let mut last = 0.0;
        // The smallest scale reads about 28 px: below that (floored to 36 px anyway) the reduced
        // plane cannot tell sizes apart, so a 24 px disc only has to read under the floor.
        let small = estimate_diameter(&discs(800, 24.0, &centres));
        assert!(
            small.measured < AUTO_FLOOR && small.diameter == AUTO_FLOOR,
            "{}",
            small.measured
        );
        for d in [40.0, 64.0, 100.0, 140.0] {
            let e = estimate_diameter(&discs(800, d, &centres));
            assert!(e.votes >= 16);
            // Within one step of the scale space (ratio 1.26) of the true diameter.
            let ratio = e.measured as f64 / d;
            assert!((0.75..=1.3).contains(&ratio), "d = {d}: {}", e.measured);
            assert!(e.measured > last);
            assert_eq!(e.diameter, e.measured.max(AUTO_FLOOR));
            last = e.measured;
        }
    }

    #[test]
    fn a_flat_or_tiny_plane_gives_the_fallback() {
        let flat = Plane::new(64, 64, BitDepth::Eight, vec![7; 64 * 64]);
        assert_eq!(estimate_diameter(&flat).votes, 0);
        assert_eq!(estimate_diameter(&flat).diameter, FALLBACK_DIAMETER);
        let tiny = Plane::new(5, 3, BitDepth::Eight, vec![7; 15]);
        assert_eq!(estimate_diameter(&tiny).diameter, FALLBACK_DIAMETER);
        let empty = Plane::new(0, 0, BitDepth::Eight, vec![]);
        assert_eq!(estimate_diameter(&empty).diameter, FALLBACK_DIAMETER);
    }
}
