//! Learning what a lab's annotators count: an object classifier trained from masks.
//!
//! 1. **Candidates**: a permissive setting finds nearly every cell, with blobs, fibre pieces and
//!    tissue edges besides ([`candidate_params`]: a preset with its cell-body filters off).
//! 2. **Features**: each candidate's measures, relative to the expected cell size and to the image's
//!    own brightness ([`features`]).
//! 3. **Labels**: from a mask, by the reference matching (a candidate matched to a true cell is a
//!    cell, [`label_by_mask`]); from corrections, a removed object is not a cell and a counted one
//!    that was kept is ([`label_by_corrections`]).
//! 4. **A random forest** ([`forest`]), trained on the candidates of every labelled image.
//! 5. **Apply**: candidates → score → the objects scoring at least the cut-off are counted; the
//!    others go to the *Rejected* layer ([`apply`]).
//!
//! [`cross_validate`] scores each image by a forest trained without it (leave one image out).

pub mod builtin;
pub mod features;
pub mod forest;
pub mod model;

pub use self::{
    features::{COUNT as FEATURE_COUNT, FEATURES, Feature},
    forest::{Forest, ForestOptions, Samples, Trained},
    model::{Candidates, Model, ModelError},
};

use crate::{
    count::{
        Params,
        pipeline::{Analysis, Prepared, Reject, analyze_prepared},
        presets::Collection,
        scoring::{ImageScore, ObjectBox, Pooled, ScoreOptions, boxes, match_objects},
    },
    imaging::{
        BitMask,
        label::{Connectivity, label, merge, retain},
    },
};

/// The candidate setting of a preset: its threshold, morphology and splitting, with the
/// cell-body filters (thickness, elongation, blob, brightness, ring, contrast, circularity, mean)
/// off and the minimum area a quarter of the preset's at 36 px (fixed), so that the classifier sees nearly every
/// cell and decides.
pub fn candidate_params(preset: &Params) -> Params {
    let mut p = Params {
        min_thickness: 0.0,
        max_elongation: 0.0,
        min_blob: 0.0,
        blob_exempt: 0.0,
        min_brightness: 0.0,
        min_ring: 0.0,
        min_contrast: 0.0,
        min_circularity: 0.0,
        max_circularity: 1.0,
        min_mean: 0.0,
        exclude_edges: false,
        ..preset.clone()
    };
    // A fixed quarter of the preset's (at 36 px), so that it reads back from the text form.
    let _ = p.set("min_area", &(preset.min_area / 4).max(1).to_string());
    p
}

/// The candidates of one image with their labels: what training and cross-validation need, with
/// no pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    /// The image's name.
    pub name: String,
    /// Its collection's name ("yellow", "red", …), for figures by collection.
    pub collection: String,
    /// Each candidate's features.
    pub rows: Vec<[f32; FEATURE_COUNT]>,
    /// Whether each candidate is a cell.
    pub cells: Vec<bool>,
    /// Each candidate's box (for the reference matching of a subset).
    pub pred: Vec<ObjectBox>,
    /// The true cells' boxes (empty when the labels come from corrections).
    pub truth: Vec<ObjectBox>,
    /// Number of true cells: of the mask, or the corrected count.
    pub true_count: u32,
    /// The matching distance.
    pub max_distance: f64,
}

impl Labelled {
    /// True positives, false positives and false negatives when only the candidates with
    /// `keep[i]` are counted, by the reference matching (with a mask) or by the labels.
    pub fn score(&self, keep: &[bool]) -> (u32, u32, u32) {
        let kept = keep.iter().filter(|&&k| k).count() as u32;
        let tp = if self.truth.is_empty() {
            self.cells
                .iter()
                .zip(keep)
                .filter(|(c, k)| **c && **k)
                .count() as u32
        } else {
            let pred: Vec<ObjectBox> = self
                .pred
                .iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(b, _)| *b)
                .collect();
            match_objects(&pred, &self.truth, self.max_distance)
                .iter()
                .flatten()
                .count() as u32
        };
        let tp = tp.min(self.true_count);
        (tp, kept - tp, self.true_count - tp)
    }

    /// The fraction of true cells that some candidate matches: the most the classifier can find.
    pub fn candidate_recall(&self) -> f64 {
        if self.true_count == 0 {
            return 1.0;
        }
        let all = vec![true; self.cells.len()];
        f64::from(self.score(&all).0) / f64::from(self.true_count)
    }

    /// The training rows, each weighing `weight`.
    pub fn samples(&self, weight: f32) -> Samples {
        let mut s = Samples::new(FEATURE_COUNT);
        for (r, &c) in self.rows.iter().zip(&self.cells) {
            s.push(r, c, weight);
        }
        s
    }
}

/// Labels an analysis's candidates by a ground-truth mask: a candidate the reference matching
/// pairs with a true cell is a cell.
pub fn label_by_mask(
    name: &str,
    collection: &str,
    prepared: &Prepared,
    candidates: &Analysis,
    truth: &BitMask,
    opts: ScoreOptions,
) -> Labelled {
    let truth_comps = label(truth, Connectivity::Four);
    let truth_boxes = boxes(&truth_comps, opts.centre);
    let pred = boxes(&candidates.components, opts.centre);
    let matches = match_objects(&pred, &truth_boxes, opts.max_distance);
    let cells = matches.iter().map(Option::is_some).collect();
    Labelled {
        name: name.to_string(),
        collection: collection.to_string(),
        rows: features::features(prepared, candidates),
        cells,
        pred,
        true_count: truth_boxes.len() as u32,
        truth: truth_boxes,
        max_distance: opts.max_distance,
    }
}

/// Labels an analysis's candidates by a user's corrections: a candidate whose centre lies in a
/// removed object is not a cell; the others that the user's count kept are cells, and the
/// candidates it did not count are not. `removed(x, y)` says whether a pixel lies in a removed
/// object; `counted(i)` whether candidate `i` was counted. The true count is the kept
/// candidates plus `added` (cells the user marked by hand).
pub fn label_by_corrections(
    name: &str,
    collection: &str,
    prepared: &Prepared,
    candidates: &Analysis,
    removed: impl Fn(u32, u32) -> bool,
    counted: impl Fn(usize) -> bool,
    added: u32,
) -> Labelled {
    let opts = ScoreOptions::default();
    let pred = boxes(&candidates.components, opts.centre);
    let cells: Vec<bool> = candidates
        .objects
        .iter()
        .enumerate()
        .map(|(i, o)| counted(i) && !removed(o.x as u32, o.y as u32))
        .collect();
    let kept = cells.iter().filter(|&&c| c).count() as u32;
    Labelled {
        name: name.to_string(),
        collection: collection.to_string(),
        rows: features::features(prepared, candidates),
        cells,
        pred,
        truth: Vec::new(),
        true_count: kept + added,
        max_distance: opts.max_distance,
    }
}

/// How to train.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainOptions {
    /// The forest's options.
    pub forest: ForestOptions,
    /// Whether every image's rows together weigh the same (else every row weighs 1).
    pub balance_images: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            forest: ForestOptions::default(),
            balance_images: true,
        }
    }
}

/// All the rows of `images`, each image's weighing the same when `balance` is on.
pub fn pooled_samples(images: &[&Labelled], balance: bool) -> Samples {
    let mut s = Samples::new(FEATURE_COUNT);
    let total: usize = images.iter().map(|i| i.rows.len()).sum();
    for img in images {
        let w = if balance && !img.rows.is_empty() {
            total as f32 / (images.len() as f32 * img.rows.len() as f32)
        } else {
            1.0
        };
        s.extend(&img.samples(w));
    }
    s
}

/// How far either side of a cut-off [`best_cutoff`] looks: 0.1, two steps of 0.05.
pub const CUTOFF_WINDOW: f32 = 0.1;

/// The cut-off among 0.05, 0.10, …, 0.95 whose neighbourhood has the best pooled F1 of
/// `scores` over `images` (each image's scores in its candidates' order): the mean F1 at the
/// cut-off and at two steps of 0.05 either side ([`CUTOFF_WINDOW`], clamped to 0..=1); ties go to
/// the cut-off nearest 0.5.
///
/// Not the single best cut-off: out-of-bag scores on a few training images are noisy, and a
/// spike of F1 at one cut-off moved a fold's count by half from one seed to the next. The
/// middle of a good plateau carries to unseen images better (on the four real samples, leave one
/// image out over 8 seeds: median pooled F1 0.55 → 0.60, the worst seed 0.45 → 0.51).
pub fn best_cutoff(images: &[&Labelled], scores: &[Vec<f32>]) -> f32 {
    let f1_at = |c: f32| {
        let (tp, fp, fn_) = pooled_at(images.iter().copied().zip(scores), c.clamp(0.0, 1.0));
        ratio(2 * tp, 2 * tp + fp + fn_)
    };
    let mut best = (f64::NEG_INFINITY, 0.5f32);
    for k in 1..20 {
        let c = k as f32 / 20.0;
        let h = CUTOFF_WINDOW / 2.0;
        let f1 = [-CUTOFF_WINDOW, -h, 0.0, h, CUTOFF_WINDOW]
            .iter()
            .map(|d| f1_at(c + d))
            .sum::<f64>()
            / 5.0;
        let nearer = (c - 0.5).abs() < (best.1 - 0.5).abs();
        if f1 > best.0 + 1e-12 || ((f1 - best.0).abs() <= 1e-12 && nearer) {
            best = (f1, c);
        }
    }
    best.1
}

/// Trains a model on the candidates of `images`, found with `params`; the cut-off is chosen on
/// the out-of-bag scores (each row scored by the trees that did not see it), so no held-out
/// image is looked at. `progress(done, total)` after each tree; false cancels (`None`).
pub fn train(
    name: &str,
    candidates: &Candidates,
    images: &[&Labelled],
    opts: &TrainOptions,
    progress: impl FnMut(usize, usize) -> bool,
) -> Option<(Model, Trained)> {
    let samples = pooled_samples(images, opts.balance_images);
    let trained = forest::train(&samples, &opts.forest, progress)?;
    // The out-of-bag scores, image by image (a row no tree left out counts as its own score).
    let mut at = 0;
    let oob: Vec<Vec<f32>> = images
        .iter()
        .map(|img| {
            let s = (at..at + img.rows.len())
                .map(|i| {
                    let v = trained.oob[i];
                    if v.is_nan() {
                        trained.forest.predict(samples.row(i))
                    } else {
                        v
                    }
                })
                .collect();
            at += img.rows.len();
            s
        })
        .collect();
    let cutoff = best_cutoff(images, &oob);
    let cells: usize = images
        .iter()
        .map(|i| i.cells.iter().filter(|&&c| c).count())
        .sum();
    let model = Model {
        name: name.to_string(),
        candidates: candidates.clone(),
        cutoff,
        forest: trained.forest.clone(),
        importance: trained.importance.clone(),
        trained_on: format!(
            "{} images, {} candidates, {} cells",
            images.len(),
            samples.len(),
            cells
        ),
    };
    Some((model, trained))
}

/// One held-out image's result.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldOut {
    /// Index of the image.
    pub image: usize,
    /// Each candidate's score by the model trained without the image.
    pub scores: Vec<f32>,
    /// That model's cut-off (chosen on its own training images).
    pub cutoff: f32,
    /// True positives, false positives, false negatives at that cut-off.
    pub tp: u32,
    /// False positives.
    pub fp: u32,
    /// False negatives.
    pub fn_: u32,
}

impl HeldOut {
    /// The predicted count.
    pub fn count(&self) -> u32 {
        self.tp + self.fp
    }

    /// These figures as an image's score against `true_count` true cells, for pooling.
    pub fn image_score(&self, true_count: u32) -> ImageScore {
        ImageScore {
            true_count,
            pred_count: self.count(),
            tp: self.tp,
            fp: self.fp,
            fn_: self.fn_,
            ..ImageScore::default()
        }
    }
}

/// Leave one image out: each image is scored by a model trained on all the others and on
/// `train_only` (images that are never held out, e.g. a synthetic suite). Needs two images or
/// more (else empty). A fold whose other images have no candidate at all counts nothing on its
/// held-out image (every score 0). `progress(done, total)` counts trees over all folds; false
/// cancels (`None`), and only that.
pub fn cross_validate(
    candidates: &Candidates,
    images: &[Labelled],
    train_only: &[Labelled],
    opts: &TrainOptions,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Option<Vec<HeldOut>> {
    if images.len() < 2 {
        return Some(Vec::new());
    }
    let total = images.len() * opts.forest.trees;
    let mut out = Vec::with_capacity(images.len());
    for k in 0..images.len() {
        let others: Vec<&Labelled> = images
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, i)| i)
            .chain(train_only)
            .collect();
        let img = &images[k];
        if others.iter().all(|i| i.rows.is_empty()) {
            // Nothing to learn from without this image (the others have no candidate): a
            // model of nothing counts nothing here. Not a cancellation.
            if !progress((k + 1) * opts.forest.trees, total) {
                return None;
            }
            let keep = vec![false; img.rows.len()];
            let (tp, fp, fn_) = img.score(&keep);
            out.push(HeldOut {
                image: k,
                scores: vec![0.0; img.rows.len()],
                cutoff: 0.5,
                tp,
                fp,
                fn_,
            });
            continue;
        }
        let (model, _) = train("fold", candidates, &others, opts, |d, _| {
            progress(k * opts.forest.trees + d, total)
        })?;
        let scores: Vec<f32> = img.rows.iter().map(|r| model.forest.predict(r)).collect();
        let keep: Vec<bool> = scores.iter().map(|&s| s >= model.cutoff).collect();
        let (tp, fp, fn_) = img.score(&keep);
        out.push(HeldOut {
            image: k,
            scores,
            cutoff: model.cutoff,
            tp,
            fp,
            fn_,
        });
    }
    Some(out)
}

/// The pooled held-out figures of one [`cross_validate`] run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeldOutFigures {
    /// The forest's seed.
    pub seed: u64,
    /// Pooled precision (summed TP over summed predictions; 1 when nothing is predicted).
    pub precision: f64,
    /// Pooled recall.
    pub recall: f64,
    /// Pooled F1.
    pub f1: f64,
    /// Mean absolute count error per image.
    pub mae: f64,
}

impl HeldOutFigures {
    /// The pooled figures of `held` (as [`cross_validate`] returns them for `images`).
    pub fn of(seed: u64, images: &[Labelled], held: &[HeldOut]) -> Self {
        let scores: Vec<ImageScore> = held
            .iter()
            .map(|h| h.image_score(images.get(h.image).map_or(0, |i| i.true_count)))
            .collect();
        let p = Pooled::new(&scores);
        HeldOutFigures {
            seed,
            precision: p.precision(),
            recall: p.recall(),
            f1: p.f1(),
            mae: p.mae,
        }
    }
}

/// The median of `v` (the mean of the two middle values for an even count), its smallest and its
/// largest value, in that order; `None` for no values. For the spread of figures over seeds.
pub fn median_range(v: &[f64]) -> Option<(f64, f64, f64)> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let (&lo, &hi) = (v.first()?, v.last()?);
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((median, lo, hi))
}

/// The spread over `n` seeds of a cross-validation already run once with `opts`' seed
/// (`first`, as [`cross_validate`] returned it): its figures, then those of
/// [`cross_validate_seeds`] from the next seed, `n − 1` runs. Empty for `n` 0. `progress` counts
/// trees over the new runs. `None` if cancelled.
pub fn spread_over_seeds(
    candidates: &Candidates,
    images: &[Labelled],
    train_only: &[Labelled],
    opts: &TrainOptions,
    first: &[HeldOut],
    n: usize,
    progress: impl FnMut(usize, usize) -> bool,
) -> Option<Vec<HeldOutFigures>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let seed = opts.forest.seed;
    let mut next = *opts;
    next.forest.seed = seed.wrapping_add(1);
    let rest = cross_validate_seeds(candidates, images, train_only, &next, n - 1, progress)?;
    Some(
        std::iter::once(HeldOutFigures::of(seed, images, first))
            .chain(rest)
            .collect(),
    )
}

/// [`cross_validate`] repeated with `n` seeds (`opts`' seed, then the next ones, wrapping): how
/// much the held-out figures owe to the forest's random draws, which on a handful of images
/// is much (a fold trained on few cells moves its cut-off). In seed order; `progress` counts
/// trees over every run. `None` if cancelled.
pub fn cross_validate_seeds(
    candidates: &Candidates,
    images: &[Labelled],
    train_only: &[Labelled],
    opts: &TrainOptions,
    n: usize,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Option<Vec<HeldOutFigures>> {
    let per_run = images.len() * opts.forest.trees;
    let total = per_run * n;
    (0..n)
        .map(|k| {
            let seed = opts.forest.seed.wrapping_add(k as u64);
            let mut o = *opts;
            o.forest.seed = seed;
            let held = cross_validate(candidates, images, train_only, &o, |d, _| {
                progress(k * per_run + d, total)
            })?;
            Some(HeldOutFigures::of(seed, images, &held))
        })
        .collect()
}

/// A point of a precision-recall curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// The cut-off.
    pub cutoff: f32,
    /// Pooled precision.
    pub precision: f64,
    /// Pooled recall.
    pub recall: f64,
    /// Pooled F1.
    pub f1: f64,
}

/// The pooled precision-recall curve of held-out scores, at cut-offs 0.00, 0.02, …, 1.00.
pub fn curve(images: &[Labelled], held: &[HeldOut]) -> Vec<CurvePoint> {
    (0..=50)
        .map(|k| {
            let c = k as f32 / 50.0;
            let held = held
                .iter()
                .filter_map(|h| Some((images.get(h.image)?, &h.scores)));
            let (tp, fp, fn_) = pooled_at(held, c);
            CurvePoint {
                cutoff: c,
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, tp + fn_),
                f1: ratio(2 * tp, 2 * tp + fp + fn_),
            }
        })
        .collect()
}

/// Summed TP, FP and FN over images whose candidates with a score of at least `cutoff` count.
fn pooled_at<'a>(
    images: impl Iterator<Item = (&'a Labelled, &'a Vec<f32>)>,
    cutoff: f32,
) -> (u64, u64, u64) {
    images.fold((0, 0, 0), |(tp, fp, fn_), (img, scores)| {
        let keep: Vec<bool> = scores.iter().map(|&v| v >= cutoff).collect();
        let (a, b, d) = img.score(&keep);
        (tp + u64::from(a), fp + u64::from(b), fn_ + u64::from(d))
    })
}

/// n / d, with the reference's 0/0 = 1.
fn ratio(n: u64, d: u64) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// Counts with a model: the model's candidates, each scored; those at or above `cutoff` are
/// counted, the others join the *Rejected* layer ([`Reject::Classifier`]). The analysis's
/// `scores` and `rejected_scores` hold the scores (NaN for objects a candidate filter removed).
pub fn apply(prepared: &Prepared, model: &Model, collection: Collection, cutoff: f32) -> Analysis {
    let candidates = analyze_prepared(prepared, &model.candidates.for_collection(collection));
    let rows = features::features(prepared, &candidates);
    let scores: Vec<f32> = rows.iter().map(|r| model.forest.predict(r)).collect();
    classify(candidates, scores, cutoff)
}

/// Keeps the objects of `a` whose score is at least `cutoff`; moves the others to its rejected
/// objects, which stay in raster order of their first pixel.
pub fn classify(mut a: Analysis, scores: Vec<f32>, cutoff: f32) -> Analysis {
    let keep: Vec<bool> = scores.iter().map(|&s| s >= cutoff).collect();
    let keep_label = |l: u32| keep.get(l as usize - 1).copied().unwrap_or(true);
    let (kept, old_kept) = retain(&a.components, keep_label);
    let (moved, old_moved) = retain(&a.components, |l| !keep_label(l));
    // The rejected objects: the old ones and the moved ones, merged in raster order.
    let (rejected, origin) = merge(&a.rejected, &moved);
    let mut rejected_scores = Vec::with_capacity(origin.len());
    let (mut ro, mut rs, mut rc, mut rb, mut rw) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, &(from_moved, l)) in origin.iter().enumerate() {
        let j = l as usize - 1;
        let (o, s, c, b, why, score) = if from_moved {
            let k = old_moved[j] as usize - 1;
            (
                &a.objects[k],
                a.shapes[k],
                a.contrast[k],
                a.bodies[k],
                Reject::Classifier,
                scores.get(k).copied().unwrap_or(f32::NAN),
            )
        } else {
            (
                &a.rejected_objects[j],
                a.rejected_shapes[j],
                a.rejected_contrast[j],
                a.rejected_bodies[j],
                a.rejected_why[j],
                a.rejected_scores.get(j).copied().unwrap_or(f32::NAN),
            )
        };
        ro.push(crate::imaging::label::ObjectStats {
            label: i as u32 + 1,
            ..o.clone()
        });
        rs.push(s);
        rc.push(c);
        rb.push(b);
        rw.push(why);
        rejected_scores.push(score);
    }
    let mut objects = Vec::with_capacity(old_kept.len());
    let (mut shapes, mut contrast, mut bodies, mut kept_scores) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, &l) in old_kept.iter().enumerate() {
        let k = l as usize - 1;
        objects.push(crate::imaging::label::ObjectStats {
            label: i as u32 + 1,
            ..a.objects[k].clone()
        });
        shapes.push(a.shapes[k]);
        contrast.push(a.contrast[k]);
        bodies.push(a.bodies[k]);
        kept_scores.push(scores.get(k).copied().unwrap_or(f32::NAN));
    }
    a.labels = crate::imaging::label::label_image(&kept);
    a.components = kept;
    a.objects = objects;
    a.shapes = shapes;
    a.contrast = contrast;
    a.bodies = bodies;
    a.scores = kept_scores;
    a.rejected = rejected;
    a.rejected_objects = ro;
    a.rejected_shapes = rs;
    a.rejected_contrast = rc;
    a.rejected_bodies = rb;
    a.rejected_why = rw;
    a.rejected_scores = rejected_scores;
    a
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// An image whose candidates are labelled by corrections (no mask): `cells[i]` says whether
    /// candidate `i` is a cell; its features separate the two kinds by the first one.
    fn by_labels(name: &str, cells: &[bool]) -> Labelled {
        let rows = cells
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let mut r = [0.0f32; FEATURE_COUNT];
                r[0] = if c { 1.0 } else { 0.0 };
                r[1] = i as f32;
                r
            })
            .collect();
        Labelled {
            name: name.to_string(),
            collection: "yellow".to_string(),
            rows,
            cells: cells.to_vec(),
            pred: Vec::new(),
            truth: Vec::new(),
            true_count: cells.iter().filter(|&&c| c).count() as u32,
            max_distance: 50.0,
        }
    }

    /// The review's case: with an image that has no candidate (all black) beside one that has,
    /// cross-validation is not "cancelled": the fold that trains on the empty image counts
    /// nothing on the other, and the other fold is trained as usual.
    #[test]
    fn a_fold_with_nothing_to_train_on_counts_nothing_and_is_not_a_cancellation() {
        let images = [
            by_labels("black", &[]),
            by_labels(
                "cells",
                &[true, false, true, true, false, false, true, false],
            ),
        ];
        let candidates = Candidates::of_presets();
        let mut calls = 0;
        let held = cross_validate(
            &candidates,
            &images,
            &[],
            &TrainOptions::default(),
            |_, _| {
                calls += 1;
                true
            },
        )
        .expect("not cancelled");
        assert_eq!(held.len(), 2);
        assert_eq!((held[0].tp, held[0].fp, held[0].fn_), (0, 0, 0));
        assert_eq!((held[1].tp, held[1].fp, held[1].fn_), (0, 0, 4));
        assert_eq!(held[1].scores, vec![0.0; 8]);
        assert!(calls > 0);
        // Cancelling is still a cancellation.
        assert!(
            cross_validate(
                &candidates,
                &images,
                &[],
                &TrainOptions::default(),
                |_, _| false
            )
            .is_none()
        );
    }

    /// The cut-off keeps away from a cliff: two cells scored 0.95 and three 0.40, two non-cells
    /// 0.90 and one 0.10 give the best F1 (5/6) from 0.15 to 0.40 and 4/9 from 0.45: the single
    /// best cut-off nearest 0.5 would be 0.40, on the cliff's edge; the window takes 0.30.
    #[test]
    fn the_cutoff_keeps_away_from_a_cliff() {
        let img = by_labels(
            "cliff",
            &[true, true, true, true, true, false, false, false],
        );
        let scores = vec![vec![0.95f32, 0.95, 0.4, 0.4, 0.4, 0.9, 0.9, 0.1]];
        let f1 = |c: f32| {
            let (tp, fp, fn_) = pooled_at(std::iter::once((&img, &scores[0])), c);
            ratio(2 * tp, 2 * tp + fp + fn_)
        };
        assert!((f1(0.4) - 5.0 / 6.0).abs() < 1e-12 && (f1(0.15) - 5.0 / 6.0).abs() < 1e-12);
        assert!((f1(0.45) - 4.0 / 9.0).abs() < 1e-12 && f1(0.1) < f1(0.15));
        assert_eq!(best_cutoff(&[&img], &scores), 0.3);
        // Cleanly separated scores: every cut-off from 0.25 to 0.80 has a perfect neighbourhood;
        // the tie goes to 0.5.
        let clean = vec![vec![0.9f32, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1]];
        assert_eq!(best_cutoff(&[&img], &clean), 0.5);
    }

    /// Seeds: the first run is the plain cross-validation's, each run has its own consecutive
    /// seed, the same seeds give the same figures, and cancelling is a cancellation.
    #[test]
    fn cross_validation_over_seeds_starts_with_the_plain_run() {
        let cells = [
            true, false, true, true, false, false, true, false, true, false,
        ];
        let images = [
            by_labels("a", &cells),
            by_labels("b", &cells[2..]),
            by_labels("c", &cells[..7]),
        ];
        let candidates = Candidates::of_presets();
        let opts = TrainOptions::default();
        let runs = cross_validate_seeds(&candidates, &images, &[], &opts, 3, |_, _| true)
            .expect("not cancelled");
        assert_eq!(runs.len(), 3);
        let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
        assert_eq!(
            seeds,
            vec![opts.forest.seed, opts.forest.seed + 1, opts.forest.seed + 2]
        );
        let plain = cross_validate(&candidates, &images, &[], &opts, |_, _| true).expect("run");
        assert_eq!(
            runs[0],
            HeldOutFigures::of(opts.forest.seed, &images, &plain)
        );
        let again = cross_validate_seeds(&candidates, &images, &[], &opts, 3, |_, _| true);
        assert_eq!(again.as_deref(), Some(&runs[..]));
        let mut calls = 0;
        assert!(
            cross_validate_seeds(&candidates, &images, &[], &opts, 3, |_, _| {
                calls += 1;
                calls < 5
            })
            .is_none()
        );
    }

    #[test]
    fn median_range_of_odd_even_and_no_values() {
        assert_eq!(median_range(&[0.3, 0.1, 0.2]), Some((0.2, 0.1, 0.3)));
        assert_eq!(median_range(&[4.0, 1.0, 3.0, 2.0]), Some((2.5, 1.0, 4.0)));
        assert_eq!(median_range(&[7.0]), Some((7.0, 7.0, 7.0)));
        assert_eq!(median_range(&[]), None);
    }

    /// The pooled figures of held-out runs: summed TP, FP and FN; MAE per image.
    #[test]
    fn held_out_figures_pool_the_folds() {
        let images = [
            by_labels("a", &[true, true, false]),
            by_labels("b", &[true, false]),
        ];
        let held = [
            HeldOut {
                image: 0,
                scores: vec![],
                cutoff: 0.5,
                tp: 1,
                fp: 2,
                fn_: 1,
            },
            HeldOut {
                image: 1,
                scores: vec![],
                cutoff: 0.5,
                tp: 1,
                fp: 0,
                fn_: 0,
            },
        ];
        let f = HeldOutFigures::of(7, &images, &held);
        assert_eq!(f.seed, 7);
        assert!((f.precision - 0.5).abs() < 1e-12);
        assert!((f.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((f.f1 - 4.0 / 7.0).abs() < 1e-12);
        // Image a: 2 true, 3 counted; image b: 1 and 1.
        assert!((f.mae - 0.5).abs() < 1e-12);
    }
}
