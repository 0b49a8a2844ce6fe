//! Intensity histograms of a [`Plane`], one bin per value.

use super::channel::Plane;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_value() {
        let p = Plane::from_u8(3, 1, &[0, 7, 7]);
        let h = histogram(&p);
        assert_eq!(h.len(), 256);
        assert_eq!((h[0], h[7], h.iter().sum::<u64>()), (1, 2, 3));
    }
}
