//! Prints the decode time and per-stage timings of a file (or the default synthetic image)
//! under the default parameters, a blur, and the yellow preset.
//! Run with `cargo run --release --example stages [IMAGE]`.
use fluocount::{
    count::{Params, analyze, presets::Collection, synth},
    imaging::{DecodeLimits, decode},
};
use std::time::Instant;

fn main() {
    let image = match std::env::args().nth(1) {
        Some(p) => {
            let bytes = std::fs::read(p).expect("read");
            let mut image = None;
            for _ in 0..3 {
                let t = Instant::now();
                image = Some(decode(&bytes, &DecodeLimits::default()).expect("decode"));
                println!("decode {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
            }
            image.expect("decoded")
        }
        None => synth::generate(&synth::SynthParams::default()).image,
    };
    let runs = [
        ("default", Params::default()),
        (
            "sigma 1",
            Params {
                sigma: 1.0,
                ..Params::default()
            },
        ),
        ("yellow preset", Collection::Yellow.preset()),
    ];
    for (name, params) in runs {
        for _ in 0..3 {
            let a = analyze(&image, &params);
            let t: Vec<String> = a
                .timings
                .iter()
                .map(|t| format!("{} {:.2}", t.stage, t.ms))
                .collect();
            println!(
                "{name}: count {} level {:?} total {:.2} ms: {}",
                a.count(),
                a.level,
                a.total_ms(),
                t.join(", ")
            );
        }
    }
}
