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
        Cell, Placement, Rng, Synthetic, grid_at, grid_eased, place_cells, separated_truth,
        smoothstep, stamp, to_u8,
    },
    imaging::image::Image,
};

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

/// A round shape with a wavy outline: its radius varies with the angle by harmonics 1 to 3.
#[derive(Clone, Debug, PartialEq)]
pub struct Wavy {
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// Mean radius.
    pub r: f64,
    /// Cosine and sine amplitudes of harmonics 1, 2 and 3, as fractions of `r`.
    pub waves: [f64; 6],
}

impl Wavy {
    fn random(rng: &mut Rng, x: f64, y: f64, r: f64) -> Wavy {
        let mut waves = [0.0; 6];
        for a in &mut waves {
            *a = rng.range(-0.07, 0.07);
        }
        Wavy { x, y, r, waves }
    }

    /// Normalised distance of (px, py) from the centre: 1 on the outline.
    pub fn distance(&self, px: f64, py: f64) -> f64 {
        let (dx, dy) = (px - self.x, py - self.y);
        let d = (dx * dx + dy * dy).sqrt();
        if d < 1e-9 {
            return 0.0;
        }
        // cos and sin of the angle and of its double and triple, without trigonometry.
        let (c1, s1) = (dx / d, dy / d);
        let (c2, s2) = (c1 * c1 - s1 * s1, 2.0 * c1 * s1);
        let (c3, s3) = (c1 * c2 - s1 * s2, s1 * c2 + c1 * s2);
        let w = &self.waves;
        let r =
            self.r * (1.0 + w[0] * c1 + w[1] * s1 + w[2] * c2 + w[3] * s2 + w[4] * c3 + w[5] * s3);
        d / r
    }

    /// The largest radius of the outline.
    pub fn reach(&self) -> f64 {
        self.r * (1.0 + self.waves.iter().map(|a| a.abs()).sum::<f64>())
    }
}

/// One branch of a neurite tree: a polyline of constant width and brightness.
#[derive(Clone, Debug, PartialEq)]
pub struct Neurite {
    /// The centre line.
    pub points: Vec<(f64, f64)>,
    /// Width at half maximum, in pixels.
    pub width: f64,
    /// Brightness above background on the centre line.
    pub peak: f64,
}

/// The side of the image a tissue edge runs along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// y = 0.
    Top,
    /// y = height.
    Bottom,
    /// x = 0.
    Left,
    /// x = width.
    Right,
}

/// A bright band along one side of the image, like the edge of a slice; its inner boundary wavers.
#[derive(Clone, Debug, PartialEq)]
pub struct TissueEdge {
    /// The side it runs along.
    pub side: Side,
    /// Mean depth of the band from the side, in pixels.
    pub depth: f64,
    /// Width of the soft inner boundary, in pixels.
    pub soft: f64,
    /// Brightness above background inside the band (before its texture).
    pub peak: f64,
    /// Offsets of the inner boundary at evenly spaced points along the side, in pixels.
    pub wiggle: Vec<f64>,
}

impl TissueEdge {
    /// How much of the band is at (x, y) in a `w` x `h` image: 1 inside, 0 beyond it.
    pub fn level(&self, x: f64, y: f64, (w, h): (f64, f64)) -> f64 {
        let (t, along, length) = match self.side {
            Side::Top => (y, x, w),
            Side::Bottom => (h - y, x, w),
            Side::Left => (x, y, h),
            Side::Right => (w - x, y, h),
        };
        let k = self.wiggle.len();
        let wiggle = if k < 2 {
            0.0
        } else {
            let g = (along / length.max(1.0)).clamp(0.0, 1.0) * (k - 1) as f64;
            let i = (g as usize).min(k - 2);
            let f = smoothstep(g - i as f64);
            self.wiggle[i] * (1.0 - f) + self.wiggle[i + 1] * f
        };
        let boundary = self.depth + wiggle;
        1.0 - smoothstep((t - boundary + self.soft * 0.5) / self.soft)
    }
}

/// A bright blob whose core is clipped at 255.
#[derive(Clone, Debug, PartialEq)]
pub struct Saturated {
    /// Its outline; the core (normalised distance below 0.7) is at `peak`, fading out by 1.3.
    pub shape: Wavy,
    /// Brightness above background in the core (well above 255).
    pub peak: f64,
}

/// A black hole in the tissue: everything inside its outline is near zero.
#[derive(Clone, Debug, PartialEq)]
pub struct Hole {
    /// Its outline.
    pub shape: Wavy,
    /// Brightness of the rim just outside the outline.
    pub rim: f64,
}

/// Where everything of a hard image is: the geometry [`generate_hard`] draws.
#[derive(Clone, Debug, PartialEq)]
pub struct HardLayout {
    /// Width and height, after clamping.
    pub size: (u32, u32),
    /// The cells (the only things in the truth), in generation order.
    pub cells: Vec<Cell>,
    /// The branches of all neurite trees.
    pub neurites: Vec<Neurite>,
    /// The tissue edge.
    pub edge: Option<TissueEdge>,
    /// The saturated blob.
    pub saturated: Option<Saturated>,
    /// The hole (none when there is no room for it beside the saturated blob).
    pub hole: Option<Hole>,
    /// The faint unannotated blobs.
    pub faint: Vec<Cell>,
    /// The debris specks.
    pub debris: Vec<Cell>,
}

/// Whether the cell's pixels in the truth (inside it, neither in its partner nor 4-next to it) are
/// one 4-connected piece holding the pixel of its centre, as [`separated_truth`] will draw them.
fn truth_region_ok(c: &Cell, partner: Option<&Cell>) -> bool {
    let e = c.extent() + 2.0;
    let (x0, y0) = ((c.x - e).floor() as i64, (c.y - e).floor() as i64);
    let n = (2.0 * e).ceil() as i64 + 2;
    let in_partner =
        |x: i64, y: i64| partner.is_some_and(|p| p.distance(x as f64 + 0.5, y as f64 + 0.5) < 1.0);
    let kept = |x: i64, y: i64| {
        c.distance(x as f64 + 0.5, y as f64 + 0.5) < 1.0
            && !in_partner(x, y)
            && !in_partner(x - 1, y)
            && !in_partner(x + 1, y)
            && !in_partner(x, y - 1)
            && !in_partner(x, y + 1)
    };
    let side = n as usize;
    let mut cell = vec![false; side * side];
    let mut total = 0usize;
    for j in 0..n {
        for i in 0..n {
            if kept(x0 + i, y0 + j) {
                cell[j as usize * side + i as usize] = true;
                total += 1;
            }
        }
    }
    let (cx, cy) = (c.x.floor() as i64 - x0, c.y.floor() as i64 - y0);
    if !(0..n).contains(&cx) || !(0..n).contains(&cy) || !cell[cy as usize * side + cx as usize] {
        return false;
    }
    let mut stack = vec![(cx as usize, cy as usize)];
    cell[cy as usize * side + cx as usize] = false;
    let mut reached = 0usize;
    while let Some((x, y)) = stack.pop() {
        reached += 1;
        let mut visit = |x: usize, y: usize| {
            if cell[y * side + x] {
                cell[y * side + x] = false;
                stack.push((x, y));
            }
        };
        if x > 0 {
            visit(x - 1, y);
        }
        if x + 1 < side {
            visit(x + 1, y);
        }
        if y > 0 {
            visit(x, y - 1);
        }
        if y + 1 < side {
            visit(x, y + 1);
        }
    }
    reached == total
}

/// A unit vector turned from (hx, hy) towards its left by about `turn` radians.
fn turned((hx, hy): (f64, f64), turn: f64) -> (f64, f64) {
    let (x, y) = (hx - turn * hy, hy + turn * hx);
    let n = (x * x + y * y).sqrt();
    (x / n, y / n)
}

/// The neurite trees: each starts on a cell's boundary (and leaves it) or on a line through a
/// cell (and crosses it), curves slowly and branches at least once.
fn grow_neurites(
    p: &HardParams,
    rng: &mut Rng,
    cells: &[Cell],
    (w, h): (f64, f64),
) -> Vec<Neurite> {
    let s = p.scale();
    let step = 4.0 * s;
    let margin = 20.0 * s;
    let dimmest = cells.iter().map(|c| c.peak).fold(f64::INFINITY, f64::min);
    let mut out = Vec::new();
    for k in 0..p.neurites {
        let (dx, dy) = rng.direction();
        let (start, heading) = if cells.is_empty() {
            ((rng.range(0.0, w), rng.range(0.0, h)), (dx, dy))
        } else {
            let c = &cells[(rng.next() % cells.len() as u64) as usize];
            if k == 0 || rng.unit() < 0.6 {
                // From just inside the boundary, outwards: the normalised distance grows
                // linearly along a ray from the centre.
                let t = 0.9 / c.distance(c.x + dx, c.y + dy).max(1e-9);
                ((c.x + dx * t, c.y + dy * t), (dx, dy))
            } else {
                let back = rng.range(80.0, 200.0) * s;
                ((c.x - dx * back, c.y - dy * back), (dx, dy))
            }
        };
        let width = (rng.range(3.0, 5.7) * s).clamp(3.0, 9.0);
        // The first tree is brighter than the dimmest cell.
        let peak = if k == 0 && dimmest.is_finite() {
            dimmest + rng.range(10.0, 40.0)
        } else {
            rng.range(20.0, 95.0)
        };
        let length = rng.range(180.0, 480.0) * s;
        let mut stack = vec![(start, heading, width, peak, length, 0u32)];
        while let Some(((mut x, mut y), mut h_dir, width, peak, length, depth)) = stack.pop() {
            let steps = (length / step) as usize;
            let forced = if depth == 0 {
                (steps as f64 * rng.range(0.2, 0.6)) as usize
            } else {
                usize::MAX
            };
            let mut turn = rng.range(-0.03, 0.03);
            let mut points = vec![(x, y)];
            for i in 0..steps {
                turn = (turn + rng.normal() * 0.015).clamp(-0.06, 0.06);
                h_dir = turned(h_dir, turn);
                x += h_dir.0 * step;
                y += h_dir.1 * step;
                points.push((x, y));
                if x < -margin || y < -margin || x > w + margin || y > h + margin {
                    break;
                }
                if i == forced || (depth < 2 && rng.unit() < 0.012) {
                    let side = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
                    let child = turned(h_dir, side * rng.range(0.5, 1.3));
                    stack.push((
                        (x, y),
                        child,
                        (width * rng.range(0.65, 0.9)).max(3.0),
                        peak * rng.range(0.6, 0.95),
                        (length - i as f64 * step) * rng.range(0.5, 0.9) + 5.0 * step,
                        depth + 1,
                    ));
                }
            }
            if points.len() >= 2 {
                out.push(Neurite {
                    points,
                    width,
                    peak,
                });
            }
        }
    }
    out
}

/// Round blobs (slightly elliptical) of radius and brightness in the given ranges, anywhere.
fn blobs(
    rng: &mut Rng,
    n: u32,
    (r0, r1): (f64, f64),
    (p0, p1): (f64, f64),
    (w, h): (f64, f64),
) -> Vec<Cell> {
    (0..n)
        .map(|_| {
            let r = rng.range(r0, r1);
            let elong = rng.range(0.85, 1.15);
            let (ux, uy) = rng.direction();
            Cell {
                x: rng.range(0.0, w),
                y: rng.range(0.0, h),
                rx: r * elong,
                ry: r / elong,
                ux,
                uy,
                peak: rng.range(p0, p1),
                dark_centre: false,
                touching: false,
            }
        })
        .collect()
}

/// The geometry of a hard image: where its cells, neurites, edge, saturated blob, hole, faint
/// blobs and debris are. [`generate_hard`] draws exactly this.
pub fn hard_layout(p: &HardParams) -> HardLayout {
    let p = p.clamped();
    let s = p.scale();
    let (w, h) = (p.width as f64, p.height as f64);
    let mut rng = Rng(p.seed ^ 0x4A5D_C0DE_u64.wrapping_mul(0x1000_0000_01B3));

    let edge = p.edge.then(|| {
        let side = [Side::Top, Side::Bottom, Side::Left, Side::Right][(rng.next() % 4) as usize];
        let across = if matches!(side, Side::Top | Side::Bottom) {
            h
        } else {
            w
        };
        let depth = rng.range(0.06, 0.12) * across;
        let wiggle = (0..8).map(|_| rng.range(-0.35, 0.35) * depth).collect();
        TissueEdge {
            side,
            depth,
            soft: depth * 0.5,
            peak: rng.range(110.0, 190.0),
            wiggle,
        }
    });

    let saturated = p.saturated.then(|| {
        let r = rng.range(45.0, 80.0) * s;
        let x = if w > 2.0 * r {
            rng.range(r, w - r)
        } else {
            w * 0.5
        };
        let y = if h > 2.0 * r {
            rng.range(r, h - r)
        } else {
            h * 0.5
        };
        Saturated {
            shape: Wavy::random(&mut rng, x, y, r),
            peak: rng.range(420.0, 480.0),
        }
    });

    let hole = if p.hole {
        let r = rng.range(85.0, 150.0) * s;
        let shape = Wavy::random(&mut rng, 0.0, 0.0, r);
        let rim = rng.range(12.0, 28.0);
        // Partly off the image is fine; its outline keeps clear of the saturated core.
        (0..100)
            .map(|_| {
                (
                    rng.range(-0.3 * r, w + 0.3 * r),
                    rng.range(-0.3 * r, h + 0.3 * r),
                )
            })
            .find(|&(x, y)| {
                saturated.as_ref().is_none_or(|b| {
                    let d = ((x - b.shape.x) * (x - b.shape.x) + (y - b.shape.y) * (y - b.shape.y))
                        .sqrt();
                    d >= shape.reach() * 1.03 + b.shape.reach() * 0.7 + 2.0
                })
            })
            .map(|(x, y)| Hole {
                shape: Wavy { x, y, ..shape },
                rim,
            })
    } else {
        None
    };

    let placement = Placement {
        width: w,
        height: h,
        cells: p.cells,
        touching: p.touching,
        radius: (13.0 * s, 23.0 * s),
        elong: (0.8, 1.2),
        peak: (30.0, 170.0),
        dark_centre: 0.25,
        gap: 14.0 * s,
    };
    let far = |c: &Cell, shape: &Wavy, factor: f64| {
        let d = ((c.x - shape.x) * (c.x - shape.x) + (c.y - shape.y) * (c.y - shape.y)).sqrt();
        d >= shape.reach() * factor + c.extent()
    };
    let cells = place_cells(&placement, &mut rng, |c, partner| {
        edge.as_ref()
            .is_none_or(|e| e.level(c.x, c.y, (w, h)) <= 0.02)
            && saturated.as_ref().is_none_or(|b| far(c, &b.shape, 1.3))
            && hole.as_ref().is_none_or(|o| far(c, &o.shape, 1.2))
            && truth_region_ok(c, partner)
    });

    let neurites = grow_neurites(&p, &mut rng, &cells, (w, h));
    let faint = blobs(&mut rng, p.faint, (12.0 * s, 22.0 * s), (8.0, 22.0), (w, h));
    let debris = blobs(
        &mut rng,
        p.debris,
        (1.5 * s, 3.5 * s),
        (100.0, 220.0),
        (w, h),
    );
    HardLayout {
        size: (p.width, p.height),
        cells,
        neurites,
        edge,
        saturated,
        hole,
        faint,
        debris,
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
