//! Times rolling-ball background subtraction and the local thresholds on a 1600 x 1200 plane.
//! Run with `cargo run --release --example local_timing [8|16]`.
use fluocount::imaging::{
    BitDepth, Plane,
    background::subtract_background,
    threshold::local::{LocalMethod, LocalOptions, local_threshold},
};
use std::time::Instant;

/// The best of five runs, in milliseconds.
fn best_ms(mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let sixteen = std::env::args().nth(1).as_deref() == Some("16");
    let (w, h) = (1600u32, 1200u32);
    // A ramp, bright spots every 60 pixels and hash noise.
    let data: Vec<u16> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let (dx, dy) = ((x % 60) as i32 - 30, (y % 60) as i32 - 30);
            let spot = (100 - (dx * dx + dy * dy)).max(0) as u32;
            let noise = (i.wrapping_mul(2_654_435_761) >> 27) & 15;
            let v = (30 + x / 40 + y / 30 + spot + noise).min(255) as u16;
            if sixteen { v * 257 } else { v }
        })
        .collect();
    let depth = if sixteen {
        BitDepth::Sixteen
    } else {
        BitDepth::Eight
    };
    let plane = Plane::new(w, h, depth, data);
    println!("{w} x {h}, {depth:?}");
    let ms = best_ms(|| {
        std::hint::black_box(subtract_background(&plane, 50.0));
    });
    println!("subtract_background radius 50: {ms:.1} ms");
    for method in LocalMethod::ALL {
        let opts = LocalOptions {
            method,
            radius: 15,
            ..Default::default()
        };
        let ms = best_ms(|| {
            std::hint::black_box(local_threshold(&plane, &opts));
        });
        println!("local_threshold {method} radius 15: {ms:.1} ms");
    }
}
