//! `fluocount count`: counts, label images, per-object and per-image tables.

use super::{Choice, choice_flag, load_image, parallel_map, value};
use crate::count::{
    Analysis, analyze, export,
    table::{self, COUNT_LINES, CountedImage, SUMMARY},
};
use std::path::{Path, PathBuf};

/// One image's results.
struct Counted {
    path: PathBuf,
    collection: String,
    analysis: Analysis,
}

pub(crate) fn run(args: &[String]) -> Result<i32, String> {
    let mut choice = Choice::Auto;
    let mut out: Option<PathBuf> = None;
    let mut files: Vec<PathBuf> = Vec::new();
    let (mut model_path, mut cutoff): (Option<PathBuf>, Option<f32>) = (None, None);
    let mut i = 0;
    while i < args.len() {
        if let Some(c) = choice_flag(args, &mut i)? {
            choice = c;
        } else {
            match args[i].as_str() {
                "--out" => out = Some(value::<String>(args, &mut i, "--out")?.into()),
                "--model" => model_path = Some(value::<String>(args, &mut i, "--model")?.into()),
                "--cutoff" => cutoff = Some(super::learn::cutoff_flag(args, &mut i)?),
                a if a.starts_with("--") => return Err(format!("unknown option {a}")),
                a => files.push(PathBuf::from(a)),
            }
        }
        i += 1;
    }
    if files.is_empty() {
        return Err("no image given".into());
    }
    if cutoff.is_some() && model_path.is_none() {
        return Err("--cutoff goes with --model".into());
    }
    let model = model_path
        .as_deref()
        .map(super::learn::load_model)
        .transpose()?;
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let results = parallel_map(&files, |path| -> Result<Counted, String> {
        let image = load_image(path)?;
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
        if let Some(dir) = &out {
            write_labels(&dir.join(format!("{}.png", stem(path))), &analysis)?;
        }
        Ok(Counted {
            path: path.clone(),
            collection,
            analysis,
        })
    });
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
    for r in results {
        match r {
            Ok(c) => {
                let row =
                    CountedImage::new(&c.path.display().to_string(), &c.analysis, &c.collection);
                println!("{}", table::csv_line(COUNT_LINES, &row));
                done.push(c);
            }
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    if let Some(dir) = &out {
        write_tables(dir, &choice, &done)?;
    }
    Ok(i32::from(failed))
}

/// The file stem of `path`, as given (the CLI keeps names with spaces; `export::file_stem` is
/// for names from the browser).
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into())
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
    let rows: Vec<(&str, &Analysis)> = names
        .iter()
        .zip(done)
        .map(|(n, c)| (n.as_str(), &c.analysis))
        .collect();
    let objects = format!(
        "{header}{}\n{}",
        table::objects_header(),
        table::objects_csv(&rows)
    );
    let images: Vec<CountedImage> = names
        .iter()
        .zip(done)
        .map(|(name, c)| CountedImage::new(name, &c.analysis, &c.collection))
        .collect();
    let summary = format!("{header}{}", table::csv(SUMMARY, &images));
    for (file, text) in [("objects.csv", objects), ("summary.csv", summary)] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
