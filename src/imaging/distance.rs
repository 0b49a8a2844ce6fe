//! Exact Euclidean distance transform of a binary mask.
//!
//! Each foreground pixel gets its distance to the nearest background pixel; background pixels get 0.
//! Pixels outside the image count as background, as ImageJ's `EDM.makeFloatEDM(ip, 0, true)`
//! ("edge pixels are background"). ImageJ's own Distance Map and Watershed commands pass `false`
//! there, so an object cut by the image border is deeper near the border in ImageJ than here.
//!
//! The transform is separable (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled
//! Functions", Theory of Computing 8, 2012): a column pass gives the distance to the nearest
//! background pixel in the same column, then a row pass takes the lower envelope of the parabolas
//! `(x - x')² + g(x')²`. Everything is done in integers, so squared distances are exact.

use crate::imaging::bitmask::BitMask;

/// A plane of `f32` values, row-major (distances, or any surface for [`crate::imaging::watershed`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FloatPlane {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` values, row by row.
    pub data: Vec<f32>,
}

impl FloatPlane {
    /// A plane of zeros.
    pub fn new(width: u32, height: u32) -> Self {
        FloatPlane {
            width,
            height,
            data: vec![0.0; width as usize * height as usize],
        }
    }

    /// A plane from its row-major values.
    ///
    /// # Panics
    /// If `data.len() != width * height`.
    pub fn from_vec(width: u32, height: u32, data: Vec<f32>) -> Self {
        assert_eq!(
            data.len(),
            width as usize * height as usize,
            "plane size mismatch"
        );
        FloatPlane {
            width,
            height,
            data,
        }
    }

    /// The value at (x, y).
    pub fn get(&self, x: u32, y: u32) -> f32 {
        self.data[y as usize * self.width as usize + x as usize]
    }
}

/// The squared Euclidean distance of every pixel to the nearest background pixel (0 on background),
/// row-major. Pixels outside the image are background.
pub fn squared_distance_transform(mask: &BitMask) -> Vec<u32> {
    let (w, h) = (mask.width() as usize, mask.height() as usize);
    let fg: Vec<bool> = mask.to_bools();
    let mut out = vec![0u32; w * h];
    squared_edt(&fg, w, h, &mut out, &mut EdtScratch::default());
    out
}

/// The Euclidean distance of every pixel to the nearest background pixel (0 on background), as in
/// ImageJ's Process > Binary > Distance Map with edge pixels counted as background.
pub fn distance_transform(mask: &BitMask) -> FloatPlane {
    let sq = squared_distance_transform(mask);
    FloatPlane {
        width: mask.width(),
        height: mask.height(),
        data: sq.into_iter().map(|d| (d as f32).sqrt()).collect(),
    }
}

/// Reusable buffers of the row pass.
#[derive(Default)]
pub(crate) struct EdtScratch {
    f: Vec<i64>,
    v: Vec<usize>,
    z: Vec<(i64, i64)>,
}

/// Squared EDT of a `w × h` row-major foreground map into `out` (outside the map is background).
///
/// Generic over the foreground test so the splitter can run it on a `u8` crop without converting.
pub(crate) fn squared_edt<T: Copy + Into<bool>>(
    fg: &[T],
    w: usize,
    h: usize,
    out: &mut [u32],
    s: &mut EdtScratch,
) {
    debug_assert!(fg.len() == w * h && out.len() == w * h);
    if w == 0 || h == 0 {
        return;
    }
    // Column pass: distance to the nearest background pixel in the same column, the rows -1 and h
    // being background, so it is always finite.
    for x in 0..w {
        out[x] = u32::from(fg[x].into());
    }
    for y in 1..h {
        let (above, row) = out[(y - 1) * w..(y + 1) * w].split_at_mut(w);
        for x in 0..w {
            row[x] = if fg[y * w + x].into() {
                above[x] + 1
            } else {
                0
            };
        }
    }
    for x in 0..w {
        let last = (h - 1) * w + x;
        out[last] = out[last].min(1);
    }
    for y in (0..h - 1).rev() {
        let (row, below) = out[y * w..(y + 2) * w].split_at_mut(w);
        for x in 0..w {
            row[x] = row[x].min(below[x] + 1);
        }
    }
    // Row pass. Only the span lo..=hi from the first to the last foreground pixel needs it, with
    // the background (or outside) pixels lo - 1 and hi + 1 as the outermost samples, f = 0: they
    // are nearer to the span than any sample beyond them. Sample i is at x = lo - 1 + i.
    s.f.resize(w + 2, 0);
    s.v.resize(w + 2, 0);
    s.z.resize(w + 2, (0, 1));
    for y in 0..h {
        let row = &mut out[y * w..(y + 1) * w];
        let (Some(lo), Some(hi)) = (
            row.iter().position(|&g| g > 0),
            row.iter().rposition(|&g| g > 0),
        ) else {
            continue;
        };
        let span = &mut row[lo..=hi];
        if span.iter().all(|&g| g <= 1) {
            // Squared distance of a pixel at column distance 0 or 1 is its column distance.
            continue;
        }
        let n = span.len() + 2;
        s.f[0] = 0;
        s.f[n - 1] = 0;
        for (fi, &g) in s.f[1..n - 1].iter_mut().zip(span.iter()) {
            *fi = i64::from(g) * i64::from(g);
        }
        let last = lower_envelope(s, n);
        let mut k = 0usize;
        for (q, d) in (1..n - 1).zip(span.iter_mut()) {
            // z[k + 1] is where parabola k + 1 takes over.
            while k < last && s.z[k + 1].0 < q as i64 * s.z[k + 1].1 {
                k += 1;
            }
            let vk = s.v[k];
            let dq = q as i64 - vk as i64;
            *d = (dq * dq + s.f[vk]) as u32;
        }
    }
}

/// Builds the lower envelope of the parabolas `(q - i)² + f[i]`, i in 0..n, into `s.v` (their
/// apexes, left to right) and `s.z` (`z[k]` = where parabola k starts, as num/den with den > 0,
/// for k >= 1). Intersections are kept as exact fractions. Returns the index of the last parabola.
fn lower_envelope(s: &mut EdtScratch, n: usize) -> usize {
    let (f, v, z) = (&s.f, &mut s.v, &mut s.z);
    let mut k = 0usize;
    v[0] = 0;
    for q in 1..n {
        let fq = f[q] + (q * q) as i64;
        loop {
            let vk = v[k];
            // Intersection of parabolas vk and q: s = (fq - fvk) / (2 (q - vk)).
            let num = fq - (f[vk] + (vk * vk) as i64);
            let den = 2 * (q - vk) as i64;
            // Pop parabola k while the new one takes over before it does (z[0] is -infinity).
            if k > 0 && num * z[k].1 <= z[k].0 * den {
                k -= 1;
                continue;
            }
            k += 1;
            v[k] = q;
            z[k] = (num, den);
            break;
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmask;

    #[test]
    fn square_distances_count_the_border_as_background() {
        let m = bitmask!["#####", "#####", "#####"];
        assert_eq!(
            squared_distance_transform(&m),
            vec![1, 1, 1, 1, 1, 1, 4, 4, 4, 1, 1, 1, 1, 1, 1]
        );
    }

    #[test]
    fn diagonal_background_gives_sqrt_two() {
        let m = bitmask![
            "#######", "#######", "#######", "###.###", "#######", "#######", "#######"
        ];
        let d = squared_distance_transform(&m);
        // (2, 2) is diagonal to the hole at (3, 3) and 3 from the left border.
        assert_eq!(d[2 * 7 + 2], 2);
        // (1, 3) is 2 from both the hole and the outside column x = -1; (0, 3) is 1 from the outside.
        assert_eq!(d[3 * 7 + 1], 4);
        assert_eq!(d[3 * 7], 1);
        assert_eq!(d[3 * 7 + 3], 0);
        let f = distance_transform(&m);
        assert_eq!(f.get(2, 2), 2f32.sqrt());
    }

    #[test]
    fn wide_plate_uses_the_row_pass() {
        // 3 rows of 9: row 1 has column distance 2, but the far left/right pixels are 1 from the side.
        let m = bitmask!["#########", "#########", "#########"];
        let d = squared_distance_transform(&m);
        assert_eq!(&d[9..18], &[1, 4, 4, 4, 4, 4, 4, 4, 1]);
    }

    #[test]
    fn empty_and_degenerate_masks() {
        assert!(squared_distance_transform(&BitMask::new(0, 0)).is_empty());
        assert_eq!(squared_distance_transform(&BitMask::new(3, 1)), vec![0; 3]);
        assert_eq!(squared_distance_transform(&bitmask!["###"]), vec![1; 3]);
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// Brute force: the nearest background pixel among the image and a ring of outside pixels.
    fn naive(mask: &BitMask) -> Vec<u32> {
        let (w, h) = (mask.width() as i64, mask.height() as i64);
        let mut out = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let mut best = i64::MAX;
                if mask.get(x as u32, y as u32) {
                    for by in -1..=h {
                        for bx in -1..=w {
                            let outside = bx < 0 || by < 0 || bx >= w || by >= h;
                            if outside || !mask.get(bx as u32, by as u32) {
                                best = best.min((bx - x).pow(2) + (by - y).pow(2));
                            }
                        }
                    }
                } else {
                    best = 0;
                }
                out.push(best as u32);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn agrees_with_brute_force(
            w in 1u32..40, h in 1u32..40, background_in_32 in 0u64..6, seed in any::<u64>()
        ) {
            // Mostly foreground, so that distances grow past 1 and the row pass matters.
            let bits =
                crate::util::testing::random_bits(w * h, seed, |s| s % 32 >= background_in_32);
            let m = BitMask::from_bools(w, h, &bits);
            prop_assert_eq!(squared_distance_transform(&m), naive(&m));
        }
    }
}
