//! Presets for the dataset's three collections and the choice of a collection from an image's
//! colour. How each preset was chosen is documented in the README ("Presets").

use crate::{
    count::params::{Diameter, Params, SizeKey, ThresholdMethod},
    imaging::{
        channel::Channel,
        image::{Image, Pixels},
        threshold::global::AutoMethod,
        threshold::local::LocalMethod,
    },
};
use std::{fmt, str::FromStr};

/// A collection of the Fluorescent Neuronal Cells dataset, by stain colour. The default, yellow,
/// is the preset of an image whose colour names none (a grey image).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Collection {
    /// v1 and v2 yellow: CTb stain, signal in red and green.
    #[default]
    Yellow,
    /// v2 red: signal in the red channel.
    Red,
    /// v2 green: nuclear marker, signal in the green channel.
    Green,
}

impl Collection {
    /// Every collection.
    pub const ALL: [Collection; 3] = [Collection::Yellow, Collection::Red, Collection::Green];

    /// The collection whose preset an image is counted with: the one [`detect_collection`] finds
    /// from its colour, the default (yellow) for a grey image.
    pub fn of_image(image: &Image) -> Collection {
        detect_collection(image).unwrap_or_default()
    }

    /// The stable name (`yellow`, `red`, `green`).
    pub fn name(self) -> &'static str {
        match self {
            Collection::Yellow => "yellow",
            Collection::Red => "red",
            Collection::Green => "green",
        }
    }

    /// The preset's parameters. How they were chosen: README, "Presets".
    pub fn preset(self) -> Params {
        cell_bodies(self.base_preset())
    }

    /// The preset as first chosen on the mouse samples, at the reference diameter of 36 px, before
    /// the cell-body settings (the diameter given as 36 px, so it is not estimated): the
    /// benchmarks' peer.
    pub fn base_preset(self) -> Params {
        // Shared: cells are about 36 px across, 230 to 9400 px in area (median 1100), so a
        // 300 px minimum drops debris and dendrite fragments while keeping nearly every cell;
        // touching cells are split on the distance map.
        let base = Params {
            split: true,
            prominence: 1.0,
            seed_distance: 10.0,
            min_area: 300,
            ..Params::default()
        };
        match self {
            // A bright, saturated region beside dim cells defeats any global level: Phansalkar's
            // local threshold (radius 15, no smoothing) follows the local background.
            Collection::Yellow => Params {
                channel: Channel::Yellow,
                sigma: 0.0,
                method: ThresholdMethod::Local(LocalMethod::Phansalkar),
                local_radius: 15,
                ..base
            },
            // A textured, uneven background: rolling ball 50 px, then Yen's level.
            Collection::Red => Params {
                channel: Channel::Red,
                background: 50,
                method: ThresholdMethod::Auto(AutoMethod::Yen),
                ..base
            },
            // No mask to tune on: the red preset's background correction, with Triangle's level,
            // which picks the 16 brightly stained nuclei seen on the sample (Yen's keeps only 2).
            Collection::Green => Params {
                channel: Channel::Green,
                background: 50,
                method: ThresholdMethod::Auto(AutoMethod::Triangle),
                ..base
            },
        }
    }
}

/// The cell-body settings every preset shares, chosen by `fluocount eval --cv` (leave one image
/// out over the real samples, with the hard synthetic suite always in training and counting as
/// much as the real images; README, "Presets"): the diameter is estimated per image and the size
/// settings that are on follow it (at 36 px they are the values first chosen); an object must be
/// at least 0.3 expected radii thick (fibres are thinner), blob-shaped at the cell scale (blob
/// measure at least 0.3: fibres and tissue edges are ridges), and at least 3 robust spreads
/// brighter than the image's median; what splitting leaves 1.8 expected radii thick or more is
/// split again by its brightness (a clump of cell bodies).
fn cell_bodies(p: Params) -> Params {
    let background = p.background > 0;
    let mut out = Params {
        diameter: Diameter::Auto,
        min_thickness: 0.3,
        min_blob: 0.3,
        min_brightness: 3.0,
        resplit: 1.8,
        ..p
    };
    // Through `set`, as the text form does, so that a preset reads back from its text unchanged.
    for key in [
        SizeKey::LocalRadius,
        SizeKey::Open,
        SizeKey::SeedDistance,
        SizeKey::MinArea,
    ]
    .into_iter()
    .chain(background.then_some(SizeKey::Background))
    {
        let _ = out.set(key.key(), "auto");
    }
    out
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Collection {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Collection::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or(())
    }
}

/// The collection an image most likely comes from, judged by the colour of its brightest pixels
/// (the top 1% by their largest channel) among a quarter of them, every other pixel of every
/// other row: green over red above 2.5 is green, below 0.35 is red, in between yellow. Grey
/// images (one channel, or R = G = B) are `None`.
///
/// On the dataset's samples the ratio is 0.77 and 0.81 (yellow), 0.04 (red) and 17.9 (green).
pub fn detect_collection(image: &Image) -> Option<Collection> {
    let channels = image.layout().channels();
    if channels < 3 {
        return None;
    }
    let (w, h) = (image.width() as usize, image.height() as usize);
    // The sample: pixels (x, y) with x and y even. Cells are about 36 px across, so it holds
    // every cell's colour; the classes are far apart (ratios 0.04, 0.8 and 17.9, against
    // boundaries 0.35 and 2.5).
    // JUSTIFICATION: scripts/wasm-stages.sh, detection on a batch image 4.4 -> 1.5 ms.
    let n = w.div_ceil(2) * h.div_ceil(2);
    if n == 0 {
        return None;
    }
    let stride = w * channels;
    // One pass: the histogram of the largest channel (8-bit units), with the channel sums of the
    // pixels in each bin, so the sums of the top 1% need no second pass.
    // JUSTIFICATION: examples/wasm_stages.rs (7.3 ms of a batch image in wasm with two passes).
    let mut hist = [0usize; 256];
    let mut sums = [[0u64; 3]; 256];
    fn add(hist: &mut [usize; 256], sums: &mut [[u64; 3]; 256], r: u32, g: u32, b: u32) {
        let m = r.max(g).max(b) as usize;
        hist[m] += 1;
        let s = &mut sums[m];
        s[0] += u64::from(r);
        s[1] += u64::from(g);
        s[2] += u64::from(b);
    }
    match image.pixels() {
        Pixels::U8(p) => {
            for px in p
                .chunks_exact(stride)
                .step_by(2)
                .flat_map(|row| row.chunks_exact(channels).step_by(2))
            {
                add(
                    &mut hist,
                    &mut sums,
                    px[0].into(),
                    px[1].into(),
                    px[2].into(),
                );
            }
        }
        Pixels::U16(p) => {
            for px in p
                .chunks_exact(stride)
                .step_by(2)
                .flat_map(|row| row.chunks_exact(channels).step_by(2))
            {
                let c = |v: u16| u32::from(v >> 8);
                add(&mut hist, &mut sums, c(px[0]), c(px[1]), c(px[2]));
            }
        }
    }
    let mut cut = 255;
    let mut above = 0;
    while cut > 0 && above + hist[cut] < n.div_ceil(100) {
        above += hist[cut];
        cut -= 1;
    }
    let (mut r, mut g, mut b) = (0u64, 0u64, 0u64);
    for s in &sums[cut..] {
        r += s[0];
        g += s[1];
        b += s[2];
    }
    collection_of_sums(r, g, b)
}

/// The collection of the channel sums of an image's brightest pixels (see [`detect_collection`]).
fn collection_of_sums(r: u64, g: u64, b: u64) -> Option<Collection> {
    if r == g && g == b {
        return None;
    }
    let ratio = g as f64 / r.max(1) as f64;
    Some(if ratio > 2.5 {
        Collection::Green
    } else if ratio < 0.35 {
        Collection::Red
    } else {
        Collection::Yellow
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::image::Layout;

    fn solid(r: u8, g: u8, b: u8) -> Image {
        Image::rgb8(4, 4, [r, g, b].repeat(16))
    }

    /// The definition, in two passes: the top 1% by largest channel of the pixels at even
    /// coordinates, then their channel sums (classified by the same rule).
    fn naive(image: &Image) -> Option<Collection> {
        let ch = image.layout().channels();
        if ch < 3 {
            return None;
        }
        let w = image.width() as usize;
        let sampled = |i: &usize| (i % w).is_multiple_of(2) && (i / w).is_multiple_of(2);
        let px: Vec<[u32; 3]> = match image.pixels() {
            Pixels::U8(p) => p
                .chunks_exact(ch)
                .enumerate()
                .filter(|(i, _)| sampled(i))
                .map(|(_, p)| [p[0], p[1], p[2]].map(u32::from))
                .collect(),
            Pixels::U16(p) => p
                .chunks_exact(ch)
                .enumerate()
                .filter(|(i, _)| sampled(i))
                .map(|(_, p)| [p[0], p[1], p[2]].map(|v| u32::from(v >> 8)))
                .collect(),
        };
        if px.is_empty() {
            return None;
        }
        let mut maxes: Vec<u32> = px.iter().map(|p| p[0].max(p[1]).max(p[2])).collect();
        maxes.sort_unstable();
        // The bin at which the count from the top first reaches 1% (or bin 0).
        let need = px.len().div_ceil(100);
        let cut = (0..=255u32)
            .rev()
            .find(|&c| maxes.iter().filter(|&&m| m >= c).count() >= need)
            .unwrap_or(0);
        let sum = |k: usize| -> u64 {
            px.iter()
                .filter(|p| p[0].max(p[1]).max(p[2]) >= cut)
                .map(|p| u64::from(p[k]))
                .sum()
        };
        collection_of_sums(sum(0), sum(1), sum(2))
    }

    #[test]
    fn detection_matches_its_two_pass_definition() {
        let mut next = crate::util::testing::xorshift(0x2545_f491_4f6c_dd1d);
        for case in 0..300 {
            let (w, h) = (1 + next() % 40, 1 + next() % 30);
            let n = (w * h) as usize;
            // Dark fields with a few coloured bright pixels, of every hue and depth.
            let (hr, hg, hb) = (next() % 256, next() % 256, next() % 256);
            let mut rgb: Vec<u16> = Vec::with_capacity(n * 3);
            for _ in 0..n {
                let bright = next().is_multiple_of(50);
                for hue in [hr, hg, hb] {
                    let v = if bright { hue } else { next() % 30 };
                    rgb.push(v as u16);
                }
            }
            let (w, h) = (w as u32, h as u32);
            let image = if case % 2 == 0 {
                Image::rgb8(w, h, rgb.iter().map(|&v| v as u8).collect())
            } else {
                let rgba: Vec<u16> = rgb
                    .chunks_exact(3)
                    .flat_map(|p| [p[0] * 257, p[1] * 257, p[2] * 257, 65535])
                    .collect();
                Image::new(w, h, Layout::Rgba, Pixels::U16(rgba))
            };
            assert_eq!(detect_collection(&image), naive(&image), "case {case}");
        }
    }

    #[test]
    fn colours_choose_collections() {
        assert_eq!(
            detect_collection(&solid(200, 160, 10)),
            Some(Collection::Yellow)
        );
        assert_eq!(detect_collection(&solid(60, 2, 1)), Some(Collection::Red));
        assert_eq!(
            detect_collection(&solid(4, 80, 18)),
            Some(Collection::Green)
        );
        assert_eq!(detect_collection(&solid(90, 90, 90)), None);
        assert_eq!(
            detect_collection(&Image::gray8(2, 2, vec![1, 2, 3, 4])),
            None
        );
        // The preset an image gets: its colour's, yellow for grey.
        assert_eq!(Collection::of_image(&solid(60, 2, 1)), Collection::Red);
        assert_eq!(Collection::of_image(&solid(90, 90, 90)), Collection::Yellow);
        assert_eq!(Collection::default(), Collection::Yellow);
    }

    #[test]
    fn every_preset_reads_back_from_its_text() {
        for c in Collection::ALL {
            let p = c.preset();
            assert_eq!(
                Params::from_query(&p.to_query()),
                (p.clone(), vec![]),
                "{c}"
            );
            assert!(!p.follow.is_empty());
        }
    }

    #[test]
    fn only_the_brightest_pixels_count() {
        // A dim green background with a few bright red cells is red.
        let mut px = [0u8, 30, 0].repeat(1000);
        for i in 0..10 {
            px[i * 3] = 250;
            px[i * 3 + 1] = 5;
        }
        assert_eq!(
            detect_collection(&Image::rgb8(100, 10, px)),
            Some(Collection::Red)
        );
    }

    #[test]
    fn names_read_back() {
        for c in Collection::ALL {
            assert_eq!(c.name().parse(), Ok(c));
            assert!(c.preset().split, "every preset splits touching cells");
        }
    }
}
