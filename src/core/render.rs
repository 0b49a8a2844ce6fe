//! Display buffers: the image as 8-bit RGBA for a canvas, and the object overlay composited on it.

use super::image::{Image, Layout, Pixels};

/// How objects are drawn over the image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverlayStyle {
    /// Fill colour and opacity (0..=1) of object pixels, if filled.
    pub fill: Option<([u8; 3], f32)>,
    /// Colour of the object outline, if outlined.
    pub outline: Option<[u8; 3]>,
}

/// Magenta fill at 45 % opacity: clearly visible on green, yellow and red stains.
pub const FILL_COLOUR: [u8; 3] = [255, 0, 255];
/// Default fill opacity.
pub const FILL_OPACITY: f32 = 0.45;
/// Cyan outline.
pub const OUTLINE_COLOUR: [u8; 3] = [0, 255, 255];

impl OverlayStyle {
    /// The style for the two overlay switches, with the default colours.
    pub fn new(fill: bool, outline: bool) -> Self {
        OverlayStyle {
            fill: fill.then_some((FILL_COLOUR, FILL_OPACITY)),
            outline: outline.then_some(OUTLINE_COLOUR),
        }
    }
}

/// `#rrggbb` for a colour.
pub fn hex_colour(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Reads `#rrggbb` (as an `<input type="color">` gives it); `None` for anything else.
pub fn parse_hex_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The colour samples (alpha dropped) of a pixel as (r, g, b) at the source depth.
fn rgb_at<T: Copy>(samples: &[T], layout: Layout, i: usize) -> (T, T, T) {
    let c = layout.channels();
    let p = &samples[i * c..i * c + c];
    match layout {
        Layout::Gray | Layout::GrayAlpha => (p[0], p[0], p[0]),
        Layout::Rgb | Layout::Rgba => (p[0], p[1], p[2]),
    }
}

/// The image as opaque 8-bit RGBA, row-major. 8-bit samples are shown as they are; 16-bit samples
/// are stretched linearly from their smallest to their largest colour value, so a dim 12-bit
/// image is not black. Alpha is ignored (shown opaque).
pub fn display_rgba(image: &Image) -> Vec<u8> {
    let n = image.len();
    let layout = image.layout();
    let mut out = Vec::with_capacity(n * 4);
    match image.pixels() {
        Pixels::U8(v) => {
            for i in 0..n {
                let (r, g, b) = rgb_at(v, layout, i);
                out.extend_from_slice(&[r, g, b, 255]);
            }
        }
        Pixels::U16(v) => {
            let (mut lo, mut hi) = (u16::MAX, 0u16);
            for i in 0..n {
                let (r, g, b) = rgb_at(v, layout, i);
                lo = lo.min(r).min(g).min(b);
                hi = hi.max(r).max(g).max(b);
            }
            let span = f32::from(hi.saturating_sub(lo)).max(1.0);
            let scale = |s: u16| (f32::from(s.saturating_sub(lo)) * 255.0 / span).round() as u8;
            for i in 0..n {
                let (r, g, b) = rgb_at(v, layout, i);
                out.extend_from_slice(&[scale(r), scale(g), scale(b), 255]);
            }
        }
    }
    out
}

/// Whether object pixel `i` (label != 0) has a 4-neighbour with another label; outside the image
/// counts as background, so objects cut by the border are closed there.
fn on_outline(labels: &[u32], width: usize, height: usize, i: usize) -> bool {
    let (x, y, l) = (i % width, i / width, labels[i]);
    x == 0
        || y == 0
        || x + 1 == width
        || y + 1 == height
        || labels[i - 1] != l
        || labels[i + 1] != l
        || labels[i - width] != l
        || labels[i + width] != l
}

/// `base` (RGBA, `width * height` pixels) with the objects of `labels` (0 = background) drawn over
/// it in `style`.
///
/// # Panics
/// If `base` or `labels` do not match `width * height`.
pub fn composite(
    base: &[u8],
    labels: &[u32],
    width: u32,
    height: u32,
    style: &OverlayStyle,
) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    assert_eq!(base.len(), w * h * 4, "base buffer does not match the size");
    assert_eq!(labels.len(), w * h, "label image does not match the size");
    let mut out = base.to_vec();
    if style.fill.is_none() && style.outline.is_none() {
        return out;
    }
    for (i, &l) in labels.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let px = &mut out[i * 4..i * 4 + 3];
        if let Some(c) = style.outline.filter(|_| on_outline(labels, w, h, i)) {
            px.copy_from_slice(&c);
        } else if let Some((c, a)) = style.fill {
            for (s, &t) in px.iter_mut().zip(&c) {
                *s = (f32::from(*s) * (1.0 - a) + f32::from(t) * a).round() as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_is_stretched_and_grey_is_repeated() {
        let img = Image::gray16(3, 1, vec![1000, 2000, 3000]);
        let rgba = display_rgba(&img);
        assert_eq!(rgba, [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
        let img = Image::rgb8(1, 1, vec![1, 2, 3]);
        assert_eq!(display_rgba(&img), [1, 2, 3, 255]);
    }

    #[test]
    fn fill_blends_inside_and_outline_marks_the_edge() {
        // A 3x3 object in the middle of a 5x5 image: its centre is inside, its ring is outline.
        let base = display_rgba(&Image::gray8(5, 5, vec![100; 25]));
        let mut labels = vec![0u32; 25];
        for y in 1..4 {
            for x in 1..4 {
                labels[y * 5 + x] = 1;
            }
        }
        let out = composite(&base, &labels, 5, 5, &OverlayStyle::new(true, true));
        assert_eq!(&out[0..4], &[100, 100, 100, 255], "background untouched");
        assert_eq!(&out[(5 + 1) * 4..(5 + 1) * 4 + 3], &OUTLINE_COLOUR);
        assert_eq!(
            &out[12 * 4..12 * 4 + 4],
            &[170, 55, 170, 255],
            "centre filled"
        );
        let off = composite(&base, &labels, 5, 5, &OverlayStyle::new(false, false));
        assert_eq!(off, base);
    }

    #[test]
    fn hex_colours_round_trip_and_reject_garbage() {
        assert_eq!(parse_hex_colour("#ff00a0"), Some([255, 0, 160]));
        assert_eq!(hex_colour([255, 0, 160]), "#ff00a0");
        for bad in ["ff00a0", "#ff00a", "#gg0000", "#ff00a0ff", "#é0000"] {
            assert_eq!(parse_hex_colour(bad), None, "{bad}");
        }
    }
}
