//! Fluocount: counts fluorescent neuronal cells in microscopy images.
//!
//! The layers, each importing only those below it (`ARCHITECTURE.md`):
//!
//! - [`util`]: a clock that works in the browser, and the text forms every layer writes.
//! - [`imaging`]: image operations, ImageJ-compatible: decoding, channels, thresholds,
//!   background, morphology, labelling, shape measures, maxima and the watershed.
//! - [`count`]: counting cells: parameters, presets, the pipeline, scoring, tuning, regions,
//!   corrections, synthetic images and the result tables.
//! - [`view`]: what is drawn: display settings, overlay layers, frames and the viewport.
//! - [`protocol`]: the workers' engine, its messages and their binary form, the batch job.
//! - [`web`]: what the page says and carries: share links, demos, remote images.
//! - [`app`]: the Leptos user interface (wasm32 only); [`cli`]: the command line (native only).
//!
//! All but the last two are pure Rust and build natively and for wasm32.

pub mod count;
pub mod imaging;
pub mod protocol;
pub mod util;
pub mod view;
pub mod web;

#[cfg(target_arch = "wasm32")]
pub mod app;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
