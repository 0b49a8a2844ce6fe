//! The native `fluocount` command line, on the same core as the app.

use crate::core::{
    DecodeLimits, Params, analyze, decode,
    synth::{SynthParams, generate},
};
use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
};

const USAGE: &str = "\
fluocount: count fluorescent cells in microscopy images

usage:
  fluocount count [--params FILE] IMAGE...
      Prints one CSV row per image: file, width, height, count, level, ms.
      A file that cannot be read is reported on stderr and skipped (exit status 1).
  fluocount synth [--seed N] [--cells N] [--touching F] [--noise F] [--width W] [--height H]
                  [--gray16] --out IMAGE.png [--truth MASK.png]
      Writes a synthetic image (and its true mask); prints the number of cells.
      --gray16 writes the yellow channel (R+G)/2 as 16-bit grey, scaled by 257.
  fluocount params
      Prints the default parameters in their text form.
";

fn value<T: std::str::FromStr>(args: &[String], i: &mut usize, flag: &str) -> Result<T, String> {
    *i += 1;
    let v = args
        .get(*i)
        .ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse()
        .map_err(|_| format!("{flag}: “{v}” is not a valid value"))
}

fn load_params(path: &Path) -> Result<Params, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read parameters: {e}", path.display()))?;
    let (params, notices) = Params::from_query(&text);
    for n in notices {
        eprintln!("{}: {}", path.display(), n.message);
    }
    Ok(params)
}

fn count(args: &[String]) -> Result<i32, String> {
    let mut params = Params::default();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--params" => {
                params = load_params(Path::new(&value::<String>(args, &mut i, "--params")?))?
            }
            a if a.starts_with("--") => return Err(format!("unknown option {a}")),
            a => files.push(PathBuf::from(a)),
        }
        i += 1;
    }
    if files.is_empty() {
        return Err("no image given".into());
    }
    // One worker per core; each result is printed in input order at the end.
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let mut results: Vec<Option<Result<String, String>>> = vec![None; files.len()];
    let chunks: Vec<Vec<(usize, Result<String, String>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(k) else { break };
                        out.push((k, count_one(path, &params)));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for (k, r) in chunks.into_iter().flatten() {
        results[k] = Some(r);
    }
    println!("# {}", params.to_query());
    println!("file,width,height,count,level,ms");
    let mut failed = false;
    for (path, r) in files.iter().zip(results) {
        match r {
            Some(Ok(row)) => println!("{row}"),
            Some(Err(e)) => {
                failed = true;
                eprintln!("{e}");
            }
            None => {
                failed = true;
                eprintln!("{}: not processed", path.display());
            }
        }
    }
    Ok(i32::from(failed))
}

fn count_one(path: &Path, params: &Params) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let image =
        decode(&bytes, &DecodeLimits::default()).map_err(|e| format!("{}: {e}", path.display()))?;
    let a = analyze(&image, params);
    Ok(format!(
        "{},{},{},{},{},{:.1}",
        path.display(),
        a.width,
        a.height,
        a.count(),
        a.level,
        a.total_ms()
    ))
}

fn synth(args: &[String]) -> Result<i32, String> {
    let mut p = SynthParams::default();
    let mut out: Option<PathBuf> = None;
    let mut truth: Option<PathBuf> = None;
    let mut gray16 = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => p.seed = value(args, &mut i, "--seed")?,
            "--cells" => p.cells = value(args, &mut i, "--cells")?,
            "--touching" => p.touching = value(args, &mut i, "--touching")?,
            "--noise" => p.noise = value(args, &mut i, "--noise")?,
            "--width" => p.width = value(args, &mut i, "--width")?,
            "--height" => p.height = value(args, &mut i, "--height")?,
            "--debris" => p.debris = value(args, &mut i, "--debris")?,
            "--faint" => p.faint = value(args, &mut i, "--faint")?,
            "--gray16" => gray16 = true,
            "--out" => out = Some(value::<String>(args, &mut i, "--out")?.into()),
            "--truth" => truth = Some(value::<String>(args, &mut i, "--truth")?.into()),
            a => return Err(format!("unknown argument {a}")),
        }
        i += 1;
    }
    if p.width == 0 || p.height == 0 || p.width > 20_000 || p.height > 20_000 {
        return Err("--width and --height must be 1 to 20000".into());
    }
    let out = out.ok_or("--out is required")?;
    let s = generate(&p);
    let crate::core::Pixels::U8(rgb) = s.image.pixels() else {
        return Err("generator returned a non-8-bit image".into());
    };
    let saved = if gray16 {
        let plane = crate::core::channel::intensity(&s.image, crate::core::Channel::Yellow);
        let wide: Vec<u16> = plane.data.iter().map(|&v| v * 257).collect();
        image::ImageBuffer::<image::Luma<u16>, _>::from_raw(p.width, p.height, wide)
            .ok_or_else(|| {
                image::ImageError::Parameter(image::error::ParameterError::from_kind(
                    image::error::ParameterErrorKind::DimensionMismatch,
                ))
            })
            .and_then(|b| b.save(&out))
    } else {
        image::save_buffer(&out, rgb, p.width, p.height, image::ExtendedColorType::Rgb8)
    };
    saved.map_err(|e| format!("{}: {e}", out.display()))?;
    if let Some(t) = truth {
        image::save_buffer(
            &t,
            &s.truth,
            p.width,
            p.height,
            image::ExtendedColorType::L8,
        )
        .map_err(|e| format!("{}: {e}", t.display()))?;
    }
    println!("{}", s.cells.len());
    Ok(0)
}

/// Runs the command line; returns the exit status.
pub fn run(args: Vec<String>) -> i32 {
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("help", &[][..]),
    };
    let result = match cmd {
        "count" => count(rest),
        "synth" => synth(rest),
        "params" => {
            println!("{}", Params::default().to_query());
            Ok(0)
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
