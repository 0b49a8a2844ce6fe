//! The whole count: a pure function of (image, parameters).

use crate::{
    count::{
        body::{Background, BlobKernel, inscribed_discs, robust_background},
        params::{Params, SizeKey, SplitBy, ThresholdMethod},
    },
    imaging::{
        background::subtract_background,
        bitmask::BitMask,
        channel::{Plane, intensity},
        diameter::{DiameterEstimate, estimate_diameter},
        distance::FloatPlane,
        fill::fill_holes,
        gaussian::gaussian_blur,
        histogram::histogram,
        image::Image,
        label::{Components, ObjectStats, label, label_image, measure, retain},
        morphology::{close, open},
        shape::{Shape, shapes},
        threshold::global::plane_level,
        threshold::local::{LocalOptions, local_threshold},
        threshold::{otsu_level, threshold},
        watershed::{SplitOptions, split_by_intensity, split_touching},
    },
    util::clock::now_ms,
};
use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex},
};

/// A stage of the pipeline, for timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Intensity channel from the image.
    Channel,
    /// The expected cell diameter, estimated.
    Diameter,
    /// Rolling-ball background subtraction.
    Background,
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
    /// Distance transform and watershed splitting.
    Split,
    /// Connected components and intensity measurements.
    Label,
    /// Shape measurements, contrast and the particle filters.
    Filter,
    /// Writing the label image.
    LabelImage,
}

impl Stage {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Channel => "channel",
            Stage::Diameter => "diameter",
            Stage::Background => "background",
            Stage::Smooth => "smooth",
            Stage::Level => "level",
            Stage::Threshold => "threshold",
            Stage::Open => "open",
            Stage::Close => "close",
            Stage::FillHoles => "fill holes",
            Stage::Split => "split",
            Stage::Label => "label + measure",
            Stage::Filter => "shape + filter",
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

/// The intensity plane of an image, background-corrected and smoothed, with its histogram:
/// everything that depends only on the channel, the background radius and the smoothing, kept so
/// that moving the threshold or a filter does not redo it.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The channel as it is (objects' intensities are measured on it).
    pub plane: Plane,
    /// The channel minus its rolling-ball background, when background correction is on.
    pub corrected: Option<Plane>,
    /// The (corrected) channel smoothed, when smoothing is on.
    pub smoothed: Option<Plane>,
    /// Histogram of the thresholded plane.
    pub histogram: Vec<u64>,
    /// The Otsu level of that histogram (ImageJ's current Otsu).
    pub otsu: u16,
    /// Timings of the preparation.
    pub timings: Vec<StageTiming>,
    /// The last local-threshold mask with its options, so that a change after the threshold
    /// (morphology, splitting, filters) does not redo it.
    pub local_cache: LocalCache,
    /// The expected cell diameter: the estimate, or the given one (with no votes).
    pub diameter: DiameterEstimate,
    /// The channel's robust background level and spread.
    pub background: Background,
}

/// The last local-threshold mask computed on a [`Prepared`] plane (interior mutability, so a
/// shared `Prepared` can fill it). Cloning gives an empty cache.
#[derive(Debug, Default)]
pub struct LocalCache(Mutex<Option<(LocalOptions, Arc<BitMask>)>>);

impl Clone for LocalCache {
    fn clone(&self) -> Self {
        LocalCache::default()
    }
}

impl LocalCache {
    /// The mask for `opts`, computed by `make` unless it is the last one asked for.
    fn get_or(&self, opts: &LocalOptions, make: impl FnOnce() -> BitMask) -> Arc<BitMask> {
        let mut slot = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((o, m)) = slot.as_ref()
            && o == opts
        {
            return m.clone();
        }
        let m = Arc::new(make());
        *slot = Some((*opts, m.clone()));
        m
    }
}

impl Prepared {
    /// The plane the threshold applies to: smoothed, else corrected, else the channel.
    pub fn thresholded(&self) -> &Plane {
        self.smoothed
            .as_ref()
            .or(self.corrected.as_ref())
            .unwrap_or(&self.plane)
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
    /// The objects as runs, labelled as in `labels` (compact; used for scoring).
    pub components: Components,
    /// One entry per object, in label order.
    pub objects: Vec<ObjectStats>,
    /// Shape measurements of each object, in label order.
    pub shapes: Vec<Shape>,
    /// Contrast of each object against the background around it, in label order.
    pub contrast: Vec<f64>,
    /// The cell-body measures of each object, in label order.
    pub bodies: Vec<Body>,
    /// The objects a filter removed, labelled 1.. in raster order (the *Rejected* layer).
    pub rejected: Components,
    /// Their measurements, in their label order.
    pub rejected_objects: Vec<ObjectStats>,
    /// Their shape measurements, in their label order.
    pub rejected_shapes: Vec<Shape>,
    /// Their contrast, in their label order.
    pub rejected_contrast: Vec<f64>,
    /// Their cell-body measures, in their label order.
    pub rejected_bodies: Vec<Body>,
    /// The filter that removed each, in their label order.
    pub rejected_why: Vec<Reject>,
    /// The classifier's score of each counted object, in label order; empty when no model
    /// counted ([`crate::count::learn::apply`]).
    pub scores: Vec<f32>,
    /// The classifier's score of each rejected object (NaN for those a filter removed before the
    /// classifier); empty when no model counted.
    pub rejected_scores: Vec<f32>,
    /// The expected cell diameter used, in pixels.
    pub diameter: f32,
    /// Whether that diameter was estimated from the image (else it was given).
    pub diameter_estimated: bool,
    /// The global threshold level used, in the image's own units (foreground is
    /// `value > level`); `None` with a local threshold.
    pub level: Option<u16>,
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

/// Computes the channel, the expected diameter, the background correction, the smoothing and the
/// histogram.
pub fn prepare(image: &Image, params: &Params) -> Prepared {
    let mut t = Timer::new();
    let plane = intensity(image, params.channel);
    t.lap(Stage::Channel);
    let diameter = if params.needs_estimate() {
        let e = estimate_diameter(&plane);
        t.lap(Stage::Diameter);
        e
    } else {
        DiameterEstimate {
            diameter: params.diameter_for(0.0),
            measured: params.diameter_for(0.0),
            votes: 0,
            estimated: false,
        }
    };
    let params = &params.resolved(diameter.diameter);
    let corrected =
        (params.background > 0).then(|| subtract_background(&plane, params.background as f32));
    if corrected.is_some() {
        t.lap(Stage::Background);
    }
    let base = corrected.as_ref().unwrap_or(&plane);
    let smoothed = (params.sigma > 0.0).then(|| gaussian_blur(base, params.sigma));
    if smoothed.is_some() {
        t.lap(Stage::Smooth);
    }
    let hist = histogram(smoothed.as_ref().unwrap_or(base));
    let otsu = if hist.len() <= 256 {
        otsu_level(&hist)
    } else {
        plane_level(crate::imaging::threshold::global::AutoMethod::Otsu, &hist)
    };
    let background = if corrected.is_none() && smoothed.is_none() {
        robust_background(&hist)
    } else {
        robust_background(&histogram(&plane))
    };
    t.lap(Stage::Level);
    Prepared {
        plane,
        corrected,
        smoothed,
        histogram: hist,
        otsu,
        timings: t.0,
        local_cache: LocalCache::default(),
        diameter,
        background,
    }
}

/// Whether `prepared` was made with the channel, diameter, background and smoothing of `params`.
pub fn prepared_matches(prepared_with: &Params, params: &Params) -> bool {
    let follows = |p: &Params| p.follow.contains(SizeKey::Background);
    prepared_with.channel == params.channel
        && prepared_with.background == params.background
        && follows(prepared_with) == follows(params)
        && prepared_with.diameter == params.diameter
        && prepared_with.sigma == params.sigma
}

/// The global level `params` gives on `prepared`, or `None` for a local threshold.
///
/// "Otsu" on an 8-bit plane is ImageJ's current Otsu (first maximum); the other methods and
/// 16-bit planes follow ImageJ 1.53t's `setAutoThreshold` exactly.
pub fn global_level(prepared: &Prepared, params: &Params) -> Option<u16> {
    match params.method {
        ThresholdMethod::Manual => Some(params.level.min(prepared.plane.depth.max_value())),
        ThresholdMethod::Auto(crate::imaging::threshold::global::AutoMethod::Otsu) => {
            Some(prepared.otsu)
        }
        ThresholdMethod::Auto(m) => Some(plane_level(m, &prepared.histogram)),
        ThresholdMethod::Local(_) => None,
    }
}

/// The binary mask after threshold, morphology, hole filling and splitting, with the global
/// level used (`None` for a local threshold).
pub fn segment(
    prepared: &Prepared,
    params: &Params,
    t: &mut Vec<StageTiming>,
) -> (BitMask, Option<u16>) {
    let mut timer = Timer::new();
    let level = global_level(prepared, params);
    let mut mask = match (params.method, level) {
        (ThresholdMethod::Local(method), _) => {
            let opts = LocalOptions {
                method,
                radius: params.local_radius,
                p1: params.local_p1,
                p2: params.local_p2,
            };
            let plane = prepared.thresholded();
            BitMask::clone(
                &prepared
                    .local_cache
                    .get_or(&opts, || local_threshold(plane, &opts)),
            )
        }
        (_, level) => threshold(prepared.thresholded(), level.unwrap_or(0)),
    };
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
    if params.split && params.split_by == SplitBy::Intensity {
        let base = prepared.corrected.as_ref().unwrap_or(&prepared.plane);
        mask = split_by_brightness(prepared, params, &mask, base);
        timer.lap(Stage::Split);
    } else if params.split {
        mask = split_touching(
            &mask,
            &SplitOptions {
                prominence: params.prominence,
                min_distance: params.seed_distance,
                min_seed_radius: (params.split_thickness * f64::from(prepared.diameter.diameter)
                    / 2.0) as f32,
            },
        );
        timer.lap(Stage::Split);
    }
    if params.split && params.resplit > 0.0 {
        mask = resplit_thick(prepared, params, &mask);
        timer.lap(Stage::Split);
    }
    t.extend(timer.0);
    (mask, level)
}

/// The scale at which [`split_by_brightness`] smooths: a sixth of the expected diameter, at least
/// 1 px.
fn brightness_sigma(prepared: &Prepared) -> f32 {
    (prepared.diameter.diameter / 6.0).max(1.0)
}

/// Splits `mask` at the maxima of `plane` (the image's corrected channel, or a crop of it the
/// size of `mask`) smoothed at [`brightness_sigma`], at least `prominence` robust spreads high
/// and `seed_distance` apart (CellProfiler's *Intensity* declumping).
fn split_by_brightness(
    prepared: &Prepared,
    params: &Params,
    mask: &BitMask,
    plane: &Plane,
) -> BitMask {
    let smooth = gaussian_blur(plane, brightness_sigma(prepared));
    let surface = FloatPlane::from_vec(
        smooth.width,
        smooth.height,
        smooth.data.iter().map(|&v| f32::from(v)).collect(),
    );
    split_by_intensity(
        mask,
        &surface,
        params.prominence * prepared.background.spread as f32,
        params.seed_distance,
    )
}

/// The largest share of an object's pixels at the image's largest value that
/// [`Params::resplit`] splits again: a saturated region has no cells' brightness left to split by.
pub const RESPLIT_MAX_SATURATED: f64 = 0.01;

/// Splits again by intensity the objects of `mask` at least [`Params::resplit`] expected radii
/// thick (their largest inscribed disc), unless they touch the image's edge or hold
/// [`RESPLIT_MAX_SATURATED`] or more of their pixels at the image's largest value: the maxima of
/// the (background-corrected) channel smoothed at d/6 at least `prominence` robust spreads high
/// and `seed_distance` apart seed a watershed of the inverted surface, as
/// [`SplitBy::Intensity`] does for every object.
fn resplit_thick(prepared: &Prepared, params: &Params, mask: &BitMask) -> BitMask {
    let comps = label(mask, params.connectivity);
    let deep = params.resplit * f64::from(prepared.diameter.diameter) / 2.0;
    let n = comps.count as usize;
    let (w, h) = (comps.width, comps.height);
    // Per object: area, bounding box (x0, y0, x1, y1 exclusive), runs.
    let pw = prepared.plane.width as usize;
    let mut area = vec![0usize; n];
    let mut boxes = vec![(u32::MAX, u32::MAX, 0u32, 0u32); n];
    let mut runs_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, (run, &l)) in comps.runs.iter().zip(&comps.labels).enumerate() {
        let i = l as usize - 1;
        area[i] += (run.x1 - run.x0) as usize;
        let b = &mut boxes[i];
        *b = (
            b.0.min(run.x0),
            b.1.min(run.y),
            b.2.max(run.x1),
            b.3.max(run.y + 1),
        );
        runs_of[i].push(k);
    }
    // Only an object whose box and area could hold a disc that deep, in the image's interior, is
    // looked at further (most images have none, and pay nothing more); of those, the ones not
    // saturated have their largest inscribed disc measured.
    let reach = (deep - 1.0).max(0.0);
    let interior: Vec<usize> = (0..n)
        .filter(|&i| {
            let (bx0, by0, bx1, by1) = boxes[i];
            f64::from(bx1 - bx0) >= 2.0 * reach
                && f64::from(by1 - by0) >= 2.0 * reach
                && area[i] as f64 >= std::f64::consts::PI * reach * reach
                && !(bx0 == 0 || by0 == 0 || bx1 >= w || by1 >= h)
        })
        .collect();
    if interior.is_empty() {
        return mask.clone();
    }
    let top = prepared.plane.data.iter().copied().max().unwrap_or(0);
    let chosen: Vec<usize> = interior
        .into_iter()
        .filter(|&i| {
            let saturated: usize = runs_of[i]
                .iter()
                .map(|&k| {
                    let run = &comps.runs[k];
                    let row = run.y as usize * pw;
                    prepared.plane.data[row + run.x0 as usize..row + run.x1 as usize]
                        .iter()
                        .filter(|&&v| v >= top)
                        .count()
                })
                .sum();
            (saturated as f64) < RESPLIT_MAX_SATURATED * area[i] as f64
        })
        .collect();
    if chosen.is_empty() {
        return mask.clone();
    }
    let mut index = vec![0u32; n];
    for (k, &i) in chosen.iter().enumerate() {
        index[i] = k as u32 + 1;
    }
    let (runs, labels): (Vec<_>, Vec<_>) = comps
        .runs
        .iter()
        .zip(&comps.labels)
        .filter_map(|(run, &l)| {
            let k = index[l as usize - 1];
            (k > 0).then_some((*run, k))
        })
        .unzip();
    let discs = crate::count::body::inscribed_discs(&Components {
        width: w,
        height: h,
        runs,
        labels,
        count: chosen.len() as u32,
    });
    let base = prepared.corrected.as_ref().unwrap_or(&prepared.plane);
    // The blur's kernel reaches ceil(3σ): a crop padded by more than that blurs the object's
    // pixels exactly as the whole image would.
    let pad = (3.0 * brightness_sigma(prepared)).ceil() as u32 + 1;
    let mut out = mask.clone();
    for (&i, disc) in chosen.iter().zip(&discs) {
        if disc.0 < deep {
            continue;
        }
        let (bx0, by0, bx1, by1) = boxes[i];
        let (x0, y0) = (bx0.saturating_sub(pad), by0.saturating_sub(pad));
        let (x1, y1) = ((bx1 + pad).min(w), (by1 + pad).min(h));
        let (cw, ch) = (x1 - x0, y1 - y0);
        let crop = Plane::new(
            cw,
            ch,
            base.depth,
            (y0..y1)
                .flat_map(|y| {
                    let row = y as usize * pw;
                    base.data[row + x0 as usize..row + x1 as usize]
                        .iter()
                        .copied()
                })
                .collect(),
        );
        let mut sub = BitMask::new(cw, ch);
        for &k in &runs_of[i] {
            let run = &comps.runs[k];
            for x in run.x0..run.x1 {
                sub.set(x - x0, run.y - y0, true);
            }
        }
        let split = split_by_brightness(prepared, params, &sub, &crop);
        for &k in &runs_of[i] {
            let run = &comps.runs[k];
            for x in run.x0..run.x1 {
                if !split.get(x - x0, run.y - y0) {
                    out.set(x, run.y, false);
                }
            }
        }
    }
    out
}

/// Width in pixels of the ring around an object in which its local background is measured.
pub const CONTRAST_RING: u32 = 8;

/// Each object's mean minus the mean of the background pixels (outside `mask`) in its bounding
/// box grown by [`CONTRAST_RING`] pixels; 0 when there is no background pixel there.
pub fn contrast(objects: &[ObjectStats], mask: &BitMask, plane: &Plane) -> Vec<f64> {
    let (w, h) = (plane.width, plane.height);
    objects
        .iter()
        .map(|o| {
            let x0 = o.bx.saturating_sub(CONTRAST_RING);
            let y0 = o.by.saturating_sub(CONTRAST_RING);
            let x1 = (o.bx + o.width + CONTRAST_RING).min(w);
            let y1 = (o.by + o.height + CONTRAST_RING).min(h);
            let (mut sum, mut n) = (0u64, 0u64);
            for y in y0..y1 {
                let row = &plane.data[y as usize * w as usize..][..w as usize];
                for x in x0..x1 {
                    if !mask.get(x, y) {
                        sum += row[x as usize] as u64;
                        n += 1;
                    }
                }
            }
            if n == 0 {
                0.0
            } else {
                o.mean - sum as f64 / n as f64
            }
        })
        .collect()
}

/// The filter that removed an object, for the *Rejected* layer and the objects table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reject {
    /// Smaller than the minimum area.
    Small,
    /// Larger than the maximum area.
    Large,
    /// Circularity outside its range.
    Circularity,
    /// Mean under the minimum mean.
    Mean,
    /// Contrast under the minimum contrast.
    Contrast,
    /// Touching the image's edge.
    Edge,
    /// Thinner than the minimum thickness (a fibre).
    Thin,
    /// More elongated than the maximum elongation.
    Elongated,
    /// Blob measure under the minimum (a ridge or an edge).
    NotBlob,
    /// Dimmer, relative to the image, than the minimum brightness.
    Dim,
    /// Ring contrast, relative to the image, under the minimum.
    LowRing,
    /// The classifier's score under the cut-off.
    Classifier,
}

impl Reject {
    /// The filter's name, as in the parameter text where it has a key.
    pub fn name(self) -> &'static str {
        match self {
            Reject::Small => "min_area",
            Reject::Large => "max_area",
            Reject::Circularity => "circularity",
            Reject::Mean => "min_mean",
            Reject::Contrast => "min_contrast",
            Reject::Edge => "exclude_edges",
            Reject::Thin => "min_thickness",
            Reject::Elongated => "max_elongation",
            Reject::NotBlob => "min_blob",
            Reject::Dim => "min_brightness",
            Reject::LowRing => "min_ring",
            Reject::Classifier => "cutoff",
        }
    }

    /// Why, in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            Reject::Small => "smaller than the minimum area",
            Reject::Large => "larger than the maximum area",
            Reject::Circularity => "circularity out of range",
            Reject::Mean => "mean under the minimum",
            Reject::Contrast => "contrast under the minimum",
            Reject::Edge => "touches the image edge",
            Reject::Thin => "too thin for a cell body (a fibre)",
            Reject::Elongated => "too elongated",
            Reject::NotBlob => "not blob-shaped (a ridge or an edge)",
            Reject::Dim => "too dim for this image",
            Reject::LowRing => "too little contrast to its ring",
            Reject::Classifier => "the classifier's score is under the cut-off",
        }
    }
}

/// The cell-body measures of one object ([`crate::count::body`] defines them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Body {
    /// Largest inscribed radius over the expected radius.
    pub thickness: f64,
    /// The fitted ellipse's major over minor axis.
    pub elongation: f64,
    /// Blob measure, 0 (ridge) to 1 (round blob).
    pub blob: f64,
    /// Mean minus the image's median, in robust spreads.
    pub brightness: f64,
    /// Contrast to the ring around the object, in robust spreads.
    pub ring: f64,
}

/// The first filter of `params` that an object fails, or `None` if it passes them all.
fn rejected_by(
    params: &Params,
    o: &ObjectStats,
    s: &Shape,
    contrast: f64,
    b: &Body,
    w: u32,
    h: u32,
) -> Option<Reject> {
    let max_area = params.max_area.unwrap_or(u64::MAX);
    let on_edge = o.bx == 0 || o.by == 0 || o.bx + o.width >= w || o.by + o.height >= h;
    let checks = [
        (o.area < params.min_area, Reject::Small),
        (o.area > max_area, Reject::Large),
        (
            s.circularity < params.min_circularity || s.circularity > params.max_circularity,
            Reject::Circularity,
        ),
        (o.mean < params.min_mean, Reject::Mean),
        (
            params.min_contrast > 0.0 && contrast < params.min_contrast,
            Reject::Contrast,
        ),
        (params.exclude_edges && on_edge, Reject::Edge),
        (
            params.min_thickness > 0.0 && b.thickness < params.min_thickness,
            Reject::Thin,
        ),
        (
            params.max_elongation > 0.0 && b.elongation > params.max_elongation,
            Reject::Elongated,
        ),
        (
            params.min_brightness > 0.0 && b.brightness < params.min_brightness,
            Reject::Dim,
        ),
        (
            params.min_ring > 0.0 && b.ring < params.min_ring,
            Reject::LowRing,
        ),
        // Last, as it is the costly one: a blob measure not made yet (NaN) passes.
        (
            params.min_blob > 0.0 && b.blob < params.min_blob && !blob_exempt(params, b),
            Reject::NotBlob,
        ),
    ];
    checks.into_iter().find(|c| c.0).map(|c| c.1)
}

/// Whether `b` is thick enough to pass the blob filter whatever its blob measure
/// ([`Params::blob_exempt`]).
pub fn blob_exempt(params: &Params, b: &Body) -> bool {
    params.blob_exempt > 0.0
        && b.thickness >= params.blob_exempt
        && b.thickness <= 2.0 * params.blob_exempt
}

/// The cell-body measures of every object, in label order, but the blob measure, left NaN: it is
/// the costly one, made by [`with_blob`] for the objects that pass every other filter. `discs`
/// are the objects' largest inscribed discs ([`inscribed_discs`]).
fn bodies(
    prepared: &Prepared,
    discs: &[(f64, f64, f64)],
    stats: &[ObjectStats],
    shape: &[Shape],
    contrast: &[f64],
) -> Vec<Body> {
    let d = f64::from(prepared.diameter.diameter);
    let radius = (d / 2.0).max(0.5);
    let bg = prepared.background;
    discs
        .iter()
        .zip(stats.iter().zip(shape).zip(contrast))
        .map(|(&(r, _, _), ((o, s), &c))| Body {
            thickness: r / radius,
            elongation: s.aspect_ratio,
            blob: f64::NAN,
            brightness: (o.mean - bg.level) / bg.spread,
            ring: c / bg.spread,
        })
        .collect()
}

/// The blob kernels of one image: the cell scale σ = d / (2√2), and larger scales in steps of
/// [`BLOB_STEP`] for objects thicker than a cell, made as they are needed.
struct BlobKernels {
    cell_sigma: f64,
    made: HashMap<u32, Option<BlobKernel>>,
}

/// The ratio between two blob scales.
const BLOB_STEP: f64 = 1.1;

impl BlobKernels {
    fn new(diameter: f64) -> Self {
        BlobKernels {
            cell_sigma: diameter / (2.0 * std::f64::consts::SQRT_2),
            made: HashMap::new(),
        }
    }

    /// The kernel for an object whose largest inscribed disc has radius `r`: the cell scale, or
    /// the disc's own (r / √2, where a disc gives its strongest response) when that is larger,
    /// rounded up to a step.
    fn for_radius(&mut self, r: f64) -> Option<&BlobKernel> {
        let own = r / std::f64::consts::SQRT_2;
        let step = if own > self.cell_sigma && self.cell_sigma > 0.0 {
            ((own / self.cell_sigma).ln() / BLOB_STEP.ln())
                .ceil()
                .min(40.0) as u32
        } else {
            0
        };
        let sigma = self.cell_sigma * BLOB_STEP.powi(step as i32);
        self.made
            .entry(step)
            .or_insert_with(|| BlobKernel::new(sigma))
            .as_ref()
    }
}

/// The blob measure of an object on the background-corrected plane, at the centre of its largest
/// inscribed disc (in the cell body, not on a neurite attached to it), at the larger of the cell
/// scale and the disc's own.
fn with_blob(prepared: &Prepared, kernels: &mut BlobKernels, disc: (f64, f64, f64), b: &mut Body) {
    let base = prepared.corrected.as_ref().unwrap_or(&prepared.plane);
    let (r, x, y) = disc;
    b.blob = kernels.for_radius(r).map_or(0.0, |k| k.measure(base, x, y));
}

/// The objects of a segmented mask, measured, in label order, split into those kept and those
/// a filter removed.
struct Objects {
    kept: Components,
    stats: Vec<ObjectStats>,
    shapes: Vec<Shape>,
    contrast: Vec<f64>,
    bodies: Vec<Body>,
    rejected: Components,
    rejected_stats: Vec<ObjectStats>,
    rejected_shapes: Vec<Shape>,
    rejected_contrast: Vec<f64>,
    rejected_bodies: Vec<Body>,
    why: Vec<Reject>,
}

/// Labels, measures and filters the objects of a segmented mask.
fn objects_of(prepared: &Prepared, params: &Params, mask: &BitMask, timer: &mut Timer) -> Objects {
    let comps = label(mask, params.connectivity);
    let stats = measure(&comps, &prepared.plane);
    timer.lap(Stage::Label);
    let shape = shapes(&comps, params.connectivity);
    let contrasts = contrast(&stats, mask, &prepared.plane);
    let discs = inscribed_discs(&comps);
    let mut body = bodies(prepared, &discs, &stats, &shape, &contrasts);
    let (w, h) = (comps.width, comps.height);
    let mut kernels = BlobKernels::new(f64::from(prepared.diameter.diameter));
    // Every filter but the blob's first (a NaN blob passes it); the blob measure only for the
    // objects still in, then its filter.
    let why: Vec<Option<Reject>> = (0..stats.len())
        .map(|i| {
            let first = rejected_by(params, &stats[i], &shape[i], contrasts[i], &body[i], w, h);
            if first.is_some() {
                return first;
            }
            with_blob(prepared, &mut kernels, discs[i], &mut body[i]);
            rejected_by(params, &stats[i], &shape[i], contrasts[i], &body[i], w, h)
        })
        .collect();
    let (kept, old) = retain(&comps, |l| why[l as usize - 1].is_none());
    let (rejected, old_rejected) = retain(&comps, |l| why[l as usize - 1].is_some());
    let relabel = |i: usize, j: usize| ObjectStats {
        label: i as u32 + 1,
        ..stats[j].clone()
    };
    let mut out = Objects {
        kept,
        stats: Vec::with_capacity(old.len()),
        shapes: Vec::with_capacity(old.len()),
        contrast: Vec::with_capacity(old.len()),
        bodies: Vec::with_capacity(old.len()),
        rejected,
        rejected_stats: Vec::with_capacity(old_rejected.len()),
        rejected_shapes: Vec::with_capacity(old_rejected.len()),
        rejected_contrast: Vec::with_capacity(old_rejected.len()),
        rejected_bodies: Vec::with_capacity(old_rejected.len()),
        why: Vec::with_capacity(old_rejected.len()),
    };
    for (i, &l) in old.iter().enumerate() {
        let j = l as usize - 1;
        out.stats.push(relabel(i, j));
        out.shapes.push(shape[j]);
        out.contrast.push(contrasts[j]);
        out.bodies.push(body[j]);
    }
    for (i, &l) in old_rejected.iter().enumerate() {
        let j = l as usize - 1;
        out.rejected_stats.push(relabel(i, j));
        out.rejected_shapes.push(shape[j]);
        out.rejected_contrast.push(contrasts[j]);
        out.rejected_bodies.push(body[j]);
        out.why.extend(why[j]);
    }
    timer.lap(Stage::Filter);
    out
}

/// Runs everything after [`prepare`].
pub fn analyze_prepared(prepared: &Prepared, params: &Params) -> Analysis {
    let params = &params.resolved(prepared.diameter.diameter);
    let mut timings = prepared.timings.clone();
    let (mask, level) = segment(prepared, params, &mut timings);
    let mut timer = Timer::new();
    let o = objects_of(prepared, params, &mask, &mut timer);
    let labels = label_image(&o.kept);
    timer.lap(Stage::LabelImage);
    timings.extend(timer.0);
    Analysis {
        width: prepared.plane.width,
        height: prepared.plane.height,
        labels,
        components: o.kept,
        objects: o.stats,
        shapes: o.shapes,
        contrast: o.contrast,
        bodies: o.bodies,
        rejected: o.rejected,
        rejected_objects: o.rejected_stats,
        rejected_shapes: o.rejected_shapes,
        rejected_contrast: o.rejected_contrast,
        rejected_bodies: o.rejected_bodies,
        rejected_why: o.why,
        scores: Vec::new(),
        rejected_scores: Vec::new(),
        diameter: prepared.diameter.diameter,
        diameter_estimated: prepared.diameter.estimated,
        level,
        otsu_level: prepared.otsu,
        max_value: prepared.plane.depth.max_value(),
        timings,
    }
}

/// Analyses one image with one set of parameters.
///
/// ```
/// use fluocount::{count::{analyze, Params}, imaging::Image};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        count::synth::{SynthParams, generate},
        imaging::threshold::local::LocalMethod,
    };

    #[test]
    fn a_small_image_is_counted_at_its_cells_size() {
        // 400x300 with eight cells about 36 px across: the automatic diameter once read the
        // whole image as one blob (142 px on seed 1) and the yellow preset counted nothing.
        for seed in 1..=4 {
            let image = generate(&SynthParams {
                seed,
                width: 400,
                height: 300,
                cells: 8,
                ..SynthParams::default()
            })
            .image;
            let a = analyze(&image, &crate::count::presets::Collection::Yellow.preset());
            assert!(a.diameter < 60.0, "seed {seed}: diameter {}", a.diameter);
            assert!(
                (6..=10).contains(&a.objects.len()),
                "seed {seed}: {} objects",
                a.objects.len()
            );
        }
    }

    /// A clump: a disc of radius 30 at 100 holding three bright bodies (Gaussian bumps to 200,
    /// 16 px from its centre) in a `w` x 100 image of 10, its centre at (`cx`, 50). Its distance
    /// map has one peak; its brightness has three.
    fn clump(w: u32, cx: f64, top: u16) -> Image {
        let bumps: Vec<(f64, f64)> = (0..3)
            .map(|k| {
                let a = f64::from(k) * 2.0 * std::f64::consts::PI / 3.0;
                (cx + 16.0 * a.cos(), 50.0 + 16.0 * a.sin())
            })
            .collect();
        let px = (0..100u32)
            .flat_map(|y| (0..w).map(move |x| (f64::from(x) + 0.5, f64::from(y) + 0.5)))
            .map(|(x, y)| {
                if (x - cx).powi(2) + (y - 50.0).powi(2) > 900.0 {
                    return 10;
                }
                let bump: f64 = bumps
                    .iter()
                    .map(|&(bx, by)| (-((x - bx).powi(2) + (y - by).powi(2)) / 50.0).exp())
                    .sum();
                (100.0 + 100.0 * bump).round().min(f64::from(top)) as u8
            })
            .collect();
        Image::gray8(w, 100, px)
    }

    #[test]
    fn what_is_still_thick_is_split_again_by_its_brightness() {
        let p = Params {
            sigma: 0.0,
            open_radius: 0,
            close_radius: 0,
            method: ThresholdMethod::Manual,
            level: 50,
            split: true,
            prominence: 1.0,
            seed_distance: 10.0,
            min_area: 1,
            diameter: crate::count::params::Diameter::Px(30.0),
            ..Params::default()
        };
        let count = |image: &Image, resplit: f64| {
            analyze(
                image,
                &Params {
                    resplit,
                    ..p.clone()
                },
            )
            .objects
            .len()
        };
        let inside = clump(160, 80.0, 255);
        // The distance map leaves the clump whole; splitting again from 1.5 expected radii (its
        // thickness is 2) cuts it at its three bodies; from 2.5, it is not thick enough.
        assert_eq!(count(&inside, 0.0), 1);
        assert_eq!(count(&inside, 1.5), 3);
        assert_eq!(count(&inside, 2.5), 1);
        // Touching the image's edge (its first column): left whole.
        assert_eq!(count(&clump(160, 30.0, 255), 1.5), 1);
        // Its bodies clipped at the image's largest value (over 1 % of its pixels): left whole.
        assert_eq!(count(&clump(160, 80.0, 160), 1.5), 1);
    }

    #[test]
    fn thick_bodies_skip_the_blob_test_and_nothing_else() {
        let o = ObjectStats {
            label: 1,
            area: 1000,
            x: 50.0,
            y: 50.0,
            bx: 30,
            by: 30,
            width: 40,
            height: 40,
            mean: 100.0,
            min: 90,
            max: 110,
        };
        let s = Shape {
            perimeter: 110.0,
            circularity: 0.9,
            major: 37.0,
            minor: 35.0,
            angle: 0.0,
            aspect_ratio: 1.05,
            roundness: 0.95,
            solidity: 0.95,
            feret: 38.0,
            min_feret: 34.0,
        };
        let body = |thickness: f64, blob: f64| Body {
            thickness,
            elongation: 1.0,
            blob,
            brightness: 10.0,
            ring: 10.0,
        };
        let p = Params {
            min_blob: 0.3,
            blob_exempt: 0.9,
            min_thickness: 0.3,
            ..Params::default()
        };
        let why = |p: &Params, b: Body| rejected_by(p, &o, &s, 0.0, &b, 200, 200);
        // Within [0.9, 1.8] expected radii a ridge-like measure does not reject.
        for t in [0.9, 1.0, 1.8] {
            assert_eq!(why(&p, body(t, 0.05)), None, "thickness {t}");
        }
        // Thinner (a fibre) or much thicker (a tissue edge) is still tested.
        for t in [0.5, 0.89, 1.81, 3.0] {
            assert_eq!(
                why(&p, body(t, 0.05)),
                Some(Reject::NotBlob),
                "thickness {t}"
            );
        }
        // Off: every ridge is rejected; the other filters still apply to exempt bodies.
        let off = Params {
            blob_exempt: 0.0,
            ..p.clone()
        };
        assert_eq!(why(&off, body(1.0, 0.05)), Some(Reject::NotBlob));
        let dim = Params {
            min_brightness: 20.0,
            ..p.clone()
        };
        assert_eq!(why(&dim, body(1.0, 0.05)), Some(Reject::Dim));
        // The text form carries it.
        assert_eq!(Params::from_query(&p.to_query()).0.blob_exempt, 0.9);
    }

    #[test]
    fn a_cached_local_threshold_gives_what_a_fresh_analysis_gives() {
        let image = generate(&SynthParams {
            width: 300,
            height: 200,
            cells: 6,
            ..SynthParams::default()
        })
        .image;
        let local = Params {
            sigma: 0.0,
            method: ThresholdMethod::Local(LocalMethod::Phansalkar),
            ..Params::default()
        };
        let prepared = prepare(&image, &local);
        let first = analyze_prepared(&prepared, &local);
        assert!(prepared.local_cache.0.lock().is_ok_and(|c| c.is_some()));
        // A change after the threshold reuses the mask; a change of radius does not.
        for p in [
            Params {
                min_area: 400,
                ..local.clone()
            },
            Params {
                local_radius: 5,
                ..local.clone()
            },
            local.clone(),
        ] {
            let cached = analyze_prepared(&prepared, &p);
            let fresh = analyze(&image, &p);
            assert_eq!(cached.count(), fresh.count());
            assert_eq!(cached.labels, fresh.labels);
        }
        assert_eq!(first.labels, analyze(&image, &local).labels);
    }
}
