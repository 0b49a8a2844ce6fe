//! Cell bodies versus fibres: per-object measures relative to the expected cell size and to the
//! image's own brightness, so that one setting holds across scales and exposures.
//!
//! - **thickness**: the radius of the largest disc inside the object (the maximum of its own
//!   Euclidean distance map, in pixels, a pixel's centre to the nearest background pixel's centre)
//!   over the expected radius. A neurite is thin whatever its length; a cell body is about 1.
//! - **blob**: the ratio λ₂/λ₁ of the Hessian's eigenvalues (|λ₁| ≥ |λ₂|) of the background-corrected
//!   plane smoothed at the cell scale σ = d / (2√2) (the scale at which a disc of diameter d gives
//!   its strongest Laplacian response), or at the object's own scale r/√2 when its largest
//!   inscribed radius r makes that larger, at the centre of that inscribed disc (in the body, where
//!   a neurite attached may pull the centroid out), when the intensity curves down
//!   in the strongest direction (λ₁ < 0); else 0. A round blob is near 1, a ridge (neurite) or an
//!   edge near 0 (Lindeberg 1998; Frangi et al. 1998 use the same ratio to find vessels).
//! - **brightness**: the object's mean minus the image's median, in units of the image's robust
//!   spread (1.4826 median absolute deviations, the standard deviation of a normal background).
//! - **ring**: the object's contrast to the background around it
//!   ([`crate::count::pipeline::contrast`]), in the same units.

use crate::imaging::{
    channel::Plane,
    distance::{EdtScratch, squared_edt},
    label::Components,
};

/// The image's robust background level and spread, from the histogram of its plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Background {
    /// The median of all pixels.
    pub level: f64,
    /// 1.4826 times the median absolute deviation from the median; at least 1.
    pub spread: f64,
}

/// The median and robust spread of the values counted in `hist` (value → count).
///
/// ```
/// use fluocount::count::body::robust_background;
/// // 1, 2, 3, 4, 100: median 3, absolute deviations 2, 1, 0, 1, 97: MAD 1.
/// let mut h = vec![0u64; 101];
/// for v in [1, 2, 3, 4, 100] { h[v] += 1; }
/// let b = robust_background(&h);
/// assert_eq!((b.level, b.spread), (3.0, 1.4826));
/// ```
pub fn robust_background(hist: &[u64]) -> Background {
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return Background {
            level: 0.0,
            spread: 1.0,
        };
    }
    // The lower median (the value of rank (n - 1) / 2).
    let rank = (n - 1) / 2;
    let mut seen = 0;
    let mut median = 0usize;
    for (v, &c) in hist.iter().enumerate() {
        seen += c;
        if seen > rank {
            median = v;
            break;
        }
    }
    // The median of |v - median|: walk outwards from the median, nearest values first.
    let mut dev_hist = vec![0u64; hist.len()];
    for (v, &c) in hist.iter().enumerate() {
        dev_hist[v.abs_diff(median)] += c;
    }
    let mut seen = 0;
    let mut mad = 0usize;
    for (d, &c) in dev_hist.iter().enumerate() {
        seen += c;
        if seen > rank {
            mad = d;
            break;
        }
    }
    Background {
        level: median as f64,
        spread: (1.4826 * mad as f64).max(1.0),
    }
}

/// The largest disc inside every object of `comps`, in label order: its radius (the maximum of
/// the object's own distance map, in pixels) and its centre (the first pixel in raster order where
/// the maximum is reached, pixel coordinates with centres at +0.5). A cell body with a neurite
/// attached has its disc in the body, where its centroid may lie on the neurite side.
pub fn inscribed_discs(comps: &Components) -> Vec<(f64, f64, f64)> {
    let n = comps.count as usize;
    let mut boxes = vec![(u32::MAX, u32::MAX, 0u32, 0u32); n];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (r, (run, &l)) in comps.runs.iter().zip(&comps.labels).enumerate() {
        let i = l as usize - 1;
        let b = &mut boxes[i];
        *b = (
            b.0.min(run.x0),
            b.1.min(run.y),
            b.2.max(run.x1),
            b.3.max(run.y + 1),
        );
        members[i].push(r);
    }
    let (mut inside, mut squared, mut scratch) = (Vec::new(), Vec::new(), EdtScratch::default());
    boxes
        .iter()
        .zip(&members)
        .map(|(&(x0, y0, x1, y1), runs)| {
            if runs.is_empty() {
                return (0.0, 0.0, 0.0);
            }
            // The object on its box with a ring of background.
            let (pw, ph) = ((x1 - x0) as usize + 2, (y1 - y0) as usize + 2);
            inside.clear();
            inside.resize(pw * ph, false);
            for &r in runs {
                let run = comps.runs[r];
                let row = (run.y - y0 + 1) as usize * pw + 1;
                inside[row + (run.x0 - x0) as usize..row + (run.x1 - x0) as usize].fill(true);
            }
            squared.clear();
            squared.resize(pw * ph, 0u32);
            squared_edt(&inside, pw, ph, &mut squared, &mut scratch);
            let (mut best, mut at) = (0u32, 0usize);
            for (k, &v) in squared.iter().enumerate() {
                if v > best {
                    (best, at) = (v, k);
                }
            }
            let (px, py) = (at % pw, at / pw);
            (
                f64::from(best).sqrt(),
                f64::from(x0) + px as f64 - 0.5,
                f64::from(y0) + py as f64 - 0.5,
            )
        })
        .collect()
}

/// The Gaussian's derivatives at one scale, for [`BlobKernel::measure`]: made once per image and
/// scale, used for every object. The Hessian of a Gaussian is separable (gxx = g″(x) g(y),
/// gyy = g(x) g″(y), gxy = g′(x) g′(y)), so the kernel keeps three one-dimensional rows over the
/// window of radius 3σ: its memory grows with σ, not σ². Up to σ = [`BlobKernel::EXACT_SIGMA`]
/// every pixel of the window is taken; beyond, every `stride`-th pixel (stride ⌊σ / 32⌋, so at
/// least 32 samples per σ), which keeps the cost of one measure under about 200 × 200 samples
/// whatever the object's size.
#[derive(Clone, Debug)]
pub struct BlobKernel {
    /// The window's half-width in samples.
    half: i64,
    /// The distance in pixels between two samples.
    stride: i64,
    /// g, g′ and g″ (the common factor dropped) at each sample offset, from −half to half.
    g: Vec<f32>,
    g1: Vec<f32>,
    g2: Vec<f32>,
}

impl BlobKernel {
    /// The largest scale measured on every pixel of its window.
    pub const EXACT_SIGMA: f64 = 64.0;

    /// The kernel for scale `sigma` (pixels); `None` unless `sigma` is positive and finite.
    pub fn new(sigma: f64) -> Option<BlobKernel> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return None;
        }
        let stride = if sigma < Self::EXACT_SIGMA {
            1
        } else {
            (sigma / 32.0).floor() as i64
        };
        let half = ((3.0 * sigma).ceil() as i64 + stride - 1) / stride;
        let s2 = sigma * sigma;
        let (mut g, mut g1, mut g2) = (Vec::new(), Vec::new(), Vec::new());
        for k in -half..=half {
            let t = (k * stride) as f64;
            let e = (-t * t / (2.0 * s2)).exp();
            g.push(e as f32);
            g1.push((t / s2 * e) as f32);
            g2.push(((t * t / s2 - 1.0) / s2 * e) as f32);
        }
        Some(BlobKernel {
            half,
            stride,
            g,
            g1,
            g2,
        })
    }

    /// The number of samples of the window along one axis.
    pub fn width(&self) -> usize {
        self.g.len()
    }

    /// The smoothed Hessian (hxx, hyy, hxy) of `plane` at pixel (`ix`, `iy`), up to a common
    /// positive factor; pixels outside the plane repeat the nearest edge pixel.
    fn hessian(&self, plane: &Plane, ix: i64, iy: i64) -> (f64, f64, f64) {
        let (w, h) = (plane.width as i64, plane.height as i64);
        let (r, st) = (self.half, self.stride);
        let inside = ix - r * st >= 0 && ix + r * st < w;
        let (mut hxx, mut hyy, mut hxy) = (0f64, 0f64, 0f64);
        for (j, ((&gy, &g1y), &g2y)) in self.g.iter().zip(&self.g1).zip(&self.g2).enumerate() {
            let py = (iy + (j as i64 - r) * st).clamp(0, h - 1);
            let row = &plane.data[(py * w) as usize..][..w as usize];
            let (mut a, mut b, mut c) = (0f32, 0f32, 0f32);
            let mut add = |v: u16, k: usize| {
                let v = f32::from(v);
                a += v * self.g2[k];
                b += v * self.g[k];
                c += v * self.g1[k];
            };
            if inside && st == 1 {
                // Inside: the row's window as it is.
                let window = &row[(ix - r) as usize..=(ix + r) as usize];
                for (k, &v) in window.iter().enumerate() {
                    add(v, k);
                }
            } else {
                for k in 0..self.g.len() {
                    add(row[(ix + (k as i64 - r) * st).clamp(0, w - 1) as usize], k);
                }
            }
            hxx += f64::from(a) * f64::from(gy);
            hyy += f64::from(b) * f64::from(g2y);
            hxy += f64::from(c) * f64::from(g1y);
        }
        (hxx, hyy, hxy)
    }

    /// The blob measure at (`x`, `y`) (pixel coordinates, centres at +0.5; taken at the nearest
    /// pixel) of `plane`: λ₂/λ₁ of the Gaussian-smoothed Hessian (see the module documentation),
    /// in 0..=1. Pixels outside the plane repeat the nearest edge pixel.
    pub fn measure(&self, plane: &Plane, x: f64, y: f64) -> f64 {
        let (w, h) = (plane.width as i64, plane.height as i64);
        if w == 0 || h == 0 || !(x.is_finite() && y.is_finite()) {
            return 0.0;
        }
        let (ix, iy) = (
            ((x - 0.5).round() as i64).clamp(0, w - 1),
            ((y - 0.5).round() as i64).clamp(0, h - 1),
        );
        let (hxx, hyy, hxy) = self.hessian(plane, ix, iy);
        // Eigenvalues of [[hxx, hxy], [hxy, hyy]]; the common Gaussian factor cancels in the ratio.
        let mean = (hxx + hyy) / 2.0;
        let d = (((hxx - hyy) / 2.0).powi(2) + hxy * hxy).sqrt();
        let (a, b) = (mean - d, mean + d);
        // λ₁ the larger in magnitude.
        let (l1, l2) = if a.abs() >= b.abs() { (a, b) } else { (b, a) };
        if l1 >= 0.0 {
            return 0.0;
        }
        (l2 / l1).clamp(0.0, 1.0)
    }
}

/// The blob measure of `plane` at (`x`, `y`) at scale `sigma` ([`BlobKernel::measure`]); 0 for a
/// scale that is not positive and finite.
pub fn blob_measure(plane: &Plane, x: f64, y: f64, sigma: f64) -> f64 {
    BlobKernel::new(sigma).map_or(0.0, |k| k.measure(plane, x, y))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::imaging::{BitMask, Connectivity, image::BitDepth, label::label};
    use proptest::prelude::*;

    fn plane(w: u32, h: u32, f: impl Fn(f64, f64) -> u16) -> Plane {
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x as f64 + 0.5, y as f64 + 0.5))
            .collect();
        Plane::new(w, h, BitDepth::Eight, data)
    }

    /// The Gaussian's Hessian taps at (dx, dy) for scale `sigma`, the common factor dropped.
    fn taps(dx: i64, dy: i64, sigma: f64) -> (f64, f64, f64) {
        let (fx, fy) = (dx as f64, dy as f64);
        let (s2, s4) = (sigma * sigma, sigma.powi(4));
        let g = (-(fx * fx + fy * fy) / (2.0 * s2)).exp();
        (
            (fx * fx / s4 - 1.0 / s2) * g,
            (fy * fy / s4 - 1.0 / s2) * g,
            (fx * fy / s4) * g,
        )
    }

    /// The smoothed Hessian at (`ix`, `iy`) summed over every pixel of the window of radius
    /// ⌈3σ⌉, edges repeated: the reference for [`BlobKernel::hessian`].
    fn naive_hessian(p: &Plane, ix: i64, iy: i64, sigma: f64) -> (f64, f64, f64) {
        let r = (3.0 * sigma).ceil() as i64;
        let (w, h) = (p.width as i64, p.height as i64);
        let mut sum = (0.0, 0.0, 0.0);
        for dy in -r..=r {
            for dx in -r..=r {
                let x = (ix + dx).clamp(0, w - 1);
                let y = (iy + dy).clamp(0, h - 1);
                let v = f64::from(p.data[(y * w + x) as usize]);
                let t = taps(dx, dy, sigma);
                sum = (sum.0 + v * t.0, sum.1 + v * t.1, sum.2 + v * t.2);
            }
        }
        sum
    }

    /// The sum of the taps' sizes over the window.
    fn naive_hessian_size(sigma: f64) -> f64 {
        let r = (3.0 * sigma).ceil() as i64;
        let mut s = 0.0;
        for dy in -r..=r {
            for dx in -r..=r {
                let t = taps(dx, dy, sigma);
                s += t.0.abs() + t.1.abs() + t.2.abs();
            }
        }
        s
    }

    /// A disc of 1,500 px radius (σ = 1,050, beyond the exact range) reads as a blob and a band
    /// as a ridge, from a kernel of 199 samples a side (every 32nd pixel), not 6,301.
    #[test]
    fn a_huge_scale_is_sampled_and_stays_small() {
        let k = BlobKernel::new(1050.0).expect("a positive scale");
        assert_eq!(k.width(), 199);
        assert_eq!(BlobKernel::new(20.0).expect("scale").width(), 121);
        let disc = plane(3001, 3001, |x, y| {
            if (x - 1500.5).powi(2) + (y - 1500.5).powi(2) <= 1500.0f64.powi(2) {
                200
            } else {
                10
            }
        });
        assert!(k.measure(&disc, 1500.5, 1500.5) > 0.95);
        let band = plane(3001, 3001, |_, y| {
            if (y - 1500.5).abs() <= 500.0 { 200 } else { 10 }
        });
        assert!(k.measure(&band, 1500.5, 1500.5) < 0.05);
        assert!(BlobKernel::new(f64::NAN).is_none() && BlobKernel::new(0.0).is_none());
    }

    #[test]
    fn a_disc_is_a_blob_and_a_line_is_a_ridge() {
        let disc = plane(101, 101, |x, y| {
            if (x - 50.5).powi(2) + (y - 50.5).powi(2) <= 400.0 {
                200
            } else {
                10
            }
        });
        assert!(blob_measure(&disc, 50.5, 50.5, 14.0) > 0.95);
        let line = plane(
            101,
            101,
            |_, y| if (y - 50.5).abs() <= 3.0 { 200 } else { 10 },
        );
        assert!(blob_measure(&line, 50.5, 50.5, 14.0) < 0.05);
        // A dark spot curves up: not a bright blob.
        let hole = plane(101, 101, |x, y| {
            if (x - 50.5).powi(2) + (y - 50.5).powi(2) <= 400.0 {
                10
            } else {
                200
            }
        });
        assert_eq!(blob_measure(&hole, 50.5, 50.5, 14.0), 0.0);
        let empty = Plane::new(0, 0, BitDepth::Eight, vec![]);
        assert_eq!(blob_measure(&empty, 0.5, 0.5, 3.0), 0.0);
    }

    #[test]
    fn inscribed_radius_of_a_square_a_bar_and_two_objects() {
        // A 9x9 square (radius 5: its centre is 5 pixel steps from the background ring) and a
        // 1-pixel bar (radius 1).
        let mut bits = vec![false; 20 * 12];
        for y in 1..10 {
            for x in 1..10 {
                bits[y * 20 + x] = true;
            }
        }
        for x in 12..19 {
            bits[5 * 20 + x] = true;
        }
        let comps = label(&BitMask::from_bools(20, 12, &bits), Connectivity::Eight);
        let radii: Vec<f64> = inscribed_discs(&comps).iter().map(|d| d.0).collect();
        assert_eq!(radii, vec![5.0, 1.0]);
        // The square's disc is at its centre pixel (5, 5); the bar's at its first pixel.
        assert_eq!(
            inscribed_discs(&comps),
            vec![(5.0, 5.5, 5.5), (1.0, 12.5, 5.5)]
        );
    }

    proptest! {
        #[test]
        fn the_robust_background_is_the_median_and_mad_of_the_values(
            values in proptest::collection::vec(0u16..256, 1..200)
        ) {
            let mut hist = vec![0u64; 256];
            for &v in &values {
                hist[v as usize] += 1;
            }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let median = sorted[(sorted.len() - 1) / 2];
            let mut dev: Vec<u16> = sorted.iter().map(|&v| v.abs_diff(median)).collect();
            dev.sort_unstable();
            let mad = dev[(dev.len() - 1) / 2];
            let b = robust_background(&hist);
            prop_assert_eq!(b.level, f64::from(median));
            prop_assert_eq!(b.spread, (1.4826 * f64::from(mad)).max(1.0));
        }

        /// The separable kernel gives the Hessian of the full two-dimensional window (the
        /// formula summed directly in f64) on any plane, at any point, inside or near an edge.
        #[test]
        fn the_separable_hessian_is_the_windows_sum(
            w in 1u32..40,
            h in 1u32..40,
            seed in any::<u64>(),
            sigma in 0.3f64..6.0,
            fx in 0.0f64..1.0,
            fy in 0.0f64..1.0,
        ) {
            let mut state = seed | 1;
            let data: Vec<u16> = (0..w * h)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 256) as u16
                })
                .collect();
            let p = Plane::new(w, h, BitDepth::Eight, data);
            let (ix, iy) = ((fx * f64::from(w)) as i64, (fy * f64::from(h)) as i64);
            let k = BlobKernel::new(sigma).expect("a positive scale");
            let got = k.hessian(&p, ix, iy);
            let want = naive_hessian(&p, ix, iy, sigma);
            // Relative to the sum of the terms' sizes (f32 rows against f64).
            let scale = 255.0 * naive_hessian_size(sigma);
            for (g, n) in [(got.0, want.0), (got.1, want.1), (got.2, want.2)] {
                prop_assert!((g - n).abs() <= 1e-5 * scale, "{got:?} against {want:?}");
            }
        }
    }
}
