//! What is drawn, never changing a count: display settings with ImageJ's Brightness/Contrast
//! semantics, the overlay layers and their text form, the RGBA frames of an image with its
//! overlay, and the viewer's geometry.

pub mod display;
pub mod frame;
pub mod labels;
pub mod overlay;
pub mod render;
pub mod scalebar;
pub mod viewport;
