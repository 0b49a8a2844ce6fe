//! Shape descriptors of labelled objects, computed as ImageJ 1.53t's Analyze Particles does.
//!
//! Each object's outer boundary is traced along pixel edges as ImageJ's `Wand.autoOutline` traces
//! it (`traceEdge`: 8-connected for 8-connected particles, 4-connected for 4-connected ones), from
//! the same start vertex and in the same direction, because the perimeter depends on where the
//! walk starts. From that polygon and the object's pixels come, as in `ij.plugin.filter.Analyzer`:
//!
//! - Perim.: `PolygonRoi.getTracedPerimeter` (interior holes do not count);
//! - Circ. = 4π·area/perimeter², capped at 1, with area the pixel count (holes excluded, as with
//!   ImageJ's default "include holes" off);
//! - Major, Minor, Angle: `ij.process.EllipseFitter` on the object's pixels, AR = major/minor,
//!   Round = 4·area/(π·major²);
//! - Solidity = area / area of the convex hull of the outline (`Roi.getConvexHull`);
//! - Feret, MinFeret: `Roi.getFeretValues`, the largest and the smallest caliper width of the hull.
//!
//! Each object is traced on its own bounding-box crop, so the cost follows the object's size, not
//! the image's. `tests/shape_parity.rs` checks every value against ImageJ itself.

use crate::imaging::label::{Components, Connectivity, Run};

/// `EllipseFitter`'s √π, truncated as ImageJ writes it.
const SQRT_PI: f64 = 1.772453851;
/// `EllipseFitter.HALFPI`, truncated as ImageJ writes it.
// Not FRAC_PI_2: the truncated value decides ImageJ's angles to the last digits.
#[allow(clippy::approx_constant)]
const HALF_PI: f64 = 1.5707963267949;

/// Shape measurements of one object, named as in ImageJ's Results table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// "Perim.": length of the traced outer outline, corners cut (`PolygonRoi.getTracedPerimeter`).
    pub perimeter: f64,
    /// "Circ.": 4π·area/perimeter², at most 1.
    pub circularity: f64,
    /// "Major": major axis of the fitted ellipse of the same area.
    pub major: f64,
    /// "Minor": minor axis of the fitted ellipse.
    pub minor: f64,
    /// "Angle": angle of the major axis in degrees, 0..180, counterclockwise from the x axis as
    /// seen on screen (a "/" is 45°).
    pub angle: f64,
    /// "AR": major / minor.
    pub aspect_ratio: f64,
    /// "Round": 4·area/(π·major²).
    pub roundness: f64,
    /// "Solidity": area / area of the convex hull.
    pub solidity: f64,
    /// "Feret": the largest distance between two points of the outline.
    pub feret: f64,
    /// "MinFeret": the smallest caliper width.
    pub min_feret: f64,
}

/// Shape measurements of every object of `comps`; entry `l - 1` is object `l`.
///
/// `connectivity` must be the one `comps` was labelled with: it decides how the outline is traced.
/// With [`Connectivity::Four`] each object measures as ImageJ's `FOUR_CONNECTED` particle analysis
/// measures it alone; over a whole image ImageJ 1.53t differs where 4-connected objects touch
/// diagonally, since its hole-excluding flood fill is always 8-connected and swallows the
/// neighbour.
pub fn shapes(comps: &Components, connectivity: Connectivity) -> Vec<Shape> {
    let n = comps.count as usize;
    // Counting sort of the runs by label; stable, so each object's runs stay in raster order.
    let mut end = vec![0usize; n + 1];
    for &l in &comps.labels {
        end[l as usize] += 1;
    }
    for l in 1..=n {
        end[l] += end[l - 1];
    }
    let mut next = end.clone();
    let mut grouped = vec![Run { y: 0, x0: 0, x1: 0 }; comps.runs.len()];
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let slot = &mut next[l as usize - 1];
        grouped[*slot] = *run;
        *slot += 1;
    }
    let mut scratch = Scratch::default();
    (1..=n)
        .map(|l| measure(&grouped[end[l - 1]..end[l]], connectivity, &mut scratch))
        .collect()
}

/// Shape measurements of one object given by its runs in raster order (one label of a
/// [`Components`]).
///
/// # Panics
/// If `runs` is empty.
pub fn shape_of(runs: &[Run], connectivity: Connectivity) -> Shape {
    measure(runs, connectivity, &mut Scratch::default())
}

/// The outer outline of one object (its runs in raster order) as ImageJ's Wand traces it: the
/// vertices, in pixel-corner coordinates, of a polygon along pixel edges, starting where ImageJ
/// starts (the right end of the object's first run) and turning only at corners.
///
/// # Panics
/// If `runs` is empty.
pub fn outline(runs: &[Run], connectivity: Connectivity) -> Vec<(u32, u32)> {
    let mut s = Scratch::default();
    trace(runs, &Bbox::of(runs), connectivity, &mut s);
    s.poly
}

/// ImageJ's `PolygonRoi.getTracedPerimeter` of a traced outline: the length along pixel edges,
/// less 2 − √2 for each counted corner. A vertex counts unless the side before it is one pixel
/// long and the vertex before it counted, so a staircase of unit steps is measured as diagonals.
pub fn traced_perimeter(poly: &[(u32, u32)]) -> f64 {
    let n = poly.len();
    if n < 4 {
        return 0.0;
    }
    let step = |a: (u32, u32), b: (u32, u32)| {
        (
            (b.0 as i64 - a.0 as i64).abs(),
            (b.1 as i64 - a.1 as i64).abs(),
        )
    };
    let (mut dx1, mut dy1) = step(poly[n - 1], poly[0]);
    let (mut sum_dx, mut sum_dy, mut corners) = (0i64, 0i64, 0i64);
    let mut corner = false;
    for i in 0..n {
        let (dx2, dy2) = step(poly[i], poly[(i + 1) % n]);
        sum_dx += dx1;
        sum_dy += dy1;
        if dx1 + dy1 > 1 || !corner {
            corner = true;
            corners += 1;
        } else {
            corner = false;
        }
        (dx1, dy1) = (dx2, dy2);
    }
    sum_dx as f64 + sum_dy as f64 - corners as f64 * (2.0 - std::f64::consts::SQRT_2)
}

/// Buffers reused from one object to the next.
#[derive(Default)]
struct Scratch {
    /// The object on its bounding box with a one-pixel margin, one byte a pixel.
    crop: Vec<u8>,
    /// The traced outline.
    poly: Vec<(u32, u32)>,
    /// Pixel corners that may lie on the convex hull.
    corners: Vec<(i64, i64)>,
    /// The convex hull.
    hull: Vec<(i64, i64)>,
}

/// An object's bounding box and pixel count.
struct Bbox {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    area: u64,
}

impl Bbox {
    /// # Panics
    /// If `runs` is empty.
    fn of(runs: &[Run]) -> Bbox {
        assert!(!runs.is_empty(), "an object has at least one run");
        let (mut x0, mut x1, mut area) = (u32::MAX, 0, 0u64);
        for r in runs {
            x0 = x0.min(r.x0);
            x1 = x1.max(r.x1);
            area += (r.x1 - r.x0) as u64;
        }
        let (y0, y1) = (runs[0].y, runs[runs.len() - 1].y + 1);
        debug_assert!(
            runs.windows(2)
                .all(|p| (p[0].y, p[0].x0) < (p[1].y, p[1].x0))
        );
        Bbox {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
            area,
        }
    }
}

fn measure(runs: &[Run], connectivity: Connectivity, s: &mut Scratch) -> Shape {
    let bbox = Bbox::of(runs);
    let area = bbox.area as f64;
    trace(runs, &bbox, connectivity, s);
    let perimeter = traced_perimeter(&s.poly);
    // Analyzer.saveResults: 4π·(area/p²), capped.
    let circularity = if perimeter == 0.0 {
        0.0
    } else {
        (4.0 * std::f64::consts::PI * (area / (perimeter * perimeter))).min(1.0)
    };
    let (major, minor, angle) = fit_ellipse(runs, &bbox);
    convex_hull(runs, s);
    let hull_area = polygon_area(&s.hull);
    let (feret, min_feret) = ferets(&s.hull);
    Shape {
        perimeter,
        circularity,
        major,
        minor,
        angle,
        aspect_ratio: major / minor,
        roundness: 4.0 * area / (std::f64::consts::PI * major * major),
        solidity: area / hull_area,
        feret,
        min_feret,
    }
}

/// Traces the outer outline into `s.poly`: ImageJ's `Wand.traceEdge`, started as
/// `Wand.autoOutline` starts it from the particle analyser's seed, the object's first pixel.
///
/// Vertex (x, y) is the corner between pixels (x − 1, y − 1) and (x, y). Walking directions are
/// 0 = +x, 1 = −y, 2 = −x, 3 = +y, with the object on the right-hand side; the pixel "in
/// direction d" of a vertex is the one at d·90° − 45°.
fn trace(runs: &[Run], bbox: &Bbox, connectivity: Connectivity, s: &mut Scratch) {
    // Crop coordinates are image coordinates − bbox origin + 1, so every pixel a vertex looks at
    // lies in the crop.
    let cw = bbox.w as usize + 2;
    s.crop.clear();
    s.crop.resize(cw * (bbox.h as usize + 2), 0);
    for r in runs {
        let row = (r.y - bbox.y + 1) as usize * cw;
        let x0 = (r.x0 - bbox.x + 1) as usize;
        s.crop[row + x0..row + x0 + (r.x1 - r.x0) as usize].fill(1);
    }
    let crop = &s.crop;
    // Vertex (x, y) has index y·cw + x; the pixel in direction d is at that index + PIXEL[d], and
    // a step in direction d adds STEP[d].
    let cwi = cw as isize;
    let pixel = [0, -cwi, -cwi - 1, -1];
    let step = [1, -cwi, -1, cwi];
    let inside = |v: usize, d: i64| crop[v.wrapping_add_signed(pixel[(d & 3) as usize])] != 0;
    let four = connectivity == Connectivity::Four;
    // autoOutline walks right from the seed to the first outside pixel; the edge between them is
    // walked downwards (direction 3), starting at its lower vertex.
    let first = runs[0];
    let start = (first.y - bbox.y + 2) as usize * cw + (first.x1 - bbox.x + 1) as usize;
    let start_d = 3;
    let vertex = |v: usize| ((v % cw) as u32 + bbox.x - 1, (v / cw) as u32 + bbox.y - 1);
    s.poly.clear();
    let (mut v, mut d) = (start, start_d);
    loop {
        let mut nd;
        if four {
            // Turn right as much as possible.
            nd = d;
            while inside(v, nd) {
                nd += 1;
                if nd >= d + 2 {
                    break;
                }
            }
            nd -= 1;
        } else {
            // Turn left as much as possible.
            nd = d + 1;
            while !inside(v, nd) {
                nd -= 1;
                if nd < d {
                    break;
                }
            }
        }
        if nd != d {
            s.poly.push(vertex(v));
        }
        v = v.wrapping_add_signed(step[(nd & 3) as usize]);
        d = nd;
        if v == start && d & 3 == start_d {
            break;
        }
    }
    // As ImageJ: the start vertex is added at the end if it is a corner, judged by x alone.
    if s.poly.first().is_some_and(|p| p.0 != vertex(v).0) {
        s.poly.push(vertex(v));
    }
}

/// ImageJ's `EllipseFitter` (Bob Rodieck's best-fitting ellipse from second moments, scaled to the
/// object's area) on the object's pixels: (major, minor, angle in degrees).
///
/// The particle analyser gives the fitter no mask when the bounding box is one pixel wide or high;
/// the fitter then measures the box itself.
fn fit_ellipse(runs: &[Run], bbox: &Bbox) -> (f64, f64, f64) {
    if bbox.w <= 1 || bbox.h <= 1 {
        let (mut major, mut minor) = ((bbox.w * 2) as f64 / SQRT_PI, (bbox.h * 2) as f64 / SQRT_PI);
        let mut angle = 0.0;
        if major < minor {
            (major, minor) = (minor, major);
            angle = 90.0;
        }
        return (major, minor, angle);
    }
    // computeSums: sums of x, y, x², y², xy over the pixels, relative to the bounding box. They are
    // integers, exact in f64 as ImageJ's double sums are, so summing whole runs changes nothing.
    let (mut n, mut xsum, mut ysum, mut x2sum, mut y2sum, mut xysum) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    // Σ k² for k in 0..m.
    let squares_below = |m: u64| {
        if m == 0 {
            0
        } else {
            (m - 1) * m * (2 * m - 1) / 6
        }
    };
    for r in runs {
        let (a, b, y) = (
            (r.x0 - bbox.x) as u64,
            (r.x1 - bbox.x) as u64,
            (r.y - bbox.y) as u64,
        );
        let len = b - a;
        let sx = (a + b - 1) * len / 2;
        n += len;
        xsum += sx;
        ysum += y * len;
        x2sum += squares_below(b) - squares_below(a);
        y2sum += y * y * len;
        xysum += sx * y;
    }
    // getMoments.
    let count = n as f64;
    let x2sum = x2sum as f64 + 0.08333333 * count;
    let y2sum = y2sum as f64 + 0.08333333 * count;
    let (x1, y1) = (xsum as f64 / count, ysum as f64 / count);
    let (x2, y2, xy) = (x2sum / count, y2sum / count, xysum as f64 / count);
    let u20 = x2 - x1 * x1;
    let u02 = y2 - y1 * y1;
    let u11 = xy - x1 * y1;
    // getEllipseParam.
    let mut m4 = 4.0 * (u02 * u20 - u11 * u11).abs();
    if m4 < 0.000001 {
        m4 = 0.000001;
    }
    let mut a11 = u02 / m4;
    let a12 = u11 / m4;
    let mut a22 = u20 / m4;
    let mut tmp = a11 - a22;
    if tmp == 0.0 {
        tmp = 0.000001;
    }
    let mut theta = 0.5 * (2.0 * a12 / tmp).atan();
    if theta < 0.0 {
        theta += HALF_PI;
    }
    if a12 > 0.0 {
        theta += HALF_PI;
    } else if a12 == 0.0 {
        if a22 > a11 {
            theta = 0.0;
            (a11, a22) = (a22, a11);
        } else if a11 != a22 {
            theta = HALF_PI;
        }
    }
    let mut sin = theta.sin();
    if sin == 0.0 {
        sin = 0.000001;
    }
    let z = a12 * theta.cos() / sin;
    let mut major = (1.0 / (a22 + z).abs()).sqrt();
    let mut minor = (1.0 / (a11 - z).abs()).sqrt();
    let scale = (count / (std::f64::consts::PI * major * minor)).sqrt();
    major = major * scale * 2.0;
    minor = minor * scale * 2.0;
    let mut angle = 180.0 * theta / std::f64::consts::PI;
    if angle == 180.0 {
        angle = 0.0;
    }
    if major < minor {
        (major, minor) = (minor, major);
    }
    (major, minor, angle)
}

/// The convex hull of the object's pixel squares into `s.hull`, without repeated or collinear
/// points.
/// It equals the hull of the traced outline, whose vertices are pixel corners.
///
/// Andrew's monotone chain, on the points ordered by (y, x): on each line y of pixel corners only
/// the leftmost and the rightmost corner can be on the hull, and runs come in raster order, so the
/// points come sorted without a sort.
fn convex_hull(runs: &[Run], s: &mut Scratch) {
    s.corners.clear();
    // The row above the current one: (y, left, right).
    let mut above: Option<(u32, u32, u32)> = None;
    let mut i = 0;
    while i < runs.len() {
        let y = runs[i].y;
        let mut j = i;
        while j + 1 < runs.len() && runs[j + 1].y == y {
            j += 1;
        }
        let (mut l, mut r) = (runs[i].x0, runs[j].x1);
        match above {
            // Corner line y is the bottom of the row above and the top of this one.
            Some((ya, la, ra)) if ya + 1 == y => (l, r) = (l.min(la), r.max(ra)),
            Some((ya, la, ra)) => push_line(&mut s.corners, ya + 1, la, ra),
            None => {}
        }
        push_line(&mut s.corners, y, l, r);
        above = Some((y, runs[i].x0, runs[j].x1));
        i = j + 1;
    }
    if let Some((ya, la, ra)) = above {
        push_line(&mut s.corners, ya + 1, la, ra);
    }
    s.hull.clear();
    // One chain forward along the points, then one back; both keep only left turns.
    for &p in &s.corners {
        while s.hull.len() >= 2 && cross(s.hull[s.hull.len() - 2], s.hull[s.hull.len() - 1], p) <= 0
        {
            s.hull.pop();
        }
        s.hull.push(p);
    }
    let floor = s.hull.len() + 1;
    for &p in s.corners.iter().rev().skip(1) {
        while s.hull.len() >= floor
            && cross(s.hull[s.hull.len() - 2], s.hull[s.hull.len() - 1], p) <= 0
        {
            s.hull.pop();
        }
        s.hull.push(p);
    }
    // The second chain ends where the first started.
    s.hull.pop();
}

fn cross(o: (i64, i64), a: (i64, i64), b: (i64, i64)) -> i64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

/// Area of a polygon by the shoelace formula, as `Analyzer.getArea(Polygon)`.
fn polygon_area(poly: &[(i64, i64)]) -> f64 {
    let n = poly.len();
    let twice: i64 = (0..n)
        .map(|i| {
            let (p, q) = (poly[(i + n - 1) % n], poly[i]);
            (q.0 + p.0) * (q.1 - p.1)
        })
        .sum();
    (twice as f64 / 2.0).abs()
}

/// (Feret, MinFeret) of a convex hull without collinear points, as `Roi.getFeretValues`: the
/// largest distance between two vertices, and the smallest over hull sides of the largest distance
/// of a vertex from that side. The farthest vertex from each side is found by rotating calipers
/// (Shamos 1978), exactly, in integers.
fn ferets(hull: &[(i64, i64)]) -> (f64, f64) {
    let n = hull.len();
    let mut max2 = 0i64;
    for (i, p) in hull.iter().enumerate() {
        for q in &hull[i + 1..] {
            max2 = max2.max((p.0 - q.0).pow(2) + (p.1 - q.1).pow(2));
        }
    }
    let mut min_width = f64::MAX;
    let mut far = 0;
    for i in 0..n {
        let (p, q) = (hull[(i + n - 1) % n], hull[i]);
        let height = |v: (i64, i64)| cross(p, q, v).abs();
        while height(hull[(far + 1) % n]) > height(hull[far]) {
            far = (far + 1) % n;
        }
        // ImageJ's unit normal of the side and distance of the vertex along it.
        let (ex, ey) = ((q.0 - p.0) as f64, (q.1 - p.1) as f64);
        let f = 1.0 / (ex * ex + ey * ey).sqrt();
        let v = hull[far];
        let width = ((v.0 - q.0) as f64 * (ey * f) + (v.1 - q.1) as f64 * (-ex * f)).abs();
        min_width = min_width.min(width);
    }
    ((max2 as f64).sqrt(), min_width)
}

/// The leftmost and rightmost corner on corner line y of a row spanning `l..r`.
fn push_line(corners: &mut Vec<(i64, i64)>, y: u32, l: u32, r: u32) {
    corners.extend([(l as i64, y as i64), (r as i64, y as i64)]);
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::{
        bitmask,
        imaging::{BitMask, label::label},
    };
    use proptest::prelude::*;
    use std::f64::consts::{PI, SQRT_2};

    fn all(m: &BitMask, c: Connectivity) -> Vec<Shape> {
        shapes(&label(m, c), c)
    }

    /// The runs of object `l`, in raster order.
    fn runs_of(comps: &Components, l: u32) -> Vec<Run> {
        let pairs = comps.runs.iter().zip(&comps.labels);
        pairs.filter(|p| *p.1 == l).map(|p| *p.0).collect()
    }

    #[test]
    fn outline_starts_where_imagej_starts_and_keeps_only_corners() {
        let c = label(&bitmask!["#"], Connectivity::Eight);
        assert_eq!(
            outline(&c.runs, Connectivity::Eight),
            [(1, 1), (0, 1), (0, 0), (1, 0)]
        );
        // A ring: the hole is not traced.
        let c = label(
            &bitmask![".....", ".###.", ".#.#.", ".###."],
            Connectivity::Eight,
        );
        assert_eq!(
            outline(&c.runs, Connectivity::Eight),
            [(4, 4), (1, 4), (1, 1), (4, 1)]
        );
    }

    #[test]
    fn eight_connected_outline_passes_a_pinch_twice_and_four_connected_stops_there() {
        let m = bitmask!["##..", "##..", "..##", "..##"];
        let c = label(&m, Connectivity::Eight);
        assert_eq!(
            outline(&c.runs, Connectivity::Eight),
            [
                (2, 2),
                (4, 2),
                (4, 4),
                (2, 4),
                (2, 2),
                (0, 2),
                (0, 0),
                (2, 0)
            ]
        );
        let c = label(&m, Connectivity::Four);
        assert_eq!(
            outline(&runs_of(&c, 1), Connectivity::Four),
            [(2, 2), (0, 2), (0, 0), (2, 0)]
        );
    }

    #[test]
    fn traced_perimeter_cuts_corners_as_imagej() {
        // Long sides: every corner counts.
        let square = [(3, 3), (0, 3), (0, 0), (3, 0)];
        assert_eq!(traced_perimeter(&square), 12.0 - 4.0 * (2.0 - SQRT_2));
        // Unit sides: every other corner counts.
        let pixel = [(1, 1), (0, 1), (0, 0), (1, 0)];
        assert_eq!(traced_perimeter(&pixel), 4.0 - 2.0 * (2.0 - SQRT_2));
        assert_eq!(traced_perimeter(&pixel[..3]), 0.0);
    }

    /// Values printed by ImageJ 1.53t's Analyze Particles for the same masks.
    #[test]
    fn small_objects_measure_as_in_imagej() {
        let pixel = all(&bitmask!["#"], Connectivity::Eight)[0];
        assert_eq!(pixel.perimeter, 2.8284271247461903);
        assert_eq!(
            (pixel.circularity, pixel.aspect_ratio, pixel.solidity),
            (1.0, 1.0, 1.0)
        );
        assert_eq!(
            (pixel.major, pixel.minor, pixel.angle),
            (1.1283791670353622, 1.1283791670353622, 0.0)
        );
        assert_eq!(pixel.roundness, 1.0000000001066138);
        assert_eq!((pixel.feret, pixel.min_feret), (SQRT_2, 1.0));

        let pinch = bitmask!["##..", "##..", "..##", "..##"];
        let s = all(&pinch, Connectivity::Eight)[0];
        assert_eq!(s.perimeter, 11.313708498984761);
        assert_eq!(s.solidity, 8.0 / 12.0);
        assert!((s.major - 5.191274391609538).abs() < 1e-12);
        let four = all(&pinch, Connectivity::Four);
        assert_eq!(four.len(), 2);
        assert_eq!(four[1].perimeter, 5.656854249492381);
        assert!((four[1].major - 2.256758334191025).abs() < 1e-12);

        let zigzag = all(&bitmask!["#.#.#", ".#.#."], Connectivity::Eight)[0];
        assert_eq!(zigzag.perimeter, 14.142135623730951);
        assert_eq!(zigzag.solidity, 5.0 / 9.0);
        assert!((zigzag.major - 4.019917434899796).abs() < 1e-12);
    }

    #[test]
    fn a_square_is_a_circle_of_the_same_area_to_the_ellipse_fitter() {
        let s = all(&bitmask!["###", "###", "###"], Connectivity::Eight)[0];
        let d = 2.0 * (9.0 / PI).sqrt();
        assert!((s.major - d).abs() < 1e-12 && (s.minor - d).abs() < 1e-12);
        assert_eq!((s.angle, s.solidity), (0.0, 1.0));
        let p = 12.0 - 4.0 * (2.0 - SQRT_2);
        assert_eq!(s.perimeter, p);
        // 4π·9/p² is 1.21: capped.
        assert!(4.0 * PI * (9.0 / (p * p)) > 1.2);
        assert_eq!(s.circularity, 1.0);
        assert_eq!((s.feret, s.min_feret), (18f64.sqrt(), 3.0));
    }

    #[test]
    fn one_pixel_thin_objects_fit_their_box() {
        let s = all(&bitmask!["#####"], Connectivity::Eight);
        assert_eq!(
            (s[0].major, s[0].minor, s[0].angle),
            (10.0 / SQRT_PI, 2.0 / SQRT_PI, 0.0)
        );
        assert_eq!(s[0].aspect_ratio, 5.0);
        let s = all(&bitmask!["#", "#", "#"], Connectivity::Eight);
        assert_eq!(
            (s[0].major, s[0].minor, s[0].angle),
            (6.0 / SQRT_PI, 2.0 / SQRT_PI, 90.0)
        );
    }

    #[test]
    fn holes_lower_the_area_but_not_the_outline() {
        let ring = all(
            &bitmask!["#####", "#...#", "#.#.#", "#...#", "#####"],
            Connectivity::Eight,
        );
        assert_eq!(ring.len(), 2);
        let solid = all(
            &bitmask!["#####", "#####", "#####", "#####", "#####"],
            Connectivity::Eight,
        )[0];
        assert_eq!(ring[0].perimeter, solid.perimeter);
        assert_eq!(ring[0].solidity, 16.0 / 25.0);
        assert_eq!(ring[1].solidity, 1.0);
    }

    #[test]
    fn shapes_agree_with_shape_of_each_object() {
        let m = bitmask!["#.##.#", "..#..#", "##..##", "#..#.."];
        for c in [Connectivity::Four, Connectivity::Eight] {
            let comps = label(&m, c);
            let all = shapes(&comps, c);
            assert_eq!(all.len(), comps.count as usize);
            for (i, s) in all.iter().enumerate() {
                assert_eq!(*s, shape_of(&runs_of(&comps, i as u32 + 1), c));
            }
        }
        assert!(
            shapes(
                &label(&BitMask::new(3, 3), Connectivity::Eight),
                Connectivity::Eight
            )
            .is_empty()
        );
    }

    /// Pixels enclosed by the object's outer boundary: the object and its holes. The background
    /// reachable from outside the box is connected the other way than the object.
    fn filled_area(runs: &[Run], c: Connectivity) -> u64 {
        let b = Bbox::of(runs);
        let (w, h) = (b.w as i64 + 2, b.h as i64 + 2);
        let mut on = vec![false; (w * h) as usize];
        for r in runs {
            for x in r.x0..r.x1 {
                on[((r.y - b.y + 1) as i64 * w + (x - b.x + 1) as i64) as usize] = true;
            }
        }
        let mut outside = vec![false; on.len()];
        let mut stack = vec![(0i64, 0i64)];
        outside[0] = true;
        while let Some((x, y)) = stack.pop() {
            for dy in -1..=1i64 {
                for dx in -1..=1i64 {
                    let diagonal = dx != 0 && dy != 0;
                    // Background is 8-connected around 4-connected objects.
                    if diagonal && c == Connectivity::Eight {
                        continue;
                    }
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= w || ny >= h {
                        continue;
                    }
                    let i = (ny * w + nx) as usize;
                    if !on[i] && !outside[i] {
                        outside[i] = true;
                        stack.push((nx, ny));
                    }
                }
            }
        }
        outside.iter().filter(|o| !**o).count() as u64
    }

    /// Twice the signed area of a polygon.
    fn twice_area(poly: &[(i64, i64)]) -> i64 {
        let n = poly.len();
        (0..n)
            .map(|i| {
                let (p, q) = (poly[i], poly[(i + 1) % n]);
                p.0 * q.1 - q.0 * p.1
            })
            .sum()
    }

    /// The convex hull area by brute force: a pair of corners is a hull side when no corner lies
    /// strictly to its right and none beyond its ends on the line; the hull area is the sum of
    /// the triangles from the first hull corner.
    fn naive_hull_area(runs: &[Run]) -> f64 {
        let mut pts = Vec::new();
        for r in runs {
            for x in r.x0..=r.x1 {
                for y in r.y..=r.y + 1 {
                    pts.push((x as i64, y as i64));
                }
            }
        }
        pts.sort_unstable();
        pts.dedup();
        let cross = |o: (i64, i64), a: (i64, i64), b: (i64, i64)| {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        };
        let mut sides = Vec::new();
        for &p in &pts {
            for &q in &pts {
                if p != q
                    && pts.iter().all(|&r| {
                        let c = cross(p, q, r);
                        c > 0
                            || (c == 0
                                && (r.0 - p.0) * (q.0 - p.0) + (r.1 - p.1) * (q.1 - p.1) >= 0
                                && (r.0 - q.0) * (p.0 - q.0) + (r.1 - q.1) * (p.1 - q.1) >= 0)
                    })
                {
                    sides.push((p, q));
                }
            }
        }
        let Some(&(o, _)) = sides.first() else {
            return 0.0;
        };
        sides
            .iter()
            .map(|&(p, q)| cross(o, p, q))
            .sum::<i64>()
            .abs() as f64
            / 2.0
    }

    /// (Feret, MinFeret) by brute force over all pixel corners: the largest distance between two,
    /// and the smallest width across a direction through two of them.
    fn naive_ferets(runs: &[Run]) -> (f64, f64) {
        let mut pts = Vec::new();
        for r in runs {
            for x in r.x0..=r.x1 {
                pts.extend([(x as f64, r.y as f64), (x as f64, r.y as f64 + 1.0)]);
            }
        }
        let (mut max, mut min) = (0f64, f64::MAX);
        for &p in &pts {
            for &q in &pts {
                let (ex, ey) = (q.0 - p.0, q.1 - p.1);
                let len = ex.hypot(ey);
                if len == 0.0 {
                    continue;
                }
                max = max.max(len);
                let proj = pts
                    .iter()
                    .map(|v| ((v.0 - p.0) * ey - (v.1 - p.1) * ex) / len);
                let (lo, hi) =
                    proj.fold((f64::MAX, f64::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
                min = min.min(hi - lo);
            }
        }
        (max, min)
    }

    fn random_object(w: u32, h: u32, seed: u64, four: bool) -> (Vec<Run>, Connectivity) {
        let bits = crate::util::testing::random_bits(w * h, seed, |s| s % 8 < 5);
        let c = if four {
            Connectivity::Four
        } else {
            Connectivity::Eight
        };
        let comps = label(&BitMask::from_bools(w, h, &bits), c);
        // The largest object.
        let l = (1..=comps.count)
            .max_by_key(|&l| runs_of(&comps, l).iter().map(|r| r.x1 - r.x0).sum::<u32>())
            .unwrap_or(1);
        (runs_of(&comps, l), c)
    }

    /// The draw that once failed `ellipse_has_the_object_area_and_its_moment_ratio`: it has no
    /// pixel, so every property test over `random_object` must `prop_assume!` an object first.
    #[test]
    fn random_object_can_draw_no_object() {
        let (runs, _) = random_object(2, 2, 3245425098215522340, false);
        assert!(runs.is_empty());
    }

    /// The other draw that failed it: ImageJ's fitter turns its angle by its truncated π/2 twice,
    /// lands within rounding of π, and divides by that angle's sine (about 4e-16): its major and
    /// minor axes then follow the rounding, not the moments (AR 4.35 where the moments give 3.82),
    /// and its angle is 180.0000000000004, just past the `angle == 180` it folds to 0. The fitter
    /// is ImageJ's, kept as ImageJ has it; the property test leaves such draws out.
    #[test]
    fn imagejs_fitter_degenerates_when_its_angle_rounds_to_pi() {
        let (runs, c) = random_object(11, 2, 13113188149273542154, false);
        let s = shape_of(&runs, c);
        assert!(s.angle > 180.0 && s.angle < 180.0 + 1e-9, "{}", s.angle);
        assert!((s.aspect_ratio - 4.349863281995997).abs() < 1e-9);
        assert!((PI * s.major * s.minor / 4.0 - 10.0).abs() < 1e-9);
    }

    /// A third draw that failed it (once in about 100,000): its second moments along x and y
    /// are equal, so ImageJ's fitter stands 0.000001 in for a11 − a22 = 0, tilts the axes to
    /// 45.008° and gives an aspect ratio 1e-5 off the moments' own (1.0386584 against
    /// 1.0386699). ImageJ 1.53t's Analyze Particles gives this object the same angle and AR to
    /// the last digit (checked headless through `ij.jar`). Kept as ImageJ has it; the property
    /// test leaves such draws out.
    #[test]
    fn imagejs_fitter_tilts_equal_moments_off_45_degrees() {
        let (runs, c) = random_object(9, 9, 3887381257529301244, false);
        let s = shape_of(&runs, c);
        assert!((s.angle - 45.00836346296746).abs() < 1e-9, "{}", s.angle);
        assert!(
            (s.aspect_ratio - 1.038658417736696).abs() < 1e-12,
            "{}",
            s.aspect_ratio
        );
        assert!((PI * s.major * s.minor / 4.0 - 44.0).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn outline_is_a_closed_edge_path_around_the_object_and_its_holes(
            w in 1u32..24, h in 1u32..24, seed in any::<u64>(), four in any::<bool>()
        ) {
            let (runs, c) = random_object(w, h, seed, four);
            prop_assume!(!runs.is_empty());
            let poly: Vec<(i64, i64)> =
                outline(&runs, c).iter().map(|&(x, y)| (x as i64, y as i64)).collect();
            let n = poly.len();
            prop_assert!(n >= 4 && n.is_multiple_of(2));
            for i in 0..n {
                let (p, q, r) = (poly[i], poly[(i + 1) % n], poly[(i + 2) % n]);
                // Sides along pixel edges, alternating horizontal and vertical.
                prop_assert!((p.0 == q.0) != (p.1 == q.1));
                prop_assert!((p.0 == q.0) == (q.1 == r.1));
            }
            // Clockwise on screen (object on the right), enclosing the object and its holes.
            prop_assert_eq!(twice_area(&poly), 2 * filled_area(&runs, c) as i64);
        }

        #[test]
        fn hull_matches_brute_force_and_bounds_the_object(
            w in 1u32..14, h in 1u32..14, seed in any::<u64>(), four in any::<bool>()
        ) {
            let (runs, c) = random_object(w, h, seed, four);
            prop_assume!(!runs.is_empty());
            let s = shape_of(&runs, c);
            let area: u32 = runs.iter().map(|r| r.x1 - r.x0).sum();
            prop_assert_eq!(s.solidity, area as f64 / naive_hull_area(&runs));
            let (feret, min_feret) = naive_ferets(&runs);
            prop_assert!((s.feret - feret).abs() < 1e-12, "{} vs {}", s.feret, feret);
            prop_assert!((s.min_feret - min_feret).abs() < 1e-9, "{} vs {}", s.min_feret, min_feret);
            prop_assert!(s.solidity > 0.0 && s.solidity <= 1.0);
            let b = Bbox::of(&runs);
            prop_assert!(s.min_feret <= s.feret);
            prop_assert!(s.min_feret >= 1.0 && s.min_feret <= b.w.min(b.h) as f64 + 1e-12);
            prop_assert!(s.feret <= ((b.w * b.w + b.h * b.h) as f64).sqrt());
            prop_assert!(s.feret >= b.w.max(b.h) as f64);
        }

        #[test]
        fn ellipse_has_the_object_area_and_its_moment_ratio(
            w in 2u32..30, h in 2u32..30, seed in any::<u64>(), four in any::<bool>()
        ) {
            let (runs, c) = random_object(w, h, seed, four);
            // The generator can draw no pixel at all (then there is no object to measure).
            prop_assume!(!runs.is_empty());
            let b = Bbox::of(&runs);
            prop_assume!(b.w > 1 && b.h > 1);
            let s = shape_of(&runs, c);
            // ImageJ's fitter degenerates when its angle rounds to π (see
            // imagejs_fitter_degenerates_when_its_angle_rounds_to_pi); the area still holds.
            let n = runs.iter().map(|r| (r.x1 - r.x0) as f64).sum::<f64>();
            prop_assert!((PI * s.major * s.minor / 4.0 - n).abs() < 1e-9 * n);
            prop_assume!((s.angle - 180.0).abs() > 1e-9);
            // Central second moments pixel by pixel, each pixel a uniform unit square.
            let mut px = Vec::new();
            for r in &runs {
                for x in r.x0..r.x1 {
                    px.push((x as f64, r.y as f64));
                }
            }
            let n = px.len() as f64;
            let (mx, my) = (px.iter().map(|p| p.0).sum::<f64>() / n, px.iter().map(|p| p.1).sum::<f64>() / n);
            let cov = |f: &dyn Fn(&(f64, f64)) -> f64| px.iter().map(f).sum::<f64>() / n;
            let u20 = cov(&|p| (p.0 - mx).powi(2)) + 0.08333333;
            let u02 = cov(&|p| (p.1 - my).powi(2)) + 0.08333333;
            let u11 = cov(&|p| (p.0 - mx) * (p.1 - my));
            let (tr, det) = (u20 + u02, u20 * u02 - u11 * u11);
            let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
            let ratio = ((tr / 2.0 + disc) / (tr / 2.0 - disc)).sqrt();
            // 1e-5: the reference uses ImageJ's truncated 1/12 (0.08333333), and the square root of
            // a near-zero discriminant magnifies rounding for nearly round objects.
            // Equal second moments along x and y make ImageJ's fitter divide by its stand-in
            // 0.000001 for a11 − a22 = 0, which tilts the axes off 45° (45.008° for a 44-pixel
            // object) and moves the ratio by about 1e-5: no longer the moments' own ratio. Unequal
            // moments of objects this small differ by far more than 1e-9 of their sum.
            prop_assume!((u20 - u02).abs() > 1e-9 * (u20 + u02));
            prop_assert!((s.aspect_ratio - ratio).abs() < 1e-5 * ratio, "{} vs {}", s.aspect_ratio, ratio);
            prop_assert!((PI * s.major * s.minor / 4.0 - n).abs() < 1e-9 * n);
            prop_assert!((0.0..180.0).contains(&s.angle));
            prop_assert!(s.circularity > 0.0 && s.circularity <= 1.0);
        }
    }
}
