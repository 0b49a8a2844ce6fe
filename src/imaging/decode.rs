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
        ImageError::Unsupported(e) => DecodeError::new(
            DecodeErrorKind::Unsupported,
            format!("unsupported {format} variant: {e}"),
        ),
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::new(
                DecodeErrorKind::Truncated,
                format!("the {format} file is truncated (it ends early)"),
            )
        }
        ImageError::Decoding(e) => {
            let text = e.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("eof") || lower.contains("end of") || lower.contains("truncat") {
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
    let (width, height) = dimensions(bytes)?;
    let pixels = width as u64 * height as u64;
    if pixels == 0 {
        return Err(DecodeError::new(
            DecodeErrorKind::Corrupt,
            format!("the image has no pixels ({width}x{height})"),
        ));
    }
    if pixels > limits.max_pixels || width > limits.max_side || height > limits.max_side {
        return Err(DecodeError::new(
            DecodeErrorKind::TooLarge,
            format!(
                "{width}x{height} is {:.1} megapixels, over the limit of {:.1} megapixels",
                pixels as f64 / 1e6,
                limits
                    .max_pixels
                    .min(limits.max_side as u64 * limits.max_side as u64) as f64
                    / 1e6
            ),
        ));
    }
    let (mut reader, format) = reader(bytes)?;
    let mut lim = Limits::default();
    lim.max_image_width = Some(limits.max_side);
    lim.max_image_height = Some(limits.max_side);
    // The largest buffer a permitted image needs: 4 channels of 32-bit float, plus decoder slack.
    lim.max_alloc = Some(pixels.saturating_mul(16).saturating_add(64 << 20));
    reader.limits(lim);
    let name = format_name(format);
    let dynamic = reader.decode().map_err(|e| classify(e, name))?;
    from_dynamic(dynamic, name)
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
        d @ DynamicImage::ImageRgb32F(_) => {
            Image::new(w, h, Layout::Rgb, Pixels::U16(d.to_rgb16().into_raw()))
        }
        d @ DynamicImage::ImageRgba32F(_) => {
            Image::new(w, h, Layout::Rgba, Pixels::U16(d.to_rgba16().into_raw()))
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

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
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
}
