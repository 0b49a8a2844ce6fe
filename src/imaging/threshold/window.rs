//! The sums of a pixel's square window (its count, sum and sum of squares), which the mean-
//! and deviation-based local methods ([`super::local`]) and Phansalkar's fast paths
//! ([`super::phansalkar`]) decide on, and the scan that computes them row by row.

use crate::imaging::{bitmask::BitMask, channel::Plane};

/// Packs one bool per pixel, row by row, into a mask.
pub(super) struct MaskWriter {
    pub(super) mask: BitMask,
}

impl MaskWriter {
    pub(super) fn new(w: usize, h: usize) -> Self {
        MaskWriter {
            mask: BitMask::new(w as u32, h as u32),
        }
    }

    /// Sets row `y` from `bits`, which yields one bool per pixel.
    pub(super) fn row(&mut self, y: usize, bits: impl Iterator<Item = bool>) {
        let words = self.mask.row_mut(y as u32);
        let mut word = 0u64;
        let mut x = 0usize;
        for b in bits {
            word |= (b as u64) << (x % 64);
            x += 1;
            if x.is_multiple_of(64) {
                words[x / 64 - 1] = word;
                word = 0;
            }
        }
        if !x.is_multiple_of(64) {
            words[x / 64] = word;
        }
    }
}

/// The pixel count, sum and sum of squares of one window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Window {
    pub(super) n: u64,
    pub(super) sum: u64,
    pub(super) sum_sq: u64,
}

impl Window {
    pub(super) fn mean(self) -> f64 {
        self.sum as f64 / self.n as f64
    }

    /// The population standard deviation (RankFilters' VARIANCE is the population variance),
    /// from `n * sum_sq - sum^2`, exact in integers.
    pub(super) fn sd(self) -> f64 {
        let d = match self.n.checked_mul(self.sum_sq) {
            Some(nq) => (nq - self.sum * self.sum) as f64,
            None => {
                (self.n as u128 * self.sum_sq as u128 - self.sum as u128 * self.sum as u128) as f64
            }
        };
        d.sqrt() / self.n as f64
    }
}

/// Calls `f(value, window)` for every pixel, row by row, with the sums of the clamped square
/// window, and packs the answers into a mask.
///
/// A summed-area table built one row at a time: column sums over the window's rows, updated as
/// the window moves down, then prefix sums along the row; `O(width)` memory, exact `u64` sums.
pub(super) fn scan_windows(
    plane: &Plane,
    r: usize,
    mut f: impl FnMut(u16, Window) -> bool,
) -> BitMask {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let mut out = MaskWriter::new(w, h);
    if w == 0 || h == 0 {
        return out.mask;
    }
    let (mut col_s, mut col_q) = (vec![0u64; w], vec![0u64; w]);
    let (mut pre_s, mut pre_q) = (vec![0u64; w + 1], vec![0u64; w + 1]);
    let row = |y: usize| &plane.data[y * w..y * w + w];
    // Rows y0..=y1 are in the column sums; start with the window of row 0.
    for y in 0..=r.min(h - 1) {
        for ((s, q), &v) in col_s.iter_mut().zip(&mut col_q).zip(row(y)) {
            *s += v as u64;
            *q += v as u64 * v as u64;
        }
    }
    for y in 0..h {
        if y > 0 {
            if y + r < h {
                for ((s, q), &v) in col_s.iter_mut().zip(&mut col_q).zip(row(y + r)) {
                    *s += v as u64;
                    *q += v as u64 * v as u64;
                }
            }
            if y > r {
                for ((s, q), &v) in col_s.iter_mut().zip(&mut col_q).zip(row(y - r - 1)) {
                    *s -= v as u64;
                    *q -= v as u64 * v as u64;
                }
            }
        }
        let rows = ((y + r).min(h - 1) - y.saturating_sub(r) + 1) as u64;
        for x in 0..w {
            pre_s[x + 1] = pre_s[x] + col_s[x];
            pre_q[x + 1] = pre_q[x] + col_q[x];
        }
        let values = row(y);
        let edge = |x: usize| {
            let (x0, x1) = (x.saturating_sub(r), (x + r).min(w - 1) + 1);
            Window {
                n: rows * (x1 - x0) as u64,
                sum: pre_s[x1] - pre_s[x0],
                sum_sq: pre_q[x1] - pre_q[x0],
            }
        };
        // Windows that span 2r + 1 columns (x in r..w - r), without the clamping.
        let (a, b) = (r.min(w), w.saturating_sub(r).max(r.min(w)));
        let n_mid = rows * (2 * r + 1) as u64;
        let mid = values[a..b]
            .iter()
            .zip(
                pre_s
                    .get(2 * r + 1..)
                    .unwrap_or_default()
                    .iter()
                    .zip(&pre_s),
            )
            .zip(
                pre_q
                    .get(2 * r + 1..)
                    .unwrap_or_default()
                    .iter()
                    .zip(&pre_q),
            )
            .map(|((&v, (s1, s0)), (q1, q0))| {
                let win = Window {
                    n: n_mid,
                    sum: s1 - s0,
                    sum_sq: q1 - q0,
                };
                (v, win)
            });
        let bits = (0..a)
            .map(|x| (values[x], edge(x)))
            .chain(mid)
            .chain((b..w).map(|x| (values[x], edge(x))))
            .map(|(v, win)| f(v, win));
        out.row(y, bits);
    }
    out.mask
}
