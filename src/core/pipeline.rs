//! The whole count: a pure function of (image, parameters).

use super::{
    bitmask::BitMask,
    channel::{Plane, intensity},
    clock::now_ms,
    fill::fill_holes,
    gaussian::gaussian_blur,
    histogram::histogram,
    image::Image,
    label::{ObjectStats, label, label_image, measure, retain},
    morphology::{close, open},
    params::{Params, ThresholdMethod},
    threshold::{otsu_level, threshold},
};
use std::fmt;

/// A stage of the pipeline, for timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Intensity channel from the image.
    Channel,
    /// Gaussian smoothing.
    Smooth,
    /// Histogram and threshold level.
    Level,
    /// Applying the level.
    Threshold,
    /// Morphological opening.
    Open,
    /// Morphological closing.
    Close,
    /// Filling holes.
    FillHoles,
    /// Connected components, measurements and area filter.
    Label,
    /// Writing the label image.
    LabelImage,
}

impl Stage {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Channel => "channel",
            Stage::Smooth => "smooth",
            Stage::Level => "level",
            Stage::Threshold => "threshold",
            Stage::Open => "open",
            Stage::Close => "close",
            Stage::FillHoles => "fill holes",
            Stage::Label => "label + measure",
            Stage::LabelImage => "label image",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How long one stage took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageTiming {
    /// The stage.
    pub stage: Stage,
    /// Milliseconds.
    pub ms: f64,
}

/// The intensity plane of an image, smoothed, with its histogram: everything that depends only on
/// the channel and the smoothing, kept so that moving the threshold does not redo it.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The unsmoothed channel (objects are measured on it).
    pub plane: Plane,
    /// The smoothed channel, when smoothing is on.
    pub smoothed: Option<Plane>,
    /// Histogram of the thresholded plane.
    pub histogram: Vec<u64>,
    /// The Otsu level of that histogram.
    pub otsu: u16,
    /// Timings of the preparation.
    pub timings: Vec<StageTiming>,
}

impl Prepared {
    /// The plane the threshold applies to.
    pub fn thresholded(&self) -> &Plane {
        self.smoothed.as_ref().unwrap_or(&self.plane)
    }
}

/// Result of [`analyze`].
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Width of the image.
    pub width: u32,
    /// Height of the image.
    pub height: u32,
    /// Label image: 0 background, 1..=count objects in raster order of their first pixel.
    pub labels: Vec<u32>,
    /// One entry per object, in label order.
    pub objects: Vec<ObjectStats>,
    /// The threshold level used, in the image's own units (foreground is `value > level`).
    pub level: u16,
    /// Otsu's level for this image and channel (whatever the method).
    pub otsu_level: u16,
    /// The largest value of the image's depth (255 or 65535).
    pub max_value: u16,
    /// Per-stage timings.
    pub timings: Vec<StageTiming>,
}

impl Analysis {
    /// Number of objects counted.
    pub fn count(&self) -> usize {
        self.objects.len()
    }

    /// Total time of all stages, in milliseconds.
    pub fn total_ms(&self) -> f64 {
        self.timings.iter().map(|t| t.ms).sum()
    }
}

struct Timer(Vec<StageTiming>, f64);

impl Timer {
    fn new() -> Self {
        Timer(Vec::new(), now_ms())
    }
    fn lap(&mut self, stage: Stage) {
        let now = now_ms();
        self.0.push(StageTiming {
            stage,
            ms: now - self.1,
        });
        self.1 = now;
    }
}

/// Computes the channel, the smoothing and the histogram.
pub fn prepare(image: &Image, params: &Params) -> Prepared {
    let mut t = Timer::new();
    let plane = intensity(image, params.channel);
    t.lap(Stage::Channel);
    let smoothed = (params.sigma > 0.0).then(|| gaussian_blur(&plane, params.sigma));
    if smoothed.is_some() {
        t.lap(Stage::Smooth);
    }
    let hist = histogram(smoothed.as_ref().unwrap_or(&plane));
    let otsu = otsu_level(&hist);
    t.lap(Stage::Level);
    Prepared {
        plane,
        smoothed,
        histogram: hist,
        otsu,
        timings: t.0,
    }
}

/// Whether `prepared` was made with the channel and smoothing of `params`.
pub fn prepared_matches(prepared_with: &Params, params: &Params) -> bool {
    prepared_with.channel == params.channel && prepared_with.sigma == params.sigma
}

/// The binary mask after threshold, morphology and hole filling.
pub fn segment(prepared: &Prepared, params: &Params, t: &mut Vec<StageTiming>) -> (BitMask, u16) {
    let mut timer = Timer::new();
    let level = match params.method {
        ThresholdMethod::Otsu => prepared.otsu,
        ThresholdMethod::Manual => params.level.min(prepared.plane.depth.max_value()),
    };
    let mut mask = threshold(prepared.thresholded(), level);
    timer.lap(Stage::Threshold);
    if params.open_radius > 0 {
        mask = open(&mask, params.open_radius);
        timer.lap(Stage::Open);
    }
    if params.close_radius > 0 {
        mask = close(&mask, params.close_radius);
        timer.lap(Stage::Close);
    }
    if params.fill_holes {
        mask = fill_holes(&mask);
        timer.lap(Stage::FillHoles);
    }
    t.extend(timer.0);
    (mask, level)
}

/// Runs everything after [`prepare`].
pub fn analyze_prepared(prepared: &Prepared, params: &Params) -> Analysis {
    let mut timings = prepared.timings.clone();
    let (mask, level) = segment(prepared, params, &mut timings);
    let mut timer = Timer::new();
    let comps = label(&mask, params.connectivity);
    let stats = measure(&comps, &prepared.plane);
    let max_area = params.max_area.unwrap_or(u64::MAX);
    let (kept, old) = retain(&comps, |l| {
        let a = stats[l as usize - 1].area;
        a >= params.min_area && a <= max_area
    });
    let objects = old
        .iter()
        .enumerate()
        .map(|(i, &l)| ObjectStats {
            label: i as u32 + 1,
            ..stats[l as usize - 1].clone()
        })
        .collect();
    timer.lap(Stage::Label);
    let labels = label_image(&kept);
    timer.lap(Stage::LabelImage);
    timings.extend(timer.0);
    Analysis {
        width: prepared.plane.width,
        height: prepared.plane.height,
        labels,
        objects,
        level,
        otsu_level: prepared.otsu,
        max_value: prepared.plane.depth.max_value(),
        timings,
    }
}

/// Analyses one image with one set of parameters.
///
/// ```
/// use fluocount::core::{analyze, Image, Params};
/// // Two bright 6x6 squares on a dark 20x10 image.
/// let mut px = vec![10u8; 20 * 10];
/// for y in 2..8 {
///     for x in (2..8).chain(12..18) {
///         px[y * 20 + x] = 200;
///     }
/// }
/// let params = Params { sigma: 0.0, open_radius: 1, close_radius: 0, min_area: 4, ..Params::default() };
/// let a = analyze(&Image::gray8(20, 10, px), &params);
/// assert_eq!(a.count(), 2);
/// assert_eq!(a.labels[5 * 20 + 5], 1);
/// ```
pub fn analyze(image: &Image, params: &Params) -> Analysis {
    analyze_prepared(&prepare(image, params), params)
}
