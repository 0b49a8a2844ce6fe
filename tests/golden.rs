//! Golden tests: the default pipeline on the real samples in `tests/data/fluocells` and on
//! synthetic images must give the pinned counts, levels and foreground areas in
//! `tests/data/golden.tsv`. Regenerate after an intended change with
//! `FLUOCOUNT_REGEN_GOLDEN=1 cargo test --test golden` and review the diff.

use fluocount::core::{
    Analysis, DecodeLimits, Image, Params, analyze, decode,
    synth::{SynthParams, generate},
};
use std::{collections::BTreeMap, path::Path};

const GOLDEN: &str = "tests/data/golden.tsv";

struct Case {
    name: String,
    params: Params,
    image: Image,
}

fn real(path: &str, query: &str) -> Case {
    let full = Path::new("tests/data/fluocells").join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    let image = decode(&bytes, &DecodeLimits::default()).expect("sample decodes");
    let (params, notices) = Params::from_query(query);
    assert!(notices.is_empty(), "{notices:?}");
    Case {
        name: path.to_string(),
        params,
        image,
    }
}

fn synthetic(p: SynthParams) -> Case {
    Case {
        name: format!(
            "synthetic seed={} cells={} touching={} noise={}",
            p.seed, p.cells, p.touching, p.noise
        ),
        params: Params::default(),
        image: generate(&p).image,
    }
}

fn cases() -> Vec<Case> {
    vec![
        real("yellow/images/Mar24bS1C2R3_LHl_200x.png", ""),
        real("yellow/images/Mar23bS1C2R3_VLPAGr_200x.png", ""),
        real("red/images/MAR31S1C1R2_DMHr_200x_r.png", "channel=red"),
        real("green/images/Mar19bS1C4R3_DMl_200x_g.png", "channel=green"),
        synthetic(SynthParams::default()),
        synthetic(SynthParams {
            seed: 7,
            cells: 25,
            touching: 0.0,
            ..SynthParams::default()
        }),
    ]
}

fn row(c: &Case, a: &Analysis) -> String {
    let area: u64 = a.objects.iter().map(|o| o.area).sum();
    format!(
        "{}\t{}\t{}\t{}\t{}",
        c.name,
        c.params.to_query(),
        a.count(),
        a.level,
        area
    )
}

#[test]
fn default_pipeline_matches_golden_values() {
    let rows: Vec<String> = cases()
        .iter()
        .map(|c| row(c, &analyze(&c.image, &c.params)))
        .collect();
    let header = "# name\tparams\tcount\tlevel\ttotal_area";
    if std::env::var_os("FLUOCOUNT_REGEN_GOLDEN").is_some() {
        let text = format!("{header}\n{}\n", rows.join("\n"));
        std::fs::write(GOLDEN, text).expect("write golden file");
        return;
    }
    let text = std::fs::read_to_string(GOLDEN)
        .expect("golden file (regenerate with FLUOCOUNT_REGEN_GOLDEN=1)");
    let expected: BTreeMap<&str, &str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect();
    for r in &rows {
        let (name, rest) = r.split_once('\t').expect("row has a name");
        assert_eq!(
            expected.get(name).copied(),
            Some(rest),
            "golden mismatch for {name} (got on the right)"
        );
    }
    assert_eq!(expected.len(), rows.len(), "golden file has extra rows");
}

#[test]
fn yellow_samples_count_their_true_cells() {
    // True counts from the masks (4-connected objects), see tests/data/fluocells/ATTRIBUTION.md.
    for (path, truth) in [
        ("yellow/images/Mar24bS1C2R3_LHl_200x.png", 6),
        ("yellow/images/Mar23bS1C2R3_VLPAGr_200x.png", 4),
    ] {
        let c = real(path, "");
        assert_eq!(analyze(&c.image, &c.params).count(), truth, "{path}");
    }
}

#[test]
fn separated_synthetic_cells_are_each_counted_once() {
    for seed in [3, 7, 11] {
        let p = SynthParams {
            seed,
            cells: 25,
            touching: 0.0,
            ..SynthParams::default()
        };
        let s = generate(&p);
        let a = analyze(&s.image, &Params::default());
        assert_eq!(a.count(), s.cells.len(), "seed {seed}");
        // Every detected object sits on a true cell.
        for o in &a.objects {
            let (x, y) = (o.x as usize, o.y as usize);
            assert_eq!(
                s.truth[y * p.width as usize + x],
                255,
                "seed {seed}: object at {x},{y}"
            );
        }
    }
}

#[test]
fn touching_pairs_merge_without_splitting() {
    // Without watershed splitting, each touching pair is one object: 40 cells, 6 pairs.
    let s = generate(&SynthParams::default());
    assert_eq!(analyze(&s.image, &Params::default()).count(), 34);
}
