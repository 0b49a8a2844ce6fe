//! Parity with ImageJ 1.53t's spatial calibration (`tests/data/imagej_calibration.tsv`, written
//! by `tests/data/imagej_parity/CalibrationParity.java`):
//!
//! - the calibration of 25 TIFF headers as ImageJ's `Opener` reads it, each header built here
//!   from the row's values as the Java builds it, except where we give no calibration on purpose
//!   (listed in [`DIFFERENT`], as the module documentation of `imaging::calibration` says);
//! - the fixture `tests/data/imagej_calibrated.tif` (saved by ImageJ's `FileSaver` at 0.65
//!   micron a pixel) reads as ImageJ reads it back, and the calibrated Area, X, Y, BX, BY,
//!   Width, Height and Perim. of its objects, through the objects table, are ImageJ's Analyze
//!   Particles results.

use fluocount::{
    count::{
        pipeline::Body,
        table::{OBJECTS, ObjectRow},
    },
    imaging::{
        Channel, Connectivity, DecodeLimits,
        calibration::{Source, Unit, calibration, read},
        channel::intensity,
        decode,
        label::{label, measure},
        shape::shapes,
        threshold::threshold,
    },
};

/// Cases where ImageJ calibrates from a header we take for none (or, for `cm_x_only`, where a
/// missing YResolution gives square pixels), with what we give: (width, height, unit).
/// A pixel's width and height in a unit.
type Size = (f64, f64, &'static str);

const DIFFERENT: [(&str, Option<Size>); 8] = [
    // A zero, 0/0 or missing resolution: ImageJ keeps 1 cm a pixel.
    ("cm_zero_over_zero", None),
    ("cm_zero_numerator", None),
    ("cm_no_resolution", None),
    // ResolutionUnit "none" or an ImageJ description without a unit: ImageJ's blank unit or
    // "pixel" with the resolution's size.
    ("unit_none", None),
    ("other_description", None),
    ("imagej_no_unit_line", None),
    // 2.3e-6 µm: below 10 pm.
    ("cm_huge", None),
    ("cm_x_only", Some((2.5, 2.5, "µm"))),
];

fn fixture() -> String {
    let path = format!(
        "{}/tests/data/imagej_calibration.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rows<'a>(text: &'a str, kind: &str) -> Vec<Vec<&'a str>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[0] == kind)
        .collect()
}

/// A 2x2 8-bit TIFF with these header values, laid out as `CalibrationParity.java` lays it out.
fn tiff(
    le: bool,
    xres: Option<(u32, u32)>,
    yres: Option<(u32, u32)>,
    unit: Option<u16>,
    description: Option<&str>,
) -> Vec<u8> {
    let desc = description.map(|d| [d.as_bytes(), &[0]].concat());
    let n = 8
        + usize::from(xres.is_some())
        + usize::from(yres.is_some())
        + usize::from(unit.is_some())
        + usize::from(desc.is_some());
    let x_at = 8 + 2 + n as u32 * 12 + 4;
    let desc_at = x_at + 16;
    let pix_at = desc_at + desc.as_ref().map_or(0, |d| d.len() as u32);
    let mut tags: Vec<(u16, u16, u32, u32)> = vec![
        (256, 3, 1, 2),
        (257, 3, 1, 2),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
    ];
    if let Some(d) = &desc {
        tags.push((270, 2, d.len() as u32, desc_at));
    }
    tags.extend([(273, 4, 1, pix_at), (277, 3, 1, 1), (279, 4, 1, 4)]);
    if xres.is_some() {
        tags.push((282, 5, 1, x_at));
    }
    if yres.is_some() {
        tags.push((283, 5, 1, x_at + 8));
    }
    if let Some(u) = unit {
        tags.push((296, 3, 1, u32::from(u)));
    }
    let u16b = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let u32b = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let mut out = if le { b"II".to_vec() } else { b"MM".to_vec() };
    out.extend(u16b(42));
    out.extend(u32b(8));
    out.extend(u16b(tags.len() as u16));
    for (tag, kind, count, value) in tags {
        out.extend(u16b(tag));
        out.extend(u16b(kind));
        out.extend(u32b(count));
        if kind == 3 && count == 1 {
            out.extend(u16b(value as u16));
            out.extend(u16b(0));
        } else {
            out.extend(u32b(value));
        }
    }
    out.extend(u32b(0));
    for (n, d) in [xres.unwrap_or((0, 0)), yres.unwrap_or((0, 0))] {
        out.extend(u32b(n));
        out.extend(u32b(d));
    }
    out.extend(desc.unwrap_or_default());
    out.extend([10, 20, 30, 40]);
    out
}

fn rational(f: &str) -> Option<(u32, u32)> {
    let (n, d) = f.split_once('/')?;
    Some((n.parse().ok()?, d.parse().ok()?))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

#[test]
fn tiff_headers_read_as_imagej_reads_them() {
    let text = fixture();
    let cases = rows(&text, "case");
    assert_eq!(cases.len(), 28);
    let mut same = 0;
    for f in &cases {
        let name = f[1];
        let description = (f[6] != "-").then(|| f[6].replace("\\n", "\n").replace("\\\\", "\\"));
        let bytes = tiff(
            f[2] == "II",
            rational(f[3]),
            rational(f[4]),
            f[5].parse().ok(),
            description.as_deref(),
        );
        let ours = calibration(&bytes).map(|c| (c.pixel_width, c.pixel_height, c.unit));
        let (w, h): (f64, f64) = (f[7].parse().unwrap(), f[8].parse().unwrap());
        let imagej = (f[10] == "true")
            .then(|| Unit::parse(f[9]).map(|u| (w, h, u)))
            .flatten();
        match DIFFERENT.iter().find(|d| d.0 == name) {
            Some((_, want)) => {
                let want = want.map(|(w, h, u)| (w, h, Unit::parse(u).unwrap()));
                assert_eq!(ours, want, "{name}");
                // ImageJ calibrates each of them (scaled()), and not as we do.
                assert_eq!(f[10], "true", "{name}");
                let imagej_raw = (w, h, Unit::parse(f[9]).map_or(f[9], |u| u.symbol()));
                assert_ne!(
                    ours.map(|(a, b, u)| (a, b, u.symbol())),
                    Some(imagej_raw),
                    "{name}: listed as different but the same"
                );
            }
            None => {
                match (ours, imagej) {
                    (Some((a, b, u)), Some((c, d, v))) => {
                        assert!(
                            close(a, c) && close(b, d) && u == v,
                            "{name}: {ours:?} {imagej:?}"
                        )
                    }
                    (None, None) => {}
                    _ => panic!("{name}: ours {ours:?}, ImageJ's {imagej:?}"),
                }
                same += 1;
            }
        }
    }
    assert_eq!(same, cases.len() - DIFFERENT.len());
}

#[test]
fn the_calibrated_fixture_measures_as_imagej_measures_it() {
    let text = fixture();
    let cal_row = &rows(&text, "calibration")[0];
    let path = format!("{}/tests/data/{}", env!("CARGO_MANIFEST_DIR"), cal_row[1]);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (c, source) = read(&bytes).expect("the fixture is calibrated");
    assert_eq!(source, Source::ImageJ);
    assert_eq!(c.unit, Unit::Um);
    assert!((c.pixel_width - 0.65).abs() < 1e-6);
    assert!(close(c.pixel_width, cal_row[2].parse().unwrap()));
    assert!(close(c.pixel_height, cal_row[3].parse().unwrap()));
    assert_eq!(Unit::parse(cal_row[4]), Some(c.unit));

    let image = decode(&bytes, &DecodeLimits::default()).expect("decodes");
    let plane = intensity(&image, Channel::Max);
    let comps = label(&threshold(&plane, 127), Connectivity::Eight);
    let stats = measure(&comps, &plane);
    let shapes = shapes(&comps, Connectivity::Eight);
    let objects = rows(&text, "object");
    assert_eq!(stats.len(), objects.len());
    assert_eq!(objects.len(), 14);
    let names = ["Area", "X", "Y", "BX", "BY", "Width", "Height", "Perim."];
    for ((s, shape), want) in stats.iter().zip(&shapes).zip(&objects) {
        let row = ObjectRow {
            stats: s.clone(),
            shape: *shape,
            contrast: f64::NAN,
            body: Body {
                thickness: 0.0,
                elongation: 0.0,
                blob: 0.0,
                brightness: 0.0,
                ring: 0.0,
            },
            score: f32::NAN,
            calibration: Some(c),
        };
        for (k, name) in names.iter().enumerate() {
            let column = OBJECTS.iter().find(|c| c.header == *name).unwrap();
            let ours = column.value_in(&row);
            let imagej: f64 = want[2 + k].parse().unwrap();
            assert!(
                (ours - imagej).abs() <= 1e-9 * imagej.abs().max(1.0),
                "object {} {name}: ours {ours}, ImageJ's {imagej}",
                want[1]
            );
        }
        // Areas are pixels times the pixel's area.
        assert!(close(
            column_value(&row, "Area"),
            s.area as f64 * c.pixel_width * c.pixel_height
        ));
    }
}

fn column_value(row: &ObjectRow, header: &str) -> f64 {
    OBJECTS
        .iter()
        .find(|c| c.header == header)
        .map_or(f64::NAN, |c| c.value_in(row))
}
