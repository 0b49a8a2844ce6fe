//! `fluocount synth`: deterministic synthetic images with their true masks, easy or hard.

use super::value;
use crate::{
    count::synth::{SynthParams, Synthetic, generate},
    count::synth_hard::{HardColour, HardParams, generate_hard},
    imaging::{Channel, Pixels},
};
use std::path::{Path, PathBuf};

/// The generator chosen, with its parameters.
enum Generator {
    Easy(SynthParams),
    Hard(HardParams),
}

impl Generator {
    fn seed(&self) -> u64 {
        match self {
            Generator::Easy(p) => p.seed,
            Generator::Hard(p) => p.seed,
        }
    }

    fn generate(&self, seed: u64) -> Synthetic {
        match self {
            Generator::Easy(p) => generate(&SynthParams { seed, ..p.clone() }),
            Generator::Hard(p) => generate_hard(&HardParams { seed, ..p.clone() }),
        }
    }

    /// The same generator with another seed.
    fn with_seed(&self, seed: u64) -> Generator {
        match self {
            Generator::Easy(p) => Generator::Easy(SynthParams { seed, ..p.clone() }),
            Generator::Hard(p) => Generator::Hard(HardParams { seed, ..p.clone() }),
        }
    }

    /// The channel `--gray16` writes.
    fn channel(&self) -> Channel {
        match self {
            Generator::Hard(HardParams {
                colour: HardColour::Red,
                ..
            }) => Channel::Red,
            _ => Channel::Yellow,
        }
    }

    /// File name of the image of `seed` in a suite.
    fn name(&self, seed: u64) -> String {
        match self {
            Generator::Easy(_) => format!("synth-{seed:04}.png"),
            Generator::Hard(_) => format!("hard-{seed:04}.png"),
        }
    }
}

/// The flags shared by both generators, as given (`None` keeps the generator's default).
#[derive(Default)]
struct Given {
    seed: Option<u64>,
    cells: Option<u32>,
    touching: Option<f32>,
    noise: Option<f32>,
    width: Option<u32>,
    height: Option<u32>,
    debris: Option<u32>,
    faint: Option<u32>,
    neurites: Option<u32>,
    jpeg: Option<u32>,
    hard: bool,
    rat: bool,
    red: bool,
}

fn generator(g: &Given) -> Result<Generator, String> {
    if !g.hard {
        if g.rat || g.red || g.jpeg.is_some() || g.neurites.is_some() {
            return Err("--rat, --red, --jpeg and --neurites need --hard".into());
        }
        let d = SynthParams::default();
        let p = SynthParams {
            seed: g.seed.unwrap_or(d.seed),
            width: g.width.unwrap_or(d.width),
            height: g.height.unwrap_or(d.height),
            cells: g.cells.unwrap_or(d.cells),
            touching: g.touching.unwrap_or(d.touching),
            noise: g.noise.unwrap_or(d.noise),
            debris: g.debris.unwrap_or(d.debris),
            faint: g.faint.unwrap_or(d.faint),
        };
        p.validate().map_err(|e| format!("synth: {e}"))?;
        return Ok(Generator::Easy(p));
    }
    if let Some(q) = g.jpeg
        && !(1..=100).contains(&q)
    {
        return Err(format!("--jpeg must be 1 to 100 (got {q})"));
    }
    let d = if g.rat {
        HardParams::rat()
    } else {
        HardParams::default()
    };
    let p = HardParams {
        seed: g.seed.unwrap_or(d.seed),
        width: g.width.unwrap_or(d.width),
        height: g.height.unwrap_or(d.height),
        cells: g.cells.unwrap_or(d.cells),
        touching: g.touching.unwrap_or(d.touching),
        noise: g.noise.unwrap_or(d.noise),
        debris: g.debris.unwrap_or(d.debris),
        faint: g.faint.unwrap_or(d.faint),
        neurites: g.neurites.unwrap_or(d.neurites),
        colour: if g.red {
            HardColour::Red
        } else {
            HardColour::Yellow
        },
        jpeg_quality: g.jpeg.and_then(|q| u8::try_from(q).ok()),
        ..d
    };
    p.validate().map_err(|e| format!("synth --hard: {e}"))?;
    Ok(Generator::Hard(p))
}

pub(crate) fn run(args: &[String]) -> Result<i32, String> {
    let mut g = Given::default();
    let mut out: Option<PathBuf> = None;
    let mut truth: Option<PathBuf> = None;
    let mut gray16 = false;
    let mut count: Option<u32> = None;
    let mut out_dir: Option<PathBuf> = None;
    let mut suite = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => g.seed = Some(value(args, &mut i, "--seed")?),
            "--cells" => g.cells = Some(value(args, &mut i, "--cells")?),
            "--touching" => g.touching = Some(value(args, &mut i, "--touching")?),
            "--noise" => g.noise = Some(value(args, &mut i, "--noise")?),
            "--width" => g.width = Some(value(args, &mut i, "--width")?),
            "--height" => g.height = Some(value(args, &mut i, "--height")?),
            "--debris" => g.debris = Some(value(args, &mut i, "--debris")?),
            "--faint" => g.faint = Some(value(args, &mut i, "--faint")?),
            "--neurites" => g.neurites = Some(value(args, &mut i, "--neurites")?),
            "--jpeg" => g.jpeg = Some(value(args, &mut i, "--jpeg")?),
            "--hard" => g.hard = true,
            "--suite" => suite = true,
            "--rat" => g.rat = true,
            "--red" => g.red = true,
            "--gray16" => gray16 = true,
            "--count" => count = Some(value(args, &mut i, "--count")?),
            "--out-dir" => out_dir = Some(value::<String>(args, &mut i, "--out-dir")?.into()),
            "--out" => out = Some(value::<String>(args, &mut i, "--out")?.into()),
            "--truth" => truth = Some(value::<String>(args, &mut i, "--truth")?.into()),
            a => return Err(format!("unknown argument {a}")),
        }
        i += 1;
    }
    if suite {
        let dir = out_dir.ok_or("--suite needs --out-dir DIR")?;
        if args.len() != 3 {
            return Err("--suite takes only --out-dir DIR".into());
        }
        let jobs: Vec<Generator> = crate::count::synth_hard::suite()
            .into_iter()
            .map(Generator::Hard)
            .collect();
        return write_all(&jobs, &dir);
    }
    let maker = generator(&g)?;
    if let Some(dir) = out_dir {
        let n = count.unwrap_or(1);
        if !(1..=10_000).contains(&n) {
            return Err(format!("--count must be 1 to 10000 (got {n})"));
        }
        if maker.seed().checked_add(u64::from(n)).is_none() {
            return Err("--seed plus --count is beyond the largest seed".into());
        }
        let jobs: Vec<Generator> = (0..u64::from(n))
            .map(|k| maker.with_seed(maker.seed() + k))
            .collect();
        return write_all(&jobs, &dir);
    }
    let out = out.ok_or("--out (or --out-dir with --count) is required")?;
    let s = maker.generate(maker.seed());
    let (w, h) = (s.image.width(), s.image.height());
    let Pixels::U8(rgb) = s.image.pixels() else {
        return Err("generator returned a non-8-bit image".into());
    };
    let saved = if gray16 {
        let plane = crate::imaging::channel::intensity(&s.image, maker.channel());
        let wide: Vec<u16> = plane.data.iter().map(|&v| v * 257).collect();
        image::ImageBuffer::<image::Luma<u16>, _>::from_raw(w, h, wide)
            .ok_or_else(|| {
                image::ImageError::Parameter(image::error::ParameterError::from_kind(
                    image::error::ParameterErrorKind::DimensionMismatch,
                ))
            })
            .and_then(|b| b.save(&out))
    } else {
        image::save_buffer(&out, rgb, w, h, image::ExtendedColorType::Rgb8)
    };
    saved.map_err(|e| format!("{}: {e}", out.display()))?;
    if let Some(t) = truth {
        image::save_buffer(&t, &s.truth, w, h, image::ExtendedColorType::L8)
            .map_err(|e| format!("{}: {e}", t.display()))?;
    }
    println!("{}", s.cells.len());
    Ok(0)
}

/// `--count N --out-dir DIR` (N images with seeds `seed..seed+N`) or `--suite --out-dir DIR`
/// (the hard suite): each image as `DIR/images/NAME.png` and its true mask as
/// `DIR/masks/NAME.png` (the dataset's layout), NAME `synth-SEED` or `hard-SEED`, on all cores.
/// Prints the total number of cells.
fn write_all(jobs: &[Generator], dir: &Path) -> Result<i32, String> {
    let n = jobs.len() as u32;
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
                        let maker = &jobs[k as usize];
                        let seed = maker.seed();
                        let s = maker.generate(seed);
                        let (w, h) = (s.image.width(), s.image.height());
                        let name = maker.name(seed);
                        let Pixels::U8(rgb) = s.image.pixels() else {
                            return Err("generator returned a non-8-bit image".into());
                        };
                        let (out, truth) = (images.join(&name), masks.join(&name));
                        image::save_buffer(&out, rgb, w, h, image::ExtendedColorType::Rgb8)
                            .map_err(|e| format!("{}: {e}", out.display()))?;
                        image::save_buffer(&truth, &s.truth, w, h, image::ExtendedColorType::L8)
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
