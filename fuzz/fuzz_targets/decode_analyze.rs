//! Any bytes as an image file: decoding never panics, and what decodes counts with its preset.
#![no_main]
use fluocount::{
    count::{analyze, presets::Collection},
    imaging::{DecodeLimits, decode},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small budget keeps each run fast; the checks are the same as the app's.
    let limits = DecodeLimits {
        max_pixels: 1 << 20,
        ..DecodeLimits::default()
    };
    if let Ok(image) = decode(data, &limits) {
        let a = analyze(&image, &Collection::of_image(&image).preset());
        assert_eq!((a.width, a.height), (image.width(), image.height()));
    }
});
