//! Times the diameter estimate on a file. `cargo run --release --example diameter_timing IMAGE`.
use fluocount::imaging::{
    Channel, DecodeLimits, channel::intensity, decode, diameter::estimate_diameter,
};
use std::time::Instant;

fn main() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: diameter_timing IMAGE")?;
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    let image = decode(&bytes, &DecodeLimits::default()).map_err(|e| e.to_string())?;
    let plane = intensity(&image, Channel::Yellow);
    let mut times = Vec::new();
    let mut d = 0.0;
    for _ in 0..15 {
        let t = Instant::now();
        d = estimate_diameter(&plane).measured;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "measured {d:.1} px, median {:.2} ms",
        times[times.len() / 2]
    );
    Ok(())
}
