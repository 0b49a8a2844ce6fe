//! `fluocount eval` and `fluocount tune`: scoring against ground truth and searching parameters.

use super::{
    Choice, choice_flag, parallel_map,
    samples::{Sample, f, load_samples, pairs, pooled_lines, score_fields},
    value,
};
use crate::count::{
    Params,
    cv::{Grid, ScoreTable, apply, describe, group_by, report},
    export::csv_field,
    presets::Collection,
    scoring::{ImageScore, Pooled, ScoreOptions, score},
    tune::{Fitness, PreparedCache, SearchSpace, Tuner, score_candidate},
};
use std::{path::PathBuf, sync::Mutex};

/// Options shared by eval and tune.
struct Inputs {
    choice: Choice,
    cv: bool,
    train: Option<(PathBuf, PathBuf)>,
    images: PathBuf,
    masks: PathBuf,
    opts: ScoreOptions,
    out: Option<PathBuf>,
    learn: bool,
    seeds: usize,
    model: Option<PathBuf>,
    cutoff: Option<f32>,
}

fn inputs(args: &[String], allow_out: bool) -> Result<Inputs, String> {
    let (mut choice, mut images, mut masks, mut out) = (Choice::Auto, None, None, None);
    let mut cv = false;
    let (mut learn, mut model, mut cutoff) = (false, None, None);
    let mut seeds = None;
    let (mut train_images, mut train_masks) = (None, None);
    let mut opts = ScoreOptions::default();
    let mut i = 0;
    while i < args.len() {
        if let Some(c) = choice_flag(args, &mut i)? {
            choice = c;
        } else {
            match args[i].as_str() {
                "--images" => {
                    images = Some(PathBuf::from(value::<String>(args, &mut i, "--images")?))
                }
                "--masks" => masks = Some(PathBuf::from(value::<String>(args, &mut i, "--masks")?)),
                "--distance" => {
                    let d: f64 = value(args, &mut i, "--distance")?;
                    if !(d.is_finite() && d > 0.0) {
                        return Err("--distance must be a positive number of pixels".into());
                    }
                    opts.max_distance = d;
                }
                "--cv" if !allow_out => cv = true,
                "--learn" if !allow_out => learn = true,
                "--model" if !allow_out => {
                    model = Some(PathBuf::from(value::<String>(args, &mut i, "--model")?))
                }
                "--seeds" if !allow_out => seeds = Some(super::learn::seeds_flag(args, &mut i)?),
                "--cutoff" if !allow_out => cutoff = Some(super::learn::cutoff_flag(args, &mut i)?),
                "--train-images" if !allow_out => {
                    train_images = Some(PathBuf::from(value::<String>(
                        args,
                        &mut i,
                        "--train-images",
                    )?))
                }
                "--train-masks" if !allow_out => {
                    train_masks = Some(PathBuf::from(value::<String>(
                        args,
                        &mut i,
                        "--train-masks",
                    )?))
                }
                "--out" if allow_out => {
                    out = Some(PathBuf::from(value::<String>(args, &mut i, "--out")?))
                }
                a => return Err(format!("unknown argument {a}")),
            }
        }
        i += 1;
    }
    let train = match (train_images, train_masks) {
        (Some(i), Some(m)) if cv => Some((i, m)),
        (None, None) => None,
        (Some(_), Some(_)) => return Err("--train-images and --train-masks go with --cv".into()),
        _ => return Err("--train-images and --train-masks go together".into()),
    };
    if learn && !cv {
        return Err("--learn goes with --cv (it trains inside each fold)".into());
    }
    if learn && model.is_some() {
        return Err("--learn trains its own models; leave out --model".into());
    }
    if seeds.is_some() && !learn {
        return Err("--seeds goes with --cv --learn (the forest's seeds)".into());
    }
    if cutoff.is_some() && model.is_none() {
        return Err("--cutoff goes with --model".into());
    }
    Ok(Inputs {
        seeds: seeds.unwrap_or(1),
        learn,
        model,
        cutoff,
        choice,
        cv,
        train,
        images: images.ok_or("--images DIR is required")?,
        masks: masks.ok_or("--masks DIR is required")?,
        opts,
        out,
    })
}

pub(crate) fn eval(args: &[String]) -> Result<i32, String> {
    let inp = inputs(args, false)?;
    let (list, incomplete) = pairs(&inp.images, &inp.masks)?;
    let (samples, failed) = load_samples(&list);
    if inp.learn {
        let (extra, extra_bad) = match &inp.train {
            Some((images, masks)) => {
                let (list, incomplete) = pairs(images, masks)?;
                let (loaded, failed) = load_samples(&list);
                (loaded, incomplete || failed)
            }
            None => (Vec::new(), false),
        };
        super::learn::eval_cv(&inp.choice, &samples, &extra, inp.opts, inp.seeds)?;
        return Ok(i32::from(failed || incomplete || extra_bad));
    }
    let model = inp
        .model
        .as_deref()
        .map(super::learn::load_model)
        .transpose()?;
    if inp.cv {
        return cross_validate(&inp, &samples).map(|bad| i32::from(bad || failed || incomplete));
    }
    let scored = parallel_map(&samples, |s| {
        let (a, collection) = match &model {
            Some(m) => {
                let (a, c) = super::learn::count_with(m, &inp.choice, &s.image, inp.cutoff);
                (a, c.name().to_string())
            }
            None => {
                let (params, collection) = inp.choice.for_image(&s.image);
                (crate::count::analyze(&s.image, &params), collection)
            }
        };
        (collection, score(&a.components, &s.truth, inp.opts))
    });
    println!("# {}", inp.choice.describe());
    if let Some(m) = &model {
        println!(
            "# model \"{}\" ({}), cut-off {}",
            m.name,
            m.trained_on,
            f(f64::from(inp.cutoff.unwrap_or(m.cutoff)))
        );
    }
    println!(
        "# protocol: Morelli et al. 2021, 4-connected truth, bounding-box centres, greedy matching < {} px",
        inp.opts.max_distance
    );
    println!("file,collection,true,pred,tp,fp,fn,precision,recall,f1,abs_error,iou,dice");
    let mut all: Vec<(String, ImageScore)> = Vec::new();
    let mut bad = failed || incomplete;
    for (s, (collection, r)) in samples.iter().zip(scored) {
        let sc = match r {
            Ok(sc) => sc,
            Err(e) => {
                bad = true;
                eprintln!("{}: {e}", s.path.display());
                continue;
            }
        };
        println!(
            "{},{},{},{}",
            csv_field(&s.path.display().to_string()),
            score_fields(&collection, &sc),
            f(sc.iou()),
            f(sc.dice())
        );
        all.push((collection, sc));
    }
    // No image scored: no pooled figure (an empty set's F1 is not 1).
    if all.is_empty() {
        return Err("no image could be scored: nothing to pool".into());
    }
    let by = group_by(all.iter().map(|(c, sc)| (c.as_str(), sc)));
    if by.len() > 1 {
        for (c, v) in &by {
            println!("{}", pooled_lines(c, &Pooled::new(v)));
        }
    }
    let all: Vec<ImageScore> = all.into_iter().map(|(_, sc)| sc).collect();
    println!("{}", pooled_lines("all", &Pooled::new(&all)));
    Ok(i32::from(bad))
}

/// Scores `params` on every sample, reusing each sample's preparation when it still applies.
fn fitness(
    samples: &[Sample],
    cache: &[Mutex<PreparedCache>],
    params: &Params,
    opts: ScoreOptions,
) -> Vec<ImageScore> {
    let idx: Vec<usize> = (0..samples.len()).collect();
    parallel_map(&idx, |&k| {
        let s = &samples[k];
        let mut slot = match cache[k].lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        score_candidate(&s.image, &s.truth, &mut slot, params, opts)
    })
    .into_iter()
    .flatten()
    .collect()
}

pub(crate) fn tune(args: &[String]) -> Result<i32, String> {
    let inp = inputs(args, true)?;
    let (list, incomplete) = pairs(&inp.images, &inp.masks)?;
    let (samples, failed) = load_samples(&list);
    if samples.is_empty() {
        return Err("no readable image with a mask".into());
    }
    let start = match &inp.choice {
        Choice::File(p) => p.clone(),
        Choice::Preset(c) => c.preset(),
        Choice::Auto => {
            // The preset of the collection most images belong to.
            let mut votes = [0usize; 3];
            for s in &samples {
                let c = Collection::of_image(&s.image);
                votes[Collection::ALL.iter().position(|x| *x == c).unwrap_or(0)] += 1;
            }
            let best = (0..3).max_by_key(|&i| (votes[i], 3 - i)).unwrap_or(0);
            Collection::ALL[best].preset()
        }
    };
    let space = SearchSpace::default();
    println!(
        "# search space (coordinate ascent from {}):",
        start.to_query()
    );
    for line in space.describe().lines() {
        println!("#   {line}");
    }
    let cache: Vec<Mutex<PreparedCache>> = samples.iter().map(|_| Mutex::new(None)).collect();
    let mut tuner = Tuner::new(space, start);
    while let Some(candidate) = tuner.next_candidate() {
        let scores = fitness(&samples, &cache, &candidate, inp.opts);
        let fit = Fitness::of(&scores);
        let before = tuner.best_fitness();
        tuner.report(fit);
        let p = tuner.progress();
        if tuner.best_fitness() != before {
            eprintln!(
                "[{}/{}] F1 {:.4} MAE {:.3}  {}",
                p.done,
                p.total,
                fit.f1,
                fit.mae,
                candidate.to_query()
            );
        }
    }
    let best = tuner.best().clone();
    let (start_f, best_f) = (tuner.start_fitness(), tuner.best_fitness());
    println!(
        "# start: F1 {} MAE {}",
        start_f.map_or_else(|| "n/a".into(), |x| f(x.f1)),
        start_f.map_or_else(|| "n/a".into(), |x| f(x.mae))
    );
    println!(
        "# best after {} candidates: F1 {} MAE {}",
        tuner.progress().done,
        best_f.map_or_else(|| "n/a".into(), |x| f(x.f1)),
        best_f.map_or_else(|| "n/a".into(), |x| f(x.mae))
    );
    println!("{}", best.to_query());
    let out = inp.out.unwrap_or_else(|| PathBuf::from("tuned-params.txt"));
    let text = format!(
        "// fluocount {} tune on {} images of {}\n// pooled F1 {}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        samples.len(),
        inp.images.display(),
        best_f.map_or_else(|| "n/a".into(), |x| f(x.f1)),
        best.to_query().replace('&', "\n")
    );
    std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("parameters written to {}", out.display());
    Ok(i32::from(failed || incomplete))
}

/// `eval --cv`: leave one image out over the preset search ([`Grid::presets`]); prints each image
/// scored with the settings chosen on the others, pooled by collection and in all, and the
/// settings chosen on all images. Returns whether an image could not be scored.
fn cross_validate(inp: &Inputs, samples: &[Sample]) -> Result<bool, String> {
    if samples.len() < 2 {
        return Err("--cv needs at least two images with masks".into());
    }
    // Training-only images (a synthetic suite): in every fold's training set, never held out.
    let mut extra_bad = false;
    let extra: Vec<Sample> = match &inp.train {
        Some((images, masks)) => {
            let (list, incomplete) = pairs(images, masks)?;
            let (loaded, failed) = load_samples(&list);
            extra_bad = incomplete || failed;
            loaded
        }
        None => Vec::new(),
    };
    let held_out = samples.len();
    let all_samples: Vec<&Sample> = samples.iter().chain(&extra).collect();
    let grid = Grid::presets();
    let candidates = grid.candidates();
    eprintln!(
        "scoring {} candidates on {} images…",
        candidates.len(),
        all_samples.len()
    );
    let columns = parallel_map(&all_samples, |s| {
        let (base, collection) = inp.choice.for_image(&s.image);
        let mut cache: PreparedCache = None;
        let scores: Option<Vec<ImageScore>> = candidates
            .iter()
            .map(|c| score_candidate(&s.image, &s.truth, &mut cache, &apply(&base, c), inp.opts))
            .collect();
        (collection, scores)
    });
    let mut bad = extra_bad;
    let mut kept: Vec<(usize, String)> = Vec::new();
    let mut kept_held_out = 0;
    let mut table = ScoreTable {
        scores: vec![Vec::new(); candidates.len()],
    };
    for (k, (collection, scores)) in columns.into_iter().enumerate() {
        match scores {
            Some(scores) => {
                for (row, sc) in table.scores.iter_mut().zip(scores) {
                    row.push(sc);
                }
                kept.push((k, collection.clone()));
                kept_held_out += usize::from(k < held_out);
            }
            None => {
                bad = true;
                eprintln!(
                    "{}: the mask and the image differ in size",
                    all_samples[k].path.display()
                );
            }
        }
    }
    let collections: Vec<String> = kept.iter().map(|(_, c)| c.clone()).collect();
    let Some(rep) = report(&table, &collections, kept_held_out) else {
        return Err("--cv needs at least two images that could be scored".into());
    };
    println!("# {}", inp.choice.describe());
    println!(
        "# leave-one-image-out: each image is scored with the settings that did best (pooled F1) on the other images{}",
        if extra.is_empty() {
            String::new()
        } else {
            format!(" and the {} training-only images", extra.len())
        }
    );
    println!(
        "# search: {} candidates laid over each image's own parameters: {}",
        candidates.len(),
        grid.axes
            .iter()
            .map(|(k, v)| format!("{k} in {{{}}}", v.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    );
    println!(
        "# protocol: Morelli et al. 2021, 4-connected truth, bounding-box centres, greedy matching < {} px",
        inp.opts.max_distance
    );
    println!("file,collection,true,pred,tp,fp,fn,precision,recall,f1,abs_error,chosen");
    for fold in &rep.folds {
        let (k, collection) = &kept[fold.image];
        println!(
            "{},{},{}",
            csv_field(&all_samples[*k].path.display().to_string()),
            score_fields(collection, &fold.score),
            csv_field(&describe(&candidates[fold.chosen]))
        );
    }
    if rep.by_collection.len() > 1 {
        for (c, p) in &rep.by_collection {
            println!("{}", pooled_lines(&format!("held-out {c}"), p));
        }
    }
    println!("{}", pooled_lines("held-out all", &rep.pooled));
    if let (Some(c), Some(in_sample)) = (rep.chosen_on_all, &rep.chosen_in_sample) {
        println!(
            "# chosen on all {} images (figures on the images it was chosen on, not an accuracy estimate): {} F1 on the held-out set={}",
            kept.len(),
            describe(&candidates[c]),
            f(in_sample.f1())
        );
    }
    Ok(bad)
}
