//! ImageJ's region files: one region as a binary `.roi` file and a RoiSet `.zip` of them (as
//! Fiji's ROI Manager saves), read and written, so regions move between Fiji and Fluocount.
//!
//! The format is that of ImageJ's `ij/io/RoiDecoder.java` and `RoiEncoder.java` (1.53t, file
//! version 228): a 64-byte big-endian header (`Iout`, version, type byte at 6, bounds top, left,
//! bottom, right as 16-bit numbers, the vertex count at 16, options at 50, the offset of a second
//! header at 60), then the vertices as 16-bit offsets from the bounds' corner (all x, then all y)
//! and, with the `SUB_PIXEL_RESOLUTION` option, again as 32-bit floats in image coordinates; the
//! second header (64 bytes) points to the name, stored as UTF-16 code units.
//!
//! Read: rectangles (rounded corners are read as the plain rectangle; a sub-pixel rectangle as
//! the pixel rectangle ImageJ measures it by, its `getBounds()`), polygons, freehand and traced
//! outlines (as polygons), and ovals as the pixel-corner outline of ImageJ's oval mask (a pixel
//! is inside when its centre is in the ellipse: ImageJ's mask for whole-pixel ovals, checked by
//! `tests/roi_files.rs`; a sub-pixel oval is approximated by the same rule). Lines, points, angles, text, image and composite (shape) regions and
//! spline-fitted polygons are refused with the region's name and type. Written: rectangles as
//! type rect and polygons as type polygon, with integer coordinates when every number is an
//! integer within the 16-bit range, otherwise as floats (ImageJ's `FloatPolygon` keeps 32-bit
//! floats, so a coordinate is kept exactly when it is an `f32`). ImageJ measures a rectangle with
//! fractional edges by its pixel bounds, as it is read back here.
//!
//! Every size read is checked against the data before use, so a damaged or hostile file gives an
//! `Err` naming the entry and the reason, never a panic, in time linear in its length (an oval's
//! outline is capped at 65536 pixels a side).

use crate::{
    count::roi::{MAX_COORD, Roi, RoiShape},
    util::zip,
};

/// The file version written, ImageJ 1.53t's `RoiEncoder.VERSION`.
pub const VERSION: u16 = 228;
const HEADER: usize = 64;
const HEADER2: usize = 64;
/// `RoiDecoder.SUB_PIXEL_RESOLUTION`: float coordinates follow the integer ones.
const SUB_PIXEL: u16 = 128;
const SPLINE_FIT: u16 = 1;
/// The largest vertex count ImageJ reads back (its 16-bit reader takes -5000..=-1 as negative).
const MAX_VERTICES: usize = 60_535;
/// The range of a 16-bit number that ImageJ's `RoiDecoder.getShort` reads back as written.
const SHORT_RANGE: std::ops::RangeInclusive<f64> = -5000.0..=60_535.0;
/// The largest oval side, in pixels, read as an outline.
const MAX_OVAL_SIDE: f64 = 65_536.0;

/// ImageJ's ROI types (`RoiDecoder`'s type byte).
fn type_name(t: u8) -> &'static str {
    match t {
        0 => "polygon",
        1 => "rectangle",
        2 => "oval",
        3 => "straight line",
        4 => "freehand line",
        5 => "segmented line",
        6 => "no ROI",
        7 => "freehand",
        8 => "traced",
        9 => "angle",
        10 => "point",
        _ => "unknown",
    }
}

/// Big-endian reads within the data, `None` past its end.
struct Data<'a>(&'a [u8]);

impl Data<'_> {
    fn bytes(&self, at: usize, n: usize) -> Option<&[u8]> {
        self.0.get(at..at.checked_add(n)?)
    }
    fn u16(&self, at: usize) -> Option<u16> {
        Some(u16::from_be_bytes(self.bytes(at, 2)?.try_into().ok()?))
    }
    /// `RoiDecoder.getShort`: signed, except that values below -5000 are taken as unsigned.
    fn short(&self, at: usize) -> Option<i32> {
        let u = self.u16(at)?;
        let s = u as i16 as i32;
        Some(if s < -5000 { u as i32 } else { s })
    }
    fn int(&self, at: usize) -> Option<i32> {
        Some(i32::from_be_bytes(self.bytes(at, 4)?.try_into().ok()?))
    }
    fn float(&self, at: usize) -> Option<f32> {
        Some(f32::from_bits(self.int(at)? as u32))
    }
}

/// Where a problem lies, for messages: the ROI's name once known.
fn in_roi(name: &str, why: impl std::fmt::Display) -> String {
    format!("ROI {name:?}: {why}")
}

/// A float coordinate or size, refused when not finite or beyond ±1e9 (as the region text).
fn coord(v: f32, name: &str, what: &str) -> Result<f64, String> {
    let v = v as f64;
    if v.is_finite() && v.abs() <= MAX_COORD {
        Ok(v)
    } else {
        Err(in_roi(
            name,
            format!("{what} {v} is not a number within ±{MAX_COORD:e}"),
        ))
    }
}

/// The name in the second header, or `fallback` (the file or entry name without `.roi`) when
/// there is none, as `RoiDecoder.getRoiName`; a second header or name past the end is an error.
fn roi_name(d: &Data, fallback: &str) -> Result<String, String> {
    let cut = |what: &str| in_roi(fallback, format!("{what} runs past the end of the file"));
    let h2 = d.int(60).ok_or_else(|| cut("the header"))?;
    if h2 == 0 {
        return Ok(fallback.to_string());
    }
    let h2 = usize::try_from(h2).map_err(|_| in_roi(fallback, "negative second-header offset"))?;
    if h2 < HEADER || d.bytes(h2, HEADER2).is_none() {
        return Err(cut("the second header"));
    }
    let offset = d.int(h2 + 16).ok_or_else(|| cut("the second header"))?;
    let length = d.int(h2 + 20).ok_or_else(|| cut("the second header"))?;
    if offset == 0 || length == 0 {
        return Ok(fallback.to_string());
    }
    let (Ok(offset), Ok(length)) = (usize::try_from(offset), usize::try_from(length)) else {
        return Err(in_roi(fallback, "negative name offset or length"));
    };
    let units = length
        .checked_mul(2)
        .and_then(|n| d.bytes(offset, n))
        .ok_or_else(|| cut("the name"))?;
    let utf16: Vec<u16> = units
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    Ok(String::from_utf16_lossy(&utf16))
}

/// Reads one `.roi` file; `file_name` (without `.roi`) names the region when the file does not.
pub fn read_roi(bytes: &[u8], file_name: &str) -> Result<Roi, String> {
    let fallback = file_name.strip_suffix(".roi").unwrap_or(file_name);
    let d = Data(bytes);
    if bytes.len() < HEADER {
        return Err(in_roi(
            fallback,
            format!(
                "{} bytes, too short for an ImageJ ROI (the header is {HEADER})",
                bytes.len()
            ),
        ));
    }
    if &bytes[..4] != b"Iout" {
        return Err(in_roi(
            fallback,
            "not an ImageJ ROI (it does not begin with \"Iout\")",
        ));
    }
    let name = roi_name(&d, fallback)?;
    let short = |at| d.short(at).unwrap_or(0);
    let version = short(4);
    let kind = bytes[6];
    let (top, left, bottom, right) = (short(8), short(10), short(12), short(14));
    let n = short(16);
    let options = d.u16(50).unwrap_or(0);
    let subtype = short(48);
    let sub_pixel = options & SUB_PIXEL != 0 && version >= 222;
    let refuse = |what: String| {
        Err(in_roi(
            &name,
            format!(
                "{what} is not an area; only rectangles, polygons, freehand, traced and ovals are read"
            ),
        ))
    };
    if d.int(36).unwrap_or(0) > 0 {
        return refuse("a composite (shape) ROI".into());
    }
    match subtype {
        1 => return refuse("a text ROI".into()),
        4 => return refuse("an image ROI".into()),
        _ => {}
    }
    let shape = match kind {
        1 | 2 => {
            let sub_pixel_rect = version >= 223 && sub_pixel;
            let (x, y, w, h) = if sub_pixel_rect {
                let f = |at, what| coord(d.float(at).unwrap_or(0.0), &name, what);
                (f(18, "x")?, f(22, "y")?, f(26, "width")?, f(30, "height")?)
            } else {
                let (w, h) = (right - left, bottom - top);
                (left as f64, top as f64, w as f64, h as f64)
            };
            // As ImageJ's `Roi` constructors: at least one pixel a side; a sub-pixel rectangle
            // is measured by its pixel bounds ((int) x, (int) y, ceil w, ceil h), so it is read
            // as those (an oval keeps its floats: its outline is computed below).
            let (x, y, w, h) = if sub_pixel_rect && kind == 1 {
                (x.trunc(), y.trunc(), w.ceil(), h.ceil())
            } else {
                (x, y, w, h)
            };
            let (w, h) = (w.max(1.0), h.max(1.0));
            if kind == 1 {
                RoiShape::Rect { x, y, w, h }
            } else {
                RoiShape::Polygon(oval_outline(x, y, w, h).map_err(|e| in_roi(&name, e))?)
            }
        }
        0 | 7 | 8 => {
            if options & SPLINE_FIT != 0 {
                return Err(in_roi(
                    &name,
                    "a spline-fitted polygon is not read (its outline is the spline)",
                ));
            }
            // n comes from 16 bits, so every product below is small.
            let n = usize::try_from(n).unwrap_or(0);
            if n < 3 {
                return Err(in_roi(
                    &name,
                    format!("a polygon needs 3 or more vertices, the file has {n}"),
                ));
            }
            let need = HEADER + n * if sub_pixel { 12 } else { 4 };
            if bytes.len() < need {
                return Err(in_roi(
                    &name,
                    format!(
                        "{n} vertices need {need} bytes, the file has {}",
                        bytes.len()
                    ),
                ));
            }
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                let p = if sub_pixel {
                    let x = coord(d.float(HEADER + 4 * n + 4 * i).unwrap_or(0.0), &name, "x")?;
                    let y = coord(d.float(HEADER + 8 * n + 4 * i).unwrap_or(0.0), &name, "y")?;
                    (x, y)
                } else {
                    // As RoiDecoder: offsets below 0 are taken as 0.
                    let x = short(HEADER + 2 * i).max(0);
                    let y = short(HEADER + 2 * n + 2 * i).max(0);
                    ((left + x) as f64, (top + y) as f64)
                };
                v.push(p);
            }
            RoiShape::Polygon(v)
        }
        t => {
            return refuse(format!("a {} ROI (type {t})", type_name(t)));
        }
    };
    Ok(Roi { name, shape })
}

/// The outline, through pixel corners, of the pixels whose centre lies in the ellipse inscribed
/// in (x, y, w, h): ImageJ's `OvalRoi` mask and its `getPolygon`.
fn oval_outline(x: f64, y: f64, w: f64, h: f64) -> Result<Vec<(f64, f64)>, String> {
    if w > MAX_OVAL_SIDE || h > MAX_OVAL_SIDE {
        return Err(format!(
            "an oval of {w} x {h} is larger than {MAX_OVAL_SIDE} pixels a side"
        ));
    }
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let (a2, b2) = (w * w / 4.0, h * h / 4.0);
    let inside = |px: i64, py: i64| {
        let dx = px as f64 + 0.5 - cx;
        let dy = py as f64 + 0.5 - cy;
        dx * dx / a2 + dy * dy / b2 <= 1.0
    };
    // Rows and columns whose centres can be inside.
    let (x0, x1) = (x.floor() as i64, (x + w).ceil() as i64);
    let (y0, y1) = (y.floor() as i64, (y + h).ceil() as i64);
    let mid = ((cx - 0.5).round() as i64).clamp(x0, (x1 - 1).max(x0));
    let mut runs = Vec::new();
    for py in y0..y1 {
        // The run holds the centre column when it holds anything (an ellipse is convex and
        // symmetric); its ends are found from the square-root estimate, then settled exactly.
        let c = [mid - 1, mid, mid + 1]
            .into_iter()
            .find(|&px| px >= x0 && px < x1 && inside(px, py));
        let Some(c) = c else { continue };
        let dy = py as f64 + 0.5 - cy;
        let half = (a2 * (1.0 - dy * dy / b2)).max(0.0).sqrt();
        let mut l = ((cx - half - 0.5).ceil() as i64).clamp(x0, c);
        while l > x0 && inside(l - 1, py) {
            l -= 1;
        }
        while l < c && !inside(l, py) {
            l += 1;
        }
        let mut r = ((cx + half - 0.5).floor() as i64).clamp(c, x1 - 1);
        while r < x1 - 1 && inside(r + 1, py) {
            r += 1;
        }
        while r > c && !inside(r, py) {
            r -= 1;
        }
        runs.push((py, l, r + 1));
    }
    if runs.is_empty() {
        return Err(format!("the oval {x} {y} {w} x {h} holds no pixel centre"));
    }
    // Down the right ends, then up the left ends.
    let mut v: Vec<(i64, i64)> = Vec::with_capacity(runs.len() * 4);
    for &(py, _, r) in &runs {
        v.extend([(r, py), (r, py + 1)]);
    }
    for &(py, l, _) in runs.iter().rev() {
        v.extend([(l, py + 1), (l, py)]);
    }
    Ok(simplify(&v)
        .into_iter()
        .map(|(x, y)| (x as f64, y as f64))
        .collect())
}

/// Whether b lies on a horizontal or vertical line through a and c (staircase vertices only).
fn straight(a: (i64, i64), b: (i64, i64), c: (i64, i64)) -> bool {
    (a.0 == b.0 && b.0 == c.0) || (a.1 == b.1 && b.1 == c.1)
}

/// Drops repeated vertices and those in the middle of a straight horizontal or vertical run.
fn simplify(v: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for &p in v {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..]
            && straight(a, b, p)
        {
            out.pop();
        }
        out.push(p);
    }
    // The closing joins: the last vertex to the first, the first between the last and second.
    while out.len() > 3 && out.last() == out.first() {
        out.pop();
    }
    for _ in 0..2 {
        if out.len() > 3 && straight(out[out.len() - 1], out[0], out[1]) {
            out.remove(0);
        }
        if out.len() > 3 && straight(out[out.len() - 2], out[out.len() - 1], out[0]) {
            out.pop();
        }
    }
    out
}

fn put16(out: &mut [u8], at: usize, v: i32) {
    out[at..at + 2].copy_from_slice(&(v as u16).to_be_bytes());
}

fn put32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// Whether every number is an integer that ImageJ reads back from 16 bits.
fn fits_short(nums: impl IntoIterator<Item = f64>) -> bool {
    nums.into_iter()
        .all(|v| v.fract() == 0.0 && SHORT_RANGE.contains(&v))
}

/// A 16-bit bound: the number itself, held in the range ImageJ reads.
fn short_of(v: f64) -> i32 {
    v.clamp(*SHORT_RANGE.start(), *SHORT_RANGE.end()) as i32
}

/// Writes one region as an ImageJ `.roi` file (see the module's notes); refuses, naming the
/// region, non-finite or out-of-range (±1e9) numbers, an empty rectangle, and polygons of fewer
/// than 3 or more than 60535 vertices.
pub fn write_roi(roi: &Roi) -> Result<Vec<u8>, String> {
    let name = &roi.name;
    let bad = |why: String| Err(in_roi(name, why));
    let all: Vec<f64> = match &roi.shape {
        RoiShape::Rect { x, y, w, h } => vec![*x, *y, *w, *h],
        RoiShape::Polygon(v) => v.iter().flat_map(|&(x, y)| [x, y]).collect(),
    };
    if let Some(v) = all
        .iter()
        .find(|v| !(v.is_finite() && v.abs() <= MAX_COORD))
    {
        return bad(format!("{v} is not a number within ±{MAX_COORD:e}"));
    }
    let (bx, by, bw, bh) = roi.bounds();
    // As ImageJ's `getBounds()`: a rectangle's corner truncated and sides rounded up, a
    // polygon's box from the floor of its smallest to the ceiling of its largest coordinates.
    let (left, top, right, bottom) = match &roi.shape {
        RoiShape::Rect { x, y, w, h } => {
            let (l, t) = (x.trunc(), y.trunc());
            (l, t, l + w.ceil(), t + h.ceil())
        }
        RoiShape::Polygon(_) => (bx.floor(), by.floor(), (bx + bw).ceil(), (by + bh).ceil()),
    };
    let (left, top, right, bottom) = (
        short_of(left),
        short_of(top),
        short_of(right),
        short_of(bottom),
    );
    let utf16: Vec<u16> = name.encode_utf16().collect();
    let (kind, n) = match &roi.shape {
        RoiShape::Rect { w, h, .. } if *w <= 0.0 || *h <= 0.0 => {
            return bad(format!("a rectangle of {w} x {h} is empty"));
        }
        RoiShape::Rect { .. } => (1u8, 0),
        RoiShape::Polygon(v) if !(3..=MAX_VERTICES).contains(&v.len()) => {
            return bad(format!(
                "an ImageJ polygon has 3 to {MAX_VERTICES} vertices, this one {}",
                v.len()
            ));
        }
        RoiShape::Polygon(v) => (0u8, v.len()),
    };
    // Integers when every number, and each vertex's offset from the corner, reads back exactly.
    let floats = !fits_short(all.iter().copied().chain([bx + bw, by + bh, bw, bh]));
    let h2 = HEADER + n * if floats { 12 } else { 4 };
    let mut out = vec![0u8; h2 + HEADER2 + 2 * utf16.len()];
    out[..4].copy_from_slice(b"Iout");
    put16(&mut out, 4, VERSION as i32);
    out[6] = kind;
    put16(&mut out, 8, top);
    put16(&mut out, 10, left);
    put16(&mut out, 12, bottom);
    put16(&mut out, 14, right);
    put16(&mut out, 16, n as i32);
    if floats {
        put16(&mut out, 50, SUB_PIXEL as i32);
    }
    match &roi.shape {
        RoiShape::Rect { x, y, w, h } => {
            if floats {
                for (i, v) in [x, y, w, h].into_iter().enumerate() {
                    put32(&mut out, 18 + 4 * i, (*v as f32).to_bits());
                }
            }
        }
        RoiShape::Polygon(v) => {
            for (i, &(x, y)) in v.iter().enumerate() {
                let rel = |c: f64, base: i32| (c.floor() - base as f64).clamp(0.0, 60_535.0) as i32;
                put16(&mut out, HEADER + 2 * i, rel(x, left));
                put16(&mut out, HEADER + 2 * n + 2 * i, rel(y, top));
                if floats {
                    put32(&mut out, HEADER + 4 * n + 4 * i, (x as f32).to_bits());
                    put32(&mut out, HEADER + 8 * n + 4 * i, (y as f32).to_bits());
                }
            }
        }
    }
    put32(&mut out, 60, h2 as u32);
    if !utf16.is_empty() {
        put32(&mut out, h2 + 16, (h2 + HEADER2) as u32);
        put32(&mut out, h2 + 20, utf16.len() as u32);
        for (i, u) in utf16.iter().enumerate() {
            put16(&mut out, h2 + HEADER2 + 2 * i, *u as i32);
        }
    }
    Ok(out)
}

/// A file name for a region's entry: its name (at most 100 characters) with path separators
/// and control characters replaced, `ROI` when empty, made unique among `taken` by a `-2`, `-3`,
/// … suffix.
fn entry_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .take(100)
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let base = if clean.trim().is_empty() {
        "ROI".to_string()
    } else {
        clean
    };
    let mut candidate = base.clone();
    let mut k = 1;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        k += 1;
        candidate = format!("{base}-{k}");
    }
    taken.push(candidate.clone());
    format!("{candidate}.roi")
}

/// The file name for one region exported alone: `NAME.roi` (see [`write_roi_set`] for names).
pub fn roi_file_name(roi: &Roi) -> String {
    entry_name(&roi.name, &mut Vec::new())
}

/// Writes regions as a RoiSet `.zip` (one `NAME.roi` entry each, in order, as the ROI Manager
/// saves; names made safe and unique), stored uncompressed.
pub fn write_roi_set(rois: &[Roi]) -> Result<Vec<u8>, String> {
    let mut taken = Vec::new();
    let entries = rois
        .iter()
        .map(|r| {
            Ok(zip::Entry {
                name: entry_name(&r.name, &mut taken),
                data: write_roi(r)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    zip::write(&entries)
}

/// Reads a RoiSet `.zip`: every entry ending in `.roi`, in order (others are skipped); at most
/// 10,000 entries and 64 MiB unpacked, 16 MiB an entry.
pub fn read_roi_set(bytes: &[u8]) -> Result<Vec<Roi>, String> {
    let entries = zip::read(bytes, zip::Limits::default())?;
    let rois = entries
        .iter()
        .filter(|e| e.name.to_ascii_lowercase().ends_with(".roi"))
        .map(|e| read_roi(&e.data, &e.name).map_err(|why| format!("entry {:?}: {why}", e.name)))
        .collect::<Result<Vec<_>, String>>()?;
    if rois.is_empty() {
        return Err("the archive holds no .roi file".into());
    }
    Ok(rois)
}

/// Reads a `.roi` file or a RoiSet `.zip`, told apart by their first bytes.
pub fn read_rois(bytes: &[u8], file_name: &str) -> Result<Vec<Roi>, String> {
    if zip::looks_like_zip(bytes) {
        read_roi_set(bytes)
    } else {
        read_roi(bytes, file_name).map(|r| vec![r])
    }
}

/// Writes regions as ImageJ reads them: one region as `(NAME.roi, bytes)`, several as
/// `(RoiSet.zip, bytes)`; `None` for no regions.
pub fn write_rois(rois: &[Roi]) -> Option<Result<(String, Vec<u8>), String>> {
    match rois {
        [] => None,
        [one] => Some(write_roi(one).map(|b| (roi_file_name(one), b))),
        many => Some(write_roi_set(many).map(|b| ("RoiSet.zip".to_string(), b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-byte header: `Iout`, version 228, the type, bounds, vertex count and options; no
    /// second header (so the file's name names the region).
    fn header(kind: u8, [top, left, bottom, right]: [i16; 4], n: u16, options: u16) -> Vec<u8> {
        let mut h = vec![0u8; HEADER];
        h[..4].copy_from_slice(b"Iout");
        h[4..6].copy_from_slice(&228u16.to_be_bytes());
        h[6] = kind;
        for (i, v) in [top, left, bottom, right].into_iter().enumerate() {
            h[8 + 2 * i..10 + 2 * i].copy_from_slice(&v.to_be_bytes());
        }
        h[16..18].copy_from_slice(&n.to_be_bytes());
        h[50..52].copy_from_slice(&options.to_be_bytes());
        h
    }

    fn with(mut h: Vec<u8>, tail: &[u8]) -> Vec<u8> {
        h.extend_from_slice(tail);
        h
    }

    #[test]
    fn rectangle_and_rounded_rectangle() {
        let r = header(1, [12, 10, 32, 40], 0, 0);
        assert_eq!(
            read_roi(&r, "cortex.roi"),
            Ok(Roi::rect("cortex", 10.0, 12.0, 30.0, 20.0))
        );
        let mut rounded = r.clone();
        rounded[54..56].copy_from_slice(&6u16.to_be_bytes());
        assert_eq!(
            read_roi(&rounded, "r"),
            Ok(Roi::rect("r", 10.0, 12.0, 30.0, 20.0))
        );
        // As ImageJ's Roi: at least one pixel a side.
        let flat = header(1, [5, 5, 5, 9], 0, 0);
        assert_eq!(read_roi(&flat, "f"), Ok(Roi::rect("f", 5.0, 5.0, 4.0, 1.0)));
        // Sub-pixel: read as the pixel bounds ImageJ measures.
        let mut sub = header(1, [3, 2, 11, 13], 0, SUB_PIXEL);
        for (i, v) in [2.25f32, 3.75, 10.5, 7.25].into_iter().enumerate() {
            sub[18 + 4 * i..22 + 4 * i].copy_from_slice(&v.to_bits().to_be_bytes());
        }
        assert_eq!(read_roi(&sub, "s"), Ok(Roi::rect("s", 2.0, 3.0, 11.0, 8.0)));
    }

    #[test]
    fn polygon_freehand_and_traced_with_integer_offsets() {
        // Three vertices: x offsets 0, 4, 2 then y offsets 0, 0, 3 from (left 5, top 7).
        let tail = [0, 0, 0, 4, 0, 2, 0, 0, 0, 0, 0, 3];
        let want = vec![(5.0, 7.0), (9.0, 7.0), (7.0, 10.0)];
        for kind in [0, 7, 8] {
            let f = with(header(kind, [7, 5, 10, 9], 3, 0), &tail);
            assert_eq!(
                read_roi(&f, "t.roi"),
                Ok(Roi::polygon("t", want.clone())),
                "type {kind}"
            );
        }
        // As RoiDecoder: a negative offset is 0, one below -5000 is unsigned.
        let odd = with(
            header(0, [0, 0, 0, 0], 3, 0),
            &[0xff, 0xff, 0xec, 0x77, 0, 1, 0, 0, 0, 0, 0, 1],
        );
        assert_eq!(
            read_roi(&odd, "o").map(|r| r.shape),
            Ok(RoiShape::Polygon(vec![
                (0.0, 0.0),
                (60535.0, 0.0),
                (1.0, 1.0)
            ]))
        );
    }

    #[test]
    fn sub_pixel_polygon_reads_its_floats() {
        let mut tail = vec![0u8; 12];
        for v in [1.5f32, 9.25, 4.0, -2.0, 0.5, 8.75] {
            tail.extend_from_slice(&v.to_bits().to_be_bytes());
        }
        let f = with(header(0, [-2, 1, 9, 10], 3, SUB_PIXEL), &tail);
        assert_eq!(
            read_roi(&f, "p"),
            Ok(Roi::polygon(
                "p",
                vec![(1.5, -2.0), (9.25, 0.5), (4.0, 8.75)]
            ))
        );
        // The option means nothing before version 222: the integer offsets are read.
        let mut old = f.clone();
        old[4..6].copy_from_slice(&221u16.to_be_bytes());
        assert_eq!(
            read_roi(&old, "p").map(|r| r.vertices()),
            Ok(vec![(1.0, -2.0); 3])
        );
    }

    #[test]
    fn oval_is_the_outline_of_its_mask() {
        let f = header(2, [0, 0, 5, 5], 0, 0);
        let roi = read_roi(&f, "o").expect("oval");
        assert_eq!(
            roi.vertices(),
            [
                (4, 0),
                (4, 1),
                (5, 1),
                (5, 4),
                (4, 4),
                (4, 5),
                (1, 5),
                (1, 4),
                (0, 4),
                (0, 1),
                (1, 1),
                (1, 0),
            ]
            .map(|(x, y)| (x as f64, y as f64))
        );
        assert_eq!(
            roi.mask(6, 6),
            crate::bitmask![".###..", "#####.", "#####.", "#####.", ".###..", "......"]
        );
        // Small and odd ovals: the mask is the pixels whose centre is in the ellipse.
        for (w, h) in [(1, 1), (2, 1), (2, 10), (3, 3), (7, 5), (17, 11), (40, 3)] {
            let f = header(2, [2, 3, 2 + h, 3 + w], 0, 0);
            let roi = read_roi(&f, "o").expect("oval");
            let m = roi.mask(50, 20);
            for py in 0..20 {
                for px in 0..50 {
                    let dx = px as f64 + 0.5 - (3.0 + w as f64 / 2.0);
                    let dy = py as f64 + 0.5 - (2.0 + h as f64 / 2.0);
                    let inside =
                        dx * dx / (w * w) as f64 * 4.0 + dy * dy / (h * h) as f64 * 4.0 <= 1.0;
                    assert_eq!(m.get(px, py), inside, "{w}x{h} at {px},{py}");
                }
            }
        }
        let huge = header(2, [0, 0, 30000, 30000], 0, 0);
        assert!(read_roi(&huge, "big").is_ok());
    }

    /// A valid file with a second header naming the region.
    fn named(name: &str) -> Vec<u8> {
        write_roi(&Roi::polygon(
            name,
            vec![(1.0, 2.0), (7.5, 2.0), (3.0, 9.0)],
        ))
        .expect("writes")
    }

    #[test]
    fn the_name_comes_from_the_second_header() {
        assert_eq!(
            read_roi(&named("Kα 🙂"), "file.roi").map(|r| r.name),
            Ok("Kα 🙂".into())
        );
        assert_eq!(
            read_roi(&named(""), "file.roi").map(|r| r.name),
            Ok("file".into())
        );
    }

    #[test]
    fn other_types_are_refused_by_name_and_type() {
        let cases = [
            (3, "straight line"),
            (4, "freehand line"),
            (5, "segmented line"),
            (6, "no ROI"),
            (9, "angle"),
            (10, "point"),
            (11, "unknown ROI (type 11)"),
            (200, "type 200"),
        ];
        for (kind, what) in cases {
            let f = with(header(kind, [0, 0, 4, 4], 1, 0), &[0; 4]);
            let e = read_roi(&f, "mine.roi").unwrap_err();
            assert!(
                e.contains("\"mine\"") && e.contains(what) && e.contains("not an area"),
                "{e}"
            );
        }
        let mut composite = header(1, [0, 0, 4, 4], 0, 0);
        composite[36..40].copy_from_slice(&4u32.to_be_bytes());
        let mut text = header(1, [0, 0, 4, 4], 0, 0);
        text[48..50].copy_from_slice(&1u16.to_be_bytes());
        let mut image = text.clone();
        image[49] = 4;
        let spline = with(header(0, [0, 0, 4, 4], 3, SPLINE_FIT), &[0; 12]);
        for (f, what) in [
            (composite, "composite"),
            (text, "text ROI"),
            (image, "image ROI"),
            (spline, "spline"),
        ] {
            let e = read_roi(&f, "x").unwrap_err();
            assert!(e.contains("\"x\"") && e.contains(what), "{e}");
        }
    }

    #[test]
    fn broken_files_say_why() {
        let poly = with(header(0, [0, 0, 4, 4], 3, 0), &[0; 12]);
        let mut h2_far = poly.clone();
        h2_far[60..64].copy_from_slice(&1000u32.to_be_bytes());
        let mut h2_neg = poly.clone();
        h2_neg[60..64].copy_from_slice(&(-8i32).to_be_bytes());
        let mut name_far = named("abc");
        let at = name_far.len() - 6 - HEADER2 + 20;
        name_far[at..at + 4].copy_from_slice(&0x4000_0000u32.to_be_bytes());
        let nan = with(
            header(0, [0, 0, 4, 4], 3, SUB_PIXEL),
            &[&[0u8; 12][..], &[0x7f, 0xc0, 0, 0], &[0; 20]].concat(),
        );
        let mut far = nan.clone();
        far[76..80].copy_from_slice(&2e9f32.to_bits().to_be_bytes());
        // A one-pixel oval centred on a pixel corner holds no pixel centre.
        let mut corner = header(2, [0, 0, 1, 1], 0, SUB_PIXEL);
        for (i, v) in [0.5f32, 0.5, 1.0, 1.0].into_iter().enumerate() {
            corner[18 + 4 * i..22 + 4 * i].copy_from_slice(&v.to_bits().to_be_bytes());
        }
        let cases: [(&[u8], &str); 11] = [
            (b"", "0 bytes, too short"),
            (b"Iout", "too short"),
            (&[0u8; 64], "not an ImageJ ROI"),
            (
                &header(0, [0, 0, 4, 4], 2, 0),
                "3 or more vertices, the file has 2",
            ),
            (
                &header(0, [0, 0, 4, 4], 3, 0),
                "3 vertices need 76 bytes, the file has 64",
            ),
            (&h2_far, "second header runs past the end"),
            (&h2_neg, "negative second-header offset"),
            (&name_far, "the name runs past the end"),
            (&nan, "x NaN is not a number"),
            (&far, "x 2000000000 is not a number within ±1e9"),
            (&corner, "holds no pixel centre"),
        ];
        for (f, why) in cases {
            let e = read_roi(f, "bad.roi").unwrap_err();
            assert!(e.starts_with("ROI \"bad\": ") && e.contains(why), "{e}");
        }
        let mut huge = header(2, [0, 0, 4, 4], 0, SUB_PIXEL);
        huge[26..30].copy_from_slice(&1e6f32.to_bits().to_be_bytes());
        huge[30..34].copy_from_slice(&4f32.to_bits().to_be_bytes());
        assert!(
            read_roi(&huge, "o")
                .unwrap_err()
                .contains("larger than 65536")
        );
    }

    #[test]
    fn every_cut_is_an_error_and_no_change_panics() {
        let files: [&[u8]; 5] = [
            include_bytes!("../../tests/data/imagej_rois/imagej/float-polygon.roi"),
            include_bytes!("../../tests/data/imagej_rois/imagej/oval.roi"),
            include_bytes!("../../tests/data/imagej_rois/imagej/subpixel-rect.roi"),
            include_bytes!("../../tests/data/imagej_rois/imagej/traced.roi"),
            include_bytes!("../../tests/data/imagej_rois/imagej/RoiSet.zip"),
        ];
        for f in files {
            assert!(read_rois(f, "whole.roi").is_ok());
            for cut in 0..f.len() {
                assert!(read_rois(&f[..cut], "cut.roi").is_err(), "cut at {cut}");
            }
            for i in 0..f.len().min(400) {
                for flip in [0x01, 0x80, 0xff] {
                    let mut g = f.to_vec();
                    g[i] ^= flip;
                    let _ = read_rois(&g, "flipped.roi");
                }
            }
        }
        let ours = write_roi_set(&[
            Roi::rect("a", 1.0, 2.0, 3.0, 4.0),
            Roi::rect("a", 5.0, 2.0, 3.0, 4.0),
        ])
        .expect("writes");
        for cut in 0..ours.len() {
            assert!(read_rois(&ours[..cut], "cut.zip").is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn a_set_names_its_broken_entry() {
        let entries = [
            zip::Entry {
                name: "good.roi".into(),
                data: named("good"),
            },
            zip::Entry {
                name: "notes.txt".into(),
                data: b"skipped".to_vec(),
            },
            zip::Entry {
                name: "bad.roi".into(),
                data: b"Iout".to_vec(),
            },
        ];
        let e = read_roi_set(&zip::write(&entries).expect("zip")).unwrap_err();
        assert!(
            e.starts_with("entry \"bad.roi\": ROI \"bad\": 4 bytes"),
            "{e}"
        );
        let e = read_roi_set(&zip::write(&entries[1..2]).expect("zip")).unwrap_err();
        assert!(e.contains("no .roi file"), "{e}");
        let rois = read_roi_set(&zip::write(&entries[..2]).expect("zip")).expect("reads");
        assert_eq!(rois.len(), 1);
    }

    #[test]
    fn the_writer_keeps_integers_as_integers_and_refuses_what_imagej_cannot_read() {
        let int = write_roi(&Roi::polygon(
            "i",
            vec![(0.0, 0.0), (60535.0, 0.0), (0.0, -5000.0)],
        ))
        .expect("writes");
        assert_eq!(int[50..52], [0, 0]);
        assert_eq!(int.len(), HEADER + 3 * 4 + HEADER2 + 2);
        // Offsets beyond 60535 from the corner, or a fraction, need floats.
        for v in [
            vec![(0.0, 0.0), (60536.0, 0.0), (0.0, 1.0)],
            vec![(-1.0, 0.0), (60535.0, 0.0), (0.0, 1.0)],
            vec![(0.5, 0.0), (4.0, 0.0), (0.0, 1.0)],
        ] {
            let f = write_roi(&Roi::polygon("f", v.clone())).expect("writes");
            assert_eq!(f[50..52], SUB_PIXEL.to_be_bytes());
            assert_eq!(read_roi(&f, "x").map(|r| r.vertices()), Ok(v));
        }
        for (roi, why) in [
            (Roi::rect("e", 1.0, 1.0, 0.0, 3.0), "is empty"),
            (
                Roi::rect("n", f64::NAN, 1.0, 1.0, 3.0),
                "NaN is not a number",
            ),
            (
                Roi::polygon("two", vec![(0.0, 0.0), (1.0, 1.0)]),
                "3 to 60535 vertices, this one 2",
            ),
            (
                Roi::polygon("far", vec![(0.0, 0.0), (2e9, 1.0), (0.0, 1.0)]),
                "within ±1e9",
            ),
        ] {
            let e = write_roi(&roi).unwrap_err();
            assert!(
                e.contains(&format!("{:?}", roi.name)) && e.contains(why),
                "{e}"
            );
        }
        assert!(write_roi(&Roi::polygon("many", vec![(1.0, 1.0); 60_536])).is_err());
    }

    #[test]
    fn one_region_is_a_roi_file_several_a_roi_set() {
        let a = Roi::rect("CA1 / left", 1.0, 2.0, 3.0, 4.0);
        let b = Roi::polygon("", vec![(0.0, 0.0), (4.0, 0.0), (0.0, 4.0)]);
        assert!(write_rois(&[]).is_none());
        let (file, bytes) = write_rois(std::slice::from_ref(&a))
            .expect("one")
            .expect("writes");
        assert_eq!(file, "CA1 _ left.roi");
        assert_eq!(read_rois(&bytes, &file), Ok(vec![a.clone()]));
        let (file, bytes) = write_rois(&[a.clone(), b, a.clone()])
            .expect("some")
            .expect("writes");
        assert_eq!(file, "RoiSet.zip");
        let names: Vec<String> = zip::read(&bytes, zip::Limits::default())
            .expect("zip")
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["CA1 _ left.roi", "ROI.roi", "CA1 _ left-2.roi"]);
        // The unnamed region is named after its entry, as in ImageJ.
        let back = read_rois(&bytes, &file).expect("reads");
        assert_eq!(
            back.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["CA1 / left", "ROI", "CA1 / left"]
        );
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// Coordinates a file keeps exactly: integers and 32-bit floats.
    fn coord() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-6000i32..70000).prop_map(f64::from),
            (-40_000i32..40_000).prop_map(|v| f64::from(v) / 8.0),
            (-1e6f32..1e6).prop_map(f64::from),
        ]
    }

    fn roi() -> impl Strategy<Value = Roi> {
        prop_oneof![
            // Rectangles of whole pixels: a fractional one is read as its pixel bounds.
            (-5000i32..30000, -5000i32..30000, 1i32..30000, 1i32..30000)
                .prop_map(|(x, y, w, h)| { Roi::rect("", x.into(), y.into(), w.into(), h.into()) }),
            proptest::collection::vec((coord(), coord()), 3..12).prop_map(|v| Roi::polygon("", v)),
        ]
    }

    proptest! {
        #[test]
        fn written_regions_read_back(rois in proptest::collection::vec((roi(), "\\PC{1,12}"), 1..6)) {
            let rois: Vec<Roi> = rois.into_iter().map(|(mut r, n)| { r.name = n; r }).collect();
            let set = write_roi_set(&rois).expect("writes");
            prop_assert_eq!(read_roi_set(&set), Ok(rois.clone()));
            for r in &rois {
                let one = write_roi(r).expect("writes");
                prop_assert_eq!(read_roi(&one, "x.roi"), Ok(r.clone()));
            }
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut f = b"Iout".to_vec();
            f.extend_from_slice(&bytes);
            let _ = read_rois(&f, "g.roi");
            let _ = read_rois(&bytes, "g.roi");
        }
    }
}
