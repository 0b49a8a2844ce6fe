//! Counting cells, on the image operations of [`crate::imaging`]: the parameters and presets,
//! the pipeline ([`analyze`]) and its cell-body measures, scoring against ground truth by the
//! reference protocol, the auto-tuner and leave-one-image-out cross-validation, regions (and
//! ImageJ's `.roi` and RoiSet files of them) and manual corrections, synthetic images, and the result tables and files.

pub mod body;
pub mod cellcounter;
pub mod cv;
pub mod export;
pub mod learn;
pub mod pairing;
pub mod params;
pub mod pipeline;
pub mod presets;
pub mod project;
pub mod roi;
pub mod roi_file;
pub mod scoring;
pub mod summary;
pub mod synth;
pub mod synth_hard;
pub mod table;
#[cfg(test)]
pub mod testing;
pub mod tune;

pub use self::{
    params::{Params, ParamsNotice, ThresholdMethod},
    pipeline::{Analysis, Stage, StageTiming, analyze},
};
