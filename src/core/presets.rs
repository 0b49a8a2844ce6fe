//! Presets for the dataset's three collections and the choice of a collection from an image's
//! colour. How each preset was chosen is documented in the README ("Presets").

use super::{
    autothreshold::AutoMethod,
    channel::Channel,
    image::{Image, Pixels},
    local_threshold::LocalMethod,
    params::{Params, ThresholdMethod},
};
use std::{fmt, str::FromStr};

/// A collection of the Fluorescent Neuronal Cells dataset, by stain colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    /// v1 and v2 yellow: CTb stain, signal in red and green.
    Yellow,
    /// v2 red: signal in the red channel.
    Red,
    /// v2 green: nuclear marker, signal in the green channel.
    Green,
}

impl Collection {
    /// Every collection.
    pub const ALL: [Collection; 3] = [Collection::Yellow, Collection::Red, Collection::Green];

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
/// (the top 1% by their largest channel): green over red above 2.5 is green, below 0.35 is red,
/// in between yellow. Grey images (one channel, or R = G = B) are `None`.
///
/// On the dataset's samples the ratio is 0.77 and 0.81 (yellow), 0.04 (red) and 18.7 (green).
pub fn detect_collection(image: &Image) -> Option<Collection> {
    let channels = image.layout().channels();
    if channels < 3 {
        return None;
    }
    let get = |i: usize, c: usize| -> u32 {
        match image.pixels() {
            Pixels::U8(p) => p[i * channels + c] as u32,
            Pixels::U16(p) => (p[i * channels + c] >> 8) as u32,
        }
    };
    let n = image.width() as usize * image.height() as usize;
    if n == 0 {
        return None;
    }
    // Histogram of the largest channel, to find the top 1%.
    let mut hist = [0usize; 256];
    for i in 0..n {
        hist[get(i, 0).max(get(i, 1)).max(get(i, 2)) as usize] += 1;
    }
    let mut cut = 255;
    let mut above = 0;
    while cut > 0 && above + hist[cut] < n.div_ceil(100) {
        above += hist[cut];
        cut -= 1;
    }
    let (mut r, mut g, mut b) = (0u64, 0u64, 0u64);
    for i in 0..n {
        let (pr, pg, pb) = (get(i, 0), get(i, 1), get(i, 2));
        if pr.max(pg).max(pb) as usize >= cut {
            r += pr as u64;
            g += pg as u64;
            b += pb as u64;
        }
    }
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

    fn solid(r: u8, g: u8, b: u8) -> Image {
        Image::rgb8(4, 4, [r, g, b].repeat(16))
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
