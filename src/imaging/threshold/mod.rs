//! Thresholds: ImageJ's sixteen global methods ([`global`]), the local methods of Auto Local
//! Threshold ([`local`]), and here Otsu's level and applying a level to a plane.
//!
//! Convention (ImageJ's, with a dark background): a pixel is foreground when its value is
//! strictly greater than the level.

pub mod global;
pub mod local;
pub mod phansalkar;
pub mod window;

use crate::imaging::{bitmask::BitMask, channel::Plane};

/// Otsu's level, as ImageJ's `AutoThresholder` computes it (M. E. Celebi's implementation of
/// N. Otsu, "A threshold selection method from gray-level histograms", IEEE SMC 9(1), 1979):
/// the first value that maximises the between-class variance.
///
/// Returns 0 for an empty or single-valued histogram.
///
/// This is the Celebi version of later ImageJ releases; ImageJ 1.53t's `AutoThresholder` uses
/// J. Bevik's, which keeps the *last* maximum and differs on ties (see
/// [`AutoMethod::Otsu`](crate::imaging::threshold::global::AutoMethod::Otsu)).
///
/// ```
/// use fluocount::imaging::threshold::otsu_level;
/// let mut hist = vec![0u64; 256];
/// hist[10] = 50;
/// hist[200] = 50;
/// assert_eq!(otsu_level(&hist), 10);
/// ```
pub fn otsu_level(hist: &[u64]) -> u16 {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 0;
    }
    let term = 1.0 / total as f64;
    let mut cnh = 0.0f64;
    let mut mean = 0.0f64;
    let total_mean: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * (term * c as f64))
        .sum();
    let mut best = 0usize;
    let mut max_bcv = 0.0f64;
    for (i, &c) in hist.iter().enumerate() {
        let h = term * c as f64;
        cnh += h;
        if i > 0 {
            mean += i as f64 * h;
        }
        let d = total_mean * cnh - mean;
        let bcv = d * d / (cnh * (1.0 - cnh));
        // NaN (cnh of 0 or 1) never compares greater, as in ImageJ.
        if max_bcv < bcv {
            max_bcv = bcv;
            best = i;
        }
    }
    best as u16
}

/// Applies a level: bit set where `value > level`.
///
/// ```
/// use fluocount::imaging::{threshold::threshold, Plane};
/// let m = threshold(&Plane::from_u8(4, 1, &[0, 5, 6, 9]), 5);
/// assert_eq!(m.to_bools(), vec![false, false, true, true]);
/// ```
pub fn threshold(plane: &Plane, level: u16) -> BitMask {
    let mut mask = BitMask::new(plane.width, plane.height);
    let w = plane.width as usize;
    if w == 0 {
        return mask;
    }
    for (y, row) in plane.data.chunks_exact(w).enumerate() {
        let words = mask.row_mut(y as u32);
        for (word, chunk) in words.iter_mut().zip(row.chunks(64)) {
            let mut bits = 0u64;
            for (i, &v) in chunk.iter().enumerate() {
                bits |= ((v > level) as u64) << i;
            }
            *word = bits;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otsu_on_two_peaks_splits_them() {
        let mut hist = vec![0u64; 256];
        hist[20..30].fill(100);
        hist[150..170].fill(40);
        let level = otsu_level(&hist);
        assert!((29..150).contains(&level), "level {level}");
    }

    #[test]
    fn otsu_degenerate_histograms() {
        assert_eq!(otsu_level(&vec![0u64; 256]), 0);
        let mut one = vec![0u64; 256];
        one[42] = 1000;
        assert_eq!(otsu_level(&one), 0);
    }

    #[test]
    fn threshold_handles_rows_longer_than_a_word() {
        let w = 70u32;
        let data: Vec<u8> = (0..w * 2).map(|i| (i % 3) as u8).collect();
        let m = threshold(&Plane::from_u8(w, 2, &data), 1);
        let expect: Vec<bool> = data.iter().map(|&v| v > 1).collect();
        assert_eq!(m.to_bools(), expect);
    }
}
