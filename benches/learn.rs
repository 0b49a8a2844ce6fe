//! Criterion benchmarks of the object classifier: training a forest on ten images' candidates,
//! and counting a 1600x1200 image with the built-in model against counting it with its preset
//! (the peer in the same run: the model's cost on top of the count).
//! Run with `cargo bench --bench learn`.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{Criterion, black_box};
    use fluocount::count::{
        analyze,
        learn::{
            self, Candidates, Labelled, TrainOptions, builtin, features::features, label_by_mask,
        },
        pipeline::{analyze_prepared, prepare},
        presets::Collection,
        scoring::{ScoreOptions, truth_mask},
        synth_hard::{HardParams, generate_hard},
    };
    use fluocount::imaging::channel::Plane;

    pub fn benches(c: &mut Criterion) {
        // Ten images of the hard synthetic suite at mouse scale, with their candidates labelled.
        let candidates = Candidates::All(learn::candidate_params(&Collection::Yellow.preset()));
        let params = candidates.for_collection(Collection::Yellow);
        let images: Vec<Labelled> = (0..10)
            .map(|seed| {
                let s = generate_hard(&HardParams {
                    seed,
                    ..HardParams::default()
                });
                let truth =
                    truth_mask(&Plane::from_u8(s.image.width(), s.image.height(), &s.truth));
                let prepared = prepare(&s.image, &params);
                let a = analyze_prepared(&prepared, &params);
                label_by_mask(
                    "hard",
                    "yellow",
                    &prepared,
                    &a,
                    &truth,
                    ScoreOptions::default(),
                )
            })
            .collect();
        let refs: Vec<&Labelled> = images.iter().collect();
        let rows: usize = images.iter().map(|i| i.rows.len()).sum();
        let mut g = c.benchmark_group("learn");
        g.sample_size(10);
        g.bench_function(
            format!("train 64 trees on 10 images ({rows} candidates)"),
            |b| {
                b.iter(|| {
                    learn::train(
                        "bench",
                        &candidates,
                        black_box(&refs),
                        &TrainOptions::default(),
                        |_, _| true,
                    )
                })
            },
        );
        // What the Learn panel's Train runs on them: the folds with its seeds, then the model.
        let job = fluocount::protocol::learn::TrainJob {
            name: "bench".into(),
            candidates: candidates.clone(),
            images: images.clone(),
            options: TrainOptions::default(),
        };
        g.bench_function("Train: folds x seeds + model, 10 images", |b| {
            b.iter(|| fluocount::protocol::learn::run_training(black_box(&job), |_, _| true))
        });
        g.finish();

        // One 1600x1200 image: the preset's count, and the built-in model's, from the image.
        let image = generate_hard(&HardParams {
            seed: 99,
            ..HardParams::default()
        })
        .image;
        let model = builtin::get("yellow").expect("the built-in model");
        let preset = Collection::Yellow.preset();
        let mut g = c.benchmark_group("count 1600x1200");
        g.sample_size(10);
        g.bench_function("preset yellow", |b| {
            b.iter(|| analyze(black_box(&image), &preset))
        });
        g.bench_function("built-in model yellow", |b| {
            b.iter(|| {
                let prepared = prepare(black_box(&image), &params);
                learn::apply(&prepared, &model, Collection::Yellow, model.cutoff)
            })
        });
        // The model's own part: features and scores of the candidates.
        let prepared = prepare(&image, &params);
        let cands = analyze_prepared(&prepared, &params);
        g.bench_function(
            format!("features + scores of {} candidates", cands.count()),
            |b| {
                b.iter(|| {
                    features(&prepared, black_box(&cands))
                        .iter()
                        .map(|r| model.forest.predict(r))
                        .sum::<f32>()
                })
            },
        );
        g.finish();
    }
}

/// Every benchmark (what `criterion_group!` writes, by hand: the macro's function is public and
/// undocumented, which the crate's lints refuse).
#[cfg(not(target_arch = "wasm32"))]
fn benches() {
    let mut c = criterion::Criterion::default().configure_from_args();
    native::benches(&mut c);
}
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
