//! Image operations, imageproc-like and ImageJ-compatible: pure functions over typed planes,
//! depending on nothing above [`crate::util`]. Decoding with limits, channels, histograms,
//! smoothing, background subtraction, global and local thresholds, morphology, hole filling,
//! distance maps, labelling and shape measures, maxima, the watershed, and the scale-space
//! estimate of the blob diameter.

pub mod background;
pub mod bitmask;
pub mod calibration;
pub mod channel;
pub mod decode;
pub mod diameter;
pub mod distance;
pub mod fill;
pub mod gaussian;
pub mod histogram;
pub mod image;
pub mod label;
pub mod maxima;
pub mod morphology;
pub mod shape;
pub mod threshold;
pub mod watershed;

pub use self::{
    bitmask::BitMask,
    channel::{Channel, Plane},
    decode::{DecodeError, DecodeErrorKind, DecodeLimits, decode},
    image::{BitDepth, Image, Layout, Pixels},
    label::{Connectivity, ObjectStats},
};
