//! Parity with ImageJ 1.53t: `find_maxima` gives `MaximumFinder.getMaxima(ip, prominence, false)`'s
//! points, and `distance_transform` gives `EDM.makeFloatEDM(mask, 0, true)` bit for bit, on the
//! fixtures of `tests/data/imagej_maxima.tsv` (made by `tests/data/imagej_parity/MaximaParity.java`).

use fluocount::core::{
    BitMask,
    distance::{FloatPlane, distance_transform},
    maxima::find_maxima,
};

struct Case {
    name: String,
    kind: String,
    surface: FloatPlane,
    prominence: f32,
    mask: Option<BitMask>,
    maxima: Vec<(u32, u32)>,
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
            let (w, h): (u32, u32) = (f[2].parse().unwrap(), f[3].parse().unwrap());
            let values = f[6].split(',').map(|v| v.parse().unwrap()).collect();
            let mask = (!f[5].is_empty()).then(|| {
                let bits: Vec<bool> = f[5].chars().map(|c| c == '1').collect();
                BitMask::from_bools(w, h, &bits)
            });
            let maxima = f[7]
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (x, y) = p.split_once(':').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            Case {
                name: f[0].to_string(),
                kind: f[1].to_string(),
                surface: FloatPlane::from_vec(w, h, values),
                prominence: f[4].parse().unwrap(),
                mask,
                maxima,
            }
        })
        .collect()
}

fn sorted_points(surface: &FloatPlane, mask: &BitMask, prominence: f32) -> Vec<(u32, u32)> {
    let mut pts: Vec<(u32, u32)> = find_maxima(surface, mask, prominence)
        .iter()
        .map(|m| (m.x, m.y))
        .collect();
    pts.sort_by_key(|&(x, y)| (y, x));
    pts
}

#[test]
fn maxima_and_distance_map_match_imagej() {
    let cases = cases();
    assert!(cases.iter().filter(|c| c.kind == "float").count() >= 20);
    assert!(cases.iter().filter(|c| c.kind == "edm").count() >= 8);
    let mut mismatches = Vec::new();
    for c in &cases {
        let (w, h) = (c.surface.width, c.surface.height);
        let full = BitMask::from_bools(w, h, &vec![true; (w * h) as usize]);
        let got = sorted_points(&c.surface, &full, c.prominence);
        if got != c.maxima {
            mismatches.push(format!("{}: ImageJ {:?} ours {:?}", c.name, c.maxima, got));
        }
        if let Some(mask) = &c.mask {
            if distance_transform(mask) != c.surface {
                mismatches.push(format!("{}: distance map differs", c.name));
            }
            // With prominence < 1, no flood from a maximum (>= 1) reaches the background (0), so
            // restricting the search to the mask changes nothing.
            let masked = sorted_points(&c.surface, mask, c.prominence);
            if c.prominence < 1.0 && masked != c.maxima {
                mismatches.push(format!(
                    "{} masked: ImageJ {:?} ours {masked:?}",
                    c.name, c.maxima
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
