//! Every analysis setting in one value, with a stable, versioned text form
//! (`v=2&channel=yellow&…`) that serves as share link, CSV header and parameter file.
//!
//! Each setting has a key; [`Params::get`] and [`Params::set`] read and write one setting as text,
//! so the text form, the parameter file and the app's fields share one parser.

use crate::{
    imaging::{
        channel::Channel, label::Connectivity, threshold::global::AutoMethod,
        threshold::local::LocalMethod,
    },
    util::text::quote,
};
use std::{fmt, str::FromStr};

/// The version written by [`Params::to_query`]. Version 1 texts (before background
/// correction, local thresholds, splitting and shape filters) and version 2 texts (before the
/// cell diameter and the cell-body filters) read unchanged: a missing key keeps its default, and
/// the defaults of the version 3 keys change nothing.
pub const PARAMS_VERSION: u32 = 3;

/// The expected cell diameter (Cellpose's `diameter`): estimated per image, or given in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Diameter {
    /// Estimated from each image ([`crate::imaging::diameter::estimate_diameter`]).
    #[default]
    Auto,
    /// Given, in pixels.
    Px(f32),
}

impl fmt::Display for Diameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diameter::Auto => f.write_str("auto"),
            Diameter::Px(d) => write!(f, "{d}"),
        }
    }
}

/// How touching cells are told apart when splitting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SplitBy {
    /// By shape: seeds at the maxima of the distance map (ImageJ's Process > Binary > Watershed).
    #[default]
    Shape,
    /// By brightness: seeds at the maxima of the image smoothed at a sixth of the expected
    /// diameter (CellProfiler's "Intensity" declumping); the prominence is then in units of the
    /// image's robust spread.
    Intensity,
}

impl SplitBy {
    /// The name in the text form.
    pub fn name(self) -> &'static str {
        match self {
            SplitBy::Shape => "shape",
            SplitBy::Intensity => "intensity",
        }
    }
}

/// The diameter the size-dependent settings are written for: the dataset's median cell
/// (about 1100 px in area, 36 px across). A setting that follows the diameter takes its value
/// at 36 px (the one the presets were first chosen with) times `diameter / 36`, areas times its
/// square; at 36 px it is exactly that value.
pub const REFERENCE_DIAMETER: f32 = 36.0;

/// A setting that can follow the expected cell diameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeKey {
    /// The rolling-ball radius (`bg`): 50 px at 36 px.
    Background,
    /// The local threshold's radius: 15 px at 36 px.
    LocalRadius,
    /// The opening radius: 2 px at 36 px.
    Open,
    /// The smallest distance between two seeds: 10 px at 36 px.
    SeedDistance,
    /// The smallest area: 300 px at 36 px (0.29 of the disc).
    MinArea,
    /// The largest area: 10,179 px at 36 px (10 discs).
    MaxArea,
}

impl SizeKey {
    /// Every size-dependent setting.
    pub const ALL: [SizeKey; 6] = [
        SizeKey::Background,
        SizeKey::LocalRadius,
        SizeKey::Open,
        SizeKey::SeedDistance,
        SizeKey::MinArea,
        SizeKey::MaxArea,
    ];

    /// The key of the setting in the text form.
    pub fn key(self) -> &'static str {
        match self {
            SizeKey::Background => "bg",
            SizeKey::LocalRadius => "local_radius",
            SizeKey::Open => "open",
            SizeKey::SeedDistance => "seed_distance",
            SizeKey::MinArea => "min_area",
            SizeKey::MaxArea => "max_area",
        }
    }

    /// How the setting follows the diameter d, in words.
    pub fn rule(self) -> &'static str {
        match self {
            SizeKey::Background => "50 px × d / 36",
            SizeKey::LocalRadius => "15 px × d / 36",
            SizeKey::Open => "2 px × d / 36",
            SizeKey::SeedDistance => "10 px × d / 36",
            SizeKey::MinArea => "300 px × (d / 36)²",
            SizeKey::MaxArea => "10,179 px × (d / 36)² (10 discs)",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The set of size-dependent settings that follow the diameter (written `auto` in the text form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Follow(u8);

impl Follow {
    /// No setting follows the diameter.
    pub const NONE: Follow = Follow(0);
    /// Every size-dependent setting follows the diameter.
    pub const ALL: Follow = Follow(0b11_1111);

    /// Whether `key` follows the diameter.
    pub fn contains(self, key: SizeKey) -> bool {
        self.0 & key.bit() != 0
    }

    /// `self` with `key` following the diameter or not.
    pub fn with(self, key: SizeKey, on: bool) -> Follow {
        if on {
            Follow(self.0 | key.bit())
        } else {
            Follow(self.0 & !key.bit())
        }
    }

    /// Whether no setting follows.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// How the threshold is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThresholdMethod {
    /// The level given by [`Params::level`].
    Manual,
    /// One of ImageJ's global auto-threshold methods on the histogram of the (smoothed) channel.
    Auto(AutoMethod),
    /// A local threshold (Landini's Auto Local Threshold) with [`Params::local_radius`].
    Local(LocalMethod),
}

impl Default for ThresholdMethod {
    fn default() -> Self {
        ThresholdMethod::Auto(AutoMethod::Otsu)
    }
}

impl ThresholdMethod {
    /// Every method, in menu order: Manual, the 16 global methods, then the local ones.
    pub fn all() -> Vec<ThresholdMethod> {
        std::iter::once(ThresholdMethod::Manual)
            .chain(AutoMethod::ALL.into_iter().map(ThresholdMethod::Auto))
            .chain(LocalMethod::ALL.into_iter().map(ThresholdMethod::Local))
            .collect()
    }

    /// The stable name used in parameter text: `Manual`, ImageJ's name (`Otsu`), or
    /// `Local:` and the local method's name (`Local:Sauvola`).
    pub fn name(self) -> String {
        match self {
            ThresholdMethod::Manual => "Manual".into(),
            ThresholdMethod::Auto(m) => m.name().into(),
            ThresholdMethod::Local(m) => format!("Local:{}", m.name()),
        }
    }

    /// The name shown in menus.
    pub fn label(self) -> String {
        match self {
            ThresholdMethod::Manual => "Manual".into(),
            ThresholdMethod::Auto(m) => m.name().into(),
            ThresholdMethod::Local(m) => format!("Local {}", m.name()),
        }
    }
}

impl fmt::Display for ThresholdMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for ThresholdMethod {
    type Err = ();
    /// Case-insensitive; `manual` and `otsu` (version 1) read as before.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim();
        ThresholdMethod::all()
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s) || m.label().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

/// Every setting of the count pipeline. Stages run in field order: channel, background,
/// smoothing, threshold, morphology, splitting, labelling, filters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// The intensity channel analysed.
    pub channel: Channel,
    /// Rolling-ball radius of ImageJ's Subtract Background in pixels (0 = off).
    pub background: u32,
    /// Gaussian smoothing sigma in pixels before thresholding (0 = off).
    pub sigma: f32,
    /// How the threshold is chosen.
    pub method: ThresholdMethod,
    /// The manual level, in the image's own units; foreground is `value > level`.
    pub level: u16,
    /// Radius of the local threshold's window in pixels.
    pub local_radius: u32,
    /// The local method's first parameter (`None` = the method's default).
    pub local_p1: Option<f64>,
    /// The local method's second parameter (`None` = the method's default).
    pub local_p2: Option<f64>,
    /// Opening radius in pixels (0 = off): removes specks and thin bridges.
    pub open_radius: u32,
    /// Closing radius in pixels (0 = off): closes small gaps.
    pub close_radius: u32,
    /// Fill holes inside objects.
    pub fill_holes: bool,
    /// Split touching cells by a distance-transform watershed.
    pub split: bool,
    /// Prominence of a seed above its surroundings, in pixels of distance (ImageJ Find Maxima).
    pub prominence: f32,
    /// Smallest distance between two seeds, in pixels.
    pub seed_distance: f32,
    /// Pixel connectivity of objects.
    pub connectivity: Connectivity,
    /// Smallest object kept, in pixels (ImageJ's Analyze Particles "size" lower bound).
    pub min_area: u64,
    /// Largest object kept, in pixels; `None` = no limit ("Infinity").
    pub max_area: Option<u64>,
    /// Smallest circularity kept, 4π·area/perimeter² (ImageJ's Analyze Particles).
    pub min_circularity: f64,
    /// Largest circularity kept.
    pub max_circularity: f64,
    /// Smallest mean intensity of an object in the analysed channel (raw units).
    pub min_mean: f64,
    /// Smallest contrast: object mean minus the mean of the background around it (raw units).
    pub min_contrast: f64,
    /// Drop objects that touch the image edge (ImageJ's "Exclude on edges").
    pub exclude_edges: bool,
    /// The expected cell diameter, which the settings in [`Params::follow`] follow.
    pub diameter: Diameter,
    /// The size-dependent settings whose values follow the diameter (the rest are as written).
    pub follow: Follow,
    /// Smallest thickness kept: the radius of the largest disc inside the object over the expected
    /// radius (0 = off). A neurite is thin at any length; a cell body is about 1.
    pub min_thickness: f64,
    /// Largest elongation kept: the fitted ellipse's major over minor axis (0 = off).
    pub max_elongation: f64,
    /// Smallest blob measure kept, 0..1: the ratio of the Hessian's eigenvalues at the cell scale
    /// at the object's centre (1 a round blob, 0 a ridge or an edge; 0 = off).
    pub min_blob: f64,
    /// Thick bodies pass the blob filter: an object at least this many expected radii thick, and
    /// at most twice that, is kept whatever its blob measure (0 = off). In dense tissue the
    /// neighbours of a cell body bend the Hessian at the cell scale into a ridge's; a fibre is
    /// never that thick, and a tissue edge or a saturated region is much thicker.
    pub blob_exempt: f64,
    /// Smallest brightness kept, relative to the image: the object's mean minus the image's
    /// median, in units of the image's robust spread (1.4826 median absolute deviations; 0 = off).
    pub min_brightness: f64,
    /// Smallest ring contrast kept, relative to the image: [`Params::min_contrast`]'s measure in
    /// units of the image's robust spread (0 = off).
    pub min_ring: f64,
    /// How touching cells are told apart when splitting.
    pub split_by: SplitBy,
    /// Splitting: a seed of the watershed must lie this many expected radii deep in the object
    /// (the distance map's value over the expected radius; 0 = any seed). Thin parts are never cut
    /// off as cells.
    pub split_thickness: f64,
    /// Splitting again by intensity what is still thick: an object at least this many expected
    /// radii thick after splitting (0 = off) is split again at the maxima of the channel smoothed
    /// at d/6, as [`SplitBy::Intensity`] splits (prominence in robust spreads), unless it touches
    /// the image's edge or 1 % or more of its pixels are at the image's largest value. A clump of
    /// bright cell bodies whose distance map has one peak comes apart; a tissue edge cut by the
    /// image's border or a saturated region, which have no cells' brightness left to split by,
    /// stays whole.
    pub resplit: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            channel: Channel::Yellow,
            background: 0,
            sigma: 1.0,
            method: ThresholdMethod::default(),
            level: 128,
            local_radius: 15,
            local_p1: None,
            local_p2: None,
            open_radius: 2,
            close_radius: 2,
            fill_holes: true,
            split: false,
            prominence: 1.0,
            seed_distance: 10.0,
            connectivity: Connectivity::Eight,
            min_area: 120,
            max_area: None,
            min_circularity: 0.0,
            max_circularity: 1.0,
            min_mean: 0.0,
            min_contrast: 0.0,
            exclude_edges: false,
            diameter: Diameter::Auto,
            follow: Follow::NONE,
            min_thickness: 0.0,
            max_elongation: 0.0,
            min_blob: 0.0,
            blob_exempt: 0.0,
            min_brightness: 0.0,
            min_ring: 0.0,
            split_thickness: 0.0,
            split_by: SplitBy::Shape,
            resplit: 0.0,
        }
    }
}

impl Params {
    /// The expected diameter `params` use on an image whose estimate is `estimated` (the
    /// reference diameter when the estimate is not needed).
    pub fn diameter_for(&self, estimated: f32) -> f32 {
        match self.diameter {
            Diameter::Auto if self.needs_estimate() => estimated,
            Diameter::Auto => REFERENCE_DIAMETER,
            Diameter::Px(d) => d,
        }
    }

    /// Whether analysing with these parameters needs the image's diameter estimate.
    ///
    /// Only when the diameter is auto and some setting uses it: a size setting follows it, a
    /// thickness or blob filter, or a split that depends on it. Otherwise the reference diameter
    /// (36 px) stands in for the thickness and blob columns and no time is spent estimating.
    pub fn needs_estimate(&self) -> bool {
        self.diameter == Diameter::Auto
            && (!self.follow.is_empty()
                || self.min_thickness > 0.0
                || self.min_blob > 0.0
                || (self.split
                    && (self.split_thickness > 0.0
                        || self.split_by == SplitBy::Intensity
                        || self.resplit > 0.0)))
    }

    /// The settings as applied with an expected diameter of `d` pixels: each setting of
    /// [`Params::follow`] takes its value at [`REFERENCE_DIAMETER`] scaled to `d`
    /// ([`SizeKey`] gives the rules); nothing follows any more.
    ///
    /// ```
    /// use fluocount::count::{Params, params::Follow};
    /// let p = Params { follow: Follow::ALL, ..Params::default() };
    /// let r = p.resolved(72.0);
    /// assert_eq!((r.background, r.local_radius, r.open_radius, r.min_area), (100, 30, 4, 1200));
    /// assert_eq!(r.seed_distance, 20.0);
    /// // At the reference diameter, exactly the values the presets were chosen with.
    /// let r = p.resolved(36.0);
    /// assert_eq!((r.background, r.local_radius, r.open_radius, r.min_area), (50, 15, 2, 300));
    /// assert_eq!(Params::default().resolved(72.0), Params::default());
    /// ```
    pub fn resolved(&self, d: f32) -> Params {
        let mut p = self.clone();
        // The scale against the reference diameter; lengths scale with it, areas with its square.
        let k = f64::from(d.clamp(1.0, 10_000.0)) / f64::from(REFERENCE_DIAMETER);
        for key in SizeKey::ALL {
            if !self.follow.contains(key) {
                continue;
            }
            match key {
                SizeKey::Background => {
                    p.background = (50.0 * k).round().clamp(1.0, MAX_WINDOW as f64) as u32
                }
                SizeKey::LocalRadius => {
                    p.local_radius = (15.0 * k).round().clamp(1.0, MAX_WINDOW as f64) as u32
                }
                SizeKey::Open => {
                    p.open_radius = (2.0 * k).round().clamp(0.0, MAX_RADIUS as f64) as u32
                }
                SizeKey::SeedDistance => p.seed_distance = ((1000.0 * k).round() / 100.0) as f32,
                SizeKey::MinArea => p.min_area = (300.0 * k * k).round() as u64,
                SizeKey::MaxArea => p.max_area = Some((10_179.0 * k * k).round() as u64),
            }
        }
        p.follow = Follow::NONE;
        p
    }
}

/// Largest accepted smoothing sigma.
pub const MAX_SIGMA: f32 = 20.0;
/// Largest accepted morphology radius.
pub const MAX_RADIUS: u32 = 25;
/// Largest accepted rolling-ball or local-threshold radius.
pub const MAX_WINDOW: u32 = 500;

/// Every key of the text form, in the order written.
pub const KEYS: [&str; 32] = [
    "channel",
    "bg",
    "sigma",
    "method",
    "level",
    "local_radius",
    "p1",
    "p2",
    "open",
    "close",
    "fill",
    "split",
    "prominence",
    "seed_distance",
    "conn",
    "min_area",
    "max_area",
    "min_circ",
    "max_circ",
    "min_mean",
    "min_contrast",
    "exclude_edges",
    "diameter",
    "min_thickness",
    "max_elongation",
    "min_blob",
    "blob_exempt",
    "min_brightness",
    "min_ring",
    "split_thickness",
    "split_by",
    "resplit",
];

/// Something in a parameter text that was not taken as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsNotice {
    /// The key concerned.
    pub key: String,
    /// What was done about it, in words.
    pub message: String,
}

/// Why [`Params::set`] refused a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetError {
    /// No such key.
    UnknownKey,
    /// The value is not valid; the text says what is expected.
    Invalid(&'static str),
}

fn number<T: FromStr + PartialOrd + Copy>(v: &str, lo: T, hi: T) -> Option<T> {
    v.parse::<T>().ok().filter(|x| *x >= lo && *x <= hi)
}

fn finite(v: &str, lo: f64, hi: f64) -> Option<f64> {
    number(v, lo, hi).filter(|x: &f64| x.is_finite())
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

fn optional(v: Option<f64>) -> String {
    v.map_or_else(|| "default".into(), |x| x.to_string())
}

impl Params {
    /// The text of one setting, as written in the text form; `None` for an unknown key.
    pub fn get(&self, key: &str) -> Option<String> {
        if SizeKey::ALL
            .iter()
            .any(|&k| k.key() == key && self.follow.contains(k))
        {
            return Some("auto".into());
        }
        Some(match key {
            "channel" => self.channel.to_string(),
            "bg" => self.background.to_string(),
            "sigma" => self.sigma.to_string(),
            "method" => self.method.name(),
            "level" => self.level.to_string(),
            "local_radius" => self.local_radius.to_string(),
            "p1" => optional(self.local_p1),
            "p2" => optional(self.local_p2),
            "open" => self.open_radius.to_string(),
            "close" => self.close_radius.to_string(),
            "fill" => u8::from(self.fill_holes).to_string(),
            "split" => u8::from(self.split).to_string(),
            "prominence" => self.prominence.to_string(),
            "seed_distance" => self.seed_distance.to_string(),
            "conn" => self.connectivity.to_string(),
            "min_area" => self.min_area.to_string(),
            "max_area" => self
                .max_area
                .map_or_else(|| "inf".to_string(), |m| m.to_string()),
            "min_circ" => self.min_circularity.to_string(),
            "max_circ" => self.max_circularity.to_string(),
            "min_mean" => self.min_mean.to_string(),
            "min_contrast" => self.min_contrast.to_string(),
            "exclude_edges" => u8::from(self.exclude_edges).to_string(),
            "diameter" => self.diameter.to_string(),
            "min_thickness" => self.min_thickness.to_string(),
            "max_elongation" => self.max_elongation.to_string(),
            "min_blob" => self.min_blob.to_string(),
            "blob_exempt" => self.blob_exempt.to_string(),
            "min_brightness" => self.min_brightness.to_string(),
            "min_ring" => self.min_ring.to_string(),
            "split_thickness" => self.split_thickness.to_string(),
            "split_by" => self.split_by.name().to_string(),
            "resplit" => self.resplit.to_string(),
            _ => return None,
        })
    }

    /// Sets one setting from its text; on error nothing changes.
    ///
    /// ```
    /// use fluocount::count::{Params, params::SetError};
    /// let mut p = Params::default();
    /// assert_eq!(p.set("open", "3"), Ok(()));
    /// assert_eq!(p.open_radius, 3);
    /// assert!(matches!(p.set("open", "-1"), Err(SetError::Invalid(_))));
    /// assert_eq!(p.set("zoom", "2"), Err(SetError::UnknownKey));
    /// ```
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SetError> {
        let v = value.trim();
        // `auto`: a size-dependent setting follows the diameter; any value sets it explicitly.
        if let Some(&size) = SizeKey::ALL.iter().find(|k| k.key() == key) {
            if v.eq_ignore_ascii_case("auto") {
                // The written value no longer counts: the default stands in for it, so that
                // equal texts give equal parameters.
                let default = Params::default().get(key).unwrap_or_default();
                self.set_value(key, &default)?;
                self.follow = self.follow.with(size, true);
                return Ok(());
            }
            self.set_value(key, v)?;
            self.follow = self.follow.with(size, false);
            return Ok(());
        }
        self.set_value(key, v)
    }

    /// Sets one setting from its (trimmed) text, `auto` aside; on error nothing changes.
    fn set_value(&mut self, key: &str, v: &str) -> Result<(), SetError> {
        use SetError::Invalid;
        let radius = |what| number(v, 0, MAX_RADIUS).ok_or(Invalid(what));
        let window = |what| number(v, 0, MAX_WINDOW).ok_or(Invalid(what));
        let ratio = |what| finite(v, 0.0, 1000.0).ok_or(Invalid(what));
        match key {
            "channel" => {
                self.channel = v
                    .parse()
                    .map_err(|()| Invalid("yellow, red, green, blue, luminance or max"))?
            }
            "bg" => self.background = window("a radius in pixels from 0 (off) to 500")?,
            "sigma" => {
                self.sigma = number(v, 0.0, MAX_SIGMA)
                    .filter(|s: &f32| s.is_finite())
                    .ok_or(Invalid("a number from 0 to 20"))?
            }
            "method" => {
                self.method = v.parse().map_err(|()| {
                    Invalid("Manual, an ImageJ method such as Otsu or Triangle, or Local:Sauvola")
                })?
            }
            "level" => {
                self.level =
                    number(v, 0, u16::MAX).ok_or(Invalid("a whole number from 0 to 65535"))?
            }
            "local_radius" => {
                self.local_radius =
                    number(v, 1, MAX_WINDOW).ok_or(Invalid("a radius from 1 to 500"))?
            }
            "p1" | "p2" => {
                let x = match v {
                    "" | "default" => None,
                    _ => Some(finite(v, -1e6, 1e6).ok_or(Invalid("a number or default"))?),
                };
                if key == "p1" {
                    self.local_p1 = x
                } else {
                    self.local_p2 = x
                }
            }
            "open" => self.open_radius = radius("a whole number from 0 to 25")?,
            "close" => self.close_radius = radius("a whole number from 0 to 25")?,
            "fill" => self.fill_holes = flag(v).ok_or(Invalid("0 or 1"))?,
            "split" => self.split = flag(v).ok_or(Invalid("0 or 1"))?,
            "prominence" => {
                self.prominence = number(v, 0.0, 1000.0)
                    .filter(|s: &f32| s.is_finite())
                    .ok_or(Invalid("a number from 0 to 1000"))?
            }
            "seed_distance" => {
                self.seed_distance = number(v, 0.0, 1000.0)
                    .filter(|s: &f32| s.is_finite())
                    .ok_or(Invalid("a number from 0 to 1000"))?
            }
            "conn" => self.connectivity = v.parse().map_err(|()| Invalid("4 or 8"))?,
            "min_area" => {
                self.min_area =
                    number(v, 0, 1_000_000_000).ok_or(Invalid("a whole number of pixels"))?
            }
            "max_area" => {
                self.max_area = match v {
                    "inf" | "infinity" | "Infinity" | "" => None,
                    _ => Some(
                        number(v, 1, u64::MAX).ok_or(Invalid("a whole number of pixels or inf"))?,
                    ),
                }
            }
            "min_circ" => {
                self.min_circularity = finite(v, 0.0, 1.0).ok_or(Invalid("a number from 0 to 1"))?
            }
            "max_circ" => {
                self.max_circularity = finite(v, 0.0, 1.0).ok_or(Invalid("a number from 0 to 1"))?
            }
            "min_mean" => {
                self.min_mean =
                    finite(v, 0.0, 65535.0).ok_or(Invalid("a number from 0 to 65535"))?
            }
            "min_contrast" => {
                self.min_contrast =
                    finite(v, 0.0, 65535.0).ok_or(Invalid("a number from 0 (off) to 65535"))?
            }
            "exclude_edges" => self.exclude_edges = flag(v).ok_or(Invalid("0 or 1"))?,
            "diameter" => {
                self.diameter = if v.eq_ignore_ascii_case("auto") {
                    Diameter::Auto
                } else {
                    Diameter::Px(
                        number(v, 2.0, 2000.0)
                            .filter(|d: &f32| d.is_finite())
                            .ok_or(Invalid("auto or a diameter in pixels from 2 to 2000"))?,
                    )
                }
            }
            "min_thickness" => self.min_thickness = ratio("a number from 0 (off) to 1000")?,
            "max_elongation" => self.max_elongation = ratio("a number from 0 (off) to 1000")?,
            "min_blob" => {
                self.min_blob = finite(v, 0.0, 1.0).ok_or(Invalid("a number from 0 (off) to 1"))?
            }
            "blob_exempt" => self.blob_exempt = ratio("a number from 0 (off) to 1000")?,
            "min_brightness" => self.min_brightness = ratio("a number from 0 (off) to 1000")?,
            "min_ring" => self.min_ring = ratio("a number from 0 (off) to 1000")?,
            "split_thickness" => self.split_thickness = ratio("a number from 0 (off) to 1000")?,
            "resplit" => self.resplit = ratio("a number from 0 (off) to 1000")?,
            "split_by" => {
                self.split_by = match v.to_ascii_lowercase().as_str() {
                    "shape" => SplitBy::Shape,
                    "intensity" => SplitBy::Intensity,
                    _ => return Err(Invalid("shape or intensity")),
                }
            }
            _ => return Err(SetError::UnknownKey),
        }
        Ok(())
    }

    /// The stable text form, `v=2` then every key of [`KEYS`] in order, e.g.
    /// `v=2&channel=yellow&bg=0&sigma=1&method=Otsu&…`.
    pub fn to_query(&self) -> String {
        let mut out = format!("v={PARAMS_VERSION}");
        for key in KEYS {
            out.push('&');
            out.push_str(key);
            out.push('=');
            out.push_str(&self.get(key).unwrap_or_default());
        }
        out
    }

    /// Reads the text form (a leading `?` or `#` is ignored, `&` or `;` or newlines separate
    /// pairs, `//` starts a comment line). Missing keys take their defaults silently; unknown
    /// keys and invalid values are reported as notices and the default is used, so any text
    /// gives usable parameters.
    ///
    /// ```
    /// use fluocount::count::Params;
    /// let p = Params::default();
    /// assert_eq!(Params::from_query(&p.to_query()), (p, vec![]));
    /// let (q, notices) = Params::from_query("sigma=<script>&open=3");
    /// assert_eq!((q.sigma, q.open_radius, notices.len()), (Params::default().sigma, 3, 1));
    /// ```
    pub fn from_query(text: &str) -> (Params, Vec<ParamsNotice>) {
        let mut p = Params::default();
        let mut notices = Vec::new();
        // A byte-order mark (as some editors save) is not part of the first key.
        let text = text.trim_start_matches('\u{feff}');
        let text = text.trim().trim_start_matches(['?', '#']);
        let pairs: Vec<(String, String)> = text
            .split(['&', ';', '\n'])
            .map(str::trim)
            .filter(|pair| !pair.is_empty() && !pair.starts_with("//"))
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key.trim()), percent_decode(value.trim()))
            })
            .collect();
        // One rule with share links: a key given more than once is ambiguous and keeps its
        // default, with a notice.
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for (key, _) in &pairs {
            *counts.entry(key.as_str()).or_default() += 1;
        }
        for (key, value) in &pairs {
            let (key, value) = (key.clone(), value.clone());
            match counts.get_mut(key.as_str()) {
                Some(0) => continue,
                Some(n) if *n > 1 => {
                    notices.push(ParamsNotice {
                        key: quote(&key),
                        message: format!(
                            "“{}” is given {n} times; its default is used",
                            quote(&key)
                        ),
                    });
                    *n = 0;
                    continue;
                }
                _ => {}
            }
            if key == "v" {
                match value.parse::<u32>() {
                    Ok(v) if v <= PARAMS_VERSION => {}
                    Ok(_) => notices.push(ParamsNotice {
                        key: key.clone(),
                        message: format!(
                            "these parameters come from a newer version ({}); unknown settings are ignored",
                            quote(&value)
                        ),
                    }),
                    Err(_) => notices.push(ParamsNotice {
                        key: key.clone(),
                        message: format!("“{}” is not a version number; ignored", quote(&value)),
                    }),
                }
                continue;
            }
            match p.set(&key, &value) {
                Ok(()) => {}
                Err(SetError::Invalid(what)) => notices.push(ParamsNotice {
                    key: quote(&key),
                    message: format!(
                        "“{}” is not a valid value for {} ({what}); the default is used",
                        quote(&value),
                        quote(&key)
                    ),
                }),
                Err(SetError::UnknownKey) => notices.push(ParamsNotice {
                    key: quote(&key),
                    message: format!("unknown setting “{}” ignored", quote(&key)),
                }),
            }
        }
        if let Some(max) = p.max_area
            && p.min_area > max
        {
            notices.push(ParamsNotice {
                key: "min_area".into(),
                message: format!(
                    "the minimum area ({}) is above the maximum area ({max}): no object can be counted",
                    p.min_area
                ),
            });
        }
        (p, notices)
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_query())
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_text_form_is_stable() {
        assert_eq!(
            Params::default().to_query(),
            "v=3&channel=yellow&bg=0&sigma=1&method=Otsu&level=128&local_radius=15&p1=default\
             &p2=default&open=2&close=2&fill=1&split=0&prominence=1&seed_distance=10&conn=8\
             &min_area=120&max_area=inf&min_circ=0&max_circ=1&min_mean=0&min_contrast=0\
             &exclude_edges=0&diameter=auto&min_thickness=0&max_elongation=0&min_blob=0\
             &blob_exempt=0&min_brightness=0&min_ring=0&split_thickness=0&split_by=shape&resplit=0"
        );
    }

    #[test]
    fn hostile_and_unknown_values_fall_back_to_defaults() {
        let (p, n) = Params::from_query(
            "?v=1&channel=%3Cscript%3E&sigma=NaN&level=70000&open=-1&fill=maybe&conn=6&min_area=x&max_area=0&zoom=3",
        );
        assert_eq!(p, Params::default());
        assert_eq!(n.len(), 9, "{n:?}");
        assert!(
            n[0].message.contains("<script>"),
            "the notice quotes the value as text"
        );
        assert_eq!(n.last().map(|x| x.key.as_str()), Some("zoom"));
    }

    #[test]
    fn a_bom_duplicate_keys_and_an_empty_area_range_are_noticed() {
        // A byte-order mark does not hide the first key.
        let (p, n) = Params::from_query("\u{feff}open=3&min_area=50");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!((p.open_radius, p.min_area), (3, 50));
        // A key given twice is ambiguous, as in a share link: its default, with a notice.
        let (p, n) = Params::from_query("open=3&close=1&open=4");
        assert_eq!(
            (p.open_radius, p.close_radius),
            (Params::default().open_radius, 1)
        );
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].message.contains("given 2 times"), "{n:?}");
        // A minimum area above the maximum counts nothing: said.
        let (p, n) = Params::from_query("min_area=500&max_area=400");
        assert_eq!((p.min_area, p.max_area), (500, Some(400)));
        assert!(
            n.iter()
                .any(|x| x.key == "min_area" && x.message.contains("no object"))
        );
    }

    #[test]
    fn version_1_texts_read_unchanged() {
        let (p, n) = Params::from_query(
            "v=1&channel=red&sigma=1.5&method=manual&level=40&open=1&close=0&fill=0&conn=4&min_area=50&max_area=900",
        );
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(
            (p.channel, p.sigma, p.method, p.level, p.max_area),
            (Channel::Red, 1.5, ThresholdMethod::Manual, 40, Some(900))
        );
        let (p, _) = Params::from_query("method=otsu");
        assert_eq!(p.method, ThresholdMethod::Auto(AutoMethod::Otsu));
    }

    #[test]
    fn every_method_has_a_name_that_reads_back() {
        let all = ThresholdMethod::all();
        assert_eq!(all.len(), 1 + 16 + LocalMethod::ALL.len());
        for m in all {
            assert_eq!(m.name().parse(), Ok(m));
            assert_eq!(m.label().parse(), Ok(m));
        }
        assert_eq!(
            "Local:Mean".parse(),
            Ok(ThresholdMethod::Local(LocalMethod::Mean))
        );
        assert_eq!("mean".parse(), Ok(ThresholdMethod::Auto(AutoMethod::Mean)));
    }

    #[test]
    fn every_key_reads_and_writes() {
        let p = Params::default();
        for key in KEYS {
            let text = p.get(key).expect(key);
            let mut q = Params::default();
            assert_eq!(q.set(key, &text), Ok(()), "{key}={text}");
            assert_eq!(q, p);
            assert!(q.set(key, "<script>").is_err(), "{key}");
        }
    }

    #[test]
    fn missing_keys_take_defaults_and_newer_versions_are_noticed() {
        let (p, n) = Params::from_query("open=4");
        assert_eq!(p.open_radius, 4);
        assert!(n.is_empty());
        let (_, n) = Params::from_query("v=9");
        assert_eq!(n.len(), 1);
    }

    #[test]
    fn size_settings_follow_the_diameter_when_auto_and_stop_when_set() {
        let (p, n) = Params::from_query("diameter=72&min_area=auto&open=auto&seed_distance=12");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(p.diameter, Diameter::Px(72.0));
        assert!(p.follow.contains(SizeKey::MinArea) && p.follow.contains(SizeKey::Open));
        assert!(!p.follow.contains(SizeKey::SeedDistance));
        assert_eq!(p.get("min_area").as_deref(), Some("auto"));
        let r = p.resolved(72.0);
        // Twice the reference diameter: 4 x 300 px, 2 x 2 px; the explicit seed distance kept.
        assert_eq!(
            (r.min_area, r.open_radius, r.seed_distance),
            (1200, 4, 12.0)
        );
        assert!(r.follow.is_empty());
        // Setting a value stops the following; a bad value changes nothing.
        let mut q = p.clone();
        assert_eq!(q.set("min_area", "500"), Ok(()));
        assert_eq!(
            (q.min_area, q.follow.contains(SizeKey::MinArea)),
            (500, false)
        );
        let mut q = p.clone();
        assert!(q.set("open", "-3").is_err());
        assert_eq!(q, p);
        assert!(q.set("diameter", "0").is_err());
        assert!(q.set("diameter", "NaN").is_err());
        assert!(q.set("min_blob", "1.5").is_err());
    }

    #[test]
    fn version_2_texts_keep_their_sizes() {
        // No key follows the diameter, no body filter is on: the count is as before.
        let (p, _) = Params::from_query("v=2&channel=red&open=3&min_area=300");
        assert!(p.follow.is_empty());
        assert_eq!(p.resolved(90.0), p);
    }

    #[test]
    fn a_parameter_file_with_lines_and_comments_reads_back() {
        let (p, n) =
            Params::from_query("// fluocount parameters\nv=1\nchannel=red\nmax_area=5000\n");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!((p.channel, p.max_area), (Channel::Red, Some(5000)));
    }

    proptest! {
        #[test]
        fn round_trip(
            ch in 0usize..6, bg in 0u32..=500, sigma in 0.0f32..20.0, m in 0usize..17, level in any::<u16>(),
            lr in 1u32..=500, p1 in proptest::option::of(-10.0f64..10.0),
            open in 0u32..=25, close in 0u32..=25, fill in any::<bool>(), split in any::<bool>(),
            prominence in 0.0f32..100.0, seed in 0.0f32..100.0, four in any::<bool>(),
            min_area in 0u64..100_000, max_area in proptest::option::of(1u64..1_000_000),
            circ in (0.0f64..=1.0, 0.0f64..=1.0), min_mean in 0.0f64..1000.0, contrast in 0.0f64..100.0,
            edges in any::<bool>(), diameter in proptest::option::of(2.0f32..2000.0),
            follow in 0u8..64, body in proptest::collection::vec(0.0f64..10.0, 8),
            blob in 0.0f64..=1.0, by_intensity in any::<bool>()
        ) {
            let follow = SizeKey::ALL
                .iter()
                .enumerate()
                .fold(Follow::NONE, |f, (i, &k)| f.with(k, follow & (1 << i) != 0));
            let mut p = Params {
                channel: Channel::ALL[ch],
                background: bg,
                sigma,
                method: ThresholdMethod::all()[m],
                level,
                local_radius: lr,
                local_p1: p1,
                local_p2: None,
                open_radius: open,
                close_radius: close,
                fill_holes: fill,
                split,
                prominence,
                seed_distance: seed,
                connectivity: if four { Connectivity::Four } else { Connectivity::Eight },
                min_area,
                max_area,
                min_circularity: circ.0,
                max_circularity: circ.1,
                min_mean,
                min_contrast: contrast,
                exclude_edges: edges,
                diameter: diameter.map_or(Diameter::Auto, Diameter::Px),
                follow,
                min_thickness: body[0],
                max_elongation: body[1],
                min_blob: blob,
                blob_exempt: body[6],
                min_brightness: body[3],
                min_ring: body[4],
                split_thickness: body[5],
                split_by: if by_intensity { SplitBy::Intensity } else { SplitBy::Shape },
                resplit: body[7],
            };
            for k in SizeKey::ALL {
                if p.follow.contains(k) {
                    prop_assert_eq!(p.set(k.key(), "auto"), Ok(()));
                }
            }
            // The text reads back; the only notice is an empty area range's.
            let empty_range = p.max_area.is_some_and(|m| p.min_area > m);
            let (q, n) = Params::from_query(&p.to_query());
            prop_assert_eq!(&q, &p);
            prop_assert_eq!(n.len(), usize::from(empty_range), "{:?}", n);
        }

        #[test]
        fn any_text_gives_params_without_panicking(s in ".{0,200}") {
            let _ = Params::from_query(&s);
        }
    }
}
