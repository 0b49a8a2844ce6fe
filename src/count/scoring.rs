//! Scoring a count against a ground-truth mask, by the field's reference protocol.
//!
//! Source: R. Morelli, L. Clissa et al., "Automating cell counting in fluorescent microscopy through
//! deep learning with c-ResUnet", Scientific Reports 11, 22920 (2021),
//! doi:10.1038/s41598-021-01929-5; code: `compute_metrics` and `F1Score` in `evaluation_utils.py` of
//! github.com/robomorelli/cell_counting_yellow.
//!
//! The protocol, quirks included:
//! - Any mask value above 0 is cell ([`truth_mask`]); the truth is labelled with 4-connectivity
//!   (scipy's `ndimage.label` default) and every object counts, however small.
//! - Each object sits at the centre of its bounding box in whole pixels ([`CentreRule`]), not at its
//!   centroid.
//! - Predicted objects are taken in label order (raster order of first pixel); each claims the
//!   nearest true object not yet claimed, if that lies strictly closer than `max_distance` (50 px).
//!   A prediction never takes a claimed object back, so an earlier prediction can leave a later,
//!   closer one without a match. Ties in distance go to the lower true label.
//! - TP = matches, FP = predicted − TP, FN = true − TP; a data set is scored from summed counts
//!   ([`Pooled`]), and counting from per-image absolute errors (MAE, MedAE).

use crate::imaging::{
    bitmask::BitMask,
    channel::Plane,
    image::{Image, Layout, Pixels},
    label::{self, Components, Connectivity},
};
use std::fmt;

/// How an object's centre is placed in its bounding box, per axis, in whole pixels.
///
/// The README of the development set words the rule as "the integer midpoint of the row and column
/// extents, rounded down". Two readings of it differ by one pixel when an extent has an even number of
/// pixels. The default is the published code's: extents as `find_objects` slices `start..stop` (stop
/// exclusive), `(start + stop) / 2` rounded down. The other reading is kept for comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CentreRule {
    /// `(min + max) / 2` with `max` the last pixel (inclusive), rounded down: the midpoint of the
    /// object's pixel coordinates. (skimage's `regionprops().bbox` gives an exclusive max; this rule
    /// subtracts the 1 first.) Extent 0..=1 gives 0.
    MidpointDown,
    /// `start + (stop - start) / 2` with `stop` exclusive, rounded down, i.e. the midpoint rounded up:
    /// the published code's `int((ob.stop - ob.start)/2) + ob.start` on `ndimage.find_objects`
    /// slices. Extent 0..=1 gives 1. The default.
    #[default]
    HalfExtentUp,
}

impl CentreRule {
    /// The centre of the pixel extent `min..=max`.
    pub fn centre(self, min: u32, max: u32) -> u32 {
        let (min, max) = (u64::from(min), u64::from(max));
        let c = match self {
            CentreRule::MidpointDown => (min + max) / 2,
            CentreRule::HalfExtentUp => min + (max + 1 - min) / 2,
        };
        c as u32
    }
}

/// Options of the matching.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreOptions {
    /// A match needs a centre distance strictly below this, in pixels (reference: 50, "1.5 cells").
    pub max_distance: f64,
    /// Where an object's centre lies in its bounding box.
    pub centre: CentreRule,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            max_distance: 50.0,
            centre: CentreRule::default(),
        }
    }
}

/// Why two masks cannot be scored against each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreError {
    /// The prediction and the truth differ in size (width, height).
    SizeMismatch {
        /// Size of the prediction (the analysed image).
        pred: (u32, u32),
        /// Size of the ground-truth mask.
        truth: (u32, u32),
    },
}

impl ScoreError {
    /// The message for the user, naming the image when `image` is given, e.g. `the mask is
    /// 300x200 but the image cells.png is 1600x1200; masks must have the image's size`.
    pub fn explain(&self, image: Option<&str>) -> String {
        match self {
            ScoreError::SizeMismatch { pred, truth } => format!(
                "the mask is {}x{} but the image {}is {}x{}; masks must have the image's size",
                truth.0,
                truth.1,
                image.map_or_else(String::new, |name| format!("{name} ")),
                pred.0,
                pred.1
            ),
        }
    }
}

impl fmt::Display for ScoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explain(None))
    }
}

/// Whether a ground-truth mask of size `mask` (width, height) can score an image of size
/// `image`: only when the sizes are equal.
///
/// # Errors
/// [`ScoreError::SizeMismatch`] if they differ.
pub fn check_size(image: (u32, u32), mask: (u32, u32)) -> Result<(), ScoreError> {
    if image == mask {
        Ok(())
    } else {
        Err(ScoreError::SizeMismatch {
            pred: image,
            truth: mask,
        })
    }
}

impl std::error::Error for ScoreError {}

/// An object's bounding box and the centre used for matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectBox {
    /// Label, 1-based.
    pub label: u32,
    /// First column.
    pub x0: u32,
    /// First row.
    pub y0: u32,
    /// One past the last column.
    pub x1: u32,
    /// One past the last row.
    pub y1: u32,
    /// Centre column ([`CentreRule`]).
    pub cx: u32,
    /// Centre row ([`CentreRule`]).
    pub cy: u32,
}

impl ObjectBox {
    /// Squared distance between the centres, exact.
    fn dist2(&self, other: &ObjectBox) -> u64 {
        let dx = u64::from(self.cx.abs_diff(other.cx));
        let dy = u64::from(self.cy.abs_diff(other.cy));
        dx * dx + dy * dy
    }
}

/// The ground truth of a mask plane: every pixel above 0 is cell (8- and 16-bit alike).
pub fn truth_mask(plane: &Plane) -> BitMask {
    let mut mask = BitMask::new(plane.width, plane.height);
    let w = plane.width as usize;
    if w == 0 {
        return mask;
    }
    for (y, row) in plane.data.chunks_exact(w).enumerate() {
        for (word, px) in mask.row_mut(y as u32).iter_mut().zip(row.chunks(64)) {
            *word = px
                .iter()
                .enumerate()
                .fold(0u64, |acc, (i, &v)| acc | u64::from(v > 0) << i);
        }
    }
    mask
}

/// A mask from a decoded image: any sample above 0 is cell.
pub fn mask_of(image: &Image) -> BitMask {
    // Straight from the samples (the same as `truth_mask` of the Max plane, without making it).
    // JUSTIFICATION: examples/wasm_stages.rs, 2.6 ms of a batch image's 52 ms in wasm.
    fn cells<T: Copy + Default + PartialEq>(
        samples: &[T],
        image: &Image,
        colours: usize,
    ) -> BitMask {
        let (w, h) = (image.width(), image.height());
        let mut mask = BitMask::new(w, h);
        let n = image.layout().channels();
        if w == 0 {
            return mask;
        }
        let zero = T::default();
        for (y, row) in samples.chunks_exact(w as usize * n).enumerate() {
            for (word, px) in mask.row_mut(y as u32).iter_mut().zip(row.chunks(64 * n)) {
                *word = px.chunks_exact(n).enumerate().fold(0u64, |acc, (i, p)| {
                    acc | u64::from(p[..colours].iter().any(|&v| v != zero)) << i
                });
            }
        }
        mask
    }
    /// 8-bit grey, the usual mask: eight pixels at a time.
    fn cells_gray8(samples: &[u8], w: u32, h: u32) -> BitMask {
        let mut mask = BitMask::new(w, h);
        if w == 0 {
            return mask;
        }
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        for (y, row) in samples.chunks_exact(w as usize).enumerate() {
            for (word, px) in mask.row_mut(y as u32).iter_mut().zip(row.chunks(64)) {
                let mut bits = 0u64;
                let eights = px.chunks_exact(8);
                let rest = eights.remainder();
                for (k, eight) in eights.enumerate() {
                    let x = u64::from_le_bytes([
                        eight[0], eight[1], eight[2], eight[3], eight[4], eight[5], eight[6],
                        eight[7],
                    ]);
                    // The top bit of each byte is set when the byte is not zero.
                    let top = (((x & LOW7) + LOW7) | x) & !LOW7;
                    // Gathers the eight top bits, byte i to bit i.
                    let packed = ((top >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
                    bits |= packed << (8 * k);
                }
                let done = px.len() - rest.len();
                for (i, &v) in rest.iter().enumerate() {
                    bits |= u64::from(v != 0) << (done + i);
                }
                *word = bits;
            }
        }
        mask
    }
    let colours = match image.layout() {
        Layout::Gray | Layout::GrayAlpha => 1,
        Layout::Rgb | Layout::Rgba => 3,
    };
    match image.pixels() {
        Pixels::U8(s) if image.layout() == Layout::Gray => {
            cells_gray8(s, image.width(), image.height())
        }
        Pixels::U8(s) => cells(s, image, colours),
        Pixels::U16(s) => cells(s, image, colours),
    }
}

/// The bounding box and centre of every object of `comps`, in label order, computed from the runs.
///
/// # Panics
/// If a run's label is outside `1..=comps.count`.
pub fn boxes(comps: &Components, rule: CentreRule) -> Vec<ObjectBox> {
    let mut out: Vec<ObjectBox> = (1..=comps.count)
        .map(|label| ObjectBox {
            label,
            x0: u32::MAX,
            y0: u32::MAX,
            x1: 0,
            y1: 0,
            cx: 0,
            cy: 0,
        })
        .collect();
    for (run, &l) in comps.runs.iter().zip(&comps.labels) {
        let b = &mut out[l as usize - 1];
        b.x0 = b.x0.min(run.x0);
        b.x1 = b.x1.max(run.x1);
        b.y0 = b.y0.min(run.y);
        b.y1 = b.y1.max(run.y + 1);
    }
    for b in &mut out {
        if b.x1 == 0 {
            // A label without runs (only in hand-built components): an empty box at the origin.
            (b.x0, b.y0, b.y1) = (0, 0, 0);
            continue;
        }
        b.cx = rule.centre(b.x0, b.x1 - 1);
        b.cy = rule.centre(b.y0, b.y1 - 1);
    }
    out
}

/// Greedy matching of the reference: for each predicted object in order, the true label it claims.
///
/// Each prediction takes the nearest true object not yet taken, if its centre distance is strictly
/// below `max_distance`; among equally near ones, the first in `truth` (the lowest label). This is
/// the published loop (`if dist < min_dist` with `min_dist` starting at the threshold).
pub fn match_objects(
    pred: &[ObjectBox],
    truth: &[ObjectBox],
    max_distance: f64,
) -> Vec<Option<u32>> {
    let mut taken = vec![false; truth.len()];
    pred.iter()
        .map(|p| {
            let mut best: Option<(usize, u64)> = None;
            for (j, t) in truth.iter().enumerate() {
                let d2 = p.dist2(t);
                if !taken[j] && best.is_none_or(|(_, b)| d2 < b) {
                    best = Some((j, d2));
                }
            }
            // sqrt is exact on perfect squares, so a distance of exactly 50 is 50.0, not below it.
            let (j, _) = best.filter(|&(_, d2)| (d2 as f64).sqrt() < max_distance)?;
            taken[j] = true;
            Some(truth[j].label)
        })
        .collect()
}

/// A ratio with the reference's convention for an empty denominator: 0/0 = 1.
///
/// The published code adds 0.001 to numerator and denominator, which makes 0/0 exactly 1 and nudges
/// every other ratio slightly; here ratios are exact and only 0/0 follows it.
fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

/// The score of one image.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageScore {
    /// Number of true objects.
    pub true_count: u32,
    /// Number of predicted objects.
    pub pred_count: u32,
    /// True positives: matched predictions.
    pub tp: u32,
    /// False positives: predicted − TP.
    pub fp: u32,
    /// False negatives: true − TP (`fn` is a keyword).
    pub fn_: u32,
    /// For predicted label `l`, at index `l - 1`: the true label it matched, if any.
    pub matches: Vec<Option<u32>>,
    /// The true labels no prediction matched, ascending.
    pub missed: Vec<u32>,
    /// Every true object (4-connected), in label order, for drawing.
    pub truth_objects: Vec<ObjectBox>,
    /// Every predicted object, in label order, for drawing.
    pub pred_objects: Vec<ObjectBox>,
    /// Predicted foreground pixels.
    pub pred_area: u64,
    /// True foreground pixels.
    pub truth_area: u64,
    /// Pixels in both.
    pub overlap: u64,
}

impl ImageScore {
    /// TP / (TP + FP); 1 when nothing is predicted (the reference's 0/0).
    pub fn precision(&self) -> f64 {
        ratio(self.tp.into(), u64::from(self.tp) + u64::from(self.fp))
    }

    /// TP / (TP + FN); 1 when there is no true object (the reference's 0/0).
    pub fn recall(&self) -> f64 {
        ratio(self.tp.into(), u64::from(self.tp) + u64::from(self.fn_))
    }

    /// 2TP / (2TP + FP + FN), the harmonic mean of precision and recall; 1 when both are empty.
    pub fn f1(&self) -> f64 {
        f1(self.tp.into(), self.fp.into(), self.fn_.into())
    }

    /// |true − predicted| count.
    pub fn abs_error(&self) -> u32 {
        self.true_count.abs_diff(self.pred_count)
    }

    /// Pixel intersection over union of the two foregrounds; 1 when both are empty.
    pub fn iou(&self) -> f64 {
        ratio(
            self.overlap,
            self.pred_area + self.truth_area - self.overlap,
        )
    }

    /// Pixel Dice coefficient 2|P∩T| / (|P| + |T|); 1 when both are empty.
    pub fn dice(&self) -> f64 {
        ratio(2 * self.overlap, self.pred_area + self.truth_area)
    }
}

fn f1(tp: u64, fp: u64, fn_: u64) -> f64 {
    ratio(2 * tp, 2 * tp + fp + fn_)
}

/// Number of set bits of a packed row in columns `x0..x1`.
fn count_range(row: &[u64], x0: u32, x1: u32) -> u64 {
    let mut n = 0;
    let mut x = x0;
    while x < x1 {
        let (i, b) = ((x / 64) as usize, x % 64);
        let k = (x1 - x).min(64 - b);
        let bits = if k == 64 { !0 } else { ((1u64 << k) - 1) << b };
        n += u64::from((row[i] & bits).count_ones());
        x += k;
    }
    n
}

/// Scores predicted objects `pred` (our labels) against the truth mask, by the reference protocol.
///
/// ```
/// use fluocount::{bitmask, imaging::label::{label, Connectivity}, count::scoring::{score, ScoreOptions}};
/// let truth = bitmask!["##......", "##....##"];
/// let pred = label(&bitmask!["#.......", "........"], Connectivity::Eight);
/// let s = score(&pred, &truth, ScoreOptions::default()).unwrap();
/// assert_eq!((s.tp, s.fp, s.fn_, s.missed), (1, 0, 1, vec![2]));
/// ```
///
/// # Errors
/// [`ScoreError::SizeMismatch`] if the mask and the prediction differ in size.
///
/// # Panics
/// If `pred` is malformed: a run outside its size or a label outside `1..=count`.
pub fn score(
    pred: &Components,
    truth: &BitMask,
    opts: ScoreOptions,
) -> Result<ImageScore, ScoreError> {
    check_size((pred.width, pred.height), (truth.width(), truth.height()))?;
    let truth_objects = boxes(&label::label(truth, Connectivity::Four), opts.centre);
    let pred_objects = boxes(pred, opts.centre);
    let matches = match_objects(&pred_objects, &truth_objects, opts.max_distance);
    let mut hit = vec![false; truth_objects.len()];
    for &t in matches.iter().flatten() {
        hit[t as usize - 1] = true;
    }
    let missed: Vec<u32> = truth_objects
        .iter()
        .filter(|t| !hit[t.label as usize - 1])
        .map(|t| t.label)
        .collect();
    let (true_count, pred_count) = (truth_objects.len() as u32, pred_objects.len() as u32);
    let tp = true_count - missed.len() as u32;
    let (mut pred_area, mut overlap) = (0u64, 0u64);
    for run in &pred.runs {
        pred_area += u64::from(run.x1 - run.x0);
        overlap += count_range(truth.row(run.y), run.x0, run.x1);
    }
    Ok(ImageScore {
        true_count,
        pred_count,
        tp,
        fp: pred_count - tp,
        fn_: true_count - tp,
        matches,
        missed,
        truth_objects,
        pred_objects,
        pred_area,
        truth_area: truth.count_ones(),
        overlap,
    })
}

/// Scores a predicted mask, labelled with 4-connectivity as the reference does.
///
/// # Errors
/// [`ScoreError::SizeMismatch`] if the masks differ in size.
pub fn score_masks(
    pred: &BitMask,
    truth: &BitMask,
    opts: ScoreOptions,
) -> Result<ImageScore, ScoreError> {
    score(&label::label(pred, Connectivity::Four), truth, opts)
}

/// Figures of a set of images: detection from summed counts, counting from per-image errors.
#[derive(Clone, Debug, PartialEq)]
pub struct Pooled {
    /// Number of images.
    pub n_images: usize,
    /// Summed true objects.
    pub true_count: u64,
    /// Summed predicted objects.
    pub pred_count: u64,
    /// Summed true positives.
    pub tp: u64,
    /// Summed false positives.
    pub fp: u64,
    /// Summed false negatives.
    pub fn_: u64,
    /// Mean absolute count error, mean of |true − predicted| per image (0 for no images).
    pub mae: f64,
    /// Median absolute count error; the mean of the two middle values for an even number of images
    /// (pandas' `median`, as the reference), 0 for no images.
    pub medae: f64,
    /// Mean percentage error as a fraction (0.25 = 25%): mean of |true − predicted| / true over the
    /// images with at least one true object; `None` if there is none.
    ///
    /// The published code's MPE differs: signed (predicted − true), over every image, dividing by
    /// true + 1e-6, so an image without cells weighs a million times its count.
    pub mpe: Option<f64>,
}

impl Pooled {
    /// Pools the scores of several images.
    pub fn new(scores: &[ImageScore]) -> Self {
        let sum = |f: fn(&ImageScore) -> u32| scores.iter().map(|s| u64::from(f(s))).sum::<u64>();
        let mut errors: Vec<u32> = scores.iter().map(ImageScore::abs_error).collect();
        errors.sort_unstable();
        let n = errors.len();
        let mae = if n == 0 {
            0.0
        } else {
            errors.iter().map(|&e| f64::from(e)).sum::<f64>() / n as f64
        };
        let medae = match n {
            0 => 0.0,
            _ if n % 2 == 1 => f64::from(errors[n / 2]),
            _ => (f64::from(errors[n / 2 - 1]) + f64::from(errors[n / 2])) / 2.0,
        };
        let relative: Vec<f64> = scores
            .iter()
            .filter(|s| s.true_count > 0)
            .map(|s| f64::from(s.abs_error()) / f64::from(s.true_count))
            .collect();
        let mpe =
            (!relative.is_empty()).then(|| relative.iter().sum::<f64>() / relative.len() as f64);
        Pooled {
            n_images: n,
            true_count: sum(|s| s.true_count),
            pred_count: sum(|s| s.pred_count),
            tp: sum(|s| s.tp),
            fp: sum(|s| s.fp),
            fn_: sum(|s| s.fn_),
            mae,
            medae,
            mpe,
        }
    }

    /// Summed TP / (TP + FP); 1 when nothing is predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Summed TP / (TP + FN); 1 when there is no true object.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// F1 of the summed counts, 2TP / (2TP + FP + FN); 1 when both are empty.
    pub fn f1(&self) -> f64 {
        f1(self.tp, self.fp, self.fn_)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{bitmask, imaging::image::BitDepth};

    fn opts() -> ScoreOptions {
        ScoreOptions::default()
    }

    /// A 1-row-high mask of width `w` with single pixels at `xs`.
    fn dots(w: u32, xs: &[u32]) -> BitMask {
        let mut m = BitMask::new(w, 1);
        for &x in xs {
            m.set(x, 0, true);
        }
        m
    }

    #[test]
    fn any_value_above_zero_is_cell_at_both_depths() {
        let eight = Plane::from_u8(3, 1, &[0, 1, 255]);
        assert_eq!(truth_mask(&eight).to_bools(), vec![false, true, true]);
        let data: Vec<u16> = (0..70).map(|i| [0, 65535, 7][i % 3]).collect();
        let sixteen = Plane::new(70, 1, BitDepth::Sixteen, data.clone());
        let m = truth_mask(&sixteen);
        assert_eq!(
            m.to_bools(),
            data.iter().map(|&v| v > 0).collect::<Vec<_>>()
        );
        assert_eq!(m.count_ones(), 46);
    }

    #[test]
    fn centre_is_the_bounding_box_midpoint_rounded_down_not_the_centroid() {
        // An L: its centroid is (0.86, 2.14), its box 0..=3 x 0..=3.
        let m = bitmask!["#...", "#...", "#...", "####"];
        let c = label::label(&m, Connectivity::Four);
        let b = boxes(&c, CentreRule::MidpointDown)[0];
        assert_eq!((b.x0, b.y0, b.x1, b.y1), (0, 0, 4, 4));
        assert_eq!((b.cx, b.cy), (1, 1));
        let b = boxes(&c, CentreRule::HalfExtentUp)[0];
        assert_eq!((b.cx, b.cy), (2, 2));
        // Odd extents agree: 2..=4 → 3 by both rules.
        assert_eq!(CentreRule::MidpointDown.centre(2, 4), 3);
        assert_eq!(CentreRule::HalfExtentUp.centre(2, 4), 3);
        assert_eq!(CentreRule::MidpointDown.centre(5, 5), 5);
        assert_eq!(CentreRule::HalfExtentUp.centre(5, 5), 5);
    }

    #[test]
    fn centre_rule_decides_a_match_at_the_threshold() {
        // Truth: one pixel at x = 50. Prediction: pixels 0..=1, centre 1 (the default, the
        // published code's) or 0 (the other reading).
        let truth = dots(60, &[50]);
        let pred = dots(60, &[0, 1]);
        assert_eq!(score_masks(&pred, &truth, opts()).unwrap().tp, 1);
        let down = ScoreOptions {
            centre: CentreRule::MidpointDown,
            ..opts()
        };
        assert_eq!(score_masks(&pred, &truth, down).unwrap().tp, 0);
    }

    #[test]
    fn truth_is_labelled_with_four_connectivity() {
        let truth = bitmask!["##..", "##..", "..##", "..##"];
        let pred = BitMask::new(4, 4);
        let s = score_masks(&pred, &truth, opts()).unwrap();
        assert_eq!((s.true_count, s.fn_, s.missed.clone()), (2, 2, vec![1, 2]));
        // Predicted components are taken as given, here 8-connected: one object.
        let c = label::label(&truth, Connectivity::Eight);
        let s = score(&c, &truth, opts()).unwrap();
        assert_eq!(
            (s.pred_count, s.true_count, s.tp, s.fp, s.fn_),
            (1, 2, 1, 0, 1)
        );
    }

    #[test]
    fn distance_must_be_strictly_below_the_threshold() {
        // Centres (0, 0) and (30, 40): distance exactly 50.
        let mut truth = BitMask::new(31, 41);
        truth.set(30, 40, true);
        let mut pred = BitMask::new(31, 41);
        pred.set(0, 0, true);
        let s = score_masks(&pred, &truth, opts()).unwrap();
        assert_eq!((s.tp, s.fp, s.fn_), (0, 1, 1));
        assert_eq!(s.matches, vec![None]);
        let wider = ScoreOptions {
            max_distance: 50.000001,
            ..opts()
        };
        assert_eq!(score_masks(&pred, &truth, wider).unwrap().tp, 1);
        // (30, 39): distance 49.2, a match.
        let mut truth = BitMask::new(31, 41);
        truth.set(30, 39, true);
        let s = score_masks(&pred, &truth, opts()).unwrap();
        assert_eq!((s.tp, s.matches), (1, vec![Some(1)]));
        // 49.9 as a threshold: 49.2 is still below it, 50 is not.
        let narrower = ScoreOptions {
            max_distance: 49.9,
            ..opts()
        };
        assert_eq!(score_masks(&pred, &truth, narrower).unwrap().tp, 1);
    }

    #[test]
    fn an_earlier_prediction_keeps_the_object_a_later_one_was_nearer_to() {
        // True object at x = 10; predictions at 0 (distance 10, label 1) and 11 (distance 1, label 2).
        let s = score_masks(&dots(20, &[0, 11]), &dots(20, &[10]), opts()).unwrap();
        assert_eq!(s.matches, vec![Some(1), None]);
        assert_eq!((s.tp, s.fp, s.fn_), (1, 1, 0));
    }

    #[test]
    fn a_prediction_claims_the_nearest_not_the_first_true_object() {
        let s = score_masks(&dots(30, &[20]), &dots(30, &[0, 25]), opts()).unwrap();
        assert_eq!(s.matches, vec![Some(2)]);
        assert_eq!(s.missed, vec![1]);
    }

    #[test]
    fn a_tie_in_distance_goes_to_the_lower_true_label() {
        let s = score_masks(&dots(30, &[10]), &dots(30, &[0, 20]), opts()).unwrap();
        assert_eq!(s.matches, vec![Some(1)]);
        assert_eq!(s.missed, vec![2]);
    }

    #[test]
    fn empty_truth() {
        let s = score_masks(&dots(100, &[0, 60]), &BitMask::new(100, 1), opts()).unwrap();
        assert_eq!(
            (s.true_count, s.pred_count, s.tp, s.fp, s.fn_),
            (0, 2, 0, 2, 0)
        );
        assert_eq!((s.precision(), s.recall(), s.f1()), (0.0, 1.0, 0.0));
        assert_eq!((s.abs_error(), s.iou(), s.dice()), (2, 0.0, 0.0));
    }

    #[test]
    fn empty_prediction() {
        let s = score_masks(&BitMask::new(100, 1), &dots(100, &[0, 60]), opts()).unwrap();
        assert_eq!(
            (s.true_count, s.pred_count, s.tp, s.fp, s.fn_),
            (2, 0, 0, 0, 2)
        );
        assert_eq!((s.precision(), s.recall(), s.f1()), (1.0, 0.0, 0.0));
        assert_eq!((s.missed, s.matches), (vec![1, 2], vec![]));
    }

    #[test]
    fn both_empty_is_perfect() {
        let s = score_masks(&BitMask::new(5, 5), &BitMask::new(5, 5), opts()).unwrap();
        assert_eq!((s.tp, s.fp, s.fn_, s.abs_error()), (0, 0, 0, 0));
        assert_eq!((s.precision(), s.recall(), s.f1()), (1.0, 1.0, 1.0));
        assert_eq!((s.iou(), s.dice()), (1.0, 1.0));
    }

    #[test]
    fn pixel_iou_and_dice() {
        let s = score_masks(&bitmask!["##.."], &bitmask![".##."], opts()).unwrap();
        assert_eq!((s.pred_area, s.truth_area, s.overlap), (2, 2, 1));
        assert_eq!((s.iou(), s.dice()), (1.0 / 3.0, 0.5));
        // Across a word boundary: prediction 60..70, truth 65..130.
        let mut p = BitMask::new(130, 1);
        let mut t = BitMask::new(130, 1);
        (60..70).for_each(|x| p.set(x, 0, true));
        (65..130).for_each(|x| t.set(x, 0, true));
        let s = score_masks(&p, &t, opts()).unwrap();
        assert_eq!((s.overlap, s.iou()), (5, 5.0 / 70.0));
    }

    #[test]
    fn boxes_and_centres_are_reported_for_drawing() {
        let truth = bitmask![".....", ".###.", ".##..", "....."];
        let s = score_masks(&BitMask::new(5, 4), &truth, opts()).unwrap();
        let b = s.truth_objects[0];
        assert_eq!(
            (b.label, b.x0, b.y0, b.x1, b.y1, b.cx, b.cy),
            (1, 1, 1, 4, 3, 2, 2)
        );
    }

    #[test]
    fn sizes_must_agree() {
        let e = score_masks(&BitMask::new(4, 3), &BitMask::new(3, 4), opts()).unwrap_err();
        assert_eq!(
            e,
            ScoreError::SizeMismatch {
                pred: (4, 3),
                truth: (3, 4)
            }
        );
        assert_eq!(
            e.to_string(),
            "the mask is 3x4 but the image is 4x3; masks must have the image's size"
        );
        assert_eq!(
            e.explain(Some("a b.png")),
            "the mask is 3x4 but the image a b.png is 4x3; masks must have the image's size"
        );
        assert_eq!(check_size((4, 3), (3, 4)), Err(e));
        assert_eq!(check_size((4, 3), (4, 3)), Ok(()));
    }

    #[test]
    fn pooled_figures_by_hand() {
        // Dots 60 px apart never interact. (true, predicted) per image: (4, 2), (0, 1), (10, 13), (3, 3).
        let at = |n: u32| (0..n).map(|i| i * 60).collect::<Vec<_>>();
        let img = |t: u32, p: u32| score_masks(&dots(800, &at(p)), &dots(800, &at(t)), opts());
        let scores = [img(4, 2), img(0, 1), img(10, 13), img(3, 3)].map(Result::unwrap);
        let p = Pooled::new(&scores);
        assert_eq!(p.n_images, 4);
        assert_eq!((p.true_count, p.pred_count), (17, 19));
        assert_eq!((p.tp, p.fp, p.fn_), (15, 4, 2));
        assert_eq!((p.precision(), p.recall()), (15.0 / 19.0, 15.0 / 17.0));
        assert_eq!(p.f1(), 30.0 / 36.0);
        // Errors 2, 1, 3, 0: MAE 6/4; MedAE (1 + 2) / 2; MPE (2/4 + 3/10 + 0/3) / 3, image 2 skipped.
        assert_eq!((p.mae, p.medae), (1.5, 1.5));
        assert!((p.mpe.unwrap() - 0.8 / 3.0).abs() < 1e-12);
        // An odd number of images takes the middle value.
        let p3 = Pooled::new(&scores[..3]);
        assert_eq!((p3.mae, p3.medae), (2.0, 2.0));
    }

    #[test]
    fn pooled_over_nothing() {
        let p = Pooled::new(&[]);
        assert_eq!((p.n_images, p.mae, p.medae, p.mpe), (0, 0.0, 0.0, None));
        assert_eq!(p.f1(), 1.0);
        let only_empty = [score_masks(&dots(5, &[1]), &BitMask::new(5, 1), opts()).unwrap()];
        assert_eq!(Pooled::new(&only_empty).mpe, None);
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn random_mask(w: u32, h: u32, seed: u64, density: u64) -> BitMask {
        let bits = crate::util::testing::random_bits(w * h, seed, |s| s % 16 < density);
        BitMask::from_bools(w, h, &bits)
    }

    /// Centres from a label image, pixel by pixel: (min + max + 1) / 2 of each object's coordinates,
    /// as the published code's `int((stop - start) / 2) + start`.
    fn naive_centres(labels: &[u32], w: usize) -> Vec<(i64, i64)> {
        let n = labels.iter().copied().max().unwrap_or(0) as usize;
        let mut ext = vec![(i64::MAX, i64::MAX, i64::MIN, i64::MIN); n];
        for (i, &l) in labels.iter().enumerate() {
            if l > 0 {
                let (x, y) = ((i % w) as i64, (i / w) as i64);
                let e = &mut ext[l as usize - 1];
                *e = (e.0.min(x), e.1.min(y), e.2.max(x), e.3.max(y));
            }
        }
        ext.iter()
            .map(|e| ((e.0 + e.2 + 1) / 2, (e.1 + e.3 + 1) / 2))
            .collect()
    }

    /// The published loop, transcribed: a list of targets, popped when matched.
    fn naive_match(pred: &[(i64, i64)], truth: &[(i64, i64)], max: f64) -> Vec<Option<u32>> {
        let mut targets: Vec<(u32, (i64, i64))> = truth
            .iter()
            .enumerate()
            .map(|(i, &c)| (i as u32 + 1, c))
            .collect();
        let mut out = Vec::new();
        for p in pred {
            let mut min_dist = max;
            let mut index = None;
            for (k, (_, t)) in targets.iter().enumerate() {
                let dist = (((p.0 - t.0).pow(2) + (p.1 - t.1).pow(2)) as f64).sqrt();
                if dist < min_dist {
                    min_dist = dist;
                    index = Some(k);
                }
            }
            out.push(index.map(|k| targets.remove(k).0));
        }
        out
    }

    proptest! {
        #[test]
        fn greedy_matching_agrees_with_the_published_loop(
            w in 1u32..120, h in 1u32..60, sp in any::<u64>(), st in any::<u64>(),
            dp in 0u64..5, dt in 0u64..5, max in 1.0f64..60.0
        ) {
            let pred = random_mask(w, h, sp, dp);
            let truth = random_mask(w, h, st, dt);
            let o = ScoreOptions { max_distance: max, ..ScoreOptions::default() };
            let s = score_masks(&pred, &truth, o).unwrap();
            prop_assert!(s.tp <= s.true_count.min(s.pred_count));
            prop_assert_eq!(s.tp + s.fn_, s.true_count);
            prop_assert_eq!(s.tp + s.fp, s.pred_count);
            prop_assert_eq!(s.missed.len() as u32, s.fn_);

            let lp = label::label_image(&label::label(&pred, Connectivity::Four));
            let lt = label::label_image(&label::label(&truth, Connectivity::Four));
            let (cp, ct) = (naive_centres(&lp, w as usize), naive_centres(&lt, w as usize));
            prop_assert_eq!(s.pred_count as usize, cp.len());
            prop_assert_eq!(s.true_count as usize, ct.len());
            prop_assert_eq!(&s.matches, &naive_match(&cp, &ct, max));

            let pb = pred.to_bools();
            let tb = truth.to_bools();
            let overlap = pb.iter().zip(&tb).filter(|(a, b)| **a && **b).count() as u64;
            prop_assert_eq!(s.overlap, overlap);
        }
    }

    #[test]
    fn masks_are_the_pixels_with_any_colour_above_zero() {
        use crate::imaging::channel::{Channel, intensity};
        // 70 pixels wide, so that a row spans two mask words; alpha never counts.
        let (w, h) = (70u32, 3u32);
        for layout in [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba] {
            let n = layout.channels();
            let colours = if n >= 3 { 3 } else { 1 };
            let mut s8 = vec![0u8; (w * h) as usize * n];
            for (i, px) in s8.chunks_exact_mut(n).enumerate() {
                if i % 3 == 0 {
                    px[(i / 3) % colours] = 1 + (i % 200) as u8; // one colour sample set
                }
                if n == 2 || n == 4 {
                    px[n - 1] = 255; // opaque everywhere
                }
            }
            let s16: Vec<u16> = s8.iter().map(|&v| u16::from(v) * 257).collect();
            for image in [
                Image::new(w, h, layout, Pixels::U8(s8.clone())),
                Image::new(w, h, layout, Pixels::U16(s16)),
            ] {
                let want = truth_mask(&intensity(&image, Channel::Max));
                assert_eq!(mask_of(&image), want, "{layout:?}");
                assert_eq!(want.count_ones(), u64::from(w * h).div_ceil(3));
            }
        }
        // 8-bit grey masks take eight pixels at a time: every width, random sparse bytes.
        let mut next = crate::util::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        for w in 1..140u32 {
            let data: Vec<u8> = (0..w * 2)
                .map(|_| {
                    let x = next();
                    if x.is_multiple_of(3) {
                        (x >> 40) as u8
                    } else {
                        0
                    }
                })
                .collect();
            let image = Image::new(w, 2, Layout::Gray, Pixels::U8(data));
            assert_eq!(
                mask_of(&image),
                truth_mask(&intensity(&image, Channel::Max)),
                "{w}"
            );
        }
    }
}
