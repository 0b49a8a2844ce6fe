//! The Web Workers' side: the [`engine::Engine`] that keeps images and answers requests, the
//! request and response [`messages`] and their compact binary form ([`wire`]), and the batch job
//! that decodes, counts and scores one file without keeping it.

pub mod batch;
pub mod engine;
pub mod learn;
pub mod messages;
pub mod wire;
