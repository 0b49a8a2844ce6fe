//! The in-browser benchmark, exported to JavaScript as `bench_pipeline` (Trunk exposes it as
//! `window.wasmBindings.bench_pipeline`). It runs each stage of the count pipeline on the default
//! 1600x1200 synthetic image and returns the median milliseconds per stage as JSON. Only in builds
//! with the cargo feature `bench` (`make web-bench`), never in the shipped app.

use crate::{
    count::{
        Params, analyze,
        presets::Collection,
        synth::{SynthParams, generate},
    },
    imaging::{
        DecodeLimits,
        background::subtract_background,
        channel::intensity,
        decode,
        fill::fill_holes,
        gaussian::gaussian_blur,
        histogram::histogram,
        label::{label, label_image, measure},
        morphology::{close, open},
        shape::shapes,
        threshold::local::{LocalMethod, LocalOptions, local_threshold},
        threshold::{otsu_level, threshold},
        watershed::{SplitOptions, split_touching},
    },
    util::clock::now_ms,
};
use wasm_bindgen::prelude::*;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn timed<T>(samples: &mut Vec<f64>, f: impl FnOnce() -> T) -> T {
    let t0 = now_ms();
    let out = f();
    samples.push(now_ms() - t0);
    out
}

/// Runs `iterations` timed repetitions (after one warm-up) and returns
/// `{"image":"…","params":"…","count":N,"iterations":N,"median_ms":{"stage":ms,…}}`.
#[wasm_bindgen]
pub fn bench_pipeline(iterations: u32) -> String {
    let synth = generate(&SynthParams::default());
    let image = synth.image;
    // The target pipeline: channel, Otsu, opening, closing, fill holes, labelling with stats.
    let params = Params {
        sigma: 0.0,
        ..Params::default()
    };
    let preset = Collection::Yellow.preset();
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        let crate::imaging::Pixels::U8(rgb) = image.pixels() else {
            return "{\"error\":\"synthetic image is not 8-bit\"}".into();
        };
        let buf = image::RgbImage::from_raw(image.width(), image.height(), rgb.clone());
        match buf.map(|b| b.write_to(&mut out, image::ImageFormat::Png)) {
            Some(Ok(())) => out.into_inner(),
            _ => return "{\"error\":\"could not encode the synthetic image\"}".into(),
        }
    };
    let names = [
        "channel",
        "histogram+otsu",
        "threshold",
        "open",
        "close",
        "fill holes",
        "label+measure",
        "label image",
        "pipeline total",
        "gaussian sigma=1",
        "decode png",
        "background rolling ball r=50",
        "local threshold phansalkar r=15",
        "split (edt+maxima+watershed)",
        "shapes (perimeter, ellipse, hull)",
        "pipeline yellow preset",
        "pipeline yellow preset before cell bodies",
        "pipeline red preset",
        "pipeline red preset before cell bodies",
        "diameter estimate",
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut count = 0;
    for it in 0..=iterations {
        let mut s: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        let plane = timed(&mut s[0], || intensity(&image, params.channel));
        let level = timed(&mut s[1], || otsu_level(&histogram(&plane)));
        let mask = timed(&mut s[2], || threshold(&plane, level));
        let mask = timed(&mut s[3], || open(&mask, params.open_radius));
        let mask = timed(&mut s[4], || close(&mask, params.close_radius));
        let mask = timed(&mut s[5], || fill_holes(&mask));
        let comps = timed(&mut s[6], || {
            let c = label(&mask, params.connectivity);
            let m = measure(&c, &plane);
            (c, m)
        });
        timed(&mut s[7], || label_image(&comps.0));
        count = timed(&mut s[8], || analyze(&image, &params)).count();
        timed(&mut s[9], || gaussian_blur(&plane, 1.0));
        let decoded = timed(&mut s[10], || decode(&png, &DecodeLimits::default()));
        if decoded.is_err() {
            return "{\"error\":\"could not decode the synthetic PNG\"}".into();
        }
        timed(&mut s[11], || subtract_background(&plane, 50.0));
        timed(&mut s[12], || {
            local_threshold(
                &plane,
                &LocalOptions {
                    method: LocalMethod::Phansalkar,
                    radius: 15,
                    p1: None,
                    p2: None,
                },
            )
        });
        let split = timed(&mut s[13], || {
            split_touching(
                &mask,
                &SplitOptions {
                    prominence: 1.0,
                    min_distance: 10.0,
                    min_seed_radius: 0.0,
                },
            )
        });
        let split_comps = label(&split, params.connectivity);
        timed(&mut s[14], || shapes(&split_comps, params.connectivity));
        timed(&mut s[15], || analyze(&image, &preset));
        // The same run, the presets as they were before the cell-body settings (the diameter
        // not estimated, no body filter): the speed they must stay within 1.5x of.
        timed(&mut s[16], || {
            analyze(&image, &Collection::Yellow.base_preset())
        });
        timed(&mut s[17], || analyze(&image, &Collection::Red.preset()));
        timed(&mut s[18], || {
            analyze(&image, &Collection::Red.base_preset())
        });
        timed(&mut s[19], || {
            crate::imaging::diameter::estimate_diameter(&plane)
        });
        if it > 0 {
            for (all, one) in samples.iter_mut().zip(s) {
                all.extend(one);
            }
        }
    }
    let medians: Vec<String> = names
        .iter()
        .zip(samples.iter_mut())
        .map(|(n, v)| format!("\"{n}\":{:.3}", median(v)))
        .collect();
    format!(
        "{{\"image\":\"synthetic seed 1, {}x{}\",\"params\":\"{}\",\"count\":{count},\"iterations\":{iterations},\"median_ms\":{{{}}}}}",
        image.width(),
        image.height(),
        params.to_query(),
        medians.join(",")
    )
}

/// The object classifier in the browser: training a 64-tree forest on ten images' candidates
/// (the hard synthetic suite at mouse scale, labelled once outside the timing), and counting a
/// 1600x1200 image of it with the built-in model against its preset (the peer), with the model's
/// own part (features and scores of the candidates) apart, and the whole of the Learn panel's
/// Train on those ten images (leave one image out with its seeds, then the model). Returns
/// `{"rows":N,"candidates":N,"iterations":N,"median_ms":{…}}`.
#[wasm_bindgen]
pub fn bench_learn(iterations: u32) -> String {
    use crate::count::{
        learn::{self, Candidates, Labelled, TrainOptions, builtin, features::features},
        pipeline::{analyze_prepared, prepare},
        scoring::{ScoreOptions, truth_mask},
        synth_hard::{HardParams, generate_hard},
    };
    let candidates = Candidates::All(learn::candidate_params(&Collection::Yellow.preset()));
    let params = candidates.for_collection(Collection::Yellow);
    let images: Vec<Labelled> = (0..10)
        .map(|seed| {
            let s = generate_hard(&HardParams {
                seed,
                ..HardParams::default()
            });
            let truth = truth_mask(&crate::imaging::channel::Plane::from_u8(
                s.image.width(),
                s.image.height(),
                &s.truth,
            ));
            let prepared = prepare(&s.image, &params);
            let a = analyze_prepared(&prepared, &params);
            learn::label_by_mask(
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
    // What the Learn panel's Train runs: the folds with its seeds, then the model.
    let job = crate::protocol::learn::TrainJob {
        name: "bench".into(),
        candidates: candidates.clone(),
        images: images.clone(),
        options: TrainOptions::default(),
    };
    let Some(model) = builtin::get("yellow") else {
        return "{\"error\":\"the built-in model does not read\"}".into();
    };
    let image = generate_hard(&HardParams {
        seed: 99,
        ..HardParams::default()
    })
    .image;
    let preset = Collection::Yellow.preset();
    let names = [
        "train 64 trees on 10 images",
        "count preset yellow",
        "count built-in model yellow",
        "features + scores",
        "Train: folds x seeds + model, 10 images",
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut n_candidates = 0;
    for it in 0..=iterations {
        let mut s: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        timed(&mut s[0], || {
            learn::train(
                "bench",
                &candidates,
                &refs,
                &TrainOptions::default(),
                |_, _| true,
            )
        });
        timed(&mut s[1], || analyze(&image, &preset));
        timed(&mut s[2], || {
            let prepared = prepare(&image, &params);
            learn::apply(&prepared, &model, Collection::Yellow, model.cutoff)
        });
        let prepared = prepare(&image, &params);
        let cands = analyze_prepared(&prepared, &params);
        n_candidates = cands.count();
        timed(&mut s[3], || {
            features(&prepared, &cands)
                .iter()
                .map(|r| model.forest.predict(r))
                .sum::<f32>()
        });
        timed(&mut s[4], || {
            crate::protocol::learn::run_training(&job, |_, _| true)
        });
        if it > 0 {
            for (all, one) in samples.iter_mut().zip(s) {
                all.extend(one);
            }
        }
    }
    let medians: Vec<String> = names
        .iter()
        .zip(samples.iter_mut())
        .map(|(n, v)| format!("\"{n}\":{:.3}", median(v)))
        .collect();
    format!(
        "{{\"rows\":{rows},\"candidates\":{n_candidates},\"iterations\":{iterations},\"median_ms\":{{{}}}}}",
        medians.join(",")
    )
}
