//! `fluocount train`, `eval --cv --learn` and `--model`: the object classifier on the command
//! line.

use super::{
    Choice, parallel_map,
    samples::{Sample, f, load_samples, pairs, pooled_lines, score_fields},
};
use crate::{
    count::{
        cv::group_by,
        export::csv_field,
        learn::{
            self, Candidates, FEATURES, HeldOut, Labelled, Model, TrainOptions, candidate_params,
            label_by_mask,
        },
        pipeline::{analyze_prepared, prepare},
        presets::Collection,
        scoring::{ImageScore, Pooled, ScoreOptions},
    },
    imaging::Image,
};
use std::path::{Path, PathBuf};

/// The candidate settings for a choice: each collection's preset's (auto), one preset's, or a
/// parameter file's as it is.
pub(super) fn candidates_of(choice: &Choice) -> Candidates {
    match choice {
        Choice::Auto => Candidates::of_presets(),
        Choice::Preset(c) => Candidates::All(candidate_params(&c.preset())),
        Choice::File(p) => Candidates::All(p.clone()),
    }
}

/// The collection of an image under a choice (its detected one unless a preset is given).
pub(super) fn collection_of(choice: &Choice, image: &Image) -> Collection {
    match choice {
        Choice::Preset(c) => *c,
        _ => Collection::of_image(image),
    }
}

/// Every sample's candidates, labelled by its mask.
pub(super) fn labelled(
    samples: &[Sample],
    choice: &Choice,
    candidates: &Candidates,
    opts: ScoreOptions,
) -> Vec<Labelled> {
    parallel_map(samples, |s| {
        let c = collection_of(choice, &s.image);
        let params = candidates.for_collection(c);
        let prepared = prepare(&s.image, &params);
        let a = analyze_prepared(&prepared, &params);
        label_by_mask(
            &s.path.display().to_string(),
            c.name(),
            &prepared,
            &a,
            &s.truth,
            opts,
        )
    })
}

/// Prints the leave-one-image-out figures of `images`: per image, by collection, pooled.
fn print_cv(images: &[Labelled], held: &[HeldOut], opts: &TrainOptions) {
    println!(
        "# leave-one-image-out: each image is scored by a forest ({} trees, depth {}, seed {}) trained on the other images' candidates, with the cut-off chosen on that forest's out-of-bag scores",
        opts.forest.trees, opts.forest.max_depth, opts.forest.seed
    );
    println!(
        "file,collection,true,pred,tp,fp,fn,precision,recall,f1,abs_error,cutoff,candidates,candidate_recall"
    );
    let mut scored: Vec<(String, ImageScore)> = Vec::new();
    for h in held {
        let img = &images[h.image];
        let sc = h.image_score(img.true_count);
        println!(
            "{},{},{},{},{}",
            csv_field(&img.name),
            score_fields(&img.collection, &sc),
            f(f64::from(h.cutoff)),
            img.rows.len(),
            f(img.candidate_recall())
        );
        scored.push((img.collection.clone(), sc));
    }
    let by = group_by(scored.iter().map(|(c, s)| (c.as_str(), s)));
    if by.len() > 1 {
        for (c, v) in &by {
            println!(
                "{}",
                pooled_lines(&format!("held-out {c}"), &Pooled::new(v))
            );
        }
    }
    let all: Vec<ImageScore> = scored.into_iter().map(|(_, s)| s).collect();
    println!("{}", pooled_lines("held-out all", &Pooled::new(&all)));
    // The precision-recall curve of the held-out scores, as if one cut-off served every fold.
    let curve = learn::curve(images, held);
    println!(
        "# held-out curve (cut-off: precision/recall/F1): {}",
        curve
            .iter()
            .step_by(5)
            .map(|p| format!(
                "{:.1}: {:.2}/{:.2}/{:.2}",
                p.cutoff, p.precision, p.recall, p.f1
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The most seeds `--seeds` takes.
pub(super) const MAX_SEEDS: usize = 100;

/// `--seeds N`: 1 to [`MAX_SEEDS`].
pub(super) fn seeds_flag(args: &[String], i: &mut usize) -> Result<usize, String> {
    let n: usize = super::value(args, i, "--seeds")?;
    if !(1..=MAX_SEEDS).contains(&n) {
        return Err(format!("--seeds must be 1 to {MAX_SEEDS}"));
    }
    Ok(n)
}

/// With `seeds` > 1: the figures of `held` (the leave-one-image-out run printed above) and of the
/// same run with the next `seeds − 1` seeds, each pooled, then their median and range.
fn print_seeds(
    candidates: &Candidates,
    images: &[Labelled],
    train_only: &[Labelled],
    opts: &TrainOptions,
    held: &[HeldOut],
    seeds: usize,
) -> Result<(), String> {
    if seeds < 2 || images.len() < 2 {
        return Ok(());
    }
    let runs =
        learn::spread_over_seeds(candidates, images, train_only, opts, held, seeds, |_, _| {
            true
        })
        .ok_or("training was cancelled")?;
    println!(
        "# the same leave-one-image-out run with {seeds} seeds (the forest's random draws; the first is the one above), pooled:"
    );
    println!("# seed,precision,recall,f1,mae");
    for r in &runs {
        println!(
            "# {},{:.4},{:.4},{:.4},{:.4}",
            r.seed, r.precision, r.recall, r.f1, r.mae
        );
    }
    let spread = |get: fn(&learn::HeldOutFigures) -> f64| {
        let v: Vec<f64> = runs.iter().map(get).collect();
        learn::median_range(&v).map_or_else(
            || "-".to_string(),
            |(m, lo, hi)| format!("{m:.3} ({lo:.3} to {hi:.3})"),
        )
    };
    println!(
        "# over {seeds} seeds: F1 median {}, precision {}, recall {}, MAE {}",
        spread(|r| r.f1),
        spread(|r| r.precision),
        spread(|r| r.recall),
        spread(|r| r.mae)
    );
    Ok(())
}

/// Parsed flags of `train`.
struct TrainArgs {
    choice: Choice,
    images: PathBuf,
    masks: PathBuf,
    out: PathBuf,
    name: String,
    opts: TrainOptions,
    score: ScoreOptions,
    dump: Option<PathBuf>,
    seeds: usize,
}

fn train_args(args: &[String]) -> Result<TrainArgs, String> {
    let mut dump = None;
    let mut seeds = 1;
    let (mut choice, mut images, mut masks, mut out, mut name) =
        (Choice::Auto, None, None, None, None);
    let mut opts = TrainOptions::default();
    let mut i = 0;
    while i < args.len() {
        if let Some(c) = super::choice_flag(args, &mut i)? {
            choice = c;
        } else {
            let path = |i: &mut usize, flag: &str| -> Result<PathBuf, String> {
                Ok(PathBuf::from(super::value::<String>(args, i, flag)?))
            };
            match args[i].as_str() {
                "--images" => images = Some(path(&mut i, "--images")?),
                "--masks" => masks = Some(path(&mut i, "--masks")?),
                "--out" => out = Some(path(&mut i, "--out")?),
                "--dump" => dump = Some(path(&mut i, "--dump")?),
                "--name" => name = Some(super::value::<String>(args, &mut i, "--name")?),
                "--trees" => {
                    let t: usize = super::value(args, &mut i, "--trees")?;
                    if !(1..=learn::model::MAX_TREES).contains(&t) {
                        return Err(format!("--trees must be 1 to {}", learn::model::MAX_TREES));
                    }
                    opts.forest.trees = t;
                }
                "--seed" => opts.forest.seed = super::value(args, &mut i, "--seed")?,
                "--seeds" => seeds = seeds_flag(args, &mut i)?,
                a => return Err(format!("unknown argument {a}")),
            }
        }
        i += 1;
    }
    let out = out.ok_or("--out MODEL is required")?;
    Ok(TrainArgs {
        name: name.unwrap_or_else(|| {
            out.file_stem()
                .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned())
        }),
        choice,
        images: images.ok_or("--images DIR is required")?,
        masks: masks.ok_or("--masks DIR is required")?,
        out,
        opts,
        score: ScoreOptions::default(),
        dump,
        seeds,
    })
}

/// `fluocount train`: prints the leave-one-image-out figures, trains on every image and writes
/// the model.
pub(crate) fn train(args: &[String]) -> Result<i32, String> {
    let a = train_args(args)?;
    let (list, incomplete) = pairs(&a.images, &a.masks)?;
    let (samples, failed) = load_samples(&list);
    if samples.is_empty() {
        return Err("no readable image with a mask".into());
    }
    let candidates = candidates_of(&a.choice);
    let images = labelled(&samples, &a.choice, &candidates, a.score);
    if let Some(dir) = &a.dump {
        dump(dir, &images)?;
    }
    println!("# {}", a.choice.describe());
    if images.len() >= 2 {
        let held = learn::cross_validate(&candidates, &images, &[], &a.opts, |_, _| true)
            .ok_or("training was cancelled")?;
        print_cv(&images, &held, &a.opts);
        print_seeds(&candidates, &images, &[], &a.opts, &held, a.seeds)?;
    } else {
        println!("# one image: no leave-one-image-out figures (they need two images or more)");
    }
    let refs: Vec<&Labelled> = images.iter().collect();
    let (model, trained) = learn::train(&a.name, &candidates, &refs, &a.opts, |_, _| true)
        .ok_or("no candidate to train on")?;
    write_model(&a.out, &model)?;
    println!(
        "# model \"{}\" trained on {}; cut-off {} (out-of-bag); {} trees, {} nodes",
        model.name,
        model.trained_on,
        f(f64::from(model.cutoff)),
        model.forest.trees.len(),
        model.forest.node_count()
    );
    let mut imp: Vec<(usize, f64)> = trained.importance.iter().copied().enumerate().collect();
    imp.sort_by(|x, y| y.1.total_cmp(&x.1));
    println!(
        "# importance: {}",
        imp.iter()
            .take(8)
            .map(|(j, v)| format!("{} {:.3}", FEATURES[*j].name, v))
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!("model written to {}", a.out.display());
    Ok(i32::from(failed || incomplete))
}

/// Writes each image's candidates as `DIR/<image stem>.csv`: `cell` (1 or 0), then the features.
fn dump(dir: &Path, images: &[Labelled]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for img in images {
        let stem = Path::new(&img.name)
            .file_stem()
            .map_or_else(|| "image".into(), |s| s.to_string_lossy().into_owned());
        let mut text = format!("cell,{}\n", learn::features::names().join(","));
        for (row, &cell) in img.rows.iter().zip(&img.cells) {
            text.push(if cell { '1' } else { '0' });
            for v in row {
                text.push(',');
                text.push_str(&v.to_string());
            }
            text.push('\n');
        }
        let path = dir.join(format!("{stem}.csv"));
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn write_model(path: &Path, model: &Model) -> Result<(), String> {
    std::fs::write(path, model.to_text()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a model file (at most [`learn::model::MAX_BYTES`]).
pub(super) fn load_model(path: &Path) -> Result<Model, String> {
    let err = |e: String| format!("{}: cannot read the model: {e}", path.display());
    let bytes = super::read_limited(path, learn::model::MAX_BYTES as u64).map_err(err)?;
    let text = String::from_utf8(bytes).map_err(|_| err("not UTF-8 text".into()))?;
    Model::parse(&text).map_err(|e| err(e.to_string()))
}

/// `eval --cv --learn`: trains inside each leave-one-image-out fold.
pub(super) fn eval_cv(
    choice: &Choice,
    samples: &[Sample],
    train_only: &[Sample],
    score: ScoreOptions,
    seeds: usize,
) -> Result<(), String> {
    if samples.len() < 2 {
        return Err("--cv needs at least two images with masks".into());
    }
    let candidates = candidates_of(choice);
    let images = labelled(samples, choice, &candidates, score);
    let extra = labelled(train_only, choice, &candidates, score);
    let opts = TrainOptions::default();
    let held = learn::cross_validate(&candidates, &images, &extra, &opts, |_, _| true)
        .ok_or("training was cancelled")?;
    if !extra.is_empty() {
        println!(
            "# every fold also trains on {} training-only images ({} candidates, {} cells), never held out",
            extra.len(),
            extra.iter().map(|i| i.rows.len()).sum::<usize>(),
            extra
                .iter()
                .map(|i| i.cells.iter().filter(|&&c| c).count())
                .sum::<usize>()
        );
    }
    println!("# {}", choice.describe());
    println!(
        "# protocol: Morelli et al. 2021, 4-connected truth, bounding-box centres, greedy matching < {} px",
        score.max_distance
    );
    print_cv(&images, &held, &opts);
    print_seeds(&candidates, &images, &extra, &opts, &held, seeds)
}

/// Counts an image with a model: its collection's candidates, scored, cut at `cutoff` (the
/// model's own unless given).
pub(super) fn count_with(
    model: &Model,
    choice: &Choice,
    image: &Image,
    cutoff: Option<f32>,
) -> (crate::count::Analysis, Collection) {
    let c = collection_of(choice, image);
    let prepared = prepare(image, &model.candidates.for_collection(c));
    let a = learn::apply(&prepared, model, c, cutoff.unwrap_or(model.cutoff));
    (a, c)
}

/// Parses `--cutoff C` (0 to 1).
pub(super) fn cutoff_flag(args: &[String], i: &mut usize) -> Result<f32, String> {
    let c: f32 = super::value(args, i, "--cutoff")?;
    if (0.0..=1.0).contains(&c) {
        Ok(c)
    } else {
        Err("--cutoff must be a number from 0 to 1".into())
    }
}
