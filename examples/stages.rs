//! Prints per-stage timings of the default pipeline on a file or the default synthetic image.
use fluocount::core::{DecodeLimits, Params, analyze, decode, synth};

fn main() {
    let image = match std::env::args().nth(1) {
        Some(p) => {
            decode(&std::fs::read(p).expect("read"), &DecodeLimits::default()).expect("decode")
        }
        None => synth::generate(&synth::SynthParams::default()).image,
    };
    for sigma in [0.0, 1.0] {
        let params = Params {
            sigma,
            ..Params::default()
        };
        for _ in 0..3 {
            let a = analyze(&image, &params);
            let t: Vec<String> = a
                .timings
                .iter()
                .map(|t| format!("{} {:.2}", t.stage, t.ms))
                .collect();
            println!(
                "sigma {sigma}: count {} level {:?} total {:.2} ms: {}",
                a.count(),
                a.level,
                a.total_ms(),
                t.join(", ")
            );
        }
    }
}
