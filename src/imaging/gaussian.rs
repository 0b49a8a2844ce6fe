//! Gaussian smoothing of a [`Plane`], separable, with edge pixels repeated.

use crate::imaging::channel::Plane;

/// The normalised kernel for `sigma`, radius ceil(3 sigma).
fn kernel(sigma: f32) -> Vec<f32> {
    let radius = (3.0 * sigma).ceil().max(1.0) as i32;
    let k: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    k.into_iter().map(|v| v / sum).collect()
}

/// Smooths with a Gaussian of standard deviation `sigma` pixels; `sigma <= 0` returns a copy.
/// Values are rounded to the nearest integer in the plane's own range.
pub fn gaussian_blur(plane: &Plane, sigma: f32) -> Plane {
    if sigma <= 0.0 || !sigma.is_finite() || plane.data.is_empty() {
        return plane.clone();
    }
    let k = kernel(sigma);
    let r = (k.len() / 2) as i64;
    let (w, h) = (plane.width as usize, plane.height as usize);
    // Horizontal pass into f32 over a row padded with repeated edge values; taps outermost so
    // the inner loop is a vectorisable multiply-add over the row.
    let mut tmp = vec![0f32; w * h];
    let mut padded = vec![0f32; w + 2 * r as usize];
    for (src, dst) in plane.data.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        let (first, last) = (src[0] as f32, src[w - 1] as f32);
        let r = r as usize;
        padded[..r].fill(first);
        padded[r + w..].fill(last);
        for (p, &v) in padded[r..r + w].iter_mut().zip(src) {
            *p = v as f32;
        }
        // The kernel is symmetric: one multiply per pair of taps.
        let k0 = k[r];
        for (d, &v) in dst.iter_mut().zip(&padded[r..r + w]) {
            *d = k0 * v;
        }
        for j in 1..=r {
            let kv = k[r + j];
            let (left, right) = (&padded[r - j..r - j + w], &padded[r + j..r + j + w]);
            for ((d, &a), &b) in dst.iter_mut().zip(left).zip(right) {
                *d += kv * (a + b);
            }
        }
    }
    // Vertical pass, a row at a time so memory is read in order.
    let max = plane.depth.max_value() as f32;
    let mut out = vec![0u16; w * h];
    let mut acc = vec![0f32; w];
    let rows = |yy: i64| {
        let yy = yy.clamp(0, h as i64 - 1) as usize;
        &tmp[yy * w..yy * w + w]
    };
    for y in 0..h {
        let yi = y as i64;
        for (a, &v) in acc.iter_mut().zip(rows(yi)) {
            *a = k[r as usize] * v;
        }
        for j in 1..=r {
            let kv = k[(r + j) as usize];
            for ((a, &u), &d) in acc.iter_mut().zip(rows(yi - j)).zip(rows(yi + j)) {
                *a += kv * (u + d);
            }
        }
        for (o, &a) in out[y * w..y * w + w].iter_mut().zip(&acc) {
            *o = (a + 0.5).clamp(0.0, max) as u16;
        }
    }
    Plane::new(plane.width, plane.height, plane.depth, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_plane_stays_flat_and_mass_is_kept() {
        let p = Plane::from_u8(9, 7, &[77; 63]);
        assert_eq!(gaussian_blur(&p, 1.5).data, vec![77; 63]);
        let mut data = vec![0u8; 21 * 21];
        data[10 * 21 + 10] = 255;
        let b = gaussian_blur(&Plane::from_u8(21, 21, &data), 1.0);
        let peak = b.get(10, 10);
        assert!(peak > 20 && peak < 60, "peak {peak}");
        assert_eq!(b.get(9, 10), b.get(11, 10));
        assert_eq!(b.get(10, 9), b.get(9, 10));
        let total: u32 = b.data.iter().map(|&v| v as u32).sum();
        assert!((240..=270).contains(&total), "total {total}");
    }

    #[test]
    fn zero_sigma_is_identity() {
        let p = Plane::from_u8(2, 1, &[1, 2]);
        assert_eq!(gaussian_blur(&p, 0.0), p);
    }
}
