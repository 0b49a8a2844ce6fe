//! The native `fluocount` command line, on the same core as the app.
//!
//! Every command spreads its images over all cores. A file that cannot be read is reported on
//! stderr with its name and the reason, and the others go on; the exit status is then 1.

mod count;
mod eval;
mod learn;
mod samples;
mod synth;

use crate::{
    count::{Params, presets::Collection, scoring::truth_mask},
    imaging::{
        BitMask, Channel, DecodeLimits, Image,
        calibration::{Calibration, calibration},
        channel::intensity,
        decode,
    },
};
use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
};

const USAGE: &str = "\
fluocount: count fluorescent cells in microscopy images

usage:
  fluocount count [--preset NAME | --params FILE] [--out DIR] IMAGE...
      Prints one CSV row per image (file, width, height, collection, count, level, ms),
      each as soon as it and the ones before it are counted. `--` ends the options.
      With --out, also writes DIR/<stem>_labels.png (16-bit label image: 0 background, 1..n
      objects; _labels-2.png, ... when inputs share a stem; never over an input), DIR/objects.csv (one row per object, ImageJ's column names) and
      DIR/summary.csv (one row per image, the parameters as a header block).
      With --model MODEL [--cutoff C]: counts with a trained object classifier.
      Calibration: each image's pixel size is read from its file (TIFF resolution tags,
      ImageJ's TIFF description, PNG pHYs); --pixel-size S [--unit U] sets S U a pixel for
      every image instead (U: nm, um, mm, cm, m, inch; default um). Calibrated areas,
      lengths and densities are in that unit, named in the CSV headers (Area (µm²)), and
      summary.csv gives each image's pixel size and unit.
      A multi-page TIFF is counted from page 1 (a note on stderr names it); --page N counts
      page N of each one instead (1-based, as ImageJ's slices; a TIFF with fewer pages is an
      error naming it).
      NAME is yellow, red, green or auto (the default: chosen per image from its colour).
  fluocount eval [--preset NAME | --params FILE] [--distance PX] --images DIR --masks DIR
      Scores the counts against ground-truth masks by the reference protocol (Morelli et
      al. 2021): per image and pooled TP, FP, FN, precision, recall, F1, MAE, MedAE, MPE.
      Masks pair with images by file stem (a _mask suffix is allowed).
  fluocount tune [--preset NAME | --params FILE] [--distance PX] [--out FILE]
                 --images DIR --masks DIR
      Searches the parameters that maximise pooled F1 on the images; prints the search
      space, the progress and the best parameters, and writes them to FILE
      (default tuned-params.txt).
  fluocount synth [--seed N] [--cells N] [--touching F] [--noise F] [--width W] [--height H]
                  [--debris N] [--faint N] [--gray16] --out IMAGE.png [--truth MASK.png]
      Writes a synthetic image (and its true mask); prints the number of cells.
      --gray16 writes the stained channel ((R+G)/2, or red with --red) as 16-bit grey,
      scaled by 257.
      With --count N --out-dir DIR instead of --out: N images with seeds SEED..SEED+N-1 as
      DIR/images/synth-SEED.png and their masks as DIR/masks/synth-SEED.png (hard-SEED.png
      with --hard); prints the total number of cells.
  fluocount synth --suite --out-dir DIR
      The hard suite the presets were chosen with and the built-in model is trained on: 9
      images, 348 cells (--hard seeds 1-4; --hard --rat --red seeds 100-102; --hard --jpeg 75
      seeds 200-201), in the --count layout.
  fluocount synth --hard [--rat] [--red] [--jpeg Q] [--neurites N] [the flags above]
      The hard suite: cells on a dark textured background with branching neurites, a
      bright tissue edge, a saturated blob, a black hole with a bright rim, faint blobs
      and debris; the mask still marks only the cell bodies. Mouse scale by default
      (1600x1200, 40 cells about 36 px across, 14 neurite trees); --rat: 2272x1704, 36
      cells about 57 px across. Yellow (R and G) unless --red (red channel only).
      --jpeg Q (1-100) passes the image through JPEG at quality Q (saved as PNG).
      Limits (both generators; the easy one's sides may be 1-20000): width and height
      32-20000 and at most 40 million pixels, cells <= 2000, touching 0-1, noise 0-40,
      neurites <= 1000, faint and debris <= 20000, --count 1-10000.
  fluocount train [--preset NAME | --params FILE] [--name NAME] [--trees N] [--seed N]
                  [--seeds K] [--dump DIR] --images DIR --masks DIR --out MODEL
      Trains the object classifier on the candidates of every image with a mask (a
      candidate the reference matching pairs with a true cell is a cell) and writes the
      model file. First prints the leave-one-image-out figures: each image scored by a
      model trained on the others. The candidates are each image's collection preset with
      its cell-body filters off (auto), a preset's, or FILE's parameters as they are.
      --dump DIR writes each image's labelled candidates as DIR/<stem>.csv (cell, features).
      --seeds K (1-100) runs the leave-one-image-out figures again with K seeds (the
      forest's seed and the K-1 after it): each run's pooled figures, their median and range.
  fluocount count --model MODEL [--cutoff C] ...   fluocount eval --model MODEL [--cutoff C] ...
      Count (or score) with a trained model: candidates, scored 0-1, counted at the
      model's cut-off or C.
  fluocount eval --cv --learn [--preset NAME | --params FILE] [--seeds K]
                 [--train-images DIR --train-masks DIR] --images DIR --masks DIR
      Leave one image out, training the classifier inside each fold (and on the
      training-only images, never held out); --seeds K as for train.
  fluocount params [--preset NAME]
      Prints the default (or a preset's) parameters in their text form.

Files: only regular files of at most 512 MB are read (parameter files 1 MB, models 16 MB);
a pipe or a device is refused by name. A label image that cannot be written is reported
with the image's name and its own; the image's count is still printed and tabled.

Exit status: 0 success, 1 some input could not be read (the rest was processed),
2 usage error.
";

/// Where the parameters of a command come from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Choice {
    /// Each image's collection is detected from its colour.
    Auto,
    /// A collection's preset.
    Preset(Collection),
    /// A parameter file.
    File(Params),
}

impl Choice {
    /// The parameters for one image, and the collection name used (or `params`).
    pub(crate) fn for_image(&self, image: &Image) -> (Params, String) {
        match self {
            Choice::Auto => {
                let c = Collection::of_image(image);
                (c.preset(), c.name().to_string())
            }
            Choice::Preset(c) => (c.preset(), c.name().to_string()),
            Choice::File(p) => (p.clone(), "params".to_string()),
        }
    }

    /// The text for a header: the parameters, or how they are chosen.
    pub(crate) fn describe(&self) -> String {
        match self {
            Choice::Auto => format!(
                "preset auto: {}",
                Collection::ALL
                    .iter()
                    .map(|c| format!("{c}: {}", c.preset().to_query()))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Choice::Preset(c) => format!("preset {c}: {}", c.preset().to_query()),
            Choice::File(p) => p.to_query(),
        }
    }
}

/// Reads `--preset NAME` or `--params FILE` at `args[*i]`; `Ok(None)` for another flag.
pub(crate) fn choice_flag(args: &[String], i: &mut usize) -> Result<Option<Choice>, String> {
    Ok(Some(match args[*i].as_str() {
        "--preset" => {
            let name: String = value(args, i, "--preset")?;
            if name.eq_ignore_ascii_case("auto") {
                Choice::Auto
            } else {
                Choice::Preset(name.parse().map_err(|()| {
                    format!("--preset: “{name}” is not yellow, red, green or auto")
                })?)
            }
        }
        "--params" => Choice::File(load_params(Path::new(&value::<String>(
            args, i, "--params",
        )?))?),
        _ => return Ok(None),
    }))
}

pub(crate) fn value<T: std::str::FromStr>(
    args: &[String],
    i: &mut usize,
    flag: &str,
) -> Result<T, String> {
    *i += 1;
    let v = args
        .get(*i)
        .ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse()
        .map_err(|_| format!("{flag}: “{v}” is not a valid value"))
}

/// The bytes of a file, refusing one larger than `limit` (a device such as `/dev/zero` is read
/// only up to the limit).
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    // A FIFO or a device would block or never end: only regular files are read.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(if meta.is_dir() {
            "a folder, not a file".into()
        } else {
            "not a regular file (a pipe, a socket or a device)".into()
        });
    }
    if meta.len() > limit {
        return Err(format!("larger than {} MB", limit >> 20));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {} MB", limit >> 20));
    }
    Ok(bytes)
}

pub(crate) fn load_params(path: &Path) -> Result<Params, String> {
    let err = |e: String| format!("{}: cannot read parameters: {e}", path.display());
    let bytes = read_limited(path, 1 << 20).map_err(err)?;
    let text = String::from_utf8(bytes).map_err(|_| err("not UTF-8 text".into()))?;
    let (params, notices) = Params::from_query(&text);
    for n in notices {
        eprintln!("{}: {}", path.display(), n.message);
    }
    Ok(params)
}

/// Reads and decodes an image; the error names the file. What the file holds beyond what is
/// counted (the later pages of a multi-page TIFF) is said on stderr, by name.
pub(crate) fn load_image(path: &Path) -> Result<Image, String> {
    load_calibrated(path).map(|(image, _)| image)
}

/// Reads and decodes an image with the calibration its header carries
/// ([`crate::imaging::calibration::read`]).
pub(crate) fn load_calibrated(path: &Path) -> Result<(Image, Option<Calibration>), String> {
    load_page(path, None)
}

/// [`load_calibrated`] of page `page` (1-based) of a multi-page TIFF; `None` reads page 1 and
/// notes on stderr that the others were not read.
pub(crate) fn load_page(
    path: &Path,
    page: Option<u32>,
) -> Result<(Image, Option<Calibration>), String> {
    let named = |e: String| format!("{}: {e}", path.display());
    let bytes = read_limited(path, crate::protocol::batch::MAX_FILE_BYTES).map_err(named)?;
    // Page 1 of any image is the image itself; another page needs a TIFF that has it.
    let bytes = match page {
        Some(p) if p > 1 => crate::imaging::decode::tiff_page(&bytes, p).map_err(named)?,
        _ => bytes,
    };
    let image = decode(&bytes, &DecodeLimits::default()).map_err(|e| named(e.to_string()))?;
    match page {
        None => {
            for note in crate::imaging::decode::notes(&bytes) {
                eprintln!("{}: {note}", path.display());
            }
        }
        Some(p) => {
            // The chosen page is first in `bytes` now; the pages after it follow.
            let total = p - 1 + crate::imaging::decode::tiff_pages(&bytes).unwrap_or(1);
            if total > 1 {
                eprintln!("{}: page {p} of {total} is counted", path.display());
            }
        }
    }
    Ok((image, calibration(&bytes)))
}

/// Reads a ground-truth mask (any value > 0 in any channel is cell).
pub(crate) fn load_mask(path: &Path) -> Result<BitMask, String> {
    let image = load_image(path)?;
    Ok(truth_mask(&intensity(&image, Channel::Max)))
}

/// The image files of a directory (by extension), sorted by name.
pub(crate) fn image_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(
                        e.to_ascii_lowercase().as_str(),
                        "png" | "tif" | "tiff" | "jpg" | "jpeg"
                    )
                })
        })
        .collect();
    files.sort();
    Ok(files)
}

/// `f` over `items` on one thread per core; results in input order.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let mut parts: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(k) else { break };
                        out.push((k, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });
    parts.sort_by_key(|(k, _)| *k);
    parts.into_iter().map(|(_, r)| r).collect()
}

/// Runs the command line; returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    // `count` takes file names as the system gives them (they need not be UTF-8); the other
    // commands read their arguments as text.
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (cmd, rest) = match text.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("help", &[][..]),
    };
    let result = match cmd {
        "count" => count::run(&args[1..]),
        "eval" => eval::eval(rest),
        "tune" => eval::tune(rest),
        "train" => learn::train(rest),
        "synth" => synth::run(rest),
        "params" => {
            let mut i = 0;
            let mut params = Params::default();
            let mut r = Ok(0);
            while i < rest.len() {
                match choice_flag(rest, &mut i) {
                    Ok(Some(Choice::Preset(c))) => params = c.preset(),
                    Ok(Some(Choice::File(p))) => params = p,
                    Ok(Some(Choice::Auto)) => {}
                    Ok(None) => r = Err(format!("unknown argument {}", rest[i])),
                    Err(e) => r = Err(e),
                }
                i += 1;
            }
            r.inspect(|_| println!("{}", params.to_query()))
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(0)
        }
        other => Err(format!("unknown command {other}\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fluocount: {e}");
            2
        }
    }
}
