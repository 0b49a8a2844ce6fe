//! Intensity histograms of a [`Plane`], one bin per value.

use crate::imaging::channel::Plane;

/// Counts of each value: 256 bins for 8-bit planes, 65536 for 16-bit ones.
pub fn histogram(plane: &Plane) -> Vec<u64> {
    let bins = plane.depth.max_value() as usize + 1;
    // u32 counters are enough for 4 G pixels and twice as cache-friendly.
    let mut counts = vec![0u32; bins];
    for &v in &plane.data {
        counts[v as usize] += 1;
    }
    counts.into_iter().map(u64::from).collect()
}

/// A histogram of many bins gathered into at most `n` bins for display, as ImageJ shows a 16-bit
/// histogram between the smallest and largest value present. Returns the bins, the value at the
/// first bin's left edge and the width of a bin in values: value `v` is at `(v - lo) / per`.
/// Histograms of at most `n` bins (8-bit) are returned whole, one value per bin.
pub fn display_bins(hist: &[u64], n: usize) -> (Vec<u64>, f64, f64) {
    let n = n.max(1);
    if hist.len() <= n {
        return (hist.to_vec(), 0.0, 1.0);
    }
    let first = hist.iter().position(|&c| c > 0).unwrap_or(0);
    let last = hist.iter().rposition(|&c| c > 0).unwrap_or(hist.len() - 1);
    let span = last - first + 1;
    if span <= n {
        return (hist[first..=last].to_vec(), first as f64, 1.0);
    }
    let per = span as f64 / n as f64;
    let mut bins = vec![0u64; n];
    for (v, &c) in hist[first..=last].iter().enumerate() {
        bins[((v as f64 / per) as usize).min(n - 1)] += c;
    }
    (bins, first as f64, per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_bins_keep_8_bit_and_gather_16_bit_between_min_and_max() {
        let h8: Vec<u64> = (0..256).collect();
        assert_eq!(display_bins(&h8, 256), (h8.clone(), 0.0, 1.0));
        let mut h16 = vec![0u64; 65536];
        h16[1000] = 3;
        h16[1511] = 5;
        let (bins, lo, per) = display_bins(&h16, 256);
        assert_eq!((bins.len(), lo, per), (256, 1000.0, 2.0));
        assert_eq!((bins[0], bins[255], bins.iter().sum::<u64>()), (3, 5, 8));
        h16[1511] = 0;
        h16[1010] = 1;
        let (bins, lo, per) = display_bins(&h16, 256);
        assert_eq!(
            (bins, lo, per),
            (vec![3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 1000.0, 1.0)
        );
    }

    #[test]
    fn counts_each_value() {
        let p = Plane::from_u8(3, 1, &[0, 7, 7]);
        let h = histogram(&p);
        assert_eq!(h.len(), 256);
        assert_eq!((h[0], h[7], h.iter().sum::<u64>()), (1, 2, 3));
    }
}
