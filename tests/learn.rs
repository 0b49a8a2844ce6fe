//! The object classifier on the real samples: the built-in model is what training on them gives
//! (so it can be rebuilt and checked), and counting with it behaves.

use fluocount::{
    count::{
        learn::{self, Labelled, TrainOptions, builtin, label_by_mask},
        pipeline::{analyze_prepared, prepare},
        presets::Collection,
        scoring::{ScoreOptions, score, truth_mask},
        synth_hard,
    },
    imaging::{Channel, DecodeLimits, Image, channel::intensity, decode},
};
use std::path::{Path, PathBuf};

fn load(path: &Path) -> Image {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&bytes, &DecodeLimits::default()).expect("sample decodes")
}

/// The samples with masks, sorted by file name as `fluocount train` reads a folder.
fn samples() -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for c in ["yellow", "red"] {
        let dir = Path::new("tests/data/fluocells").join(c);
        let mut masks: Vec<PathBuf> = std::fs::read_dir(dir.join("masks"))
            .expect("masks")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        masks.sort();
        for m in masks {
            let name = m.file_name().expect("a name").to_owned();
            out.push((dir.join("images").join(name), m));
        }
    }
    out.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    out
}

/// One image labelled as `fluocount train` labels it: its collection's candidates, matched to
/// its mask.
fn label(name: &str, image: &Image, truth: &Image) -> Labelled {
    let truth = truth_mask(&intensity(truth, Channel::Max));
    let c = Collection::of_image(image);
    let params = learn::Candidates::of_presets().for_collection(c);
    let prepared = prepare(image, &params);
    let a = analyze_prepared(&prepared, &params);
    label_by_mask(
        name,
        c.name(),
        &prepared,
        &a,
        &truth,
        ScoreOptions::default(),
    )
}

/// The real samples with masks, labelled.
fn labelled() -> Vec<Labelled> {
    samples()
        .iter()
        .map(|(img, mask)| label(&img.display().to_string(), &load(img), &load(mask)))
        .collect()
}

/// The real samples, then the hard suite (`synth_hard::suite`, whose `hard-SEED.png` names sort
/// after the samples' as `fluocount train` reads one folder), labelled: what the built-in model
/// is trained on.
fn training_set() -> Vec<Labelled> {
    let mut out = labelled();
    out.extend(synth_hard::suite().iter().map(|p| {
        let s = synth_hard::generate_hard(p);
        let truth = Image::gray8(s.image.width(), s.image.height(), s.truth);
        label(&format!("hard-{:04}.png", p.seed), &s.image, &truth)
    }));
    out
}

#[test]
fn the_built_in_model_is_what_training_on_the_samples_gives() {
    let images = training_set();
    assert_eq!(images.len(), 4 + 9);
    let refs: Vec<&Labelled> = images.iter().collect();
    let (model, _) = learn::train(
        "Fluocount samples",
        &learn::Candidates::of_presets(),
        &refs,
        &TrainOptions::default(),
        |_, _| true,
    )
    .expect("candidates");
    assert_eq!(
        model.to_text(),
        builtin::SAMPLES,
        "the committed model differs from training on the samples: run scripts/train-builtin.sh \
         and review"
    );
    // Every cell a candidate can find is a candidate: the reported candidate recall.
    let recall: Vec<f64> = images[..4].iter().map(Labelled::candidate_recall).collect();
    assert!(recall.iter().all(|&r| r >= 0.8), "{recall:?}");
}

#[test]
fn counting_with_a_model_moves_the_objects_under_the_cut_off_to_the_rejected_layer() {
    let (img, mask) = &samples()[3];
    assert!(img.ends_with("RT353S2C1R5_r1.png"));
    let image = load(img);
    let truth = truth_mask(&intensity(&load(mask), Channel::Max));
    let model = builtin::get("red").expect("built in");
    let params = model.candidates.for_collection(Collection::Red);
    let prepared = prepare(&image, &params);
    let all = learn::apply(&prepared, &model, Collection::Red, 0.0);
    let none = learn::apply(&prepared, &model, Collection::Red, 1.01);
    let cut = learn::apply(&prepared, &model, Collection::Red, model.cutoff);
    // At 0 every candidate counts; above 1 none; the cut-off keeps those at or above it.
    assert_eq!(none.count(), 0);
    assert_eq!(
        all.count() + all.rejected.count as usize,
        none.rejected.count as usize
    );
    assert!(cut.count() > 0 && cut.count() < all.count());
    assert!(cut.scores.iter().all(|&s| s >= model.cutoff));
    assert_eq!(cut.scores.len(), cut.count());
    assert_eq!(cut.rejected_scores.len(), cut.rejected.count as usize);
    let classified = cut
        .rejected_why
        .iter()
        .zip(&cut.rejected_scores)
        .filter(|(w, _)| **w == fluocount::count::pipeline::Reject::Classifier);
    assert!(classified.clone().count() > 0);
    assert!(classified.clone().all(|(_, &s)| s < model.cutoff));
    // The label image and the components agree, and the count scores (in-sample: the built-in
    // model was trained on this image).
    assert_eq!(
        cut.labels.iter().copied().max().unwrap_or(0) as usize,
        cut.count()
    );
    let s = score(&cut.components, &truth, ScoreOptions::default()).expect("sizes");
    assert!(s.tp > 0);
}

#[test]
fn the_readme_defines_every_feature() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    for f in learn::FEATURES {
        assert!(
            readme.contains(&format!("`{}`", f.name)),
            "README.md does not define the feature {}",
            f.name
        );
    }
}
