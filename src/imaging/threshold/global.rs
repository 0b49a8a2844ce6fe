//! ImageJ's global auto-threshold methods (`ij.process.AutoThresholder`), as pure functions of a
//! histogram.
//!
//! Each method takes a histogram of any length (256 bins for 8-bit planes, 65536 for 16-bit ones)
//! and returns a level in the histogram's own units, with ImageJ's convention: foreground is
//! `value > level`. On 256-bin histograms every method returns exactly what ImageJ 1.53t's
//! `AutoThresholder.getThreshold(Method, int[])` returns (checked against
//! `tests/data/imagej_thresholds.tsv`), including its quirks: a method that fails (ImageJ's -1)
//! gives 0, and so does a histogram on which ImageJ throws (Intermodes on an empty histogram).
//! ImageJ only accepts 256 bins; on other lengths the same algorithms run with 255 replaced by
//! `len - 1`.
//!
//! Differences from ImageJ, all on inputs ImageJ cannot take or mishandles:
//! - sums are exact (`u128`): ImageJ accumulates `i * count` (IsoData, MinError's `B`) and
//!   `i * i * count` (MinError's `C`) in 32-bit `int`s, which overflow once a bin holds more than
//!   about 2^31 / 255 (resp. 2^31 / 65025 ≈ 33 000) pixels, and Default compares `2 * count` in
//!   `int`; ImageJ's levels are then garbage, ours are the mathematically intended ones;
//! - the iterative methods ImageJ could loop on forever (Li, MinError oscillating between two
//!   levels) stop after 10 000 iterations;
//! - a level outside `0..len` (which ImageJ could return from Triangle or MinError) is clamped;
//! - histograms shorter than 2 bins give 0.

use std::{fmt, str::FromStr};

/// An ImageJ auto-threshold method, named as in ImageJ's `AutoThresholder.Method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AutoMethod {
    /// ImageJ's "Default": the IJ_IsoData variant of Ridler & Calvard (1978), with the mode
    /// clipped to 1.5 times the second-highest bin when it is more than twice as high.
    Default,
    /// L.-K. Huang and M.-J. J. Wang, "Image thresholding by minimizing the measures of
    /// fuzziness", Pattern Recognition 28(1), 1995.
    Huang,
    /// J. M. S. Prewitt and M. L. Mendelsohn, "The analysis of cell images", Ann. N.Y. Acad. Sci.
    /// 128, 1966: midpoint of the two modes of the iteratively smoothed histogram.
    Intermodes,
    /// T. W. Ridler and S. Calvard, "Picture thresholding using an iterative selection method",
    /// IEEE SMC 8, 1978 (ImageJ's "IsoData", the intermeans variant).
    IsoData,
    /// C. H. Li and P. K. S. Tam, "An iterative algorithm for minimum cross entropy
    /// thresholding", Pattern Recognition Letters 18(8), 1998.
    Li,
    /// J. N. Kapur, P. K. Sahoo and A. K. C. Wong, "A new method for gray-level picture
    /// thresholding using the entropy of the histogram", CVGIP 29(3), 1985.
    MaxEntropy,
    /// C. A. Glasbey, "An analysis of histogram-based thresholding algorithms", CVGIP: GMIP 55,
    /// 1993: the mean grey level.
    Mean,
    /// J. Kittler and J. Illingworth, "Minimum error thresholding", Pattern Recognition 19, 1986
    /// (ImageJ's iterative version).
    MinError,
    /// J. M. S. Prewitt and M. L. Mendelsohn, 1966: the minimum between the two modes of the
    /// iteratively smoothed histogram.
    Minimum,
    /// W. Tsai, "Moment-preserving thresholding: a new approach", CVGIP 29, 1985.
    Moments,
    /// N. Otsu, "A threshold selection method from gray-level histograms", IEEE SMC 9(1), 1979
    /// (ImageJ 1.53t's version, J. Bevik's: the last level maximising the between-class
    /// variance).
    Otsu,
    /// W. Doyle, "Operations useful for similarity-invariant pattern recognition", JACM 9, 1962:
    /// the level closest to the median.
    Percentile,
    /// J. N. Kapur, P. K. Sahoo and A. K. C. Wong, 1985, with Rényi's entropy (three orders
    /// combined, as in Sahoo et al. 1997).
    RenyiEntropy,
    /// A. G. Shanbhag, "Utilization of information measure as a means of image thresholding",
    /// GMIP 56(5), 1994.
    Shanbhag,
    /// G. W. Zack, W. E. Rogers and S. A. Latt, "Automatic measurement of sister chromatid
    /// exchange frequency", J. Histochem. Cytochem. 25(7), 1977, on the histogram's longer side.
    Triangle,
    /// J. C. Yen, F. J. Chang and S. Chang, "A new criterion for automatic multilevel
    /// thresholding", IEEE Trans. Image Processing 4(3), 1995.
    Yen,
}

impl AutoMethod {
    /// Every method, in ImageJ's order.
    pub const ALL: [AutoMethod; 16] = [
        AutoMethod::Default,
        AutoMethod::Huang,
        AutoMethod::Intermodes,
        AutoMethod::IsoData,
        AutoMethod::Li,
        AutoMethod::MaxEntropy,
        AutoMethod::Mean,
        AutoMethod::MinError,
        AutoMethod::Minimum,
        AutoMethod::Moments,
        AutoMethod::Otsu,
        AutoMethod::Percentile,
        AutoMethod::RenyiEntropy,
        AutoMethod::Shanbhag,
        AutoMethod::Triangle,
        AutoMethod::Yen,
    ];

    /// ImageJ's name for the method, e.g. `"MinError"`.
    pub fn name(self) -> &'static str {
        match self {
            AutoMethod::Default => "Default",
            AutoMethod::Huang => "Huang",
            AutoMethod::Intermodes => "Intermodes",
            AutoMethod::IsoData => "IsoData",
            AutoMethod::Li => "Li",
            AutoMethod::MaxEntropy => "MaxEntropy",
            AutoMethod::Mean => "Mean",
            AutoMethod::MinError => "MinError",
            AutoMethod::Minimum => "Minimum",
            AutoMethod::Moments => "Moments",
            AutoMethod::Otsu => "Otsu",
            AutoMethod::Percentile => "Percentile",
            AutoMethod::RenyiEntropy => "RenyiEntropy",
            AutoMethod::Shanbhag => "Shanbhag",
            AutoMethod::Triangle => "Triangle",
            AutoMethod::Yen => "Yen",
        }
    }
}

impl fmt::Display for AutoMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown method name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownAutoMethod(pub String);

impl fmt::Display for UnknownAutoMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown auto-threshold method {:?}", self.0)
    }
}

impl std::error::Error for UnknownAutoMethod {}

impl FromStr for AutoMethod {
    type Err = UnknownAutoMethod;

    /// Parses ImageJ's name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        AutoMethod::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownAutoMethod(s.to_string()))
    }
}

/// The level `method` gives for the full histogram of a plane (256 bins for 8-bit, 65536 for
/// 16-bit), as ImageJ's `ImageProcessor.setAutoThreshold(method, darkBackground=true, …)` does
/// it: a 16-bit image is first scaled to 8 bits between its minimum and maximum, the method runs
/// on that 256-bin histogram, and the lower threshold `min + (t + 1) / 255 · (max − min)` is
/// mapped back. Returned as a level for "foreground is `value > level`", i.e. ImageJ's lower
/// threshold minus one.
pub fn plane_level(method: AutoMethod, hist: &[u64]) -> u16 {
    if hist.len() <= 256 {
        return auto_level(method, hist);
    }
    let (Some(min), Some(max)) = (
        hist.iter().position(|&c| c > 0),
        hist.iter().rposition(|&c| c > 0),
    ) else {
        return 0;
    };
    if max == min {
        return (min as u16).saturating_sub(1);
    }
    // ImageJ's TypeConverter.convertShortToByte: round((v - min) * 256 / (max - min + 1)).
    let scale = 256.0 / (max - min + 1) as f64;
    let mut small = [0u64; 256];
    for (v, &c) in hist.iter().enumerate().take(max + 1).skip(min) {
        let b = (((v - min) as f64) * scale + 0.5) as usize;
        small[b.min(255)] += c;
    }
    let t = auto_level(method, &small) as f64;
    let lower = min as f64 + (t + 1.0) / 255.0 * (max - min) as f64;
    (lower.round() as i64 - 1).clamp(0, 65535) as u16
}

/// The level `method` gives for `hist`, as ImageJ's `AutoThresholder.getThreshold` does
/// (its failure value -1 becomes 0). Never panics; always `< hist.len()` when `hist` is non-empty.
///
/// ```
/// use fluocount::imaging::threshold::global::{auto_level, AutoMethod};
/// let mut hist = vec![0u64; 256];
/// hist[10] = 50;
/// hist[200] = 50;
/// assert_eq!(auto_level(AutoMethod::Mean, &hist), 105);
/// ```
pub fn auto_level(method: AutoMethod, hist: &[u64]) -> u16 {
    if hist.len() < 2 {
        return 0;
    }
    let level = match method {
        AutoMethod::Default => default_isodata(hist),
        AutoMethod::Huang => huang(hist),
        AutoMethod::Intermodes => intermodes(hist),
        AutoMethod::IsoData => isodata(hist),
        AutoMethod::Li => li(hist),
        AutoMethod::MaxEntropy => max_entropy(hist),
        AutoMethod::Mean => mean(hist),
        AutoMethod::MinError => min_error(hist),
        AutoMethod::Minimum => minimum(hist),
        AutoMethod::Moments => moments(hist),
        AutoMethod::Otsu => otsu(hist),
        AutoMethod::Percentile => percentile(hist),
        AutoMethod::RenyiEntropy => renyi_entropy(hist),
        AutoMethod::Shanbhag => shanbhag(hist),
        AutoMethod::Triangle => triangle(hist),
        AutoMethod::Yen => yen(hist),
    };
    let level = if level == -1 { 0 } else { level };
    level.clamp(0, (hist.len() - 1).min(u16::MAX as usize) as i64) as u16
}

/// Java's `Double.MIN_VALUE`: the smallest positive subnormal (not `f64::MIN_POSITIVE`).
const JAVA_DOUBLE_MIN: f64 = 5e-324;
/// C's `DBL_EPSILON`, as ImageJ spells it.
const EPS: f64 = 2.220446049250313e-16;
/// Cap on the iterations of the methods ImageJ iterates without bound.
const MAX_ITER: usize = 10_000;

/// Java's `Math.round` on a double, as a level.
fn java_round(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

/// Exact cumulative sums of `count`, `i * count` and `i² * count`; converted to `f64` they equal
/// ImageJ's `double` accumulations whenever those are exact (below 2^53).
struct Cumulative {
    n: Vec<u128>,
    s: Vec<u128>,
    ss: Vec<u128>,
}

impl Cumulative {
    fn new(hist: &[u64]) -> Self {
        let (mut n, mut s, mut ss) = (0u128, 0u128, 0u128);
        let mut c = Cumulative {
            n: Vec::with_capacity(hist.len()),
            s: Vec::with_capacity(hist.len()),
            ss: Vec::with_capacity(hist.len()),
        };
        for (i, &h) in hist.iter().enumerate() {
            let (i, h) = (i as u128, h as u128);
            n += h;
            s += i * h;
            ss += i * i * h;
            c.n.push(n);
            c.s.push(s);
            c.ss.push(ss);
        }
        c
    }

    /// Sums over bins `0..=j` (`j` clamped to the last bin; nothing when `j < 0`), as ImageJ's
    /// `A`, `B` and `C`.
    fn upto(&self, j: i64) -> (f64, f64, f64) {
        if j < 0 {
            return (0.0, 0.0, 0.0);
        }
        let j = (j as usize).min(self.n.len() - 1);
        (self.n[j] as f64, self.s[j] as f64, self.ss[j] as f64)
    }

    /// Count and `i * count` sums over bins `a..=b` (empty when `a > b`), exactly.
    fn range(&self, a: usize, b: usize) -> (u128, u128) {
        if a > b {
            return (0, 0);
        }
        let (n0, s0) = if a == 0 {
            (0, 0)
        } else {
            (self.n[a - 1], self.s[a - 1])
        };
        (self.n[b] - n0, self.s[b] - s0)
    }
}

/// First and last non-zero bins, if any.
fn occupied(hist: &[u64]) -> Option<(usize, usize)> {
    let first = hist.iter().position(|&c| c != 0)?;
    let last = hist.iter().rposition(|&c| c != 0)?;
    Some((first, last))
}

/// The normalised histogram, its cumulative sum `P1` and `P2 = 1 - P1`, as ImageJ computes them.
fn normalised(hist: &[u64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let total: f64 = hist.iter().map(|&c| c as f64).sum();
    let norm: Vec<f64> = hist.iter().map(|&c| c as f64 / total).collect();
    let mut p1 = Vec::with_capacity(hist.len());
    let mut acc = 0.0;
    for (i, &p) in norm.iter().enumerate() {
        acc = if i == 0 { p } else { acc + p };
        p1.push(acc);
    }
    let p2 = p1.iter().map(|&p| 1.0 - p).collect();
    (norm, p1, p2)
}

/// First bin with `|P1| >= eps` and last (not before it) with `|P2| >= eps`, as the
/// Celebi-derived entropy methods find them.
fn entropy_bins(p1: &[f64], p2: &[f64]) -> (usize, usize) {
    let n = p1.len();
    let first = p1
        .iter()
        .position(|p| p.is_nan() || p.abs() >= EPS)
        .unwrap_or(0);
    let last = (first..n)
        .rev()
        .find(|&i| p2[i].is_nan() || p2[i].abs() >= EPS)
        .unwrap_or(n - 1);
    (first, last)
}

/// ImageJ's original IsoData ("IJ_IsoData"): the end bins are ignored; `len / 2` when fewer than
/// two bins remain.
fn ij_isodata(data: &[u64]) -> i64 {
    let n = data.len();
    let max_value = n - 1;
    let mut d = data.to_vec();
    d[0] = 0;
    d[max_value] = 0;
    let mut min = 0;
    while d[min] == 0 && min < max_value {
        min += 1;
    }
    let mut max = max_value;
    while d[max] == 0 && max > 0 {
        max -= 1;
    }
    if min >= max {
        return (n / 2) as i64;
    }
    let cum = Cumulative::new(&d);
    let mut moving = min;
    let mut result;
    loop {
        let (n1, s1) = cum.range(min, moving);
        let (n2, s2) = cum.range(moving + 1, max);
        result = (s1 as f64 / n1 as f64 + s2 as f64 / n2 as f64) / 2.0;
        moving += 1;
        if !((moving + 1) as f64 <= result && moving + 1 < max) {
            break;
        }
    }
    java_round(result)
}

/// ImageJ's "Default": IJ_IsoData after clipping a dominant mode.
fn default_isodata(data: &[u64]) -> i64 {
    let mut d = data.to_vec();
    let (mut mode, mut max_count) = (0, 0u64);
    for (i, &c) in d.iter().enumerate() {
        if c > max_count {
            max_count = c;
            mode = i;
        }
    }
    let max_count2 = d
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != mode)
        .map(|(_, &c)| c)
        .max()
        .unwrap_or(0);
    if max_count2 != 0 && max_count > max_count2.saturating_mul(2) {
        d[mode] = (max_count2 as f64 * 1.5) as u64;
    }
    ij_isodata(&d)
}

fn huang(data: &[u64]) -> i64 {
    let n = data.len();
    let Some((first, last)) = occupied(data) else {
        return -1; // ImageJ: every entropy is NaN.
    };
    if first == last {
        return -1; // ImageJ: term is infinite, every entropy is NaN.
    }
    let term = 1.0 / (last - first) as f64;
    let mut mu_0 = vec![0.0f64; n];
    let (mut sum, mut num) = (0.0f64, 0.0f64);
    for ih in first..n {
        sum += ih as f64 * data[ih] as f64;
        num += data[ih] as f64;
        mu_0[ih] = sum / num;
    }
    let mut mu_1 = vec![0.0f64; n];
    let (mut sum, mut num) = (0.0f64, 0.0f64);
    for ih in (1..=last).rev() {
        sum += ih as f64 * data[ih] as f64;
        num += data[ih] as f64;
        mu_1[ih - 1] = sum / num;
    }
    let fuzz = |ih: usize, mu: f64| {
        let mu_x = 1.0 / (1.0 + term * (ih as f64 - mu).abs());
        // mu_x is finite here (term and the means are), so NaN needs no care.
        if (1e-6..=0.999999).contains(&mu_x) {
            data[ih] as f64 * (-mu_x * mu_x.ln() - (1.0 - mu_x) * (1.0 - mu_x).ln())
        } else {
            0.0
        }
    };
    // Every level below `first` gives the entropy of level 0 and every level above `last` that of
    // `last`, so (ties keeping the first) only these candidates matter.
    let mut threshold = -1i64;
    let mut min_ent = f64::MAX;
    for it in std::iter::once(0).chain(first.max(1)..=last) {
        let mut ent = 0.0;
        for ih in first..=it.min(last) {
            ent += fuzz(ih, mu_0[it]);
        }
        for ih in (it + 1).max(first)..=last {
            ent += fuzz(ih, mu_1[it]);
        }
        if ent < min_ent {
            min_ent = ent;
            threshold = it as i64;
        }
    }
    threshold
}

/// ImageJ's test for exactly two strict local maxima.
fn bimodal(y: &[f64]) -> bool {
    let mut modes = 0;
    for k in 1..y.len().saturating_sub(1) {
        if y[k - 1] < y[k] && y[k + 1] < y[k] {
            modes += 1;
            if modes > 2 {
                return false;
            }
        }
    }
    modes == 2
}

fn intermodes(data: &[u64]) -> i64 {
    let Some((minbin, maxbin)) = occupied(data) else {
        return -1; // ImageJ throws ArrayIndexOutOfBoundsException.
    };
    let mut hist: Vec<f64> = data[minbin..=maxbin].iter().map(|&c| c as f64).collect();
    let len = hist.len();
    if len < 3 {
        return -1; // Never bimodal: ImageJ gives up after 10 000 smoothings.
    }
    let mut iter = 0;
    while !bimodal(&hist) {
        let (mut current, mut next) = (0.0, hist[0]);
        for i in 0..len - 1 {
            let previous = current;
            current = next;
            next = hist[i + 1];
            hist[i] = (previous + current + next) / 3.0;
        }
        hist[len - 1] = (current + next) / 3.0;
        iter += 1;
        if iter > MAX_ITER {
            return -1;
        }
    }
    let tt: usize = (1..len - 1)
        .filter(|&i| hist[i - 1] < hist[i] && hist[i + 1] < hist[i])
        .sum();
    (tt / 2 + minbin) as i64
}

fn isodata(data: &[u64]) -> i64 {
    let n = data.len();
    let cum = Cumulative::new(data);
    let mut g = (1..n).find(|&i| data[i] > 0).map_or(0, |i| i + 1);
    loop {
        let (totl, l) = if g == 0 {
            (0, 0)
        } else {
            cum.range(0, g.min(n) - 1)
        };
        let (toth, h) = cum.range(g + 1, n - 1);
        if totl > 0 && toth > 0 {
            // ImageJ divides the (int) lower sum with integer division.
            let l = (l / totl) as f64;
            let h = h as f64 / toth as f64;
            if g as i64 == java_round((l + h) / 2.0) {
                return g as i64;
            }
        }
        g += 1;
        if g + 2 > n {
            return -1;
        }
    }
}

fn li(data: &[u64]) -> i64 {
    let cum = Cumulative::new(data);
    let n = data.len();
    let (num_pixels, sum_all, _) = cum.upto(n as i64 - 1);
    let mut new_thresh = sum_all / num_pixels;
    let mut threshold;
    let mut iter = 0;
    loop {
        let old_thresh = new_thresh;
        threshold = (old_thresh + 0.5) as i32 as i64;
        let t = threshold.clamp(-1, n as i64 - 1);
        let (num_back, sum_back, _) = cum.upto(t);
        let mean_back = if num_back == 0.0 {
            0.0
        } else {
            sum_back / num_back
        };
        let num_obj = num_pixels - num_back;
        let sum_obj = sum_all - sum_back;
        let mean_obj = if num_obj == 0.0 {
            0.0
        } else {
            sum_obj / num_obj
        };
        let temp = (mean_back - mean_obj) / (mean_back.ln() - mean_obj.ln());
        new_thresh = if temp < -EPS {
            (temp - 0.5) as i32 as f64
        } else {
            (temp + 0.5) as i32 as f64
        };
        iter += 1;
        let moved = (new_thresh - old_thresh).abs();
        if moved.is_nan() || moved <= 0.5 || iter >= MAX_ITER {
            return threshold;
        }
    }
}

/// Shannon entropy of the background (bins <= `it`) plus that of the objects, over the non-empty
/// bins `nonzero` of the normalised histogram `norm` with cumulative sums `p1` and `p2 = 1 - p1`.
fn split_entropy(norm: &[f64], p1: &[f64], p2: &[f64], nonzero: &[usize], it: usize) -> f64 {
    let split = nonzero.partition_point(|&i| i <= it);
    let mut ent_back = 0.0;
    for &ih in &nonzero[..split] {
        ent_back -= (norm[ih] / p1[it]) * (norm[ih] / p1[it]).ln();
    }
    let mut ent_obj = 0.0;
    for &ih in &nonzero[split..] {
        ent_obj -= (norm[ih] / p2[it]) * (norm[ih] / p2[it]).ln();
    }
    ent_back + ent_obj
}

fn max_entropy(data: &[u64]) -> i64 {
    let (norm, p1, p2) = normalised(data);
    let (first, last) = entropy_bins(&p1, &p2);
    let nonzero: Vec<usize> = (0..data.len()).filter(|&i| data[i] != 0).collect();
    let mut threshold = -1;
    let mut max_ent = JAVA_DOUBLE_MIN;
    for it in first..=last {
        let tot_ent = split_entropy(&norm, &p1, &p2, &nonzero, it);
        if max_ent < tot_ent {
            max_ent = tot_ent;
            threshold = it as i64;
        }
    }
    threshold
}

fn mean(data: &[u64]) -> i64 {
    let (tot, sum, _) = Cumulative::new(data).upto(data.len() as i64 - 1);
    (sum / tot).floor() as i32 as i64
}

fn min_error(data: &[u64]) -> i64 {
    let cum = Cumulative::new(data);
    let last = data.len() as i64 - 1;
    let (a_all, b_all, c_all) = cum.upto(last);
    let mut threshold = mean(data);
    let mut t_prev = -2;
    let mut iter = 0;
    while threshold != t_prev && iter < MAX_ITER {
        iter += 1;
        let (a, b, c) = cum.upto(threshold);
        let mu = b / a;
        let nu = (b_all - b) / (a_all - a);
        let p = a / a_all;
        let q = (a_all - a) / a_all;
        let sigma2 = c / a - mu * mu;
        let tau2 = (c_all - c) / (a_all - a) - nu * nu;
        let w0 = 1.0 / sigma2 - 1.0 / tau2;
        let w1 = mu / sigma2 - nu / tau2;
        let w2 =
            (mu * mu) / sigma2 - (nu * nu) / tau2 + ((sigma2 * (q * q)) / (tau2 * (p * p))).log10();
        let sqterm = w1 * w1 - w0 * w2;
        if sqterm < 0.0 {
            return threshold; // ImageJ: "not converging".
        }
        t_prev = threshold;
        let temp = (w1 + sqterm.sqrt()) / w0;
        if !temp.is_nan() {
            threshold = temp.floor() as i32 as i64;
        }
    }
    threshold
}

fn minimum(data: &[u64]) -> i64 {
    let n = data.len();
    if n < 3 {
        return -1; // Never bimodal.
    }
    let mut h: Vec<f64> = data.iter().map(|&c| c as f64).collect();
    let mut t = vec![0.0f64; n];
    let mut iter = 0;
    while !bimodal(&h) {
        for i in 1..n - 1 {
            t[i] = (h[i - 1] + h[i] + h[i + 1]) / 3.0;
        }
        t[0] = (h[0] + h[1]) / 3.0;
        t[n - 1] = (h[n - 2] + h[n - 1]) / 3.0;
        std::mem::swap(&mut h, &mut t);
        iter += 1;
        if iter > MAX_ITER {
            return -1;
        }
    }
    (1..n - 1)
        .find(|&i| h[i - 1] > h[i] && h[i + 1] >= h[i])
        .map_or(-1, |i| i as i64)
}

fn moments(data: &[u64]) -> i64 {
    let total: f64 = data.iter().map(|&c| c as f64).sum();
    let histo: Vec<f64> = data.iter().map(|&c| c as f64 / total).collect();
    let (m0, mut m1, mut m2, mut m3) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (i, &h) in histo.iter().enumerate() {
        let di = i as f64;
        m1 += di * h;
        m2 += di * di * h;
        m3 += di * di * di * h;
    }
    let cd = m0 * m2 - m1 * m1;
    let c0 = (-m2 * m2 + m1 * m3) / cd;
    let c1 = (m0 * -m3 + m2 * m1) / cd;
    let z0 = 0.5 * (-c1 - (c1 * c1 - 4.0 * c0).sqrt());
    let z1 = 0.5 * (-c1 + (c1 * c1 - 4.0 * c0).sqrt());
    let p0 = (z1 - m1) / (z1 - z0);
    let mut sum = 0.0;
    for (i, &h) in histo.iter().enumerate() {
        sum += h;
        if sum > p0 {
            return i as i64;
        }
    }
    -1
}

fn otsu(data: &[u64]) -> i64 {
    let n = data.len();
    let (mut s, mut total) = (0.0f64, 0.0f64);
    for (k, &c) in data.iter().enumerate() {
        s += k as f64 * c as f64;
        total += c as f64;
    }
    let mut sk = 0.0f64;
    let mut n1 = data[0] as f64;
    let (mut bcv_max, mut k_star) = (0.0f64, 0usize);
    for (k, &c) in data.iter().enumerate().take(n - 1).skip(1) {
        sk += k as f64 * c as f64;
        n1 += c as f64;
        let denom = n1 * (total - n1);
        let bcv = if denom != 0.0 {
            let num = (n1 / total) * s - sk;
            num * num / denom
        } else {
            0.0
        };
        if bcv >= bcv_max {
            bcv_max = bcv;
            k_star = k;
        }
    }
    k_star as i64
}

fn percentile(data: &[u64]) -> i64 {
    let cum = Cumulative::new(data);
    let total = cum.n[data.len() - 1] as f64;
    let mut threshold = -1;
    let mut temp = 1.0;
    for (i, &c) in cum.n.iter().enumerate() {
        let a = (c as f64 / total - 0.5).abs();
        if a < temp {
            temp = a;
            threshold = i as i64;
        }
    }
    threshold
}

fn renyi_entropy(data: &[u64]) -> i64 {
    let (norm, p1, p2) = normalised(data);
    let (first, last) = entropy_bins(&p1, &p2);
    // Empty bins add exactly zero to every sum below (when the histogram is not empty; when it
    // is, every total entropy is 0 and every pass keeps 0), so sums run over occupied bins.
    let (lo, hi) = occupied(data).unwrap_or((1, 0));
    let nonzero: Vec<usize> = (lo..=hi).filter(|&i| data[i] != 0).collect();

    // Maximum entropy (alpha = 1).
    let mut threshold = 0usize;
    let mut max_ent = 0.0;
    for it in first..=last {
        let tot_ent = split_entropy(&norm, &p1, &p2, &nonzero, it);
        if max_ent < tot_ent {
            max_ent = tot_ent;
            threshold = it;
        }
    }
    let mut t_star2 = threshold;

    // Rényi entropies of orders 0.5 and 2.
    let renyi = |alpha: f64, f: &dyn Fn(f64, f64) -> f64| {
        let term = 1.0 / (1.0 - alpha);
        let mut threshold = 0usize;
        let mut max_ent = 0.0;
        for it in first..=last {
            let split = nonzero.partition_point(|&i| i <= it);
            let ent_back: f64 = nonzero[..split]
                .iter()
                .fold(0.0, |s, &ih| s + f(norm[ih], p1[it]));
            let ent_obj: f64 = nonzero[split..]
                .iter()
                .fold(0.0, |s, &ih| s + f(norm[ih], p2[it]));
            let prod = ent_back * ent_obj;
            let tot_ent = term * if prod > 0.0 { prod.ln() } else { 0.0 };
            if tot_ent > max_ent {
                max_ent = tot_ent;
                threshold = it;
            }
        }
        threshold
    };
    let mut t_star1 = renyi(0.5, &|h, p| (h / p).sqrt());
    let mut t_star3 = renyi(2.0, &|h, p| (h * h) / (p * p));

    if t_star2 < t_star1 {
        std::mem::swap(&mut t_star1, &mut t_star2);
    }
    if t_star3 < t_star2 {
        std::mem::swap(&mut t_star2, &mut t_star3);
    }
    if t_star2 < t_star1 {
        std::mem::swap(&mut t_star1, &mut t_star2);
    }
    let close12 = t_star1.abs_diff(t_star2) <= 5;
    let close23 = t_star2.abs_diff(t_star3) <= 5;
    let (beta1, beta2, beta3) = match (close12, close23) {
        (true, true) | (false, false) => (1.0, 2.0, 1.0),
        (true, false) => (0.0, 1.0, 3.0),
        (false, true) => (3.0, 1.0, 0.0),
    };
    let omega = p1[t_star3] - p1[t_star1];
    let (t1, t2, t3) = (t_star1 as f64, t_star2 as f64, t_star3 as f64);
    let opt = t1 * (p1[t_star1] + 0.25 * omega * beta1)
        + 0.25 * t2 * omega * beta2
        + t3 * (p2[t_star3] + 0.25 * omega * beta3);
    opt as i32 as i64
}

fn shanbhag(data: &[u64]) -> i64 {
    let n = data.len();
    let (norm, p1, p2) = normalised(data);
    let (first, last) = entropy_bins(&p1, &p2);
    // Empty bins add zero to both sums (the logarithms are finite), so they are skipped.
    let nonzero: Vec<usize> = (1..n).filter(|&i| data[i] != 0).collect();
    let mut threshold = -1;
    let mut min_ent = f64::MAX;
    for it in first..=last {
        let split = nonzero.partition_point(|&i| i <= it);
        let term = 0.5 / p1[it];
        let mut ent_back = 0.0;
        for &ih in &nonzero[..split] {
            ent_back -= norm[ih] * (1.0 - term * p1[ih - 1]).ln();
        }
        ent_back *= term;
        let term = 0.5 / p2[it];
        let mut ent_obj = 0.0;
        for &ih in &nonzero[split..] {
            ent_obj -= norm[ih] * (1.0 - term * p2[ih]).ln();
        }
        ent_obj *= term;
        let tot_ent = (ent_back - ent_obj).abs();
        if tot_ent < min_ent {
            min_ent = tot_ent;
            threshold = it as i64;
        }
    }
    threshold
}

fn triangle(data: &[u64]) -> i64 {
    let n = data.len();
    let top = n - 1;
    let mut min = data.iter().position(|&c| c > 0).unwrap_or(0);
    // The line starts at the empty bin before the first occupied one.
    min = min.saturating_sub(1);
    let mut min2 = (1..n).rev().find(|&i| data[i] > 0).unwrap_or(0);
    if min2 < top {
        min2 += 1;
    }
    let (mut max, mut dmax) = (0usize, 0u64);
    for (i, &c) in data.iter().enumerate() {
        if c > dmax {
            max = i;
            dmax = c;
        }
    }
    // ImageJ works on the side of the mode where the data extend furthest, flipping the
    // histogram when that is the bright side.
    let inverted = (max as i64 - min as i64) < (min2 as i64 - max as i64);
    let at = |i: usize| if inverted { data[top - i] } else { data[i] } as f64;
    if inverted {
        min = top - min2;
        max = top - max;
    }
    if min == max {
        return min as i64; // ImageJ returns this unflipped.
    }
    let mut nx = at(max);
    let mut ny = min as f64 - max as f64;
    let d = (nx * nx + ny * ny).sqrt();
    nx /= d;
    ny /= d;
    let d = nx * min as f64 + ny * at(min);
    let mut split = min as i64;
    let mut split_distance = 0.0;
    for i in min + 1..=max {
        let new_distance = nx * i as f64 + ny * at(i) - d;
        if new_distance > split_distance {
            split = i as i64;
            split_distance = new_distance;
        }
    }
    split -= 1;
    if inverted { top as i64 - split } else { split }
}

fn yen(data: &[u64]) -> i64 {
    let n = data.len();
    let (norm, p1, _) = normalised(data);
    let mut p1_sq = vec![0.0f64; n];
    p1_sq[0] = norm[0] * norm[0];
    for ih in 1..n {
        p1_sq[ih] = p1_sq[ih - 1] + norm[ih] * norm[ih];
    }
    let mut p2_sq = vec![0.0f64; n];
    for ih in (0..n - 1).rev() {
        p2_sq[ih] = p2_sq[ih + 1] + norm[ih + 1] * norm[ih + 1];
    }
    let mut threshold = -1;
    let mut max_crit = JAVA_DOUBLE_MIN;
    for it in 0..n {
        let a = p1_sq[it] * p2_sq[it];
        let b = p1[it] * (1.0 - p1[it]);
        let crit = -if a > 0.0 { a.ln() } else { 0.0 } + 2.0 * if b > 0.0 { b.ln() } else { 0.0 };
        if crit > max_crit {
            max_crit = crit;
            threshold = it as i64;
        }
    }
    threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for m in AutoMethod::ALL {
            assert_eq!(m.name().parse::<AutoMethod>(), Ok(m));
            assert_eq!(m.name().to_lowercase().parse::<AutoMethod>(), Ok(m));
            assert_eq!(m.name().to_uppercase().parse::<AutoMethod>(), Ok(m));
        }
        assert_eq!("minerror".parse::<AutoMethod>(), Ok(AutoMethod::MinError));
        assert!("Niblack".parse::<AutoMethod>().is_err());
    }

    #[test]
    fn degenerate_histograms_never_panic() {
        let mut cases: Vec<Vec<u64>> = vec![
            vec![],
            vec![5],
            vec![0, 0],
            vec![3, 0],
            vec![0, 3],
            vec![1, 1],
        ];
        for len in [3usize, 256, 4096] {
            cases.push(vec![0; len]);
            let mut h = vec![0; len];
            h[0] = 9;
            cases.push(h.clone());
            h[len - 1] = 4;
            cases.push(h);
            let mut h = vec![0; len];
            h[len - 1] = 9;
            cases.push(h);
            let mut h = vec![0; len];
            h[len / 2] = u32::MAX as u64 * 4;
            cases.push(h);
        }
        for h in &cases {
            for m in AutoMethod::ALL {
                let level = auto_level(m, h);
                assert!(h.len() < 2 || (level as usize) < h.len(), "{m} on {h:?}");
            }
        }
    }

    #[test]
    fn sixteen_bit_histogram_levels_are_in_range() {
        let mut h = vec![0u64; 65536];
        for (i, c) in h.iter_mut().enumerate().skip(1000).take(3000) {
            let x = (i as f64 - 1500.0) / 200.0;
            *c = (1000.0 * (-x * x).exp()) as u64 + if i > 3000 { 20 } else { 0 };
        }
        for m in AutoMethod::ALL {
            let level = auto_level(m, &h);
            assert!((level as usize) < h.len(), "{m}");
        }
    }
}
