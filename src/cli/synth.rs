//! `fluocount synth`: deterministic synthetic images with their true masks.

use super::value;
use crate::core::synth::{SynthParams, generate};
use std::path::PathBuf;

pub(crate) fn run(args: &[String]) -> Result<i32, String> {
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
