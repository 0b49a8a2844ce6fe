//! Fixtures for the counting layer's own tests: literal images counted with literal settings.

use crate::{
    count::{Analysis, Params, ThresholdMethod, analyze},
    imaging::Image,
};

/// A manual threshold at `level` with every smoothing, morphology and size filter off, so that
/// each group of pixels above the level is one object.
pub fn manual(level: u16) -> Params {
    Params {
        sigma: 0.0,
        method: ThresholdMethod::Manual,
        level,
        open_radius: 0,
        close_radius: 0,
        min_area: 1,
        ..Params::default()
    }
}

/// A 6x4 grey image counted with [`manual`]`(50)`.
pub fn counted(pixels: Vec<u8>, params: &Params) -> Analysis {
    analyze(&Image::gray8(6, 4, pixels), params)
}

/// 6x4: a 2x2 object of 200 at the top left and an L of three 100s at the right.
pub fn tiny() -> Analysis {
    #[rustfmt::skip]
    let data = vec![
        200, 200, 0, 0, 0, 100,
        200, 200, 0, 0, 100, 100,
        0,   0,   0, 0, 0,   0,
        0,   0,   0, 0, 0,   0,
    ];
    counted(data, &manual(50))
}

/// 6x4: a 2x2 object of 200 at the top left and an L of four 100s at the right, not split.
pub fn tiny_unsplit() -> Analysis {
    #[rustfmt::skip]
    let px = vec![
        200, 200, 0, 0, 0, 100,
        200, 200, 0, 0, 0, 100,
        0,   0,   0, 0, 100, 100,
        0,   0,   0, 0, 0,   0,
    ];
    counted(
        px,
        &Params {
            split: false,
            ..manual(50)
        },
    )
}
