//! Fluocount: counts fluorescent neuronal cells in microscopy images.
//!
//! [`core`] is pure Rust (decode, channels, thresholds, morphology, labelling, parameters) and builds
//! natively and for wasm32. [`app`] is the Leptos user interface, compiled only for wasm32.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod app;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
