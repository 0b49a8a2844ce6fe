//! What the page carries in its address and fetches: share links ([`share`]) and their context
//! ([`context`]), the images a link names ([`remote`]), the "Open image from URL" field
//! ([`open_url`]) and the demo gallery ([`gallery`]).

pub mod context;
pub mod gallery;
pub mod open_url;
pub mod remote;
pub mod share;
