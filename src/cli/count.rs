//! `fluocount count`: counts, label images, per-object and per-image tables.

use super::{Choice, choice_flag, load_page};
use crate::{
    count::{
        Analysis, analyze, export,
        table::{self, COUNT_LINES, CountedImage, ObjectsOf, SUMMARY},
    },
    imaging::calibration::{Calibration, Unit},
};
use std::{
    collections::{BTreeMap, HashSet},
    ffi::OsString,
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
};

/// One image's results.
struct Counted {
    path: PathBuf,
    collection: String,
    analysis: Analysis,
    calibration: Option<Calibration>,
}

/// The parsed command: files stay as the system gave them (a name need not be UTF-8).
struct Args {
    choice: Choice,
    out: Option<PathBuf>,
    files: Vec<PathBuf>,
    model: Option<PathBuf>,
    cutoff: Option<f32>,
    /// `--pixel-size` with `--unit`: every image's calibration, over its file's.
    calibration: Option<Calibration>,
    /// `--page N`: the page of each multi-page TIFF to count (1-based, as ImageJ's slices).
    page: Option<u32>,
}

/// `--pixel-size S` and `--unit U` (µm when not given) as one calibration.
fn calibration_flags(
    size: Option<&str>,
    unit: Option<&str>,
) -> Result<Option<Calibration>, String> {
    let unit = match unit {
        Some(u) => Some(Unit::parse(u).ok_or_else(|| {
            format!("--unit: “{u}” is not a unit of length (nm, um, mm, cm, m or inch)")
        })?),
        None => None,
    };
    let Some(size) = size else {
        return match unit {
            Some(_) => Err("--unit goes with --pixel-size".into()),
            None => Ok(None),
        };
    };
    let unit = unit.unwrap_or(Unit::Um);
    let value: f64 = size
        .trim()
        .parse()
        .map_err(|_| format!("--pixel-size: “{size}” is not a number"))?;
    Calibration::square(value, unit).map(Some).ok_or_else(|| {
        format!(
            "--pixel-size: “{size}” is not a pixel size: give a number above 0 (a pixel of \
             10 pm to 1 m)"
        )
    })
}

fn parse(args: &[OsString]) -> Result<Args, String> {
    // Flags and their values read as text; a name that is not UTF-8 is a file.
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut a = Args {
        choice: Choice::Auto,
        out: None,
        files: Vec::new(),
        model: None,
        cutoff: None,
        calibration: None,
        page: None,
    };
    let (mut pixel_size, mut unit): (Option<String>, Option<String>) = (None, None);
    let mut i = 0;
    let path = |i: &mut usize, flag: &str| -> Result<PathBuf, String> {
        *i += 1;
        args.get(*i)
            .map(PathBuf::from)
            .ok_or_else(|| format!("{flag} needs a value"))
    };
    while i < args.len() {
        if args[i].to_str().is_none() {
            a.files.push(PathBuf::from(&args[i]));
        } else if let Some(c) = choice_flag(&text, &mut i)? {
            a.choice = c;
        } else {
            match text[i].as_str() {
                "--out" => a.out = Some(path(&mut i, "--out")?),
                "--model" => a.model = Some(path(&mut i, "--model")?),
                "--cutoff" => a.cutoff = Some(super::learn::cutoff_flag(&text, &mut i)?),
                "--pixel-size" => pixel_size = Some(super::value(&text, &mut i, "--pixel-size")?),
                "--unit" => unit = Some(super::value(&text, &mut i, "--unit")?),
                "--page" => {
                    let v: String = super::value(&text, &mut i, "--page")?;
                    a.page = Some(
                        v.trim()
                            .parse()
                            .ok()
                            .filter(|&p: &u32| p >= 1)
                            .ok_or_else(|| {
                                format!("--page: “{v}” is not a page number (1, 2, …)")
                            })?,
                    );
                }
                // Everything after `--` is a file, even a name that begins with `-`.
                "--" => {
                    a.files.extend(args[i + 1..].iter().map(PathBuf::from));
                    break;
                }
                f if f.starts_with("--") => return Err(format!("unknown option {f}")),
                _ => a.files.push(PathBuf::from(&args[i])),
            }
        }
        i += 1;
    }
    if a.files.is_empty() {
        return Err("no image given".into());
    }
    if a.cutoff.is_some() && a.model.is_none() {
        return Err("--cutoff goes with --model".into());
    }
    a.calibration = calibration_flags(pixel_size.as_deref(), unit.as_deref())?;
    Ok(a)
}

pub(crate) fn run(args: &[OsString]) -> Result<i32, String> {
    let Args {
        choice,
        out,
        files,
        model,
        cutoff,
        calibration,
        page,
    } = parse(args)?;
    let model = model.as_deref().map(super::learn::load_model).transpose()?;
    let labels = match &out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            label_paths(dir, &files)
        }
        None => vec![None; files.len()],
    };
    println!("# {}", choice.describe());
    if let Some(m) = &model {
        println!(
            "# model \"{}\" ({}), cut-off {}",
            m.name,
            m.trained_on,
            cutoff.unwrap_or(m.cutoff)
        );
    }
    println!("{}", table::header(COUNT_LINES));
    let mut failed = false;
    let mut done = Vec::new();
    let jobs: Vec<(&PathBuf, &Option<PathBuf>)> = files.iter().zip(&labels).collect();
    // Each row is printed as soon as it and every row before it are counted.
    parallel_ordered(
        &jobs,
        |(path, label)| -> (Result<Counted, String>, Option<String>) {
            let counted = load_page(path, page).map(|(image, from_file)| {
                let (analysis, collection) = match &model {
                    Some(m) => {
                        let (a, c) = super::learn::count_with(m, &choice, &image, cutoff);
                        (a, c.name().to_string())
                    }
                    None => {
                        let (params, collection) = choice.for_image(&image);
                        (analyze(&image, &params), collection)
                    }
                };
                Counted {
                    path: (*path).clone(),
                    collection,
                    analysis,
                    calibration: calibration.or(from_file),
                }
            });
            // A label image that cannot be written loses only itself, not the count.
            let label_error = match (&counted, label) {
                (Ok(c), Some(l)) => write_labels(l, &c.analysis).err().map(|e| {
                    format!(
                        "{}: the label image {} was not written: {e}",
                        path.display(),
                        l.display()
                    )
                }),
                _ => None,
            };
            (counted, label_error)
        },
        |(counted, label_error)| {
            match counted {
                Ok(c) => {
                    let row = CountedImage::new(
                        &c.path.display().to_string(),
                        &c.analysis,
                        &c.collection,
                    );
                    println!("{}", table::csv_line(COUNT_LINES, &row));
                    done.push(c);
                }
                Err(e) => {
                    failed = true;
                    eprintln!("{e}");
                }
            }
            if let Some(e) = label_error {
                failed = true;
                eprintln!("{e}");
            }
        },
    );
    if let Some(dir) = &out {
        write_tables(dir, &choice, &done)?;
    }
    Ok(i32::from(failed))
}

/// `f` over `items` on one thread per core, handing each result to `sink` in input order as soon
/// as it and every earlier one are done.
fn parallel_ordered<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R),
) {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, f) = (&next, &f);
            s.spawn(move || {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(k) else { break };
                    if tx.send((k, f(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut want = 0;
        for (k, r) in rx {
            waiting.insert(k, r);
            while let Some(r) = waiting.remove(&want) {
                sink(r);
                want += 1;
            }
        }
    });
}

/// The label image of each input: `DIR/<stem>_labels.png`, made unique (`_labels-2.png`, …) so
/// that two inputs with the same stem (`a/x.png`, `b/x.png`, `x.jpg`) never overwrite each other,
/// and never an input file itself.
fn label_paths(dir: &Path, files: &[PathBuf]) -> Vec<Option<PathBuf>> {
    let inputs: HashSet<PathBuf> = files
        .iter()
        .map(|f| f.canonicalize().unwrap_or_else(|_| f.clone()))
        .collect();
    let mut used: HashSet<PathBuf> = HashSet::new();
    files
        .iter()
        .map(|f| {
            // The stem as the system gave it (it need not be UTF-8).
            let base = f.file_stem().unwrap_or(std::ffi::OsStr::new("image"));
            (1..)
                .map(|k| {
                    let mut name = base.to_os_string();
                    name.push(if k == 1 {
                        "_labels.png".to_string()
                    } else {
                        format!("_labels-{k}.png")
                    });
                    dir.join(name)
                })
                .find(|p| {
                    let real = p.canonicalize().unwrap_or_else(|_| p.clone());
                    !used.contains(p) && !inputs.contains(&real)
                })
                .inspect(|p| {
                    used.insert(p.clone());
                })
        })
        .collect()
}

/// The file name of `path` as written in the tables.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes the 16-bit label image of an analysis.
fn write_labels(path: &Path, a: &Analysis) -> Result<(), String> {
    let err = |e: String| format!("{}: {e}", path.display());
    let png = export::label_png(a).map_err(err)?;
    std::fs::write(path, png).map_err(|e| err(e.to_string()))
}

fn write_tables(dir: &Path, choice: &Choice, done: &[Counted]) -> Result<(), String> {
    let header = export::header(env!("CARGO_PKG_VERSION"), &choice.describe());
    let names: Vec<String> = done.iter().map(|c| file_name(&c.path)).collect();
    let rows: Vec<ObjectsOf> = names
        .iter()
        .zip(done)
        .map(|(n, c)| (n.as_str(), &c.analysis, c.calibration))
        .collect();
    let objects = format!("{header}{}", table::objects_table(&rows));
    let images: Vec<CountedImage> = names
        .iter()
        .zip(done)
        .map(|(name, c)| CountedImage {
            calibration: c.calibration,
            ..CountedImage::new(name, &c.analysis, &c.collection)
        })
        .collect();
    let summary = format!("{header}{}", table::csv(SUMMARY, &images));
    for (file, text) in [("objects.csv", objects), ("summary.csv", summary)] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
