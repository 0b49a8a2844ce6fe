//! A binary image packed 64 pixels to a word, row by row.
//!
//! Bit `x % 64` of word `x / 64` of a row is pixel x. Bits past the width in the last word of a row
//! are always zero, so whole-word operations need no special case at the right edge.

/// A packed binary image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitMask {
    width: u32,
    height: u32,
    stride: usize,
    words: Vec<u64>,
}

impl BitMask {
    /// An all-background mask.
    pub fn new(width: u32, height: u32) -> Self {
        let stride = (width as usize).div_ceil(64);
        BitMask {
            width,
            height,
            stride,
            words: vec![0; stride * height as usize],
        }
    }

    /// A mask from one bool per pixel, row-major.
    ///
    /// # Panics
    /// If `bits.len() != width * height`.
    pub fn from_bools(width: u32, height: u32, bits: &[bool]) -> Self {
        assert_eq!(
            bits.len(),
            width as usize * height as usize,
            "mask size mismatch"
        );
        let mut m = BitMask::new(width, height);
        for (i, &b) in bits.iter().enumerate() {
            if b {
                m.set(i as u32 % width, i as u32 / width, true);
            }
        }
        m
    }

    /// One bool per pixel, row-major.
    pub fn to_bools(&self) -> Vec<bool> {
        let mut out = Vec::with_capacity(self.width as usize * self.height as usize);
        for y in 0..self.height {
            for x in 0..self.width {
                out.push(self.get(x, y));
            }
        }
        out
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Words per row.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The words of row y.
    pub fn row(&self, y: u32) -> &[u64] {
        let s = y as usize * self.stride;
        &self.words[s..s + self.stride]
    }

    /// The words of row y, mutable. Callers keep the bits past the width zero (see [`Self::tail_mask`]).
    pub fn row_mut(&mut self, y: u32) -> &mut [u64] {
        let s = y as usize * self.stride;
        &mut self.words[s..s + self.stride]
    }

    /// The valid bits of a row's last word.
    pub fn tail_mask(&self) -> u64 {
        match self.width % 64 {
            0 => !0,
            r => (1u64 << r) - 1,
        }
    }

    /// The pixel at (x, y).
    pub fn get(&self, x: u32, y: u32) -> bool {
        let w = self.words[y as usize * self.stride + x as usize / 64];
        (w >> (x % 64)) & 1 == 1
    }

    /// Sets the pixel at (x, y).
    pub fn set(&mut self, x: u32, y: u32, on: bool) {
        let i = y as usize * self.stride + x as usize / 64;
        let bit = 1u64 << (x % 64);
        if on {
            self.words[i] |= bit;
        } else {
            self.words[i] &= !bit;
        }
    }

    /// Number of foreground pixels.
    pub fn count_ones(&self) -> u64 {
        self.words.iter().map(|w| w.count_ones() as u64).sum()
    }

    /// The complement (bits past the width stay zero).
    pub fn inverted(&self) -> BitMask {
        let mut out = self.clone();
        let tail = self.tail_mask();
        for row in out.words.chunks_exact_mut(self.stride.max(1)) {
            for w in row.iter_mut() {
                *w = !*w;
            }
            if let Some(last) = row.last_mut() {
                *last &= tail;
            }
        }
        out
    }
}

/// Builds a [`BitMask`] from rows of `#` (foreground) and `.` (background), for tests and docs.
///
/// ```
/// let m = fluocount::bitmask!["#.", ".#"];
/// assert!(m.get(0, 0) && m.get(1, 1) && !m.get(1, 0));
/// ```
#[macro_export]
macro_rules! bitmask {
    ($($row:expr),* $(,)?) => {{
        let rows: &[&str] = &[$($row),*];
        let h = rows.len() as u32;
        let w = rows.first().map_or(0, |r| r.len()) as u32;
        let bits: Vec<bool> = rows.iter().flat_map(|r| r.chars().map(|c| c == '#')).collect();
        $crate::imaging::BitMask::from_bools(w, h, &bits)
    }};
}

#[cfg(test)]
mod tests {
    #[test]
    fn invert_keeps_tail_clear() {
        let m = crate::bitmask!["#.#"];
        let inv = m.inverted();
        assert_eq!(inv.to_bools(), vec![false, true, false]);
        assert_eq!(inv.row(0)[0], 0b010);
        assert_eq!(inv.count_ones(), 1);
    }
}
