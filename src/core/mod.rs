//! The analysis core: pure functions of (image, parameters), free of any UI state.
//!
//! Every stage is a free function over typed planes, so the app, the command line, the tests and the
//! benchmarks all call the same code. [`analyze`] runs the whole pipeline.

pub mod autothreshold;
pub mod background;
pub mod batch;
pub mod bitmask;
pub mod body;
pub mod cellcounter;
pub mod channel;
pub mod clock;
pub mod cv;
pub mod decode;
pub mod demos;
pub mod diameter;
pub mod display;
pub mod distance;
pub mod engine;
pub mod export;
pub mod fill;
pub mod gaussian;
pub mod histogram;
pub mod image;
pub mod label;
pub mod links;
pub mod local_threshold;
pub mod maxima;
pub mod morphology;
pub mod overlay;
pub mod pairing;
pub mod params;
pub mod pipeline;
pub mod presets;
pub mod remote;
pub mod render;
pub mod roi;
pub mod scoring;
pub mod shape;
pub mod share;
pub mod summary;
pub mod synth;
pub mod synth_hard;
pub mod text;
pub mod threshold;
pub mod tune;
pub mod viewport;
pub mod watershed;
pub mod wire;

pub use self::{
    bitmask::BitMask,
    channel::{Channel, Plane},
    decode::{DecodeError, DecodeErrorKind, DecodeLimits, decode},
    image::{BitDepth, Image, Layout, Pixels},
    label::{Connectivity, ObjectStats},
    params::{Params, ParamsNotice, ThresholdMethod},
    pipeline::{Analysis, Stage, StageTiming, analyze},
};
