//! Parity with ImageJ 1.53t display code: the built-in lookup tables of `ij.plugin.LutLoader`
//! (`tests/data/imagej_luts.tsv`) and the display range of Process>Enhance Contrast
//! (`ij.plugin.ContrastEnhancer`, `tests/data/imagej_contrast.tsv`), both made by
//! `tests/data/imagej_parity/DisplayParity.java`.

use fluocount::view::display::{Limits, Lut, auto_limits};

mod common;
use common::{data, rows};

#[test]
fn every_lut_matches_imagej() {
    let text = data("imagej_luts.tsv");
    let mut checked = 0;
    for f in rows(&text) {
        let lut = Lut::from_name(f[0]).unwrap_or_else(|| panic!("unknown LUT {}", f[0]));
        let i: usize = f[1].parse().unwrap();
        let want: [u8; 3] = std::array::from_fn(|c| f[2 + c].parse().unwrap());
        assert_eq!(lut.table()[i], want, "{} entry {i}", f[0]);
        checked += 1;
    }
    assert_eq!(checked, Lut::ALL.len() * 256);
}

#[test]
fn enhance_contrast_matches_imagej() {
    let text = data("imagej_contrast.tsv");
    let mut hist = Vec::new();
    let mut checked = 0;
    for f in rows(&text) {
        let bits: u32 = f[1].parse().unwrap();
        let saturated: f64 = f[2].parse().unwrap();
        if f[3] != "-" {
            hist = vec![0u64; 1 << bits];
            for pair in f[3].split(',') {
                let (v, n) = pair.split_once(':').unwrap();
                hist[v.parse::<usize>().unwrap()] = n.parse().unwrap();
            }
        }
        let (hmin, hmax): (u16, u16) = (f[4].parse().unwrap(), f[5].parse().unwrap());
        let want = Limits {
            min: f[6].parse::<f64>().unwrap() as u16,
            max: f[7].parse::<f64>().unwrap() as u16,
        };
        let got = auto_limits(&hist, saturated);
        if hmax > hmin || want.min < want.max {
            assert_eq!(got, want, "{} {saturated}%", f[0]);
        } else {
            // ImageJ keeps a flat 16-bit image's range min == max (shown black); we show it
            // over the whole depth instead.
            assert_eq!((f[0], got.min, got.max), (f[0], 0, u16::MAX), "{}", f[0]);
        }
        checked += 1;
    }
    assert_eq!(checked, 60);
}
