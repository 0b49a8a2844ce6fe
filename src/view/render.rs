//! Display buffers: the image as 8-bit RGBA for a canvas, and the object overlay composited on it.

use crate::imaging::{
    bitmask::BitMask,
    image::{Image, Layout, Pixels},
    label::{Components, to_mask},
};
use image::ImageEncoder;

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

// The ground-truth colours are chosen to stay apart from each other and from red, green and
// yellow stains and the dark background, for normal vision and for protan, deutan and tritan
// colour blindness (Machado et al. 2009 at full severity; CIELAB ΔE at least 30 from every stain
// and 50 between the three: `palette_is_visible_on_every_stain_and_colour_blind_safe` checks it).
// Green, red and amber, as before, vanished on stains of their own colour (FP red on a red stain:
// ΔE 11) and merged for deutans.

/// Blue for detected objects that match a true cell.
pub const TP_COLOUR: [u8; 3] = [0, 0, 255];
/// White for detected objects that match none.
pub const FP_COLOUR: [u8; 3] = [255, 255, 255];
/// Purple for true cells that no detection matched (rings).
pub const FN_COLOUR: [u8; 3] = [180, 60, 180];

/// Ground-truth colouring: which objects are true positives, and where the missed cells are.
#[derive(Clone, Copy, Debug)]
pub struct ScoreOverlay<'a> {
    /// Per label (index = label − 1): whether the object matched a true cell.
    pub matched: &'a [bool],
    /// Missed true cells as (centre x, centre y, radius), drawn as rings with a centre dot.
    pub missed: &'a [(u32, u32, u32)],
}

/// Like [`composite`], but objects take [`TP_COLOUR`] or [`FP_COLOUR`] (in both fill and outline)
/// and each missed cell is drawn as an [`FN_COLOUR`] ring, 2 px wide, with a 3x3 centre dot.
///
/// # Panics
/// If `base` or `labels` do not match `width * height`.
pub fn composite_scored(
    base: &[u8],
    labels: &[u32],
    width: u32,
    height: u32,
    style: &OverlayStyle,
    score: &ScoreOverlay<'_>,
) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    assert_eq!(base.len(), w * h * 4, "base buffer does not match the size");
    assert_eq!(labels.len(), w * h, "label image does not match the size");
    let mut out = base.to_vec();
    let alpha = style.fill.map_or(0.0, |(_, a)| a);
    for (i, &l) in labels.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let colour = if score.matched.get(l as usize - 1).copied().unwrap_or(false) {
            TP_COLOUR
        } else {
            FP_COLOUR
        };
        let px = &mut out[i * 4..i * 4 + 3];
        if style.outline.is_some() && on_outline(labels, w, h, i) {
            px.copy_from_slice(&colour);
        } else if style.fill.is_some() {
            for (s, &t) in px.iter_mut().zip(&colour) {
                *s = (f32::from(*s) * (1.0 - alpha) + f32::from(t) * alpha).round() as u8;
            }
        }
    }
    draw_rings(&mut out, w, h, score.missed);
    out
}

/// One overlay layer drawn into the image: its colour and opacity (0..=1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paint {
    /// Colour.
    pub colour: [u8; 3],
    /// Opacity, 0 (invisible) to 1 (opaque).
    pub opacity: f32,
}

impl Paint {
    fn blend(self, px: &mut [u8]) {
        let a = self.opacity.clamp(0.0, 1.0);
        for (s, &t) in px.iter_mut().zip(&self.colour) {
            *s = (f32::from(*s) * (1.0 - a) + f32::from(t) * a).round() as u8;
        }
    }
}

/// Every image-space overlay layer of the viewer, each optional.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layers<'a> {
    /// Object fill.
    pub fill: Option<Paint>,
    /// Object outlines (1 px, inside the object).
    pub outline: Option<Paint>,
    /// TP/FP colouring of objects and FN rings; its opacity applies to the fill, outlines and
    /// rings are opaque. The fill and outline switches still decide what is drawn of objects.
    pub score: Option<(ScoreOverlay<'a>, f32)>,
    /// Outlines of the ground-truth mask's cells (mask pixels with a 4-neighbour outside it).
    pub truth: Option<(&'a BitMask, Paint)>,
    /// Per label (index = label − 1): objects removed by a manual correction, drawn as grey
    /// outlines only.
    pub removed: &'a [bool],
    /// The objects a filter removed (`Analysis::rejected`): filled at the paint's opacity, with an
    /// opaque 1-px outline inside them.
    pub rejected: Option<(&'a Components, Paint)>,
    /// Per label (index = label − 1): the classifier's score (`Analysis::scores`, empty when no
    /// model counted). Objects then take [`score_colour`] in the fill and outline, unless the
    /// TP/FP colouring is on.
    pub classifier: &'a [f32],
}

/// The colour of a classifier's score: red-orange at 0, yellow at 0.5, cyan at 1 (linear
/// between), grey for no score.
pub fn score_colour(score: f32) -> [u8; 3] {
    const STOPS: [[f32; 3]; 3] = [
        [230.0, 70.0, 30.0],
        [250.0, 215.0, 40.0],
        [40.0, 210.0, 250.0],
    ];
    if !score.is_finite() {
        return REMOVED_COLOUR;
    }
    let t = score.clamp(0.0, 1.0) * 2.0;
    let (a, b, f) = if t <= 1.0 {
        (STOPS[0], STOPS[1], t)
    } else {
        (STOPS[1], STOPS[2], t - 1.0)
    };
    std::array::from_fn(|k| (a[k] + (b[k] - a[k]) * f).round() as u8)
}

/// Grey for objects a person removed.
pub const REMOVED_COLOUR: [u8; 3] = [150, 150, 150];
/// Light grey for objects a filter removed (the *Rejected* layer), apart from
/// [`REMOVED_COLOUR`].
pub const REJECTED_COLOUR: [u8; 3] = [190, 190, 190];
/// The *Rejected* layer's default fill opacity.
pub const REJECTED_OPACITY: f32 = 0.35;

/// Draws the objects of `rejected` into `out` (RGBA, `w * h`): their pixels blended with `paint`,
/// their outline (pixels with a 4-neighbour outside them, or on the image's edge) in its colour.
fn draw_rejected(out: &mut [u8], w: usize, h: usize, rejected: &Components, paint: Paint) {
    if (rejected.width as usize, rejected.height as usize) != (w, h) {
        return;
    }
    let mask = to_mask(rejected);
    let inside = |x: usize, y: usize| mask.get(x as u32, y as u32);
    for run in &rejected.runs {
        let y = run.y as usize;
        for x in run.x0 as usize..(run.x1 as usize).min(w) {
            let edge = x == 0
                || y == 0
                || x + 1 == w
                || y + 1 == h
                || !inside(x - 1, y)
                || !inside(x + 1, y)
                || !inside(x, y - 1)
                || !inside(x, y + 1);
            let i = (y * w + x) * 4;
            let px = &mut out[i..i + 3];
            if edge {
                px.copy_from_slice(&paint.colour);
            } else {
                paint.blend(px);
            }
        }
    }
}

/// `base` with every layer of `layers` drawn over it, in the order rejected objects, fill,
/// outline (or their TP/FP versions), truth outlines, FN rings.
///
/// # Panics
/// If `base`, `labels` or the truth mask do not match `width * height`.
pub fn composite_layers(
    base: &[u8],
    labels: &[u32],
    width: u32,
    height: u32,
    layers: &Layers<'_>,
) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    assert_eq!(base.len(), w * h * 4, "base buffer does not match the size");
    assert_eq!(labels.len(), w * h, "label image does not match the size");
    let mut out = base.to_vec();
    if let Some((rejected, paint)) = layers.rejected {
        draw_rejected(&mut out, w, h, rejected, paint);
    }
    if layers.fill.is_some() || layers.outline.is_some() {
        for (i, &l) in labels.iter().enumerate() {
            if l == 0 {
                continue;
            }
            let px = &mut out[i * 4..i * 4 + 3];
            let removed = layers.removed.get(l as usize - 1).copied().unwrap_or(false);
            let tp = layers
                .score
                .map(|(s, _)| s.matched.get(l as usize - 1).copied().unwrap_or(false));
            let edge = on_outline(labels, w, h, i);
            if removed {
                if edge {
                    px.copy_from_slice(&REMOVED_COLOUR);
                }
                continue;
            }
            let by_model = layers.classifier.get(l as usize - 1).copied();
            let scored = |p: Paint, opacity: Option<f32>| match (tp, layers.score, by_model) {
                (Some(t), Some((_, a)), _) => Paint {
                    colour: if t { TP_COLOUR } else { FP_COLOUR },
                    opacity: opacity.unwrap_or(a),
                },
                (_, _, Some(s)) => Paint {
                    colour: score_colour(s),
                    opacity: p.opacity,
                },
                _ => p,
            };
            if let Some(p) = layers.outline.filter(|_| edge) {
                scored(p, Some(p.opacity)).blend(px);
            } else if let Some(p) = layers.fill {
                scored(p, None).blend(px);
            }
        }
    }
    if let Some((truth, paint)) = layers.truth {
        assert_eq!(
            (truth.width() as usize, truth.height() as usize),
            (w, h),
            "truth mask does not match the size"
        );
        for y in 0..h {
            for x in 0..w {
                let (xu, yu) = (x as u32, y as u32);
                if !truth.get(xu, yu) {
                    continue;
                }
                let edge = x == 0
                    || y == 0
                    || x + 1 == w
                    || y + 1 == h
                    || !truth.get(xu - 1, yu)
                    || !truth.get(xu + 1, yu)
                    || !truth.get(xu, yu - 1)
                    || !truth.get(xu, yu + 1);
                if edge {
                    let i = (y * w + x) * 4;
                    paint.blend(&mut out[i..i + 3]);
                }
            }
        }
    }
    if let Some((score, _)) = layers.score {
        draw_rings(&mut out, w, h, score.missed);
    }
    out
}

fn draw_rings(out: &mut [u8], w: usize, h: usize, missed: &[(u32, u32, u32)]) {
    let mut put = |x: i64, y: i64| {
        if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
            let i = (y as usize * w + x as usize) * 4;
            out[i..i + 3].copy_from_slice(&FN_COLOUR);
        }
    };
    for &(cx, cy, r) in missed {
        let (cx, cy, r) = (i64::from(cx), i64::from(cy), i64::from(r.max(3)));
        let (inner, outer) = ((r - 1) * (r - 1), (r + 1) * (r + 1));
        for dy in -r - 1..=r + 1 {
            for dx in -r - 1..=r + 1 {
                let d = dx * dx + dy * dy;
                if (inner..outer).contains(&d) || (dx.abs() <= 1 && dy.abs() <= 1) {
                    put(cx + dx, cy + dy);
                }
            }
        }
    }
}

/// A PNG of `rgba` (`width * height` pixels) scaled down to `max_width` (nearest pixel, aspect
/// kept); `None` if encoding fails.
pub fn thumbnail(rgba: &[u8], width: u32, height: u32, max_width: u32) -> Option<Vec<u8>> {
    if width == 0 || height == 0 || rgba.len() != width as usize * height as usize * 4 {
        return None;
    }
    let tw = max_width.clamp(1, width);
    let th = ((u64::from(height) * u64::from(tw)) / u64::from(width)).max(1) as u32;
    let mut small = Vec::with_capacity(tw as usize * th as usize * 4);
    for y in 0..th {
        let sy = (u64::from(y) * u64::from(height) / u64::from(th)) as usize;
        for x in 0..tw {
            let sx = (u64::from(x) * u64::from(width) / u64::from(tw)) as usize;
            let i = (sy * width as usize + sx) * 4;
            small.extend_from_slice(&rgba[i..i + 4]);
        }
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&small, tw, th, image::ExtendedColorType::Rgba8)
        .ok()?;
    Some(png)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// A `data:` URL of PNG bytes, for an `<img>`: the browser decodes it off the main thread, and
/// unlike a blob URL it costs no round trip to the browser's blob store.
pub fn png_data_url(png: &[u8]) -> String {
    format!("data:image/png;base64,{}", base64(png))
}

/// A PNG thumbnail `max_width` wide (at most the image's width) of `image` with the objects of
/// `labels` filled and outlined in the default overlay colours (nearest-pixel sampling; 16-bit
/// stretched by the samples seen).
pub fn labelled_thumbnail(image: &Image, labels: &[u32], max_width: u32) -> Option<Vec<u8>> {
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 || labels.len() != w as usize * h as usize {
        return None;
    }
    let tw = max_width.clamp(1, w);
    let th = ((u64::from(h) * u64::from(tw)) / u64::from(w)).max(1) as u32;
    let ch = image.layout().channels();
    let sx: Vec<usize> = (0..tw)
        .map(|x| (u64::from(x) * u64::from(w) / u64::from(tw)) as usize)
        .collect();
    let sy: Vec<usize> = (0..th)
        .map(|y| (u64::from(y) * u64::from(h) / u64::from(th)) as usize)
        .collect();
    let mut small_labels = Vec::with_capacity(tw as usize * th as usize);
    let mut samples = Vec::with_capacity(tw as usize * th as usize * ch);
    for &y in &sy {
        for &x in &sx {
            let i = y * w as usize + x;
            small_labels.push(labels[i]);
            match image.pixels() {
                Pixels::U8(p) => {
                    samples.extend(p[i * ch..(i + 1) * ch].iter().map(|&v| u16::from(v)))
                }
                Pixels::U16(p) => samples.extend_from_slice(&p[i * ch..(i + 1) * ch]),
            }
        }
    }
    let pixels = match image.pixels() {
        Pixels::U8(_) => Pixels::U8(samples.iter().map(|&v| v as u8).collect()),
        Pixels::U16(_) => Pixels::U16(samples),
    };
    let small = Image::new(tw, th, image.layout(), pixels);
    let base = display_rgba(&small);
    let drawn = crate::view::render::composite(
        &base,
        &small_labels,
        tw,
        th,
        &OverlayStyle::new(true, true),
    );
    thumbnail(&drawn, tw, th, tw)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_pads_like_the_standard() {
        // RFC 4648, section 10.
        for (raw, b64) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(raw.as_bytes()), b64);
        }
        assert_eq!(super::base64(&[0xfb, 0xff]), "+/8=");
        assert_eq!(
            super::png_data_url(b"\x89PNG"),
            "data:image/png;base64,iVBORw=="
        );
    }

    use super::*;

    /// CIELAB of an sRGB colour as seen with colour vision `m` (Machado et al. 2009, severity 1).
    fn seen_lab(rgb: [u8; 3], m: &[[f64; 3]; 3]) -> [f64; 3] {
        let lin = rgb.map(|c| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        });
        let l: Vec<f64> = (0..3)
            .map(|i| {
                (0..3)
                    .map(|j| m[i][j] * lin[j])
                    .sum::<f64>()
                    .clamp(0.0, 1.0)
            })
            .collect();
        let x = 0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2];
        let y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
        let z = 0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2];
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x / 0.9505), f(y), f(z / 1.089));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    #[test]
    fn palette_is_visible_on_every_stain_and_colour_blind_safe() {
        const VISION: [(&str, [[f64; 3]; 3]); 4] = [
            (
                "normal",
                [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            ),
            (
                "protan",
                [
                    [0.152286, 1.052583, -0.204868],
                    [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998],
                ],
            ),
            (
                "deutan",
                [
                    [0.367322, 0.860646, -0.227968],
                    [0.280085, 0.672501, 0.047413],
                    [-0.011820, 0.042940, 0.968881],
                ],
            ),
            (
                "tritan",
                [
                    [1.255528, -0.076749, -0.178779],
                    [-0.078411, 0.930809, 0.147602],
                    [0.004733, 0.691367, 0.303900],
                ],
            ),
        ];
        let stains = [
            ("red", [220, 40, 30]),
            ("green", [40, 220, 40]),
            ("yellow", [220, 200, 40]),
            ("background", [10, 10, 10]),
        ];
        let palette = [("TP", TP_COLOUR), ("FP", FP_COLOUR), ("FN", FN_COLOUR)];
        let de = |a: [u8; 3], b: [u8; 3], m: &[[f64; 3]; 3]| {
            let (p, q) = (seen_lab(a, m), seen_lab(b, m));
            ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
        };
        let mut close = Vec::new();
        for (vision, m) in &VISION {
            for (name, c) in palette {
                for (stain, s) in stains {
                    if de(c, s, m) < 30.0 {
                        close.push(format!("{vision}: {name} on {stain} ΔE {:.0}", de(c, s, m)));
                    }
                }
            }
            for (i, (a, ca)) in palette.iter().enumerate() {
                for (b, cb) in &palette[i + 1..] {
                    if de(*ca, *cb, m) < 50.0 {
                        close.push(format!("{vision}: {a} vs {b} ΔE {:.0}", de(*ca, *cb, m)));
                    }
                }
            }
        }
        assert!(close.is_empty(), "{close:#?}");
        // The check can fail: the former palette's FP red on a red stain.
        assert!(de([255, 50, 50], [220, 40, 30], &VISION[0].1) < 30.0);
    }

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

    #[test]
    fn scored_objects_take_tp_and_fp_colours_and_missed_cells_get_rings() {
        let base = display_rgba(&Image::gray8(20, 20, vec![0; 400]));
        let mut labels = vec![0u32; 400];
        labels[0] = 1;
        labels[19] = 2;
        let style = OverlayStyle::new(false, true);
        let out = composite_scored(
            &base,
            &labels,
            20,
            20,
            &style,
            &ScoreOverlay {
                matched: &[true, false],
                missed: &[(10, 10, 4)],
            },
        );
        assert_eq!(&out[0..3], &TP_COLOUR);
        assert_eq!(&out[19 * 4..19 * 4 + 3], &FP_COLOUR);
        let at = |x: usize, y: usize| &out[(y * 20 + x) * 4..(y * 20 + x) * 4 + 3];
        assert_eq!(at(10, 10), &FN_COLOUR, "centre dot");
        assert_eq!(at(14, 10), &FN_COLOUR, "ring at the radius");
        assert_eq!(at(12, 10), &[0, 0, 0], "inside the ring stays");
    }

    #[test]
    fn layers_draw_truth_outlines_removed_objects_and_respect_opacity() {
        let base = display_rgba(&Image::gray8(6, 6, vec![0; 36]));
        let mut labels = vec![0u32; 36];
        for y in 1..4 {
            for x in 1..4 {
                labels[y * 6 + x] = 1;
            }
        }
        labels[35] = 2;
        let mut truth = BitMask::new(6, 6);
        for y in 0..2 {
            for x in 4..6 {
                truth.set(x, y, true);
            }
        }
        let red = Paint {
            colour: [200, 0, 0],
            opacity: 0.5,
        };
        let out = composite_layers(
            &base,
            &labels,
            6,
            6,
            &Layers {
                fill: Some(red),
                outline: Some(Paint {
                    colour: [0, 0, 200],
                    opacity: 1.0,
                }),
                truth: Some((
                    &truth,
                    Paint {
                        colour: [0, 250, 0],
                        opacity: 1.0,
                    },
                )),
                removed: &[false, true],
                ..Layers::default()
            },
        );
        let at = |x: usize, y: usize| &out[(y * 6 + x) * 4..(y * 6 + x) * 4 + 3];
        assert_eq!(at(2, 2), &[100, 0, 0], "half-opaque fill in the middle");
        assert_eq!(at(1, 1), &[0, 0, 200], "outline");
        assert_eq!(at(5, 5), &REMOVED_COLOUR, "removed object drawn grey");
        assert_eq!(at(4, 0), &[0, 250, 0], "truth outline");
        assert_eq!(at(0, 5), &[0, 0, 0], "background untouched");
    }

    #[test]
    fn rejected_objects_are_outlined_and_filled_in_grey_under_the_other_layers() {
        use crate::imaging::{Connectivity, label::label};
        let base = display_rgba(&Image::gray8(8, 6, vec![0; 48]));
        // A 4x4 rejected square at (1..5, 1..5) and a kept pixel far from it.
        let mut m = BitMask::new(8, 6);
        for y in 1..5 {
            for x in 1..5 {
                m.set(x, y, true);
            }
        }
        let rejected = label(&m, Connectivity::Eight);
        let mut labels = vec![0u32; 48];
        labels[7] = 1;
        let grey = Paint {
            colour: REJECTED_COLOUR,
            opacity: 0.5,
        };
        let out = composite_layers(
            &base,
            &labels,
            8,
            6,
            &Layers {
                fill: Some(Paint {
                    colour: [200, 0, 0],
                    opacity: 1.0,
                }),
                rejected: Some((&rejected, grey)),
                ..Layers::default()
            },
        );
        let at = |x: usize, y: usize| &out[(y * 8 + x) * 4..(y * 8 + x) * 4 + 3];
        assert_eq!(at(1, 1), &REJECTED_COLOUR, "outline");
        assert_eq!(at(4, 2), &REJECTED_COLOUR, "outline");
        assert_eq!(at(2, 2), &[95, 95, 95], "half-opaque grey inside");
        assert_eq!(at(0, 0), &[0, 0, 0], "background untouched");
        assert_eq!(at(7, 0), &[200, 0, 0], "kept objects drawn as before");
        // Off: nothing grey.
        let off = composite_layers(&base, &labels, 8, 6, &Layers::default());
        assert_eq!(&off[(8 + 1) * 4..(8 + 1) * 4 + 3], &[0, 0, 0]);
    }

    #[test]
    fn score_colours_run_from_red_through_yellow_to_cyan() {
        assert_eq!(score_colour(0.0), [230, 70, 30]);
        assert_eq!(score_colour(0.5), [250, 215, 40]);
        assert_eq!(score_colour(1.0), [40, 210, 250]);
        assert_eq!(score_colour(f32::NAN), REMOVED_COLOUR);
        assert_eq!(score_colour(7.0), score_colour(1.0));
    }
}
