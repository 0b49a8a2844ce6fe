//! A deterministic generator of synthetic fluorescence images with known cells.
//!
//! Yellow soft-edged elliptical cells of varied size and brightness on an uneven, noisy
//! background, some touching, some with dark centres, plus bright debris and faint unstained
//! blobs that are not cells. The true mask marks exactly the generated cells. Only `+ - * /` and
//! `sqrt` are used on floats, so the output is bit-identical natively and in WebAssembly.

use crate::imaging::image::Image;

/// Settings of the generator.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthParams {
    /// Random seed: the same seed gives the same image everywhere.
    pub seed: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of cells.
    pub cells: u32,
    /// Fraction of cells (0..=1) placed touching another cell.
    pub touching: f32,
    /// Standard deviation of the pixel noise, in grey levels.
    pub noise: f32,
    /// Number of small bright specks of debris.
    pub debris: u32,
    /// Number of faint, unannotated blobs.
    pub faint: u32,
}

impl SynthParams {
    /// Checks the settings against the generator's limits (those of the hard suite: sides 1 to
    /// 20,000, at most 40 million pixels, 2,000 cells, 20,000 debris or faint blobs, noise 0 to
    /// 40, touching 0 to 1), so that no setting makes it hang or overflow.
    ///
    /// # Errors
    /// What is out of range, in words.
    pub fn validate(&self) -> Result<(), String> {
        use crate::count::synth_hard::{
            HARD_MAX_CELLS, HARD_MAX_EXTRAS, HARD_MAX_NOISE, HARD_MAX_PIXELS,
        };
        if !(1..=20_000).contains(&self.width) || !(1..=20_000).contains(&self.height) {
            return Err("width and height must be 1 to 20000".into());
        }
        if u64::from(self.width) * u64::from(self.height) > HARD_MAX_PIXELS {
            return Err(format!(
                "the image must have at most {HARD_MAX_PIXELS} pixels (got {}x{})",
                self.width, self.height
            ));
        }
        if self.cells > HARD_MAX_CELLS {
            return Err(format!(
                "at most {HARD_MAX_CELLS} cells (got {})",
                self.cells
            ));
        }
        if self.debris > HARD_MAX_EXTRAS || self.faint > HARD_MAX_EXTRAS {
            return Err(format!("at most {HARD_MAX_EXTRAS} debris and faint blobs"));
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
        Ok(())
    }
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            seed: 1,
            width: 1600,
            height: 1200,
            cells: 40,
            touching: 0.3,
            noise: 6.0,
            debris: 30,
            faint: 8,
        }
    }
}

/// One generated cell (an ellipse).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// Semi-axis along (ux, uy).
    pub rx: f64,
    /// Semi-axis across.
    pub ry: f64,
    /// Unit vector of the first axis.
    pub ux: f64,
    /// Unit vector of the first axis.
    pub uy: f64,
    /// Peak brightness above background.
    pub peak: f64,
    /// A dimmer centre (stained cytoplasm around a dark nucleus).
    pub dark_centre: bool,
    /// Placed touching the previous cell.
    pub touching: bool,
}

impl Cell {
    /// Normalised elliptical distance of (px, py) from the centre (1 on the boundary).
    pub(crate) fn distance(&self, px: f64, py: f64) -> f64 {
        let (dx, dy) = (px - self.x, py - self.y);
        let u = dx * self.ux + dy * self.uy;
        let v = -dx * self.uy + dy * self.ux;
        ((u / self.rx) * (u / self.rx) + (v / self.ry) * (v / self.ry)).sqrt()
    }

    /// The larger semi-axis.
    pub(crate) fn extent(&self) -> f64 {
        self.rx.max(self.ry)
    }
}

/// A generated image with its truth.
#[derive(Clone, Debug)]
pub struct Synthetic {
    /// 8-bit RGB image.
    pub image: Image,
    /// True mask, 255 on cells and 0 elsewhere, one byte per pixel. Touching cells are
    /// separated by a background line, as a careful annotator draws them, so that each cell is
    /// one 4-connected object.
    pub truth: Vec<u8>,
    /// The cells, in generation order.
    pub cells: Vec<Cell>,
}

/// SplitMix64: small, fast, and the same on every platform.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Approximately standard normal (Irwin–Hall with four terms).
    pub(crate) fn normal(&mut self) -> f64 {
        (self.unit() + self.unit() + self.unit() + self.unit() - 2.0) * 1.732_050_807_568_877_2
    }
    /// A random unit vector.
    pub(crate) fn direction(&mut self) -> (f64, f64) {
        loop {
            let (a, b) = (self.range(-1.0, 1.0), self.range(-1.0, 1.0));
            let n = (a * a + b * b).sqrt();
            if n > 0.1 && n <= 1.0 {
                return (a / n, b / n);
            }
        }
    }
}

/// 0 below 0, 1 above 1, a smooth cubic between.
pub(crate) fn smoothstep(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Brightness profile of a cell at normalised distance d (1 at the nominal boundary).
pub(crate) fn profile(d: f64, dark_centre: bool) -> f64 {
    let edge = 1.0 - smoothstep((d - 0.85) / 0.3);
    if dark_centre {
        edge * (1.0 - 0.6 * (1.0 - smoothstep(d / 0.5)))
    } else {
        edge
    }
}

/// What [`place_cells`] draws: sizes, shapes and brightness of the cells, and how many touch.
pub(crate) struct Placement {
    pub(crate) width: f64,
    pub(crate) height: f64,
    /// Number of cells wanted (fewer when no room is found).
    pub(crate) cells: u32,
    /// Fraction of cells (0..=1) placed touching another cell.
    pub(crate) touching: f32,
    /// Range of the mean radius.
    pub(crate) radius: (f64, f64),
    /// Range of the ratio of the semi-axes' square root.
    pub(crate) elong: (f64, f64),
    /// Range of the peak brightness.
    pub(crate) peak: (f64, f64),
    /// Probability of a dark centre.
    pub(crate) dark_centre: f64,
    /// Least background gap between cells that do not touch.
    pub(crate) gap: f64,
}

/// Places cells, some touching in pairs. `allowed(cell, partner)` may refuse a position (it is
/// asked after every draw of an attempt, so it never changes the random sequence).
pub(crate) fn place_cells(
    p: &Placement,
    rng: &mut Rng,
    allowed: impl Fn(&Cell, Option<&Cell>) -> bool,
) -> Vec<Cell> {
    let (w, h) = (p.width, p.height);
    let mut cells: Vec<Cell> = Vec::new();
    let touching_target = (p.touching.clamp(0.0, 1.0) as f64 * p.cells as f64).round() as u32;
    let mut touching_done = 0u32;
    let mut attempts = 0u32;
    while (cells.len() as u32) < p.cells && attempts < p.cells.saturating_mul(400) {
        attempts += 1;
        let r = rng.range(p.radius.0, p.radius.1);
        let elong = rng.range(p.elong.0, p.elong.1);
        let (ux, uy) = rng.direction();
        let mut cell = Cell {
            x: 0.0,
            y: 0.0,
            rx: r * elong,
            ry: r / elong,
            ux,
            uy,
            peak: rng.range(p.peak.0, p.peak.1),
            dark_centre: rng.unit() < p.dark_centre,
            touching: false,
        };
        let partner = (touching_done < touching_target)
            .then(|| cells.last().filter(|c| !c.touching))
            .flatten()
            .cloned();
        if let Some(prev) = &partner {
            let (dx, dy) = rng.direction();
            let dist =
                (prev.extent().min(prev.rx.min(prev.ry) + 4.0) + cell.rx.min(cell.ry)) * 0.92;
            cell.x = prev.x + dx * dist;
            cell.y = prev.y + dy * dist;
            cell.touching = true;
        } else {
            cell.x = rng.range(cell.extent() + 3.0, w - cell.extent() - 3.0);
            cell.y = rng.range(cell.extent() + 3.0, h - cell.extent() - 3.0);
        }
        let e = cell.extent();
        if cell.x < e + 3.0 || cell.y < e + 3.0 || cell.x > w - e - 3.0 || cell.y > h - e - 3.0 {
            continue;
        }
        let clear = cells.iter().enumerate().all(|(i, o)| {
            let d = ((o.x - cell.x).powi(2) + (o.y - cell.y).powi(2)).sqrt();
            let is_partner = cell.touching && i + 1 == cells.len();
            is_partner || d > o.extent() + e + p.gap
        });
        if !clear || !allowed(&cell, partner.as_ref()) {
            continue;
        }
        if cell.touching {
            touching_done += 2;
        }
        cells.push(cell);
    }
    cells
}

/// Draws a cell's profile into `signal` (keeping the larger value) and, with `owner`, marks the
/// pixels inside it (normalised distance < 1) that no earlier cell owns.
pub(crate) fn stamp(
    signal: &mut [f64],
    (w, h): (usize, usize),
    owner: Option<(&mut [u32], u32)>,
    c: &Cell,
) {
    let e = c.extent() * 1.2 + 1.0;
    let (x0, x1) = (
        (c.x - e).floor().max(0.0) as usize,
        ((c.x + e).ceil().max(0.0) as usize).min(w),
    );
    let (y0, y1) = (
        (c.y - e).floor().max(0.0) as usize,
        ((c.y + e).ceil().max(0.0) as usize).min(h),
    );
    let mut owner = owner;
    for y in y0..y1 {
        for x in x0..x1 {
            let d = c.distance(x as f64 + 0.5, y as f64 + 0.5);
            let v = c.peak * profile(d, c.dark_centre);
            let s = &mut signal[y * w + x];
            *s = s.max(v);
            if d < 1.0
                && let Some((o, id)) = owner.as_mut()
                && o[y * w + x] == 0
            {
                o[y * w + x] = *id;
            }
        }
    }
}

/// The true mask from the owners (1-based cell numbers, 0 for none): a pixel touching
/// (4-neighbour) a pixel of an earlier cell is left out, so touching cells are separate objects.
pub(crate) fn separated_truth(owner: &[u32], (w, h): (usize, usize)) -> Vec<u8> {
    let mut truth = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let me = owner[y * w + x];
            if me == 0 {
                continue;
            }
            let earlier = |o: u32| o != 0 && o < me;
            let touches = (x > 0 && earlier(owner[y * w + x - 1]))
                || (x + 1 < w && earlier(owner[y * w + x + 1]))
                || (y > 0 && earlier(owner[(y - 1) * w + x]))
                || (y + 1 < h && earlier(owner[(y + 1) * w + x]));
            if !touches {
                truth[y * w + x] = 255;
            }
        }
    }
    truth
}

/// Bilinear interpolation of a coarse `nx` x `ny` grid stretched over a `w` x `h` image.
pub(crate) fn grid_at(
    grid: &[f64],
    n: (usize, usize),
    size: (usize, usize),
    x: usize,
    y: usize,
) -> f64 {
    grid_eased(grid, n, size, x, y, |t| t)
}

/// [`grid_at`] with the interpolation weights passed through `ease` (e.g. [`smoothstep`], which
/// leaves no creases along the grid lines).
pub(crate) fn grid_eased(
    grid: &[f64],
    (nx, ny): (usize, usize),
    (w, h): (usize, usize),
    x: usize,
    y: usize,
    ease: impl Fn(f64) -> f64,
) -> f64 {
    let gy = y as f64 / h.max(2) as f64 * (ny - 1) as f64;
    let (iy, fy) = (
        (gy as usize).min(ny - 2),
        ease(gy - (gy as usize).min(ny - 2) as f64),
    );
    let gx = x as f64 / w.max(2) as f64 * (nx - 1) as f64;
    let (ix, fx) = (
        (gx as usize).min(nx - 2),
        ease(gx - (gx as usize).min(nx - 2) as f64),
    );
    let g = |i: usize, j: usize| grid[j * nx + i];
    g(ix, iy) * (1.0 - fx) * (1.0 - fy)
        + g(ix + 1, iy) * fx * (1.0 - fy)
        + g(ix, iy + 1) * (1.0 - fx) * fy
        + g(ix + 1, iy + 1) * fx * fy
}

/// Generates an image and its truth.
///
/// ```
/// use fluocount::count::synth::{generate, SynthParams};
/// let s = generate(&SynthParams { width: 200, height: 150, cells: 3, ..SynthParams::default() });
/// assert_eq!(s.cells.len(), 3);
/// assert_eq!(s.truth.len(), 200 * 150);
/// ```
pub fn generate(p: &SynthParams) -> Synthetic {
    let mut rng = Rng(p.seed ^ 0x5EED_F00D_u64.wrapping_mul(0x1000_0000_01B3));
    let (w, h) = (p.width as usize, p.height as usize);
    let placement = Placement {
        width: p.width as f64,
        height: p.height as f64,
        cells: p.cells,
        touching: p.touching,
        radius: (13.0, 23.0),
        elong: (0.8, 1.2),
        peak: (100.0, 200.0),
        dark_centre: 0.25,
        gap: 14.0,
    };
    let cells = place_cells(&placement, &mut rng, |_, _| true);

    // Uneven background: bilinear interpolation of a coarse random grid.
    const GX: usize = 6;
    const GY: usize = 5;
    let grid: Vec<f64> = (0..GX * GY).map(|_| rng.range(14.0, 42.0)).collect();
    let mut signal = vec![0f64; w * h];
    // The cell (1-based) owning each pixel of the truth; the first stamped keeps an overlap.
    let mut owner = vec![0u32; w * h];
    for (i, c) in cells.iter().enumerate() {
        stamp(&mut signal, (w, h), Some((&mut owner, i as u32 + 1)), c);
    }
    let truth = separated_truth(&owner, (w, h));
    // Bright debris specks, then faint unannotated blobs: round, not in the truth.
    let blobs = [
        (p.debris, (1.5, 3.5), (120.0, 220.0)),
        (p.faint, (12.0, 20.0), (12.0, 24.0)),
    ];
    for (n, (r0, r1), (p0, p1)) in blobs {
        for _ in 0..n {
            let r = rng.range(r0, r1);
            let c = Cell {
                x: rng.range(0.0, w as f64),
                y: rng.range(0.0, h as f64),
                rx: r,
                ry: r,
                ux: 1.0,
                uy: 0.0,
                peak: rng.range(p0, p1),
                dark_centre: false,
                touching: false,
            };
            stamp(&mut signal, (w, h), None, &c);
        }
    }

    let noise = p.noise.max(0.0) as f64;
    let mut rgb = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let bg = grid_at(&grid, (GX, GY), (w, h), x, y);
            let s = signal[y * w + x];
            let o = (y * w + x) * 3;
            rgb[o] = to_u8(bg + s + noise * rng.normal());
            rgb[o + 1] = to_u8(bg * 0.95 + s * 0.97 + noise * rng.normal());
            rgb[o + 2] = to_u8(bg * 0.45 + s * 0.12 + noise * rng.normal());
        }
    }
    Synthetic {
        image: Image::rgb8(p.width, p.height, rgb),
        truth,
        cells,
    }
}

/// Rounds to the nearest grey level, clipped to 0..=255.
pub(crate) fn to_u8(v: f64) -> u8 {
    (v + 0.5).clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_image_other_seed_other_image() {
        let p = SynthParams {
            width: 300,
            height: 200,
            cells: 5,
            ..SynthParams::default()
        };
        let a = generate(&p);
        assert_eq!(a.image, generate(&p).image);
        let b = generate(&SynthParams { seed: 2, ..p });
        assert_ne!(a.image, b.image);
    }

    #[test]
    fn places_the_requested_cells_with_the_requested_touching_pairs() {
        let s = generate(&SynthParams::default());
        assert_eq!(s.cells.len(), 40);
        let touching = s.cells.iter().filter(|c| c.touching).count();
        assert_eq!(touching, 6, "12 of 40 cells are in 6 touching pairs");
        assert!(s.truth.contains(&255));
    }

    #[test]
    fn touching_cells_are_separate_objects_in_the_truth() {
        let p = SynthParams::default();
        let s = generate(&p);
        let bits: Vec<bool> = s.truth.iter().map(|&v| v > 0).collect();
        let mask = crate::imaging::BitMask::from_bools(p.width, p.height, &bits);
        let objects = crate::imaging::label::label(&mask, crate::imaging::Connectivity::Four).count;
        assert_eq!(
            objects as usize,
            s.cells.len(),
            "one 4-connected truth object per cell"
        );
    }
}
