//! Binary morphology with a disk: erosion, dilation, opening and closing.
//!
//! The disk of radius r holds the offsets (dx, dy) with dx² + dy² <= r². A disk is a stack of
//! horizontal runs, so erosion (dilation) is the AND (OR) over dy of the row y + dy eroded
//! (dilated) horizontally by the half-width of the disk at dy. Rows are packed 64 pixels to a
//! word, so each horizontal step is a few shifts per word.
//!
//! Edges: erosion treats pixels outside the image as foreground, so objects cut by the border are
//! not eaten away from it; dilation treats them as background.

use crate::imaging::bitmask::BitMask;

/// Half-width of the disk at each |dy| in 0..=r.
fn half_widths(radius: u32) -> Vec<u32> {
    let r2 = radius as u64 * radius as u64;
    (0..=radius as u64)
        .map(|dy| {
            let mut w = 0u64;
            while (w + 1) * (w + 1) + dy * dy <= r2 {
                w += 1;
            }
            w as u32
        })
        .collect()
}

/// Reads 64 bits starting at bit `pos` of a padded row.
#[inline(always)]
fn bits_at(padded: &[u64], pos: usize) -> u64 {
    let (q, s) = (pos / 64, pos % 64);
    if s == 0 {
        padded[q]
    } else {
        (padded[q] >> s) | (padded[q + 1] << (64 - s))
    }
}

/// Horizontal erosion (`erode = true`) or dilation of every row by every half-width 0..=max_w.
/// Returns `max_w + 1` masks.
fn horizontal(mask: &BitMask, max_w: u32, erode: bool) -> Vec<BitMask> {
    let (width, height, stride) = (mask.width(), mask.height(), mask.stride());
    let tail = mask.tail_mask();
    let fill = if erode { !0u64 } else { 0 };
    let pad = (max_w as usize).div_ceil(64) + 1;
    let mut padded = vec![fill; stride + 2 * pad];
    let mut out: Vec<BitMask> = (0..=max_w).map(|_| BitMask::new(width, height)).collect();
    let mut acc = vec![0u64; stride];
    for y in 0..height {
        let row = mask.row(y);
        padded[pad..pad + stride].copy_from_slice(row);
        if let Some(last) = padded[pad..pad + stride].last_mut() {
            // Bits past the width read as outside the image.
            *last = (*last & tail) | (fill & !tail);
        }
        acc.copy_from_slice(row);
        out[0].row_mut(y).copy_from_slice(row);
        for (k, dst) in out.iter_mut().enumerate().skip(1) {
            for (i, a) in acc.iter_mut().enumerate() {
                let base = (pad + i) * 64;
                let right = bits_at(&padded, base + k);
                let left = bits_at(&padded, base - k);
                if erode {
                    *a &= right & left;
                } else {
                    *a |= right | left;
                }
            }
            if let Some(last) = acc.last_mut() {
                *last &= tail;
            }
            dst.row_mut(y).copy_from_slice(&acc);
        }
    }
    out
}

fn disk_op(mask: &BitMask, radius: u32, erode: bool) -> BitMask {
    if radius == 0 || mask.width() == 0 || mask.height() == 0 {
        return mask.clone();
    }
    let widths = half_widths(radius);
    let h = horizontal(mask, radius, erode);
    let (width, height, stride) = (mask.width(), mask.height(), mask.stride());
    let tail = mask.tail_mask();
    let mut out = BitMask::new(width, height);
    let r = radius as i64;
    for y in 0..height as i64 {
        let dst = out.row_mut(y as u32);
        dst.fill(if erode { !0 } else { 0 });
        for dy in -r..=r {
            let yy = y + dy;
            if yy < 0 || yy >= height as i64 {
                continue; // outside: foreground for erosion (no-op), background for dilation
            }
            let src = h[widths[dy.unsigned_abs() as usize] as usize].row(yy as u32);
            if erode {
                dst.iter_mut().zip(src).for_each(|(d, s)| *d &= s);
            } else {
                dst.iter_mut().zip(src).for_each(|(d, s)| *d |= s);
            }
        }
        if stride > 0 {
            dst[stride - 1] &= tail;
        }
    }
    out
}

/// Erosion by a disk of `radius` (0 returns a copy).
pub fn erode(mask: &BitMask, radius: u32) -> BitMask {
    disk_op(mask, radius, true)
}

/// Dilation by a disk of `radius` (0 returns a copy).
pub fn dilate(mask: &BitMask, radius: u32) -> BitMask {
    disk_op(mask, radius, false)
}

/// Opening (erosion then dilation): removes specks and thin bridges narrower than the disk.
pub fn open(mask: &BitMask, radius: u32) -> BitMask {
    if radius == 0 {
        return mask.clone();
    }
    dilate(&erode(mask, radius), radius)
}

/// Closing (dilation then erosion): fills gaps and notches narrower than the disk.
pub fn close(mask: &BitMask, radius: u32) -> BitMask {
    if radius == 0 {
        return mask.clone();
    }
    erode(&dilate(mask, radius), radius)
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::bitmask;
    use proptest::prelude::*;

    /// The definition, pixel by pixel.
    fn naive(mask: &BitMask, radius: u32, erode: bool) -> BitMask {
        let (w, h) = (mask.width() as i64, mask.height() as i64);
        let r = radius as i64;
        let mut out = BitMask::new(mask.width(), mask.height());
        for y in 0..h {
            for x in 0..w {
                let mut acc = erode;
                for dy in -r..=r {
                    for dx in -r..=r {
                        if dx * dx + dy * dy > r * r {
                            continue;
                        }
                        let (xx, yy) = (x + dx, y + dy);
                        let v = if xx < 0 || yy < 0 || xx >= w || yy >= h {
                            erode
                        } else {
                            mask.get(xx as u32, yy as u32)
                        };
                        if erode {
                            acc &= v;
                        } else {
                            acc |= v;
                        }
                    }
                }
                out.set(x as u32, y as u32, acc);
            }
        }
        out
    }

    #[test]
    fn disk_radius_one_is_a_cross() {
        let m = bitmask![".....", ".....", "..#..", ".....", "....."];
        let d = dilate(&m, 1);
        assert_eq!(d, bitmask![".....", "..#..", ".###.", "..#..", "....."]);
        assert_eq!(erode(&d, 1), m);
    }

    #[test]
    fn opening_removes_specks_and_keeps_blobs() {
        let m = bitmask!["#.......", "....###.", "...####.", "....###.", "........",];
        let o = open(&m, 1);
        assert!(!o.get(0, 0), "speck removed");
        assert!(o.get(5, 2), "blob centre kept");
    }

    #[test]
    fn closing_fills_a_one_pixel_gap() {
        let m = bitmask!["###.###", "###.###", "###.###"];
        assert_eq!(close(&m, 1).count_ones(), 21);
    }

    #[test]
    fn half_widths_of_radius_three() {
        assert_eq!(half_widths(3), vec![3, 2, 2, 0]);
    }

    proptest! {
        #[test]
        fn erode_and_dilate_match_the_definition(
            w in 1u32..140, h in 1u32..12, r in 0u32..5, seed in any::<u64>()
        ) {
            let bits = crate::util::testing::random_bits(w * h, seed, |s| s % 3 != 0);
            let m = BitMask::from_bools(w, h, &bits);
            prop_assert_eq!(erode(&m, r), naive(&m, r, true));
            prop_assert_eq!(dilate(&m, r), naive(&m, r, false));
        }
    }
}
