//! The object classifier's side of the workers: which model a count uses ([`ModelUse`]), where an
//! image's labels come from ([`LabelSource`]), a training job and its result ([`TrainJob`],
//! [`TrainResult`]), and their byte form. Reading never panics and refuses sizes past the limits
//! below, as the rest of [`crate::protocol::wire`] does.

use crate::{
    count::{
        Params,
        learn::{
            self, Candidates, CurvePoint, FEATURE_COUNT, ForestOptions, HeldOut, HeldOutFigures,
            Labelled, Model, TrainOptions, model,
        },
        presets::Collection,
    },
    protocol::wire::{Reader, WireError, WireResult, Writer, get_box, put_box},
};
use std::sync::Arc;

/// The most images a training job may hold.
pub const MAX_IMAGES: usize = 1000;
/// The most candidates of one image.
pub const MAX_CANDIDATES: usize = 1 << 20;
/// The deepest tree a job may ask for.
pub const MAX_DEPTH: usize = 40;

/// Which model counts an image.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelRef {
    /// A model the page sent ([`crate::protocol::messages::Request::SetModel`]), by its id.
    Sent(u64),
    /// A built-in model, by name ([`builtin_names`]).
    Builtin(String),
}

/// A count with a model: which one, at which cut-off, with the candidates of which collection.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelUse {
    /// The model.
    pub model: ModelRef,
    /// The cut-off; `None` takes the model's own.
    pub cutoff: Option<f32>,
    /// The collection whose candidate setting is used; `None` takes the one detected from the
    /// image's colour.
    pub collection: Option<Collection>,
}

/// A model use resolved in a worker: the model, its cut-off and the collection whose candidates
/// it counts.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The model.
    pub model: Arc<Model>,
    /// The cut-off.
    pub cutoff: f32,
    /// The collection.
    pub collection: Collection,
}

impl Resolved {
    /// The parameters the candidates are found with.
    pub fn params(&self) -> Params {
        self.model.candidates.for_collection(self.collection)
    }

    /// The model in words, for a batch row: `model red, cut-off 0.45`.
    pub fn describe(&self) -> String {
        format!(
            "model {}, cut-off {}",
            self.model.name.replace(['\n', '\r', ';'], " "),
            crate::util::text::shortest(self.cutoff)
        )
    }
}

/// Resolves a job's model for the collection detected from an image's colour: `Ok(None)` when
/// the job names no model, `Err` when the model it names is not there.
pub type ModelFor<'a> = &'a dyn Fn(Option<Collection>) -> Result<Option<Resolved>, String>;

/// A built-in model by name ([`crate::count::learn::builtin`]).
pub fn builtin(name: &str) -> Option<Model> {
    learn::builtin::get(name)
}

/// The built-in models' names.
pub fn builtin_names() -> &'static [&'static str] {
    &learn::builtin::NAMES
}

/// Where a kept image's labels come from ([`crate::protocol::messages::Request::Label`]).
#[derive(Clone, Debug, PartialEq)]
pub enum LabelSource {
    /// Its attached ground-truth mask.
    Mask,
    /// The user's corrections of the worker's latest count.
    Corrections {
        /// Objects in the count the corrections were made on (the worker checks it has it).
        objects: u32,
        /// Per label of that count (index = label − 1): removed by the user.
        removed: Vec<bool>,
        /// Cells the user added by hand.
        added: u32,
    },
}

/// Training a model, with leave-one-image-out cross-validation when there are two images or more.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainJob {
    /// The model's name.
    pub name: String,
    /// The candidate setting the images were labelled with.
    pub candidates: Candidates,
    /// The labelled images.
    pub images: Vec<Labelled>,
    /// How to train.
    pub options: TrainOptions,
}

/// A trained model with its held-out figures.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainResult {
    /// The model as text ([`Model::to_text`]), trained on every image.
    pub model: String,
    /// Each image scored by a model trained without it (empty with one image).
    pub held: Vec<HeldOut>,
    /// The pooled precision-recall curve of those held-out scores ([`learn::curve`]).
    pub curve: Vec<CurvePoint>,
    /// The pooled held-out figures of the same cross-validation with [`seed_runs`] seeds, the
    /// first the one of `held` (empty with one image, or with one run from 21 images): how much
    /// they owe to the forest's draws.
    pub seeds: Vec<HeldOutFigures>,
}

/// The most seeds a training's cross-validation is run with, for the spread of its figures.
pub const SEED_RUNS: usize = 5;

/// The folds the seeds' runs may train in all, so that many images cost no more than about
/// this many trainings on top of the first run.
pub const SEED_FOLDS: usize = 40;

/// How many seeds a cross-validation of `folds` folds is run with: [`SEED_RUNS`] up to 8 images,
/// fewer beyond so that the runs train at most [`SEED_FOLDS`] folds (4 at 10 images, 2 at 20), 1
/// (the first run alone, and no spread) from 21 images, and none without folds. With few images the figures
/// move most with the seed; with many, a run costs more and moves less.
pub fn seed_runs(folds: usize) -> usize {
    SEED_FOLDS
        .checked_div(folds)
        .map_or(0, |r| r.clamp(1, SEED_RUNS))
}

/// Trains as `job` says: the folds of the cross-validation first, then the model on every image.
/// `progress(done, total)` counts trees over all of it; false cancels (`None`). `Err` when there is
/// nothing to learn from.
pub fn run_training(
    job: &TrainJob,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Option<Result<TrainResult, String>> {
    if job.images.iter().all(|i| i.rows.is_empty()) {
        return Some(Err("no candidate objects were found to learn from".into()));
    }
    let trees = job.options.forest.trees;
    let folds = if job.images.len() >= 2 {
        job.images.len()
    } else {
        0
    };
    let runs = seed_runs(folds);
    let total = (folds * runs.max(1) + 1) * trees;
    let held = learn::cross_validate(&job.candidates, &job.images, &[], &job.options, |d, _| {
        progress(d, total)
    })?;
    // One run alone shows no spread.
    let seeds = if runs > 1 {
        learn::spread_over_seeds(
            &job.candidates,
            &job.images,
            &[],
            &job.options,
            &held,
            runs,
            |d, _| progress(folds * trees + d, total),
        )?
    } else {
        Vec::new()
    };
    let curve = if held.is_empty() {
        Vec::new()
    } else {
        learn::curve(&job.images, &held)
    };
    let all: Vec<&Labelled> = job.images.iter().collect();
    let (model, _) = learn::train(&job.name, &job.candidates, &all, &job.options, |d, _| {
        progress(folds * runs.max(1) * trees + d, total)
    })?;
    Some(Ok(TrainResult {
        model: model.to_text(),
        held,
        curve,
        seeds,
    }))
}

fn put_collection(w: &mut Writer, c: Collection) {
    w.str(c.name());
}

fn get_collection(r: &mut Reader) -> WireResult<Collection> {
    let name = r.str()?;
    Collection::ALL
        .iter()
        .copied()
        .find(|c| c.name() == name)
        .ok_or_else(|| WireError(format!("collection {name:?}")))
}

fn put_params(w: &mut Writer, p: &Params) {
    w.str(&p.to_query());
}

fn get_params(r: &mut Reader) -> WireResult<Params> {
    let text = r.str()?;
    let (p, notices) = Params::from_query(&text);
    match notices.first() {
        None => Ok(p),
        Some(n) => Err(WireError(format!("parameters: {n:?}"))),
    }
}

fn get_cutoff(r: &mut Reader) -> WireResult<f32> {
    let c = r.f32()?;
    if (0.0..=1.0).contains(&c) {
        Ok(c)
    } else {
        Err(WireError(format!("cut-off {c}")))
    }
}

/// Writes a model use.
pub fn put_model_use(w: &mut Writer, m: &ModelUse) {
    match &m.model {
        ModelRef::Sent(id) => {
            w.u8(0);
            w.u64(*id);
        }
        ModelRef::Builtin(name) => {
            w.u8(1);
            w.str(name);
        }
    }
    w.opt(m.cutoff.as_ref(), |w, &c| w.f32(c));
    w.opt(m.collection.as_ref(), |w, &c| put_collection(w, c));
}

/// Reads a model use.
pub fn get_model_use(r: &mut Reader) -> WireResult<ModelUse> {
    let model = match r.u8()? {
        0 => ModelRef::Sent(r.u64()?),
        1 => {
            let name = r.str()?;
            if name.len() > 100 {
                return Err(WireError("a built-in model's name over 100 bytes".into()));
            }
            ModelRef::Builtin(name)
        }
        t => return Err(WireError(format!("model kind {t}"))),
    };
    Ok(ModelUse {
        model,
        cutoff: r.opt(get_cutoff)?,
        collection: r.opt(get_collection)?,
    })
}

/// Writes a label source.
pub fn put_label_source(w: &mut Writer, s: &LabelSource) {
    match s {
        LabelSource::Mask => w.u8(0),
        LabelSource::Corrections {
            objects,
            removed,
            added,
        } => {
            w.u8(1);
            w.u32(*objects);
            w.len(removed.len());
            removed.iter().for_each(|&b| w.bool(b));
            w.u32(*added);
        }
    }
}

/// Reads a label source.
pub fn get_label_source(r: &mut Reader) -> WireResult<LabelSource> {
    Ok(match r.u8()? {
        0 => LabelSource::Mask,
        1 => {
            let objects = r.u32()?;
            let n = r.len(1)?;
            let removed = (0..n).map(|_| r.bool()).collect::<WireResult<Vec<_>>>()?;
            LabelSource::Corrections {
                objects,
                removed,
                added: r.u32()?,
            }
        }
        t => return Err(WireError(format!("label source {t}"))),
    })
}

/// Writes an image's labelled candidates.
pub fn put_labelled(w: &mut Writer, l: &Labelled) {
    w.str(&l.name);
    w.str(&l.collection);
    w.len(l.rows.len());
    for row in &l.rows {
        row.iter().for_each(|&v| w.f32(v));
    }
    for &c in &l.cells {
        w.bool(c);
    }
    for b in &l.pred {
        put_box(w, b);
    }
    w.len(l.truth.len());
    l.truth.iter().for_each(|b| put_box(w, b));
    w.u32(l.true_count);
    w.f64(l.max_distance);
}

/// Reads an image's labelled candidates: as many labels and boxes as rows, a matching distance
/// that is a number, and a true count no smaller than the true cells given.
pub fn get_labelled(r: &mut Reader) -> WireResult<Labelled> {
    let name = r.str()?;
    let collection = r.str()?;
    // A row, its label and its box: 4 bytes per feature, 1, 28.
    let n = r.len(FEATURE_COUNT * 4 + 1 + 28)?;
    if n > MAX_CANDIDATES {
        return Err(WireError(format!("{n} candidates in one image")));
    }
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let mut row = [0f32; FEATURE_COUNT];
        for v in &mut row {
            *v = r.f32()?;
        }
        rows.push(row);
    }
    let cells = (0..n).map(|_| r.bool()).collect::<WireResult<Vec<_>>>()?;
    let pred = (0..n).map(|_| get_box(r)).collect::<WireResult<Vec<_>>>()?;
    let truth = r.list(28, get_box)?;
    let true_count = r.u32()?;
    let max_distance = r.f64()?;
    if (true_count as usize) < truth.len() {
        return Err(WireError(format!(
            "a true count of {true_count} with {} true cells",
            truth.len()
        )));
    }
    if !max_distance.is_finite() || max_distance < 0.0 {
        return Err(WireError(format!("matching distance {max_distance}")));
    }
    Ok(Labelled {
        name,
        collection,
        rows,
        cells,
        pred,
        truth,
        true_count,
        max_distance,
    })
}

fn put_candidates(w: &mut Writer, c: &Candidates) {
    match c {
        Candidates::All(p) => {
            w.u8(0);
            put_params(w, p);
        }
        Candidates::ByCollection(v) => {
            w.u8(1);
            w.len(v.len());
            for (c, p) in v {
                put_collection(w, *c);
                put_params(w, p);
            }
        }
    }
}

fn get_candidates(r: &mut Reader) -> WireResult<Candidates> {
    Ok(match r.u8()? {
        0 => Candidates::All(get_params(r)?),
        1 => Candidates::ByCollection(r.list(2, |r| Ok((get_collection(r)?, get_params(r)?)))?),
        t => return Err(WireError(format!("candidates kind {t}"))),
    })
}

fn put_options(w: &mut Writer, o: &TrainOptions) {
    let f = &o.forest;
    for v in [f.trees, f.max_depth, f.min_leaf, f.features_per_split] {
        w.u32(u32::try_from(v).unwrap_or(u32::MAX));
    }
    w.u64(f.seed);
    w.bool(o.balance_images);
}

fn get_options(r: &mut Reader) -> WireResult<TrainOptions> {
    let forest = ForestOptions {
        trees: r.u32()? as usize,
        max_depth: r.u32()? as usize,
        min_leaf: r.u32()? as usize,
        features_per_split: r.u32()? as usize,
        seed: r.u64()?,
    };
    if !(1..=model::MAX_TREES).contains(&forest.trees)
        || forest.max_depth > MAX_DEPTH
        || forest.min_leaf == 0
        || forest.features_per_split > FEATURE_COUNT
    {
        return Err(WireError(format!("forest options {forest:?}")));
    }
    Ok(TrainOptions {
        forest,
        balance_images: r.bool()?,
    })
}

/// Writes a training job.
pub fn put_train_job(w: &mut Writer, j: &TrainJob) {
    w.str(&j.name);
    put_candidates(w, &j.candidates);
    put_options(w, &j.options);
    w.len(j.images.len());
    j.images.iter().for_each(|l| put_labelled(w, l));
}

/// Reads a training job (at most [`MAX_IMAGES`] images).
pub fn get_train_job(r: &mut Reader) -> WireResult<TrainJob> {
    let name = r.str()?;
    let candidates = get_candidates(r)?;
    let options = get_options(r)?;
    let images = r.list(4 * 5, get_labelled)?;
    if images.len() > MAX_IMAGES {
        return Err(WireError(format!(
            "{} images in one training",
            images.len()
        )));
    }
    Ok(TrainJob {
        name,
        candidates,
        images,
        options,
    })
}

/// Writes a training result.
pub fn put_train_result(w: &mut Writer, t: &TrainResult) {
    w.str(&t.model);
    w.len(t.held.len());
    for h in &t.held {
        w.u32(u32::try_from(h.image).unwrap_or(u32::MAX));
        w.len(h.scores.len());
        h.scores.iter().for_each(|&s| w.f32(s));
        w.f32(h.cutoff);
        w.u32(h.tp);
        w.u32(h.fp);
        w.u32(h.fn_);
    }
    w.len(t.curve.len());
    for p in &t.curve {
        w.f32(p.cutoff);
        w.f64(p.precision);
        w.f64(p.recall);
        w.f64(p.f1);
    }
    w.len(t.seeds.len());
    for f in &t.seeds {
        w.u64(f.seed);
        w.f64(f.precision);
        w.f64(f.recall);
        w.f64(f.f1);
        w.f64(f.mae);
    }
}

/// Reads a training result; the model text is checked by [`Model::parse`] where it is used.
pub fn get_train_result(r: &mut Reader) -> WireResult<TrainResult> {
    let model = r.str()?;
    if model.len() > model::MAX_BYTES {
        return Err(WireError(format!("a model of {} bytes", model.len())));
    }
    let held = r.list(4 * 6, |r| {
        let image = r.u32()? as usize;
        let n = r.len(4)?;
        let scores = (0..n).map(|_| r.f32()).collect::<WireResult<Vec<_>>>()?;
        Ok(HeldOut {
            image,
            scores,
            cutoff: get_cutoff(r)?,
            tp: r.u32()?,
            fp: r.u32()?,
            fn_: r.u32()?,
        })
    })?;
    let curve = r.list(28, |r| {
        Ok(CurvePoint {
            cutoff: get_cutoff(r)?,
            precision: r.f64()?,
            recall: r.f64()?,
            f1: r.f64()?,
        })
    })?;
    let seeds = r.list(40, |r| {
        Ok(HeldOutFigures {
            seed: r.u64()?,
            precision: r.f64()?,
            recall: r.f64()?,
            f1: r.f64()?,
            mae: r.f64()?,
        })
    })?;
    Ok(TrainResult {
        model,
        held,
        curve,
        seeds,
    })
}

/// Reads a model the page sent, as text.
///
/// # Errors
/// The reason in words ([`learn::ModelError`]).
pub fn parse_model(text: &str) -> Result<Model, String> {
    Model::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::scoring::ObjectBox;

    fn labelled(name: &str, n: usize, with_truth: bool) -> Labelled {
        let b = |i: u32| ObjectBox {
            label: i + 1,
            x0: i,
            y0: i,
            x1: i + 3,
            y1: i + 4,
            cx: i + 1,
            cy: i + 2,
        };
        Labelled {
            name: name.into(),
            collection: "red".into(),
            rows: (0..n)
                .map(|i| std::array::from_fn(|k| (i * 100 + k) as f32 / 7.0))
                .collect(),
            cells: (0..n).map(|i| i % 3 != 0).collect(),
            pred: (0..n as u32).map(b).collect(),
            truth: if with_truth {
                (0..2).map(b).collect()
            } else {
                Vec::new()
            },
            true_count: 4,
            max_distance: 10.0,
        }
    }

    fn round<T>(
        put: impl Fn(&mut Writer, &T),
        get: impl Fn(&mut Reader) -> WireResult<T>,
        v: &T,
    ) -> Vec<u8>
    where
        T: PartialEq + std::fmt::Debug,
    {
        let mut w = Writer::new();
        put(&mut w, v);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes);
        assert_eq!(&get(&mut r).expect("reads back"), v);
        r.end().expect("nothing left");
        bytes
    }

    #[test]
    fn labels_jobs_results_and_model_uses_read_back_as_written() {
        round(put_labelled, get_labelled, &labelled("a.png", 5, true));
        round(put_labelled, get_labelled, &labelled("", 0, false));
        for c in [
            Candidates::of_presets(),
            Candidates::All(Collection::Red.preset()),
        ] {
            let job = TrainJob {
                name: "lab".into(),
                candidates: c,
                images: vec![labelled("a", 4, true), labelled("b", 2, false)],
                options: TrainOptions::default(),
            };
            round(put_train_job, get_train_job, &job);
        }
        round(
            put_train_result,
            get_train_result,
            &TrainResult {
                model: "fluocount-model 1".into(),
                held: vec![HeldOut {
                    image: 1,
                    scores: vec![0.25, 1.0],
                    cutoff: 0.5,
                    tp: 1,
                    fp: 2,
                    fn_: 3,
                }],
                curve: vec![CurvePoint {
                    cutoff: 0.02,
                    precision: 0.5,
                    recall: 1.0,
                    f1: 2.0 / 3.0,
                }],
                seeds: vec![HeldOutFigures {
                    seed: u64::MAX,
                    precision: 0.25,
                    recall: 1.0,
                    f1: 0.4,
                    mae: 1.5,
                }],
            },
        );
        for m in [
            ModelUse {
                model: ModelRef::Sent(9),
                cutoff: Some(0.4),
                collection: Some(Collection::Green),
            },
            ModelUse {
                model: ModelRef::Builtin("red".into()),
                cutoff: None,
                collection: None,
            },
            ModelUse {
                model: ModelRef::Builtin("auto".into()),
                cutoff: Some(1.0),
                collection: Some(Collection::Yellow),
            },
        ] {
            round(put_model_use, get_model_use, &m);
        }
        for s in [
            LabelSource::Mask,
            LabelSource::Corrections {
                objects: 3,
                removed: vec![true, false, false],
                added: 2,
            },
        ] {
            round(put_label_source, get_label_source, &s);
        }
    }

    fn refused<T>(bytes: &[u8], get: impl Fn(&mut Reader) -> WireResult<T>) -> bool {
        let mut r = Reader::new(bytes);
        get(&mut r).and_then(|_| r.end()).is_err()
    }

    #[test]
    fn hostile_bytes_are_errors_not_panics() {
        let bytes = round(put_labelled, get_labelled, &labelled("x", 3, true));
        for cut in 0..bytes.len() {
            assert!(refused(&bytes[..cut], get_labelled), "cut at {cut}");
        }
        // Every single byte flipped: an error or a value, never a panic.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = refused(&b, get_labelled);
        }
        // A huge count of candidates with nothing behind it.
        let mut w = Writer::new();
        w.str("x");
        w.str("red");
        w.u32(u32::MAX);
        assert!(refused(&w.finish(), get_labelled));
        // Out-of-range cut-offs and options.
        for c in [-0.1f32, 1.5, f32::NAN] {
            let mut w = Writer::new();
            put_model_use(
                &mut w,
                &ModelUse {
                    model: ModelRef::Sent(1),
                    cutoff: Some(c),
                    collection: None,
                },
            );
            assert!(refused(&w.finish(), get_model_use), "{c}");
        }
        let bad_options = [
            ForestOptions {
                trees: 0,
                ..ForestOptions::default()
            },
            ForestOptions {
                trees: model::MAX_TREES + 1,
                ..ForestOptions::default()
            },
            ForestOptions {
                min_leaf: 0,
                ..ForestOptions::default()
            },
            ForestOptions {
                max_depth: MAX_DEPTH + 1,
                ..ForestOptions::default()
            },
        ];
        for forest in bad_options {
            let job = TrainJob {
                name: String::new(),
                candidates: Candidates::of_presets(),
                images: Vec::new(),
                options: TrainOptions {
                    forest,
                    balance_images: true,
                },
            };
            let mut w = Writer::new();
            put_train_job(&mut w, &job);
            assert!(refused(&w.finish(), get_train_job), "{forest:?}");
        }
        // A true count below the true cells given, and a distance that is not a number.
        let mut l = labelled("x", 2, true);
        l.true_count = 1;
        let mut w = Writer::new();
        put_labelled(&mut w, &l);
        assert!(refused(&w.finish(), get_labelled));
        let mut l = labelled("x", 2, true);
        l.max_distance = f64::NAN;
        let mut w = Writer::new();
        put_labelled(&mut w, &l);
        assert!(refused(&w.finish(), get_labelled));
    }

    #[test]
    fn training_reports_progress_over_every_fold_and_can_be_cancelled() {
        let job = TrainJob {
            name: "t".into(),
            candidates: Candidates::of_presets(),
            images: vec![labelled("a", 30, false), labelled("b", 30, false)],
            options: TrainOptions {
                forest: ForestOptions {
                    trees: 4,
                    ..ForestOptions::default()
                },
                balance_images: true,
            },
        };
        let mut seen = Vec::new();
        let out = run_training(&job, |d, t| {
            seen.push((d, t));
            true
        })
        .expect("not cancelled")
        .expect("trained");
        assert_eq!(
            seen.last(),
            Some(&(44, 44)),
            "two folds with five seeds and the model, 4 trees each"
        );
        assert!(
            seen.windows(2).all(|w| w[0].0 <= w[1].0),
            "progress never goes back"
        );
        assert_eq!(out.held.len(), 2);
        assert_eq!(out.curve.len(), 51);
        assert!(Model::parse(&out.model).is_ok());
        // The spread over seeds: the first run is the one of `held`, then the next seeds, as
        // `cross_validate_seeds` gives them.
        let seed = job.options.forest.seed;
        assert_eq!(out.seeds.len(), SEED_RUNS);
        assert_eq!(
            out.seeds[0],
            HeldOutFigures::of(seed, &job.images, &out.held)
        );
        let direct = learn::cross_validate_seeds(
            &job.candidates,
            &job.images,
            &[],
            &job.options,
            SEED_RUNS,
            |_, _| true,
        );
        assert_eq!(direct.as_deref(), Some(&out.seeds[..]));
        // One image: no folds, no seeds, the model alone.
        let one = TrainJob {
            images: vec![labelled("a", 30, false)],
            ..job.clone()
        };
        assert_eq!(
            (0..=41).map(seed_runs).collect::<Vec<_>>()[..],
            [
                0, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
            ]
        );
        let mut last = (0, 0);
        let out = run_training(&one, |d, t| {
            last = (d, t);
            true
        })
        .expect("not cancelled")
        .expect("trained");
        assert!(out.held.is_empty() && out.seeds.is_empty());
        assert_eq!(last, (4, 4));
        // Twenty-one images: the first run alone, no spread, and progress counts no more folds.
        let many = TrainJob {
            images: (0..21)
                .map(|i| labelled(&format!("i{i}"), 9, false))
                .collect(),
            ..job.clone()
        };
        let out = run_training(&many, |d, t| {
            last = (d, t);
            true
        })
        .expect("not cancelled")
        .expect("trained");
        assert_eq!((out.held.len(), out.seeds.len()), (21, 0));
        assert_eq!(last, (22 * 4, 22 * 4));
        let mut calls = 0;
        assert!(
            run_training(&job, |_, _| {
                calls += 1;
                calls < 3
            })
            .is_none()
        );
        let empty = TrainJob {
            images: vec![labelled("a", 0, false)],
            ..job
        };
        assert!(matches!(run_training(&empty, |_, _| true), Some(Err(_))));
    }
}
