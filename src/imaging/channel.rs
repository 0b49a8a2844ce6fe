//! The intensity channel that the pipeline analyses, as a single-channel [`Plane`].

use crate::imaging::image::{BitDepth, Image, Layout, Pixels};
use std::{fmt, str::FromStr};

/// Which intensity the analysis sees. Grey images give their grey value for every choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Channel {
    /// (R + G) / 2, rounded down: the stain of the yellow (v1) collection.
    #[default]
    Yellow,
    /// R.
    Red,
    /// G.
    Green,
    /// B.
    Blue,
    /// Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, rounded (ImageJ's weighted RGB conversion).
    Luminance,
    /// max(R, G, B).
    Max,
}

impl Channel {
    /// Every channel, in menu order.
    pub const ALL: [Channel; 6] = [
        Channel::Yellow,
        Channel::Red,
        Channel::Green,
        Channel::Blue,
        Channel::Luminance,
        Channel::Max,
    ];

    /// The stable name used in parameter text and menus.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Yellow => "yellow",
            Channel::Red => "red",
            Channel::Green => "green",
            Channel::Blue => "blue",
            Channel::Luminance => "luminance",
            Channel::Max => "max",
        }
    }

    /// A label for menus.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Yellow => "Yellow (R+G)/2",
            Channel::Red => "Red",
            Channel::Green => "Green",
            Channel::Blue => "Blue",
            Channel::Luminance => "Luminance",
            Channel::Max => "Max of R, G, B",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Channel {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Channel::ALL.into_iter().find(|c| c.name() == s).ok_or(())
    }
}

/// A single-channel image at the source bit depth, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plane {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The source depth: values lie in 0..=255 or 0..=65535.
    pub depth: BitDepth,
    /// `width * height` values.
    pub data: Vec<u16>,
}

impl Plane {
    /// Wraps values.
    ///
    /// # Panics
    /// If `data.len() != width * height`, or an 8-bit plane holds a value over 255.
    pub fn new(width: u32, height: u32, depth: BitDepth, data: Vec<u16>) -> Self {
        assert_eq!(
            data.len(),
            width as usize * height as usize,
            "plane size mismatch"
        );
        assert!(
            depth == BitDepth::Sixteen || data.iter().all(|&v| v <= 255),
            "8-bit plane with a value over 255"
        );
        Plane {
            width,
            height,
            depth,
            data,
        }
    }

    /// An 8-bit plane from bytes.
    pub fn from_u8(width: u32, height: u32, data: &[u8]) -> Self {
        Plane::new(
            width,
            height,
            BitDepth::Eight,
            data.iter().map(|&v| v as u16).collect(),
        )
    }

    /// The value at (x, y).
    pub fn get(&self, x: u32, y: u32) -> u16 {
        self.data[y as usize * self.width as usize + x as usize]
    }
}

#[inline(always)]
fn mix(channel: Channel, r: u32, g: u32, b: u32) -> u32 {
    match channel {
        Channel::Yellow => (r + g) >> 1,
        Channel::Red => r,
        Channel::Green => g,
        Channel::Blue => b,
        Channel::Luminance => (299 * r + 587 * g + 114 * b + 500) / 1000,
        Channel::Max => r.max(g).max(b),
    }
}

fn extract<T: Copy + Into<u32>>(
    samples: &[T],
    layout: Layout,
    channel: Channel,
    out: &mut Vec<u16>,
) {
    let n = layout.channels();
    match layout {
        Layout::Gray | Layout::GrayAlpha => {
            out.extend(samples.chunks_exact(n).map(|p| p[0].into() as u16));
        }
        Layout::Rgb | Layout::Rgba => {
            // The match on `channel` sits outside the loop so each loop is a tight, vectorisable one.
            macro_rules! go {
                ($c:expr) => {
                    out.extend(
                        samples
                            .chunks_exact(n)
                            .map(|p| mix($c, p[0].into(), p[1].into(), p[2].into()) as u16),
                    )
                };
            }
            match channel {
                Channel::Yellow => go!(Channel::Yellow),
                Channel::Red => go!(Channel::Red),
                Channel::Green => go!(Channel::Green),
                Channel::Blue => go!(Channel::Blue),
                Channel::Luminance => go!(Channel::Luminance),
                Channel::Max => go!(Channel::Max),
            }
        }
    }
}

/// Computes the intensity plane of `image` for `channel` (alpha is ignored).
///
/// ```
/// use fluocount::imaging::{channel::intensity, Channel, Image};
/// let img = Image::rgb8(2, 1, vec![100, 50, 0, 255, 255, 9]);
/// assert_eq!(intensity(&img, Channel::Yellow).data, vec![75, 255]);
/// assert_eq!(intensity(&img, Channel::Max).data, vec![100, 255]);
/// ```
pub fn intensity(image: &Image, channel: Channel) -> Plane {
    let mut out = Vec::with_capacity(image.len());
    match image.pixels() {
        Pixels::U8(s) => extract(s, image.layout(), channel, &mut out),
        Pixels::U16(s) => extract(s, image.layout(), channel, &mut out),
    }
    Plane {
        width: image.width(),
        height: image.height(),
        depth: image.bit_depth(),
        data: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_on_rgb() {
        let img = Image::rgb8(1, 1, vec![200, 101, 30]);
        let got: Vec<u16> = Channel::ALL
            .iter()
            .map(|&c| intensity(&img, c).data[0])
            .collect();
        // luminance: 0.299*200 + 0.587*101 + 0.114*30 = 122.507
        assert_eq!(got, vec![150, 200, 101, 30, 123, 200]);
    }

    #[test]
    fn grey_and_16_bit_pass_through() {
        let img = Image::gray16(2, 1, vec![0, 65535]);
        for c in Channel::ALL {
            let p = intensity(&img, c);
            assert_eq!(p.data, vec![0, 65535]);
            assert_eq!(p.depth, BitDepth::Sixteen);
        }
        let rgba = Image::new(1, 1, Layout::Rgba, Pixels::U16(vec![60000, 50000, 7, 1]));
        assert_eq!(intensity(&rgba, Channel::Yellow).data, vec![55000]);
    }

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.name().parse::<Channel>(), Ok(c));
        }
        assert!("purple".parse::<Channel>().is_err());
    }
}
