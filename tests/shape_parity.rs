//! Parity with ImageJ's Analyze Particles: every object of every fixture mask has the area,
//! bounding box, centroid and shape descriptors ImageJ 1.53t gives
//! (`tests/data/imagej_shapes.tsv`, masks and results both written by
//! `tests/data/imagej_parity/Shapes.java`).

use std::collections::BTreeMap;

use fluocount::imaging::{
    BitMask, Connectivity, Plane,
    label::{label, measure},
    shape::shapes,
};

/// The fixture's columns after mask, connectivity and label.
const COLUMNS: [&str; 17] = [
    "Area", "X", "Y", "BX", "BY", "Width", "Height", "Perim.", "Circ.", "Major", "Minor", "Angle",
    "AR", "Round", "Solidity", "Feret", "MinFeret",
];

struct Fixture {
    masks: Vec<(String, BitMask)>,
    /// ImageJ's values of each column, by (mask, connectivity), one row per particle in order.
    results: BTreeMap<(String, String), Vec<Vec<f64>>>,
}

fn fixture() -> Fixture {
    let path = format!(
        "{}/tests/data/imagej_shapes.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut masks = Vec::new();
    let mut results: BTreeMap<_, Vec<Vec<f64>>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        if f[0] == "mask" {
            let (w, h): (u32, u32) = (f[2].parse().unwrap(), f[3].parse().unwrap());
            let mut m = BitMask::new(w, h);
            for (y, row) in f[4].split(',').enumerate() {
                for (i, c) in row.chars().enumerate() {
                    let d = c.to_digit(16).unwrap();
                    for k in 0..4 {
                        let x = i as u32 * 4 + k;
                        if d & (8 >> k) != 0 {
                            m.set(x, y as u32, true);
                        }
                    }
                }
            }
            masks.push((f[1].to_string(), m));
        } else {
            let rows = results
                .entry((f[0].to_string(), f[1].to_string()))
                .or_default();
            assert_eq!(f[2].parse::<usize>().unwrap(), rows.len() + 1, "{line}");
            rows.push(f[3..].iter().map(|v| v.parse().unwrap()).collect());
        }
    }
    Fixture { masks, results }
}

/// Relative difference, with an absolute floor of 1 so values near zero compare absolutely.
fn close(ours: f64, imagej: f64) -> bool {
    (ours.is_nan() && imagej.is_nan()) || (ours - imagej).abs() <= 1e-9 * imagej.abs().max(1.0)
}

#[test]
fn every_object_matches_imagej() {
    let fx = fixture();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (name, mask) in &fx.masks {
        for conn in [Connectivity::Eight, Connectivity::Four] {
            let want = &fx.results[&(name.clone(), conn.name().to_string())];
            let comps = label(mask, conn);
            assert_eq!(
                comps.count as usize,
                want.len(),
                "{name} {conn}: object count"
            );
            let zeros = vec![0u8; (mask.width() * mask.height()) as usize];
            let stats = measure(&comps, &Plane::from_u8(mask.width(), mask.height(), &zeros));
            let shapes = shapes(&comps, conn);
            for (i, w) in want.iter().enumerate() {
                let (o, s) = (&stats[i], &shapes[i]);
                let exact = [
                    o.area,
                    o.bx as u64,
                    o.by as u64,
                    o.width as u64,
                    o.height as u64,
                ];
                let exact_cols = [0, 3, 4, 5, 6];
                for (v, c) in exact.into_iter().zip(exact_cols) {
                    if v as f64 != w[c] {
                        mismatches.push(format!(
                            "{name} {conn} #{}: {} ours {v} ImageJ {}",
                            i + 1,
                            COLUMNS[c],
                            w[c]
                        ));
                    }
                }
                let ours = [
                    (1, o.x),
                    (2, o.y),
                    (7, s.perimeter),
                    (8, s.circularity),
                    (9, s.major),
                    (10, s.minor),
                    (11, s.angle),
                    (12, s.aspect_ratio),
                    (13, s.roundness),
                    (14, s.solidity),
                    (15, s.feret),
                    (16, s.min_feret),
                ];
                for (c, v) in ours {
                    if !close(v, w[c]) {
                        mismatches.push(format!(
                            "{name} {conn} #{}: {} ours {v} ImageJ {}",
                            i + 1,
                            COLUMNS[c],
                            w[c]
                        ));
                    }
                }
                checked += 1;
            }
        }
    }
    let rows: usize = fx.results.values().map(Vec::len).sum();
    assert_eq!(checked, rows, "every fixture row is checked");
    assert!(checked > 400, "only {checked} objects in the fixture");
    assert!(
        mismatches.is_empty(),
        "{} mismatches over {checked} objects:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
