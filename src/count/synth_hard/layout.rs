//! Where the hard suite's features go: the cells, branching neurites, the tissue edge, the
//! saturated blob, the hole and the faint blobs, as geometry ([`hard_layout`]); the parent module
//! draws them.

use super::HardParams;
use crate::count::synth::{Cell, Placement, Rng, place_cells, smoothstep};

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
