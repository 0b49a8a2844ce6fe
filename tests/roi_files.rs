//! ImageJ's `.roi` and RoiSet `.zip` files, both ways, against ImageJ 1.53t itself
//! (tests/data/imagej_parity/RoiFiles.java):
//! - the files ImageJ's `RoiEncoder` wrote (tests/data/imagej_rois/imagej/) read here as ImageJ's
//!   `RoiDecoder` reads them (imagej.tsv): names, shapes, coordinates and masks;
//! - the files written here (tests/data/imagej_rois/ours/, regenerate with
//!   `FLUOCOUNT_REGEN_ROI=1 cargo test --test roi_files`, then run RoiFiles.java `read`) are still
//!   written byte for byte, and ImageJ read them (ours.tsv) as the shapes, names and masks we mean;
//! - for the shapes both write alike, our bytes equal ImageJ's.

use fluocount::{
    count::{
        roi::{Roi, RoiShape},
        roi_file::{read_roi, read_roi_set, read_rois, write_roi, write_roi_set},
    },
    util::zip,
};
use std::path::{Path, PathBuf};

const W: u32 = 64;
const H: u32 = 48;

fn dir(which: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/imagej_rois")
        .join(which)
}

/// A row of RoiFiles.java's table.
struct Row {
    source: String,
    name: String,
    kind: String,
    bounds: Vec<f64>,
    polygon: Vec<(f64, f64)>,
    mask: Option<String>,
}

/// ImageJ's numbers are Java floats printed shortest: read as f32, so they compare exactly.
fn float(s: &str) -> f64 {
    s.parse::<f32>().expect("a number") as f64
}

fn table(which: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(dir("").join(format!("{which}.tsv"))).expect("fixture");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "{l}");
            Row {
                source: f[0].into(),
                name: f[1].into(),
                kind: f[2].into(),
                bounds: f[3].split(',').map(float).collect(),
                polygon: f[4]
                    .split(' ')
                    .map(|p| {
                        let (x, y) = p.split_once(',').expect("x,y");
                        (float(x), float(y))
                    })
                    .collect(),
                mask: (f[6] != "-").then(|| format!("{}\t{}", f[5], f[6])),
            }
        })
        .collect()
}

/// The mask on the W x H image as RoiFiles.java prints it: the area, then runs `y:x0-x1`.
fn mask_runs(roi: &Roi) -> String {
    let m = roi.mask(W, H);
    let mut runs = Vec::new();
    let mut area = 0;
    for y in 0..H {
        let mut start = None;
        for x in 0..=W {
            let c = x < W && m.get(x, y);
            area += u32::from(c);
            match (c, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    runs.push(format!("{y}:{s}-{x}"));
                    start = None;
                }
                _ => {}
            }
        }
    }
    format!("{area}\t{}", runs.join(" "))
}

/// The same closed outline: equal up to the starting vertex.
fn same_cycle(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    a.len() == b.len()
        && (a.is_empty()
            || (0..a.len()).any(|k| (0..a.len()).all(|i| a[(i + k) % a.len()] == b[i])))
}

/// Reads a `source` of the table: a file, or `ZIP!ENTRY`.
fn bytes_of(which: &str, source: &str) -> (Vec<u8>, String) {
    match source.split_once('!') {
        Some((zip_file, entry)) => {
            let bytes = std::fs::read(dir(which).join(zip_file)).expect("zip fixture");
            let e = zip::read(&bytes, zip::Limits::default())
                .expect("zip reads")
                .into_iter()
                .find(|e| e.name == entry)
                .expect("entry");
            (e.data, entry.to_string())
        }
        None => (
            std::fs::read(dir(which).join(source)).expect("fixture"),
            source.to_string(),
        ),
    }
}

#[test]
fn imagej_files_read_as_imagej_reads_them() {
    let rows = table("imagej");
    assert!(rows.len() >= 20, "fixture too small");
    let mut checked = 0;
    for r in &rows {
        let (bytes, file) = bytes_of("imagej", &r.source);
        let got = read_roi(&bytes, &file);
        let why = format!("{}: {got:?}", r.source);
        if r.mask.is_none() {
            // Not an area: refused, naming the region and its type.
            let e = got.expect_err(&why);
            let t = if r.kind == "Point" {
                "point"
            } else {
                "straight line"
            };
            assert!(e.contains(&format!("{:?}", r.name)) && e.contains(t), "{e}");
            continue;
        }
        let roi = got.expect(&why);
        assert_eq!(roi.name, r.name, "{why}");
        match (&roi.shape, r.kind.as_str()) {
            (RoiShape::Rect { x, y, w, h }, "Rectangle") => {
                // A sub-pixel rectangle is read as the pixel bounds ImageJ measures.
                let b = &r.bounds;
                let want = [b[0].trunc(), b[1].trunc(), b[2].ceil(), b[3].ceil()];
                assert_eq!([*x, *y, *w, *h], want, "{why}");
            }
            (RoiShape::Polygon(v), "Oval") => {
                assert!(same_cycle(v, &r.polygon), "{why}\n{:?}", r.polygon);
            }
            (RoiShape::Polygon(v), "Polygon" | "Freehand" | "Traced") => {
                assert_eq!(v, &r.polygon, "{why}");
            }
            _ => panic!("{why}: ImageJ reads a {}", r.kind),
        }
        let ours = mask_runs(&roi);
        let theirs = r.mask.as_deref().unwrap_or_default();
        if r.name == "rounded" {
            // Rounded corners are read as the plain rectangle: ImageJ's mask is ours less the
            // corners.
            assert_eq!(ours.split('\t').next(), Some("216"), "{ours}");
            assert_eq!(theirs.split('\t').next(), Some("212"), "{theirs}");
        } else {
            assert_eq!(ours, theirs, "mask of {}", r.source);
        }
        checked += 1;
    }
    assert_eq!(checked, 18);
    // The whole RoiSet in order, as the ROI Manager lists it.
    let set = std::fs::read(dir("imagej").join("RoiSet.zip")).expect("RoiSet");
    let names: Vec<String> = read_rois(&set, "RoiSet.zip")
        .expect("RoiSet reads")
        .into_iter()
        .map(|r| r.name)
        .collect();
    let want: Vec<&str> = rows
        .iter()
        .filter(|r| r.source.starts_with("RoiSet.zip!"))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, want);
}

/// The regions written by this side, in the order of its RoiSet.
fn ours() -> Vec<(&'static str, Roi)> {
    vec![
        ("rect", Roi::rect("rect", 10.0, 12.0, 30.0, 20.0)),
        (
            "fractional-rect",
            Roi::rect("fractional rect", 2.25, 3.75, 10.5, 7.3),
        ),
        (
            "polygon",
            Roi::polygon(
                "polygon",
                vec![(5.0, 5.0), (30.0, 8.0), (22.0, 30.0), (8.0, 25.0)],
            ),
        ),
        (
            "float-polygon",
            Roi::polygon(
                "float polygon",
                vec![(1.3, 0.6), (39.7, 2.2), (26.2, 28.9), (2.5, 17.1)],
            ),
        ),
        (
            "negative",
            Roi::polygon("negative", vec![(-3.5, -2.0), (20.0, 4.25), (6.0, 15.0)]),
        ),
        (
            "wide",
            Roi::polygon("wide", vec![(-10.0, -10.0), (70000.0, 20.0), (30.0, 47.0)]),
        ),
        (
            "unicode",
            Roi::polygon(
                "Кора – région ü 日本",
                vec![(3.0, 30.0), (15.0, 28.0), (12.0, 44.0)],
            ),
        ),
        ("slash", Roi::rect("a/b: c", 50.0, 2.0, 10.0, 6.0)),
        ("dup-1", Roi::rect("dup", 1.0, 40.0, 5.0, 5.0)),
        ("dup-2", Roi::rect("dup", 7.0, 40.0, 5.0, 5.0)),
    ]
}

#[test]
fn our_files_are_written_alike_and_imagej_reads_what_we_mean() {
    let regions = ours();
    let rois: Vec<Roi> = regions.iter().map(|(_, r)| r.clone()).collect();
    let set = write_roi_set(&rois).expect("writes");
    let d = dir("ours");
    if std::env::var_os("FLUOCOUNT_REGEN_ROI").is_some() {
        std::fs::create_dir_all(&d).expect("folder");
        for (file, r) in &regions {
            std::fs::write(d.join(format!("{file}.roi")), write_roi(r).expect("writes"))
                .expect("write");
        }
        std::fs::write(d.join("RoiSet.zip"), &set).expect("write");
    }
    for (file, r) in &regions {
        let committed = std::fs::read(d.join(format!("{file}.roi"))).expect("fixture");
        assert_eq!(
            write_roi(r).expect("writes"),
            committed,
            "{file}.roi changed"
        );
    }
    assert_eq!(
        set,
        std::fs::read(d.join("RoiSet.zip")).expect("fixture"),
        "RoiSet.zip changed"
    );
    let entries: Vec<String> = zip::read(&set, zip::Limits::default())
        .expect("reads")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(entries[7..], ["a_b_ c.roi", "dup.roi", "dup-2.roi"]);

    let rows = table("ours");
    assert_eq!(rows.len(), 2 * regions.len());
    for r in &rows {
        let (file, zipped) = match r.source.split_once('!') {
            Some((_, entry)) => (entry, true),
            None => (r.source.as_str(), false),
        };
        let (_, meant) = if zipped {
            &regions[entries.iter().position(|e| e == file).expect("entry")]
        } else {
            regions
                .iter()
                .find(|(f, _)| format!("{f}.roi") == file)
                .expect("file")
        };
        assert_eq!(r.name, meant.name, "{}", r.source);
        let f32s = |v: &[(f64, f64)]| -> Vec<(f64, f64)> {
            v.iter()
                .map(|&(x, y)| (x as f32 as f64, y as f32 as f64))
                .collect()
        };
        match &meant.shape {
            RoiShape::Rect { x, y, w, h } => {
                assert_eq!(r.kind, "Rectangle");
                let b: Vec<f64> = [x, y, w, h].iter().map(|v| **v as f32 as f64).collect();
                assert_eq!(r.bounds, b, "{}", r.source);
            }
            RoiShape::Polygon(v) => {
                assert_eq!(r.kind, "Polygon");
                assert_eq!(r.polygon, f32s(v), "{}", r.source);
            }
        }
        // ImageJ's mask equals ours of the region as read back (a fractional rectangle is
        // measured by ImageJ, and read here, as its pixel bounds), and of the region itself
        // for everything else.
        let (bytes, name) = bytes_of("ours", &r.source);
        let back = read_roi(&bytes, &name).expect("reads back");
        assert_eq!(Some(mask_runs(&back)), r.mask, "{}", r.source);
        if r.name != "fractional rect" {
            assert_eq!(Some(mask_runs(meant)), r.mask, "{}", r.source);
        }
    }
    // And the set reads back whole.
    assert_eq!(read_roi_set(&set).expect("reads").len(), regions.len());
}

#[test]
fn our_bytes_equal_imagejs_for_the_same_shapes() {
    // ImageJ wrote these (RoiFiles.java) with the same coordinates and names; freehand, traced
    // and oval are types this side never writes.
    let pairs = [
        ("rect", Roi::rect("rect", 10.0, 12.0, 30.0, 20.0)),
        (
            "subpixel-rect",
            Roi::rect("sub-pixel rect", 2.25, 3.75, 10.5, 7.3),
        ),
        (
            "polygon",
            Roi::polygon(
                "polygon",
                vec![(5.0, 5.0), (30.0, 8.0), (22.0, 30.0), (8.0, 25.0)],
            ),
        ),
        (
            "float-polygon",
            Roi::polygon(
                "float polygon",
                vec![(1.3, 0.6), (39.7, 2.2), (26.2, 28.9), (2.5, 17.1)],
            ),
        ),
        (
            "unicode",
            Roi::polygon(
                "Кора – région ü 日本",
                vec![(3.0, 30.0), (15.0, 28.0), (12.0, 44.0)],
            ),
        ),
    ];
    for (file, roi) in pairs {
        let imagej = std::fs::read(dir("imagej").join(format!("{file}.roi"))).expect("fixture");
        assert_eq!(write_roi(&roi).expect("writes"), imagej, "{file}.roi");
    }
}
