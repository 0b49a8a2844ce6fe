//! Display settings that never change the analysis: which channels are shown, their display
//! ranges, a gamma and a lookup table, with ImageJ's Brightness/Contrast semantics.
//!
//! Display ranges map a sample to a screen level exactly as ImageJ's `ByteProcessor.setMinAndMax`
//! (8-bit) and `ShortProcessor.create8BitImage` (16-bit) do; [`auto_limits`] is ImageJ's
//! Process>Enhance Contrast; [`Lut::table`] reproduces `ij.plugin.LutLoader`. Both are checked
//! against ImageJ 1.53t in `tests/display_parity.rs`.

use crate::imaging::{BitDepth, Image, Layout, Pixels, Plane, histogram::histogram};
use std::fmt::Write as _;

/// A lookup table from ImageJ's Image>Lookup Tables menu (`ij.plugin.LutLoader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lut {
    /// Black to white.
    Grays,
    /// ImageJ's "Fire": black, blue, red, yellow, white.
    Fire,
    /// Black to red.
    Red,
    /// Black to green.
    Green,
    /// Black to magenta.
    Magenta,
    /// Black to cyan.
    Cyan,
    /// ImageJ's "Ice": teal, blue, magenta, red.
    Ice,
    /// ImageJ's "Spectrum": the hue circle at full saturation and brightness.
    Spectrum,
}

impl Lut {
    /// Every table, in menu order.
    pub const ALL: [Lut; 8] = [
        Lut::Grays,
        Lut::Fire,
        Lut::Red,
        Lut::Green,
        Lut::Magenta,
        Lut::Cyan,
        Lut::Ice,
        Lut::Spectrum,
    ];

    /// ImageJ's menu name, e.g. `"Fire"`.
    pub fn name(self) -> &'static str {
        match self {
            Lut::Grays => "Grays",
            Lut::Fire => "Fire",
            Lut::Red => "Red",
            Lut::Green => "Green",
            Lut::Magenta => "Magenta",
            Lut::Cyan => "Cyan",
            Lut::Ice => "Ice",
            Lut::Spectrum => "Spectrum",
        }
    }

    /// The table called `name` (case-insensitive, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<Lut> {
        let name = name.trim();
        Lut::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
    }

    /// The 256 colours of the table, as `LutLoader.getBuiltInLut` builds them.
    pub fn table(self) -> [[u8; 3]; 256] {
        let ramp =
            |mask: [bool; 3]| std::array::from_fn(|i| mask.map(|on| if on { i as u8 } else { 0 }));
        match self {
            Lut::Grays => ramp([true, true, true]),
            Lut::Red => ramp([true, false, false]),
            Lut::Green => ramp([false, true, false]),
            Lut::Magenta => ramp([true, false, true]),
            Lut::Cyan => ramp([false, true, true]),
            Lut::Fire => interpolate(&FIRE),
            Lut::Ice => interpolate(&ICE),
            Lut::Spectrum => std::array::from_fn(|i| hsb_to_rgb(i as f32 / 255.0)),
        }
    }
}

/// `LutLoader.fire`: 32 control points (red, green, blue rows).
const FIRE: [[u8; 32]; 3] = [
    [
        0, 0, 1, 25, 49, 73, 98, 122, 146, 162, 173, 184, 195, 207, 217, 229, 240, 252, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ],
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 14, 35, 57, 79, 101, 117, 133, 147, 161, 175, 190,
        205, 219, 234, 248, 255, 255, 255, 255,
    ],
    [
        0, 61, 96, 130, 165, 192, 220, 227, 210, 181, 151, 122, 93, 64, 35, 5, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 35, 98, 160, 223, 255,
    ],
];

/// `LutLoader.ice`: 32 control points (red, green, blue rows).
const ICE: [[u8; 32]; 3] = [
    [
        0, 0, 0, 0, 0, 0, 19, 29, 50, 48, 79, 112, 134, 158, 186, 201, 217, 229, 242, 250, 250,
        250, 250, 251, 250, 250, 250, 250, 251, 251, 243, 230,
    ],
    [
        156, 165, 176, 184, 190, 196, 193, 184, 171, 162, 146, 125, 107, 93, 81, 87, 92, 97, 95,
        93, 93, 90, 85, 69, 64, 54, 47, 35, 19, 0, 4, 0,
    ],
    [
        140, 147, 158, 166, 170, 176, 209, 220, 234, 225, 236, 246, 250, 251, 250, 250, 245, 230,
        230, 222, 202, 180, 163, 142, 123, 114, 106, 94, 84, 64, 26, 27,
    ],
];

/// `LutLoader.interpolate`: stretches control points to 256 entries linearly, truncating.
fn interpolate(points: &[[u8; 32]; 3]) -> [[u8; 3]; 256] {
    let n = points[0].len();
    let scale = n as f64 / 256.0;
    std::array::from_fn(|i| {
        let i1 = (i as f64 * scale) as usize;
        let i2 = (i1 + 1).min(n - 1);
        let fraction = i as f64 * scale - i1 as f64;
        std::array::from_fn(|c| {
            let (a, b) = (f64::from(points[c][i1]), f64::from(points[c][i2]));
            ((1.0 - fraction) * a + fraction * b) as u8
        })
    })
}

/// `java.awt.Color.HSBtoRGB(hue, 1, 1)` in the same single-precision steps.
fn hsb_to_rgb(hue: f32) -> [u8; 3] {
    let h = (hue - hue.floor()) * 6.0;
    let f = h - h.floor();
    let level = |x: f32| (x * 255.0 + 0.5) as u8;
    let (one, p, q, t) = (255, 0, level(1.0 - f), level(1.0 - (1.0 - f)));
    match h as u32 {
        0 => [one, t, p],
        1 => [q, one, p],
        2 => [p, one, t],
        3 => [p, q, one],
        4 => [t, p, one],
        _ => [one, p, q],
    }
}

/// A display range: samples at or below `min` are black, at or above `max` full brightness
/// (ImageJ's Image>Adjust>Brightness/Contrast "Minimum" and "Maximum").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Darkest shown value.
    pub min: u16,
    /// Brightest shown value.
    pub max: u16,
}

impl Limits {
    /// The full range of `depth`: 0..=255 or 0..=65535.
    pub fn full(depth: BitDepth) -> Self {
        Limits {
            min: 0,
            max: depth.max_value(),
        }
    }
}

/// The display range ImageJ's Process>Enhance Contrast picks from a histogram (one bin per value:
/// 256 for 8-bit, 65536 for 16-bit), with `saturated_percent` of the pixels saturated, half at each
/// end (ImageJ's default is 0.35).
///
/// Follows `ContrastEnhancer.getMinAndMax` of ImageJ 1.53t, which uses the full 16-bit histogram
/// (`ImageStatistics.histogram16`) for 16-bit images, so the limits are exact sample values.
/// Where ImageJ leaves the display unchanged (the scans cross, e.g. a flat image), this returns
/// the range ImageJ shows a freshly opened image with: 0..=255 for 256 bins, otherwise the data's
/// smallest..largest value, or the whole histogram if those are equal (ImageJ would show a flat
/// 16-bit image black).
pub fn auto_limits(hist: &[u64], saturated_percent: f64) -> Limits {
    let bins = hist.len();
    let top = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
    if bins == 0 {
        return Limits { min: 0, max: 0 };
    }
    let total: u64 = hist.iter().sum();
    let threshold = if saturated_percent > 0.0 {
        (total as f64 * saturated_percent / 200.0) as u64
    } else {
        0
    };
    let mut count = 0;
    let mut hmin = 0;
    while hmin < bins - 1 {
        count += hist[hmin];
        if count > threshold {
            break;
        }
        hmin += 1;
    }
    count = 0;
    let mut hmax = bins - 1;
    while hmax > 0 {
        count += hist[hmax];
        if count > threshold {
            break;
        }
        hmax -= 1;
    }
    if hmax > hmin {
        return Limits {
            min: top(hmin),
            max: top(hmax),
        };
    }
    let first = hist.iter().position(|&c| c > 0);
    let last = hist.iter().rposition(|&c| c > 0);
    match (first, last) {
        (Some(lo), Some(hi)) if bins != 256 && lo < hi => Limits {
            min: top(lo),
            max: top(hi),
        },
        _ => Limits {
            min: 0,
            max: top(bins - 1),
        },
    }
}

/// What the viewer shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayMode {
    /// The image's own channels (red, green, blue, or one grey).
    Composite,
    /// The analysed plane through a lookup table.
    Analysed(Lut),
}

/// Display settings of the viewer; they never change the analysis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DisplaySettings {
    /// Composite or analysed plane.
    pub mode: DisplayMode,
    /// Red, green and blue shown (a grey image uses the first).
    pub channels: [bool; 3],
    /// Display range per channel; a grey image and the analysed plane use the first.
    pub limits: [Limits; 3],
    /// Gamma applied after the display range, ImageJ's Process>Math>Gamma convention:
    /// level = 255 * (level / 255)^gamma, so below 1 brightens the mid-tones.
    pub gamma: f32,
}

/// Smallest gamma accepted (ImageJ's Process>Math>Gamma range).
pub const GAMMA_MIN: f32 = 0.1;
/// Largest gamma accepted (ImageJ's Process>Math>Gamma range).
pub const GAMMA_MAX: f32 = 5.0;

impl Default for DisplaySettings {
    fn default() -> Self {
        DisplaySettings::new(BitDepth::Eight)
    }
}

/// A problem found while reading display settings, and what was done about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayNotice {
    /// The key concerned.
    pub key: String,
    /// What was done about it, in words.
    pub message: String,
}

impl DisplaySettings {
    /// Composite, all channels on, full range of `depth`, gamma 1.
    pub fn new(depth: BitDepth) -> Self {
        DisplaySettings {
            mode: DisplayMode::Composite,
            channels: [true; 3],
            limits: [Limits::full(depth); 3],
            gamma: 1.0,
        }
    }

    /// Short text form, e.g. `mode=composite;channels=110;limits=0-255,10-200,0-255;gamma=1`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        match self.mode {
            DisplayMode::Composite => s.push_str("mode=composite"),
            DisplayMode::Analysed(lut) => {
                let _ = write!(s, "mode=analysed;lut={}", lut.name().to_ascii_lowercase());
            }
        }
        s.push_str(";channels=");
        for on in self.channels {
            s.push(if on { '1' } else { '0' });
        }
        s.push_str(";limits=");
        for (i, l) in self.limits.iter().enumerate() {
            let _ = write!(s, "{}{}-{}", if i > 0 { "," } else { "" }, l.min, l.max);
        }
        let _ = write!(s, ";gamma={}", self.gamma);
        s
    }

    /// Reads [`DisplaySettings::to_text`]'s form for an image of `depth`. Never fails: anything
    /// unknown or out of range keeps its default and yields a notice.
    pub fn from_text(text: &str, depth: BitDepth) -> (Self, Vec<DisplayNotice>) {
        let mut s = DisplaySettings::new(depth);
        let mut notices = Vec::new();
        let mut note = |key: &str, message: String| {
            notices.push(DisplayNotice {
                key: key.to_string(),
                message,
            })
        };
        let mut analysed = false;
        let mut lut = None;
        for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "mode" => match value.to_ascii_lowercase().as_str() {
                    "composite" => analysed = false,
                    "analysed" | "analyzed" => analysed = true,
                    _ => note("mode", format!("unknown mode “{value}”; composite used")),
                },
                "lut" => match Lut::from_name(value) {
                    Some(l) => lut = Some(l),
                    None => note("lut", format!("unknown lookup table “{value}”; Grays used")),
                },
                "channels" => {
                    let bits: Vec<char> = value.chars().collect();
                    if bits.len() == 3 && bits.iter().all(|c| matches!(c, '0' | '1')) {
                        s.channels = std::array::from_fn(|i| bits[i] == '1');
                    } else {
                        note(
                            "channels",
                            format!("“{value}” is not three 0/1 digits; all on"),
                        );
                    }
                }
                "limits" => {
                    let parts: Vec<&str> = value.split(',').collect();
                    if parts.len() > 3 {
                        note("limits", "more than three ranges; the rest ignored".into());
                    }
                    for (i, part) in parts.iter().take(3).enumerate() {
                        match parse_limits(part, depth) {
                            Some(l) => s.limits[i] = l,
                            None => note(
                                "limits",
                                format!(
                                    "“{part}” is not min-max within the depth; full range used"
                                ),
                            ),
                        }
                    }
                }
                "gamma" => match value.parse::<f32>() {
                    Ok(g) if g.is_finite() => {
                        s.gamma = g.clamp(GAMMA_MIN, GAMMA_MAX);
                        if s.gamma != g {
                            note(
                                "gamma",
                                format!("{g} is outside {GAMMA_MIN}..{GAMMA_MAX}; clamped"),
                            );
                        }
                    }
                    _ => note("gamma", format!("“{value}” is not a number; 1 used")),
                },
                _ => note(&key, "unknown setting ignored".into()),
            }
        }
        match (analysed, lut) {
            (true, l) => s.mode = DisplayMode::Analysed(l.unwrap_or(Lut::Grays)),
            (false, Some(_)) => note(
                "lut",
                "a lookup table applies only with mode=analysed".into(),
            ),
            (false, None) => {}
        }
        (s, notices)
    }
}

/// `"min-max"` with `min <= max <= depth's largest value`.
fn parse_limits(text: &str, depth: BitDepth) -> Option<Limits> {
    let (a, b) = text.trim().split_once('-')?;
    let min: u16 = a.trim().parse().ok()?;
    let max: u16 = b.trim().parse().ok()?;
    (min <= max && max <= depth.max_value()).then_some(Limits { min, max })
}

/// The screen level (0..=255) of every sample value of `depth` under `limits` and `gamma`.
///
/// The range step is ImageJ's: 8-bit as `ByteProcessor.setMinAndMax` builds its LUT
/// (`(int)(256 * (v - min) / (max - min))`, clamped), 16-bit as `ShortProcessor.create8BitImage`
/// (`(int)((v - min) * 256 / (max - min + 1) + 0.5)`, clamped). Gamma follows.
pub fn level_table(depth: BitDepth, limits: Limits, gamma: f32) -> Vec<u8> {
    let gamma_table: [u8; 256] = std::array::from_fn(|i| {
        if gamma == 1.0 {
            i as u8
        } else {
            (255.0 * (i as f64 / 255.0).powf(f64::from(gamma)) + 0.5) as u8
        }
    });
    let (min, max) = (f64::from(limits.min), f64::from(limits.max));
    let level = |v: usize| -> u8 {
        let v = v as f64;
        let index = match depth {
            BitDepth::Eight if v < min => 0.0,
            BitDepth::Eight if v > max => 255.0,
            BitDepth::Eight if max == min => 0.0,
            BitDepth::Eight => 256.0 * (v - min) / (max - min),
            BitDepth::Sixteen => (v - min).max(0.0) * 256.0 / (max - min + 1.0) + 0.5,
        };
        gamma_table[(index as usize).min(255)]
    };
    (0..=usize::from(depth.max_value())).map(level).collect()
}

/// The viewer's picture as opaque RGBA8, row-major.
///
/// Composite: each channel of `image` through its own [`level_table`] (a grey image shown grey
/// through `limits[0]`); switched-off channels are black. Analysed: `analysed` (any depth) through
/// `limits[0]` and then the lookup table; the picture then has the plane's size.
pub fn render(image: &Image, analysed: &Plane, settings: &DisplaySettings) -> Vec<u8> {
    match settings.mode {
        DisplayMode::Analysed(lut) => {
            let levels = level_table(analysed.depth, settings.limits[0], settings.gamma);
            let table = lut.table();
            let colours: Vec<[u8; 4]> = levels
                .iter()
                .map(|&l| {
                    let [r, g, b] = table[usize::from(l)];
                    [r, g, b, 255]
                })
                .collect();
            let mut out = Vec::with_capacity(analysed.data.len() * 4);
            for &v in &analysed.data {
                out.extend_from_slice(&colours[usize::from(v).min(colours.len() - 1)]);
            }
            out
        }
        DisplayMode::Composite => {
            let depth = image.bit_depth();
            let tables: [Vec<u8>; 3] = std::array::from_fn(|c| {
                if settings.channels[c] {
                    level_table(depth, settings.limits[c], settings.gamma)
                } else {
                    vec![0; usize::from(depth.max_value()) + 1]
                }
            });
            match image.pixels() {
                Pixels::U8(v) => composite(v, image.layout(), &tables),
                Pixels::U16(v) => composite(v, image.layout(), &tables),
            }
        }
    }
}

/// Maps interleaved samples through one table per colour channel.
fn composite<T: Copy + Into<usize>>(
    samples: &[T],
    layout: Layout,
    tables: &[Vec<u8>; 3],
) -> Vec<u8> {
    let step = layout.channels();
    let mut out = Vec::with_capacity(samples.len() / step * 4);
    match layout {
        Layout::Gray | Layout::GrayAlpha => {
            for p in samples.chunks_exact(step) {
                let l = tables[0][p[0].into()];
                out.extend_from_slice(&[l, l, l, 255]);
            }
        }
        Layout::Rgb | Layout::Rgba => {
            for p in samples.chunks_exact(step) {
                out.extend_from_slice(&[
                    tables[0][p[0].into()],
                    tables[1][p[1].into()],
                    tables[2][p[2].into()],
                    255,
                ]);
            }
        }
    }
    out
}

/// One histogram per colour channel of `image` (one for grey, three for colour; alpha ignored),
/// with one bin per value of its depth, to feed [`auto_limits`].
pub fn channel_histograms(image: &Image) -> Vec<Vec<u64>> {
    let bins = usize::from(image.bit_depth().max_value()) + 1;
    let layout = image.layout();
    let colours = match layout {
        Layout::Gray | Layout::GrayAlpha => 1,
        Layout::Rgb | Layout::Rgba => 3,
    };
    let mut hists = vec![vec![0u64; bins]; colours];
    fn count<T: Copy + Into<usize>>(samples: &[T], step: usize, hists: &mut [Vec<u64>]) {
        for p in samples.chunks_exact(step) {
            for (c, h) in hists.iter_mut().enumerate() {
                h[p[c].into()] += 1;
            }
        }
    }
    match image.pixels() {
        Pixels::U8(v) => count(v, layout.channels(), &mut hists),
        Pixels::U16(v) => count(v, layout.channels(), &mut hists),
    }
    hists
}

/// ImageJ's default saturation of Enhance Contrast and of the B&C "Auto" button, in percent.
pub const DEFAULT_SATURATED: f64 = 0.35;

/// The settings a freshly opened image gets: 8-bit at full range, 16-bit from its smallest to its
/// largest value per channel (as ImageJ opens 16-bit images), so a 12-bit image is not black.
pub fn initial_display(image: &Image) -> DisplaySettings {
    let mut s = DisplaySettings::new(image.bit_depth());
    if image.bit_depth() == BitDepth::Sixteen {
        for (c, h) in channel_histograms(image).iter().enumerate().take(3) {
            s.limits[c] = auto_limits(h, 0.0);
        }
    }
    s
}

/// The depth of what `mode` shows: the image's own, or the analysed plane's (8-bit while there is
/// no analysed plane yet).
pub fn shown_depth(image: &Image, analysed: Option<&Plane>, mode: DisplayMode) -> BitDepth {
    match mode {
        DisplayMode::Composite => image.bit_depth(),
        DisplayMode::Analysed(_) => analysed.map_or(BitDepth::Eight, |p| p.depth),
    }
}

/// ImageJ's Enhance Contrast (the B&C "Auto" button) with `saturated` percent for what
/// `settings.mode` shows: the colour channels of `image` (composite), or the analysed plane (its
/// limits stay as they are while there is none).
///
/// An 8-bit colour image gets one range for its three channels, as ImageJ gives an RGB image one
/// range: from the lowest to the highest of the channels' own Auto limits. So a red stain's
/// near-empty green and blue channels keep the red channel's scale and stay dark, rather than
/// being stretched on their own into bright speckle; the colours keep their balance. Other images
/// (grey, 16-bit channels, which ImageJ shows as a composite) get a range per channel.
pub fn auto_display(
    settings: &mut DisplaySettings,
    image: &Image,
    analysed: Option<&Plane>,
    saturated: f64,
) {
    match settings.mode {
        DisplayMode::Composite => {
            let hists = channel_histograms(image);
            let own: Vec<Limits> = hists
                .iter()
                .take(3)
                .map(|h| auto_limits(h, saturated))
                .collect();
            let colour = matches!(image.layout(), Layout::Rgb | Layout::Rgba);
            if colour && image.bit_depth() == BitDepth::Eight && own.len() == 3 {
                let joint = Limits {
                    min: own.iter().map(|l| l.min).min().unwrap_or(0),
                    max: own.iter().map(|l| l.max).max().unwrap_or(255),
                };
                settings.limits = [joint; 3];
            } else {
                for (c, l) in own.into_iter().enumerate() {
                    settings.limits[c] = l;
                }
            }
        }
        DisplayMode::Analysed(_) => {
            if let Some(p) = analysed {
                settings.limits[0] = auto_limits(&histogram(p), saturated);
            }
        }
    }
}

/// Switches the display to `mode`: the full range of what it shows, or, when that is 16-bit, the
/// data's smallest to largest value (ImageJ's rule for opening a 16-bit image).
pub fn switch_mode(
    settings: &mut DisplaySettings,
    mode: DisplayMode,
    image: &Image,
    analysed: Option<&Plane>,
) {
    settings.mode = mode;
    let depth = shown_depth(image, analysed, mode);
    settings.limits = [Limits::full(depth); 3];
    if depth == BitDepth::Sixteen {
        auto_display(settings, image, analysed, 0.0);
    }
}

/// The picture of `image` under `settings`: the analysed view when `analysed` has the image's
/// size, else the composite with the same channels, limits and gamma.
pub fn rendered(image: &Image, analysed: Option<&Plane>, settings: &DisplaySettings) -> Vec<u8> {
    match (settings.mode, analysed) {
        (DisplayMode::Analysed(_), Some(p))
            if (p.width, p.height) == (image.width(), image.height()) =>
        {
            render(image, p, settings)
        }
        _ => {
            let composite = DisplaySettings {
                mode: DisplayMode::Composite,
                ..*settings
            };
            let empty = Plane::new(0, 0, BitDepth::Eight, Vec::new());
            render(image, &empty, &composite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_on_a_red_stain_keeps_green_and_blue_dark_with_one_range() {
        // A red stain: red spread over 20..=220, green and blue a faint noise of 0..=4.
        let n = 400usize;
        let px: Vec<u8> = (0..n)
            .flat_map(|i| [20 + (i % 201) as u8, (i % 5) as u8, ((i / 3) % 5) as u8])
            .collect();
        let image = Image::rgb8(n as u32, 1, px);
        let mut s = DisplaySettings::new(BitDepth::Eight);
        auto_display(&mut s, &image, None, DEFAULT_SATURATED);
        assert_eq!(s.limits[0], s.limits[1]);
        assert_eq!(s.limits[1], s.limits[2]);
        assert!(
            s.limits[0].max >= 200 && s.limits[0].min <= 1,
            "{:?}",
            s.limits[0]
        );
        // Green at its brightest (4) stays within the darkest 2 % of what is shown.
        let shown = f64::from(4 - s.limits[1].min) / f64::from(s.limits[1].max - s.limits[1].min);
        assert!(shown < 0.02, "{shown}");
        // A 16-bit two-channel image keeps a range per channel (ImageJ's composite).
        let g16 = Image::gray16(3, 1, vec![100, 2000, 4095]);
        let mut t = DisplaySettings::new(BitDepth::Sixteen);
        auto_display(&mut t, &g16, None, 0.0);
        assert_eq!(
            t.limits[0],
            Limits {
                min: 100,
                max: 4095
            }
        );
    }

    fn settings(limits: Limits, gamma: f32) -> DisplaySettings {
        DisplaySettings {
            limits: [limits; 3],
            gamma,
            ..DisplaySettings::default()
        }
    }

    #[test]
    fn names_round_trip() {
        for lut in Lut::ALL {
            assert_eq!(Lut::from_name(lut.name()), Some(lut));
            assert_eq!(Lut::from_name(&lut.name().to_uppercase()), Some(lut));
        }
        assert_eq!(Lut::from_name("nope"), None);
    }

    #[test]
    fn fixed_tables() {
        assert_eq!(Lut::Grays.table()[77], [77, 77, 77]);
        assert_eq!(Lut::Magenta.table()[200], [200, 0, 200]);
        assert_eq!(Lut::Cyan.table()[9], [0, 9, 9]);
        assert_eq!(Lut::Fire.table()[1], [0, 0, 7]);
        assert_eq!(Lut::Spectrum.table()[43], [252, 255, 0]);
    }

    #[test]
    fn auto_limits_saturates_half_at_each_end() {
        // 100 pixels, one per value 0..100: 2% saturated = 1 pixel each end, so the scans stop at
        // the second value from each end.
        let mut hist = vec![0u64; 256];
        hist[..100].fill(1);
        assert_eq!(auto_limits(&hist, 4.0), Limits { min: 2, max: 97 });
        assert_eq!(auto_limits(&hist, 0.0), Limits { min: 0, max: 99 });
        // flat: ImageJ leaves the display alone
        let mut flat = vec![0u64; 256];
        flat[7] = 10;
        assert_eq!(auto_limits(&flat, 0.35), Limits::full(BitDepth::Eight));
        let mut flat16 = vec![0u64; 65536];
        flat16[1000] = 10;
        assert_eq!(auto_limits(&flat16, 0.35), Limits::full(BitDepth::Sixteen));
        assert_eq!(auto_limits(&[], 0.35), Limits { min: 0, max: 0 });
        assert_eq!(auto_limits(&hist, f64::NAN), Limits { min: 0, max: 99 });
        assert_eq!(auto_limits(&hist, 1e300), Limits::full(BitDepth::Eight));
    }

    #[test]
    fn eight_bit_levels_follow_imagej() {
        let t = level_table(BitDepth::Eight, Limits { min: 10, max: 20 }, 1.0);
        assert_eq!(t.len(), 256);
        assert_eq!(
            &t[9..=21],
            &[0, 0, 25, 51, 76, 102, 128, 153, 179, 204, 230, 255, 255]
        );
        let full = level_table(BitDepth::Eight, Limits::full(BitDepth::Eight), 1.0);
        assert!(full.iter().enumerate().all(|(i, &l)| usize::from(l) == i));
        let point = level_table(BitDepth::Eight, Limits { min: 5, max: 5 }, 1.0);
        assert_eq!(&point[4..7], &[0, 0, 255]);
    }

    #[test]
    fn sixteen_bit_levels_follow_imagej() {
        let t = level_table(
            BitDepth::Sixteen,
            Limits {
                min: 1000,
                max: 1255,
            },
            1.0,
        );
        assert_eq!(t.len(), 65536);
        assert_eq!(
            [t[0], t[1000], t[1001], t[1128], t[1255], t[1256], t[65535]],
            [0, 0, 1, 128, 255, 255, 255]
        );
        // a 12-bit image under its own range is neither black nor clipped
        let t = level_table(BitDepth::Sixteen, Limits { min: 0, max: 4095 }, 1.0);
        assert_eq!([t[0], t[2048], t[4095]], [0, 128, 255]);
    }

    #[test]
    fn gamma_is_imagej_power() {
        let t = level_table(BitDepth::Eight, Limits::full(BitDepth::Eight), 0.5);
        // 255 * (64/255)^0.5 = 127.75
        assert_eq!([t[0], t[64], t[255]], [0, 128, 255]);
        let t = level_table(BitDepth::Eight, Limits::full(BitDepth::Eight), 2.0);
        // 255 * (128/255)^2 = 64.25
        assert_eq!(t[128], 64);
    }

    #[test]
    fn composite_rgb_maps_each_channel_and_blanks_off_ones() {
        let image = Image::rgb8(2, 1, vec![10, 20, 30, 255, 128, 0]);
        let plane = Plane::from_u8(2, 1, &[0, 0]);
        let mut s = settings(Limits::full(BitDepth::Eight), 1.0);
        s.limits[0] = Limits { min: 10, max: 20 };
        s.channels[2] = false;
        assert_eq!(
            render(&image, &plane, &s),
            vec![0, 20, 0, 255, 255, 128, 0, 255]
        );
    }

    #[test]
    fn composite_gray16_uses_first_limits() {
        let image = Image::gray16(3, 1, vec![0, 2048, 4095]);
        let plane = Plane::from_u8(3, 1, &[0, 0, 0]);
        let s = settings(Limits { min: 0, max: 4095 }, 1.0);
        assert_eq!(
            render(&image, &plane, &s),
            vec![0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]
        );
        let mut off = s;
        off.channels[0] = false;
        assert!(
            render(&image, &plane, &off)
                .chunks(4)
                .all(|p| p == [0, 0, 0, 255])
        );
    }

    #[test]
    fn analysed_plane_goes_through_limits_and_lut() {
        let image = Image::gray8(2, 1, vec![0, 0]);
        let plane = Plane::new(2, 1, BitDepth::Sixteen, vec![0, 4095]);
        let mut s = settings(Limits { min: 0, max: 4095 }, 1.0);
        s.mode = DisplayMode::Analysed(Lut::Fire);
        assert_eq!(
            render(&image, &plane, &s),
            vec![0, 0, 0, 255, 255, 255, 255, 255]
        );
        s.mode = DisplayMode::Analysed(Lut::Green);
        s.limits[0] = Limits { min: 0, max: 8190 };
        assert_eq!(render(&image, &plane, &s)[4..], [0, 128, 0, 255]);
    }

    #[test]
    fn histograms_per_channel() {
        let image = Image::rgb8(2, 1, vec![1, 2, 3, 1, 5, 3]);
        let h = channel_histograms(&image);
        assert_eq!(h.len(), 3);
        assert_eq!((h[0][1], h[1][2], h[1][5], h[2][3]), (2, 1, 1, 2));
        assert_eq!(h[0].iter().sum::<u64>(), 2);
        let h = channel_histograms(&Image::gray16(1, 1, vec![65535]));
        assert_eq!((h.len(), h[0].len(), h[0][65535]), (1, 65536, 1));
    }

    #[test]
    fn images_open_as_imagej_opens_them() {
        // 8-bit: the full range, whatever the data.
        let s = initial_display(&Image::gray8(3, 1, vec![10, 20, 30]));
        assert_eq!(s, DisplaySettings::new(BitDepth::Eight));
        // 16-bit: each channel from its smallest to its largest value, so 12-bit data shows.
        let s = initial_display(&Image::gray16(3, 1, vec![100, 2000, 4095]));
        assert_eq!(
            s.limits[0],
            Limits {
                min: 100,
                max: 4095
            }
        );
        assert_eq!((s.mode, s.gamma), (DisplayMode::Composite, 1.0));
    }

    #[test]
    fn auto_and_mode_switches_follow_what_is_shown() {
        let image = Image::rgb8(2, 1, vec![10, 20, 30, 200, 220, 40]);
        let analysed = Plane::new(2, 1, BitDepth::Sixteen, vec![300, 3000]);
        let mut s = DisplaySettings::new(BitDepth::Eight);
        assert_eq!(shown_depth(&image, None, s.mode), BitDepth::Eight);
        auto_display(&mut s, &image, Some(&analysed), 0.0);
        // One range for an RGB image: from the lowest channel limit (red 10) to the highest
        // (green 220).
        assert_eq!(s.limits[0], Limits { min: 10, max: 220 });
        assert_eq!(s.limits[2], Limits { min: 10, max: 220 });
        // The analysed plane is 16-bit: the switch opens it at its data's range.
        let mode = DisplayMode::Analysed(Lut::Grays);
        switch_mode(&mut s, mode, &image, Some(&analysed));
        assert_eq!(s.mode, mode);
        assert_eq!(
            s.limits[0],
            Limits {
                min: 300,
                max: 3000
            }
        );
        assert_eq!(s.limits[1], Limits::full(BitDepth::Sixteen));
        // Without an analysed plane yet: 8-bit, full range, and Auto leaves the limits alone.
        switch_mode(&mut s, mode, &image, None);
        assert_eq!(s.limits, [Limits::full(BitDepth::Eight); 3]);
        auto_display(&mut s, &image, None, DEFAULT_SATURATED);
        assert_eq!(s.limits, [Limits::full(BitDepth::Eight); 3]);
        // Back to the image's colours: 8-bit, full range.
        switch_mode(&mut s, DisplayMode::Composite, &image, Some(&analysed));
        assert_eq!(s.limits, [Limits::full(BitDepth::Eight); 3]);
    }

    #[test]
    fn the_analysed_view_needs_a_plane_of_the_image_size() {
        let image = Image::gray8(2, 1, vec![0, 255]);
        let mut s = DisplaySettings::new(BitDepth::Eight);
        s.mode = DisplayMode::Analysed(Lut::Red);
        let plane = Plane::from_u8(2, 1, &[255, 0]);
        assert_eq!(
            rendered(&image, Some(&plane), &s),
            render(&image, &plane, &s)
        );
        // No plane, or one of another size: the composite, grey.
        let grey = vec![0, 0, 0, 255, 255, 255, 255, 255];
        assert_eq!(rendered(&image, None, &s), grey);
        let small = Plane::from_u8(1, 1, &[255]);
        assert_eq!(rendered(&image, Some(&small), &s), grey);
    }

    #[test]
    fn text_round_trips() {
        let mut s = DisplaySettings::new(BitDepth::Sixteen);
        s.mode = DisplayMode::Analysed(Lut::Ice);
        s.channels = [true, false, true];
        s.limits[1] = Limits {
            min: 300,
            max: 4000,
        };
        s.gamma = 0.7;
        let text = s.to_text();
        assert_eq!(
            text,
            "mode=analysed;lut=ice;channels=101;limits=0-65535,300-4000,0-65535;gamma=0.7"
        );
        assert_eq!(
            DisplaySettings::from_text(&text, BitDepth::Sixteen),
            (s, vec![])
        );
        let d = DisplaySettings::default();
        assert_eq!(
            DisplaySettings::from_text(&d.to_text(), BitDepth::Eight),
            (d, vec![])
        );
    }

    #[test]
    fn hostile_text_gives_defaults_and_notices() {
        let d = DisplaySettings::new(BitDepth::Eight);
        for text in [
            "mode=nope",
            "lut=fire",
            "mode=analysed;lut=zzz",
            "channels=1",
            "channels=1x1",
            "limits=9-3",
            "limits=0-256",
            "limits=-",
            "limits=0-1,0-1,0-1,0-1",
            "gamma=NaN",
            "gamma=inf",
            "gamma=99",
            "what=ever",
            "=",
            "limits=0-255;;;;\u{0}=\u{ffff}",
        ] {
            let (s, notices) = DisplaySettings::from_text(text, BitDepth::Eight);
            assert!(!notices.is_empty(), "{text}");
            if !text.starts_with("mode=analysed") && !text.starts_with("gamma=99") {
                if text.starts_with("limits=0-1") {
                    assert_eq!(s.limits, [Limits { min: 0, max: 1 }; 3]);
                } else {
                    assert_eq!(s, d, "{text}");
                }
            }
        }
        let (s, _) = DisplaySettings::from_text("mode=analysed;lut=zzz", BitDepth::Eight);
        assert_eq!(s.mode, DisplayMode::Analysed(Lut::Grays));
        let (s, _) = DisplaySettings::from_text("gamma=99", BitDepth::Eight);
        assert_eq!(s.gamma, GAMMA_MAX);
        assert_eq!(DisplaySettings::from_text("", BitDepth::Eight), (d, vec![]));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn from_text_never_panics(text in ".{0,80}") {
            let (s, _) = DisplaySettings::from_text(&text, BitDepth::Sixteen);
            prop_assert!(s.gamma.is_finite());
            prop_assert!(s.limits.iter().all(|l| l.min <= l.max));
        }

        #[test]
        fn levels_are_monotone(min in 0u16..255, span in 1u16..=255, gamma in 0.1f32..5.0) {
            let max = min.saturating_add(span).min(255);
            let t = level_table(BitDepth::Eight, Limits { min, max }, gamma);
            prop_assert!(t.windows(2).all(|w| w[0] <= w[1]));
            prop_assert_eq!(t[255], 255);
            prop_assert_eq!(t[usize::from(min)], 0);
        }

        #[test]
        fn auto_limits_matches_naive_cumulative(
            hist in proptest::collection::vec(0u64..20, 256),
            sat in 0.0f64..10.0,
        ) {
            let total: u64 = hist.iter().sum();
            let threshold = (total as f64 * sat / 200.0) as u64;
            let lo = (0..256).find(|&i| hist[..=i].iter().sum::<u64>() > threshold).unwrap_or(255);
            let hi = (0..256).rev().find(|&i| hist[i..].iter().sum::<u64>() > threshold).unwrap_or(0);
            let l = auto_limits(&hist, sat);
            if hi > lo {
                prop_assert_eq!((usize::from(l.min), usize::from(l.max)), (lo, hi));
            } else {
                prop_assert_eq!(l, Limits::full(BitDepth::Eight));
            }
        }
    }
}
