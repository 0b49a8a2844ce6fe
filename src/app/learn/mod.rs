//! The Learn panel: an object classifier trained in the page from masks or corrections
//! ([`train`], in a worker of its own: [`trainer`]), its held-out figures, precision–recall curve
//! ([`curve`]) and feature importance ([`importance`]), the model switch and cut-off
//! ([`session`], [`choice`]), and the model file ([`file`]).

pub mod choice;
pub mod curve;
pub mod file;
pub mod importance;
pub mod panel;
pub mod session;
pub mod train;
pub mod trainer;
