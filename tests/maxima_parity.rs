//! Parity with ImageJ 1.53t on the fixtures of `tests/data/imagej_maxima.tsv` (made by
//! `tests/data/imagej_parity/MaximaParity.java`): `find_maxima` gives the points of
//! `MaximumFinder.getMaxima(ip, prominence, false)`, `find_distance_maxima` those of
//! `MaximumFinder.findMaxima(edm, prominence, NO_THRESHOLD, SINGLE_POINTS, false, true)`, and
//! `squared_distance_transform` is the square of `EDM.makeFloatEDM(mask, 0, true)`, whose values
//! are exactly the `f32` square roots of it (the generator checks that).

use fluocount::imaging::{
    BitMask,
    distance::{FloatPlane, squared_distance_transform},
    maxima::{Maximum, find_distance_maxima, find_maxima},
};

struct Case {
    name: String,
    kind: String,
    width: u32,
    height: u32,
    prominence: f32,
    values: Vec<f32>,
    maxima: Vec<(u32, u32)>,
    edm_maxima: Vec<(u32, u32)>,
}

fn points(field: &str) -> Vec<(u32, u32)> {
    field
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (x, y) = p.split_once(':').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let path = format!(
        "{}/tests/data/imagej_maxima.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                name: f[0].to_string(),
                kind: f[1].to_string(),
                width: f[2].parse().unwrap(),
                height: f[3].parse().unwrap(),
                prominence: f[4].parse().unwrap(),
                values: f[5].split(',').map(|v| v.parse().unwrap()).collect(),
                maxima: points(f[6]),
                edm_maxima: points(f[7]),
            }
        })
        .collect()
}

fn sorted(found: Vec<Maximum>) -> Vec<(u32, u32)> {
    let mut pts: Vec<(u32, u32)> = found.iter().map(|m| (m.x, m.y)).collect();
    pts.sort_by_key(|&(x, y)| (y, x));
    pts
}

#[test]
fn maxima_and_distance_map_match_imagej() {
    let cases = cases();
    assert!(cases.iter().filter(|c| c.kind == "float").count() >= 20);
    assert!(cases.iter().filter(|c| c.kind == "edm").count() >= 14);
    let mut mismatches = Vec::new();
    for c in &cases {
        let (w, h) = (c.width, c.height);
        let full = BitMask::from_bools(w, h, &vec![true; (w * h) as usize]);
        if c.kind == "float" {
            let surface = FloatPlane::from_vec(w, h, c.values.clone());
            let got = sorted(find_maxima(&surface, &full, c.prominence));
            if got != c.maxima {
                mismatches.push(format!("{}: ImageJ {:?} ours {got:?}", c.name, c.maxima));
            }
            continue;
        }
        let squares: Vec<u32> = c.values.iter().map(|&v| v as u32).collect();
        let edm = FloatPlane::from_vec(w, h, squares.iter().map(|&d| (d as f32).sqrt()).collect());
        let mask = BitMask::from_bools(w, h, &squares.iter().map(|&d| d > 0).collect::<Vec<_>>());
        if squared_distance_transform(&mask) != squares {
            mismatches.push(format!("{}: distance map differs", c.name));
        }
        let got = sorted(find_maxima(&edm, &full, c.prominence));
        if got != c.maxima {
            mismatches.push(format!("{}: ImageJ {:?} ours {got:?}", c.name, c.maxima));
        }
        let mut masks = vec![("EDM", &full)];
        // No flood from a maximum (>= 1) at a prominence < 1 reaches the background (0), so there
        // restricting the search to the mask must change nothing.
        if c.prominence < 1.0 {
            masks.push(("EDM masked", &mask));
        }
        for (label, m) in masks {
            let got = sorted(find_distance_maxima(&edm, m, c.prominence));
            if got != c.edm_maxima {
                mismatches.push(format!(
                    "{} {label}: ImageJ {:?} ours {got:?}",
                    c.name, c.edm_maxima
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
