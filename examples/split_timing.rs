//! Times `split_touching` on a 1600x1200 mask of 70 discs of about 1100 px, 30 of them in
//! touching pairs. Run with `cargo run --release --example split_timing`.
use fluocount::imaging::{
    BitMask, Connectivity,
    label::label,
    watershed::{SplitOptions, split_touching},
};
use std::time::Instant;

fn main() {
    let (w, h) = (1600u32, 1200u32);
    let r = 18.7f64; // pi r² ≈ 1100 px
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    // 40 lone cells and 15 touching pairs (centres 30 px apart), kept apart from each other.
    let mut groups: Vec<Vec<(f64, f64)>> = Vec::new();
    while groups.len() < 55 {
        let (cx, cy) = (
            40.0 + rand() * f64::from(w - 80),
            40.0 + rand() * f64::from(h - 80),
        );
        if groups
            .iter()
            .flatten()
            .any(|&(x, y)| (x - cx).hypot(y - cy) < 4.0 * r + 30.0)
        {
            continue;
        }
        if groups.len() < 15 {
            let a = rand() * std::f64::consts::TAU;
            let (dx, dy) = (15.0 * a.cos(), 15.0 * a.sin());
            groups.push(vec![(cx - dx, cy - dy), (cx + dx, cy + dy)]);
        } else {
            groups.push(vec![(cx, cy)]);
        }
    }
    let mut mask = BitMask::new(w, h);
    for &(cx, cy) in groups.iter().flatten() {
        let (x0, x1) = ((cx - r).floor() as u32, (cx + r).ceil() as u32);
        let (y0, y1) = ((cy - r).floor() as u32, (cy + r).ceil() as u32);
        for y in y0..=y1 {
            for x in x0..=x1 {
                if (f64::from(x) - cx).hypot(f64::from(y) - cy) <= r {
                    mask.set(x, y, true);
                }
            }
        }
    }
    let opts = SplitOptions::default();
    let out = split_touching(&mask, &opts);
    println!(
        "{} px in {} objects; after splitting {} objects ({} px cut)",
        mask.count_ones(),
        label(&mask, Connectivity::Eight).count,
        label(&out, Connectivity::Eight).count,
        mask.count_ones() - out.count_ones()
    );
    let mut ms: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(split_touching(std::hint::black_box(&mask), &opts));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "split_touching: median {:.2} ms, min {:.2} ms, max {:.2} ms over {} runs",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1],
        ms.len()
    );
}
