//! The side panels: the parameters ([`params`]) with the display settings, histogram, overlay
//! and threshold level they hold, the image list, the ground-truth metrics with their
//! cross-validation, and auto-tune.

pub mod cv;
pub mod display;
pub mod histogram;
pub mod image_list;
pub mod metrics;
pub mod overlay;
pub mod params;
pub mod scale;
pub mod threshold;
pub mod tune;
