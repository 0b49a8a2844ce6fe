//! The ground floor: a millisecond clock that works natively and in the browser, and the text
//! forms (percent encoding, exact float text, quoting) that share links, overlay and display
//! texts and messages use, and a small ZIP reader and writer (`zip.rs`, for ImageJ's RoiSet
//! files). Depends on nothing in the crate.

pub mod clock;
#[cfg(test)]
pub mod testing;
pub mod text;
pub mod zip;
