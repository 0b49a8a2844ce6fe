//! Decoding PNG, JPEG and TIFF bytes into an [`Image`], with explicit limits checked before any
//! pixel buffer is allocated.

use crate::imaging::image::{Image, Layout, Pixels};
use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits};
use std::{fmt, io::Cursor};

/// Limits applied before and during decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest accepted width x height (default 100 megapixels).
    pub max_pixels: u64,
    /// Largest accepted width or height, each (default 65535).
    pub max_side: u32,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_pixels: 100_000_000,
            max_side: 65_535,
        }
    }
}

/// What went wrong while decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// Zero bytes.
    Empty,
    /// Not a PNG, JPEG or TIFF file.
    NotAnImage,
    /// The data ends before the image does.
    Truncated,
    /// The data is damaged.
    Corrupt,
    /// Larger than the limits allow.
    TooLarge,
    /// A valid image of a kind that is not supported (e.g. a TIFF compression or sample format).
    Unsupported,
}

/// A decoding failure, with a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The category.
    pub kind: DecodeErrorKind,
    /// What happened, in words (without the file name; the caller adds it).
    pub message: String,
}

impl DecodeError {
    fn new(kind: DecodeErrorKind, message: impl Into<String>) -> Self {
        DecodeError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// The container formats this decoder accepts.
pub const SUPPORTED_FORMATS: &str = "PNG, JPEG or TIFF";

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Tiff => "TIFF",
        _ => "image",
    }
}

fn classify(err: ImageError, format: &str) -> DecodeError {
    match err {
        ImageError::Limits(e) => DecodeError::new(
            DecodeErrorKind::TooLarge,
            format!("the {format} needs more memory than allowed ({e})"),
        ),
        ImageError::Unsupported(e) => {
            let text = e.to_string().trim().to_string();
            let message = if ["Unknown(32)", "Unknown(64)", "for 32 bits", "for 64 bits"]
                .iter()
                .any(|k| text.contains(k))
            {
                format!(
                    "a {format} of 32- or 64-bit grey samples (float or integer) is not supported: \
                     save it as 8- or 16-bit"
                )
            } else if text.to_ascii_lowercase().contains("bigtiff") {
                "a BigTIFF is not supported: save it as a classic TIFF".to_string()
            } else {
                format!("unsupported {format} variant: {text}")
            };
            DecodeError::new(DecodeErrorKind::Unsupported, message)
        }
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::new(
                DecodeErrorKind::Truncated,
                format!("the {format} file is truncated (it ends early)"),
            )
        }
        ImageError::Decoding(e) => {
            let text = e.to_string().trim().to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("eof")
                || lower.contains("end of")
                || lower.contains("truncat")
                || lower.contains("not enough bytes")
            {
                DecodeError::new(
                    DecodeErrorKind::Truncated,
                    format!("the {format} file is truncated ({text})"),
                )
            } else {
                DecodeError::new(
                    DecodeErrorKind::Corrupt,
                    format!("the {format} file is damaged ({text})"),
                )
            }
        }
        other => DecodeError::new(
            DecodeErrorKind::Corrupt,
            format!("could not read the {format} file ({other})"),
        ),
    }
}

type Reader<'a> = ImageReader<Cursor<&'a [u8]>>;

fn reader(bytes: &[u8]) -> Result<(Reader<'_>, ImageFormat), DecodeError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::new(DecodeErrorKind::Corrupt, e.to_string()))?;
    match reader.format() {
        Some(f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Tiff)) => Ok((reader, f)),
        Some(other) => Err(DecodeError::new(
            DecodeErrorKind::Unsupported,
            format!(
                "{} files are not supported (use {SUPPORTED_FORMATS})",
                other
                    .extensions_str()
                    .first()
                    .unwrap_or(&"this kind of")
                    .to_uppercase()
            ),
        )),
        None if bytes.starts_with(b"II\x2b\x00") || bytes.starts_with(b"MM\x00\x2b") => {
            Err(DecodeError::new(
                DecodeErrorKind::Unsupported,
                "a BigTIFF is not supported: save it as a classic TIFF",
            ))
        }
        None => Err(DecodeError::new(
            DecodeErrorKind::NotAnImage,
            format!("not an image: the content is not {SUPPORTED_FORMATS}"),
        )),
    }
}

/// Reads only the header: (width, height).
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::new(
            DecodeErrorKind::Empty,
            "the file is empty (0 bytes)",
        ));
    }
    let (reader, format) = reader(bytes)?;
    reader
        .into_dimensions()
        .map_err(|e| classify(e, format_name(format)))
}

/// Decodes PNG, JPEG or TIFF bytes; 8- and 16-bit grey, grey+alpha, RGB and RGBA are kept as they
/// are (palette images are expanded to RGB or RGBA, 32-bit float TIFF is converted to 16-bit).
///
/// The header is read first and the pixel budget checked before any pixel buffer is allocated.
///
/// ```
/// use fluocount::imaging::{decode, DecodeErrorKind, DecodeLimits};
/// let err = decode(b"hello", &DecodeLimits::default()).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::NotAnImage);
/// ```
pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<Image, DecodeError> {
    check_png_header(bytes)?;
    let (width, height) = dimensions(bytes)?;
    let pixels = width as u64 * height as u64;
    if pixels == 0 {
        return Err(DecodeError::new(
            DecodeErrorKind::Corrupt,
            format!("the image has no pixels ({width}x{height})"),
        ));
    }
    if width > limits.max_side || height > limits.max_side {
        return Err(DecodeError::new(
            DecodeErrorKind::TooLarge,
            format!(
                "{width}x{height} has a side over the limit of {} pixels",
                limits.max_side
            ),
        ));
    }
    if pixels > limits.max_pixels {
        return Err(DecodeError::new(
            DecodeErrorKind::TooLarge,
            format!(
                "{width}x{height} is {:.1} megapixels, over the limit of {:.1} megapixels",
                pixels as f64 / 1e6,
                limits.max_pixels as f64 / 1e6
            ),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        check_jpeg(bytes, width, height)?;
    }
    // An ICC profile is never used, and a compressed one can be a bomb: it is left out.
    let stripped = strip_png_chunk(bytes, b"iCCP");
    let bytes = stripped.as_deref().unwrap_or(bytes);
    let (mut reader, format) = reader(bytes)?;
    let budget = pixels.saturating_mul(16).saturating_add(64 << 20);
    if format == ImageFormat::Png {
        return decode_png(bytes, budget);
    }
    let mut lim = Limits::default();
    lim.max_image_width = Some(limits.max_side);
    lim.max_image_height = Some(limits.max_side);
    // The largest buffer a permitted image needs: 4 channels of 32-bit float, plus decoder slack.
    lim.max_alloc = Some(budget);
    reader.limits(lim);
    let name = format_name(format);
    let dynamic = reader.decode().map_err(|e| classify(e, name))?;
    from_dynamic(dynamic, name)
}

/// What a reader should know about a file that decodes but is not read whole: today, the pages
/// of a multi-page TIFF after the first (only the first is counted). Empty for every other file.
/// Reads only the header chain, never the pixels.
///
/// ```
/// use fluocount::imaging::decode::notes;
/// assert!(notes(b"\x89PNG\r\n\x1a\n").is_empty());
/// ```
pub fn notes(bytes: &[u8]) -> Vec<String> {
    match tiff_pages(bytes) {
        Some(n) if n > 1 => vec![format!(
            "a multi-page TIFF of {n} pages: only page 1 is counted"
        )],
        _ => Vec::new(),
    }
}

/// The bytes of a classic TIFF whose first page is page `page` (1-based) of `bytes`: the header's
/// first-directory offset is pointed at that page's directory, and every offset in a TIFF is from
/// the start of the file, so the decoder then reads that page, with all its checks and limits.
/// ImageJ's slice numbers are 1-based too. Page 1 gives the bytes unchanged.
///
/// ```
/// use fluocount::imaging::decode::tiff_page;
/// assert!(tiff_page(b"not a tiff", 2).is_err());
/// ```
pub fn tiff_page(bytes: &[u8], page: u32) -> Result<Vec<u8>, String> {
    let pages = tiff_pages(bytes).ok_or_else(|| "only a TIFF has pages".to_string())?;
    if page == 0 || page > pages {
        return Err(format!(
            "page {page} was asked for; the TIFF has {pages} page{}",
            if pages == 1 { "" } else { "s" }
        ));
    }
    let offsets = tiff_page_offsets(bytes);
    let at = *offsets
        .get(page as usize - 1)
        .ok_or_else(|| format!("page {page} could not be found"))?;
    let le = bytes.starts_with(b"II");
    let mut out = bytes.to_vec();
    let word = u32::try_from(at).map_err(|_| "the page lies beyond 4 GB".to_string())?;
    out[4..8].copy_from_slice(&if le {
        word.to_le_bytes()
    } else {
        word.to_be_bytes()
    });
    Ok(out)
}

/// The offsets of a classic TIFF's page directories, in order (see [`tiff_pages`]).
fn tiff_page_offsets(bytes: &[u8]) -> Vec<usize> {
    let le = match bytes.get(..4) {
        Some([b'I', b'I', 42, 0]) => true,
        Some([b'M', b'M', 0, 42]) => false,
        _ => return Vec::new(),
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let mut offsets = Vec::new();
    let Some(first) = u32_at(4) else {
        return offsets;
    };
    let mut offset = first as usize;
    let mut seen = std::collections::BTreeSet::new();
    while offset != 0 && offsets.len() < 65_535 && seen.insert(offset) {
        let Some(entries) = u16_at(offset) else { break };
        offsets.push(offset);
        let next = offset + 2 + usize::from(entries) * 12;
        match u32_at(next) {
            Some(n) => offset = n as usize,
            None => break,
        }
    }
    offsets
}

/// The number of pages (image file directories) of a classic TIFF, following the chain until it
/// ends, leaves the file, loops, or passes 65,535 pages; `None` if the bytes are no classic TIFF.
pub fn tiff_pages(bytes: &[u8]) -> Option<u32> {
    match bytes.get(..4)? {
        [b'I', b'I', 42, 0] | [b'M', b'M', 0, 42] => Some(tiff_page_offsets(bytes).len() as u32),
        _ => None,
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_MAX_SIDE: u32 = (1 << 31) - 1;

/// Decodes a PNG with the `png` crate directly, with its zlib checksum (Adler-32) verified, which
/// `image` leaves off: a PNG whose compressed data is damaged but whose chunk checksums were
/// recomputed is refused rather than decoded into wrong pixels. Palette and low-depth images are
/// expanded to 8 bits, a transparency chunk to an alpha channel; 16-bit samples are kept.
fn decode_png(bytes: &[u8], budget: u64) -> Result<Image, DecodeError> {
    let fail = |e: png::DecodingError| {
        let text = e.to_string().trim().to_string();
        match e {
            png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                DecodeError::new(
                    DecodeErrorKind::Truncated,
                    "the PNG file is truncated (it ends early)",
                )
            }
            png::DecodingError::LimitsExceeded => DecodeError::new(
                DecodeErrorKind::TooLarge,
                "the PNG needs more memory than allowed",
            ),
            _ if text.to_ascii_lowercase().contains("eof")
                || text.to_ascii_lowercase().contains("end of") =>
            {
                DecodeError::new(
                    DecodeErrorKind::Truncated,
                    format!("the PNG file is truncated ({text})"),
                )
            }
            _ => DecodeError::new(
                DecodeErrorKind::Corrupt,
                format!("the PNG file is damaged ({text})"),
            ),
        }
    };
    let mut options = png::DecodeOptions::default();
    options.set_ignore_adler32(false);
    options.set_ignore_crc(false);
    let mut decoder = png::Decoder::new_with_options(Cursor::new(bytes), options);
    decoder.set_limits(png::Limits {
        bytes: usize::try_from(budget).unwrap_or(usize::MAX),
    });
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(fail)?;
    let size = reader.output_buffer_size().ok_or_else(|| {
        DecodeError::new(
            DecodeErrorKind::TooLarge,
            "the PNG needs more memory than allowed",
        )
    })?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(fail)?;
    // The rest of the file: the end of the zlib stream (its checksum) and the end chunk.
    reader.finish().map_err(fail)?;
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width, info.height);
    let layout = match info.color_type {
        png::ColorType::Grayscale => Layout::Gray,
        png::ColorType::GrayscaleAlpha => Layout::GrayAlpha,
        png::ColorType::Rgb => Layout::Rgb,
        png::ColorType::Rgba => Layout::Rgba,
        png::ColorType::Indexed => {
            return Err(DecodeError::new(
                DecodeErrorKind::Unsupported,
                "a palette PNG that could not be expanded",
            ));
        }
    };
    let pixels = match info.bit_depth {
        png::BitDepth::Sixteen => Pixels::U16(
            buf.chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect(),
        ),
        png::BitDepth::Eight => Pixels::U8(buf),
        other => {
            return Err(DecodeError::new(
                DecodeErrorKind::Unsupported,
                format!(
                    "a PNG of {} bits a sample that could not be expanded",
                    other as u8
                ),
            ));
        }
    };
    let expected = w as usize * h as usize * layout.channels();
    let got = match &pixels {
        Pixels::U8(v) => v.len(),
        Pixels::U16(v) => v.len(),
    };
    if got != expected {
        return Err(DecodeError::new(
            DecodeErrorKind::Corrupt,
            format!("the PNG file is damaged ({got} samples for {w}x{h})"),
        ));
    }
    Ok(Image::new(w, h, layout, pixels))
}

/// A PNG's sides are at most 2^31 - 1 (its specification): beyond, the header is invalid, and it
/// is said so before any decoder reads it.
fn check_png_header(bytes: &[u8]) -> Result<(), DecodeError> {
    if !bytes.starts_with(PNG_SIGNATURE) || bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
        return Ok(());
    }
    let side =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (width, height) = (side(16), side(20));
    if width > PNG_MAX_SIDE || height > PNG_MAX_SIDE {
        return Err(DecodeError::new(
            DecodeErrorKind::Corrupt,
            format!(
                "the PNG header is invalid: {width}x{height} (a PNG side is at most {PNG_MAX_SIDE})"
            ),
        ));
    }
    Ok(())
}

/// A JPEG must end with its end-of-image marker after its last scan, and cannot hold fewer
/// bytes than its blocks need (a bit an 8x8 block at the very least): otherwise it is cut short
/// or its header claims a size its data does not have, and a decoder would invent the pixels.
fn check_jpeg(bytes: &[u8], width: u32, height: u32) -> Result<(), DecodeError> {
    let last = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
    let (sos, eoi) = (last(0xDA), last(0xD9));
    if eoi.is_none_or(|e| sos.is_some_and(|s| e < s)) {
        return Err(DecodeError::new(
            DecodeErrorKind::Truncated,
            "the JPEG file is truncated (its last scan has no end marker)",
        ));
    }
    let blocks = u64::from(width.div_ceil(8)) * u64::from(height.div_ceil(8));
    if (bytes.len() as u64) < blocks / 8 {
        return Err(DecodeError::new(
            DecodeErrorKind::Truncated,
            format!(
                "{} bytes are too few for the {width}x{height} pixels its header claims (a JPEG \
                 of that size needs at least {} bytes): the file is cut short or its header is wrong",
                bytes.len(),
                blocks / 8
            ),
        ));
    }
    Ok(())
}

/// The PNG without its chunks of type `kind`, or `None` if it has none (or is not a PNG whose
/// chunks can be walked; the decoder then reports it).
fn strip_png_chunk(bytes: &[u8], kind: &[u8; 4]) -> Option<Vec<u8>> {
    let mut at = bytes
        .strip_prefix(PNG_SIGNATURE)
        .map(|_| PNG_SIGNATURE.len())?;
    let mut spans = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let end = at.checked_add(12)?.checked_add(len)?.min(bytes.len());
        if &bytes[at + 4..at + 8] == kind {
            spans.push((at, end));
        }
        if &bytes[at + 4..at + 8] == b"IEND" {
            break;
        }
        at = end;
    }
    if spans.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut from = 0;
    for (a, b) in spans {
        out.extend_from_slice(&bytes[from..a]);
        from = b;
    }
    out.extend_from_slice(&bytes[from..]);
    Some(out)
}

/// Float RGB(A) samples to 16 bits by their range: 0..1 (the usual convention) scales by 65535,
/// 0..255 (8-bit values stored as float) by 257, 0..65535 as it is; anything larger is scaled so
/// that its largest value is 65535. Negative values and NaN are 0.
fn float_to_u16(samples: &[f32]) -> Vec<u16> {
    let max = samples
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f32, f32::max);
    let scale = if max <= 1.0 {
        65535.0
    } else if max <= 255.0 {
        257.0
    } else if max <= 65535.0 {
        1.0
    } else {
        65535.0 / max
    };
    samples
        .iter()
        .map(|&v| {
            if v.is_finite() && v > 0.0 {
                (v * scale).round().min(65535.0) as u16
            } else {
                0
            }
        })
        .collect()
}

fn from_dynamic(dynamic: DynamicImage, format: &str) -> Result<Image, DecodeError> {
    let (w, h) = (dynamic.width(), dynamic.height());
    let image = match dynamic {
        DynamicImage::ImageLuma8(b) => Image::new(w, h, Layout::Gray, Pixels::U8(b.into_raw())),
        DynamicImage::ImageLumaA8(b) => {
            Image::new(w, h, Layout::GrayAlpha, Pixels::U8(b.into_raw()))
        }
        DynamicImage::ImageRgb8(b) => Image::new(w, h, Layout::Rgb, Pixels::U8(b.into_raw())),
        DynamicImage::ImageRgba8(b) => Image::new(w, h, Layout::Rgba, Pixels::U8(b.into_raw())),
        DynamicImage::ImageLuma16(b) => Image::new(w, h, Layout::Gray, Pixels::U16(b.into_raw())),
        DynamicImage::ImageLumaA16(b) => {
            Image::new(w, h, Layout::GrayAlpha, Pixels::U16(b.into_raw()))
        }
        DynamicImage::ImageRgb16(b) => Image::new(w, h, Layout::Rgb, Pixels::U16(b.into_raw())),
        DynamicImage::ImageRgba16(b) => Image::new(w, h, Layout::Rgba, Pixels::U16(b.into_raw())),
        DynamicImage::ImageRgb32F(b) => {
            Image::new(w, h, Layout::Rgb, Pixels::U16(float_to_u16(b.as_raw())))
        }
        DynamicImage::ImageRgba32F(b) => {
            Image::new(w, h, Layout::Rgba, Pixels::U16(float_to_u16(b.as_raw())))
        }
        _ => {
            return Err(DecodeError::new(
                DecodeErrorKind::Unsupported,
                format!("unsupported {format} pixel format"),
            ));
        }
    };
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::zip::crc32;

    #[test]
    fn a_multi_page_tiff_is_noted_and_its_page_chain_counted_safely() {
        // From the bad-input corpus (tests/bad_inputs.rs makes them).
        let three = include_bytes!("../../tests/data/bad/tiff-multipage.tif").to_vec();
        let one = include_bytes!("../../tests/data/bad/tiff-gray8-none.tif");
        assert_eq!(tiff_pages(&three), Some(3));
        assert_eq!(
            notes(&three),
            ["a multi-page TIFF of 3 pages: only page 1 is counted"]
        );
        // One page: nothing to say. Not a TIFF: no pages.
        assert_eq!(tiff_pages(one), Some(1));
        assert!(notes(one).is_empty());
        assert_eq!(tiff_pages(b"\x89PNG"), None);
        // A chain that points back to its first directory ends there; one that leaves the file
        // ends at the last directory read; every truncation reads without a panic.
        let first = u32::from_le_bytes([three[4], three[5], three[6], three[7]]) as usize;
        let entries = u16::from_le_bytes([three[first], three[first + 1]]) as usize;
        let next_at = first + 2 + entries * 12;
        let mut looped = three.clone();
        looped[next_at..next_at + 4].copy_from_slice(&(first as u32).to_le_bytes());
        assert_eq!(tiff_pages(&looped), Some(1));
        let mut away = three.clone();
        away[next_at..next_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(tiff_pages(&away), Some(1));
        for cut in 0..three.len() {
            let _ = tiff_pages(&three[..cut]);
            let _ = tiff_page(&three[..cut], 2);
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_chosen_page_of_a_multi_page_tiff_decodes_as_that_page() {
        // Three 4x3 grey pages of the values 10, 20 and 30:
        // each page picked decodes to its own value.
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut t = tiff::encoder::TiffEncoder::new(&mut out).expect("tiff");
            for v in [10u8, 20, 30] {
                t.write_image::<tiff::encoder::colortype::Gray8>(4, 3, &[v; 12])
                    .expect("page");
            }
        }
        let three = out.into_inner();
        for page in 1..=3u32 {
            let bytes = tiff_page(&three, page).expect("a page");
            let img = decode(&bytes, &DecodeLimits::default()).expect("decodes");
            assert_eq!((img.width(), img.height()), (4, 3));
            let crate::imaging::Pixels::U8(px) = img.pixels() else {
                panic!("8-bit")
            };
            assert!(px.iter().all(|&p| u32::from(p) == 10 * page), "page {page}");
            assert_eq!(
                tiff_pages(&bytes),
                Some(4 - page),
                "the chain goes on from the page"
            );
        }
        assert_eq!(tiff_page(&three, 1).as_deref(), Ok(&three[..]));
        assert_eq!(
            tiff_page(&three, 4),
            Err("page 4 was asked for; the TIFF has 3 pages".to_string())
        );
        assert!(tiff_page(&three, 0).is_err());
        assert_eq!(
            tiff_page(b"\x89PNG\r\n", 1),
            Err("only a TIFF has pages".to_string())
        );
    }
    use image::{ImageBuffer, Luma, Rgb, Rgba};

    fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encode");
        out.into_inner()
    }

    #[test]
    fn png_16_bit_grey_keeps_full_precision() {
        let buf = ImageBuffer::<Luma<u16>, _>::from_raw(2, 1, vec![1u16, 65535]).expect("buf");
        let bytes = encode(DynamicImage::ImageLuma16(buf), ImageFormat::Png);
        let img = decode(&bytes, &DecodeLimits::default()).expect("decodes");
        assert_eq!(img.pixels(), &Pixels::U16(vec![1, 65535]));
        assert_eq!(img.layout(), Layout::Gray);
    }

    #[test]
    fn png_rgba_and_rgb_layouts() {
        let rgba = ImageBuffer::<Rgba<u8>, _>::from_raw(1, 1, vec![1, 2, 3, 4]).expect("buf");
        let img = decode(
            &encode(DynamicImage::ImageRgba8(rgba), ImageFormat::Png),
            &DecodeLimits::default(),
        )
        .expect("decodes");
        assert_eq!(img.layout(), Layout::Rgba);
        assert_eq!(img.pixel(0, 0), vec![1, 2, 3, 4]);
        let rgb = ImageBuffer::<Rgb<u16>, _>::from_raw(1, 1, vec![100, 200, 300]).expect("buf");
        let img = decode(
            &encode(DynamicImage::ImageRgb16(rgb), ImageFormat::Tiff),
            &DecodeLimits::default(),
        )
        .expect("decodes");
        assert_eq!(img.describe(), "1x1 RGB 16-bit");
        assert_eq!(img.pixel(0, 0), vec![100, 200, 300]);
    }

    #[test]
    fn jpeg_decodes() {
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_pixel(8, 8, Rgb([200, 200, 10]));
        let img = decode(
            &encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Jpeg),
            &DecodeLimits::default(),
        )
        .expect("decodes");
        assert_eq!((img.width(), img.height()), (8, 8));
    }

    #[test]
    fn bad_inputs_are_classified() {
        let limits = DecodeLimits::default();
        assert_eq!(
            decode(b"", &limits).unwrap_err().kind,
            DecodeErrorKind::Empty
        );
        assert_eq!(
            decode(b"just some text", &limits).unwrap_err().kind,
            DecodeErrorKind::NotAnImage
        );
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_pixel(64, 64, Rgb([9, 9, 9]));
        let png = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
        let cut = &png[..png.len() / 2];
        let err = decode(cut, &limits).unwrap_err();
        assert!(
            matches!(
                err.kind,
                DecodeErrorKind::Truncated | DecodeErrorKind::Corrupt
            ),
            "{err:?}"
        );
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(
            decode(gif, &limits).unwrap_err().kind,
            DecodeErrorKind::Unsupported
        );
    }

    #[test]
    fn pixel_budget_is_checked_before_decoding() {
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_pixel(100, 100, Rgb([0, 0, 0]));
        let png = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
        let small = DecodeLimits {
            max_pixels: 9_999,
            ..DecodeLimits::default()
        };
        let err = decode(&png, &small).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::TooLarge);
        assert!(err.message.contains("megapixels"), "{}", err.message);
    }

    #[test]
    fn huge_header_is_refused_without_allocating() {
        // A PNG header that claims 60000 x 60000 pixels, followed by nothing.
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_pixel(1, 1, Rgb([0, 0, 0]));
        let mut png = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = decode(&png, &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::TooLarge, "{err:?}");
    }

    /// A PNG with one chunk of `kind` and `data` inserted after IHDR.
    fn with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let ihdr_end = 8 + 25;
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(kind);
        chunk.extend_from_slice(data);
        let crc = crc32(&chunk[4..]);
        chunk.extend_from_slice(&crc.to_be_bytes());
        let mut out = png[..ihdr_end].to_vec();
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&png[ihdr_end..]);
        out
    }

    fn png_of_size(w: u32, h: u32) -> Vec<u8> {
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_pixel(1, 1, Rgb([0, 0, 0]));
        let mut png = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
        png[16..20].copy_from_slice(&w.to_be_bytes());
        png[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    #[test]
    fn size_messages_say_which_limit_and_an_invalid_png_side_is_invalid() {
        let limits = DecodeLimits::default();
        for (w, h) in [(65_536, 1), (1, 100_000_000)] {
            let err = decode(&png_of_size(w, h), &limits).unwrap_err();
            assert_eq!(err.kind, DecodeErrorKind::TooLarge);
            assert!(
                err.message.contains("a side over the limit of 65535"),
                "{}",
                err.message
            );
        }
        let err = decode(&png_of_size(20_000, 20_000), &limits).unwrap_err();
        assert!(err.message.contains("400.0 megapixels"), "{}", err.message);
        let err = decode(&png_of_size(1 << 31, 1), &limits).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::Corrupt, "{err:?}");
        assert!(
            err.message.contains("PNG header is invalid"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_cut_jpeg_and_a_jpeg_whose_header_lies_are_refused() {
        let rgb =
            ImageBuffer::<Rgb<u8>, _>::from_fn(64, 48, |x, y| Rgb([x as u8 * 3, y as u8 * 5, 7]));
        let jpeg = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Jpeg);
        let limits = DecodeLimits::default();
        assert!(decode(&jpeg, &limits).is_ok());
        for cut in [jpeg.len() / 2, jpeg.len() - 2, jpeg.len() - 1] {
            let err = decode(&jpeg[..cut], &limits).unwrap_err();
            assert_eq!(
                err.kind,
                DecodeErrorKind::Truncated,
                "cut at {cut}: {err:?}"
            );
        }
        // The frame header (SOF0: FF C0, length, precision, height, width) claims 1600x60000.
        let sof = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame");
        let mut liar = jpeg.clone();
        liar[sof + 5..sof + 7].copy_from_slice(&1600u16.to_be_bytes());
        liar[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        let err = decode(&liar, &limits).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::Truncated, "{err:?}");
        assert!(err.message.contains("too few"), "{}", err.message);
    }

    #[test]
    fn an_icc_profile_is_left_out_before_decoding() {
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_pixel(2, 2, Rgb([10, 20, 30]));
        let png = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
        // A profile name, compression method 0, then data that is not even zlib.
        let bomb = with_chunk(&png, b"iCCP", b"p\0\0\x78\x9c\xff\xff\xff\xff");
        let stripped = strip_png_chunk(&bomb, b"iCCP").expect("an iCCP chunk");
        assert_eq!(stripped, png);
        let img = decode(&bomb, &DecodeLimits::default()).expect("decodes without its profile");
        assert_eq!(img.pixel(1, 1), vec![10, 20, 30]);
        assert!(strip_png_chunk(&png, b"iCCP").is_none());
        assert!(strip_png_chunk(b"not a png", b"iCCP").is_none());
        // A chunk length past the end does not panic.
        let mut long = png.clone();
        long[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        let _ = strip_png_chunk(&long, b"iCCP");
    }

    #[test]
    fn a_png_whose_compressed_data_is_damaged_under_valid_chunk_checksums_is_refused() {
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_fn(40, 30, |x, y| Rgb([x as u8, y as u8, 9]));
        let png = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
        // Flip a byte of the zlib stream's Adler-32 (the last 4 bytes of the IDAT data), then
        // recompute the chunk's CRC, as a careless repair tool would.
        let idat = png.windows(4).position(|w| w == b"IDAT").expect("IDAT") - 4;
        let len = u32::from_be_bytes(png[idat..idat + 4].try_into().expect("4")) as usize;
        let mut bad = png.clone();
        bad[idat + 8 + len - 1] ^= 0x55;
        let crc = crc32(&bad[idat + 4..idat + 8 + len]);
        bad[idat + 8 + len..idat + 12 + len].copy_from_slice(&crc.to_be_bytes());
        let err = decode(&bad, &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::Corrupt, "{err:?}");
        // The undamaged file still reads, pixel for pixel.
        let img = decode(&png, &DecodeLimits::default()).expect("decodes");
        assert_eq!(img.pixel(39, 29), vec![39, 29, 9]);
    }

    #[test]
    fn a_bigtiff_is_unsupported_not_a_non_image() {
        let mut big = b"II\x2b\x00\x08\x00\x00\x00".to_vec();
        big.extend_from_slice(&16u64.to_le_bytes());
        let err = decode(&big, &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::Unsupported, "{err:?}");
        assert!(err.message.contains("BigTIFF"), "{}", err.message);
    }

    #[test]
    fn float_samples_are_scaled_by_their_range_not_clamped() {
        assert_eq!(float_to_u16(&[0.0, 0.5, 1.0]), vec![0, 32768, 65535]);
        assert_eq!(float_to_u16(&[0.0, 128.0, 255.0]), vec![0, 32896, 65535]);
        assert_eq!(float_to_u16(&[2.0, 4000.0]), vec![2, 4000]);
        assert_eq!(
            float_to_u16(&[-1.0, f32::NAN, 131_070.0]),
            vec![0, 0, 65535]
        );
        // Through a float RGB TIFF of 8-bit values.
        let buf = ImageBuffer::<Rgb<f32>, _>::from_raw(1, 1, vec![0.0, 100.0, 255.0]).expect("buf");
        let img = decode(
            &encode(DynamicImage::ImageRgb32F(buf), ImageFormat::Tiff),
            &DecodeLimits::default(),
        )
        .expect("decodes");
        assert_eq!(img.pixel(0, 0), vec![0, 25700, 65535]);
    }
}
