//! Background correction: ImageJ's Process > Subtract Background, rolling-ball algorithm.
//!
//! The algorithm is S. R. Sternberg's rolling ball ("Biomedical image processing", IEEE Computer
//! 16(1), 1983) as ImageJ 1.53t's `ij.plugin.filter.BackgroundSubtracter` implements it for a dark
//! background (its `rollingBallBackground(ip, radius, false, false, false, true, true)`: "light
//! background" off, no sliding paraboloid, 3x3 pre-smoothing on). Every step is ImageJ's, in
//! `f32` with the same operations in the same order, so the results are bit-identical
//! (`tests/background_parity.rs`):
//!
//! 1. the plane as `f32`, smoothed by a 3x3 mean (a row pass, then a column pass, edge pixels
//!    repeated, `(a + b + c) * 0.33333334`);
//! 2. shrunk by a factor 1, 2, 4 or 8 (radius ≤ 10, ≤ 30, ≤ 100, larger), each small pixel the
//!    minimum of its block;
//! 3. a ball of radius `radius / shrink` (at least 1), trimmed to a square patch (by 24, 24, 32 or
//!    40 % of the radius), is rolled under the small image: the background is the grey opening of
//!    the image by the patch, with ball positions reaching `patch radius` pixels past the edges;
//! 4. enlarged back by ImageJ's bilinear interpolation (extrapolation at the edges).
//!
//! ImageJ's "correct corners" option only affects the sliding paraboloid, so it has no effect
//! here. Where ImageJ throws (a shrunk image one pixel wide or high, e.g. a 3-pixel-wide image with
//! radius 20), the background is interpolated along that axis from the single small pixel.

use crate::imaging::{channel::Plane, image::BitDepth};

/// The ball patch: heights above the ball's centre, `width * width`, row-major.
struct Ball {
    data: Vec<f32>,
    width: usize,
    shrink: usize,
}

impl Ball {
    /// ImageJ's `RollingBall(radius)`: the shrink factor and the trimmed patch.
    fn new(radius: f64) -> Ball {
        let (shrink, trim_percent) = if radius <= 10.0 {
            (1, 24)
        } else if radius <= 30.0 {
            (2, 24)
        } else if radius <= 100.0 {
            (4, 32)
        } else {
            (8, 40)
        };
        let small_radius = (radius / shrink as f64).max(1.0);
        let r2 = small_radius * small_radius;
        let trim = (trim_percent as f64 * small_radius) as i64 / 100;
        // Java's Math.round: floor(x + 0.5).
        let half = (small_radius - trim as f64 + 0.5).floor() as i64;
        let width = (2 * half + 1) as usize;
        let mut data = Vec::with_capacity(width * width);
        for y in -half..=half {
            for x in -half..=half {
                let t = r2 - (x * x) as f64 - (y * y) as f64;
                data.push(if t > 0.0 { t.sqrt() as f32 } else { 0.0 });
            }
        }
        Ball {
            data,
            width,
            shrink,
        }
    }
}

/// ImageJ's `filter3x3(fp, MEAN)`: a 3-pixel mean along rows, then along columns, edges repeated.
fn smooth3x3(px: &mut [f32], w: usize, h: usize) {
    const THIRD: f32 = 0.333_333_34;
    let mut prev = vec![0f32; w];
    for row in px.chunks_exact_mut(w) {
        prev.copy_from_slice(row);
        let last = w - 1;
        row[0] = (prev[0] + prev[0] + prev[1.min(last)]) * THIRD;
        if w > 1 {
            let (left, mid, right) = (&prev[..w - 2], &prev[1..w - 1], &prev[2..]);
            for (((o, &a), &b), &c) in row[1..last].iter_mut().zip(left).zip(mid).zip(right) {
                *o = (a + b + c) * THIRD;
            }
            row[last] = (prev[last - 1] + prev[last] + prev[last]) * THIRD;
        }
    }
    // Column pass a row at a time: `up` keeps the unsmoothed copy of the row above.
    let mut up = px[..w].to_vec();
    let mut cur = vec![0f32; w];
    for y in 0..h {
        let (head, tail) = px.split_at_mut((y + 1) * w);
        let out = &mut head[y * w..];
        cur.copy_from_slice(out);
        let down = if y + 1 < h { &tail[..w] } else { &cur[..] };
        for (((o, &a), &b), &c) in out.iter_mut().zip(&up).zip(&cur).zip(down) {
            *o = (a + b + c) * THIRD;
        }
        std::mem::swap(&mut up, &mut cur);
    }
}

/// ImageJ's `shrinkImage`: each small pixel is the minimum of its `s * s` block (partial blocks at
/// the right and bottom edges).
fn shrink(px: &[f32], w: usize, h: usize, s: usize) -> (Vec<f32>, usize, usize) {
    let (sw, sh) = (w.div_ceil(s), h.div_ceil(s));
    let mut small = vec![f32::MAX; sw * sh];
    for (y, row) in px.chunks_exact(w).enumerate() {
        let dst = &mut small[(y / s) * sw..(y / s + 1) * sw];
        for (d, block) in dst.iter_mut().zip(row.chunks(s)) {
            *d = block.iter().fold(*d, |m, &v| if v < m { v } else { m });
        }
    }
    (small, sw, sh)
}

/// ImageJ's `rollBall`: replaces `px` by its grey opening with the ball patch.
///
/// ImageJ interleaves the two halves per ball position; here the erosion (the ball's height at
/// every centre position) is computed for all positions first, then the dilation. Both are minima
/// and maxima of the same `f32` sums, so the result is identical; the loops run along image rows,
/// which the compiler vectorises.
///
/// The patch is symmetric (`b(±i, ±j)` are equal), and rounding is monotone, so
/// `min(a - b, c - b) == min(a, c) - b` exactly (and likewise for the maxima of sums): the four
/// pixels at `(±i, ±j)` are reduced to their minimum first, then the ball height subtracted once,
/// a third of the operations of the direct loop.
fn roll_ball(ball: &Ball, px: &mut [f32], w: usize, h: usize) {
    let bw = ball.width;
    let r = bw / 2;
    let height = |i: usize, j: usize| ball.data[(r + j) * bw + r + i];
    // Centre positions run from -r to w + r - 1 (resp. h): z index = position + r.
    let (zw, zh) = (w + 2 * r, h + 2 * r);
    // The image rows padded by 2r columns of +inf on each side, so that centre index c sees the
    // image columns c - 2r + bx, bx in 0..bw, at padded columns c + bx.
    let pw = w + 4 * r;
    let mut padded = vec![f32::INFINITY; pw * h];
    for (prow, row) in padded.chunks_exact_mut(pw).zip(px.chunks_exact(w)) {
        prow[2 * r..2 * r + w].copy_from_slice(row);
    }
    let mut pair = vec![0f32; pw];
    let mut z = vec![f32::MAX; zw * zh];
    for (zy, zrow) in z.chunks_exact_mut(zw).enumerate() {
        // Ball row r ± j at centre row zy - r lies on image row zy - r ± j.
        for j in 0..=r {
            let image_row =
                |y: Option<usize>| y.filter(|&y| y < h).map(|y| &padded[y * pw..y * pw + pw]);
            let above = image_row((zy + r - j).checked_sub(2 * r));
            let below = if j == 0 {
                None
            } else {
                image_row((zy + r + j).checked_sub(2 * r))
            };
            let rows: &[f32] = match (above, below) {
                (None, None) => continue,
                (Some(a), None) | (None, Some(a)) => a,
                (Some(a), Some(b)) => {
                    for ((p, &a), &b) in pair.iter_mut().zip(a).zip(b) {
                        *p = if b < a { b } else { a };
                    }
                    &pair
                }
            };
            erode_row(zrow, &rows[r..r + zw], height(0, j));
            for i in 1..=r {
                erode_pair(
                    zrow,
                    &rows[r - i..r - i + zw],
                    &rows[r + i..r + i + zw],
                    height(i, j),
                );
            }
        }
    }
    // The dilation: image pixel p gets the maximum of z + b over the centres within the patch;
    // by symmetry these are z rows and columns p .. p + 2r with the ball's heights.
    for (yp, out) in px.chunks_exact_mut(w).enumerate() {
        out.fill(-f32::MAX);
        for j in 0..=r {
            let above = &z[(yp + r - j) * zw..(yp + r - j + 1) * zw];
            let rows: &[f32] = if j == 0 {
                above
            } else {
                let below = &z[(yp + r + j) * zw..(yp + r + j + 1) * zw];
                for ((p, &a), &b) in pair.iter_mut().zip(above).zip(below) {
                    *p = if b > a { b } else { a };
                }
                &pair[..zw]
            };
            dilate_row(out, &rows[r..r + w], height(0, j));
            for i in 1..=r {
                dilate_pair(
                    out,
                    &rows[r - i..r - i + w],
                    &rows[r + i..r + i + w],
                    height(i, j),
                );
            }
        }
    }
}

/// `z = min(z, v - b)` along a row (a select, not a conditional store, so that it vectorises).
fn erode_row(z: &mut [f32], v: &[f32], b: f32) {
    for (zz, &v) in z.iter_mut().zip(v) {
        let reduced = v - b;
        *zz = if reduced < *zz { reduced } else { *zz };
    }
}

/// `z = min(z, min(v, u) - b)` along a row: equal to `min(z, v - b, u - b)` as rounding is monotone.
fn erode_pair(z: &mut [f32], v: &[f32], u: &[f32], b: f32) {
    for ((zz, &v), &u) in z.iter_mut().zip(v).zip(u) {
        let reduced = if u < v { u } else { v } - b;
        *zz = if reduced < *zz { reduced } else { *zz };
    }
}

/// `o = max(o, z + b)` along a row.
fn dilate_row(out: &mut [f32], z: &[f32], b: f32) {
    for (o, &zz) in out.iter_mut().zip(z) {
        let raised = zz + b;
        *o = if raised > *o { raised } else { *o };
    }
}

/// `o = max(o, max(z, y) + b)` along a row: equal to `max(o, z + b, y + b)`.
fn dilate_pair(out: &mut [f32], z: &[f32], y: &[f32], b: f32) {
    for ((o, &zz), &yy) in out.iter_mut().zip(z).zip(y) {
        let raised = if yy > zz { yy } else { zz } + b;
        *o = if raised > *o { raised } else { *o };
    }
}

/// ImageJ's `makeInterpolationArrays`: for each full-size index, the first of the two small
/// pixels it is interpolated from, the second (one further, or the same if the small length is 1)
/// and the weight of the first.
fn interpolation(len: usize, small_len: usize, s: usize) -> Vec<(usize, usize, f32)> {
    (0..len)
        .map(|i| {
            // Java's (i - s/2) / s truncates towards zero, so it is never negative here.
            let mut idx = i.saturating_sub(s / 2) / s;
            if idx + 1 >= small_len {
                idx = small_len.saturating_sub(2);
            }
            let distance = (i as f32 + 0.5) / s as f32 - (idx as f32 + 0.5);
            (idx, (idx + 1).min(small_len - 1), 1.0 - distance)
        })
        .collect()
}

/// ImageJ's `enlargeImage`: bilinear interpolation of the small background to full size.
fn enlarge(small: &[f32], sw: usize, sh: usize, out: &mut [f32], w: usize, h: usize, s: usize) {
    let xs = interpolation(w, sw, s);
    let ys = interpolation(h, sh, s);
    let line = |sy: usize, dst: &mut [f32]| {
        let row = &small[sy * sw..sy * sw + sw];
        for (d, &(i0, i1, wt)) in dst.iter_mut().zip(&xs) {
            *d = row[i0] * wt + row[i1] * (1.0 - wt);
        }
    };
    let (mut line0, mut line1) = (vec![0f32; w], vec![0f32; w]);
    let mut current = usize::MAX;
    for (y, &(i0, i1, wt)) in ys.iter().enumerate() {
        if i0 != current {
            current = i0;
            line(i0, &mut line0);
            line(i1, &mut line1);
        }
        for ((o, &a), &b) in out[y * w..y * w + w].iter_mut().zip(&line0).zip(&line1) {
            *o = a * wt + b * (1.0 - wt);
        }
    }
}

/// ImageJ's `rollingBallFloatBackground` for a dark background with pre-smoothing: the
/// background of `plane` as `f32`, row-major.
fn background_f32(plane: &Plane, radius: f32) -> Vec<f32> {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let mut px: Vec<f32> = plane.data.iter().map(|&v| v as f32).collect();
    if px.is_empty() {
        return px;
    }
    let ball = Ball::new(radius as f64);
    smooth3x3(&mut px, w, h);
    if ball.shrink > 1 {
        let (mut small, sw, sh) = shrink(&px, w, h, ball.shrink);
        roll_ball(&ball, &mut small, sw, sh);
        enlarge(&small, sw, sh, &mut px, w, h, ball.shrink);
    } else {
        roll_ball(&ball, &mut px, w, h);
    }
    px
}

/// Rounds as ImageJ's `setPixels(channel, FloatProcessor)`: `(int) clamp(v + 0.5, 0, max)`.
fn to_depth(v: f32, depth: BitDepth) -> u16 {
    (v + 0.5).clamp(0.0, depth.max_value() as f32) as u16
}

/// The rolling-ball background of `plane` (ImageJ's Subtract Background with "create background",
/// dark background, pre-smoothing on), rounded to the plane's depth as ImageJ rounds it.
///
/// The ball radius is in pixels, as in ImageJ's dialog; the time grows with its square (about
/// `width * height * (0.6 radius)^2 / shrink^4` operations).
///
/// ```
/// use fluocount::imaging::{background::rolling_ball_background, Plane};
/// let flat = Plane::from_u8(9, 7, &[40; 63]);
/// assert_eq!(rolling_ball_background(&flat, 5.0).data, vec![40; 63]);
/// ```
///
/// # Panics
/// If `radius` is NaN or infinite.
pub fn rolling_ball_background(plane: &Plane, radius: f32) -> Plane {
    assert!(radius.is_finite(), "rolling ball radius must be finite");
    let bg = background_f32(plane, radius);
    let data = bg.iter().map(|&v| to_depth(v, plane.depth)).collect();
    Plane::new(plane.width, plane.height, plane.depth, data)
}

/// `plane` minus its rolling-ball background, clamped at 0: ImageJ's Process > Subtract
/// Background (dark background, pre-smoothing on), exactly, for 8- and 16-bit planes.
///
/// As in ImageJ the unrounded background is subtracted and the difference rounded, so this is not
/// always `plane - rolling_ball_background(plane)`; with pre-smoothing the background can lie
/// above a pixel, which then becomes 0.
///
/// ```
/// use fluocount::imaging::{background::subtract_background, Plane};
/// let mut data = vec![30u8; 15 * 15];
/// data[7 * 15 + 7] = 230; // one bright pixel on a flat background
/// let out = subtract_background(&Plane::from_u8(15, 15, &data), 3.0);
/// assert_eq!(out.get(0, 0), 0);
/// assert!(out.get(7, 7) > 150);
/// ```
///
/// # Panics
/// If `radius` is NaN or infinite.
pub fn subtract_background(plane: &Plane, radius: f32) -> Plane {
    assert!(radius.is_finite(), "rolling ball radius must be finite");
    let bg = background_f32(plane, radius);
    let data = plane
        .data
        .iter()
        .zip(&bg)
        .map(|(&v, &b)| to_depth(v as f32 - b, plane.depth))
        .collect();
    Plane::new(plane.width, plane.height, plane.depth, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ball_sizes_follow_imagej() {
        // radius 50: shrink 4, small radius 12.5, trim (int)(32 * 12.5) / 100 = 4,
        // half width round(8.5) = 9.
        let b = Ball::new(50.0);
        assert_eq!((b.shrink, b.width), (4, 19));
        // radius 5: no shrink, trim (int)(24 * 5) / 100 = 1, half width 4.
        let b = Ball::new(5.0);
        assert_eq!((b.shrink, b.width), (1, 9));
        assert_eq!(b.data[4 * 9 + 4], 5.0);
        assert_eq!(b.data[4 * 9], 3.0); // sqrt(25 - 16)
        assert_eq!(b.data[0], 0.0); // outside the sphere
        assert_eq!(Ball::new(10.0).shrink, 1);
        assert_eq!(Ball::new(30.0).shrink, 2);
        assert_eq!(Ball::new(100.0).shrink, 4);
        assert_eq!(Ball::new(100.5).shrink, 8);
        // radius below 1 acts as 1: a 3x3 patch.
        assert_eq!(Ball::new(0.2).width, 3);
    }

    #[test]
    fn smoothing_repeats_edges() {
        let mut px = vec![3.0, 0.0, 0.0, 0.0, 0.0, 6.0];
        smooth3x3(&mut px, 3, 2);
        // Rows: [2, 1, 0], [0, 2, 4]; columns: (2+2+0)/3, (1+1+2)/3, (0+0+4)/3, then
        // (2+0+0)/3, (1+2+2)/3, (0+4+4)/3.
        let want = [4.0, 4.0, 4.0, 2.0, 5.0, 8.0].map(|v: f32| v * 0.333_333_34);
        for (g, w) in px.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{px:?}");
        }
    }

    #[test]
    fn shrink_takes_block_minima() {
        let px: Vec<f32> = (0..15).map(|v| (15 - v) as f32).collect(); // 5 x 3
        let (small, sw, sh) = shrink(&px, 5, 3, 2);
        assert_eq!((sw, sh), (3, 2));
        assert_eq!(small, vec![9.0, 7.0, 6.0, 4.0, 2.0, 1.0]);
    }

    #[test]
    fn interpolation_matches_imagej_table() {
        // ImageJ's example for shrink 4: small indices 0,0,0,0,0,0,1,1,1,1,2,2.
        let t = interpolation(12, 3, 4);
        let idx: Vec<usize> = t.iter().map(|e| e.0).collect();
        assert_eq!(idx, vec![0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
        // Pixel 0 lies 3/8 of a small pixel before small pixel 0's centre: weight 1.375.
        assert_eq!(t[0].2, 1.375);
        assert_eq!(t[2].2, 0.875);
        // A single small pixel: both taps on it.
        assert_eq!(interpolation(3, 1, 4)[2].1, 0);
    }

    #[test]
    fn a_narrow_peak_is_removed_and_the_flat_part_kept() {
        // 11 x 11 at 50 with a 3 x 3 plateau of 200; radius 3 (no shrink): the ball cannot
        // enter the plateau, so the background stays near 50 except where smoothing spread it.
        let mut data = vec![50u8; 121];
        for y in 4..7 {
            for x in 4..7 {
                data[y * 11 + x] = 200;
            }
        }
        let plane = Plane::from_u8(11, 11, &data);
        let bg = rolling_ball_background(&plane, 3.0);
        assert_eq!(bg.get(0, 0), 50);
        assert_eq!(bg.get(10, 10), 50);
        assert!(bg.get(5, 5) < 120, "{:?}", bg.get(5, 5));
        let out = subtract_background(&plane, 3.0);
        assert_eq!(out.get(0, 0), 0);
        // The unrounded background is subtracted, then the difference rounded.
        let bgf = background_f32(&plane, 3.0)[5 * 11 + 5];
        assert_eq!(out.get(5, 5), (200.0 - bgf + 0.5) as u16);
        assert!(out.get(5, 5) > 80);
    }

    #[test]
    fn sixteen_bit_and_tiny_planes() {
        let plane = Plane::new(
            3,
            2,
            BitDepth::Sixteen,
            vec![1000, 60000, 1000, 1000, 1000, 1000],
        );
        for radius in [0.5, 5.0, 20.0, 50.0, 200.0] {
            let bg = rolling_ball_background(&plane, radius);
            assert_eq!(bg.depth, BitDepth::Sixteen);
            assert!(
                bg.data.iter().all(|v| (1000..30000).contains(v)),
                "{radius}: {bg:?}"
            );
            let out = subtract_background(&plane, radius);
            assert!(out.get(1, 0) > 30000);
        }
        let empty = Plane::from_u8(0, 0, &[]);
        assert!(subtract_background(&empty, 50.0).data.is_empty());
        let one = Plane::from_u8(1, 1, &[77]);
        assert_eq!(rolling_ball_background(&one, 50.0).data, vec![77]);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// ImageJ's `rollBall` loop order, position by position, ball entry by ball entry.
    fn roll_ball_direct(ball: &Ball, px: &mut [f32], w: usize, h: usize) {
        let (bw, r) = (ball.width as isize, (ball.width / 2) as isize);
        let (wi, hi) = (w as isize, h as isize);
        let src = px.to_vec();
        px.fill(-f32::MAX);
        for cy in -r..hi + r {
            for cx in -r..wi + r {
                let entries = || {
                    (0..bw * bw).filter_map(move |k| {
                        let (x, y) = (cx - r + k % bw, cy - r + k / bw);
                        ((0..wi).contains(&x) && (0..hi).contains(&y))
                            .then(|| ((y * wi + x) as usize, ball.data[k as usize]))
                    })
                };
                let z = entries().fold(f32::MAX, |z, (p, b)| z.min(src[p] - b));
                for (p, b) in entries() {
                    px[p] = px[p].max(z + b);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn roll_ball_matches_the_direct_loop(
            (w, h, data) in (1usize..20, 1usize..16)
                .prop_flat_map(|(w, h)| (Just(w), Just(h), prop::collection::vec(0u16..300, w * h))),
            radius in 0.5f64..9.0,
            frac in 0u8..4,
        ) {
            let ball = Ball::new(radius);
            // Fractional values, as after smoothing.
            let px: Vec<f32> = data.iter().map(|&v| v as f32 / (1 + frac) as f32).collect();
            let (mut fast, mut slow) = (px.clone(), px);
            roll_ball(&ball, &mut fast, w, h);
            roll_ball_direct(&ball, &mut slow, w, h);
            prop_assert_eq!(fast, slow);
        }
    }
}
