//! The Leptos user interface (wasm32 only).

pub mod bench;

/// Mounts the app.
pub fn start() {}
