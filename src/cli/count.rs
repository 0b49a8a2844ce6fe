//! `fluocount count`: counts, label images, per-object and per-image tables.

use super::{Choice, choice_flag, csv, load_image, parallel_map, value};
use crate::core::{Analysis, analyze};
use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

/// One image's results.
struct Counted {
    path: PathBuf,
    collection: String,
    analysis: Analysis,
}

/// ImageJ's Results column names, in ImageJ's order, plus our contrast.
const OBJECT_COLUMNS: &str = "Image,Object,Area,Mean,Min,Max,X,Y,BX,BY,Width,Height,\
Perim.,Circ.,AR,Round,Solidity,Contrast";

/// ImageJ's Summarize columns, plus the level and the time.
const SUMMARY_COLUMNS: &str = "Slice,Count,Total Area,Average Size,%Area,Mean,Collection,\
Level,Width,Height,ms";

pub(crate) fn run(args: &[String]) -> Result<i32, String> {
    let mut choice = Choice::Auto;
    let mut out: Option<PathBuf> = None;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if let Some(c) = choice_flag(args, &mut i)? {
            choice = c;
        } else {
            match args[i].as_str() {
                "--out" => out = Some(value::<String>(args, &mut i, "--out")?.into()),
                a if a.starts_with("--") => return Err(format!("unknown option {a}")),
                a => files.push(PathBuf::from(a)),
            }
        }
        i += 1;
    }
    if files.is_empty() {
        return Err("no image given".into());
    }
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let results = parallel_map(&files, |path| -> Result<Counted, String> {
        let image = load_image(path)?;
        let (params, collection) = choice.for_image(&image);
        let analysis = analyze(&image, &params);
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
    println!("file,width,height,collection,count,level,ms");
    let mut failed = false;
    let mut done = Vec::new();
    for r in results {
        match r {
            Ok(c) => {
                let a = &c.analysis;
                println!(
                    "{},{},{},{},{},{},{:.1}",
                    csv(&c.path.display().to_string()),
                    a.width,
                    a.height,
                    c.collection,
                    a.count(),
                    a.level
                        .map_or_else(|| "local".to_string(), |l| l.to_string()),
                    a.total_ms()
                );
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

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into())
}

/// Writes the 16-bit label image of an analysis.
fn write_labels(path: &Path, a: &Analysis) -> Result<(), String> {
    let err = |e: String| format!("{}: {e}", path.display());
    if a.count() > u16::MAX as usize {
        return Err(err(format!(
            "{} objects do not fit a 16-bit label image",
            a.count()
        )));
    }
    let data: Vec<u16> = a.labels.iter().map(|&l| l as u16).collect();
    let buf = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(a.width, a.height, data)
        .ok_or_else(|| err("label image size mismatch".into()))?;
    buf.save(path).map_err(|e| err(e.to_string()))
}

fn write_tables(dir: &Path, choice: &Choice, done: &[Counted]) -> Result<(), String> {
    let header = format!(
        "# fluocount {}\n# parameters: {}\n",
        env!("CARGO_PKG_VERSION"),
        choice.describe()
    );
    let mut objects = format!("{header}{OBJECT_COLUMNS}\n");
    let mut summary = format!("{header}{SUMMARY_COLUMNS}\n");
    for c in done {
        let a = &c.analysis;
        let name = csv(&c.path.file_name().map_or_else(
            || c.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ));
        for ((o, s), k) in a.objects.iter().zip(&a.shapes).zip(&a.contrast) {
            let _ = writeln!(
                objects,
                "{name},{},{},{:.3},{},{},{:.3},{:.3},{},{},{},{},{:.3},{:.4},{:.3},{:.3},{:.3},{:.3}",
                o.label,
                o.area,
                o.mean,
                o.min,
                o.max,
                o.x,
                o.y,
                o.bx,
                o.by,
                o.width,
                o.height,
                s.perimeter,
                s.circularity,
                s.aspect_ratio,
                s.roundness,
                s.solidity,
                k
            );
        }
        let total: u64 = a.objects.iter().map(|o| o.area).sum();
        let sum: f64 = a.objects.iter().map(|o| o.mean * o.area as f64).sum();
        let n = a.count();
        let _ = writeln!(
            summary,
            "{name},{n},{total},{:.3},{:.3},{:.3},{},{},{},{},{:.1}",
            if n == 0 { 0.0 } else { total as f64 / n as f64 },
            100.0 * total as f64 / (a.width as f64 * a.height as f64).max(1.0),
            if total == 0 { 0.0 } else { sum / total as f64 },
            c.collection,
            a.level
                .map_or_else(|| "local".to_string(), |l| l.to_string()),
            a.width,
            a.height,
            a.total_ms()
        );
    }
    for (file, text) in [("objects.csv", objects), ("summary.csv", summary)] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
