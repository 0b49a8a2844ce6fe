//! The decoded image: dimensions, channel layout, bit depth and the samples at full precision.

/// How the samples of one pixel are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One grey sample.
    Gray,
    /// Grey and alpha.
    GrayAlpha,
    /// Red, green, blue.
    Rgb,
    /// Red, green, blue, alpha.
    Rgba,
}

impl Layout {
    /// Samples per pixel.
    pub fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }

    /// Short human name, e.g. `"RGB"`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Gray => "gray",
            Layout::GrayAlpha => "gray+alpha",
            Layout::Rgb => "RGB",
            Layout::Rgba => "RGBA",
        }
    }
}

/// Bits per sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitDepth {
    /// 0..=255.
    Eight,
    /// 0..=65535.
    Sixteen,
}

impl BitDepth {
    /// The largest sample value.
    pub fn max_value(self) -> u16 {
        match self {
            BitDepth::Eight => u8::MAX as u16,
            BitDepth::Sixteen => u16::MAX,
        }
    }

    /// 8 or 16.
    pub fn bits(self) -> u32 {
        match self {
            BitDepth::Eight => 8,
            BitDepth::Sixteen => 16,
        }
    }
}

/// Interleaved samples, row-major, no padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pixels {
    /// 8-bit samples.
    U8(Vec<u8>),
    /// 16-bit samples, kept at full precision.
    U16(Vec<u16>),
}

/// A decoded image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    width: u32,
    height: u32,
    layout: Layout,
    pixels: Pixels,
}

impl Image {
    /// Wraps interleaved samples.
    ///
    /// # Panics
    /// If the sample count is not `width * height * layout.channels()`.
    pub fn new(width: u32, height: u32, layout: Layout, pixels: Pixels) -> Self {
        let expected = width as usize * height as usize * layout.channels();
        let len = match &pixels {
            Pixels::U8(v) => v.len(),
            Pixels::U16(v) => v.len(),
        };
        assert_eq!(len, expected, "sample count does not match the dimensions");
        Image {
            width,
            height,
            layout,
            pixels,
        }
    }

    /// An 8-bit RGB image from interleaved samples.
    pub fn rgb8(width: u32, height: u32, data: Vec<u8>) -> Self {
        Image::new(width, height, Layout::Rgb, Pixels::U8(data))
    }

    /// An 8-bit grey image.
    pub fn gray8(width: u32, height: u32, data: Vec<u8>) -> Self {
        Image::new(width, height, Layout::Gray, Pixels::U8(data))
    }

    /// A 16-bit grey image.
    pub fn gray16(width: u32, height: u32, data: Vec<u16>) -> Self {
        Image::new(width, height, Layout::Gray, Pixels::U16(data))
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Number of pixels.
    pub fn len(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// True for a 0x0 image.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Channel layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Bits per sample.
    pub fn bit_depth(&self) -> BitDepth {
        match self.pixels {
            Pixels::U8(_) => BitDepth::Eight,
            Pixels::U16(_) => BitDepth::Sixteen,
        }
    }

    /// The samples.
    pub fn pixels(&self) -> &Pixels {
        &self.pixels
    }

    /// All samples of the pixel at (x, y), widened to u16 (alpha included).
    ///
    /// # Panics
    /// If (x, y) lies outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Vec<u16> {
        assert!(x < self.width && y < self.height, "pixel outside the image");
        let c = self.layout.channels();
        let i = (y as usize * self.width as usize + x as usize) * c;
        match &self.pixels {
            Pixels::U8(v) => v[i..i + c].iter().map(|&s| s as u16).collect(),
            Pixels::U16(v) => v[i..i + c].to_vec(),
        }
    }

    /// A short description such as `"1600x1200 RGB 8-bit"`.
    pub fn describe(&self) -> String {
        format!(
            "{}x{} {} {}-bit",
            self.width,
            self.height,
            self.layout.name(),
            self.bit_depth().bits()
        )
    }
}
