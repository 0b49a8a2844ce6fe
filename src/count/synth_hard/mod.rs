//! A harder deterministic synthetic suite: what real slices show besides the cells.
//!
//! [`generate_hard`] draws the soft elliptical cells of [`crate::count::synth`] on a darker, textured
//! background, together with what makes real images hard to count: branching neurites (thin,
//! curved, bright lines, some brighter than the dimmest cells, leaving cells and crossing them), a
//! bright tissue edge along one side, a saturated blob clipped at 255, a black hole in the tissue
//! with a slightly bright rim, faint cell-sized blobs and bright debris; optionally the image goes
//! through JPEG. The truth still marks only the cell bodies, touching cells separated by a
//! background line, so each cell is one 4-connected true object. Mouse scale
//! ([`HardParams::default`]: 1600x1200, cells about 36 px across) or rat scale
//! ([`HardParams::rat`]: 2272x1704, about 57 px), yellow (red and green) or red (red only).
//!
//! Only `+ - * /` and `sqrt` are used on floats, so the image is bit-identical natively and in
//! WebAssembly; the optional JPEG round trip is the `image` crate's encoder and decoder.

use crate::{
    count::synth::{
        Cell, Rng, Synthetic, grid_at, grid_eased, separated_truth, smoothstep, stamp, to_u8,
    },
    imaging::image::Image,
};

mod layout;

pub use layout::{HardLayout, Hole, Neurite, Saturated, Side, TissueEdge, Wavy, hard_layout};

/// Colour of the stain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HardColour {
    /// Signal in the red and green channels (the dataset's yellow collection).
    Yellow,
    /// Signal in the red channel only (the dataset's red collection).
    Red,
}

/// Settings of the hard generator. Check them with [`HardParams::validate`]; the generator itself
/// clamps every value into the same limits.
#[derive(Clone, Debug, PartialEq)]
pub struct HardParams {
    /// Random seed: the same seed gives the same image everywhere.
    pub seed: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Mean cell diameter in pixels; every feature scales with it (36 gives the mouse scale).
    pub cell_diameter: f32,
    /// Number of cells wanted (fewer when the image has no room left for them).
    pub cells: u32,
    /// Fraction of cells (0..=1) placed touching another cell.
    pub touching: f32,
    /// Standard deviation of the pixel noise, in grey levels.
    pub noise: f32,
    /// Colour of the stain.
    pub colour: HardColour,
    /// Number of branching neurite trees.
    pub neurites: u32,
    /// Number of faint, unannotated cell-sized blobs.
    pub faint: u32,
    /// Number of small bright specks of debris.
    pub debris: u32,
    /// A bright band along one side, like the edge of the slice.
    pub edge: bool,
    /// A bright blob clipped at 255.
    pub saturated: bool,
    /// A black hole in the tissue with a slightly bright rim.
    pub hole: bool,
    /// Round-trips the image through JPEG at this quality (1..=100); the truth is unchanged.
    pub jpeg_quality: Option<u8>,
}

/// The least and largest width or height.
pub const HARD_SIDE: (u32, u32) = (32, 20_000);
/// The largest number of pixels.
pub const HARD_MAX_PIXELS: u64 = 40_000_000;
/// The least and largest mean cell diameter.
pub const HARD_DIAMETER: (f32, f32) = (8.0, 200.0);
/// The largest number of cells.
pub const HARD_MAX_CELLS: u32 = 2_000;
/// The largest number of neurite trees.
pub const HARD_MAX_NEURITES: u32 = 1_000;
/// The largest number of faint blobs and of debris specks.
pub const HARD_MAX_EXTRAS: u32 = 20_000;
/// The largest noise.
pub const HARD_MAX_NOISE: f32 = 40.0;
/// The mean cell diameter of the mouse scale (and of [`crate::count::synth::generate`]).
const MOUSE_DIAMETER: f64 = 36.0;

impl Default for HardParams {
    /// The mouse scale: 1600x1200, cells about 36 px across, yellow.
    fn default() -> Self {
        HardParams {
            seed: 1,
            width: 1600,
            height: 1200,
            cell_diameter: 36.0,
            cells: 40,
            touching: 0.3,
            noise: 5.0,
            colour: HardColour::Yellow,
            neurites: 14,
            faint: 12,
            debris: 30,
            edge: true,
            saturated: true,
            hole: true,
            jpeg_quality: None,
        }
    }
}

/// The hard suite: what the presets' cell-body settings were chosen with and the built-in model
/// is trained on besides the real samples (README, "Presets"), 9 images and 348 cells: seeds 1–4
/// at the mouse scale (yellow), 100–102 at the rat scale in red, 200–201 at the mouse scale
/// through JPEG at quality 75. Each writes as `hard-SEED.png` (`fluocount synth --suite`).
pub fn suite() -> Vec<HardParams> {
    let mouse = (1..=4).map(|seed| HardParams {
        seed,
        ..HardParams::default()
    });
    let rat = (100..=102).map(|seed| HardParams {
        seed,
        colour: HardColour::Red,
        ..HardParams::rat()
    });
    let jpeg = (200..=201).map(|seed| HardParams {
        seed,
        jpeg_quality: Some(75),
        ..HardParams::default()
    });
    mouse.chain(rat).chain(jpeg).collect()
}

impl HardParams {
    /// The rat scale: 2272x1704 with cells about 57 px across, as on the dataset's rat images.
    pub fn rat() -> Self {
        HardParams {
            width: 2272,
            height: 1704,
            cell_diameter: 57.0,
            cells: 36,
            ..HardParams::default()
        }
    }

    /// `Ok` when every value is within its limits, otherwise what is wrong, in words.
    pub fn validate(&self) -> Result<(), String> {
        let (lo, hi) = HARD_SIDE;
        if !(lo..=hi).contains(&self.width) || !(lo..=hi).contains(&self.height) {
            return Err(format!(
                "width and height must be {lo} to {hi} (got {}x{})",
                self.width, self.height
            ));
        }
        if u64::from(self.width) * u64::from(self.height) > HARD_MAX_PIXELS {
            return Err(format!(
                "the image must have at most {HARD_MAX_PIXELS} pixels (got {}x{})",
                self.width, self.height
            ));
        }
        let (dlo, dhi) = HARD_DIAMETER;
        if !(dlo..=dhi).contains(&self.cell_diameter) {
            return Err(format!(
                "the cell diameter must be {dlo} to {dhi} (got {})",
                self.cell_diameter
            ));
        }
        if self.cells > HARD_MAX_CELLS {
            return Err(format!(
                "at most {HARD_MAX_CELLS} cells (got {})",
                self.cells
            ));
        }
        if !(0.0..=1.0).contains(&self.touching) {
            return Err(format!("touching must be 0 to 1 (got {})", self.touching));
        }
        if !(0.0..=HARD_MAX_NOISE).contains(&self.noise) {
            return Err(format!(
                "noise must be 0 to {HARD_MAX_NOISE} (got {})",
                self.noise
            ));
        }
        for (name, n, most) in [
            ("neurites", self.neurites, HARD_MAX_NEURITES),
            ("faint", self.faint, HARD_MAX_EXTRAS),
            ("debris", self.debris, HARD_MAX_EXTRAS),
        ] {
            if n > most {
                return Err(format!("{name} must be at most {most} (got {n})"));
            }
        }
        if let Some(q) = self.jpeg_quality
            && !(1..=100).contains(&q)
        {
            return Err(format!("JPEG quality must be 1 to 100 (got {q})"));
        }
        Ok(())
    }

    /// Every value moved into its limits (NaN takes the default).
    fn clamped(&self) -> HardParams {
        let (lo, hi) = HARD_SIDE;
        let width = self.width.clamp(lo, hi);
        let most = (HARD_MAX_PIXELS / u64::from(width)) as u32;
        let num = |v: f32, lo: f32, hi: f32, default: f32| {
            if v.is_nan() { default } else { v.clamp(lo, hi) }
        };
        HardParams {
            seed: self.seed,
            width,
            height: self.height.clamp(lo, hi.min(most)),
            cell_diameter: num(self.cell_diameter, HARD_DIAMETER.0, HARD_DIAMETER.1, 36.0),
            cells: self.cells.min(HARD_MAX_CELLS),
            touching: num(self.touching, 0.0, 1.0, 0.3),
            noise: num(self.noise, 0.0, HARD_MAX_NOISE, 5.0),
            colour: self.colour,
            neurites: self.neurites.min(HARD_MAX_NEURITES),
            faint: self.faint.min(HARD_MAX_EXTRAS),
            debris: self.debris.min(HARD_MAX_EXTRAS),
            edge: self.edge,
            saturated: self.saturated,
            hole: self.hole,
            jpeg_quality: self.jpeg_quality.map(|q| q.clamp(1, 100)),
        }
    }

    /// Scale of every feature relative to the mouse scale.
    fn scale(&self) -> f64 {
        self.cell_diameter as f64 / MOUSE_DIAMETER
    }
}

/// The pixel range `[lo, hi)` of `[a - reach, b + reach]` within `0..n`.
fn span(a: f64, b: f64, reach: f64, n: usize) -> (usize, usize) {
    (
        (a.min(b) - reach).floor().max(0.0) as usize,
        ((a.max(b) + reach).ceil().max(0.0) as usize).min(n),
    )
}

fn draw_neurite(signal: &mut [f64], (w, h): (usize, usize), n: &Neurite) {
    let hw = n.width * 0.5;
    let reach = hw * 1.5 + 1.0;
    for pair in n.points.windows(2) {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let (x0, x1) = span(ax, bx, reach, w);
        let (y0, y1) = span(ay, by, reach, h);
        for y in y0..y1 {
            for x in x0..x1 {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let t = if len2 > 0.0 {
                    (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (qx, qy) = (px - ax - t * dx, py - ay - t * dy);
                let d = (qx * qx + qy * qy).sqrt();
                let v = n.peak * (1.0 - smoothstep((d - 0.5 * hw) / hw));
                let s = &mut signal[y * w + x];
                *s = s.max(v);
            }
        }
    }
}

/// The grain of the tissue edge: small soft blobs packed in the band, dimmer where it fades.
fn granules(rng: &mut Rng, e: &TissueEdge, s: f64, (w, h): (f64, f64)) -> Vec<Cell> {
    let length = if matches!(e.side, Side::Top | Side::Bottom) {
        w
    } else {
        h
    };
    let reach = e.depth + e.wiggle.iter().fold(0.0, |m: f64, v| m.max(*v)) + e.soft;
    let n = (reach * length / (40.0 * s * s)) as usize;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let (along, t) = (rng.range(0.0, length), rng.range(0.0, reach));
        let (x, y) = match e.side {
            Side::Top => (along, t),
            Side::Bottom => (along, h - t),
            Side::Left => (t, along),
            Side::Right => (w - t, along),
        };
        let r = rng.range(2.5, 6.0) * s;
        let peak = rng.range(0.25, 0.6) * e.peak * e.level(x, y, (w, h));
        if peak > 1.0 {
            out.push(Cell {
                x,
                y,
                rx: r,
                ry: r,
                ux: 1.0,
                uy: 0.0,
                peak,
                dark_centre: false,
                touching: false,
            });
        }
    }
    out
}

/// A grid of `nx` x `ny` values drawn in `[lo, hi)` (at least 2 x 2).
fn random_grid(rng: &mut Rng, (nx, ny): (usize, usize), (lo, hi): (f64, f64)) -> Vec<f64> {
    (0..nx * ny).map(|_| rng.range(lo, hi)).collect()
}

/// Grid points every `spacing` pixels over `n` pixels (at least 2).
fn knots(n: usize, spacing: f64) -> usize {
    (n as f64 / spacing) as usize + 2
}

/// Decodes what the `image` crate's JPEG encoder makes of 8-bit RGB at `quality`.
fn jpeg_round_trip(rgb: &[u8], (w, h): (u32, u32), quality: u8) -> image::ImageResult<Vec<u8>> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality).encode(
        rgb,
        w,
        h,
        image::ExtendedColorType::Rgb8,
    )?;
    let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)?;
    Ok(decoded.into_rgb8().into_raw())
}

/// Generates a hard image and its truth (only the cell bodies). Values out of their limits are
/// clamped (see [`HardParams::validate`]), so the image may be smaller than asked; it never
/// panics. Deterministic by seed.
///
/// ```
/// use fluocount::count::synth_hard::{generate_hard, HardParams};
/// let s = generate_hard(&HardParams { width: 320, height: 240, cells: 4, ..HardParams::default() });
/// assert_eq!(s.truth.len(), 320 * 240);
/// assert!(s.cells.len() <= 4);
/// ```
pub fn generate_hard(p: &HardParams) -> Synthetic {
    let layout = hard_layout(p);
    let p = p.clamped();
    let s = p.scale();
    let (w, h) = (p.width as usize, p.height as usize);
    let (wf, hf) = (w as f64, h as f64);
    let mut rng = Rng(p.seed ^ 0xBAC6_D00D_u64.wrapping_mul(0x1000_0000_01B3));

    // Dark, uneven background with a blotchy texture (and a finer one inside the edge band).
    const GX: usize = 6;
    const GY: usize = 5;
    let coarse = random_grid(&mut rng, (GX, GY), (2.0, 16.0));
    let tex_n = (knots(w, 40.0 * s), knots(h, 40.0 * s));
    let texture = random_grid(&mut rng, tex_n, (-4.0, 4.0));
    let edge_n = (knots(w, 30.0 * s), knots(h, 30.0 * s));
    let edge_texture = match layout.edge {
        Some(_) => random_grid(&mut rng, edge_n, (0.55, 0.9)),
        None => Vec::new(),
    };

    let mut signal = vec![0f64; w * h];
    let mut owner = vec![0u32; w * h];
    for (i, c) in layout.cells.iter().enumerate() {
        stamp(&mut signal, (w, h), Some((&mut owner, i as u32 + 1)), c);
    }
    let truth = separated_truth(&owner, (w, h));
    drop(owner);
    for c in layout.faint.iter().chain(&layout.debris) {
        stamp(&mut signal, (w, h), None, c);
    }
    if let Some(e) = &layout.edge {
        for c in granules(&mut rng, e, s, (wf, hf)) {
            stamp(&mut signal, (w, h), None, &c);
        }
    }
    for n in &layout.neurites {
        draw_neurite(&mut signal, (w, h), n);
    }
    if let Some(b) = &layout.saturated {
        let reach = b.shape.reach() * 1.3 + 1.0;
        let (x0, x1) = span(b.shape.x, b.shape.x, reach, w);
        let (y0, y1) = span(b.shape.y, b.shape.y, reach, h);
        for y in y0..y1 {
            for x in x0..x1 {
                let d = b.shape.distance(x as f64 + 0.5, y as f64 + 0.5);
                let v = b.peak * (1.0 - smoothstep((d - 0.7) / 0.6));
                let s = &mut signal[y * w + x];
                *s = s.max(v);
            }
        }
    }

    let noise = p.noise as f64;
    let mut rgb = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let bg = (grid_at(&coarse, (GX, GY), (w, h), x, y)
                + grid_eased(&texture, tex_n, (w, h), x, y, smoothstep))
            .max(0.0);
            let band = match &layout.edge {
                Some(e) => {
                    e.level(px, py, (wf, hf))
                        * e.peak
                        * grid_eased(&edge_texture, edge_n, (w, h), x, y, smoothstep)
                }
                None => 0.0,
            };
            // Inside the hole everything fades to zero; a faint bright rim rings it.
            let (keep, rim) = match &layout.hole {
                Some(o) => {
                    let d = o.shape.distance(px, py);
                    (
                        smoothstep((d - 0.97) / 0.06),
                        o.rim * (1.0 - smoothstep((d - 1.06).abs() / 0.09)),
                    )
                }
                None => (1.0, 0.0),
            };
            let base = bg * keep + rim;
            let sig = (band + signal[y * w + x]) * keep;
            let n = noise * (0.3 + 0.7 * keep);
            let o = (y * w + x) * 3;
            let (r, g, b) = (rng.normal(), rng.normal(), rng.normal());
            match p.colour {
                HardColour::Yellow => {
                    rgb[o] = to_u8(base + sig + n * r);
                    rgb[o + 1] = to_u8(base * 0.35 + sig * 0.65 + n * 0.6 * g);
                    rgb[o + 2] = to_u8(base * 0.05 + sig * 0.04 + n * 0.2 * b);
                }
                HardColour::Red => {
                    rgb[o] = to_u8(base + sig + n * r);
                    rgb[o + 1] = to_u8(n * 0.15 * g);
                    rgb[o + 2] = to_u8(n * 0.1 * b);
                }
            }
        }
    }
    if let Some(q) = p.jpeg_quality
        && let Ok(decoded) = jpeg_round_trip(&rgb, (p.width, p.height), q)
        && decoded.len() == rgb.len()
    {
        rgb = decoded;
    }
    Synthetic {
        image: Image::rgb8(p.width, p.height, rgb),
        truth,
        cells: layout.cells,
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::imaging::{BitMask, Connectivity, label::label};
    use proptest::prelude::*;

    fn small(seed: u64) -> HardParams {
        HardParams {
            seed,
            width: 480,
            height: 360,
            cells: 8,
            neurites: 4,
            ..HardParams::default()
        }
    }

    fn rgb(s: &Synthetic) -> &[u8] {
        match s.image.pixels() {
            crate::imaging::Pixels::U8(v) => v,
            crate::imaging::Pixels::U16(_) => panic!("the generator makes 8-bit images"),
        }
    }

    fn truth_objects(s: &Synthetic) -> u32 {
        let bits: Vec<bool> = s.truth.iter().map(|&v| v > 0).collect();
        let mask = BitMask::from_bools(s.image.width(), s.image.height(), &bits);
        label(&mask, Connectivity::Four).count
    }

    /// Whether the pixel of each cell's centre is in the truth.
    fn centres_in_truth(s: &Synthetic) -> bool {
        let w = s.image.width() as usize;
        s.cells
            .iter()
            .all(|c| s.truth[c.y.floor() as usize * w + c.x.floor() as usize] == 255)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        for jpeg in [None, Some(80)] {
            let p = HardParams {
                jpeg_quality: jpeg,
                ..small(5)
            };
            let (a, b) = (generate_hard(&p), generate_hard(&p));
            assert_eq!(a.image, b.image);
            assert_eq!(a.truth, b.truth);
            assert_eq!(a.cells, b.cells);
            let c = generate_hard(&HardParams { seed: 6, ..p });
            assert_ne!(a.image, c.image);
        }
    }

    #[test]
    fn the_default_places_every_cell_and_each_is_one_true_object() {
        for seed in 1..=3 {
            let s = generate_hard(&HardParams {
                seed,
                ..HardParams::default()
            });
            assert_eq!(s.cells.len(), 40, "seed {seed}");
            assert_eq!(s.cells.iter().filter(|c| c.touching).count(), 6);
            assert_eq!(truth_objects(&s) as usize, s.cells.len());
            assert!(centres_in_truth(&s));
        }
    }

    #[test]
    fn the_truth_marks_cell_bodies_and_not_the_bright_neurites() {
        for seed in 1..=2 {
            let p = HardParams {
                seed,
                ..HardParams::default()
            };
            let (layout, s) = (hard_layout(&p), generate_hard(&p));
            let (w, h) = (p.width as usize, p.height as usize);
            // Every true pixel is inside a cell.
            for (i, &t) in s.truth.iter().enumerate() {
                if t > 0 {
                    let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
                    assert!(layout.cells.iter().any(|c| c.distance(x, y) < 1.0));
                }
            }
            // Some neurite is brighter than the dimmest cell.
            let dimmest = layout.cells.iter().map(|c| c.peak).fold(f64::MAX, f64::min);
            assert!(layout.neurites.iter().any(|n| n.peak > dimmest));
            // On neurites far from every cell and from the hole: no truth, bright image.
            let mut on = Vec::new();
            for n in layout.neurites.iter().filter(|n| n.peak >= 40.0) {
                for &(x, y) in &n.points {
                    let far_from_cells = layout.cells.iter().all(|c| {
                        let d = ((x - c.x) * (x - c.x) + (y - c.y) * (y - c.y)).sqrt();
                        d > c.extent() + 3.0 * n.width + 10.0
                    });
                    let out_of_hole = layout
                        .hole
                        .as_ref()
                        .is_none_or(|o| o.shape.distance(x, y) > 1.2);
                    if far_from_cells && out_of_hole && x >= 0.0 && y >= 0.0 {
                        let (xi, yi) = (x as usize, y as usize);
                        if xi < w && yi < h {
                            on.push(yi * w + xi);
                        }
                    }
                }
            }
            assert!(on.len() >= 50, "seed {seed}: {} neurite points", on.len());
            assert!(on.iter().all(|&i| s.truth[i] == 0));
            let red: Vec<u8> = rgb(&s).iter().step_by(3).copied().collect();
            let mut sorted = red.clone();
            sorted.sort_unstable();
            let median = sorted[sorted.len() / 2] as f64;
            let mean = on.iter().map(|&i| red[i] as f64).sum::<f64>() / on.len() as f64;
            assert!(
                mean > median + 25.0,
                "seed {seed}: neurites {mean:.1}, median {median}"
            );
        }
    }

    #[test]
    fn the_saturated_blob_is_clipped_at_255() {
        for colour in [HardColour::Yellow, HardColour::Red] {
            for seed in 1..=3 {
                let p = HardParams {
                    seed,
                    colour,
                    ..HardParams::default()
                };
                let (layout, s) = (hard_layout(&p), generate_hard(&p));
                let b = layout.saturated.expect("a saturated blob");
                let (w, h) = (p.width as usize, p.height as usize);
                let v = rgb(&s);
                let mut core = 0;
                for y in 0..h {
                    for x in 0..w {
                        if b.shape.distance(x as f64 + 0.5, y as f64 + 0.5) < 0.6 {
                            core += 1;
                            assert_eq!(v[(y * w + x) * 3], 255, "{colour:?} seed {seed}");
                            if colour == HardColour::Yellow {
                                assert_eq!(v[(y * w + x) * 3 + 1], 255);
                            }
                        }
                    }
                }
                assert!(core > 1000, "{colour:?} seed {seed}: {core} core pixels");
            }
        }
    }

    #[test]
    fn the_hole_is_dark_inside_its_brighter_rim() {
        for seed in 1..=3 {
            let p = HardParams {
                seed,
                ..HardParams::default()
            };
            let (layout, s) = (hard_layout(&p), generate_hard(&p));
            let o = layout.hole.expect("a hole");
            let (w, h) = (p.width as usize, p.height as usize);
            let v = rgb(&s);
            let (mut inside, mut rim) = ((0.0, 0usize), (0.0, 0usize));
            for y in 0..h {
                for x in 0..w {
                    let d = o.shape.distance(x as f64 + 0.5, y as f64 + 0.5);
                    let r = v[(y * w + x) * 3] as f64;
                    if d < 0.85 {
                        inside = (inside.0 + r, inside.1 + 1);
                    } else if (1.02..1.1).contains(&d) {
                        rim = (rim.0 + r, rim.1 + 1);
                    }
                }
            }
            assert!(
                inside.1 > 5000 && rim.1 > 200,
                "seed {seed}: {inside:?} {rim:?}"
            );
            let (inside, rim) = (inside.0 / inside.1 as f64, rim.0 / rim.1 as f64);
            assert!(inside < 2.0, "seed {seed}: mean {inside:.2} inside");
            assert!(rim > inside + 8.0, "seed {seed}: rim {rim:.1}");
        }
    }

    #[test]
    fn the_rat_scale_is_larger_with_larger_cells() {
        let mean_diameter = |s: &Synthetic| {
            s.cells
                .iter()
                .map(|c| 2.0 * (c.rx * c.ry).sqrt())
                .sum::<f64>()
                / s.cells.len() as f64
        };
        let area_per_cell = |s: &Synthetic| {
            s.truth.iter().filter(|&&v| v > 0).count() as f64 / s.cells.len() as f64
        };
        let mouse = generate_hard(&HardParams::default());
        let rat = generate_hard(&HardParams::rat());
        assert_eq!((rat.image.width(), rat.image.height()), (2272, 1704));
        assert_eq!(rat.truth.len(), 2272 * 1704);
        assert_eq!(rat.cells.len(), 36);
        let (dm, dr) = (mean_diameter(&mouse), mean_diameter(&rat));
        assert!((32.0..40.0).contains(&dm), "mouse {dm:.1} px");
        assert!((52.0..62.0).contains(&dr), "rat {dr:.1} px");
        assert!(area_per_cell(&rat) > 2.0 * area_per_cell(&mouse));
        assert_eq!(truth_objects(&rat) as usize, rat.cells.len());
    }

    #[test]
    fn jpeg_changes_the_pixels_not_the_truth() {
        let plain = generate_hard(&small(3));
        let jpeg = generate_hard(&HardParams {
            jpeg_quality: Some(75),
            ..small(3)
        });
        assert_eq!(jpeg.truth, plain.truth);
        assert_eq!(jpeg.cells, plain.cells);
        assert_eq!(rgb(&jpeg).len(), rgb(&plain).len());
        let changed = rgb(&jpeg)
            .iter()
            .zip(rgb(&plain))
            .filter(|(a, b)| a != b)
            .count();
        assert!(changed > rgb(&plain).len() / 4, "{changed} samples changed");
    }

    #[test]
    fn red_puts_the_signal_in_red_only_and_is_detected_by_colour() {
        use crate::count::presets::{Collection, detect_collection};
        let red = generate_hard(&HardParams {
            colour: HardColour::Red,
            ..small(4)
        });
        let v = rgb(&red);
        assert!(v.chunks_exact(3).all(|p| p[1] < 8 && p[2] < 8));
        assert!(v.chunks_exact(3).any(|p| p[0] == 255));
        assert_eq!(detect_collection(&red.image), Some(Collection::Red));
        let yellow = generate_hard(&small(4));
        assert_eq!(detect_collection(&yellow.image), Some(Collection::Yellow));
    }

    #[test]
    fn validate_names_what_is_out_of_range() {
        assert_eq!(HardParams::default().validate(), Ok(()));
        assert_eq!(HardParams::rat().validate(), Ok(()));
        let bad = |p: HardParams| p.validate().expect_err("invalid");
        let d = HardParams::default;
        assert!(
            bad(HardParams {
                jpeg_quality: Some(0),
                ..d()
            })
            .contains("JPEG quality")
        );
        assert!(
            bad(HardParams {
                jpeg_quality: Some(101),
                ..d()
            })
            .contains("1 to 100")
        );
        assert!(bad(HardParams { width: 0, ..d() }).contains("width and height"));
        assert!(
            bad(HardParams {
                height: 30_000,
                ..d()
            })
            .contains("width and height")
        );
        assert!(
            bad(HardParams {
                width: 20_000,
                height: 20_000,
                ..d()
            })
            .contains("pixels")
        );
        assert!(
            bad(HardParams {
                noise: f32::NAN,
                ..d()
            })
            .contains("noise")
        );
        assert!(
            bad(HardParams {
                touching: 1.5,
                ..d()
            })
            .contains("touching")
        );
        assert!(
            bad(HardParams {
                cell_diameter: 2.0,
                ..d()
            })
            .contains("diameter")
        );
        assert!(
            bad(HardParams {
                cells: 1_000_000,
                ..d()
            })
            .contains("cells")
        );
        assert!(
            bad(HardParams {
                neurites: 1_000_000,
                ..d()
            })
            .contains("neurites")
        );
    }

    #[test]
    fn out_of_range_values_are_clamped_not_panicked_on() {
        let s = generate_hard(&HardParams {
            width: 0,
            height: 0,
            cell_diameter: f32::NAN,
            noise: -3.0,
            touching: f32::INFINITY,
            jpeg_quality: Some(0),
            ..HardParams::default()
        });
        assert_eq!((s.image.width(), s.image.height()), (32, 32));
        let s = generate_hard(&HardParams {
            width: 40,
            height: 33,
            cell_diameter: 200.0,
            cells: 50,
            neurites: 30,
            ..HardParams::default()
        });
        assert_eq!(s.truth.len(), 40 * 33);
        assert_eq!(truth_objects(&s) as usize, s.cells.len());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        /// Each cell is one 4-connected true object holding its centre, whatever the seed,
        /// size, scale, crowding and colour.
        #[test]
        fn every_cell_is_one_true_object_holding_its_centre(
            seed in any::<u64>(),
            width in 64u32..520,
            height in 64u32..400,
            cells in 0u32..16,
            touching in 0.0f32..=1.0,
            diameter in 12.0f32..64.0,
            red in any::<bool>(),
            neurites in 0u32..6,
        ) {
            let s = generate_hard(&HardParams {
                seed,
                width,
                height,
                cells,
                touching,
                cell_diameter: diameter,
                colour: if red { HardColour::Red } else { HardColour::Yellow },
                neurites,
                ..HardParams::default()
            });
            prop_assert!(s.cells.len() <= cells as usize);
            prop_assert_eq!(truth_objects(&s) as usize, s.cells.len());
            prop_assert!(centres_in_truth(&s));
        }
    }
}
