//! `fluocount synth`: deterministic synthetic images with their true masks.

use super::value;
use crate::core::synth::{SynthParams, generate};
use std::path::PathBuf;

pub(crate) fn run(args: &[String]) -> Result<i32, String> {
    let mut p = SynthParams::default();
    let mut out: Option<PathBuf> = None;
    let mut truth: Option<PathBuf> = None;
    let mut gray16 = false;
    let mut count: Option<u32> = None;
    let mut out_dir: Option<PathBuf> = None;
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
            "--count" => count = Some(value(args, &mut i, "--count")?),
            "--out-dir" => out_dir = Some(value::<String>(args, &mut i, "--out-dir")?.into()),
            "--out" => out = Some(value::<String>(args, &mut i, "--out")?.into()),
            "--truth" => truth = Some(value::<String>(args, &mut i, "--truth")?.into()),
            a => return Err(format!("unknown argument {a}")),
        }
        i += 1;
    }
    if p.width == 0 || p.height == 0 || p.width > 20_000 || p.height > 20_000 {
        return Err("--width and --height must be 1 to 20000".into());
    }
    if let Some(dir) = out_dir {
        return many(&p, count.unwrap_or(1), &dir);
    }
    let out = out.ok_or("--out (or --out-dir with --count) is required")?;
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

/// `--count N --out-dir DIR`: N images with seeds `seed..seed+N` as `DIR/images/synth-SEED.png`
/// and their true masks as `DIR/masks/synth-SEED.png` (the dataset's layout), on all cores.
/// Prints the total number of cells.
fn many(p: &SynthParams, n: u32, dir: &std::path::Path) -> Result<i32, String> {
    let (images, masks) = (dir.join("images"), dir.join("masks"));
    for d in [&images, &masks] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicU32::new(0);
    let cells = std::sync::atomic::AtomicU64::new(0);
    let result: Result<(), String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<(), String> {
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if k >= n {
                            return Ok(());
                        }
                        let q = SynthParams {
                            seed: p.seed + u64::from(k),
                            ..p.clone()
                        };
                        let s = generate(&q);
                        let name = format!("synth-{:04}.png", q.seed);
                        let crate::core::Pixels::U8(rgb) = s.image.pixels() else {
                            return Err("generator returned a non-8-bit image".into());
                        };
                        let (out, truth) = (images.join(&name), masks.join(&name));
                        image::save_buffer(
                            &out,
                            rgb,
                            q.width,
                            q.height,
                            image::ExtendedColorType::Rgb8,
                        )
                        .map_err(|e| format!("{}: {e}", out.display()))?;
                        image::save_buffer(
                            &truth,
                            &s.truth,
                            q.width,
                            q.height,
                            image::ExtendedColorType::L8,
                        )
                        .map_err(|e| format!("{}: {e}", truth.display()))?;
                        cells.fetch_add(s.cells.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .map_err(|_| "a generator thread failed".to_string())?
        })
    });
    result?;
    println!("{}", cells.load(std::sync::atomic::Ordering::Relaxed));
    Ok(0)
}
