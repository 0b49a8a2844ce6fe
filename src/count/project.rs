//! The project file: every image as it was dropped, its ground-truth mask, the parameters, each
//! image's display settings, calibration, regions and Cell Counter corrections, in one ZIP
//! archive, so work moves between machines.
//!
//! The archive (stored entries, written by [`crate::util::zip::write`]) holds
//!
//! | entry | what |
//! | --- | --- |
//! | `fluocount-project.txt` | the manifest (below), first |
//! | `images/K/NAME` | the K-th image's file (1-based), its original bytes |
//! | `masks/K/NAME` | the K-th image's ground-truth mask file, if it has one |
//!
//! The manifest is UTF-8 text, one item a line, each line a keyword, a space and its value:
//! `fluocount-project 1` (the format and its version), `params` (the parameters'
//! [`Params::to_query`] text), `preset` (`auto`, `custom` or a collection's name), then per image
//! `image NAME` followed by its `mask NAME`, `display TEXT` (the display settings' text form),
//! `calibration WIDTH HEIGHT UNIT`, `regions TEXT` ([`roi::to_text`]), and its corrections:
//! `type ID NAME`, `marker X Y TYPE` and `removal X Y` lines (the Cell Counter state, exactly:
//! removals are points, so they are kept as points rather than as a marker file's count).
//!
//! [`read`] checks everything before it returns: the archive within [`limits`], the version, safe
//! names (one path component: no `/`, `\`, `..` or control characters), every image and mask
//! the manifest names present and no entry it does not name, and every line parsed. Any fault is
//! an `Err` with a one-line reason naming the entry or line; nothing is returned half-read.

use super::{
    Params,
    cellcounter::{CorrectionState, Marker, MarkerType},
    roi::{self, Roi},
};
use crate::{
    imaging::calibration::{Calibration, Unit},
    util::zip::{self, Entry, Limits},
};
use std::{
    collections::{HashMap, HashSet},
    fmt::Write as _,
};

/// The format's version, the manifest's first line.
pub const VERSION: u32 = 1;
/// The manifest's entry name.
pub const MANIFEST: &str = "fluocount-project.txt";
/// The manifest's first word.
const MAGIC: &str = "fluocount-project";
/// The most images a project holds.
pub const MAX_IMAGES: usize = 1000;
/// The most bytes of the manifest.
const MAX_MANIFEST: usize = 16 << 20;
/// The longest name of an image or mask, in bytes.
const MAX_NAME: usize = 255;

/// The archive limits [`read`] applies: the manifest and an image and a mask per image, all
/// entries together at most 512 MiB unpacked (the largest file the page reads).
pub fn limits() -> Limits {
    Limits {
        max_entries: 1 + 2 * MAX_IMAGES,
        max_entry_bytes: 512 << 20,
        max_total_bytes: 512 << 20,
    }
}

/// A whole piece of work.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// The parameters.
    pub params: Params,
    /// Where they come from: `auto`, `custom` or a collection's name (the page's preset menu).
    pub preset: String,
    /// The images, in list order.
    pub images: Vec<ProjectImage>,
}

/// One image of a [`Project`].
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectImage {
    /// Its file name.
    pub name: String,
    /// The file's bytes, as dropped.
    pub bytes: Vec<u8>,
    /// Its ground-truth mask's file name and bytes.
    pub mask: Option<(String, Vec<u8>)>,
    /// Its display settings' text form, if it has its own.
    pub display: Option<String>,
    /// Its calibration, if calibrated.
    pub calibration: Option<Calibration>,
    /// Its regions.
    pub rois: Vec<Roi>,
    /// Its Cell Counter corrections.
    pub corrections: CorrectionState,
}

impl ProjectImage {
    /// An image with nothing but its file.
    pub fn new(name: &str, bytes: Vec<u8>) -> Self {
        ProjectImage {
            name: name.to_string(),
            bytes,
            mask: None,
            display: None,
            calibration: None,
            rois: Vec::new(),
            corrections: CorrectionState::default(),
        }
    }
}

/// Why a name is not one safe path component, or `None` when it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("an empty name")
    } else if name.len() > MAX_NAME {
        Some("a name longer than 255 bytes")
    } else if name == "." || name == ".." {
        Some("a name that is a folder reference")
    } else if name.contains(['/', '\\']) {
        Some("a name with a path separator")
    } else if name.chars().any(char::is_control) {
        Some("a name with control characters")
    } else {
        None
    }
}

/// Why a one-line value cannot be written, or `None`.
fn check_line(what: &str, value: &str) -> Result<(), String> {
    if value.contains(['\n', '\r']) {
        Err(format!("{what} holds a line break"))
    } else {
        Ok(())
    }
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Nm => "nm",
        Unit::Um => "um",
        Unit::Mm => "mm",
        Unit::Cm => "cm",
        Unit::M => "m",
        Unit::Inch => "inch",
    }
}

fn image_entry(k: usize, name: &str) -> String {
    format!("images/{k}/{name}")
}

fn mask_entry(k: usize, name: &str) -> String {
    format!("masks/{k}/{name}")
}

/// The manifest of `p` (see the module's documentation): its text, or why it cannot be written.
pub fn manifest(p: &Project) -> Result<String, String> {
    let mut m = format!("{MAGIC} {VERSION}\n");
    let _ = writeln!(m, "params {}", p.params.to_query());
    check_line("the preset", &p.preset)?;
    let _ = writeln!(m, "preset {}", p.preset);
    for im in &p.images {
        let named = |why: &str| format!("{}: {why}", im.name);
        if let Some(why) = unsafe_name(&im.name) {
            return Err(named(why));
        }
        let _ = writeln!(m, "image {}", im.name);
        if let Some((name, _)) = &im.mask {
            if let Some(why) = unsafe_name(name) {
                return Err(named(&format!("its mask has {why}")));
            }
            let _ = writeln!(m, "mask {name}");
        }
        if let Some(d) = &im.display {
            check_line("the display text", d).map_err(|e| named(&e))?;
            let _ = writeln!(m, "display {d}");
        }
        if let Some(c) = im.calibration {
            let _ = writeln!(
                m,
                "calibration {} {} {}",
                c.pixel_width,
                c.pixel_height,
                unit_name(c.unit)
            );
        }
        if !im.rois.is_empty() {
            let _ = writeln!(m, "regions {}", roi::to_text(&im.rois));
        }
        for t in &im.corrections.types {
            check_line("a marker type's name", &t.name).map_err(|e| named(&e))?;
            let _ = writeln!(m, "type {} {}", t.id, t.name);
        }
        for mk in &im.corrections.markers {
            let _ = writeln!(m, "marker {} {} {}", mk.x, mk.y, mk.type_id);
        }
        for (x, y) in &im.corrections.removals {
            let _ = writeln!(m, "removal {x} {y}");
        }
    }
    Ok(m)
}

/// Writes `p` as a project archive: the manifest first, then each image and its mask.
pub fn write(p: &Project) -> Result<Vec<u8>, String> {
    if p.images.len() > MAX_IMAGES {
        return Err(format!(
            "{} images, more than a project holds ({MAX_IMAGES})",
            p.images.len()
        ));
    }
    let mut entries = vec![Entry {
        name: MANIFEST.into(),
        data: manifest(p)?.into_bytes(),
    }];
    for (i, im) in p.images.iter().enumerate() {
        entries.push(Entry {
            name: image_entry(i + 1, &im.name),
            data: im.bytes.clone(),
        });
        if let Some((name, bytes)) = &im.mask {
            entries.push(Entry {
                name: mask_entry(i + 1, name),
                data: bytes.clone(),
            });
        }
    }
    zip::write(&entries)
}

/// An image while its lines are read: the project image, its types seen so far.
struct Building {
    image: ProjectImage,
    types: Vec<MarkerType>,
    keys: HashSet<&'static str>,
}

fn number<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<T, String> {
    s.and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{what} is not a number"))
}

/// Reads a project archive, checking all of it (see the module's documentation).
pub fn read(bytes: &[u8]) -> Result<Project, String> {
    if !zip::looks_like_zip(bytes) {
        return Err("not a project file (not a ZIP archive)".into());
    }
    let entries = zip::read(bytes, limits())?;
    // Each entry by name, taken out as the manifest names it; what is left is not the project's.
    let mut by_name: HashMap<String, Vec<u8>> = HashMap::with_capacity(entries.len());
    for e in entries {
        if by_name.contains_key(&e.name) {
            return Err(format!("entry {:?} appears twice", e.name));
        }
        by_name.insert(e.name, e.data);
    }
    let Some(data) = by_name.remove(MANIFEST) else {
        return Err(format!(
            "not a Fluocount project (no {MANIFEST} in the archive)"
        ));
    };
    let text = std::str::from_utf8(&data).map_err(|_| format!("{MANIFEST}: not UTF-8 text"))?;
    let project = parse(text, &mut |entry| by_name.remove(entry))?;
    if let Some(left) = by_name.keys().min() {
        return Err(format!("entry {left:?} is not named by {MANIFEST}"));
    }
    Ok(project)
}

/// Reads a manifest alone (for work kept in the browser, whose files are stored apart): the
/// project it describes, with every image's and mask's bytes empty. The same checks as [`read`]
/// but those of the archive.
pub fn read_manifest(text: &str) -> Result<Project, String> {
    parse(text, &mut |_| Some(Vec::new()))
}

/// Parses a manifest; `take` gives the bytes of an entry it names, or `None` if there is none.
fn parse(text: &str, take: &mut dyn FnMut(&str) -> Option<Vec<u8>>) -> Result<Project, String> {
    if text.len() > MAX_MANIFEST {
        return Err(format!("{MANIFEST}: larger than {MAX_MANIFEST} bytes"));
    }
    let mut lines = text.lines().enumerate();
    let first = lines.next().map(|(_, l)| l.trim_end()).unwrap_or("");
    match first.split_once(' ') {
        Some((MAGIC, v)) if v == VERSION.to_string() => {}
        Some((MAGIC, v)) => {
            return Err(format!(
                "{MANIFEST}: format version {v:?}, this Fluocount reads version {VERSION}"
            ));
        }
        _ => {
            return Err(format!(
                "{MANIFEST}: does not begin with \"{MAGIC} {VERSION}\""
            ));
        }
    }
    let mut params = None;
    let mut preset = None;
    let mut images: Vec<ProjectImage> = Vec::new();
    let mut cur: Option<Building> = None;
    let finish = |b: Building, images: &mut Vec<ProjectImage>| {
        let mut image = b.image;
        if !b.types.is_empty() {
            image.corrections.types = b.types;
        }
        let ids: HashSet<u32> = image.corrections.types.iter().map(|t| t.id).collect();
        if let Some(m) = image
            .corrections
            .markers
            .iter()
            .find(|m| !ids.contains(&m.type_id))
        {
            return Err(format!(
                "{MANIFEST}: image {:?}: a marker of type {}, which it does not define",
                image.name, m.type_id
            ));
        }
        images.push(image);
        Ok(())
    };
    for (n, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let at = |why: String| format!("{MANIFEST}, line {}: {why}", n + 1);
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        if key == "image" {
            if let Some(b) = cur.take() {
                finish(b, &mut images)?;
            }
            if images.len() >= MAX_IMAGES {
                return Err(at(format!("more than {MAX_IMAGES} images")));
            }
            if let Some(why) = unsafe_name(value) {
                return Err(at(format!("image {value:?}: {why}")));
            }
            let entry = image_entry(images.len() + 1, value);
            let data = take(&entry).ok_or_else(|| {
                at(format!(
                    "image {value:?}: no entry {entry:?} in the archive"
                ))
            })?;
            cur = Some(Building {
                image: ProjectImage::new(value, data),
                types: Vec::new(),
                keys: HashSet::new(),
            });
            continue;
        }
        if matches!(key, "params" | "preset") {
            if cur.is_some() {
                return Err(at(format!("{key} after the first image")));
            }
            let slot = if key == "params" {
                &mut params
            } else {
                &mut preset
            };
            if slot.replace(value.to_string()).is_some() {
                return Err(at(format!("a second {key} line")));
            }
            continue;
        }
        let Some(b) = cur.as_mut() else {
            return Err(at(format!("{key:?} before any image")));
        };
        let k = images.len() + 1;
        let mut words = value.split(' ');
        match key {
            "mask" | "display" | "calibration" | "regions" => {
                let key: &'static str = match key {
                    "mask" => "mask",
                    "display" => "display",
                    "calibration" => "calibration",
                    _ => "regions",
                };
                if !b.keys.insert(key) {
                    return Err(at(format!("a second {key} line for one image")));
                }
                match key {
                    "mask" => {
                        if let Some(why) = unsafe_name(value) {
                            return Err(at(format!("mask {value:?}: {why}")));
                        }
                        let entry = mask_entry(k, value);
                        let data = take(&entry).ok_or_else(|| {
                            at(format!("mask {value:?}: no entry {entry:?} in the archive"))
                        })?;
                        b.image.mask = Some((value.to_string(), data));
                    }
                    "display" => b.image.display = Some(value.to_string()),
                    "calibration" => {
                        let w = number(words.next(), "the pixel width").map_err(at)?;
                        let h = number(words.next(), "the pixel height").map_err(at)?;
                        let unit = words
                            .next()
                            .and_then(Unit::parse)
                            .ok_or_else(|| at("an unknown unit".into()))?;
                        let c = Calibration::new(w, h, unit)
                            .ok_or_else(|| at("a pixel size out of range".into()))?;
                        b.image.calibration = Some(c);
                    }
                    _ => b.image.rois = roi::from_text(value).map_err(at)?,
                }
            }
            "type" => {
                let id: u32 = number(words.next(), "the type id").map_err(at)?;
                let name = value.split_once(' ').map_or("", |(_, n)| n);
                if id == 0 || b.types.iter().any(|t| t.id >= id) {
                    return Err(at(format!("type {id} out of order")));
                }
                b.types.push(MarkerType {
                    id,
                    name: name.to_string(),
                });
            }
            "marker" => {
                let x = number(words.next(), "the marker's x").map_err(at)?;
                let y = number(words.next(), "the marker's y").map_err(at)?;
                let type_id = number(words.next(), "the marker's type").map_err(at)?;
                b.image.corrections.markers.push(Marker { x, y, type_id });
            }
            "removal" => {
                let x = number(words.next(), "the removal's x").map_err(at)?;
                let y = number(words.next(), "the removal's y").map_err(at)?;
                b.image.corrections.removals.push((x, y));
            }
            _ => return Err(at(format!("unknown keyword {key:?}"))),
        }
    }
    if let Some(b) = cur.take() {
        finish(b, &mut images)?;
    }
    let params_text = params.ok_or_else(|| format!("{MANIFEST}: no params line"))?;
    let (params, notices) = Params::from_query(&params_text);
    if let Some(n) = notices.first() {
        return Err(format!("{MANIFEST}: params: {}", n.message));
    }
    let preset = preset.ok_or_else(|| format!("{MANIFEST}: no preset line"))?;
    if preset.is_empty() || preset.len() > 64 || preset.chars().any(char::is_control) {
        return Err(format!(
            "{MANIFEST}: preset {preset:?} is not a preset's name"
        ));
    }
    Ok(Project {
        params,
        preset,
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Project {
        let mut a = ProjectImage::new("a b.png", vec![1, 2, 3, 4]);
        a.mask = Some(("a b_mask.png".into(), vec![9, 8]));
        a.display = Some("mode=composite;channels=110;limits=0-255,0-255,0-255;gamma=1".into());
        a.calibration = Calibration::new(0.65, 0.5, Unit::Um);
        a.rois = vec![
            Roi::rect("R 1", 1.0, 2.0, 3.5, 4.0),
            Roi::polygon("P;2", vec![(0.0, 0.0), (5.0, 0.0), (2.5, 4.0)]),
        ];
        a.corrections.markers.push(Marker {
            x: 3,
            y: 4,
            type_id: 2,
        });
        a.corrections.removals.push((7, 8));
        a.corrections.types[1].name = "Dim one".into();
        let b = ProjectImage::new("a b.png", vec![5; 100]);
        Project {
            params: Params {
                sigma: 2.5,
                ..Params::default()
            },
            preset: "custom".into(),
            images: vec![a, b],
        }
    }

    #[test]
    fn round_trip() {
        let p = sample();
        let bytes = write(&p).unwrap();
        assert_eq!(read(&bytes), Ok(p));
        let empty = Project {
            params: Params::default(),
            preset: "auto".into(),
            images: vec![],
        };
        assert_eq!(read(&write(&empty).unwrap()), Ok(empty));
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = write(&sample()).unwrap();
        for n in 0..bytes.len() {
            assert!(read(&bytes[..n]).is_err(), "cut at {n} was read");
        }
    }

    #[test]
    fn every_flipped_byte_is_refused_or_read_whole() {
        let bytes = write(&sample()).unwrap();
        for n in 0..bytes.len() {
            let mut b = bytes.clone();
            b[n] ^= 0x55;
            // Never a panic; a change that still reads gives a whole project.
            if let Ok(p) = read(&b) {
                assert!(p.images.len() <= 2);
            }
        }
    }

    fn with_manifest(text: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut entries = vec![Entry {
            name: MANIFEST.into(),
            data: text.as_bytes().to_vec(),
        }];
        for (n, d) in extra {
            entries.push(Entry {
                name: n.to_string(),
                data: d.to_vec(),
            });
        }
        zip::write(&entries).unwrap()
    }

    const HEAD: &str = "fluocount-project 1\nparams v=2\npreset auto\n";

    #[test]
    fn wrong_version_and_foreign_files() {
        let e = read(&with_manifest(
            "fluocount-project 2\nparams v=2\npreset auto\n",
            &[],
        ))
        .unwrap_err();
        assert!(e.contains("version \"2\""), "{e}");
        let e = read(&with_manifest("hello\n", &[])).unwrap_err();
        assert!(e.contains("does not begin"), "{e}");
        let roi_set = zip::write(&[Entry {
            name: "0001-0002.roi".into(),
            data: vec![0; 64],
        }])
        .unwrap();
        let e = read(&roi_set).unwrap_err();
        assert!(e.contains("not a Fluocount project"), "{e}");
        let e = read(b"\x89PNG\r\n\x1a\n").unwrap_err();
        assert!(e.contains("not a ZIP"), "{e}");
        assert!(read(&[]).is_err());
    }

    #[test]
    fn missing_and_unnamed_entries() {
        let e = read(&with_manifest(&format!("{HEAD}image a.png\n"), &[])).unwrap_err();
        assert!(e.contains("images/1/a.png"), "{e}");
        let m = format!("{HEAD}image a.png\nmask m.png\n");
        let e = read(&with_manifest(&m, &[("images/1/a.png", b"x")])).unwrap_err();
        assert!(e.contains("masks/1/m.png"), "{e}");
        let e = read(&with_manifest(
            &format!("{HEAD}image a.png\n"),
            &[("images/1/a.png", b"x"), ("images/2/b.png", b"y")],
        ))
        .unwrap_err();
        assert!(e.contains("\"images/2/b.png\" is not named"), "{e}");
        let ok = read(&with_manifest(
            &format!("{HEAD}image a.png\n"),
            &[("images/1/a.png", b"x")],
        ))
        .unwrap();
        assert_eq!(ok.images[0].bytes, b"x");
    }

    #[test]
    fn unsafe_names_are_refused() {
        for name in [
            "..",
            "../a.png",
            "/etc/passwd",
            "a\\b.png",
            "",
            "a\u{7}.png",
        ] {
            let m = format!("{HEAD}image {name}\n");
            let entry = format!("images/1/{name}");
            let e = read(&with_manifest(&m, &[(entry.as_str(), b"x")])).unwrap_err();
            assert!(e.contains("line 4"), "{name:?}: {e}");
        }
        let mut p = sample();
        p.images[0].name = "../x.png".into();
        assert!(write(&p).is_err());
    }

    #[test]
    fn bad_lines_are_refused_by_line() {
        let files: &[(&str, &[u8])] = &[("images/1/a.png", b"x")];
        for (line, says) in [
            ("marker 1 2 9", "type 9"),
            ("marker 1 x 1", "marker's y"),
            ("removal -1 2", "removal's x"),
            ("calibration 0 1 um", "out of range"),
            ("calibration 1 1 parsec", "unknown unit"),
            ("regions r:A:1,2", "region 1"),
            ("frobnicate 1", "unknown keyword"),
            ("type 0 Zero", "type 0"),
        ] {
            let m = format!("{HEAD}image a.png\n{line}\n");
            let e = read(&with_manifest(&m, files)).unwrap_err();
            assert!(e.contains("line 5") || e.contains("a.png"), "{line}: {e}");
            assert!(e.contains(says), "{line}: {e}");
        }
        let e = read(&with_manifest(
            "fluocount-project 1\nparams sigma=oops\npreset auto\n",
            &[],
        ))
        .unwrap_err();
        assert!(e.contains("params"), "{e}");
        let e = read(&with_manifest("fluocount-project 1\npreset auto\n", &[])).unwrap_err();
        assert!(e.contains("no params"), "{e}");
    }

    #[test]
    fn line_breaks_in_values_are_not_written() {
        let mut p = sample();
        p.images[0].corrections.types[0].name = "a\nimage evil".into();
        assert!(write(&p).is_err());
        let mut p = sample();
        p.preset = "auto\nimage x".into();
        assert!(write(&p).is_err());
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// An image with a safe name (any printable text without separators), a mask, regions,
    /// markers of its types and removals.
    fn image() -> impl Strategy<Value = ProjectImage> {
        (
            "[^/\\\\\\p{Cc}]{1,20}",
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::option::of((
                "[a-z _.]{1,12}",
                proptest::collection::vec(any::<u8>(), 0..20),
            )),
            proptest::collection::vec((0u32..5000, 0u32..5000, 1u32..3), 0..5),
            proptest::collection::vec((0u32..5000, 0u32..5000), 0..5),
            proptest::collection::vec((0i32..1000, 0i32..1000, 1i32..500, 1i32..500), 0..3),
            proptest::option::of(1u32..1000),
        )
            .prop_filter("no folder references", |(n, _, m, ..)| {
                unsafe_name(n).is_none() && m.as_ref().is_none_or(|(m, _)| unsafe_name(m).is_none())
            })
            .prop_map(|(name, bytes, mask, markers, removals, rects, size)| {
                let mut im = ProjectImage::new(&name, bytes);
                im.mask = mask;
                im.corrections.markers = markers
                    .into_iter()
                    .map(|(x, y, type_id)| Marker { x, y, type_id })
                    .collect();
                im.corrections.removals = removals;
                im.rois = rects
                    .into_iter()
                    .enumerate()
                    .map(|(i, (x, y, w, h))| {
                        let name = format!("R {i};:%");
                        Roi::rect(&name, x.into(), y.into(), w.into(), h.into())
                    })
                    .collect();
                im.calibration =
                    size.and_then(|s| Calibration::new(f64::from(s) / 100.0, 0.5, Unit::Um));
                im
            })
    }

    proptest! {
        #[test]
        fn projects_read_back(images in proptest::collection::vec(image(), 0..4), min_area in 0u64..500) {
            let p = Project {
                params: Params { min_area, ..Params::default() },
                preset: "custom".into(),
                images,
            };
            let bytes = write(&p).expect("writes");
            prop_assert_eq!(read(&bytes), Ok(p.clone()));
            // The manifest alone: the same project with every file's bytes empty.
            let mut bare = p.clone();
            for im in &mut bare.images {
                im.bytes.clear();
                if let Some((_, b)) = &mut im.mask {
                    b.clear();
                }
            }
            prop_assert_eq!(read_manifest(&manifest(&p).expect("a manifest")), Ok(bare));
        }

        #[test]
        fn manifest_garbage_never_panics(text in "(image |mask |type |marker |removal |params |preset |fluocount-project 1\n|[ -~]{0,12}|\n){0,30}") {
            let _ = read_manifest(&text);
            let _ = read_manifest(&format!("fluocount-project 1\n{text}"));
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read(&bytes);
            let mut z = b"PK\x03\x04".to_vec();
            z.extend_from_slice(&bytes);
            let _ = read(&z);
        }
    }
}
