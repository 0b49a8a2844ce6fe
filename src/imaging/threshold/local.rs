//! Local (adaptive) thresholds after G. Landini's Auto Local Threshold plugin for Fiji
//! (<https://imagej.net/plugins/auto-local-threshold>): each pixel is compared with a statistic
//! of the window around it. Foreground is the object phase of "white objects on black background".
//!
//! Differences from the plugin, which is 8-bit only and uses ImageJ's `RankFilters`:
//! - the window is a square of side `2 radius + 1`, not RankFilters' circle, so that means and
//!   variances come from running sums (a summed-area table built one row at a time, exact in
//!   `u64`) and minima and maxima from the van Herk / Gil-Werman algorithm, in time independent of
//!   the radius; a square of the same radius holds about 27 % more pixels than the circle;
//! - at the edges the window is clamped to the image (only pixels inside count), where RankFilters
//!   repeats the edge pixels; the median of an even number of pixels is the lower one;
//! - thresholds are compared unrounded (`value > mean - C`): the plugin truncates them to an
//!   integer first, which for integer pixels and non-negative thresholds is the same thing;
//! - `Some(0.0)` is a literal 0, where the plugin reads a 0 parameter as "use the default";
//! - 16-bit planes: parameters in grey levels (C, Sauvola's r, Bernsen's contrast threshold and
//!   its mid-grey 128) are given in 8-bit units and multiplied by 257, so a 16-bit copy of an
//!   8-bit image (values times 257) gives the same mask; the median is taken over values shifted
//!   right until the plane's maximum fits in 8 bits (exact when it already does), and the pixel is
//!   compared at the same precision;
//! - Phansalkar normalises by the plane's minimum and maximum without the plugin's rounding to
//!   256 levels; Contrast uses the documented rule (nearer to the local maximum than to the local
//!   minimum), which the plugin's code garbles by operator precedence;
//! - the plugin's local Otsu is not provided.

use std::{fmt, str::FromStr};

use super::{
    phansalkar::{Banded, ExpBounds, background_sums, scan_banded},
    window::{MaskWriter, Window, scan_windows},
};
use crate::imaging::{bitmask::BitMask, channel::Plane, image::BitDepth};

/// A local thresholding method, named as in the Auto Local Threshold plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LocalMethod {
    /// J. Bernsen, "Dynamic thresholding of grey-level images", Proc. 8th ICPR, 1986: foreground if
    /// `value >= (min + max) / 2` (rounded down on 8-bit planes, i.e. `value` at least half a grey
    /// level below the exact mid-grey); where the local contrast `max - min` is below p1
    /// (default 15), foreground if that mid-grey is at least 128.
    Bernsen,
    /// Landini's contrast toggle: foreground if the value is at least as near the local maximum as
    /// the local minimum.
    Contrast,
    /// Foreground if `value > mean - C`, C = p1 (default 0) (HIPR2 adaptive thresholding).
    Mean,
    /// Foreground if `value > median - C`, C = p1 (default 0).
    Median,
    /// Foreground if `value > (min + max) / 2 - C`, C = p1 (default 0).
    MidGrey,
    /// W. Niblack, "An introduction to digital image processing", 1986: foreground if
    /// `value > mean + k * sd - C`, k = p1 (default 0.2), C = p2 (default 0).
    Niblack,
    /// N. Phansalkar et al., "Adaptive local thresholding for detection of nuclei in diversity
    /// stained cytology images", ICCSP 2011: on intensities normalised to [0, 1], foreground if
    /// `value > mean * (1 + p * exp(-q * mean) + k * (sd / r - 1))`, k = p1 (default 0.25),
    /// r = p2 (default 0.5), p = 2, q = 10.
    Phansalkar,
    /// J. Sauvola and M. Pietikäinen, "Adaptive document image binarization", Pattern Recognition
    /// 33(2), 2000: foreground if `value > mean * (1 + k * (sd / r - 1))`, k = p1 (default 0.5),
    /// r = p2 (default 128).
    Sauvola,
}

impl LocalMethod {
    /// Every method, in the plugin's (alphabetical) order.
    pub const ALL: [LocalMethod; 8] = [
        LocalMethod::Bernsen,
        LocalMethod::Contrast,
        LocalMethod::Mean,
        LocalMethod::Median,
        LocalMethod::MidGrey,
        LocalMethod::Niblack,
        LocalMethod::Phansalkar,
        LocalMethod::Sauvola,
    ];

    /// The plugin's name for the method, e.g. `"MidGrey"`.
    pub fn name(self) -> &'static str {
        match self {
            LocalMethod::Bernsen => "Bernsen",
            LocalMethod::Contrast => "Contrast",
            LocalMethod::Mean => "Mean",
            LocalMethod::Median => "Median",
            LocalMethod::MidGrey => "MidGrey",
            LocalMethod::Niblack => "Niblack",
            LocalMethod::Phansalkar => "Phansalkar",
            LocalMethod::Sauvola => "Sauvola",
        }
    }

    /// The names of parameters 1 and 2 (`None` where the method has none), for labels.
    pub fn param_names(self) -> [Option<&'static str>; 2] {
        match self {
            LocalMethod::Bernsen => [Some("contrast threshold"), None],
            LocalMethod::Contrast => [None, None],
            LocalMethod::Mean | LocalMethod::Median | LocalMethod::MidGrey => [Some("C"), None],
            LocalMethod::Niblack => [Some("k"), Some("C")],
            LocalMethod::Phansalkar | LocalMethod::Sauvola => [Some("k"), Some("r")],
        }
    }

    /// The plugin's defaults of parameters 1 and 2 (grey levels in 8-bit units).
    pub fn default_params(self) -> [Option<f64>; 2] {
        match self {
            LocalMethod::Bernsen => [Some(15.0), None],
            LocalMethod::Contrast => [None, None],
            LocalMethod::Mean | LocalMethod::Median | LocalMethod::MidGrey => [Some(0.0), None],
            LocalMethod::Niblack => [Some(0.2), Some(0.0)],
            LocalMethod::Phansalkar => [Some(0.25), Some(0.5)],
            LocalMethod::Sauvola => [Some(0.5), Some(128.0)],
        }
    }
}

impl fmt::Display for LocalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown local method name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLocalMethod(pub String);

impl fmt::Display for UnknownLocalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown local threshold method {:?}", self.0)
    }
}

impl std::error::Error for UnknownLocalMethod {}

impl FromStr for LocalMethod {
    type Err = UnknownLocalMethod;

    /// Parses the plugin's name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        LocalMethod::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownLocalMethod(s.to_string()))
    }
}

/// The settings of [`local_threshold`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalOptions {
    /// The method.
    pub method: LocalMethod,
    /// Half the side of the square window, in pixels (the plugin's default is 15).
    pub radius: u32,
    /// Parameter 1; `None` for the method's default (see [`LocalMethod::default_params`]).
    pub p1: Option<f64>,
    /// Parameter 2; `None` for the method's default.
    pub p2: Option<f64>,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            method: LocalMethod::Mean,
            radius: 15,
            p1: None,
            p2: None,
        }
    }
}

/// Thresholds `plane` locally: foreground (set bits) are the object pixels, bright objects on a
/// dark background. See the module documentation for the window and the 16-bit rules.
///
/// ```
/// use fluocount::imaging::{threshold::local::*, Plane};
/// // The bright spot is above its local mean; so is the ramp's last pixel, above the mean of its
/// // window clamped to the image.
/// let plane = Plane::from_u8(5, 1, &[10, 11, 90, 13, 14]);
/// let opts = LocalOptions { method: LocalMethod::Mean, radius: 1, ..Default::default() };
/// let mask = local_threshold(&plane, &opts);
/// assert_eq!(mask, fluocount::bitmask!["..#.#"]);
/// ```
pub fn local_threshold(plane: &Plane, opts: &LocalOptions) -> BitMask {
    let [d1, d2] = opts.method.default_params();
    let p1 = opts.p1.or(d1).unwrap_or(0.0);
    let p2 = opts.p2.or(d2).unwrap_or(0.0);
    // Grey levels in 8-bit units, scaled to the plane's depth.
    let scale = match plane.depth {
        BitDepth::Eight => 1.0,
        BitDepth::Sixteen => 257.0,
    };
    let r = opts.radius as usize;
    match opts.method {
        LocalMethod::Mean => {
            let c = p1 * scale;
            scan_windows(plane, r, |v, w| v as f64 > w.mean() - c)
        }
        LocalMethod::Niblack => {
            let (k, c) = (p1, p2 * scale);
            scan_windows(plane, r, |v, w| v as f64 > w.mean() + k * w.sd() - c)
        }
        LocalMethod::Sauvola => {
            let (k, rr) = (p1, p2 * scale);
            scan_windows(plane, r, |v, w| {
                v as f64 > w.mean() * (1.0 + k * (w.sd() / rr - 1.0))
            })
        }
        LocalMethod::Phansalkar => {
            let (k, rr) = (p1, p2);
            let (lo, hi) = plane
                .data
                .iter()
                .fold((u16::MAX, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            let lo = lo as f64;
            let range = if hi as f64 > lo { hi as f64 - lo } else { 1.0 };
            let exps = ExpBounds::new();
            // With k >= 0 and r > 0 the threshold only grows with the deviation, and every float
            // step of it is monotone, so its value at sd = 0 (with exp's lower bound) is a lower
            // bound: a pixel at or below it is background whatever its window's deviation, and
            // most background pixels are decided without the square root.
            // JUSTIFICATION: e2e/batch-bench.mjs (README "Benchmarks"); same decisions, checked
            // against the direct formula by the property test below.
            let sd_free = k >= 0.0 && rr > 0.0;
            let rest0 = k * (0.0 / rr - 1.0);
            // The same bound by integers for full windows: see [`background_sums`].
            // JUSTIFICATION: scripts/wasm-stages.sh, Phansalkar on a batch image 21.4 -> 15.5 ms
            // (a float test per pixel before); same decisions, checked against the direct
            // formula by the property tests below.
            let full = ((2 * r + 1) * (2 * r + 1)) as u64;
            let (smin, smax) = if sd_free {
                background_sums(lo, range, full, rest0, &exps, hi)
            } else {
                (Vec::new(), 0)
            };
            let decide = |v: u16, w: Window| {
                if w.n == full
                    && let Some(&s0) = smin.get(v as usize)
                    && w.sum >= s0
                    && w.sum < smax
                {
                    return false;
                }
                let mean = (w.mean() - lo) / range;
                let value = (v as f64 - lo) / range;
                if sd_free
                    && let Some((e_lo, _)) = exps.bounds(mean)
                    && value <= mean * (1.0 + 2.0 * e_lo + rest0)
                {
                    return false;
                }
                let sd = w.sd() / range;
                let rest = k * (sd / rr - 1.0);
                let t = |e: f64| mean * (1.0 + 2.0 * e + rest);
                // The threshold grows with exp(-10 mean); most pixels are decided by its bounds.
                if let Some((e_lo, e_hi)) = exps.bounds(mean) {
                    if value > t(e_hi) {
                        return true;
                    }
                    if value <= t(e_lo) {
                        return false;
                    }
                }
                value > t((-10.0 * mean).exp())
            };
            // 8-bit planes: the same decisions with the integer ranges tested in 32 bits before
            // anything else, and the sums of squares only for the pixels they leave.
            // JUSTIFICATION: see [`scan_banded`].
            match Banded::new(hi, r, &smin, smax) {
                Some(banded) => scan_banded(plane, r, &banded, decide),
                None => scan_windows(plane, r, decide),
            }
        }
        LocalMethod::Median => {
            // Median bins: values shifted until the plane's maximum fits in 8 bits.
            let max = plane.data.iter().copied().max().unwrap_or(0);
            let shift = (16 - max.leading_zeros()).saturating_sub(8);
            // C in bins: one 8-bit grey level is 2^(8 - shift) bins of a 16-bit plane.
            let c = match plane.depth {
                BitDepth::Eight => p1,
                BitDepth::Sixteen => p1 * 256.0 / (1u32 << shift) as f64,
            };
            scan_median(plane, r, shift, |q, median| q as f64 > median as f64 - c)
        }
        LocalMethod::MidGrey => {
            let c = p1 * scale;
            scan_min_max(plane, r, |v, lo, hi| {
                v as f64 > (lo as f64 + hi as f64) / 2.0 - c
            })
        }
        LocalMethod::Contrast => scan_min_max(plane, r, |v, lo, hi| hi - v <= v - lo),
        LocalMethod::Bernsen => {
            // The plugin's `value >= (min + max) / 2` in 8-bit integers is
            // `2 value + 1 >= min + max`; with the 1 scaled like a grey level it holds at any depth.
            let (contrast, one) = (p1 * scale, scale as u32);
            scan_min_max(plane, r, |v, lo, hi| {
                let sum = lo as u32 + hi as u32;
                if ((hi - lo) as f64) < contrast {
                    sum >= 256 * one
                } else {
                    2 * v as u32 + one >= sum
                }
            })
        }
    }
}

/// Calls `f(bin, median bin)` for every pixel with `bin = value >> shift` and the lower median of
/// the bins of its clamped square window, and packs the answers into a mask.
///
/// T. S. Huang, G. J. Yang and G. Y. Tang, "A fast two-dimensional median filtering algorithm",
/// IEEE TASSP 27(1), 1979: a 256-bin histogram slides along each row, and the median is tracked
/// with the count of values below it, so each step costs `O(radius)`.
///
/// # Panics
/// If a shifted value is 256 or more (a programmer error in choosing `shift`).
fn scan_median(
    plane: &Plane,
    r: usize,
    shift: u32,
    mut f: impl FnMut(u16, u16) -> bool,
) -> BitMask {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let mut out = MaskWriter::new(w, h);
    if w == 0 || h == 0 {
        return out.mask;
    }
    let bins: Vec<u8> = plane
        .data
        .iter()
        .map(|&v| u8::try_from(v >> shift).expect("median bin over 255"))
        .collect();
    let mut row_bits = vec![false; w];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r).min(h - 1));
        let rows = y1 - y0 + 1;
        let mut hist = [0u32; 256];
        for yy in y0..=y1 {
            for &b in &bins[yy * w..yy * w + r.min(w - 1) + 1] {
                hist[b as usize] += 1;
            }
        }
        // Median bin m and the number of window values in bins below it.
        let (mut m, mut below) = (0usize, 0u32);
        for x in 0..w {
            let (add, remove) = (x + r < w && x > 0, x > r);
            let (xa, xr) = (x + r, x.wrapping_sub(r + 1));
            if add && remove {
                for yy in y0..=y1 {
                    let (a, d) = (bins[yy * w + xa] as usize, bins[yy * w + xr] as usize);
                    hist[a] += 1;
                    hist[d] -= 1;
                    below = below + (a < m) as u32 - (d < m) as u32;
                }
            } else if add {
                for yy in y0..=y1 {
                    let a = bins[yy * w + xa] as usize;
                    hist[a] += 1;
                    below += (a < m) as u32;
                }
            } else if remove {
                for yy in y0..=y1 {
                    let d = bins[yy * w + xr] as usize;
                    hist[d] -= 1;
                    below -= (d < m) as u32;
                }
            }
            let n = (rows * ((x + r).min(w - 1) - x.saturating_sub(r) + 1)) as u32;
            let target = n.div_ceil(2);
            while below >= target {
                m -= 1;
                below -= hist[m];
            }
            while below + hist[m] < target {
                below += hist[m];
                m += 1;
            }
            row_bits[x] = f(bins[y * w + x] as u16, m as u16);
        }
        out.row(y, row_bits.iter().copied());
    }
    out.mask
}

/// `max(a, b)` or `min(a, b)`, chosen at compile time so the loops vectorise.
#[inline(always)]
fn pick<const MAX: bool>(a: u16, b: u16) -> u16 {
    if MAX { a.max(b) } else { a.min(b) }
}

/// The running minimum or maximum of `src` over windows `[i - r, i + r]` clamped to the line,
/// into `dst`, by van Herk / Gil-Werman: prefix and suffix extremes within blocks of `2r + 1`
/// (the line padded with `r` identities on both sides), so 3 operations per value whatever the
/// radius.
///
/// M. van Herk, "A fast algorithm for local minimum and maximum filters on rectangular and
/// octagonal kernels", Pattern Recognition Letters 13(7), 1992.
///
/// Each element is a run of `lanes` values combined lane by lane: `lanes = 1` filters a row,
/// `lanes = width` on a whole plane filters every column at once, a row at a time.
fn van_herk<const MAX: bool>(
    src: &[u16],
    lanes: usize,
    r: usize,
    dst: &mut [u16],
    prefix: &mut Vec<u16>,
    suffix: &mut Vec<u16>,
) {
    let id = if MAX { 0 } else { u16::MAX };
    let (k, len) = (2 * r + 1, src.len() / lanes);
    let ext_len = (len + 2 * r).div_ceil(k) * k;
    for buf in [&mut *prefix, &mut *suffix] {
        buf.clear();
        buf.resize(ext_len * lanes, id);
        buf[r * lanes..(r + len) * lanes].copy_from_slice(src);
    }
    // Window i covers ext[i..i + k]: the suffix of its first block and the prefix of the next.
    if lanes == 1 {
        for b in prefix.chunks_exact_mut(k) {
            for j in 1..k {
                b[j] = pick::<MAX>(b[j - 1], b[j]);
            }
        }
        for b in suffix.chunks_exact_mut(k) {
            for j in (0..k - 1).rev() {
                b[j] = pick::<MAX>(b[j], b[j + 1]);
            }
        }
        for (i, d) in dst.iter_mut().enumerate() {
            *d = pick::<MAX>(suffix[i], prefix[i + k - 1]);
        }
        return;
    }
    for b in prefix.chunks_exact_mut(k * lanes) {
        for j in 1..k {
            let (done, rest) = b.split_at_mut(j * lanes);
            for (c, &p) in rest[..lanes].iter_mut().zip(&done[(j - 1) * lanes..]) {
                *c = pick::<MAX>(p, *c);
            }
        }
    }
    for b in suffix.chunks_exact_mut(k * lanes) {
        for j in (0..k - 1).rev() {
            let (cur, next) = b.split_at_mut((j + 1) * lanes);
            for (c, &n) in cur[j * lanes..].iter_mut().zip(&next[..lanes]) {
                *c = pick::<MAX>(*c, n);
            }
        }
    }
    for (i, d) in dst.chunks_exact_mut(lanes).enumerate() {
        let (s, p) = (&suffix[i * lanes..], &prefix[(i + k - 1) * lanes..]);
        for ((d, &a), &b) in d.iter_mut().zip(s).zip(p) {
            *d = pick::<MAX>(a, b);
        }
    }
}

/// The minimum or maximum of every clamped square window, row-major: rows, then columns.
fn window_extreme<const MAX: bool>(plane: &Plane, r: usize) -> Vec<u16> {
    let w = plane.width as usize;
    let (mut prefix, mut suffix) = (Vec::new(), Vec::new());
    let mut rows = vec![0u16; plane.data.len()];
    for (src, dst) in plane.data.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        van_herk::<MAX>(src, 1, r, dst, &mut prefix, &mut suffix);
    }
    let mut out = vec![0u16; plane.data.len()];
    van_herk::<MAX>(&rows, w, r, &mut out, &mut prefix, &mut suffix);
    out
}

/// Calls `f(value, min, max)` for every pixel with the extremes of its clamped square window.
fn scan_min_max(plane: &Plane, r: usize, mut f: impl FnMut(u16, u16, u16) -> bool) -> BitMask {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let mut out = MaskWriter::new(w, h);
    if w == 0 || h == 0 {
        return out.mask;
    }
    let lo = window_extreme::<false>(plane, r);
    let hi = window_extreme::<true>(plane, r);
    for y in 0..h {
        let span = y * w..y * w + w;
        let bits = plane.data[span.clone()]
            .iter()
            .zip(&lo[span.clone()])
            .zip(&hi[span])
            .map(|((&v, &l), &u)| f(v, l, u));
        out.row(y, bits);
    }
    out.mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmask;

    fn run(
        method: LocalMethod,
        radius: u32,
        p1: Option<f64>,
        p2: Option<f64>,
        plane: &Plane,
    ) -> BitMask {
        local_threshold(
            plane,
            &LocalOptions {
                method,
                radius,
                p1,
                p2,
            },
        )
    }

    fn row8(values: &[u8]) -> Plane {
        Plane::from_u8(values.len() as u32, 1, values)
    }

    #[test]
    fn names_and_defaults() {
        for m in LocalMethod::ALL {
            assert_eq!(m.name().parse::<LocalMethod>(), Ok(m));
            let (names, defaults) = (m.param_names(), m.default_params());
            for i in 0..2 {
                assert_eq!(names[i].is_some(), defaults[i].is_some(), "{m}");
            }
        }
        assert_eq!(" midgrey ".parse::<LocalMethod>(), Ok(LocalMethod::MidGrey));
        assert!("Otsu".parse::<LocalMethod>().is_err());
        assert_eq!(
            LocalMethod::Sauvola.default_params(),
            [Some(0.5), Some(128.0)]
        );
        assert_eq!(
            LocalMethod::Phansalkar.default_params(),
            [Some(0.25), Some(0.5)]
        );
        assert_eq!(
            LocalMethod::Niblack.default_params(),
            [Some(0.2), Some(0.0)]
        );
    }

    #[test]
    fn mean_on_a_2d_plane_with_and_without_c() {
        let plane = Plane::from_u8(4, 3, &[0, 0, 0, 0, 0, 9, 0, 3, 0, 0, 0, 0]);
        let got = run(LocalMethod::Mean, 1, None, None, &plane);
        assert_eq!(got, bitmask!["....", ".#.#", "...."]);
        // C = 1: zeros whose clamped window has a mean below 1 (only 3 / 4 at the right corners).
        let got = run(LocalMethod::Mean, 1, Some(1.0), None, &plane);
        assert_eq!(got, bitmask!["...#", ".#.#", "...#"]);
    }

    #[test]
    fn statistics_methods_on_a_row() {
        let p = row8(&[9, 1, 5, 6, 2]);
        // Windows {9,1} {9,1,5} {1,5,6} {5,6,2} {6,2}; means 5, 5, 4, 4.33, 4.
        assert_eq!(run(LocalMethod::Mean, 1, None, None, &p), bitmask!["#.##."]);
        // Lower medians 1, 5, 5, 5, 2.
        assert_eq!(
            run(LocalMethod::Median, 1, None, None, &p),
            bitmask!["#..#."]
        );
        // Mid-greys 5, 5, 3.5, 4, 4.
        assert_eq!(
            run(LocalMethod::MidGrey, 1, None, None, &p),
            bitmask!["#.##."]
        );
        assert_eq!(
            run(LocalMethod::Contrast, 1, None, None, &p),
            bitmask!["#.##."]
        );
        // Niblack k = 0.2: thresholds 5.8, 5.65, 4.43, 4.67, 4.4; k = 0.5: 7, 6.63, 5.08, 5.18, 5.
        assert_eq!(
            run(LocalMethod::Niblack, 1, None, None, &p),
            bitmask!["#.##."]
        );
        assert_eq!(
            run(LocalMethod::Niblack, 1, Some(0.5), None, &p),
            bitmask!["#..#."]
        );
        // Niblack's C lowers the threshold: k = 0.5, C = 1.
        assert_eq!(
            run(LocalMethod::Niblack, 1, Some(0.5), Some(1.0), &p),
            bitmask!["#.##."]
        );
        // Sauvola: thresholds about half the mean.
        assert_eq!(
            run(LocalMethod::Sauvola, 1, None, None, &p),
            bitmask!["#.##."]
        );
        // Radius 0: each pixel is its own window.
        assert_eq!(run(LocalMethod::Mean, 0, None, None, &p), bitmask!["....."]);
    }

    #[test]
    fn midgrey_and_contrast_differ_on_ties() {
        let p = row8(&[2, 4, 6]);
        assert_eq!(
            run(LocalMethod::MidGrey, 1, None, None, &p),
            bitmask!["..#"]
        );
        assert_eq!(
            run(LocalMethod::Contrast, 1, None, None, &p),
            bitmask![".##"]
        );
    }

    #[test]
    fn sauvola_keeps_dips_the_mean_drops() {
        let p = row8(&[10, 8, 10]);
        assert_eq!(run(LocalMethod::Mean, 1, None, None, &p), bitmask!["#.#"]);
        assert_eq!(
            run(LocalMethod::Sauvola, 1, None, None, &p),
            bitmask!["###"]
        );
        // r = 1: thresholds mean * (0.5 + 0.5 sd) = 9, 9.07, 9.
        assert_eq!(
            run(LocalMethod::Sauvola, 1, None, Some(1.0), &p),
            bitmask!["#.#"]
        );
    }

    #[test]
    fn phansalkar_raises_the_threshold_in_dark_regions() {
        // Normalised [0, .1, .12, .1, 1]; the dark bump at x = 2 (threshold 0.154) is not kept.
        let p = row8(&[0, 10, 12, 10, 100]);
        assert_eq!(run(LocalMethod::Mean, 1, None, None, &p), bitmask![".##.#"]);
        assert_eq!(
            run(LocalMethod::Phansalkar, 1, None, None, &p),
            bitmask!["....#"]
        );
        // Normalised [1, 0, .5, .625, .125]: thresholds 0.507, 0.484, 0.350, 0.370, 0.346.
        let p = row8(&[9, 1, 5, 6, 2]);
        assert_eq!(
            run(LocalMethod::Phansalkar, 1, None, None, &p),
            bitmask!["#.##."]
        );
    }

    #[test]
    fn bernsen_contrast_rule() {
        let p = row8(&[9, 1, 5, 6, 2]);
        // Every local contrast is below 15 and every mid-grey below 128.
        assert_eq!(
            run(LocalMethod::Bernsen, 1, None, None, &p),
            bitmask!["....."]
        );
        // Contrast threshold 1: value >= (min + max) / 2 in integers: 5, 5, 3, 4, 4.
        assert_eq!(
            run(LocalMethod::Bernsen, 1, Some(1.0), None, &p),
            bitmask!["#.##."]
        );
        assert_eq!(
            run(LocalMethod::Bernsen, 1, Some(1.0), None, &row8(&[3, 4])),
            bitmask!["##"]
        );
        // Low contrast and bright: all object.
        assert_eq!(
            run(LocalMethod::Bernsen, 1, None, None, &row8(&[200, 201, 200])),
            bitmask!["###"]
        );
    }

    #[test]
    fn constant_planes_have_no_foreground() {
        for depth in [BitDepth::Eight, BitDepth::Sixteen] {
            for v in [0, 7, 255] {
                let plane = Plane::new(6, 4, depth, vec![v; 24]);
                for m in [
                    LocalMethod::Mean,
                    LocalMethod::Median,
                    LocalMethod::MidGrey,
                    LocalMethod::Niblack,
                    LocalMethod::Phansalkar,
                ] {
                    for radius in [0, 1, 15] {
                        let mask = run(m, radius, None, None, &plane);
                        assert_eq!(mask.count_ones(), 0, "{m} {depth:?} {v} r {radius}");
                    }
                }
            }
        }
    }

    #[test]
    fn sixteen_bit_copy_gives_the_same_mask() {
        // A deterministic 13 x 9 test image with spots and a ramp.
        let data: Vec<u8> = (0..13 * 9)
            .map(|i| {
                let (x, y) = (i % 13, i / 13);
                let spot = if (x * 7 + y * 3) % 11 == 0 { 120 } else { 0 };
                (x * 5 + y * 2 + (i * 37 % 17) + spot) as u8
            })
            .collect();
        let p8 = Plane::from_u8(13, 9, &data);
        let p16 = Plane::new(
            13,
            9,
            BitDepth::Sixteen,
            p8.data.iter().map(|&v| v * 257).collect(),
        );
        for m in LocalMethod::ALL {
            for radius in [1, 3] {
                let a = run(m, radius, None, None, &p8);
                assert_eq!(a, run(m, radius, None, None, &p16), "{m} r {radius}");
                assert!(a.count_ones() > 0, "{m} r {radius}");
            }
        }
        // With C: the 16-bit C is 257 times the 8-bit one.
        for m in [LocalMethod::Mean, LocalMethod::MidGrey, LocalMethod::Median] {
            let a = run(m, 2, Some(3.0), None, &p8);
            assert_eq!(a, run(m, 2, Some(3.0), None, &p16), "{m} C 3");
        }
    }

    #[test]
    fn sixteen_bit_median_bins() {
        // 12-bit data in 16 bits: values shifted by 4 (4095 >> 4 = 255).
        let plane = Plane::new(3, 1, BitDepth::Sixteen, vec![4095, 100, 131]);
        // Bins 255, 6, 8: windows {255,6} {255,6,8} {6,8} have lower medians 6, 8, 6.
        assert_eq!(
            run(LocalMethod::Median, 1, None, None, &plane),
            bitmask!["#.#"]
        );
    }

    #[test]
    fn empty_plane() {
        let plane = Plane::from_u8(0, 0, &[]);
        for m in LocalMethod::ALL {
            assert_eq!(run(m, 3, None, None, &plane).count_ones(), 0);
        }
    }

    #[test]
    fn mask_rows_longer_than_a_word() {
        // 70 pixels: the bright one at x = 66 sits in the second word.
        let mut v = vec![10u8; 70];
        v[66] = 90;
        let mask = run(LocalMethod::Mean, 2, None, None, &row8(&v));
        assert_eq!(mask.count_ones(), 1);
        assert!(mask.get(66, 0));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// The values of the clamped square window around (x, y).
    fn window_values(plane: &Plane, r: usize, x: usize, y: usize) -> Vec<u16> {
        let (w, h) = (plane.width as usize, plane.height as usize);
        let mut v = Vec::new();
        for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
            for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                v.push(plane.data[yy * w + xx]);
            }
        }
        v
    }

    /// Phansalkar's threshold as the plugin writes it, on the exact window sums.
    fn direct_phansalkar(plane: &Plane, r: usize, k: f64, rr: f64) -> BitMask {
        let lo = plane.data.iter().copied().min().unwrap_or(0) as f64;
        let hi = plane.data.iter().copied().max().unwrap_or(0) as f64;
        let range = if hi > lo { hi - lo } else { 1.0 };
        scan_windows(plane, r, |v, w| {
            let mean = (w.mean() - lo) / range;
            let sd = w.sd() / range;
            let t = mean * (1.0 + 2.0 * (-10.0 * mean).exp() + k * (sd / rr - 1.0));
            (v as f64 - lo) / range > t
        })
    }

    fn planes() -> impl Strategy<Value = (Plane, usize)> {
        (1u32..14, 1u32..10, 0usize..6, any::<bool>(), 0u32..4).prop_flat_map(
            |(w, h, r, sixteen, spread)| {
                // Narrow value ranges too, so that ties and flat windows occur.
                let max: u16 = match (sixteen, spread) {
                    (_, 0) => 3,
                    (false, _) => 255,
                    (true, 1) => 4095,
                    (true, _) => 65535,
                };
                let depth = if sixteen {
                    BitDepth::Sixteen
                } else {
                    BitDepth::Eight
                };
                prop::collection::vec(0..=max, (w * h) as usize)
                    .prop_map(move |data| (Plane::new(w, h, depth, data), r))
            },
        )
    }

    #[test]
    fn banded_ranges_cover_8_bit_planes_and_decide_most_dim_pixels() {
        // A dim field with noise and one bright pixel in a corner: the full windows are decided
        // by their range alone.
        let mut data: Vec<u16> = (0..80 * 60).map(|i| 20 + (i * 7919 % 2) as u16).collect();
        data[0] = 255;
        let plane = Plane::new(80, 60, BitDepth::Eight, data);
        let (smin, smax) = background_sums(20.0, 235.0, 121, -0.25, &ExpBounds::new(), 255);
        let banded = Banded::new(255, 5, &smin, smax).expect("an 8-bit plane is banded");
        let mut calls = 0;
        let mask = scan_banded(&plane, 5, &banded, |_, _| {
            calls += 1;
            false
        });
        assert_eq!(mask.count_ones(), 0);
        // Only the border (80 * 60 - 70 * 50 = 1300 pixels) needs `f`.
        assert_eq!(calls, 1300);
        // 16-bit values and sums that overflow 32 bits take the u64 scan.
        assert!(Banded::new(255 * 257, 5, &smin, smax).is_none());
        assert!(Banded::new(255, 5, &smin, u32::MAX as u64 + 1).is_none());
    }

    proptest! {
        #[test]
        fn window_sums_mean_and_sd_match_a_naive_window((plane, r) in planes()) {
            let w = plane.width as usize;
            let mut seen = Vec::new();
            scan_windows(&plane, r, |v, win| { seen.push((v, win)); false });
            prop_assert_eq!(seen.len(), plane.data.len());
            for (i, &(v, win)) in seen.iter().enumerate() {
                prop_assert_eq!(v, plane.data[i]);
                let vals = window_values(&plane, r, i % w, i / w);
                let n = vals.len() as u64;
                let sum: u64 = vals.iter().map(|&v| v as u64).sum();
                let sum_sq: u64 = vals.iter().map(|&v| v as u64 * v as u64).sum();
                prop_assert_eq!(win, Window { n, sum, sum_sq });
                // Two-pass mean and population sd.
                let mean = vals.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
                let var = vals.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n as f64;
                prop_assert!((win.mean() - mean).abs() <= 1e-9 * mean.max(1.0));
                prop_assert!((win.sd() - var.sqrt()).abs() <= 1e-6 * var.sqrt().max(1.0),
                    "sd {} vs {}", win.sd(), var.sqrt());
            }
        }

        #[test]
        fn window_extremes_match_a_naive_window((plane, r) in planes()) {
            let w = plane.width as usize;
            let lo = window_extreme::<false>(&plane, r);
            let hi = window_extreme::<true>(&plane, r);
            for i in 0..plane.data.len() {
                let vals = window_values(&plane, r, i % w, i / w);
                prop_assert_eq!(lo[i], *vals.iter().min().unwrap());
                prop_assert_eq!(hi[i], *vals.iter().max().unwrap());
            }
        }

        #[test]
        fn median_matches_a_sorted_window((plane, r) in planes(), shift in 0u32..9) {
            let shift = if plane.depth == BitDepth::Eight { 0 } else { shift.max(8) };
            let w = plane.width as usize;
            let mut seen = Vec::new();
            scan_median(&plane, r, shift, |q, m| { seen.push((q, m)); false });
            for (i, &(q, m)) in seen.iter().enumerate() {
                let mut vals: Vec<u16> = window_values(&plane, r, i % w, i / w)
                    .into_iter().map(|v| v >> shift).collect();
                vals.sort_unstable();
                prop_assert_eq!(q, plane.data[i] >> shift);
                prop_assert_eq!(m, vals[(vals.len() - 1) / 2]);
            }
        }

        #[test]
        fn phansalkar_matches_the_direct_formula_on_dim_fields(
            (w, h) in (12u32..150, 12u32..40),
            r in 1usize..6,
            base in 0u16..60,
            noise in 0u16..8,
            sixteen in any::<bool>(),
            seed in any::<u64>(),
        ) {
            // Dim noisy backgrounds with a few bright spots: most pixels lie near their window's
            // mean, where the division-free bound of full windows decides them.
            let mut next = crate::util::testing::xorshift(seed);
            let data: Vec<u16> = (0..w * h)
                .map(|_| {
                    let x = next();
                    let v = if x.is_multiple_of(97) { 255 } else { base + (x >> 32) as u16 % (noise + 1) };
                    if sixteen { v * 257 } else { v }
                })
                .collect();
            let depth = if sixteen { BitDepth::Sixteen } else { BitDepth::Eight };
            let plane = Plane::new(w, h, depth, data);
            let got = local_threshold(&plane, &LocalOptions {
                method: LocalMethod::Phansalkar, radius: r as u32, p1: None, p2: None,
            });
            prop_assert_eq!(got, direct_phansalkar(&plane, r, 0.25, 0.5));
        }

        #[test]
        fn phansalkar_matches_the_direct_formula(
            (plane, r) in planes(),
            k in prop::sample::select(vec![0.25, -0.5, 0.0, 1.5, 0.03]),
            rr in prop::sample::select(vec![0.5, 0.1, 2.0, 0.0, 0.9]),
        ) {
            let got = local_threshold(&plane, &LocalOptions {
                method: LocalMethod::Phansalkar, radius: r as u32, p1: Some(k), p2: Some(rr),
            });
            prop_assert_eq!(got, direct_phansalkar(&plane, r, k, rr));
        }

        #[test]
        fn phansalkar_exp_bounds_hold(mean in 0.0f64..1.0) {
            let (lo, hi) = ExpBounds::new().bounds(mean).unwrap();
            let e = (-10.0 * mean).exp();
            prop_assert!(lo <= e && e <= hi, "{} {} {}", lo, e, hi);
            // Tight enough to decide most pixels.
            prop_assert!(hi - lo <= 0.003 * e, "{} {}", lo, hi);
        }

        #[test]
        fn exact_methods_match_a_naive_reference((plane, r) in planes(), c in 0u32..3) {
            let w = plane.width as usize;
            let scale = if plane.depth == BitDepth::Eight { 1 } else { 257 };
            let max = *plane.data.iter().max().unwrap();
            let shift = (16 - max.leading_zeros()).saturating_sub(8);
            for m in [LocalMethod::Mean, LocalMethod::Median, LocalMethod::MidGrey,
                      LocalMethod::Contrast, LocalMethod::Bernsen] {
                let got = local_threshold(&plane, &LocalOptions {
                    method: m, radius: r as u32, p1: Some(c as f64), p2: None,
                });
                for i in 0..plane.data.len() {
                    let v = plane.data[i] as i64;
                    let mut vals = window_values(&plane, r, i % w, i / w);
                    vals.sort_unstable();
                    let (lo, hi) = (vals[0] as i64, *vals.last().unwrap() as i64);
                    let (n, s) = (vals.len() as i64, vals.iter().map(|&v| v as i64).sum::<i64>());
                    let c = (c * scale) as i64;
                    let want = match m {
                        // v > s/n - C, in integers.
                        LocalMethod::Mean => v * n > s - c * n,
                        LocalMethod::Median => {
                            let med = (vals[(vals.len() - 1) / 2] >> shift) as i64;
                            let cq = if scale == 1 { c } else { (c / 257 * 256) >> shift };
                            (v >> shift) > med - cq
                        }
                        LocalMethod::MidGrey => 2 * v > lo + hi - 2 * c,
                        LocalMethod::Contrast => hi - v <= v - lo,
                        // Bernsen: for 8-bit planes, the plugin's integer mid-grey.
                        _ => {
                            let mid = (lo + hi) / 2;
                            if scale == 1 && hi - lo < c {
                                mid >= 128
                            } else if scale == 1 {
                                v >= mid
                            } else if hi - lo < c {
                                lo + hi >= 256 * 257
                            } else {
                                2 * v + 257 >= lo + hi
                            }
                        }
                    };
                    prop_assert_eq!(got.get((i % w) as u32, (i / w) as u32), want, "{} at {}", m, i);
                }
            }
        }
    }
}
