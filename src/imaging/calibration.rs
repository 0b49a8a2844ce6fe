//! Spatial calibration: the size of a pixel in a unit of length (ImageJ's
//! `ij.measure.Calibration`: `pixelWidth`, `pixelHeight`, `unit`), and reading it from a file's
//! header without its pixels.
//!
//! What is read, as ImageJ 1.53t reads it (`ij.io.TiffDecoder`, `ij.io.FileOpener`; parity in
//! `tests/calibration_parity.rs`):
//!
//! - TIFF `XResolution`/`YResolution` (pixels per unit) and `ResolutionUnit` (2 inch, 3 cm): the
//!   pixel size is 1/resolution in that unit. Exactly 72 pixels per inch is a screen's default,
//!   not a calibration (ImageJ ignores it). A size in cm of at most 0.001 cm (0.0001 cm in an
//!   ImageJ file) is converted to µm, as ImageJ does (`Prefs.convertToMicrons`).
//! - An ImageJ TIFF's description (`ImageJ=…` then `unit=micron`, possibly `\u00B5m`): its unit
//!   replaces the tag's (`um` over a cm tag multiplies by 10,000), the size stays the tags'.
//! - PNG `pHYs` in pixels per metre, which ImageJ does not read: taken unless it is a common
//!   screen or printer resolution (72, 96, 300 … dots per inch), which most PNG writers put there.
//! - JPEG: nothing. ImageJ reads only the orientation from a JPEG's EXIF, and a camera's
//!   72 dots per inch is never a pixel size.
//!
//! Where ImageJ calibrates from a broken header, this gives no calibration instead: a resolution
//! that is missing, zero or 0/0 (ImageJ keeps 1 unit a pixel), `ResolutionUnit` none or a blank
//! or unknown unit (ImageJ's blank unit), a size that is not finite or lies outside 10 pm .. 1 m.
//! A missing `YResolution` gives square pixels (ImageJ keeps a height of 1 unit).

use std::fmt;

/// A unit of length a calibration is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Nanometre.
    Nm,
    /// Micrometre (ImageJ's `micron`, `um`, `µm`).
    Um,
    /// Millimetre.
    Mm,
    /// Centimetre.
    Cm,
    /// Metre.
    M,
    /// Inch.
    Inch,
}

impl Unit {
    /// Every unit, smallest first.
    pub const ALL: [Unit; 6] = [Unit::Nm, Unit::Um, Unit::Mm, Unit::Cm, Unit::M, Unit::Inch];

    /// Its symbol, as the tables write it (`µm`).
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Nm => "nm",
            Unit::Um => "µm",
            Unit::Mm => "mm",
            Unit::Cm => "cm",
            Unit::M => "m",
            Unit::Inch => "inch",
        }
    }

    /// Its length in metres.
    pub fn metres(self) -> f64 {
        match self {
            Unit::Nm => 1e-9,
            Unit::Um => 1e-6,
            Unit::Mm => 1e-3,
            Unit::Cm => 1e-2,
            Unit::M => 1.0,
            Unit::Inch => 0.0254,
        }
    }

    /// The unit a name stands for, as ImageJ's files and its *Set Scale* write them: `micron`,
    /// `microns`, `um`, `µm` (micro sign or Greek mu), `micrometer`; `nm`, `mm`, `cm`, `m` and
    /// their long names; `inch`, `inches`, `in`. `None` for `pixel`, a blank or anything else.
    ///
    /// ```
    /// use fluocount::imaging::calibration::Unit;
    /// assert_eq!(Unit::parse("micron"), Some(Unit::Um));
    /// assert_eq!(Unit::parse("pixel"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Unit> {
        let n = name.trim().to_lowercase();
        Some(match n.as_str() {
            "nm" | "nanometer" | "nanometers" | "nanometre" | "nanometres" => Unit::Nm,
            "um" | "µm" | "μm" | "micron" | "microns" | "micrometer" | "micrometers"
            | "micrometre" | "micrometres" => Unit::Um,
            "mm" | "millimeter" | "millimeters" | "millimetre" | "millimetres" => Unit::Mm,
            "cm" | "centimeter" | "centimeters" | "centimetre" | "centimetres" => Unit::Cm,
            "m" | "meter" | "meters" | "metre" | "metres" => Unit::M,
            "inch" | "inches" | "in" => Unit::Inch,
            _ => return None,
        })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// The size of a pixel: ImageJ's `Calibration` (`pixelWidth`, `pixelHeight`, `unit`). Without
/// one, an image is in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    /// Width of a pixel in `unit`.
    pub pixel_width: f64,
    /// Height of a pixel in `unit`.
    pub pixel_height: f64,
    /// The unit of length.
    pub unit: Unit,
}

/// The smallest pixel taken, in metres (10 pm: below any microscope's pixel).
const MIN_METRES: f64 = 1e-11;
/// The largest pixel taken, in metres.
const MAX_METRES: f64 = 1.0;

impl Calibration {
    /// A calibration of `width` x `height` `unit`s a pixel, if both are finite and the pixel lies
    /// between 10 pm and 1 m on each side.
    ///
    /// ```
    /// use fluocount::imaging::calibration::{Calibration, Unit};
    /// assert!(Calibration::new(0.65, 0.65, Unit::Um).is_some());
    /// assert!(Calibration::new(0.0, 0.65, Unit::Um).is_none());
    /// assert!(Calibration::new(f64::NAN, 1.0, Unit::Um).is_none());
    /// ```
    pub fn new(width: f64, height: f64, unit: Unit) -> Option<Self> {
        let ok = |v: f64| {
            let m = v * unit.metres();
            v.is_finite() && (MIN_METRES..=MAX_METRES).contains(&m)
        };
        (ok(width) && ok(height)).then_some(Calibration {
            pixel_width: width,
            pixel_height: height,
            unit,
        })
    }

    /// Square pixels of `size` `unit`s.
    pub fn square(size: f64, unit: Unit) -> Option<Self> {
        Self::new(size, size, unit)
    }

    /// ImageJ's *Set Scale*: `known` `unit`s span `pixels` pixels (aspect ratio 1).
    pub fn from_known_distance(pixels: f64, known: f64, unit: Unit) -> Option<Self> {
        if pixels.is_nan() || pixels <= 0.0 {
            return None;
        }
        Self::square(known / pixels, unit)
    }

    /// Whether pixels are as high as they are wide.
    pub fn is_square(&self) -> bool {
        self.pixel_width == self.pixel_height
    }

    /// The area of one pixel in `unit`².
    pub fn pixel_area(&self) -> f64 {
        self.pixel_width * self.pixel_height
    }

    /// The area of one pixel in mm².
    pub fn pixel_area_mm2(&self) -> f64 {
        let mm = self.unit.metres() * 1e3;
        self.pixel_area() * mm * mm
    }

    /// The area unit's symbol (`µm²`).
    pub fn area_unit(&self) -> String {
        format!("{}²", self.unit.symbol())
    }

    /// The pixel size as a person reads it: `0.650 µm/pixel`, or `0.650 x 0.700 µm/pixel`.
    pub fn describe(&self) -> String {
        if self.is_square() {
            format!("{} {}/pixel", size_text(self.pixel_width), self.unit)
        } else {
            format!(
                "{} x {} {}/pixel",
                size_text(self.pixel_width),
                size_text(self.pixel_height),
                self.unit
            )
        }
    }
}

/// A size with four significant digits at most and at least three decimals: `0.650`, `12.500`,
/// `0.003333`.
pub fn size_text(v: f64) -> String {
    let decimals = if v != 0.0 && v.abs() < 0.1 && v.is_finite() {
        (3 - v.abs().log10().floor() as i32).clamp(3, 15) as usize
    } else {
        3
    };
    format!("{v:.decimals$}")
}

/// Where a file's calibration was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// TIFF `XResolution`, `YResolution` and `ResolutionUnit`.
    TiffTags,
    /// An ImageJ TIFF's description (its `unit=`) with the resolution tags.
    ImageJ,
    /// PNG `pHYs` in pixels per metre.
    Png,
}

impl Source {
    /// How the page and the command line name it (`from the TIFF`).
    pub fn describe(self) -> &'static str {
        match self {
            Source::TiffTags => "from the TIFF resolution tags",
            Source::ImageJ => "from the ImageJ TIFF description",
            Source::Png => "from the PNG pHYs chunk",
        }
    }
}

/// The calibration a file carries in its header, and where it was read; `None` for an
/// uncalibrated file, another format, or a header that cannot be read. Never reads the pixels,
/// never panics, and reads at most the first image directory's tags (TIFF) or the chunks before
/// the image data (PNG).
///
/// ```
/// use fluocount::imaging::calibration::read;
/// assert_eq!(read(b"\x89PNG\r\n\x1a\n"), None);
/// assert_eq!(read(b"not an image"), None);
/// ```
pub fn read(bytes: &[u8]) -> Option<(Calibration, Source)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png(bytes).map(|c| (c, Source::Png));
    }
    tiff(bytes)
}

/// The calibration of `bytes` ([`read`]) without its source.
pub fn calibration(bytes: &[u8]) -> Option<Calibration> {
    read(bytes).map(|(c, _)| c)
}

/// A classic TIFF's bytes in its byte order.
struct Tiff<'a> {
    bytes: &'a [u8],
    le: bool,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// A RATIONAL (type 5, unsigned) or SRATIONAL (type 10) at `at` as ImageJ's `getRational`
    /// reads it: 0 when the denominator is 0.
    fn rational(&self, kind: u16, at: usize) -> Option<f64> {
        let (n, d) = (self.u32(at)?, self.u32(at.checked_add(4)?)?);
        let (n, d) = match kind {
            5 => (f64::from(n), f64::from(d)),
            10 => (f64::from(n as i32), f64::from(d as i32)),
            _ => return None,
        };
        Some(if d == 0.0 { 0.0 } else { n / d })
    }
}

/// The resolution and description tags of the first image directory of a classic TIFF.
fn tiff(bytes: &[u8]) -> Option<(Calibration, Source)> {
    let le = match bytes.get(..4)? {
        [b'I', b'I', 42, 0] => true,
        [b'M', b'M', 0, 42] => false,
        _ => return None,
    };
    let t = Tiff { bytes, le };
    let ifd = t.u32(4)? as usize;
    let entries = usize::from(t.u16(ifd)?);
    // ImageJ's FileInfo: sizes start at 1 and are set by a non-zero resolution; the unit is
    // set by ResolutionUnit; 72 pixels an inch is taken for no calibration.
    let (mut width, mut height): (Option<f64>, Option<f64>) = (None, None);
    let mut unit: Option<&str> = None;
    let mut description: Option<&[u8]> = None;
    for k in 0..entries {
        let at = ifd + 2 + k * 12;
        let (Some(tag), Some(kind), Some(count), Some(value)) =
            (t.u16(at), t.u16(at + 2), t.u32(at + 4), t.u32(at + 8))
        else {
            break;
        };
        match tag {
            282 | 283 => {
                let r = t.rational(kind, value as usize).unwrap_or(0.0);
                if r != 0.0 {
                    let size = Some(1.0 / r);
                    if tag == 282 {
                        width = size;
                    } else {
                        height = size;
                    }
                }
            }
            296 => {
                // A SHORT of count 1 sits in the value's first two bytes.
                let v = if kind == 3 {
                    t.u16(at + 8)?
                } else {
                    u16::try_from(value).unwrap_or(0)
                };
                match v {
                    1 if unit.is_none() => unit = Some(" "),
                    2 if width == Some(1.0 / 72.0) => {
                        width = None;
                        height = None;
                    }
                    2 => unit = Some("inch"),
                    3 => unit = Some("cm"),
                    _ => {}
                }
            }
            270 if kind == 2 => {
                // ASCII: inline when 4 bytes or fewer, else at the offset; without its NUL.
                let n = count as usize;
                let text = if n <= 4 {
                    bytes.get(at + 8..at + 8 + n)
                } else {
                    bytes.get(value as usize..(value as usize).checked_add(n)?)
                };
                description = text.filter(|d| d.starts_with(b"ImageJ"));
            }
            _ => {}
        }
    }
    let mut unit = unit.map(str::to_string);
    let mut scale = 1.0;
    let imagej = description.is_some();
    if let Some(d) = description {
        let found = imagej_property(d, "unit").unwrap_or_default();
        if unit.as_deref() == Some("cm") && found == "um" {
            scale = 10_000.0;
        }
        unit = Some(found);
    }
    let width = width? * scale;
    let height = height.map_or(width, |h| h * scale);
    let mut unit = unit?;
    let (mut width, mut height) = (width, height);
    // ImageJ's FileOpener with Prefs.convertToMicrons (on by default).
    let threshold = if imagej { 1e-4 } else { 1e-3 };
    if width <= threshold && unit == "cm" {
        width *= 10_000.0;
        height *= 10_000.0;
        unit = "um".to_string();
    }
    let c = Calibration::new(width, height, Unit::parse(&unit)?)?;
    Some((
        c,
        if imagej {
            Source::ImageJ
        } else {
            Source::TiffTags
        },
    ))
}

/// The value of `key` in an ImageJ description (`key=value` lines, as `java.util.Properties`
/// reads them, with `\uXXXX` escapes), at most 4 KB of it.
fn imagej_property(description: &[u8], key: &str) -> Option<String> {
    let text = String::from_utf8_lossy(&description[..description.len().min(4096)]);
    text.lines().find_map(|line| {
        let line = line.trim_start();
        let split = line.find(['=', ':'])?;
        (line[..split].trim_end() == key).then(|| unescape(line[split + 1..].trim()))
    })
}

/// `java.util.Properties` escapes: `\uXXXX` and a backslash before any other character.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32)
                {
                    out.push(ch);
                }
            }
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Resolutions in dots per inch that PNG writers put in `pHYs` by default (screens and
/// printers); a pHYs within half a pixel per metre of one of them is no calibration.
const DEVICE_DPI: [f64; 17] = [
    72.0, 96.0, 100.0, 120.0, 144.0, 150.0, 180.0, 200.0, 240.0, 300.0, 360.0, 400.0, 600.0, 720.0,
    1200.0, 2400.0, 4800.0,
];

/// A PNG's `pHYs` chunk in pixels per metre (unit 1), read among the chunks before `IDAT`.
fn png(bytes: &[u8]) -> Option<Calibration> {
    let mut at = 8usize;
    // At most 64 chunks before the image data: a calibration comes early.
    for _ in 0..64 {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        if kind == b"pHYs" {
            let data = bytes.get(at + 8..at + 8 + 9)?;
            if len != 9 || data[8] != 1 {
                return None;
            }
            let x = f64::from(u32::from_be_bytes(data[0..4].try_into().ok()?));
            let y = f64::from(u32::from_be_bytes(data[4..8].try_into().ok()?));
            let device = |ppm: f64| {
                DEVICE_DPI
                    .iter()
                    .any(|dpi| (dpi / 0.0254 - ppm).abs() <= 0.5)
            };
            if x == 0.0 || y == 0.0 || device(x) || device(y) {
                return None;
            }
            return Calibration::new(1e6 / x, 1e6 / y, Unit::Um);
        }
        at = at.checked_add(12)?.checked_add(len)?;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 2x2 8-bit grey TIFF with the given resolution tags (`None` leaves a tag out) and
    /// ImageJ-style description, built as `tests/data/imagej_parity/CalibrationParity.java`
    /// builds it.
    pub(crate) fn tiff_bytes(
        le: bool,
        xres: Option<(u32, u32)>,
        yres: Option<(u32, u32)>,
        unit: Option<u16>,
        description: Option<&str>,
    ) -> Vec<u8> {
        let desc = description.map(|d| {
            let mut b = d.as_bytes().to_vec();
            b.push(0);
            b
        });
        let n = 8
            + usize::from(xres.is_some())
            + usize::from(yres.is_some())
            + usize::from(unit.is_some())
            + usize::from(desc.is_some());
        let ifd = 8u32;
        let x_at = ifd + 2 + n as u32 * 12 + 4;
        let y_at = x_at + 8;
        let desc_at = y_at + 8;
        let pix_at = desc_at + desc.as_ref().map_or(0, |d| d.len() as u32);
        let mut tags: Vec<(u16, u16, u32, u32)> = vec![
            (256, 3, 1, 2),
            (257, 3, 1, 2),
            (258, 3, 1, 8),
            (259, 3, 1, 1),
            (262, 3, 1, 1),
        ];
        if let Some(d) = &desc {
            tags.push((270, 2, d.len() as u32, desc_at));
        }
        tags.extend([(273, 4, 1, pix_at), (277, 3, 1, 1), (279, 4, 1, 4)]);
        if xres.is_some() {
            tags.push((282, 5, 1, x_at));
        }
        if yres.is_some() {
            tags.push((283, 5, 1, y_at));
        }
        if let Some(u) = unit {
            tags.push((296, 3, 1, u32::from(u)));
        }
        let u16b = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        let u32b = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        let mut out = if le { b"II".to_vec() } else { b"MM".to_vec() };
        out.extend(u16b(42));
        out.extend(u32b(ifd));
        out.extend(u16b(tags.len() as u16));
        for (tag, kind, count, value) in tags {
            out.extend(u16b(tag));
            out.extend(u16b(kind));
            out.extend(u32b(count));
            if kind == 3 && count == 1 {
                out.extend(u16b(value as u16));
                out.extend(u16b(0));
            } else {
                out.extend(u32b(value));
            }
        }
        out.extend(u32b(0));
        for (n, d) in [xres.unwrap_or((0, 0)), yres.unwrap_or((0, 0))] {
            out.extend(u32b(n));
            out.extend(u32b(d));
        }
        if let Some(d) = &desc {
            out.extend(d);
        }
        out.extend([10, 20, 30, 40]);
        out
    }

    fn cal(bytes: &[u8]) -> Option<(f64, f64, &'static str)> {
        calibration(bytes).map(|c| (c.pixel_width, c.pixel_height, c.unit.symbol()))
    }

    #[test]
    fn resolution_tags_in_both_byte_orders() {
        for le in [true, false] {
            // 15384.6 pixels a cm: 0.65 µm (converted from cm as ImageJ does).
            let b = tiff_bytes(le, Some((153_846, 10)), Some((153_846, 10)), Some(3), None);
            let (w, h, u) = cal(&b).expect("calibrated");
            assert!((w - 0.650_000_65).abs() < 1e-9 && w == h, "{w}");
            assert_eq!(u, "µm");
            assert_eq!(read(&b).map(|r| r.1), Some(Source::TiffTags));
            // 300 pixels an inch: inch, as ImageJ keeps it.
            let b = tiff_bytes(le, Some((300, 1)), Some((300, 1)), Some(2), None);
            assert_eq!(cal(&b), Some((1.0 / 300.0, 1.0 / 300.0, "inch")));
            // 72 pixels an inch is a screen's default: none.
            let b = tiff_bytes(le, Some((144, 2)), Some((72, 1)), Some(2), None);
            assert_eq!(cal(&b), None);
            // 999 pixels a cm stays in cm (above ImageJ's 0.001 cm threshold).
            let b = tiff_bytes(le, Some((999, 1)), Some((999, 1)), Some(3), None);
            assert_eq!(cal(&b).map(|c| c.2), Some("cm"));
            // Non-square pixels.
            let b = tiff_bytes(le, Some((4000, 1)), Some((2000, 1)), Some(3), None);
            assert_eq!(cal(&b), Some((2.5, 5.0, "µm")));
        }
    }

    #[test]
    fn imagej_descriptions_set_the_unit() {
        let micron = tiff_bytes(
            true,
            Some((1_538_461, 1_000_000)),
            Some((1_538_461, 1_000_000)),
            Some(1),
            Some("ImageJ=1.53t\nunit=micron\n"),
        );
        let (w, _, u) = cal(&micron).expect("calibrated");
        assert!((w - 0.65).abs() < 1e-6);
        assert_eq!(u, "µm");
        assert_eq!(read(&micron).map(|r| r.1), Some(Source::ImageJ));
        let escaped = tiff_bytes(
            false,
            Some((2, 1)),
            Some((2, 1)),
            None,
            Some("ImageJ=1.53t\nunit=\\u00B5m\n"),
        );
        assert_eq!(cal(&escaped), Some((0.5, 0.5, "µm")));
        let um_over_cm = tiff_bytes(
            true,
            Some((10_000, 1)),
            Some((10_000, 1)),
            Some(3),
            Some("ImageJ=1.53t\nunit=um\n"),
        );
        assert_eq!(cal(&um_over_cm), Some((1.0, 1.0, "µm")));
        // No unit line: ImageJ's unit is "pixel".
        let none = tiff_bytes(
            true,
            Some((2, 1)),
            Some((2, 1)),
            Some(1),
            Some("ImageJ=1\n"),
        );
        assert_eq!(cal(&none), None);
        // A description not written by ImageJ is not read.
        let other = tiff_bytes(true, Some((2, 1)), Some((2, 1)), None, Some("unit=micron"));
        assert_eq!(cal(&other), None);
        assert_eq!(unescape(r"a\u00B5\:\\x\u12"), "aµ:\\x");
    }

    #[test]
    fn hostile_resolutions_give_no_calibration() {
        let cases = [
            (Some((0, 0)), Some((0, 0)), Some(3)),               // 0/0
            (Some((0, 5)), Some((0, 5)), Some(3)),               // zero
            (None, None, Some(3)),                               // unit without resolution
            (Some((2, 1)), Some((2, 1)), Some(1)),               // ResolutionUnit none
            (Some((2, 1)), Some((2, 1)), None),                  // no unit
            (Some((2, 1)), Some((2, 1)), Some(9)),               // unknown unit
            (Some((u32::MAX, 1)), Some((u32::MAX, 1)), Some(3)), // 23 fm pixels
            (Some((1, u32::MAX)), Some((1, u32::MAX)), Some(3)), // 430 km pixels
        ];
        for (x, y, u) in cases {
            for le in [true, false] {
                assert_eq!(
                    cal(&tiff_bytes(le, x, y, u, None)),
                    None,
                    "{x:?} {y:?} {u:?}"
                );
            }
        }
        // A missing YResolution gives square pixels.
        let b = tiff_bytes(true, Some((4000, 1)), None, Some(3), None);
        assert_eq!(cal(&b), Some((2.5, 2.5, "µm")));
        // A negative SRATIONAL.
        let mut b = tiff_bytes(true, Some((u32::MAX - 9, 1)), Some((10, 1)), Some(3), None);
        let x_entry = 8 + 2 + 8 * 12; // the ninth entry is XResolution (no description)
        assert_eq!(b[x_entry..x_entry + 2], 282u16.to_le_bytes());
        b[x_entry + 2..x_entry + 4].copy_from_slice(&10u16.to_le_bytes());
        assert_eq!(cal(&b), None);
        assert!(Calibration::new(f64::INFINITY, 1.0, Unit::Um).is_none());
        assert!(Calibration::new(-0.5, 0.5, Unit::Um).is_none());
        assert!(Calibration::from_known_distance(0.0, 10.0, Unit::Um).is_none());
        assert!(Calibration::from_known_distance(f64::NAN, 10.0, Unit::Um).is_none());
        assert_eq!(
            Calibration::from_known_distance(100.0, 65.0, Unit::Um),
            Calibration::square(0.65, Unit::Um)
        );
    }

    #[test]
    fn every_truncation_and_corruption_is_read_without_panic() {
        let full = tiff_bytes(
            false,
            Some((153_846, 10)),
            Some((153_846, 10)),
            Some(3),
            Some("ImageJ=1.53t\nunit=micron\n"),
        );
        for n in 0..full.len() {
            let _ = read(&full[..n]);
        }
        for i in 0..full.len() {
            for v in [0u8, 0xff, 0x7f] {
                let mut b = full.clone();
                b[i] = v;
                let _ = read(&b);
            }
        }
        let png = png_with_phys(1_538_462, 1_538_462, 1);
        for n in 0..png.len() {
            let _ = read(&png[..n]);
        }
        // An IFD offset past the end, a huge entry count.
        let _ = read(b"II\x2a\x00\xff\xff\xff\xff");
        let _ = read(b"MM\x00\x2a\x00\x00\x00\x08\xff\xff");
    }

    fn png_with_phys(x: u32, y: u32, unit: u8) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(13u32.to_be_bytes());
        b.extend(b"IHDR");
        b.extend([0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]);
        b.extend([0; 4]); // CRC, not checked here
        b.extend(9u32.to_be_bytes());
        b.extend(b"pHYs");
        b.extend(x.to_be_bytes());
        b.extend(y.to_be_bytes());
        b.push(unit);
        b.extend([0; 4]);
        b.extend(0u32.to_be_bytes());
        b.extend(b"IEND");
        b.extend([0; 4]);
        b
    }

    #[test]
    fn png_phys_in_metres_unless_a_device_resolution() {
        let (c, s) = read(&png_with_phys(1_538_462, 1_538_462, 1)).expect("calibrated");
        assert!((c.pixel_width - 0.65).abs() < 1e-6 && c.unit == Unit::Um);
        assert_eq!(s, Source::Png);
        // 72 and 300 dpi (2835 and 11811 pixels a metre), the unit "unknown", zero: none.
        for (x, y, u) in [
            (2835, 2835, 1),
            (11811, 11811, 1),
            (3780, 3780, 1),
            (1_538_462, 1_538_462, 0),
            (0, 0, 1),
        ] {
            assert_eq!(calibration(&png_with_phys(x, y, u)), None, "{x} {y} {u}");
        }
    }

    #[test]
    fn units_and_text() {
        for u in Unit::ALL {
            assert_eq!(Unit::parse(u.symbol()), Some(u));
        }
        for name in ["µm", "μm", "um", "micron", "Microns", " micrometre "] {
            assert_eq!(Unit::parse(name), Some(Unit::Um), "{name}");
        }
        for name in ["", " ", "pixel", "pixels", "furlong"] {
            assert_eq!(Unit::parse(name), None, "{name}");
        }
        let c = Calibration::square(0.65, Unit::Um).expect("valid");
        assert_eq!(c.describe(), "0.650 µm/pixel");
        assert_eq!(c.area_unit(), "µm²");
        assert!((c.pixel_area_mm2() - 0.4225e-6).abs() < 1e-18);
        let n = Calibration::new(2.5, 5.0, Unit::Um).expect("valid");
        assert_eq!(n.describe(), "2.500 x 5.000 µm/pixel");
        assert_eq!(size_text(1.0 / 300.0), "0.003333");
        assert_eq!(size_text(12.5), "12.500");
    }
}
