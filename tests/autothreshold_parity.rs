//! Parity with ImageJ's `AutoThresholder`: every method on every fixture histogram gives the
//! level ImageJ 1.53t gives (`tests/data/imagej_thresholds.tsv`, made by
//! `tests/data/imagej_parity/Parity.java` from `tests/data/imagej_histograms.tsv`).

use std::collections::BTreeMap;

use fluocount::imaging::threshold::global::{AutoMethod, auto_level, plane_level};

mod common;
use common::{data, rows};

fn histograms() -> BTreeMap<String, Vec<u64>> {
    rows(&data("imagej_histograms.tsv"))
        .map(|f| {
            let mut hist = vec![0u64; f[1].parse().unwrap()];
            for pair in f[2].split(',').filter(|p| !p.is_empty()) {
                let (bin, count) = pair.split_once(':').unwrap();
                hist[bin.parse::<usize>().unwrap()] = count.parse().unwrap();
            }
            (f[0].to_string(), hist)
        })
        .collect()
}

#[test]
fn every_method_matches_imagej_on_every_fixture() {
    let hists = histograms();
    let expected = data("imagej_thresholds.tsv");
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for f in rows(&expected) {
        let hist = &hists[f[0]];
        let method: AutoMethod = f[1].parse().unwrap();
        // ImageJ throws on some degenerate histograms; we give 0 there.
        let want: u16 = if f[2] == "exception" {
            0
        } else {
            f[2].parse().unwrap()
        };
        let got = auto_level(method, hist);
        if got != want {
            mismatches.push(format!("{} {}: ImageJ {} ours {got}", f[0], f[1], f[2]));
        }
        checked += 1;
    }
    assert_eq!(checked, hists.len() * AutoMethod::ALL.len());
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn every_level_is_inside_the_histogram() {
    for (name, hist) in histograms() {
        for m in AutoMethod::ALL {
            assert!(
                (auto_level(m, &hist) as usize) < hist.len(),
                "{m} on {name}"
            );
        }
    }
}

/// The 16-bit images of `tests/data/imagej_parity/Parity16.java`, rebuilt from the same generator.
fn image16(case: u64) -> Vec<u16> {
    let mut s: u64 = 1000 + case;
    let mut next = |n: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 33) % n) as i64
    };
    let (w, h) = (64, 32);
    let (base, spread) = (next(5000), 1 + next(4000));
    let (fg, fg_spread) = (2000 + next(40000), 1 + next(9000));
    let split = 8 + next(40);
    (0..w * h)
        .map(|i| {
            let v = if i % w < split {
                base + next(spread as u64)
            } else {
                fg + next(fg_spread as u64)
            };
            v.min(65535) as u16
        })
        .collect()
}

#[test]
fn sixteen_bit_levels_match_imagej_set_auto_threshold() {
    let expected = data("imagej_thresholds16.tsv");
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for f in rows(&expected) {
        let px = image16(f[0].parse().unwrap());
        let mut hist = vec![0u64; 65536];
        for v in px {
            hist[v as usize] += 1;
        }
        let method: AutoMethod = f[1].parse().unwrap();
        // ImageJ's lower threshold is the first foreground value; ours is the last background one.
        let want: i64 = f[2].parse::<i64>().unwrap() - 1;
        let got = plane_level(method, &hist) as i64;
        if got != want {
            mismatches.push(format!("case {} {}: ImageJ {want} ours {got}", f[0], f[1]));
        }
        checked += 1;
    }
    assert_eq!(checked, 12 * 16);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
