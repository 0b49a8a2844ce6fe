//! Dumps every candidate object's measures with whether it matches a true cell, for choosing the
//! cell-body filters: the candidates are the objects of the given parameters with every filter
//! but the minimum area turned off.
//! Run with `cargo run --release --example features -- PARAMS_FILE IMAGE MASK [IMAGE MASK]...`.
use fluocount::{
    count::{
        Params, analyze,
        scoring::{ScoreOptions, score, truth_mask},
    },
    imaging::{Channel, DecodeLimits, channel::intensity, decode},
};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (first, pairs) = args
        .split_first()
        .ok_or("usage: features PARAMS (IMAGE MASK)...")?;
    let text = std::fs::read_to_string(first).map_err(|e| format!("{first}: {e}"))?;
    let (params, _) = Params::from_query(&text);
    let candidates = Params {
        min_thickness: 0.0,
        max_elongation: 0.0,
        min_blob: 0.0,
        min_brightness: 0.0,
        min_ring: 0.0,
        min_circularity: 0.0,
        max_circularity: 1.0,
        ..params
    };
    println!(
        "image,diameter,area,thickness,elongation,blob,brightness,ring,solidity,circularity,matched"
    );
    for pair in pairs.chunks(2) {
        let [image, mask] = pair else {
            return Err("an image without its mask".into());
        };
        let read = |p: &String| -> Result<_, String> {
            let bytes = std::fs::read(p).map_err(|e| format!("{p}: {e}"))?;
            decode(&bytes, &DecodeLimits::default()).map_err(|e| format!("{p}: {e}"))
        };
        let img = read(image)?;
        let truth = truth_mask(&intensity(&read(mask)?, Channel::Max));
        let a = analyze(&img, &candidates);
        let s = score(&a.components, &truth, ScoreOptions::default()).map_err(|e| e.to_string())?;
        for (i, o) in a.objects.iter().enumerate() {
            let b = a.bodies[i];
            let sh = a.shapes[i];
            println!(
                "{image},{},{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{}",
                a.diameter,
                o.area,
                b.thickness,
                b.elongation,
                b.blob,
                b.brightness,
                b.ring,
                sh.solidity,
                sh.circularity,
                u8::from(s.matches[i].is_some())
            );
        }
    }
    Ok(())
}
