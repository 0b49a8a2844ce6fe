//! Regions of interest: rectangles and polygons, their pixel masks, and counting objects inside.
//!
//! The conventions are ImageJ's (checked against ImageJ 1.53t by `tests/roi_parity.rs`): a
//! polygon is filled by the even-odd rule of `ij.process.FloatPolygon.contains`, where a point
//! exactly on an edge is inside on the right and bottom edges and outside on the left and top
//! ones; and a pixel belongs to a region when its centre (x + 0.5, y + 0.5) is inside
//! (`ij.gui.PolygonRoi.contains`, `getMask`). An object counts in
//! a region when its centroid, in ImageJ's convention ([`crate::imaging::ObjectStats`]'s `x`, `y`:
//! pixel centres at +0.5), is inside; so a one-pixel object counts exactly when its pixel is in
//! the region's mask.

use crate::imaging::{bitmask::BitMask, calibration::Calibration};
use std::fmt::Write as _;

/// The outline of a region, in image coordinates (pixel (x, y) spans x..x+1, y..y+1).
#[derive(Clone, Debug, PartialEq)]
pub enum RoiShape {
    /// An axis-aligned rectangle with its top-left corner at (x, y).
    Rect {
        /// Left edge.
        x: f64,
        /// Top edge.
        y: f64,
        /// Width.
        w: f64,
        /// Height.
        h: f64,
    },
    /// A closed polygon (the last vertex joins the first), possibly self-intersecting.
    Polygon(Vec<(f64, f64)>),
}

/// A named region of interest.
#[derive(Clone, Debug, PartialEq)]
pub struct Roi {
    /// Display name.
    pub name: String,
    /// Outline.
    pub shape: RoiShape,
}

/// Objects counted in one region, see [`count_in_rois`].
#[derive(Clone, Debug, PartialEq)]
pub struct RoiCount {
    /// The region's name.
    pub name: String,
    /// Pixels of the region's mask inside the image.
    pub area_px: u64,
    /// Objects whose centroid lies inside.
    pub count: usize,
    /// Objects per million pixels of area (0 for an empty region).
    pub density_per_mpx: f64,
}

impl RoiCount {
    /// The region's area in `c`'s unit squared.
    pub fn area_in(&self, c: &Calibration) -> f64 {
        self.area_px as f64 * c.pixel_area()
    }

    /// Objects per mm² under calibration `c` (0 for an empty region).
    pub fn density_per_mm2(&self, c: &Calibration) -> f64 {
        let mm2 = self.area_px as f64 * c.pixel_area_mm2();
        if mm2 > 0.0 {
            self.count as f64 / mm2
        } else {
            0.0
        }
    }
}

/// The smallest pixel x with x + 0.5 > a, clamped to 0..=w; NaN gives w (an empty span).
fn px_after(a: f64, w: u32) -> u32 {
    if a.is_nan() {
        return w;
    }
    let c = a.clamp(-1.0, w as f64 + 1.0);
    let mut x = (c - 0.5).floor() as i64 + 1;
    // (c - 0.5) may round; settle on the exact answer (at most a step each way).
    while (x - 1) as f64 + 0.5 > c {
        x -= 1;
    }
    while (x as f64) + 0.5 <= c {
        x += 1;
    }
    x.clamp(0, w as i64) as u32
}

impl Roi {
    /// A rectangle region.
    pub fn rect(name: &str, x: f64, y: f64, w: f64, h: f64) -> Self {
        Roi {
            name: name.into(),
            shape: RoiShape::Rect { x, y, w, h },
        }
    }

    /// A polygon region.
    pub fn polygon(name: &str, vertices: Vec<(f64, f64)>) -> Self {
        Roi {
            name: name.into(),
            shape: RoiShape::Polygon(vertices),
        }
    }

    /// The outline as polygon vertices (a rectangle's four corners, clockwise from top-left).
    pub fn vertices(&self) -> Vec<(f64, f64)> {
        self.with_vertices(<[_]>::to_vec)
    }

    /// Calls `f` on the outline without allocating (per-centroid tests stay cheap).
    fn with_vertices<R>(&self, f: impl FnOnce(&[(f64, f64)]) -> R) -> R {
        match &self.shape {
            RoiShape::Rect { x, y, w, h } => {
                f(&[(*x, *y), (x + w, *y), (x + w, y + h), (*x, y + h)])
            }
            RoiShape::Polygon(v) => f(v),
        }
    }

    /// The bounding box (x, y, width, height), as ImageJ's `Roi.getFloatBounds`; all zero for a
    /// polygon without vertices.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        self.with_vertices(bounds_of)
    }

    /// Whether point (x, y) is inside, by the even-odd rule of ImageJ's `FloatPolygon.contains`:
    /// a rectangle holds x in (x0, x0 + w] and y in (y0, y0 + h] (left and top edges excluded).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.with_vertices(|v| contains(v, x, y))
    }

    /// Calls `span(y, x0, x1)` for each run of mask pixels x0..x1 on row y, clipped to the image.
    fn spans(&self, width: u32, height: u32, span: impl FnMut(u32, u32, u32)) {
        self.with_vertices(|v| spans(v, width, height, span));
    }

    /// The region as a mask: pixels whose centre is inside (as ImageJ's `PolygonRoi.getMask`).
    pub fn mask(&self, width: u32, height: u32) -> BitMask {
        let mut m = BitMask::new(width, height);
        self.spans(width, height, |y, x0, x1| {
            let row = m.row_mut(y);
            for x in x0..x1 {
                row[x as usize / 64] |= 1 << (x % 64);
            }
        });
        m
    }

    /// Number of pixels of [`Self::mask`], i.e. the area clipped to the image.
    pub fn area_px(&self, width: u32, height: u32) -> u64 {
        let mut n = 0u64;
        self.spans(width, height, |_, x0, x1| n += (x1 - x0) as u64);
        n
    }
}

/// Bounding box (x, y, w, h) of vertices; zeros when there are none.
fn bounds_of(v: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in v {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    (x0, y0, x1 - x0, y1 - y0)
}

/// Even-odd point-in-polygon test of ImageJ's `FloatPolygon.contains`.
fn contains(v: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut j = v.len().wrapping_sub(1);
    for (i, &(xi, yi)) in v.iter().enumerate() {
        let (xj, yj) = v[j];
        if (yi >= y) != (yj >= y) && x > crossing(xi, yi, xj, yj, y) {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The mask runs of a polygon, row by row (see [`Roi::mask`]).
fn spans(v: &[(f64, f64)], width: u32, height: u32, mut span: impl FnMut(u32, u32, u32)) {
    if v.len() < 3 || width == 0 || height == 0 {
        return;
    }
    let (_, by, _, bh) = bounds_of(v);
    // Rows whose centre can be inside: y + 0.5 in (by, by + bh].
    let y0 = px_after(by, height);
    let y1 = px_after(by + bh, height);
    let mut xs: Vec<f64> = Vec::with_capacity(v.len());
    for y in y0..y1 {
        let yc = y as f64 + 0.5;
        xs.clear();
        let mut j = v.len() - 1;
        for (i, &(xi, yi)) in v.iter().enumerate() {
            let (xj, yj) = v[j];
            if (yi >= yc) != (yj >= yc) {
                xs.push(crossing(xi, yi, xj, yj, yc));
            }
            j = i;
        }
        xs.sort_unstable_by(f64::total_cmp);
        // A centre xc is inside when an odd number of crossings lie left of it, i.e.
        // xs[2k] < xc <= xs[2k + 1].
        for pair in xs.chunks_exact(2) {
            let (a, b) = (px_after(pair[0], width), px_after(pair[1], width));
            if a < b {
                span(y, a, b);
            }
        }
    }
}

/// Where edge (xi, yi)–(xj, yj) crosses the horizontal line at y, in the operation order of
/// `FloatPolygon.contains` so that boundary cases round alike.
fn crossing(xi: f64, yi: f64, xj: f64, yj: f64, y: f64) -> f64 {
    (xj - xi) * (y - yi) / (yj - yi) + xi
}

/// Counts, per region, the objects whose centroid (ImageJ convention, as
/// [`crate::imaging::ObjectStats`]'s `x`, `y`) lies inside it by [`Roi::contains`]. Regions may
/// overlap; an object counts in each region holding it.
pub fn count_in_rois(
    rois: &[Roi],
    centroids: &[(f64, f64)],
    width: u32,
    height: u32,
) -> Vec<RoiCount> {
    rois.iter()
        .map(|r| {
            let area_px = r.area_px(width, height);
            let (bx, by, bw, bh) = r.bounds();
            let count = centroids
                .iter()
                .filter(|&&(x, y)| {
                    x >= bx && x <= bx + bw && y >= by && y <= by + bh && r.contains(x, y)
                })
                .count();
            RoiCount {
                name: r.name.clone(),
                area_px,
                count,
                density_per_mpx: if area_px == 0 {
                    0.0
                } else {
                    count as f64 * 1e6 / area_px as f64
                },
            }
        })
        .collect()
}

/// Percent-encodes all but URL-unreserved bytes, so names never contain `:`, `,` or `;`.
fn encode_name(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn decode_name(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad %-escape in name {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("name {s:?} is not UTF-8"))
}

/// The short text form of regions, for files and share links: `;`-separated
/// `r:NAME:x,y,w,h` or `p:NAME:x1,y1,x2,y2,…`, names percent-encoded, numbers as Rust writes
/// them (shortest form that reads back exactly). Empty for no regions.
pub fn to_text(rois: &[Roi]) -> String {
    let mut out = String::new();
    for (i, r) in rois.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let nums = match &r.shape {
            RoiShape::Rect { x, y, w, h } => {
                out.push_str("r:");
                vec![*x, *y, *w, *h]
            }
            RoiShape::Polygon(v) => {
                out.push_str("p:");
                v.iter().flat_map(|&(x, y)| [x, y]).collect()
            }
        };
        encode_name(&r.name, &mut out);
        out.push(':');
        for (k, n) in nums.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "{n}");
        }
    }
    out
}

/// Reads [`to_text`]'s form. Rejects (with the region's position and the reason) unknown kinds,
/// bad escapes, numbers that are not finite or beyond ±1e9, a negative rectangle size, and polygons with fewer than three
/// vertices or an odd number of coordinates. Spaces around parts are ignored.
pub fn from_text(text: &str) -> Result<Vec<Roi>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .enumerate()
        .map(|(i, part)| parse_one(part.trim()).map_err(|e| format!("region {}: {e}", i + 1)))
        .collect()
}

/// Coordinates beyond this are no image's, and would risk overflow in the edge arithmetic.
pub(crate) const MAX_COORD: f64 = 1e9;

fn parse_one(part: &str) -> Result<Roi, String> {
    let mut it = part.splitn(3, ':');
    let (Some(kind), Some(name), Some(nums)) = (it.next(), it.next(), it.next()) else {
        return Err(format!("expected KIND:NAME:NUMBERS, got {part:?}"));
    };
    let name = decode_name(name.trim())?;
    let nums = nums
        .split(',')
        .map(|n| match n.trim().parse::<f64>() {
            Ok(v) if v.abs() <= MAX_COORD => Ok(v),
            _ => Err(format!(
                "{:?} is not a number within ±{MAX_COORD:e}",
                n.trim()
            )),
        })
        .collect::<Result<Vec<f64>, String>>()?;
    match kind.trim() {
        "r" => match nums[..] {
            [x, y, w, h] if w >= 0.0 && h >= 0.0 => Ok(Roi::rect(&name, x, y, w, h)),
            [_, _, _, _] => Err("negative rectangle size".into()),
            _ => Err(format!("a rectangle needs 4 numbers, got {}", nums.len())),
        },
        "p" => {
            if nums.len() % 2 != 0 || nums.len() < 6 {
                return Err(format!(
                    "a polygon needs 3 or more x,y pairs, got {} numbers",
                    nums.len()
                ));
            }
            Ok(Roi::polygon(
                &name,
                nums.chunks_exact(2).map(|c| (c[0], c[1])).collect(),
            ))
        }
        k => Err(format!("unknown region kind {k:?} (expected r or p)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmask;

    #[test]
    fn rectangle_holds_its_right_and_bottom_edges() {
        let r = Roi::rect("a", 1.0, 1.0, 2.0, 1.0);
        assert_eq!(r.mask(4, 3), bitmask!["....", ".##.", "...."]);
        assert!(r.contains(1.01, 1.01) && r.contains(3.0, 2.0) && r.contains(3.0, 1.5));
        assert!(!r.contains(1.0, 1.5) && !r.contains(1.5, 1.0) && !r.contains(3.01, 1.5));
        // Half pixels: only centres count, those on the right and bottom edges included.
        let r = Roi::rect("b", 0.5, 0.5, 1.0, 1.0);
        assert_eq!(r.mask(3, 2), bitmask!["...", ".#."]);
        assert_eq!(Roi::rect("c", 0.6, 0.0, 0.8, 1.0).area_px(3, 1), 0);
    }

    #[test]
    fn triangle_mask_by_pixel_centres() {
        let t = Roi::polygon("t", vec![(0.0, 0.0), (4.0, 0.0), (0.0, 4.0)]);
        // Centres on the hypotenuse (a right-hand edge) are inside, as in ImageJ.
        assert_eq!(
            t.mask(5, 5),
            bitmask!["####.", "###..", "##...", "#....", "....."]
        );
        assert_eq!(t.area_px(5, 5), 10);
        assert!(t.contains(2.0, 2.0) && !t.contains(0.0, 2.0) && !t.contains(2.0, 0.0));
        assert_eq!(t.bounds(), (0.0, 0.0, 4.0, 4.0));
    }

    #[test]
    fn self_intersecting_polygon_uses_even_odd() {
        // Two overlapping squares drawn as one outline: the overlap is a hole.
        let bow = Roi::polygon(
            "h",
            vec![
                (0.0, 0.0),
                (3.0, 0.0),
                (3.0, 3.0),
                (1.0, 3.0),
                (1.0, 1.0),
                (4.0, 1.0),
                (4.0, 4.0),
                (0.0, 4.0),
            ],
        );
        assert!(!bow.contains(2.0, 2.0));
        assert!(bow.contains(0.5, 0.5) && bow.contains(3.5, 3.5));
    }

    #[test]
    fn clipped_to_the_image() {
        let r = Roi::rect("big", -10.0, -10.0, 1e300, 1e300);
        assert_eq!(r.area_px(3, 2), 6);
        let p = Roi::polygon("far", vec![(-1e9, 0.0), (1e9, 0.0), (0.0, 1e9)]);
        assert_eq!(p.area_px(4, 4), 16);
        assert_eq!(Roi::rect("out", 5.0, 5.0, 2.0, 2.0).area_px(4, 4), 0);
        assert_eq!(
            Roi::polygon("nan", vec![(f64::NAN, 0.0), (1.0, f64::NAN), (0.0, 1.0)]).area_px(4, 4),
            0
        );
        assert_eq!(
            Roi::polygon("line", vec![(0.0, 0.0), (3.0, 3.0)]).area_px(4, 4),
            0
        );
    }

    #[test]
    fn counts_centroids_inside() {
        let rois = [
            Roi::rect("left", 0.0, 0.0, 5.0, 10.0),
            Roi::polygon("tri", vec![(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]),
        ];
        // A one-pixel object at (4, 4) has centroid (4.5, 4.5): inside both; (5, 1) is on the
        // (included) right edge of "left".
        let c = [(4.5, 4.5), (5.0, 1.0), (9.5, 9.5), (0.5, 9.0)];
        let n = count_in_rois(&rois, &c, 10, 10);
        assert_eq!((n[0].count, n[0].area_px), (3, 50));
        assert_eq!(n[0].density_per_mpx, 3.0 * 1e6 / 50.0);
        assert_eq!(
            (n[1].name.as_str(), n[1].count, n[1].area_px),
            ("tri", 3, 55)
        );
        assert_eq!(
            count_in_rois(&[Roi::rect("e", 0.0, 0.0, 0.0, 0.0)], &c, 10, 10)[0].density_per_mpx,
            0.0
        );
    }

    #[test]
    fn text_form_round_trips() {
        let rois = vec![
            Roi::rect("CA1 region; left:side, 5%", 1.5, 2.0, 30.25, 4.0),
            Roi::polygon("Кора", vec![(0.1, 0.2), (10.0, -3.0), (1e-7, 123456.75)]),
        ];
        let t = to_text(&rois);
        assert_eq!(
            t,
            "r:CA1%20region%3B%20left%3Aside%2C%205%25:1.5,2,30.25,4;p:%D0%9A%D0%BE%D1%80%D0%B0:0.1,0.2,10,-3,0.0000001,123456.75"
        );
        assert_eq!(from_text(&t), Ok(rois));
        assert_eq!(from_text("  "), Ok(vec![]));
        assert_eq!(
            from_text(" r : a : 1, 2 ,3,4 "),
            Ok(vec![Roi::rect("a", 1.0, 2.0, 3.0, 4.0)])
        );
    }

    #[test]
    fn bad_text_says_why() {
        let cases = [
            ("r:a:1,2,3", "region 1: a rectangle needs 4 numbers, got 3"),
            (
                "r:a:1,2,3,4;r:b:1,2,-3,4",
                "region 2: negative rectangle size",
            ),
            (
                "p:a:0,0,1,1",
                "a polygon needs 3 or more x,y pairs, got 4 numbers",
            ),
            ("p:a:0,0,1,1,2", "got 5 numbers"),
            ("r:a:1,2,inf,4", "\"inf\" is not a number within ±1e9"),
            ("r:a:1,NaN,3,4", "\"NaN\" is not a number"),
            ("q:a:1,2,3,4", "unknown region kind \"q\""),
            ("r:a%4:1,2,3,4", "bad %-escape"),
            ("r:%FF:1,2,3,4", "not UTF-8"),
            ("r:a", "expected KIND:NAME:NUMBERS"),
            ("r:a:1,2,3e9,4", "\"3e9\" is not a number"),
            ("r:a:", "\"\" is not a number"),
            (";", "region 1: expected"),
        ];
        for (t, why) in cases {
            let e = from_text(t).unwrap_err();
            assert!(e.contains(why), "{t:?}: {e}");
        }
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn coord() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-4i32..16).prop_map(|v| v as f64),
            (-4i32..64).prop_map(|v| v as f64 / 4.0),
            -3.0f64..15.0
        ]
    }

    fn roi() -> impl Strategy<Value = Roi> {
        prop_oneof![
            (coord(), coord(), 0.0f64..14.0, 0.0f64..14.0)
                .prop_map(|(x, y, w, h)| Roi::rect("r", x, y, w, h)),
            proptest::collection::vec((coord(), coord()), 3..9).prop_map(|v| Roi::polygon("p", v)),
        ]
    }

    proptest! {
        #[test]
        fn mask_is_contains_at_pixel_centres(r in roi()) {
            let (w, h) = (12u32, 10u32);
            let m = r.mask(w, h);
            let mut n = 0;
            for y in 0..h {
                for x in 0..w {
                    let c = r.contains(x as f64 + 0.5, y as f64 + 0.5);
                    prop_assert_eq!(m.get(x, y), c, "pixel ({}, {})", x, y);
                    n += u64::from(c);
                }
            }
            prop_assert_eq!(r.area_px(w, h), n);
        }

        #[test]
        fn one_pixel_objects_count_where_the_mask_is(r in roi(), px in proptest::collection::vec((0u32..12, 0u32..10), 0..20)) {
            let m = r.mask(12, 10);
            let c: Vec<(f64, f64)> = px.iter().map(|&(x, y)| (x as f64 + 0.5, y as f64 + 0.5)).collect();
            let n = count_in_rois(std::slice::from_ref(&r), &c, 12, 10)[0].count;
            prop_assert_eq!(n, px.iter().filter(|&&(x, y)| m.get(x, y)).count());
        }

        #[test]
        fn text_round_trips(rois in proptest::collection::vec((roi(), "\\PC{0,8}"), 0..4)) {
            let rois: Vec<Roi> = rois.into_iter().map(|(mut r, n)| { r.name = n; r }).collect();
            prop_assert_eq!(from_text(&to_text(&rois)), Ok(rois));
        }

        #[test]
        fn garbage_text_never_panics(s in "[rp:;,%0-9a-fA-F.eE+\\- ]{0,60}|\\PC{0,60}") {
            if let Ok(rois) = from_text(&s) {
                for r in &rois {
                    let _ = r.area_px(8, 8);
                }
            }
        }
    }
}
