//! The fast paths of Phansalkar's method, the one local method the presets use: bounds of its
//! `exp(-10 mean)` from a table, the window sums at which a pixel is background whatever its
//! deviation, and an 8-bit scan that decides most pixels by two 32-bit comparisons. Each makes
//! the same decisions as the direct formula of [`super::local`], which the property tests there
//! check.

use super::window::Window;
use crate::imaging::{bitmask::BitMask, channel::Plane};

/// Bounds of Phansalkar's `exp(-10 mean)` for `mean` in [0, 1) from a table, so that the
/// threshold `mean * (1 + 2 exp(-10 mean) + ...)`, which is rounded monotonically in the
/// exponential (for `mean >= 0`), need only be computed exactly for values near it: `exp` is a
/// slow library call in WebAssembly.
pub(super) struct ExpBounds {
    /// `exp(-10 * (i / STEPS))`, computed as the exact path computes it, for i in 0..=STEPS.
    table: Vec<f64>,
}

impl ExpBounds {
    /// The number of table intervals on [0, 1] (a power of two, so `i / STEPS` is exact).
    const STEPS: usize = 4096;

    pub(super) fn new() -> Self {
        let table = (0..=Self::STEPS)
            .map(|i| (-10.0 * (i as f64 / Self::STEPS as f64)).exp())
            .collect();
        ExpBounds { table }
    }

    /// `(lo, hi)` with `lo <= (-10.0 * mean).exp() <= hi`, or `None` outside [0, 1).
    ///
    /// `-10 * mean` rounds monotonically, so it lies between the rounded arguments of the
    /// interval's ends; the library `exp` is within an ulp or so of the true, monotone function, and
    /// the relative margin of 1e-9 covers that many times over.
    pub(super) fn bounds(&self, mean: f64) -> Option<(f64, f64)> {
        if !(0.0..1.0).contains(&mean) {
            return None;
        }
        // mean * STEPS is exact; i < STEPS as mean < 1.
        let i = (mean * Self::STEPS as f64) as usize;
        let (hi, lo) = (self.table[i], self.table[i + 1]);
        Some((lo * (1.0 - 1e-9), hi * (1.0 + 1e-9)))
    }
}

/// For Phansalkar's full windows (`full` pixels, all but a border of width r): the window sums
/// at which a pixel is background whatever its window's deviation, as integer ranges, so that
/// most pixels are decided by two integer comparisons: a pixel of value `v` is background if its
/// window's sum is in `smin[v]..smax` (`smin` has an entry for every value up to `hi`).
///
/// With `d = sum - full lo`, the threshold at sd = 0 is at least `d (1 + 2 e + rest0) / full` in
/// the plane's units, with `e` a lower bound of `exp(-10 d / (full range))`: the table's value
/// two steps further on (so that a rounded index can only err towards a smaller `e`), with a
/// relative margin of 1e-4 for the rounding of the direct formula (whose mean subtracts `lo`
/// from `sum / n`). Over table interval `i` that bound is at least `g_i`, its value at the
/// interval's first `d`; `gm_i`, the least `g_j` for `j >= i`, is non-decreasing, so a sum in an
/// interval at or after the first with `gm >= (v - lo) full` is background, and `smin[v]` is
/// that interval's first sum. `smax` is the first sum past the table (a window of the plane's
/// maximum only), or past the last interval whose bound is positive (with a large `k`).
pub(super) fn background_sums(
    lo: f64,
    range: f64,
    full: u64,
    rest0: f64,
    exps: &ExpBounds,
    hi: u16,
) -> (Vec<u64>, u64) {
    const STEPS: usize = ExpBounds::STEPS;
    let n_lo = full as f64 * lo;
    let to_index = STEPS as f64 / (full as f64 * range);
    // The table index of a sum, as the bound's derivation rounds it (monotone in the sum).
    let index_of = |sum: u64| (sum as f64 - n_lo) * to_index;
    // The first sum, from the least possible (full lo), whose index is at least `i`.
    let last = (full as f64 * (lo + range)) as u64 + 1;
    let first_sum = |i: usize| {
        let (mut a, mut b) = (n_lo.ceil() as u64, last);
        while a < b {
            let m = a + (b - a) / 2;
            if index_of(m) >= i as f64 {
                b = m;
            } else {
                a = m + 1;
            }
        }
        a
    };
    // The bound's ratio falls with the index (e does); from the first index where it is not
    // positive (a large k), no sum is decided here: the table ends there.
    let ratios: Vec<f64> = (0..STEPS)
        .map(|i| {
            let e = exps.table[(i + 2).min(STEPS)] * (1.0 - 1e-9);
            (1.0 + 2.0 * e + rest0) * (1.0 - 1e-4)
        })
        .collect();
    let end = ratios.iter().position(|&q| q <= 0.0).unwrap_or(STEPS);
    let mut gm: Vec<f64> = ratios[..end]
        .iter()
        .enumerate()
        .map(|(i, q)| (i as f64 / to_index) * (1.0 - 1e-9) * q)
        .collect();
    for i in (0..end.saturating_sub(1)).rev() {
        gm[i] = gm[i].min(gm[i + 1]);
    }
    let starts: Vec<u64> = (0..end).map(first_sum).collect();
    // (v - lo) full grows with v and gm with i: one sweep finds every v's interval.
    let mut i = 0;
    let smin = (0..=hi)
        .map(|v| {
            let x = (v as f64 - lo) * full as f64;
            while i < end && gm[i] < x {
                i += 1;
            }
            starts.get(i).copied().unwrap_or(u64::MAX)
        })
        .collect();
    (smin, first_sum(end))
}

/// Phansalkar's background ranges of full windows ([`background_sums`]) for [`scan_banded`]: a
/// pixel of value `v` whose full window sums to `s` is background if `s - start[v]` (wrapping) is
/// below `span[v]`, i.e. `start[v] <= s < start[v] + span[v]`.
pub(super) struct Banded {
    start: [u32; 256],
    span: [u32; 256],
}

impl Banded {
    /// The ranges for a plane whose largest value is `hi`, when that is 8-bit and every
    /// window's sums fit in 32 bits; else `None`.
    pub(super) fn new(hi: u16, r: usize, smin: &[u64], smax: u64) -> Option<Self> {
        let hi = u64::from(hi);
        let full = ((2 * r + 1) as u64).checked_mul((2 * r + 1) as u64)?;
        if hi > 255 || full.checked_mul(hi * hi)? > u32::MAX as u64 || smax > u32::MAX as u64 {
            return None;
        }
        let (mut start, mut span) = ([0u32; 256], [0u32; 256]);
        for (v, &s0) in smin.iter().enumerate().take(256) {
            let s0 = s0.min(smax);
            start[v] = s0 as u32;
            span[v] = (smax - s0) as u32;
        }
        Some(Banded { start, span })
    }
}

/// [`scan_windows`] for an 8-bit plane with `f` Phansalkar's decision: the same calls of `f`
/// except for the pixels whose full window sums into their [`Banded`] range, which are
/// background without a call, and found with 32-bit sums (wrapping prefix sums, whose
/// differences are exact when the window's sum fits, as [`Banded::new`] checks). The prefix sums
/// of squares of a row are made only when one of its pixels needs them.
///
/// JUSTIFICATION: scripts/wasm-stages.sh, Phansalkar on a batch image 16.5 -> 9.7 ms (the u64
/// scan with the same ranges, measured back to back); decisions checked against the direct
/// formula by the property tests.
pub(super) fn scan_banded(
    plane: &Plane,
    r: usize,
    banded: &Banded,
    mut f: impl FnMut(u16, Window) -> bool,
) -> BitMask {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let mut out = BitMask::new(w as u32, h as u32);
    if w == 0 || h == 0 {
        return out;
    }
    let (mut col_s, mut col_q) = (vec![0u32; w], vec![0u32; w]);
    let (mut pre_s, mut pre_q) = (vec![0u32; w + 1], vec![0u32; w + 1]);
    let row = |y: usize| &plane.data[y * w..y * w + w];
    let add = |col_s: &mut [u32], col_q: &mut [u32], vals: &[u16]| {
        for ((s, q), &v) in col_s.iter_mut().zip(col_q.iter_mut()).zip(vals) {
            let v = v as u32;
            *s += v;
            *q += v * v;
        }
    };
    for y in 0..=r.min(h - 1) {
        add(&mut col_s, &mut col_q, row(y));
    }
    let full_rows = (2 * r + 1) as u64;
    for y in 0..h {
        if y > 0 {
            if y + r < h {
                add(&mut col_s, &mut col_q, row(y + r));
            }
            if y > r {
                for ((s, q), &v) in col_s.iter_mut().zip(col_q.iter_mut()).zip(row(y - r - 1)) {
                    let v = v as u32;
                    *s -= v;
                    *q -= v * v;
                }
            }
        }
        let rows = ((y + r).min(h - 1) - y.saturating_sub(r) + 1) as u64;
        let mut acc = 0u32;
        for (p, &c) in pre_s[1..].iter_mut().zip(&col_s) {
            acc = acc.wrapping_add(c);
            *p = acc;
        }
        let mut q_ready = false;
        let mut window = |x: usize, pre_q: &mut [u32]| {
            if !q_ready {
                let mut acc = 0u32;
                for (p, &c) in pre_q[1..].iter_mut().zip(&col_q) {
                    acc = acc.wrapping_add(c);
                    *p = acc;
                }
                q_ready = true;
            }
            let (x0, x1) = (x.saturating_sub(r), (x + r).min(w - 1) + 1);
            Window {
                n: rows * (x1 - x0) as u64,
                sum: pre_s[x1].wrapping_sub(pre_s[x0]) as u64,
                sum_sq: pre_q[x1].wrapping_sub(pre_q[x0]) as u64,
            }
        };
        let values = row(y);
        let words = out.row_mut(y as u32);
        let mut bit = |x: usize, b: bool| words[x / 64] |= (b as u64) << (x % 64);
        // Full windows: rows r..h - r, columns r..w - r.
        let (a, b) = if rows == full_rows && w > 2 * r {
            (r, w - r)
        } else {
            (w, w)
        };
        for x in (0..a.min(w)).chain(b.max(a.min(w))..w) {
            bit(x, f(values[x], window(x, &mut pre_q)));
        }
        for x in a..b {
            let v = values[x];
            let s = pre_s[x + r + 1].wrapping_sub(pre_s[x - r]);
            let i = (v & 255) as usize;
            if s.wrapping_sub(banded.start[i]) < banded.span[i] {
                continue;
            }
            bit(x, f(v, window(x, &mut pre_q)));
        }
    }
    out
}
